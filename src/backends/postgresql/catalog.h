// Catalog: a session's tables, columns, keys and functions, read from pg_catalog with
// parameters ($1...) on the session's connection; JDBC patterns matched with like_match.
//
// Schemas: every schema of the connected database is a Hive database under its own name. The
// system schemas (pg_catalog, information_schema, pg_toast, pg_temp_*...) are left out unless a
// pattern names one exactly. "default" names the session's initial schema (see session.h).
#pragma once

#include <string>
#include <vector>

#include "kitsune/backend/sql_backend.h"
#include "postgresql/connection.h"

namespace kitsune::backends::postgresql {

class Catalog {
 public:
  // `conn` and `default_schema` are the session's; the catalog only runs queries on them.
  Catalog(Connection& conn, const std::string& default_schema)
      : conn_(conn), default_schema_(default_schema) {}

  // Non-system schemas, sorted.
  Result<std::vector<std::string>> schemas();
  // The schema `name` stands for: "default" the initial one, else the schema of that exact
  // name, else the only one whose name equals it ignoring case; empty when there is none.
  Result<std::string> resolve_schema(const std::string& name);
  // The session's current schema (the first existing one of its search_path).
  Result<std::string> current_schema();

  Result<std::vector<backend::TableInfo>> tables(const std::string& schema_pattern,
                                                 const std::string& table_pattern);
  Result<std::vector<backend::ColumnInfo>> columns(const std::string& schema_pattern,
                                                   const std::string& table_pattern,
                                                   const std::string& column_pattern);
  Result<std::vector<backend::PrimaryKeyInfo>> primary_keys(const std::string& schema,
                                                            const std::string& table);
  Result<std::vector<backend::ForeignKeyInfo>> cross_reference(const std::string& parent_schema,
                                                               const std::string& parent_table,
                                                               const std::string& foreign_schema,
                                                               const std::string& foreign_table);
  Result<std::vector<backend::FunctionInfo>> functions(const std::string& pattern);

 private:
  struct Relation {
    std::string oid;
    backend::TableInfo info;
  };
  Result<std::vector<std::string>> matching_schemas(const std::string& pattern);
  Result<std::vector<Relation>> relations(const std::string& schema_pattern,
                                          const std::string& table_pattern);
  // An exact schema argument of primary_keys/cross_reference: empty means the current schema.
  Result<std::string> schema_argument(const std::string& name);

  Connection& conn_;
  const std::string& default_schema_;
};

}  // namespace kitsune::backends::postgresql
