// SQLite result codes and messages as the Status a client sees: a SQLSTATE, the extended result
// code as the error code, and SQLite's own message.
#pragma once

#include <string>

#include "kitsune/common/status.h"

struct sqlite3;

namespace kitsune::backends::local {

// The Status for a failed SQLite call: `extended_code` is SQLite's extended result code,
// `message` its message (sqlite3_errmsg). SQLITE_INTERRUPT becomes a cancelled status.
Status sqlite_status(int extended_code, std::string message);

// The Status for the last failed call on `db`.
Status last_error(sqlite3* db);

}  // namespace kitsune::backends::local
