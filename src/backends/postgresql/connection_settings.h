// ConnectionSettings: the libpq keywords of kyuubi.engine.jdbc.connection.* (a pgJDBC URL, the
// user, the password and extra properties), and how messages name the server without secrets.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace kitsune::backends::postgresql {

struct ConnectionSettings {
  // libpq keyword/value pairs for PQconnectdbParams (never joined into a conninfo string); the
  // password is one of them and must not reach a log line or a message.
  std::vector<std::pair<std::string, std::string>> params;
  // "host:port[,host:port]/database as user": the server in messages, without the password.
  std::string where;
};

// Parses kyuubi.engine.jdbc.connection.url
// (jdbc:postgresql://host[:port][,host2[:port]]/database?param=value&..., URL-decoded),
// .properties (key=value, the same names as URL parameters; they win over the URL), .user and
// .password (which win over both). pgJDBC parameters with a libpq equivalent are mapped:
//   user, password, ssl (true: sslmode=verify-full unless sslmode is given; false: disable),
//   sslmode, sslrootcert, sslcert, sslkey, sslpassword, connectTimeout and loginTimeout
//   (connect_timeout), ApplicationName (application_name), currentSchema (search_path through
//   options), options, tcpKeepAlive (keepalives), targetServerType (target_session_attrs);
// libpq's own keyword names are taken as they are, except host, hostaddr, port and dbname,
// which only the URL sets. pgJDBC parameters that only tune the Java driver and change nothing
// a client sees here are ignored with a log line: prepareThreshold,
// preparedStatementCacheQueries, preparedStatementCacheSizeMiB, defaultRowFetchSize,
// binaryTransfer, reWriteBatchedInserts, loggerLevel, loggerFile, logUnclosedConnections,
// socketTimeout, sendBufferSize, receiveBufferSize, assumeMinServerVersion. Anything else is
// refused with an error naming it. application_name defaults to "kitsune-engine",
// connect_timeout to 10 s, client_encoding to UTF8. Every connection also sets DateStyle=ISO (dates
// and timestamps as Hive prints them) and bytea_output=hex; options given by the user come after
// and win.
Result<ConnectionSettings> parse_connection_settings(const config::Conf& conf);

}  // namespace kitsune::backends::postgresql
