// Opening libpq connections with keyword parameters, claiming them between streaming results,
// and cancelling what they run.
#include "postgresql/connection.h"

#include "kitsune/common/log.h"
#include "postgresql/errors.h"

namespace kitsune::backends::postgresql {
namespace {

// NOTICEs and WARNINGs go to the debug log, not to stderr as libpq would print them.
void log_notice(void*, const char* message) {
  logger("backend")->debug("postgresql: {}", one_line(message));
}

// The server's reason from libpq's connection failure message, which starts with where it tried
// ("connection to server at ..., port ... failed: FATAL:  ..."); the last attempt's reason when
// it tried several hosts.
std::string connect_reason(std::string message) {
  message = one_line(std::move(message));
  if (auto fatal = message.rfind("FATAL:  "); fatal != std::string::npos) {
    return message.substr(fatal + 8);
  }
  if (auto failed = message.rfind("failed: "); failed != std::string::npos) {
    return message.substr(failed + 8);
  }
  return message;
}

}  // namespace

Result<std::shared_ptr<Connection>> Connection::open(const ConnectionSettings& settings) {
  std::vector<const char*> keywords;
  std::vector<const char*> values;
  for (const auto& [key, value] : settings.params) {
    keywords.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/0);
  if (conn == nullptr) {
    return Status::unavailable("cannot connect to PostgreSQL at " + settings.where +
                               ": out of memory");
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string reason = connect_reason(PQerrorMessage(conn));
    PQfinish(conn);
    const bool refused = reason.find("authentication failed") != std::string::npos ||
                         reason.find("no pg_hba.conf entry") != std::string::npos;
    return Status(refused ? StatusCode::kUnauthenticated : StatusCode::kUnavailable,
                  "cannot connect to PostgreSQL at " + settings.where + ": " + reason,
                  refused ? "28P01" : "08001");
  }
  PQsetNoticeProcessor(conn, log_notice, nullptr);
  PGcancel* cancel = PQgetCancel(conn);
  return std::shared_ptr<Connection>(new Connection(conn, cancel, settings.where));
}

Connection::~Connection() {
  if (cancel_ != nullptr) PQfreeCancel(cancel_);
  PQfinish(conn_);
}

Status Connection::claim(const Stream* claimant) {
  if (stream_ != nullptr && stream_ != claimant) {
    Stream* holder = stream_;
    holder->give_up();
    stream_ = nullptr;
  }
  if (PQstatus(conn_) == CONNECTION_BAD) return connection_status(conn_, "");
  return Status::ok();
}

Result<PgResult> Connection::exec(const std::string& sql, const std::vector<std::string>& params) {
  KITSUNE_RETURN_IF_ERROR(claim(nullptr));
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& p : params)
    values.push_back(p.c_str());
  PgResult result(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0));
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) return result;
  return result_status(result.get(), conn_);
}

Status Connection::exec_script(const std::string& sql) {
  KITSUNE_RETURN_IF_ERROR(claim(nullptr));
  // PQexec returns the last result; the simple protocol stops at the first failing statement,
  // whose error is then that last result.
  PgResult result(PQexec(conn_, sql.c_str()));
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK || status == PGRES_EMPTY_QUERY) {
    return Status::ok();
  }
  if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT) {
    // Leave COPY so the connection stays usable.
    if (status == PGRES_COPY_IN) PQputCopyEnd(conn_, "COPY is not supported here");
    char* buffer = nullptr;
    while (status == PGRES_COPY_OUT && PQgetCopyData(conn_, &buffer, 0) > 0)
      PQfreemem(buffer);
    while (PGresult* r = PQgetResult(conn_))
      PQclear(r);
    return Status::error("COPY ... FROM STDIN / TO STDOUT is not supported here", "0A000");
  }
  return result_status(result.get(), conn_);
}

void Connection::cancel() {
  if (cancel_ == nullptr) return;
  char error[256] = {};
  if (PQcancel(cancel_, error, sizeof(error)) == 0) {
    logger("backend")->warn("cancelling a statement on PostgreSQL at {} failed: {}", where_,
                            one_line(error));
  }
}

}  // namespace kitsune::backends::postgresql
