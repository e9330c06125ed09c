// Catalog calls of the mysql backend, answered from information_schema with prepared statements
// whose patterns and names are parameters, never spliced into the SQL.
//
// Schemas are MySQL databases. Patterns are JDBC patterns, which MySQL's LIKE reads the same way
// ('%', '_', '\' escapes), compared with information_schema's case-insensitive collation as
// Connector/J does. The schema name "default" (Hive's) stands for the URL's database.
#pragma once

#include <string>
#include <vector>

#include "kitsune/backend/sql_backend.h"
#include "mysql/connection.h"
#include "mysql/type_mapping.h"

namespace kitsune::backends::mysql {

struct CatalogContext {
  Connection& conn;
  const TypeOptions& types;
  const std::string& default_database;  // the URL's database
  const std::string& current_database;  // for names given without a schema
  bool mariadb = false;                 // COLUMN_DEFAULT is an SQL expression there
};

Result<std::vector<std::string>> list_databases(const CatalogContext& c);
// The number of tables and views in `database`.
Result<std::int64_t> count_tables(const CatalogContext& c, const std::string& database);
Result<std::vector<backend::TableInfo>> list_tables(const CatalogContext& c,
                                                    const std::string& schema_pattern,
                                                    const std::string& table_pattern);
Result<std::vector<backend::ColumnInfo>> list_columns(const CatalogContext& c,
                                                      const std::string& schema_pattern,
                                                      const std::string& table_pattern,
                                                      const std::string& column_pattern);
Result<std::vector<backend::PrimaryKeyInfo>> list_primary_keys(const CatalogContext& c,
                                                               const std::string& schema,
                                                               const std::string& table);
Result<std::vector<backend::ForeignKeyInfo>> list_cross_reference(const CatalogContext& c,
                                                                  const std::string& parent_schema,
                                                                  const std::string& parent_table,
                                                                  const std::string& foreign_schema,
                                                                  const std::string& foreign_table);
Result<std::vector<backend::FunctionInfo>> list_functions(const CatalogContext& c,
                                                          const std::string& function_pattern);

}  // namespace kitsune::backends::mysql
