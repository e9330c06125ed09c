// The PostgreSQL JDBC URLs Kyuubi's keys take (kyuubi.authentication.jdbc.url,
// kyuubi.metadata.store.jdbc.url), turned into libpq connection keywords.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "kitsune/common/status.h"

namespace kitsune::auth {

// libpq connection keywords, from the URL and the user and password keys.
struct PostgresSettings {
  std::map<std::string, std::string> params;
  std::string password;  // the database password, to keep out of every message

  // For the startup log: where and as whom, never a secret.
  std::string describe() const;
};

struct PostgresUrlOptions {
  std::string url_key;   // the key the URL came from: errors name it
  std::string user;      // the user key's value; wins over the URL's when set
  std::string password;  // the password key's value (a secret); wins over the URL's when set
};

// jdbc:postgresql://host[:port][,host[:port]...]/database[?key=value&...], also pgjdbc's
// jdbc:postgresql:database and jdbc:postgresql:/. Hosts default to localhost and ports to 5432,
// as in pgjdbc; pgjdbc's common parameter names are mapped and libpq's own accepted, anything
// else refused by name. connect_timeout defaults to 5 s. Errors name options.url_key and never
// repeat the URL (it may hold a password).
Result<PostgresSettings> parse_postgresql_jdbc_url(std::string_view url,
                                                   const PostgresUrlOptions& options);

}  // namespace kitsune::auth
