// ConnectionSettings: where and how the mysql backend connects, read from Kyuubi's JDBC keys
// (kyuubi.engine.jdbc.connection.url, .user, .password, .properties).
//
// The URL is Connector/J's (or MariaDB Connector/J's): jdbc:mysql://host[:port]/database?k=v&...
// (also jdbc:mariadb:, an IPv6 host in brackets; one host only). Names and values are
// URL-decoded. Properties mean what URL parameters mean; a property wins over the URL, and the
// .user/.password keys win over both. Parameters with a Connector/C equivalent:
//   user, password
//   sslMode (DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY; MariaDB's disable, trust,
//     verify-ca, verify-full), useSSL/requireSSL, verifyServerCertificate,
//     trustServerCertificate, serverSslCert/sslCa (a CA file)
//   connectTimeout (ms), socketTimeout (ms: read and write timeouts; rounded up to seconds)
//   characterEncoding (Java or MySQL charset names; default utf8mb4)
//   useCompression, useAffectedRows (false, Connector/J's default: UPDATE counts matched rows)
//   tinyInt1isBit (true, Connector/J's default: TINYINT(1) reads as BOOLEAN)
// Connector/J-only parameters that change nothing a client of this engine sees are accepted and
// ignored (kIgnoredParameters in the .cc); any other parameter is refused by name, so that a
// setting the operator relies on never silently does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace kitsune::backends::mysql {

enum class SslMode { kDisabled, kPreferred, kRequired, kVerifyCa, kVerifyIdentity };

struct ConnectionSettings {
  std::string product = "MySQL";  // "MariaDB" for jdbc:mariadb: URLs, for messages
  std::string host = "localhost";
  unsigned int port = 3306;
  std::string database;  // the URL's database: Hive's "default"; may be empty
  std::string user;
  std::string password;  // a secret: never logged, never in a message
  SslMode ssl_mode = SslMode::kPreferred;
  std::string ssl_ca;
  unsigned int connect_timeout_s = 0;  // 0: the library's default
  unsigned int socket_timeout_s = 0;   // 0: none
  std::string charset = "utf8mb4";
  bool compress = false;
  bool found_rows = true;  // CLIENT_FOUND_ROWS, unless useAffectedRows=true
  bool tiny_int1_is_bit = true;

  // "127.0.0.1:3306/db as bob", for messages and logs (no password).
  std::string describe(const std::string& database_override) const;
};

// Parses `url` with `properties` (key=value items), `user` and `password` on top.
Result<ConnectionSettings> parse_connection_settings(const std::string& url,
                                                     const std::vector<std::string>& properties,
                                                     const std::string& user,
                                                     const std::string& password);

// The settings from the engine's configuration.
Result<ConnectionSettings> connection_settings_from(const config::Conf& conf);

}  // namespace kitsune::backends::mysql
