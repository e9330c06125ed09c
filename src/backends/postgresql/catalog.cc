// Catalog queries of the postgresql backend on pg_namespace, pg_class, pg_attribute,
// pg_constraint and pg_proc.
#include "postgresql/catalog.h"

#include <map>
#include <optional>

#include "kitsune/common/strings.h"
#include "postgresql/type_mapping.h"

namespace kitsune::backends::postgresql {
namespace {

using backend::ColumnInfo;
using backend::ForeignKeyInfo;
using backend::FunctionInfo;
using backend::PrimaryKeyInfo;
using backend::TableInfo;

std::string text(const PGresult* r, int row, int column) {
  return std::string(PQgetvalue(r, row, column),
                     static_cast<std::size_t>(PQgetlength(r, row, column)));
}

bool is_null(const PGresult* r, int row, int column) {
  return PQgetisnull(r, row, column) != 0;
}

bool is_system_schema(std::string_view name) {
  return name.starts_with("pg_") || name == "information_schema";
}

// A JDBC pattern with its escapes removed, when it has no wildcard: the one name it matches.
std::optional<std::string> exact_name(std::string_view pattern) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      out += pattern[++i];
    } else if (c == '%' || c == '_' || c == '*') {
      return std::nullopt;
    } else {
      out += c;
    }
  }
  return out;
}

bool matches(std::string_view pattern, std::string_view name) {
  return pattern.empty() || like_match(pattern, name);
}

// A text[] or oid[] parameter: {"a","b"} with quotes and backslashes escaped.
std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// DatabaseMetaData.importedKey* codes of pg_constraint's confupdtype / confdeltype.
int rule_code(std::string_view action) {
  if (action == "c") return 0;  // CASCADE
  if (action == "r") return 1;  // RESTRICT
  if (action == "n") return 2;  // SET NULL
  if (action == "d") return 4;  // SET DEFAULT
  return 3;                     // NO ACTION
}

}  // namespace

Result<std::vector<std::string>> Catalog::schemas() {
  Result<PgResult> r = conn_.exec(
      "SELECT nspname FROM pg_catalog.pg_namespace "
      "WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' ORDER BY nspname");
  if (!r) return std::move(r).status();
  std::vector<std::string> out;
  for (int i = 0; i < PQntuples(r->get()); ++i)
    out.push_back(text(r->get(), i, 0));
  return out;
}

Result<std::string> Catalog::resolve_schema(const std::string& name) {
  if (iequals(name, "default")) return default_schema_;
  Result<PgResult> r = conn_.exec(
      "SELECT nspname FROM pg_catalog.pg_namespace WHERE lower(nspname) = lower($1) "
      "ORDER BY nspname = $1 DESC, nspname",
      {name});
  if (!r) return std::move(r).status();
  const int n = PQntuples(r->get());
  if (n == 0) return std::string();
  const std::string first = text(r->get(), 0, 0);
  if (first == name || n == 1) return first;
  return std::string();  // only case-insensitive matches, and more than one
}

Result<std::string> Catalog::current_schema() {
  Result<PgResult> r = conn_.exec("SELECT current_schema()");
  if (!r) return std::move(r).status();
  if (PQntuples(r->get()) == 0 || is_null(r->get(), 0, 0)) return default_schema_;
  return text(r->get(), 0, 0);
}

Result<std::vector<std::string>> Catalog::matching_schemas(const std::string& pattern) {
  Result<PgResult> r = conn_.exec("SELECT nspname FROM pg_catalog.pg_namespace ORDER BY nspname");
  if (!r) return std::move(r).status();
  const std::optional<std::string> exact = exact_name(pattern);
  std::vector<std::string> out;
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    std::string name = text(r->get(), i, 0);
    bool keep = false;
    if (exact && iequals(*exact, "default")) {
      keep = name == default_schema_;
    } else if (is_system_schema(name)) {
      keep = exact && *exact == name;
    } else {
      keep = matches(pattern, name);
    }
    if (keep) out.push_back(std::move(name));
  }
  return out;
}

