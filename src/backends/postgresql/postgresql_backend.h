// The postgresql backend of kitsune-engine (kyuubi.engine.type=JDBC,
// kyuubi.engine.jdbc.type=postgresql).
#pragma once

#include <memory>

#include "kitsune/backend/sql_backend.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace kitsune::backends::postgresql {

// Connects once (kyuubi.engine.jdbc.connection.*) to check the database answers and runs
// kyuubi.engine.jdbc.initialize.sql; every session then opens its own connection.
Result<std::unique_ptr<backend::SqlBackend>> make_postgresql_backend(const config::Conf& conf);

}  // namespace kitsune::backends::postgresql
