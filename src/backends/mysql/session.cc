// A mysql-backend session: databases, statements prepared to learn their columns, catalog calls.
#include "mysql/session.h"

#include <mysql.h>
#include <mysqld_error.h>

#include <cctype>

#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "mysql/cursor.h"
#include "mysql/errors.h"

namespace kitsune::backends::mysql {
namespace {

// The first keyword of a statement, upper-case, after blanks, comments and opening parentheses.
std::string statement_keyword(std::string_view sql) {
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == '(') {
      ++i;
    } else if (sql.substr(i).starts_with("--") || c == '#') {
      const auto end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (sql.substr(i).starts_with("/*") && !sql.substr(i).starts_with("/*!")) {
      const auto end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else {
      break;
    }
  }
  std::size_t j = i;
  while (j < sql.size() && (std::isalpha(static_cast<unsigned char>(sql[j])) || sql[j] == '_'))
    ++j;
  return to_upper(sql.substr(i, j - i));
}

bool one_of(const std::string& word, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words) {
    if (word == w) return true;
  }
  return false;
}

// Statements that only read: running them again for FETCH_FIRST is harmless.
bool is_plain_query(const std::string& keyword) {
  return one_of(keyword, {"SELECT", "WITH", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "VALUES",
                          "TABLE", "HELP"});
}

bool is_dml(const std::string& keyword) {
  return one_of(keyword, {"INSERT", "UPDATE", "DELETE", "REPLACE"});
}

// For statements the server cannot prepare: whether they return rows, by their keyword.
bool returns_rows(const std::string& keyword) {
  return is_plain_query(keyword) ||
         one_of(keyword, {"CHECK", "ANALYZE", "OPTIMIZE", "REPAIR", "CHECKSUM"});
}

Status no_such_database(const std::string& name) {
  return Status::error("Database does not exist: " + name, "42000", ER_BAD_DB_ERROR);
}

}  // namespace

Result<std::unique_ptr<MysqlSession>> MysqlSession::open(
    std::shared_ptr<const ConnectionSettings> settings, const std::string& database,
    const std::string& user, const std::string& init_sql, bool mariadb) {
  const std::string db =
      database.empty() || iequals(database, "default") ? settings->database : database;
  Result<std::unique_ptr<Connection>> conn = Connection::open(settings, db);
  if (!conn) {
    if (conn.status().error_code() == ER_BAD_DB_ERROR) return no_such_database(database);
    return std::move(conn).status();
  }
  for (const std::string& statement : split(init_sql, ';')) {
    if (trim(statement).empty()) continue;
    Status s = (*conn)->run(statement);
    if (!s.is_ok()) {
      return Status::error(
          "kyuubi.engine.jdbc.session.initialize.sql failed on a new session: " + s.message(),
          s.sql_state(), s.error_code());
    }
  }
  auto link = std::make_shared<SessionLink>();
  link->interrupter = make_interrupter(settings, (*conn)->thread_id());
  link->types.tiny_int1_is_bit = settings->tiny_int1_is_bit;
  link->conn = std::move(*conn);
  logger("backend")->debug("mysql session of {} on connection {} (database {})", user,
                           link->conn->thread_id(), db);
  return std::unique_ptr<MysqlSession>(new MysqlSession(std::move(link), db, user, mariadb));
}

MysqlSession::~MysqlSession() {
  prepare_thread();
  link_->claim();
}

std::string MysqlSession::mysql_database(const std::string& name) const {
  const std::string& url_db = link_->conn->settings().database;
  return iequals(name, "default") && !url_db.empty() ? url_db : name;
}

std::string MysqlSession::current_database() const {
  return current_.empty() ? "default" : current_;
}

CatalogContext MysqlSession::catalog() {
  prepare_thread();
  link_->claim();
  return CatalogContext{*link_->conn, link_->types, link_->conn->settings().database, current_,
                        mariadb_};
}

Status MysqlSession::use_database(const std::string& name) {
  prepare_thread();
  link_->claim();
  const std::string db = mysql_database(name);
  Status s = link_->conn->run("USE " + quote_identifier(db));
  if (!s.is_ok()) return s.error_code() == ER_BAD_DB_ERROR ? no_such_database(name) : s;
  current_ = db;
  logger("backend")->debug("session of {} now uses database {}", user_, db);
  return Status::ok();
}

Result<std::vector<std::string>> MysqlSession::databases() {
  return list_databases(catalog());
}

