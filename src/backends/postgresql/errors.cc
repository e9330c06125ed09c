// Maps libpq results and connection failures to Status values with SQLSTATEs.
#include "postgresql/errors.h"

#include <cctype>
#include <string_view>

namespace kitsune::backends::postgresql {
namespace {

std::string field(const PGresult* result, int code) {
  const char* v = result != nullptr ? PQresultErrorField(result, code) : nullptr;
  return v != nullptr ? std::string(v) : std::string();
}

const char* kLostConnection =
    "the connection to PostgreSQL is lost (the server ended it or went away); open a new "
    "session: ";

}  // namespace

std::string one_line(std::string message) {
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back())) != 0)
    message.pop_back();
  std::string out;
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '\n') {
      out += "; ";
      while (i + 1 < message.size() && (message[i + 1] == ' ' || message[i + 1] == '\t'))
        ++i;
    } else {
      out += message[i];
    }
  }
  return out;
}

Status result_status(const PGresult* result, const PGconn* conn) {
  std::string state = field(result, PG_DIAG_SQLSTATE);
  std::string message = field(result, PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty()) {
    const char* whole = result != nullptr ? PQresultErrorMessage(result) : "";
    message = whole != nullptr && *whole != '\0' ? whole : PQerrorMessage(conn);
    message = one_line(std::move(message));
  }
  if (message.empty()) message = "the statement failed without a message from PostgreSQL";
  const std::string detail = field(result, PG_DIAG_MESSAGE_DETAIL);
  const std::string hint = field(result, PG_DIAG_MESSAGE_HINT);
  if (!detail.empty()) message += "\nDetail: " + detail;
  if (!hint.empty()) message += "\nHint: " + hint;

  if (state == "57014") return Status(StatusCode::kCancelled, std::move(message), state);
  // 57P01..57P03: the server is shutting down or ended this backend; 08xxx: connection errors.
  const bool gone = PQstatus(conn) == CONNECTION_BAD || state.starts_with("08") ||
                    state == "57P01" || state == "57P02" || state == "57P03";
  if (gone) {
    return Status(StatusCode::kUnavailable, kLostConnection + message,
                  state.empty() ? "08006" : state);
  }
  return Status::error(std::move(message), state.empty() ? "HY000" : state);
}

Status connection_status(const PGconn* conn, const std::string& what) {
  std::string message = one_line(PQerrorMessage(conn));
  if (PQstatus(conn) == CONNECTION_BAD) {
    return Status(StatusCode::kUnavailable, kLostConnection + message, "08006");
  }
  return Status::error(what + ": " + message, "HY000");
}

}  // namespace kitsune::backends::postgresql
