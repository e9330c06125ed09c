// MySQL and MariaDB errors as the Status a client sees: the server's SQLSTATE and error number,
// and its message with the connection's password (should a message ever echo it) masked.
#pragma once

#include <string>
#include <string_view>

#include "kitsune/common/status.h"

typedef struct st_mysql MYSQL;
typedef struct st_mysql_stmt MYSQL_STMT;

namespace kitsune::backends::mysql {

// The Status for error `number` with `sql_state` and `message`. A statement stopped by
// KILL QUERY (1317) or by a connection kill (1927) becomes a cancelled status (HY008).
Status mysql_status(unsigned int number, std::string_view sql_state, std::string_view message,
                    const std::string& password);

// The Status for the last failed call on a connection or a prepared statement.
Status last_error(MYSQL* mysql, const std::string& password);
Status last_stmt_error(MYSQL_STMT* stmt, const std::string& password);

// `message` on one line, with every occurrence of `secret` replaced by ***.
std::string scrub(std::string_view message, const std::string& secret);

}  // namespace kitsune::backends::mysql
