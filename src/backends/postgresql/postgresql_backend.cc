// The postgresql backend's entry point; the backend itself lands in a following commit.
#include "postgresql/postgresql_backend.h"

namespace kitsune::backends::postgresql {

Result<std::unique_ptr<backend::SqlBackend>> make_postgresql_backend(const config::Conf&) {
  return Status::unsupported("kyuubi.engine.jdbc.type=postgresql is not available in this build yet");
}

}  // namespace kitsune::backends::postgresql
