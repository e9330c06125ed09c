// LocalSession: a HiveServer2 session on the local backend, one SQLite connection whose `main` is
// the session's current database, with other databases attached as queries name them.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kitsune/backend/sql_backend.h"
#include "local/catalog.h"
#include "local/connection.h"
#include "local/data_dir.h"

namespace kitsune::backends::local {

class LocalSession final : public backend::SqlSession {
 public:
  // Opens a connection on `database` (a name as the client sent it); "default" is created on
  // first use, any other database must exist.
  static Result<std::unique_ptr<LocalSession>> open(std::shared_ptr<const DataDir> dir,
                                                    const std::string& database, std::string user);

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
  LocalSession(std::shared_ptr<const DataDir> dir, std::shared_ptr<Connection> conn,
               std::string user)
      : dir_(std::move(dir)), user_(std::move(user)), conn_(std::move(conn)) {}

  static Result<std::shared_ptr<Connection>> connect(const DataDir& dir, const std::string& name);
  // Makes `conn` the session's connection; the old one lives on while cursors hold it.
  void switch_to(std::shared_ptr<Connection> conn);
  // The databases whose names match `pattern` (empty = all).
  Result<std::vector<std::string>> matching_databases(const std::string& pattern) const;
  // Runs `fn` on the catalog of database `name`. Nothing runs for a database with no file yet.
  Status read_catalog(const std::string& name, const std::function<Status(CatalogReader&)>& fn);

  const std::shared_ptr<const DataDir> dir_;
  const std::string user_;
  // conn_ is replaced only on the session's thread, under mu_; interrupt() reads it (and
  // retired_) under mu_ from any thread. The session's thread reads conn_ without it.
  mutable std::mutex mu_;
  std::shared_ptr<Connection> conn_;
  std::vector<std::weak_ptr<Connection>> retired_;  // earlier connections cursors may still use
};

}  // namespace kitsune::backends::local
