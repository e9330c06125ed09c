// The mysql backend's entry point; the backend itself lands in a following commit.
#include "mysql/mysql_backend.h"

namespace kitsune::backends::mysql {

Result<std::unique_ptr<backend::SqlBackend>> make_mysql_backend(const config::Conf&) {
  return Status::unsupported("kyuubi.engine.jdbc.type=mysql is not available in this build yet");
}

}  // namespace kitsune::backends::mysql
