// Chooses kitsune-engine's database backend from its configuration.
#include "kitsune/backends/backends.h"

#include "kitsune/common/strings.h"
#include "local/local_backend.h"
#include "mysql/mysql_backend.h"
#include "postgresql/postgresql_backend.h"

namespace kitsune::backends {
namespace {

namespace k = config::keys;

// kyuubi.engine.jdbc.type, or the scheme of the connection URL when it is unset.
std::string jdbc_type_of(const config::Conf& conf) {
  std::string type = to_lower(trim(conf.get(k::kEngineJdbcType)));
  if (!type.empty()) return type;
  const std::string url = to_lower(trim(conf.get(k::kEngineJdbcConnectionUrl)));
  for (std::string_view scheme : {"postgresql", "mysql", "mariadb"}) {
    if (url.starts_with("jdbc:" + std::string(scheme) + ":")) return std::string(scheme);
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<backend::SqlBackend>> make_backend(const config::Conf& conf) {
  if (!iequals(trim(conf.get(k::kEngineType)), "JDBC")) {
    // Every other engine type runs here as LOCAL (keys.h: kitsune-engine treats them so).
    return local::make_local_backend(conf);
  }
  const std::string type = jdbc_type_of(conf);
  if (type == "postgresql") return postgresql::make_postgresql_backend(conf);
  if (type == "mysql" || type == "mariadb") return mysql::make_mysql_backend(conf);
  if (type.empty()) {
    return Status::error(
        "kyuubi.engine.type=JDBC needs kyuubi.engine.jdbc.type (postgresql or mysql) or a "
        "kyuubi.engine.jdbc.connection.url starting with jdbc:postgresql: or jdbc:mysql:");
  }
  return Status::unsupported("kyuubi.engine.jdbc.type=" + type +
                             " is not supported by kitsune-engine (supported: postgresql, "
                             "mysql)");
}

}  // namespace kitsune::backends
