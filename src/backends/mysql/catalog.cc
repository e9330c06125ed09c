// information_schema queries for tables, columns, keys and routines.
#include "mysql/catalog.h"

#include <charconv>

#include "kitsune/common/strings.h"

namespace kitsune::backends::mysql {
namespace {

std::string escape_like(std::string_view name) {
  std::string out;
  for (char ch : name) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}

// A JDBC schema pattern as a LIKE pattern: empty for all, "default" for the URL's database.
std::string schema_like(const CatalogContext& c, const std::string& pattern) {
  if (pattern.empty()) return "%";
  if (iequals(pattern, "default") && !c.default_database.empty()) {
    return escape_like(c.default_database);
  }
  return pattern;
}

std::string like(const std::string& pattern) {
  return pattern.empty() ? "%" : pattern;
}

// An exact schema name: "default" for the URL's database, empty for the current one.
std::string exact_schema(const CatalogContext& c, const std::string& schema) {
  if (schema.empty()) return c.current_database;
  if (iequals(schema, "default") && !c.default_database.empty()) return c.default_database;
  return schema;
}

std::optional<std::int64_t> to_int(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  std::int64_t v = 0;
  const auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc()) return std::nullopt;
  return v;
}

std::string str(const std::optional<std::string>& text) {
  return text.value_or("");
}

// The DatabaseMetaData code of a referential action.
int rule_code(const std::optional<std::string>& rule) {
  const std::string r = to_upper(str(rule));
  if (r == "CASCADE") return 0;      // importedKeyCascade
  if (r == "RESTRICT") return 1;     // importedKeyRestrict
  if (r == "SET NULL") return 2;     // importedKeySetNull
  if (r == "SET DEFAULT") return 4;  // importedKeySetDefault
  return 3;                          // importedKeyNoAction
}

// MariaDB shows a column default as an SQL expression: NULL, a quoted literal, or an
// expression; JDBC wants the value (nothing for NULL, the literal's text unquoted).
std::optional<std::string> column_default(const CatalogContext& c,
                                          const std::optional<std::string>& text) {
  if (!text || !c.mariadb) return text;
  if (*text == "NULL") return std::nullopt;
  if (text->size() >= 2 && text->front() == '\'' && text->back() == '\'') {
    std::string out;
    const std::string_view body(text->data() + 1, text->size() - 2);
    for (std::size_t i = 0; i < body.size(); ++i) {
      if ((body[i] == '\'' || body[i] == '\\') && i + 1 < body.size()) ++i;
      out += body[i];
    }
    return out;
  }
  return text;
}

}  // namespace

Result<std::vector<std::string>> list_databases(const CatalogContext& c) {
  Result<std::vector<TextRow>> rows =
      c.conn.select("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME", {});
  if (!rows) return std::move(rows).status();
  std::vector<std::string> out;
  for (const TextRow& row : *rows)
    out.push_back(str(row[0]));
  return out;
}

Result<std::int64_t> count_tables(const CatalogContext& c, const std::string& database) {
  Result<std::vector<TextRow>> rows = c.conn.select(
      "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", {database});
  if (!rows) return std::move(rows).status();
  return rows->empty() ? 0 : to_int(rows->front()[0]).value_or(0);
}

Result<std::vector<backend::TableInfo>> list_tables(const CatalogContext& c,
                                                    const std::string& schema_pattern,
                                                    const std::string& table_pattern) {
  Result<std::vector<TextRow>> rows = c.conn.select(
      "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, TABLE_COMMENT FROM information_schema.TABLES "
      "WHERE TABLE_SCHEMA LIKE ? AND TABLE_NAME LIKE ? ORDER BY TABLE_SCHEMA, TABLE_NAME",
      {schema_like(c, schema_pattern), like(table_pattern)});
  if (!rows) return std::move(rows).status();
  std::vector<backend::TableInfo> out;
  for (const TextRow& row : *rows) {
    backend::TableInfo t;
    t.schema = str(row[0]);
    t.name = str(row[1]);
    const std::string type = to_upper(str(row[2]));
    if (type == "BASE TABLE" || type == "SYSTEM VERSIONED") {
      t.type = "TABLE";
    } else if (type == "SYSTEM VIEW") {
      t.type = "SYSTEM TABLE";
    } else {
      t.type = type;  // VIEW, SEQUENCE, TEMPORARY
    }
    t.remarks = str(row[3]);
    // MySQL puts the word VIEW in a view's comment column; a view has no comment of its own.
    if (t.type == "VIEW" && t.remarks == "VIEW") t.remarks.clear();
    out.push_back(std::move(t));
  }
  return out;
}

