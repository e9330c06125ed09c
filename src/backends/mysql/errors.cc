// Maps MySQL error numbers and SQLSTATEs to Status values.
#include "mysql/errors.h"

#include <mysql.h>
#include <mysqld_error.h>

#include "kitsune/common/strings.h"

namespace kitsune::backends::mysql {

std::string scrub(std::string_view message, const std::string& secret) {
  std::string out;
  out.reserve(message.size());
  for (char c : message) {
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return redact(std::move(out), secret);
}

Status mysql_status(unsigned int number, std::string_view sql_state, std::string_view message,
                    const std::string& password) {
  std::string text = scrub(message, password);
  if (number == ER_QUERY_INTERRUPTED || number == ER_CONNECTION_KILLED ||
      number == ER_STATEMENT_TIMEOUT) {
    return Status(StatusCode::kCancelled, std::move(text), "HY008", static_cast<int>(number));
  }
  // Client-side errors (2000 and up) come with the generic HY000.
  std::string state(sql_state.empty() || sql_state == "00000" ? "HY000" : sql_state);
  if (number >= 2000 && number < 3000 && state == "HY000") state = "08S01";
  if (number == 2014) state = "HY010";  // commands out of sync: a function sequence error
  return Status::error(std::move(text), std::move(state), static_cast<int>(number));
}

Status last_error(MYSQL* mysql, const std::string& password) {
  return mysql_status(mysql_errno(mysql), mysql_sqlstate(mysql), mysql_error(mysql), password);
}

Status last_stmt_error(MYSQL_STMT* stmt, const std::string& password) {
  return mysql_status(mysql_stmt_errno(stmt), mysql_stmt_sqlstate(stmt), mysql_stmt_error(stmt),
                      password);
}

}  // namespace kitsune::backends::mysql
