// libpq failures as the Status a client sees: PostgreSQL's SQLSTATE, its primary message with
// detail and hint, cancellations as cancelled and a lost connection as unavailable.
#pragma once

#include <libpq-fe.h>

#include <string>

#include "kitsune/common/status.h"

namespace kitsune::backends::postgresql {

// The Status for a failed result (PGRES_FATAL_ERROR, or any status that was not expected) on
// `conn`. `result` may be null (libpq could not make one): the connection's message is used.
// SQLSTATE 57014 (query_canceled) is a cancelled status; a connection that is gone is
// unavailable, with 08006 when the server sent no SQLSTATE.
Status result_status(const PGresult* result, const PGconn* conn);

// The Status for a failure of `conn` outside a result (sending a query, a lost connection).
Status connection_status(const PGconn* conn, const std::string& what);

// libpq's multi-line messages as one line: trailing blanks dropped, line breaks as "; ".
std::string one_line(std::string message);

}  // namespace kitsune::backends::postgresql
