// Catalog queries of the local backend on sqlite_schema and pragma_table_xinfo, pragma_table_info,
// pragma_foreign_key_list and pragma_function_list.
#include "local/catalog.h"

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <optional>

#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "local/errors.h"
#include "local/sql_text.h"
#include "local/type_mapping.h"

namespace kitsune::backends::local {
namespace {

using backend::ColumnInfo;
using backend::ForeignKeyInfo;
using backend::FunctionInfo;
using backend::PrimaryKeyInfo;
using backend::TableInfo;

// One catalog query: prepared, stepped, finalized when it goes.
class Query {
 public:
  Query(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) status_ = last_error(db);
  }
  ~Query() { sqlite3_finalize(stmt_); }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& bind(int index, std::string_view text) {
    if (status_.is_ok() &&
        sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                          SQLITE_TRANSIENT) != SQLITE_OK) {
      status_ = last_error(db_);
    }
    return *this;
  }

  // True with a row to read, false at the end; the failure otherwise.
  Result<bool> next() {
    if (!status_.is_ok()) return status_;
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return last_error(db_);
  }

  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::string text(int column) const {
    const unsigned char* p = sqlite3_column_text(stmt_, column);
    return p == nullptr
               ? std::string()
               : std::string(reinterpret_cast<const char*>(p),
                             static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  std::optional<std::string> nullable_text(int column) const {
    if (is_null(column)) return std::nullopt;
    return text(column);
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  Status status_;
};

bool matches(std::string_view pattern, std::string_view name) {
  return pattern.empty() || like_match(pattern, name);
}

// DatabaseMetaData.importedKey* codes of an ON UPDATE / ON DELETE action.
int rule_code(std::string_view action) {
  if (iequals(action, "CASCADE")) return 0;
  if (iequals(action, "RESTRICT")) return 1;
  if (iequals(action, "SET NULL")) return 2;
  if (iequals(action, "SET DEFAULT")) return 4;
  return 3;  // NO ACTION
}

// The Hive type a catalog reports: a declared type that leaves the type open reads as STRING,
// since there are no values here to infer it from.
backend::ColumnType catalog_type(std::string_view declared) {
  if (auto t = map_declared_type(declared)) return *t;
  backend::ColumnType string;
  string.id = tcli::TTypeId::STRING_TYPE;
  return string;
}

Result<std::vector<std::string>> primary_key_columns(sqlite3* db, std::string_view table) {
  Query q(db, "SELECT name FROM pragma_table_info(?1, 'main') WHERE pk > 0 ORDER BY pk");
  q.bind(1, table);
  std::vector<std::string> out;
  while (true) {
    Result<bool> row = q.next();
    if (!row) return std::move(row).status();
    if (!*row) return out;
    out.push_back(q.text(0));
  }
}

}  // namespace

Result<std::vector<CatalogReader::Table>> CatalogReader::list_tables() {
  Query q(db_,
          "SELECT name, type, sql FROM main.sqlite_schema WHERE type IN ('table', 'view') AND "
          "name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name");
  std::vector<Table> out;
  while (true) {
    Result<bool> row = q.next();
    if (!row) return std::move(row).status();
    if (!*row) return out;
    out.push_back(Table{q.text(0), q.text(1) == "view", q.text(2)});
  }
}

Result<std::vector<TableInfo>> CatalogReader::tables(std::string_view table_pattern) {
  Result<std::vector<Table>> all = list_tables();
  if (!all) return std::move(all).status();
  std::vector<TableInfo> out;
  for (const Table& t : *all) {
    if (!matches(table_pattern, t.name)) continue;
    out.push_back(TableInfo{schema_, t.name, t.view ? "VIEW" : "TABLE", ""});
  }
  return out;
}

Result<std::vector<ColumnInfo>> CatalogReader::columns(std::string_view table_pattern,
                                                       std::string_view column_pattern) {
  Result<std::vector<Table>> all = list_tables();
  if (!all) return std::move(all).status();
  std::vector<ColumnInfo> out;
  for (const Table& t : *all) {
    if (!matches(table_pattern, t.name)) continue;
    // hidden: 0 plain, 1 hidden column of a virtual table, 2 and 3 generated columns.
    Query q(db_,
            "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM "
            "pragma_table_xinfo(?1, 'main') WHERE hidden <> 1 ORDER BY cid");
    q.bind(1, t.name);
    std::vector<ColumnInfo> table_columns;
    int key_columns = 0;
    Status failed;
    while (true) {
      Result<bool> row = q.next();
      if (!row) {
        failed = std::move(row).status();
        break;
      }
      if (!*row) break;
      ColumnInfo c;
      c.schema = schema_;
      c.table = t.name;
      c.name = q.text(0);
      c.type = catalog_type(q.text(1));
      c.ordinal = static_cast<int>(table_columns.size()) + 1;
      c.nullable = q.integer(2) == 0;
      c.default_value = q.nullable_text(3);
      const bool key = q.integer(4) > 0;
      key_columns += key ? 1 : 0;
      // Only an INTEGER PRIMARY KEY (the rowid) can carry AUTOINCREMENT; SQLite refuses the
      // keyword anywhere else, so finding it in the table's SQL settles which column has it.
      c.auto_increment = key && !t.view && iequals(trim(q.text(1)), "INTEGER") &&
                         contains_keyword(t.sql, "AUTOINCREMENT");
      table_columns.push_back(std::move(c));
    }
    if (!failed.is_ok()) {
      if (!t.view) return failed;
      logger("backend")->debug("columns of view {}.{} left out: {}", schema_, t.name,
                               failed.message());
      continue;
    }
    for (ColumnInfo& c : table_columns) {
      if (key_columns != 1) c.auto_increment = false;
      if (matches(column_pattern, c.name)) out.push_back(std::move(c));
    }
  }
  return out;
}

Result<std::vector<PrimaryKeyInfo>> CatalogReader::primary_keys(std::string_view table) {
  Result<std::vector<Table>> all = list_tables();
  if (!all) return std::move(all).status();
  std::vector<PrimaryKeyInfo> out;
  for (const Table& t : *all) {
    if (t.view || !iequals(t.name, table)) continue;
    Result<std::vector<std::string>> key = primary_key_columns(db_, t.name);
    if (!key) return std::move(key).status();
    for (std::size_t i = 0; i < key->size(); ++i) {
      out.push_back(PrimaryKeyInfo{schema_, t.name, (*key)[i], static_cast<int>(i) + 1, {}});
    }
  }
  return out;
}

Result<std::vector<ForeignKeyInfo>> CatalogReader::foreign_keys(std::string_view foreign_table,
                                                                std::string_view parent_table) {
  Result<std::vector<Table>> all = list_tables();
  if (!all) return std::move(all).status();
  // The stored spelling of a table named in a REFERENCES clause.
  auto stored_name = [&](const std::string& name) {
    for (const Table& t : *all) {
      if (iequals(t.name, name)) return t.name;
    }
    return name;
  };
  std::vector<ForeignKeyInfo> out;
  for (const Table& t : *all) {
    if (t.view || (!foreign_table.empty() && !iequals(t.name, foreign_table))) continue;
    Query q(db_,
            "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete FROM "
            "pragma_foreign_key_list(?1, 'main') ORDER BY id, seq");
    q.bind(1, t.name);
    // A key without parent columns refers to the parent's primary key; read it once per key.
    std::map<std::int64_t, std::vector<std::string>> parent_keys;
    while (true) {
      Result<bool> row = q.next();
      if (!row) return std::move(row).status();
      if (!*row) break;
      const std::string parent = stored_name(q.text(2));
      if (!parent_table.empty() && !iequals(parent, parent_table)) continue;
      const std::int64_t id = q.integer(0);
      const std::int64_t seq = q.integer(1);
      std::string parent_column;
      if (q.is_null(4)) {
        auto it = parent_keys.find(id);
        if (it == parent_keys.end()) {
          Result<std::vector<std::string>> key = primary_key_columns(db_, parent);
          if (!key) return std::move(key).status();
          it = parent_keys.emplace(id, std::move(*key)).first;
        }
        // A key the parent cannot match is one SQLite reports as a mismatch when used; skip it.
        if (seq < 0 || static_cast<std::size_t>(seq) >= it->second.size()) continue;
        parent_column = it->second[static_cast<std::size_t>(seq)];
      } else {
        parent_column = q.text(4);
      }
      ForeignKeyInfo fk;
      fk.pk_schema = schema_;
      fk.pk_table = parent;
      fk.pk_column = std::move(parent_column);
      fk.fk_schema = schema_;
      fk.fk_table = t.name;
      fk.fk_column = q.text(3);
      fk.key_seq = static_cast<int>(seq) + 1;
      fk.update_rule = rule_code(q.text(5));
      fk.delete_rule = rule_code(q.text(6));
      out.push_back(std::move(fk));
    }
  }
  return out;
}

Result<std::vector<FunctionInfo>> list_functions(sqlite3* db, std::string_view pattern) {
  Query q(db, "SELECT DISTINCT name FROM pragma_function_list ORDER BY name");
  std::vector<FunctionInfo> out;
  while (true) {
    Result<bool> row = q.next();
    if (!row) return std::move(row).status();
    if (!*row) return out;
    std::string name = q.text(0);
    if (matches(pattern, name)) out.push_back(FunctionInfo{std::move(name), "", 1});
  }
}

}  // namespace kitsune::backends::local
