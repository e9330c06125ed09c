// The `local` backend of kitsune-engine: SQLite databases in kitsune.engine.local.data.dir.
#pragma once

#include <memory>

#include "kitsune/backend/sql_backend.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace kitsune::backends::local {

// Creates the data directory when missing (kitsune.engine.local.data.dir) and returns the backend;
// sessions wait kitsune.engine.local.busy.timeout for locks other sessions hold.
Result<std::unique_ptr<backend::SqlBackend>> make_local_backend(const config::Conf& conf);

}  // namespace kitsune::backends::local