Result<std::vector<backend::ColumnInfo>> list_columns(const CatalogContext& c,
                                                      const std::string& schema_pattern,
                                                      const std::string& table_pattern,
                                                      const std::string& column_pattern) {
  Result<std::vector<TextRow>> rows = c.conn.select(
      "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, "
      "IS_NULLABLE, DATA_TYPE, COLUMN_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, "
      "NUMERIC_SCALE, EXTRA, COLUMN_COMMENT FROM information_schema.COLUMNS "
      "WHERE TABLE_SCHEMA LIKE ? AND TABLE_NAME LIKE ? AND COLUMN_NAME LIKE ? "
      "ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION",
      {schema_like(c, schema_pattern), like(table_pattern), like(column_pattern)});
  if (!rows) return std::move(rows).status();
  std::vector<backend::ColumnInfo> out;
  for (const TextRow& row : *rows) {
    backend::ColumnInfo col;
    col.schema = str(row[0]);
    col.table = str(row[1]);
    col.name = str(row[2]);
    col.ordinal = static_cast<int>(to_int(row[3]).value_or(0));
    col.default_value = column_default(c, row[4]);
    col.nullable = iequals(str(row[5]), "YES");
    col.type = map_column_type(str(row[6]), str(row[7]), to_int(row[8]), to_int(row[9]),
                               to_int(row[10]), c.types);
    col.auto_increment = to_lower(str(row[11])).find("auto_increment") != std::string::npos;
    col.comment = str(row[12]);
    out.push_back(std::move(col));
  }
  return out;
}

Result<std::vector<backend::PrimaryKeyInfo>> list_primary_keys(const CatalogContext& c,
                                                               const std::string& schema,
                                                               const std::string& table) {
  Result<std::vector<TextRow>> rows = c.conn.select(
      "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, CONSTRAINT_NAME "
      "FROM information_schema.KEY_COLUMN_USAGE WHERE CONSTRAINT_NAME = 'PRIMARY' "
      "AND TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
      {exact_schema(c, schema), table});
  if (!rows) return std::move(rows).status();
  std::vector<backend::PrimaryKeyInfo> out;
  for (const TextRow& row : *rows) {
    backend::PrimaryKeyInfo k;
    k.schema = str(row[0]);
    k.table = str(row[1]);
    k.column = str(row[2]);
    k.key_seq = static_cast<int>(to_int(row[3]).value_or(0));
    k.pk_name = row[4];
    out.push_back(std::move(k));
  }
  return out;
}

Result<std::vector<backend::ForeignKeyInfo>> list_cross_reference(
    const CatalogContext& c, const std::string& parent_schema, const std::string& parent_table,
    const std::string& foreign_schema, const std::string& foreign_table) {
  // A side named only by its table is in the current database; a side not named at all is any.
  const std::string ps =
      parent_table.empty() && parent_schema.empty() ? "" : exact_schema(c, parent_schema);
  const std::string fs =
      foreign_table.empty() && foreign_schema.empty() ? "" : exact_schema(c, foreign_schema);
  Result<std::vector<TextRow>> rows = c.conn.select(
      "SELECT k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, "
      "k.TABLE_SCHEMA, k.TABLE_NAME, k.COLUMN_NAME, k.ORDINAL_POSITION, r.UPDATE_RULE, "
      "r.DELETE_RULE, k.CONSTRAINT_NAME, r.UNIQUE_CONSTRAINT_NAME "
      "FROM information_schema.KEY_COLUMN_USAGE k "
      "JOIN information_schema.REFERENTIAL_CONSTRAINTS r "
      "ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME "
      "AND r.TABLE_NAME = k.TABLE_NAME "
      "WHERE k.REFERENCED_TABLE_NAME IS NOT NULL "
      "AND (? = '' OR k.REFERENCED_TABLE_SCHEMA = ?) AND (? = '' OR k.REFERENCED_TABLE_NAME = ?) "
      "AND (? = '' OR k.TABLE_SCHEMA = ?) AND (? = '' OR k.TABLE_NAME = ?) "
      "ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
      {ps, ps, parent_table, parent_table, fs, fs, foreign_table, foreign_table});
  if (!rows) return std::move(rows).status();
  std::vector<backend::ForeignKeyInfo> out;
  for (const TextRow& row : *rows) {
    backend::ForeignKeyInfo k;
    k.pk_schema = str(row[0]);
    k.pk_table = str(row[1]);
    k.pk_column = str(row[2]);
    k.fk_schema = str(row[3]);
    k.fk_table = str(row[4]);
    k.fk_column = str(row[5]);
    k.key_seq = static_cast<int>(to_int(row[6]).value_or(0));
    k.update_rule = rule_code(row[7]);
    k.delete_rule = rule_code(row[8]);
    k.fk_name = row[9];
    k.pk_name = row[10];
    out.push_back(std::move(k));
  }
  return out;
}

Result<std::vector<backend::FunctionInfo>> list_functions(const CatalogContext& c,
                                                          const std::string& function_pattern) {
  Result<std::vector<TextRow>> rows = c.conn.select(
      "SELECT ROUTINE_NAME, ROUTINE_COMMENT FROM information_schema.ROUTINES "
      "WHERE ROUTINE_TYPE = 'FUNCTION' AND ROUTINE_NAME LIKE ? ORDER BY ROUTINE_NAME",
      {like(function_pattern)});
  if (!rows) return std::move(rows).status();
  std::vector<backend::FunctionInfo> out;
  for (const TextRow& row : *rows) {
    backend::FunctionInfo f;
    f.name = str(row[0]);
    f.remarks = str(row[1]);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace kitsune::backends::mysql