Result<std::vector<Catalog::Relation>> Catalog::relations(const std::string& schema_pattern,
                                                          const std::string& table_pattern) {
  Result<std::vector<std::string>> schemas = matching_schemas(schema_pattern);
  if (!schemas) return std::move(schemas).status();
  std::vector<Relation> out;
  if (schemas->empty()) return out;
  // r table, p partitioned table, f foreign table; v view, m materialized view.
  Result<PgResult> r = conn_.exec(
      "SELECT c.oid::text, n.nspname, c.relname, "
      "CASE WHEN c.relkind IN ('v', 'm') THEN 'VIEW' ELSE 'TABLE' END, "
      "COALESCE(pg_catalog.obj_description(c.oid, 'pg_class'), '') "
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm') AND n.nspname = ANY($1::text[]) "
      "ORDER BY n.nspname, c.relname",
      {array_literal(*schemas)});
  if (!r) return std::move(r).status();
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    std::string name = text(r->get(), i, 2);
    if (!matches(table_pattern, name)) continue;
    out.push_back(
        Relation{text(r->get(), i, 0), TableInfo{text(r->get(), i, 1), std::move(name),
                                                 text(r->get(), i, 3), text(r->get(), i, 4)}});
  }
  return out;
}

Result<std::vector<TableInfo>> Catalog::tables(const std::string& schema_pattern,
                                               const std::string& table_pattern) {
  Result<std::vector<Relation>> found = relations(schema_pattern, table_pattern);
  if (!found) return std::move(found).status();
  std::vector<TableInfo> out;
  for (Relation& r : *found)
    out.push_back(std::move(r.info));
  return out;
}

Result<std::vector<ColumnInfo>> Catalog::columns(const std::string& schema_pattern,
                                                 const std::string& table_pattern,
                                                 const std::string& column_pattern) {
  Result<std::vector<Relation>> found = relations(schema_pattern, table_pattern);
  if (!found) return std::move(found).status();
  std::vector<ColumnInfo> out;
  if (found->empty()) return out;
  std::vector<std::string> oids;
  for (const Relation& r : *found)
    oids.push_back(r.oid);
  Result<PgResult> r = conn_.exec(
      "SELECT a.attrelid::text, a.attname, t.typtype, a.atttypid, a.atttypmod, t.typbasetype, "
      "t.typtypmod, a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity, "
      "COALESCE(pg_catalog.col_description(a.attrelid, a.attnum), '') "
      "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
      "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
      "WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped "
      "ORDER BY a.attrelid, a.attnum",
      {array_literal(oids)});
  if (!r) return std::move(r).status();
  const PGresult* res = r->get();
  std::map<std::string, std::vector<ColumnInfo>> by_relation;
  for (int i = 0; i < PQntuples(res); ++i) {
    std::vector<ColumnInfo>& cols = by_relation[text(res, i, 0)];
    ColumnInfo c;
    c.name = text(res, i, 1);
    // A domain column reads as its base type, as query results report it.
    const bool domain = text(res, i, 2) == "d";
    const Oid type = static_cast<Oid>(std::stoul(text(res, i, domain ? 5 : 3)));
    const int typmod = std::stoi(text(res, i, domain ? 6 : 4));
    c.type = map_type(type, typmod).type;
    c.ordinal = static_cast<int>(cols.size()) + 1;
    c.nullable = text(res, i, 7) != "t";
    if (!is_null(res, i, 8)) c.default_value = text(res, i, 8);
    const std::string identity = text(res, i, 9);
    c.auto_increment = identity == "a" || identity == "d" ||
                       (c.default_value && c.default_value->starts_with("nextval("));
    c.comment = text(res, i, 10);
    cols.push_back(std::move(c));
  }
  for (const Relation& rel : *found) {
    auto it = by_relation.find(rel.oid);
    if (it == by_relation.end()) continue;
    for (ColumnInfo& c : it->second) {
      if (!matches(column_pattern, c.name)) continue;
      c.schema = rel.info.schema;
      c.table = rel.info.name;
      out.push_back(std::move(c));
    }
  }
  return out;
}

Result<std::string> Catalog::schema_argument(const std::string& name) {
  if (name.empty()) return current_schema();
  Result<std::string> resolved = resolve_schema(name);
  if (!resolved) return resolved;
  return resolved->empty() ? name : *resolved;
}

Result<std::vector<PrimaryKeyInfo>> Catalog::primary_keys(const std::string& schema,
                                                          const std::string& table) {
  Result<std::string> nsp = schema_argument(schema);
  if (!nsp) return std::move(nsp).status();
  Result<PgResult> r = conn_.exec(
      "SELECT n.nspname, c.relname, a.attname, k.ord, con.conname "
      "FROM pg_catalog.pg_constraint con "
      "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord) "
      "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
      "WHERE con.contype = 'p' AND n.nspname = $1 AND c.relname = $2 ORDER BY k.ord",
      {*nsp, table});
  if (!r) return std::move(r).status();
  std::vector<PrimaryKeyInfo> out;
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    out.push_back(PrimaryKeyInfo{text(r->get(), i, 0), text(r->get(), i, 1), text(r->get(), i, 2),
                                 std::stoi(text(r->get(), i, 3)), text(r->get(), i, 4)});
  }
  return out;
}

