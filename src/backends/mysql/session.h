// MysqlSession: a HiveServer2 session on the mysql backend, with a database connection of its
// own.
//
// Hive databases are MySQL databases. "default" is the database of
// kyuubi.engine.jdbc.connection.url (a MySQL database really named "default" is hidden behind
// it); current_database() reports the MySQL name. DROP DATABASE without CASCADE refuses a
// database that has tables, as Hive does; with CASCADE it drops them, as MySQL always does.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kitsune/backend/sql_backend.h"
#include "mysql/catalog.h"
#include "mysql/connection.h"
#include "mysql/link.h"

namespace kitsune::backends::mysql {

class MysqlSession final : public backend::SqlSession {
 public:
  // Connects to `database` (a Hive name: "default" or empty is the URL's database) and runs
  // `init_sql` (';'-separated statements, kyuubi.engine.jdbc.session.initialize.sql).
  static Result<std::unique_ptr<MysqlSession>> open(
      std::shared_ptr<const ConnectionSettings> settings, const std::string& database,
      const std::string& user, const std::string& init_sql, bool mariadb);
  ~MysqlSession() override;

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
  MysqlSession(std::shared_ptr<SessionLink> link, std::string database, std::string user,
               bool mariadb)
      : link_(std::move(link)),
        current_(std::move(database)),
        user_(std::move(user)),
        mariadb_(mariadb) {}

  // The MySQL database a Hive name stands for.
  std::string mysql_database(const std::string& name) const;
  // The connection, free of any open result, for a catalog call.
  CatalogContext catalog();

  std::shared_ptr<SessionLink> link_;
  std::string current_;  // MySQL name; empty when none is selected
  const std::string user_;
  const bool mariadb_;
};

}  // namespace kitsune::backends::mysql
