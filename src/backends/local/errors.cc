// Maps SQLite result codes and messages to SQLSTATEs.
#include "local/errors.h"

#include <sqlite3.h>

#include <string_view>

namespace kitsune::backends::local {
namespace {

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// SQLSTATE for a failure, by result code where that says enough, else by SQLite's message (most
// compile errors share SQLITE_ERROR).
std::string sql_state(int extended_code, std::string_view message) {
  switch (extended_code & 0xff) {
    case SQLITE_CONSTRAINT:
      return "23000";  // integrity constraint violation
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "40001";  // serialization failure: retrying may succeed
    case SQLITE_READONLY:
      return "25006";  // read-only SQL transaction
    case SQLITE_TOOBIG:
      return "22001";  // string data, right truncation
    case SQLITE_MISMATCH:
      return "22005";  // error in assignment
    case SQLITE_AUTH:
      return "42000";  // access rule violation
    default:
      break;
  }
  if (contains(message, "no such table")) return "42S02";
  if (contains(message, "no such column")) return "42S22";
  if (contains(message, "already exists")) return "42S01";
  if (contains(message, "syntax error") || message.starts_with("near \"") ||
      contains(message, "incomplete input")) {
    return "42000";
  }
  return "HY000";
}

}  // namespace

Status sqlite_status(int extended_code, std::string message) {
  if ((extended_code & 0xff) == SQLITE_INTERRUPT) {
    return Status(StatusCode::kCancelled, std::move(message), "HY008", extended_code);
  }
  std::string state = sql_state(extended_code, message);
  return Status::error(std::move(message), std::move(state), extended_code);
}

Status last_error(sqlite3* db) {
  return sqlite_status(sqlite3_extended_errcode(db), sqlite3_errmsg(db));
}

}  // namespace kitsune::backends::local
