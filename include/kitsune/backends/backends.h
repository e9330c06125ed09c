// The database drivers kitsune-engine can run, chosen from its configuration.
#pragma once

#include <memory>

#include "kitsune/backend/sql_backend.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace kitsune::backends {

// kyuubi.engine.type=JDBC chooses a JDBC backend by kyuubi.engine.jdbc.type; anything else runs
// the local SQLite backend in kitsune.engine.local.data.dir (created if missing).
Result<std::unique_ptr<backend::SqlBackend>> make_backend(const config::Conf& conf);

}  // namespace kitsune::backends
