// A postgresql-backend session: its connection, schemas as databases, statements and catalog.
#include "postgresql/session.h"

#include <algorithm>

#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "postgresql/cursor.h"
#include "postgresql/errors.h"
#include "postgresql/sql_text.h"

namespace kitsune::backends::postgresql {
namespace {

Status no_such_database(const std::string& name) {
  return Status::error("Database does not exist: " + name, "42000");
}

}  // namespace

Result<std::unique_ptr<PgSession>> PgSession::open(const SessionSettings& settings,
                                                   const backend::SessionOptions& options) {
  Result<std::shared_ptr<Connection>> conn = Connection::open(settings.connection);
  if (!conn) return std::move(conn).status();
  std::unique_ptr<PgSession> session(
      new PgSession(std::move(*conn), options.user, std::max<std::size_t>(settings.fetch_size, 1)));
  if (!trim(settings.initialize_sql).empty()) {
    Status s = session->conn_->exec_script(settings.initialize_sql);
    if (!s.is_ok()) {
      return Status(s.code(), "kyuubi.engine.jdbc.session.initialize.sql failed: " + s.message(),
                    s.sql_state());
    }
  }
  Result<PgResult> schema = session->conn_->exec("SELECT current_schema()");
  if (!schema) return std::move(schema).status();
  session->default_schema_ = PQgetisnull(schema->get(), 0, 0) != 0
                                 ? std::string("public")
                                 : std::string(PQgetvalue(schema->get(), 0, 0));
  if (!options.database.empty() && !iequals(options.database, "default")) {
    KITSUNE_RETURN_IF_ERROR(session->use_database(options.database));
  }
  logger("backend")->debug("postgresql session of {} on {} (default schema {})", options.user,
                           session->conn_->where(), session->default_schema_);
  return Result<std::unique_ptr<PgSession>>(std::move(session));
}

std::string PgSession::current_database() const {
  Result<std::string> current = catalog().current_schema();
  return current ? *current : default_schema_;
}

Status PgSession::use_database(const std::string& name) {
  Result<std::string> schema = catalog().resolve_schema(name);
  if (!schema) return std::move(schema).status();
  if (schema->empty()) return no_such_database(name);
  Result<PgResult> set =
      conn_->exec("SELECT pg_catalog.set_config('search_path', quote_ident($1), false)", {*schema});
  if (!set) return std::move(set).status();
  logger("backend")->debug("session of {} now uses schema {}", user_, *schema);
  return Status::ok();
}

Result<std::vector<std::string>> PgSession::databases() {
  return catalog().schemas();
}

Result<std::string> PgSession::quote_identifier(const std::string& name) const {
  char* quoted = PQescapeIdentifier(conn_->handle(), name.data(), name.size());
  if (quoted == nullptr) return Status::error(one_line(PQerrorMessage(conn_->handle())), "42602");
  std::string out(quoted);
  PQfreemem(quoted);
  return out;
}

Status PgSession::create_database(const std::string& name, bool if_not_exists) {
  if (iequals(name, "default")) {
    return if_not_exists ? Status::ok() : Status::error("Database default already exists", "42000");
  }
  // Hive database names are case-insensitive and kept lower-case, as unquoted SQL names are.
  Result<std::string> quoted = quote_identifier(to_lower(name));
  if (!quoted) return std::move(quoted).status();
  Result<PgResult> r = conn_->exec(std::string("CREATE SCHEMA ") +
                                   (if_not_exists ? "IF NOT EXISTS " : "") + *quoted);
  if (!r) return std::move(r).status();
  logger("backend")->info("schema {} created by {}", to_lower(name), user_);
  return Status::ok();
}

Status PgSession::drop_database(const std::string& name, bool if_exists, bool cascade) {
  Result<std::string> schema = catalog().resolve_schema(name);
  if (!schema) return std::move(schema).status();
  if (schema->empty()) return if_exists ? Status::ok() : no_such_database(name);
  if (*schema == default_schema_) return Status::error("Can not drop default database", "42000");
  const std::string current = current_database();
  Result<std::string> quoted = quote_identifier(*schema);
  if (!quoted) return std::move(quoted).status();
  Result<PgResult> r = conn_->exec("DROP SCHEMA " + *quoted + (cascade ? " CASCADE" : " RESTRICT"));
  if (!r) return std::move(r).status();
  logger("backend")->info("schema {} dropped by {}", *schema, user_);
  // Hive leaves a session whose database is dropped in default.
  if (current == *schema) return use_database("default");
  return Status::ok();
}

Result<std::unique_ptr<backend::Cursor>> PgSession::prepare(const std::string& sql) {
  if (first_keyword(sql).empty()) {
    return Status::error("The statement is empty", "42000");
  }
  KITSUNE_RETURN_IF_ERROR(conn_->claim(nullptr));
  PGconn* pg = conn_->handle();
  // The unnamed statement: parsed and described now, so that a syntax error shows at once and
  // the engine knows the columns; execute() sends the text again (the unnamed statement does
  // not outlive the next command).
  PgResult prepared(PQprepare(pg, "", sql.c_str(), 0, nullptr));
  if (!prepared || PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
    return result_status(prepared.get(), pg);
  }
  PgResult described(PQdescribePrepared(pg, ""));
  if (!described || PQresultStatus(described.get()) != PGRES_COMMAND_OK) {
    return result_status(described.get(), pg);
  }
  if (PQnparams(described.get()) > 0) {
    return Status::error(
        "The statement has parameters ($1...), which a HiveServer2 statement cannot bind", "07002");
  }
  return std::unique_ptr<backend::Cursor>(
      std::make_unique<PgCursor>(conn_, sql, described.get(), fetch_size_));
}

void PgSession::interrupt() {
  conn_->note_interrupt();
  conn_->cancel();
}

Result<std::vector<backend::TableInfo>> PgSession::tables(const std::string& schema_pattern,
                                                          const std::string& table_pattern) {
  return catalog().tables(schema_pattern, table_pattern);
}

Result<std::vector<backend::ColumnInfo>> PgSession::columns(const std::string& schema_pattern,
                                                            const std::string& table_pattern,
                                                            const std::string& column_pattern) {
  return catalog().columns(schema_pattern, table_pattern, column_pattern);
}

Result<std::vector<backend::PrimaryKeyInfo>> PgSession::primary_keys(const std::string& schema,
                                                                     const std::string& table) {
  return catalog().primary_keys(schema, table);
}

Result<std::vector<backend::ForeignKeyInfo>> PgSession::cross_reference(
    const std::string& parent_schema, const std::string& parent_table,
    const std::string& foreign_schema, const std::string& foreign_table) {
  return catalog().cross_reference(parent_schema, parent_table, foreign_schema, foreign_table);
}

Result<std::vector<backend::FunctionInfo>> PgSession::functions(
    const std::string& function_pattern) {
  return catalog().functions(function_pattern);
}

}  // namespace kitsune::backends::postgresql
