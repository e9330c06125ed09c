// Chooses kitsune-engine's database backend from its configuration.
#include "kitsune/backends/backends.h"

#include "kitsune/common/strings.h"
#include "local/local_backend.h"

namespace kitsune::backends {

Result<std::unique_ptr<backend::SqlBackend>> make_backend(const config::Conf& conf) {
  if (iequals(trim(conf.get(config::keys::kEngineType)), "JDBC")) {
    return Status::unsupported(
        "kyuubi.engine.type=JDBC is not available yet: the JDBC backends (postgresql, mysql) come "
        "with a later release of kitsune-engine; use kyuubi.engine.type=LOCAL for the SQLite "
        "backend");
  }
  // Every other engine type runs here as LOCAL (keys.h: kitsune-engine treats them so).
  return local::make_local_backend(conf);
}

}  // namespace kitsune::backends
