// The one typed table of known configuration keys: name, type, default, who may set it, doc.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kitsune::config {

enum class ValueType { kString, kBool, kInt, kLong, kDuration, kList };

// Who may set a key. kServer: only the server's own configuration (dropped with a warning when a
// client sends it). kClient: a client may set it in its session configuration. kEngineLaunch: a
// client may set it, but it only matters when its session launches a new engine.
enum class Scope { kServer, kClient, kEngineLaunch };

std::string_view to_string(ValueType type);
std::string_view to_string(Scope scope);

struct KeyDef {
  std::string_view name;
  ValueType type;
  bool has_default;
  std::string_view default_value;  // the text form, as it would appear in kyuubi-defaults.conf
  Scope scope;
  std::string_view fallback;  // key consulted when this one is unset ("" for none)
  std::string_view choices;   // comma-separated allowed values, upper-case ("" for any)
  std::string_view doc;
};

// A KeyDef with its C++ value type, so that Conf::get returns the right thing.
template <typename T>
struct Key {
  const KeyDef* def;
  std::string_view name() const { return def->name; }
};

using Duration = std::chrono::milliseconds;
using List = std::vector<std::string>;

// clang-format off
// X(identifier, C++ type, ValueType, name, has default, default, scope, fallback, choices, doc)
// Defaults are Kyuubi's; keys under "kitsune." are Kitsune's own.
#define KITSUNE_CONFIG_KEYS(X)                                                                    \
  X(kFrontendBindHost, std::string, kString, "kyuubi.frontend.bind.host", false, "", kServer, "",   \
    "",                                                                                            \
    "Host name or IP address every frontend binds to unless its own key says otherwise. Unset "    \
    "means the address the host name resolves to.")                                                \
  X(kFrontendBindPort, std::int32_t, kInt, "kyuubi.frontend.bind.port", true, "10009", kServer,    \
    "", "", "Deprecated: the Thrift binary port when kyuubi.frontend.thrift.binary.bind.port is "   \
    "unset.")                                                                                      \
  X(kFrontendThriftBinaryBindHost, std::string, kString, "kyuubi.frontend.thrift.binary.bind.host", \
    false, "", kServer, "kyuubi.frontend.bind.host", "",                                           \
    "Host name or IP address the Thrift binary frontend binds to.")                                \
  X(kFrontendThriftBinaryBindPort, std::int32_t, kInt, "kyuubi.frontend.thrift.binary.bind.port",  \
    false, "", kServer, "kyuubi.frontend.bind.port", "",                                           \
    "Port of the Thrift binary frontend; 0 lets the operating system pick one.")                   \
  X(kFrontendMaxMessageSize, std::int64_t, kLong, "kyuubi.frontend.max.message.size", true,         \
    "104857600", kServer, "", "",                                                                  \
    "Deprecated: the largest Thrift message a frontend accepts, in bytes.")                        \
  X(kFrontendThriftMaxMessageSize, std::int64_t, kLong, "kyuubi.frontend.thrift.max.message.size", \
    false, "", kServer, "kyuubi.frontend.max.message.size", "",                                    \
    "The largest Thrift message the Thrift frontends accept, in bytes; a larger one closes the "   \
    "connection before anything is allocated for it.")                                             \
  X(kFrontendThriftClientMaxMessageSize, std::int64_t, kLong,                                      \
    "kyuubi.frontend.thrift.client.max.message.size", true, "1073741824", kClient, "", "",         \
    "The largest Thrift message a Kitsune client (toward engines) accepts, in bytes.")             \
  X(kFrontendLoginTimeout, Duration, kDuration, "kyuubi.frontend.login.timeout", true, "PT20S",    \
    kServer, "", "",                                                                               \
    "Time a new connection has to finish its transport handshake and authentication. (Kyuubi "     \
    "dropped this key in 1.9; Kitsune honours it.)")                                               \
  X(kFrontendReadTimeout, Duration, kDuration, "kitsune.frontend.read.timeout", true, "PT60S",     \
    kServer, "", "",                                                                               \
    "Once the first byte of a message has arrived, time the rest of it may take; also the limit "  \
    "for writing a reply to a client that does not read.")                                         \
  X(kFrontendConnectionIdleTimeout, Duration, kDuration, "kitsune.frontend.connection.idle.timeout", \
    true, "PT6H", kServer, "", "",                                                                 \
    "Time a connection may stay silent between two calls before it is closed.")                    \
  X(kFrontendThriftMaxFrameSize, std::int64_t, kLong, "kitsune.frontend.thrift.max.frame.size",    \
    true, "16384000", kServer, "", "",                                                             \
    "The largest SASL data frame a frontend accepts, in bytes (Thrift's own default).")            \
  X(kFrontendSaslMaxNegotiationSize, std::int64_t, kLong,                                          \
    "kitsune.frontend.sasl.max.negotiation.size", true, "262144", kServer, "", "",                 \
    "The largest SASL negotiation message a frontend accepts, in bytes.")                          \
  X(kAuthentication, List, kList, "kyuubi.authentication", true, "NONE", kServer, "",              \
    "NOSASL,NONE,LDAP,JDBC,KERBEROS,CUSTOM",                                                       \
    "Client authentication: NOSASL (raw Thrift, no SASL), or SASL with NONE (PLAIN, any "          \
    "password), LDAP, JDBC, CUSTOM or KERBEROS.")                                                  \
  X(kSessionIdleTimeout, Duration, kDuration, "kyuubi.session.idle.timeout", true, "PT6H",         \
    kServer, "kyuubi.session.timeout", "",                                                         \
    "A session with no call and no running operation for this long is closed.")                    \
  X(kSessionTimeout, Duration, kDuration, "kyuubi.session.timeout", true, "PT6H", kServer, "", "",  \
    "Deprecated: use kyuubi.session.idle.timeout.")                                                \
  X(kSessionCheckInterval, Duration, kDuration, "kyuubi.session.check.interval", true, "PT5M",     \
    kServer, "", "", "How often idle sessions and operations are looked for.")                     \
  X(kSessionCloseOnDisconnect, bool, kBool, "kyuubi.session.close.on.disconnect", true, "true",    \
    kClient, "", "", "Close a session when the connection that opened it drops.")                  \
  X(kSessionEngineIdleTimeout, Duration, kDuration, "kyuubi.session.engine.idle.timeout", true,    \
    "PT30M", kEngineLaunch, "", "",                                                                \
    "An engine with no session for this long ends itself; zero or less disables it.")              \
  X(kSessionEngineCheckInterval, Duration, kDuration, "kyuubi.session.engine.check.interval",      \
    true, "PT1M", kEngineLaunch, "", "", "How often an engine checks whether it is idle.")         \
  X(kSessionUser, std::string, kString, "kyuubi.session.user", false, "", kServer, "", "",         \
    "Reserved: the user an engine was launched for.")                                              \
  X(kOperationIdleTimeout, Duration, kDuration, "kyuubi.operation.idle.timeout", true, "PT3H",     \
    kServer, "", "", "A finished operation not closed and not touched for this long is closed.")   \
  X(kOperationQueryTimeout, Duration, kDuration, "kyuubi.operation.query.timeout", false, "",      \
    kServer, "", "",                                                                               \
    "Server-side statement timeout; the effective one is the smaller of this and the client's.")   \
  X(kOperationStatusPollingTimeout, Duration, kDuration,                                           \
    "kyuubi.operation.status.polling.timeout", true, "PT5S", kServer, "", "",                      \
    "How long GetOperationStatus waits for a running operation to change state.")                  \
  X(kServerThriftResultsetDefaultFetchSize, std::int32_t, kInt,                                    \
    "kyuubi.server.thrift.resultset.default.fetch.size", true, "1000", kServer, "", "",            \
    "Returned to clients as hive.server2.thrift.resultset.default.fetch.size in OpenSession.")     \
  X(kServerRedactionRegex, std::string, kString, "kyuubi.server.redaction.regex", true,            \
    "(?i)secret|password|token|access[.]key", kServer, "", "",                                     \
    "Keys whose values are shown redacted in logs and in SET output.")                             \
  X(kBackendServerExecPoolSize, std::int32_t, kInt, "kyuubi.backend.server.exec.pool.size", true,  \
    "100", kServer, "", "", "Threads for blocking work in the server.")                            \
  X(kBackendServerExecPoolKeepalive, Duration, kDuration,                                          \
    "kyuubi.backend.server.exec.pool.keepalive.time", true, "PT1M", kServer, "", "",               \
    "Idle time after which a blocking-work thread of the server ends.")                            \
  X(kBackendEngineExecPoolSize, std::int32_t, kInt, "kyuubi.backend.engine.exec.pool.size", false, \
    "", kEngineLaunch, "kyuubi.backend.server.exec.pool.size", "",                                 \
    "Threads for blocking work (statements, fetches) in an engine.")                               \
  X(kBackendEngineExecPoolKeepalive, Duration, kDuration,                                          \
    "kyuubi.backend.engine.exec.pool.keepalive.time", false, "", kEngineLaunch,                    \
    "kyuubi.backend.server.exec.pool.keepalive.time", "",                                          \
    "Idle time after which a blocking-work thread of an engine ends.")                             \
  X(kEngineType, std::string, kString, "kyuubi.engine.type", true, "SPARK_SQL", kClient, "",       \
    "SPARK_SQL,FLINK_SQL,TRINO,HIVE_SQL,JDBC,LOCAL",                                               \
    "The engine a session runs on. kitsune-engine serves LOCAL (SQLite) and JDBC; it treats "      \
    "every other value as LOCAL.")                                                                 \
  X(kEngineId, std::string, kString, "kyuubi.engine.id", false, "", kServer, "", "",               \
    "Reserved: the engine's application id, returned in OpenSession.")                             \
  X(kEngineName, std::string, kString, "kyuubi.engine.name", false, "", kServer, "", "",           \
    "Reserved: the engine's application name, returned in OpenSession.")                           \
  X(kHaEngineRefId, std::string, kString, "kyuubi.ha.engine.ref.id", false, "", kServer, "", "",   \
    "Reserved: the id of the launch that started an engine.")                                      \
  X(kEngineLocalDataDir, std::string, kString, "kitsune.engine.local.data.dir", true,              \
    "local_data", kEngineLaunch, "", "",                                                           \
    "Directory of the local engine's SQLite databases (default.db and one file per CREATE "        \
    "DATABASE), relative to the engine's working directory unless absolute.")                      \
  X(kEngineLocalBusyTimeout, Duration, kDuration, "kitsune.engine.local.busy.timeout", true,       \
    "PT30S", kEngineLaunch, "", "",                                                                \
    "How long a local-engine statement waits for a lock held by another session.")                 \
  X(kEngineFetchMaxBytes, std::int64_t, kLong, "kitsune.engine.fetch.max.bytes", true, "8388608",  \
    kEngineLaunch, "", "",                                                                         \
    "A FetchResults batch stops growing at about this many bytes, whatever maxRows asks.")         \
  X(kEngineOperationLogMaxBytes, std::int64_t, kLong, "kitsune.engine.operation.log.max.bytes",    \
    true, "1048576", kEngineLaunch, "", "",                                                        \
    "Operation log kept per operation; older lines are dropped beyond it.")                        \
  X(kLogLevel, std::string, kString, "kitsune.log.level", true, "info", kServer, "",               \
    "TRACE,DEBUG,INFO,WARN,ERROR,OFF", "Log level of the process.")
// clang-format on

namespace keys {
#define KITSUNE_DECLARE_KEY(id, cpp_type, value_type, name, has_default, default_value, scope, \
                            fallback, choices, doc)                                            \
  extern const Key<cpp_type> id;
KITSUNE_CONFIG_KEYS(KITSUNE_DECLARE_KEY)
#undef KITSUNE_DECLARE_KEY
}  // namespace keys

// Every known key, in table order.
std::span<const KeyDef> all_keys();

// The definition of `name`, or nullptr when it is not a known key.
const KeyDef* find_key(std::string_view name);

}  // namespace kitsune::config