Result<std::vector<ForeignKeyInfo>> Catalog::cross_reference(const std::string& parent_schema,
                                                             const std::string& parent_table,
                                                             const std::string& foreign_schema,
                                                             const std::string& foreign_table) {
  // A schema left empty next to a named table is the current one; with no table, any.
  std::string ps;
  std::string fs;
  if (!parent_schema.empty() || !parent_table.empty()) {
    Result<std::string> s = schema_argument(parent_schema);
    if (!s) return std::move(s).status();
    ps = *s;
  }
  if (!foreign_schema.empty() || !foreign_table.empty()) {
    Result<std::string> s = schema_argument(foreign_schema);
    if (!s) return std::move(s).status();
    fs = *s;
  }
  Result<PgResult> r = conn_.exec(
      "SELECT pn.nspname, pc.relname, pa.attname, fn.nspname, fc.relname, fa.attname, k.ord, "
      "con.confupdtype, con.confdeltype, con.conname, "
      "(SELECT u.conname FROM pg_catalog.pg_constraint u WHERE u.conrelid = con.confrelid "
      "AND u.conindid = con.conindid AND u.contype IN ('p', 'u') LIMIT 1) "
      "FROM pg_catalog.pg_constraint con "
      "JOIN pg_catalog.pg_class fc ON fc.oid = con.conrelid "
      "JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace "
      "JOIN pg_catalog.pg_class pc ON pc.oid = con.confrelid "
      "JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace "
      "CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(fk_att, pk_att, "
      "ord) "
      "JOIN pg_catalog.pg_attribute fa ON fa.attrelid = con.conrelid AND fa.attnum = k.fk_att "
      "JOIN pg_catalog.pg_attribute pa ON pa.attrelid = con.confrelid AND pa.attnum = k.pk_att "
      "WHERE con.contype = 'f' AND ($1::text = '' OR pn.nspname = $1::text) "
      "AND ($2::text = '' OR pc.relname = $2::text) AND ($3::text = '' OR fn.nspname = $3::text) "
      "AND ($4::text = '' OR fc.relname = $4::text) "
      "ORDER BY fn.nspname, fc.relname, con.conname, k.ord",
      {ps, parent_table, fs, foreign_table});
  if (!r) return std::move(r).status();
  const PGresult* res = r->get();
  std::vector<ForeignKeyInfo> out;
  for (int i = 0; i < PQntuples(res); ++i) {
    ForeignKeyInfo fk;
    fk.pk_schema = text(res, i, 0);
    fk.pk_table = text(res, i, 1);
    fk.pk_column = text(res, i, 2);
    fk.fk_schema = text(res, i, 3);
    fk.fk_table = text(res, i, 4);
    fk.fk_column = text(res, i, 5);
    fk.key_seq = std::stoi(text(res, i, 6));
    fk.update_rule = rule_code(text(res, i, 7));
    fk.delete_rule = rule_code(text(res, i, 8));
    fk.fk_name = text(res, i, 9);
    if (!is_null(res, i, 10)) fk.pk_name = text(res, i, 10);
    out.push_back(std::move(fk));
  }
  return out;
}

Result<std::vector<FunctionInfo>> Catalog::functions(const std::string& pattern) {
  // One row per name: overloads share it. functionReturnsTable (2) for set-returning ones.
  Result<PgResult> r = conn_.exec(
      "SELECT p.proname, COALESCE(max(pg_catalog.obj_description(p.oid, 'pg_proc')), ''), "
      "bool_or(p.proretset) FROM pg_catalog.pg_proc p GROUP BY p.proname ORDER BY p.proname");
  if (!r) return std::move(r).status();
  std::vector<FunctionInfo> out;
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    std::string name = text(r->get(), i, 0);
    if (!matches(pattern, name)) continue;
    out.push_back(
        FunctionInfo{std::move(name), text(r->get(), i, 1), text(r->get(), i, 2) == "t" ? 2 : 1});
  }
  return out;
}

}  // namespace kitsune::backends::postgresql
