// PgSession: a HiveServer2 session on PostgreSQL, with its own connection.
//
// Hive databases are the schemas of the connected database. "default" is the session's initial
// schema: the current_schema() its connection starts with after
// kyuubi.engine.jdbc.session.initialize.sql (normally `public`, or the URL's currentSchema).
// USE sets search_path to the one schema, quoted (as pgJDBC's setSchema does; pg_catalog stays
// searched implicitly). CREATE/DROP DATABASE create and drop schemas; dropping the current one
// goes back to "default", which cannot be dropped. Names reported back (SHOW DATABASES,
// catalog calls, current_database()) are the schemas' real names.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kitsune/backend/sql_backend.h"
#include "postgresql/catalog.h"
#include "postgresql/connection.h"
#include "postgresql/connection_settings.h"

namespace kitsune::backends::postgresql {

struct SessionSettings {
  ConnectionSettings connection;
  std::string initialize_sql;  // kyuubi.engine.jdbc.session.initialize.sql
  std::size_t fetch_size = 1000;
};

class PgSession final : public backend::SqlSession {
 public:
  // Connects, runs the session's initialize SQL and uses `options.database`.
  static Result<std::unique_ptr<PgSession>> open(const SessionSettings& settings,
                                                 const backend::SessionOptions& options);

  std::string current_database() const override;
  Status use_database(const std::string& name) override;
  Result<std::vector<std::string>> databases() override;
  Status create_database(const std::string& name, bool if_not_exists) override;
  Status drop_database(const std::string& name, bool if_exists, bool cascade) override;

  Result<std::unique_ptr<backend::Cursor>> prepare(const std::string& sql) override;
  void interrupt() override;

  Result<std::vector<backend::TableInfo>> tables(const std::string& schema_pattern,
                                                 const std::string& table_pattern) override;
  Result<std::vector<backend::ColumnInfo>> columns(const std::string& schema_pattern,
                                                   const std::string& table_pattern,
                                                   const std::string& column_pattern) override;
  Result<std::vector<backend::PrimaryKeyInfo>> primary_keys(const std::string& schema,
                                                            const std::string& table) override;
  Result<std::vector<backend::ForeignKeyInfo>> cross_reference(
      const std::string& parent_schema, const std::string& parent_table,
      const std::string& foreign_schema, const std::string& foreign_table) override;
  Result<std::vector<backend::FunctionInfo>> functions(
      const std::string& function_pattern) override;

 private:
  PgSession(std::shared_ptr<Connection> conn, std::string user, std::size_t fetch_size)
      : conn_(std::move(conn)), user_(std::move(user)), fetch_size_(fetch_size) {}

  Catalog catalog() const { return Catalog(*conn_, default_schema_); }
  // `name` double-quoted for SQL text (PQescapeIdentifier).
  Result<std::string> quote_identifier(const std::string& name) const;

  // Cursors share the connection; interrupt() only cancels through it, from any thread.
  const std::shared_ptr<Connection> conn_;
  const std::string user_;
  const std::size_t fetch_size_;
  std::string default_schema_;
};

}  // namespace kitsune::backends::postgresql