Status MysqlSession::create_database(const std::string& name, bool if_not_exists) {
  prepare_thread();
  link_->claim();
  const std::string db = mysql_database(name);
  KITSUNE_RETURN_IF_ERROR(link_->conn->run(std::string("CREATE DATABASE ") +
                                           (if_not_exists ? "IF NOT EXISTS " : "") +
                                           quote_identifier(db)));
  logger("backend")->info("database {} created by {}", db, user_);
  return Status::ok();
}

Status MysqlSession::drop_database(const std::string& name, bool if_exists, bool cascade) {
  if (iequals(name, "default")) return Status::error("Can not drop default database", "42000");
  const CatalogContext c = catalog();
  if (!cascade) {
    Result<std::int64_t> tables = count_tables(c, name);
    if (!tables) return std::move(tables).status();
    if (*tables > 0) {
      return Status::error("Database " + name + " is not empty. One or more tables exist.",
                           "42000");
    }
  }
  Status s = link_->conn->run(std::string("DROP DATABASE ") + (if_exists ? "IF EXISTS " : "") +
                              quote_identifier(name));
  if (!s.is_ok()) return s.error_code() == ER_DB_DROP_EXISTS ? no_such_database(name) : s;
  logger("backend")->info("database {} dropped by {}", name, user_);
  if (current_ == name) {
    // Hive leaves a session whose database is dropped in default.
    current_.clear();
    const std::string& url_db = link_->conn->settings().database;
    if (!url_db.empty() && url_db != name && link_->conn->run("USE " + quote_identifier(url_db))) {
      current_ = url_db;
    }
  }
  return Status::ok();
}

Result<std::unique_ptr<backend::Cursor>> MysqlSession::prepare(const std::string& sql) {
  prepare_thread();
  link_->claim();
  const std::string keyword = statement_keyword(sql);
  MYSQL* m = link_->conn->handle();
  MYSQL_STMT* stmt = mysql_stmt_init(m);
  if (stmt == nullptr) return link_->conn->error();
  backend::Schema schema;
  bool has_rows = false;
  if (mysql_stmt_prepare(stmt, sql.data(), sql.size()) != 0) {
    Status error = last_stmt_error(stmt, link_->conn->settings().password);
    mysql_stmt_close(stmt);
    // What the server cannot prepare still runs as text; its columns show when it runs.
    if (error.error_code() != ER_UNSUPPORTED_PS) return error;
    has_rows = returns_rows(keyword);
  } else {
    if (MYSQL_RES* meta = mysql_stmt_result_metadata(stmt)) {
      const unsigned int n = mysql_num_fields(meta);
      const MYSQL_FIELD* fields = mysql_fetch_fields(meta);
      for (unsigned int i = 0; i < n; ++i) {
        schema.push_back(backend::ColumnDesc{std::string(fields[i].name, fields[i].name_length),
                                             map_field(fields[i], link_->types), ""});
      }
      mysql_free_result(meta);
      has_rows = true;
    }
    mysql_stmt_close(stmt);
  }
  return std::unique_ptr<backend::Cursor>(std::make_unique<MysqlCursor>(
      link_, sql, std::move(schema), has_rows, is_plain_query(keyword), is_dml(keyword)));
}

void MysqlSession::interrupt() {
  link_->interrupter->interrupt();
}

Result<std::vector<backend::TableInfo>> MysqlSession::tables(const std::string& schema_pattern,
                                                             const std::string& table_pattern) {
  return list_tables(catalog(), schema_pattern, table_pattern);
}

Result<std::vector<backend::ColumnInfo>> MysqlSession::columns(const std::string& schema_pattern,
                                                               const std::string& table_pattern,
                                                               const std::string& column_pattern) {
  return list_columns(catalog(), schema_pattern, table_pattern, column_pattern);
}

Result<std::vector<backend::PrimaryKeyInfo>> MysqlSession::primary_keys(const std::string& schema,
                                                                        const std::string& table) {
  return list_primary_keys(catalog(), schema, table);
}

Result<std::vector<backend::ForeignKeyInfo>> MysqlSession::cross_reference(
    const std::string& parent_schema, const std::string& parent_table,
    const std::string& foreign_schema, const std::string& foreign_table) {
  return list_cross_reference(catalog(), parent_schema, parent_table, foreign_schema,
                              foreign_table);
}

Result<std::vector<backend::FunctionInfo>> MysqlSession::functions(
    const std::string& function_pattern) {
  return list_functions(catalog(), function_pattern);
}

}  // namespace kitsune::backends::mysql
