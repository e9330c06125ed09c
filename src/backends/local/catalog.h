// CatalogReader: one database's tables, columns and keys, read through sqlite_schema and the
// pragma table-valued functions of a connection's `main`; and the list of SQL functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kitsune/backend/sql_backend.h"
#include "kitsune/common/status.h"

struct sqlite3;

namespace kitsune::backends::local {

// Reads the catalog of `db`'s main schema and reports it as Hive database `schema`. `db` stays the
// caller's; the reader only runs queries on it. Patterns are JDBC patterns (empty = all); exact
// names compare case-insensitively, as SQLite's do.
class CatalogReader {
 public:
  CatalogReader(sqlite3* db, std::string schema) : db_(db), schema_(std::move(schema)) {}

  // Tables and views, by name; SQLite's own sqlite_* tables left out.
  Result<std::vector<backend::TableInfo>> tables(std::string_view table_pattern);
  // Columns of matching tables and views, by table then position. A view whose columns cannot be
  // read (it refers to a dropped table) is left out rather than failing the call.
  Result<std::vector<backend::ColumnInfo>> columns(std::string_view table_pattern,
                                                   std::string_view column_pattern);
  // The primary key of `table`, in key order; none when the table is missing or has no key.
  Result<std::vector<backend::PrimaryKeyInfo>> primary_keys(std::string_view table);
  // Foreign keys declared by `foreign_table` (every table when empty) whose parent table is
  // `parent_table` (any when empty). SQLite's foreign keys stay within one database, so parent and
  // child schema are both this one.
  Result<std::vector<backend::ForeignKeyInfo>> foreign_keys(std::string_view foreign_table,
                                                            std::string_view parent_table);

 private:
  struct Table {
    std::string name;
    bool view = false;
    std::string sql;
  };
  Result<std::vector<Table>> list_tables();

  sqlite3* db_;
  std::string schema_;
};

// The distinct names of the SQL functions `db` knows, matching `pattern` (empty = all), sorted.
Result<std::vector<backend::FunctionInfo>> list_functions(sqlite3* db, std::string_view pattern);

}  // namespace kitsune::backends::local
