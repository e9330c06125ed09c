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
#define KITSUNE_CONFIG_KEYS(X)                                                                     \
  X(kFrontendBindHost, std::string, kString, "kyuubi.frontend.bind.host", false, "", kServer, "",  \
    "",                                                                                            \
    "Host name or IP address every frontend binds to unless its own key says otherwise. Unset "    \
    "means the address the host name resolves to.")                                                \
  X(kFrontendBindPort, std::int32_t, kInt, "kyuubi.frontend.bind.port", true, "10009", kServer,    \
    "", "",                                                                                        \
    "Deprecated: the Thrift binary port when kyuubi.frontend.thrift.binary.bind.port is unset.")   \
  X(kFrontendThriftBinaryBindHost, std::string, kString,                                           \
    "kyuubi.frontend.thrift.binary.bind.host", false, "", kServer, "kyuubi.frontend.bind.host",    \
    "", "Host name or IP address the Thrift binary frontend binds to.")                            \
  X(kFrontendThriftBinaryBindPort, std::int32_t, kInt, "kyuubi.frontend.thrift.binary.bind.port",  \
    false, "", kServer, "kyuubi.frontend.bind.port", "",                                           \
    "Port of the Thrift binary frontend; 0 lets the operating system pick one.")                   \
  X(kFrontendMaxMessageSize, std::int64_t, kLong, "kyuubi.frontend.max.message.size", true,        \
    "104857600", kServer, "", "",                                                                  \
    "Deprecated: the largest Thrift message a frontend accepts, in bytes.")                        \
  X(kFrontendThriftMaxMessageSize, std::int64_t, kLong, "kyuubi.frontend.thrift.max.message.size", \
    false, "", kServer, "kyuubi.frontend.max.message.size", "",                                    \
    "The largest Thrift message the Thrift frontends accept, in bytes; a larger one closes the "   \
    "connection before anything is allocated for it.")                                             \
  X(kFrontendThriftClientMaxMessageSize, std::int64_t, kLong,                                      \
    "kyuubi.frontend.thrift.client.max.message.size", true, "1073741824", kClient, "", "",         \
    "The largest Thrift message Kitsune accepts from an engine, in bytes.")                        \
  X(kFrontendLoginTimeout, Duration, kDuration, "kyuubi.frontend.login.timeout", true, "PT20S",    \
    kServer, "", "",                                                                               \
    "Time a new connection has to finish its transport handshake and authentication. (Kyuubi "     \
    "dropped this key in 1.9; Kitsune honours it.)")                                               \
  X(kFrontendAdvertisedHost, std::string, kString, "kyuubi.frontend.advertised.host", false, "",   \
    kServer, "", "",                                                                               \
    "Host name published for this server (in discovery and to engines) instead of the bind "       \
    "host.")                                                                                       \
  X(kFrontendProtocols, List, kList, "kyuubi.frontend.protocols", true, "THRIFT_BINARY,REST",      \
    kServer, "", "THRIFT_BINARY,THRIFT_HTTP,REST,TRINO",                                           \
    "Frontends the server starts: THRIFT_BINARY, THRIFT_HTTP and REST (TRINO is reported at "      \
    "startup as not served).")                                                                     \
  X(kAuthentication, List, kList, "kyuubi.authentication", true, "NONE", kServer, "",              \
    "NOSASL,NONE,LDAP,JDBC,KERBEROS,CUSTOM",                                                       \
    "Client authentication: NOSASL (raw Thrift, no SASL), or SASL with NONE (PLAIN, any "          \
    "password), LDAP, JDBC, CUSTOM or KERBEROS.")                                                  \
  X(kHaEngineRefId, std::string, kString, "kyuubi.ha.engine.ref.id", false, "", kServer, "", "",   \
    "Reserved: the id of the launch that started an engine.")                                      \
  X(kHaAddresses, std::string, kString, "kyuubi.ha.addresses", true, "", kClient,                  \
    "kyuubi.ha.zookeeper.quorum", "",                                                              \
    "ZooKeeper connect string for discovery. Empty: Kitsune's embedded discovery (one gateway, "   \
    "engines it launches itself).")                                                                \
  X(kHaZookeeperQuorum, std::string, kString, "kyuubi.ha.zookeeper.quorum", false, "", kClient,    \
    "", "", "Deprecated: use kyuubi.ha.addresses.")                                                \
  X(kHaNamespace, std::string, kString, "kyuubi.ha.namespace", true, "kyuubi", kClient,            \
    "kyuubi.ha.zookeeper.namespace", "",                                                           \
    "Root of this server's discovery space; engine spaces are named after it.")                    \
  X(kHaZookeeperNamespace, std::string, kString, "kyuubi.ha.zookeeper.namespace", false, "",       \
    kClient, "", "", "Deprecated: use kyuubi.ha.namespace.")                                       \
  X(kHaClientClass, std::string, kString, "kyuubi.ha.client.class", true,                          \
    "org.apache.kyuubi.ha.client.zookeeper.ZookeeperDiscoveryClient", kServer, "", "",             \
    "Discovery implementation when kyuubi.ha.addresses is set. Kitsune has ZooKeeper's (any class "\
    "name ending in ZookeeperDiscoveryClient); etcd's is refused at startup.")                     \
  X(kHaZookeeperSessionTimeout, std::int32_t, kInt, "kyuubi.ha.zookeeper.session.timeout", true,   \
    "60000", kClient, "", "",                                                                      \
    "ZooKeeper session timeout in ms (the server bounds it by its own min and max). A client "     \
    "cut off from ZooKeeper for this long opens a new session and registers again.")               \
  X(kHaZookeeperConnectionTimeout, std::int32_t, kInt, "kyuubi.ha.zookeeper.connection.timeout",   \
    true, "15000", kClient, "", "",                                                                \
    "How long, in ms, a discovery call waits for a connection to ZooKeeper before it fails.")      \
  X(kHaZookeeperConnectionRetryPolicy, std::string, kString,                                       \
    "kyuubi.ha.zookeeper.connection.retry.policy", true, "EXPONENTIAL_BACKOFF", kClient, "",       \
    "ONE_TIME,N_TIME,EXPONENTIAL_BACKOFF,BOUNDED_EXPONENTIAL_BACKOFF,UNTIL_ELAPSED",               \
    "How a discovery call cut by a lost connection is retried.")                                   \
  X(kHaZookeeperConnectionBaseRetryWait, std::int32_t, kInt,                                       \
    "kyuubi.ha.zookeeper.connection.base.retry.wait", true, "1000", kClient, "", "",               \
    "Initial wait between two retries, in ms.")                                                    \
  X(kHaZookeeperConnectionMaxRetryWait, std::int32_t, kInt,                                        \
    "kyuubi.ha.zookeeper.connection.max.retry.wait", true, "30000", kClient, "", "",               \
    "Longest wait between two retries (BOUNDED_EXPONENTIAL_BACKOFF), or the time retries may take "\
    "(UNTIL_ELAPSED), in ms.")                                                                     \
  X(kHaZookeeperConnectionMaxRetries, std::int32_t, kInt,                                          \
    "kyuubi.ha.zookeeper.connection.max.retries", true, "3", kClient, "", "",                      \
    "Retries of a discovery call cut by a lost connection.")                                       \
  X(kHaZookeeperNodeCreationTimeout, Duration, kDuration,                                          \
    "kyuubi.ha.zookeeper.node.creation.timeout", true, "PT2M", kClient, "", "",                    \
    "Time a server or engine has to register its node in ZooKeeper at startup before it gives "    \
    "up.")                                                                                         \
  X(kHaZookeeperAuthType, std::string, kString, "kyuubi.ha.zookeeper.auth.type", true, "NONE",     \
    kClient, "", "NONE,KERBEROS,DIGEST",                                                           \
    "How the server authenticates to ZooKeeper. Not NONE: its nodes get world READ and creator "   \
    "ALL ACLs. KERBEROS needs a ZooKeeper C client built with SASL, which Debian's is not.")       \
  X(kHaZookeeperEngineAuthType, std::string, kString, "kyuubi.ha.zookeeper.engine.auth.type",      \
    true, "NONE", kClient, "", "NONE,KERBEROS,DIGEST",                                             \
    "How an engine authenticates to ZooKeeper (see kyuubi.ha.zookeeper.auth.type).")               \
  X(kHaZookeeperAuthDigest, std::string, kString, "kyuubi.ha.zookeeper.auth.digest", false, "",    \
    kClient, "", "",                                                                               \
    "user:password for DIGEST authentication to ZooKeeper. A secret: redacted in logs, passed to " \
    "engines privately.")                                                                          \
  X(kHaZookeeperPublishConfigs, bool, kBool, "kyuubi.ha.zookeeper.publish.configs", true, "false", \
    kClient, "", "",                                                                               \
    "Publish the server's connection settings (hive.server2.* keys) as its node's data instead of "\
    "host:port, for Hive JDBC clients that read them.")                                            \
  X(kFrontendConnectionUrlUseHostname, bool, kBool, "kyuubi.frontend.connection.url.use.hostname", \
    true, "true", kServer, "", "",                                                                 \
    "With no bind or advertised host, publish the local host's canonical name (true) or its IP "   \
    "address (false).")                                                                            \
  X(kAuthenticationSaslQop, std::string, kString, "kyuubi.authentication.sasl.qop", true, "auth",  \
    kServer, "", "AUTH,AUTH-INT,AUTH-CONF",                                                        \
    "SASL quality of protection (published with kyuubi.ha.zookeeper.publish.configs).")            \
  X(kKinitPrincipal, std::string, kString, "kyuubi.kinit.principal", false, "", kServer, "", "",   \
    "The server's Kerberos principal (published with kyuubi.ha.zookeeper.publish.configs).")       \
  X(kSessionIdleTimeout, Duration, kDuration, "kyuubi.session.idle.timeout", true, "PT6H",         \
    kServer, "kyuubi.session.timeout", "",                                                         \
    "A session with no call and no running operation for this long is closed.")                    \
  X(kSessionTimeout, Duration, kDuration, "kyuubi.session.timeout", true, "PT6H", kServer, "", "", \
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
    "Reserved: the user a session runs as; set by the server and passed to engines.")              \
  X(kSessionEngineShareLevel, std::string, kString, "kyuubi.session.engine.share.level", false,    \
    "", kClient, "", "CONNECTION,USER,GROUP,SERVER_LOCAL,SERVER",                                  \
    "Deprecated: use kyuubi.engine.share.level.")                                                  \
  X(kSessionEngineInitializeTimeout, Duration, kDuration,                                          \
    "kyuubi.session.engine.initialize.timeout", true, "PT3M", kClient, "", "",                     \
    "Time an engine launch has to register; also the limit for waiting on the launch lock.")       \
  X(kSessionEngineLaunchAsync, bool, kBool, "kyuubi.session.engine.launch.async", true, "true",    \
    kClient, "", "",                                                                               \
    "OpenSession returns before the engine is up; the first operation waits for it.")              \
  X(kSessionEngineLoginTimeout, Duration, kDuration, "kyuubi.session.engine.login.timeout", true,  \
    "PT15S", kClient, "", "", "Time to connect and log in to an engine.")                          \
  X(kSessionEngineOpenMaxAttempts, std::int32_t, kInt, "kyuubi.session.engine.open.max.attempts",  \
    true, "9", kServer, "", "",                                                                    \
    "Attempts to open a session on an engine that refuses connections.")                           \
  X(kSessionEngineOpenRetryWait, Duration, kDuration, "kyuubi.session.engine.open.retry.wait",     \
    true, "PT10S", kServer, "", "", "Wait between two attempts to open an engine session.")        \
  X(kSessionEngineOpenOnFailure, std::string, kString, "kyuubi.session.engine.open.onFailure",     \
    true, "RETRY", kServer, "", "RETRY,DEREGISTER_IMMEDIATELY,DEREGISTER_AFTER_RETRY",             \
    "What to do with an engine that refuses connections: RETRY it, or remove it from discovery "   \
    "at once or after the retries.")                                                               \
  X(kSessionEngineStartupMaxLogLines, std::int32_t, kInt,                                          \
    "kyuubi.session.engine.startup.maxLogLines", true, "10", kClient, "", "",                      \
    "Lines of an engine's log kept to explain a failed launch.")                                   \
  X(kSessionEngineStartupErrorMaxSize, std::int32_t, kInt,                                         \
    "kyuubi.session.engine.startup.error.max.size", true, "8192", kClient, "", "",                 \
    "Characters of an engine's startup error shown to the client.")                                \
  X(kSessionEngineStartupDestroyTimeout, Duration, kDuration,                                      \
    "kyuubi.session.engine.startup.destroy.timeout", true, "PT5S", kClient, "", "",                \
    "Time an engine process has to exit after SIGTERM before it is killed.")                       \
  X(kSessionEngineLogTimeout, Duration, kDuration, "kyuubi.session.engine.log.timeout", true,      \
    "PT24H", kClient, "", "",                                                                      \
    "An engine log file older than this is reused (truncated) by the next launch.")                \
  X(kSessionConfIgnoreList, List, kList, "kyuubi.session.conf.ignore.list", true, "", kServer, "", \
    "", "Session configuration keys silently dropped from clients; 'prefix.*' matches a prefix.")  \
  X(kSessionConfRestrictList, List, kList, "kyuubi.session.conf.restrict.list", true, "", kServer, \
    "", "",                                                                                        \
    "Session configuration keys that make OpenSession fail when a client sends them; 'prefix.*' "  \
    "matches a prefix.")                                                                           \
  X(kSessionProxyUser, std::string, kString, "kyuubi.session.proxy.user", false, "", kClient, "",  \
    "",                                                                                            \
    "The user a session runs as on behalf of the authenticated one (wins over "                    \
    "hive.server2.proxy.user); only for administrators and users allowed by the "                 \
    "hadoop.proxyuser.<user>.users/.groups/.hosts rules.")                                         \
  X(kSessionName, std::string, kString, "kyuubi.session.name", false, "", kClient, "", "",         \
    "A name for the session, shown in logs.")                                                      \
  X(kSessionGroupProvider, std::string, kString, "kyuubi.session.group.provider", true, "hadoop",  \
    kServer, "", "",                                                                               \
    "Where GROUP share level finds a user's primary group; Kitsune asks the operating system "     \
    "(NSS) for 'hadoop' and any other value.")                                                     \
  X(kSessionConnectionUrl, std::string, kString, "kyuubi.session.connection.url", false, "",       \
    kServer, "", "", "Reserved: the host:port of the server that opened a session.")               \
  X(kSessionRealUser, std::string, kString, "kyuubi.session.real.user", false, "", kServer, "",    \
    "", "Reserved: the authenticated user behind a session.")                                      \
  X(kClientIpAddress, std::string, kString, "kyuubi.client.ipAddress", false, "", kClient, "", "", \
    "Reserved: the client's IP address; the server sets it, a client may send its own.")           \
  X(kEngineType, std::string, kString, "kyuubi.engine.type", true, "SPARK_SQL", kClient, "",       \
    "SPARK_SQL,FLINK_SQL,TRINO,HIVE_SQL,JDBC,LOCAL",                                               \
    "The engine a session runs on. kitsune-engine serves LOCAL (SQLite) and JDBC; it treats "      \
    "every other value as LOCAL.")                                                                 \
  X(kEngineId, std::string, kString, "kyuubi.engine.id", false, "", kServer, "", "",               \
    "Reserved: the engine's application id, returned in OpenSession.")                             \
  X(kEngineName, std::string, kString, "kyuubi.engine.name", false, "", kServer, "", "",           \
    "Reserved: the engine's application name, returned in OpenSession.")                           \
  X(kEngineShareLevel, std::string, kString, "kyuubi.engine.share.level", true, "USER", kClient,   \
    "kyuubi.session.engine.share.level", "CONNECTION,USER,GROUP,SERVER_LOCAL,SERVER",              \
    "How engines are shared: one per session (CONNECTION), per user, per primary group, per "      \
    "server host (SERVER_LOCAL) or one for all (SERVER).")                                         \
  X(kEngineShareLevelSubdomain, std::string, kString, "kyuubi.engine.share.level.subdomain",       \
    false, "", kClient, "kyuubi.engine.share.level.sub.domain", "",                                \
    "Separates engines of one share level and user: sessions with different subdomains get "       \
    "different engines. Unset means 'default'.")                                                   \
  X(kEngineShareLevelSubDomainOld, std::string, kString, "kyuubi.engine.share.level.sub.domain",   \
    false, "", kClient, "", "", "Deprecated: use kyuubi.engine.share.level.subdomain.")            \
  X(kEnginePoolSize, std::int32_t, kInt, "kyuubi.engine.pool.size", true, "-1", kClient, "", "",   \
    "Above zero, sessions are spread over a pool of this many engines (capped by "                 \
    "kyuubi.engine.pool.size.threshold).")                                                         \
  X(kEnginePoolSizeThreshold, std::int32_t, kInt, "kyuubi.engine.pool.size.threshold", true, "9",  \
    kServer, "", "", "The largest engine pool a session may ask for (1 to 32).")                   \
  X(kEnginePoolName, std::string, kString, "kyuubi.engine.pool.name", true, "engine-pool",         \
    kClient, "", "", "Name of the engine pool; pool members are named <name>-<n>.")                \
  X(kEnginePoolSelectPolicy, std::string, kString, "kyuubi.engine.pool.selectPolicy", true,        \
    "RANDOM", kClient, "", "RANDOM,POLLING",                                                       \
    "How a session picks its pool member: RANDOM, or POLLING (round robin).")                      \
  X(kEnginePoolIgnoreSubdomain, bool, kBool, "kyuubi.engine.pool.ignoreSubdomain", true, "false",  \
    kClient, "", "", "Use the engine pool even when a subdomain is set.")                          \
  X(kEngineDoAsEnabled, bool, kBool, "kyuubi.engine.doAs.enabled", true, "true", kServer, "", "",  \
    "Launch engines on behalf of the routing user (kyuubi.session.user); honoured from per-user "  \
    "defaults only.")                                                                              \
  X(kEngineSubmitTime, std::string, kString, "kyuubi.engine.submit.time", false, "", kServer, "",  \
    "", "Reserved: when an engine launch started, in epoch milliseconds.")                         \
  X(kOperationIdleTimeout, Duration, kDuration, "kyuubi.operation.idle.timeout", true, "PT3H",     \
    kServer, "", "", "A finished operation not closed and not touched for this long is closed.")   \
  X(kOperationQueryTimeout, Duration, kDuration, "kyuubi.operation.query.timeout", false, "",      \
    kServer, "", "",                                                                               \
    "Server-side statement timeout; the effective one is the smaller of this and the client's "    \
    "query timeout. Unset: only the client's.")                                                    \
  X(kOperationStatusPollingTimeout, Duration, kDuration,                                           \
    "kyuubi.operation.status.polling.timeout", true, "PT5S", kServer, "", "",                      \
    "How long GetOperationStatus waits for a running operation to change state.")                  \
  X(kServerThriftResultsetDefaultFetchSize, std::int32_t, kInt,                                    \
    "kyuubi.server.thrift.resultset.default.fetch.size", true, "1000", kServer, "", "",            \
    "Returned to clients as hive.server2.thrift.resultset.default.fetch.size in OpenSession.")     \
  X(kServerRedactionRegex, std::string, kString, "kyuubi.server.redaction.regex", true,            \
    "(?i)secret|password|token|access[.]key", kServer, "", "",                                     \
    "Regular expression over keys: the values of matching keys are shown redacted in logs and "    \
    "in SET output. A leading (?i) makes it ignore case.")                                         \
  X(kServerIpAddress, std::string, kString, "kyuubi.server.ipAddress", false, "", kServer, "", "", \
    "Reserved: the server's IP address.")                                                          \
  X(kServerLimitEngineStartup, std::int32_t, kInt, "kyuubi.server.limit.engine.startup", false,    \
    "", kServer, "", "",                                                                           \
    "Engines this server launches at the same time at most; further launches wait. Unset: no "     \
    "limit.")                                                                                      \
  X(kServerName, std::string, kString, "kyuubi.server.name", false, "", kServer, "", "",           \
    "Name of this server, for logs.")                                                              \
  X(kServerInfoProvider, std::string, kString, "kyuubi.server.info.provider", true, "ENGINE",      \
    kClient, "", "SERVER,ENGINE",                                                                  \
    "Who answers GetInfo: the SERVER itself, or the session's ENGINE.")                            \
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
  X(kFrontendReadTimeout, Duration, kDuration, "kitsune.frontend.read.timeout", true, "PT60S",     \
    kServer, "", "",                                                                               \
    "Once the first byte of a message has arrived, time the rest of it may take; also the limit "  \
    "for writing a reply to a client that does not read.")                                         \
  X(kFrontendConnectionIdleTimeout, Duration, kDuration,                                           \
    "kitsune.frontend.connection.idle.timeout", true, "PT6H", kServer, "", "",                     \
    "Time a connection may stay silent between two calls before it is closed.")                    \
  X(kFrontendThriftMaxFrameSize, std::int64_t, kLong, "kitsune.frontend.thrift.max.frame.size",    \
    true, "16384000", kServer, "", "",                                                             \
    "The largest SASL data frame a frontend accepts, in bytes (Thrift's own default).")            \
  X(kFrontendSaslMaxNegotiationSize, std::int64_t, kLong,                                          \
    "kitsune.frontend.sasl.max.negotiation.size", true, "262144", kServer, "", "",                 \
    "The largest SASL negotiation message a frontend accepts, in bytes.")                          \
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
  X(kEngineLocalExecutable, std::string, kString, "kitsune.engine.local.executable", false, "",    \
    kServer, "", "",                                                                               \
    "Path of kitsune-engine for the LOCAL engine type. Unset: the kitsune-engine next to "         \
    "kitsune-server.")                                                                             \
  X(kEngineLocalBindHost, std::string, kString, "kitsune.engine.local.bind.host", true,            \
    "127.0.0.1", kServer, "", "", "Address LOCAL engines listen on.")                              \
  X(kEngineSparkMainResource, std::string, kString,                                                \
    "kyuubi.session.engine.spark.main.resource", false, "", kEngineLaunch, "", "",                 \
    "Kyuubi's Spark SQL engine jar. Unset: $KYUUBI_HOME/externals/engines/spark/kyuubi-spark-"     \
    "sql-engine_<scala>-<version>.jar.")                                                           \
  X(kEngineFlinkMainResource, std::string, kString,                                                \
    "kyuubi.session.engine.flink.main.resource", false, "", kEngineLaunch, "", "",                 \
    "Kyuubi's Flink SQL engine jar. Unset: $KYUUBI_HOME/externals/engines/flink/kyuubi-flink-"     \
    "sql-engine_<scala>-<version>.jar.")                                                           \
  X(kEngineTrinoMainResource, std::string, kString,                                                \
    "kyuubi.session.engine.trino.main.resource", false, "", kEngineLaunch, "", "",                 \
    "Kyuubi's Trino engine jar. Unset: $KYUUBI_HOME/externals/engines/trino/kyuubi-trino-"         \
    "engine_<scala>-<version>.jar.")                                                               \
  X(kEngineHiveMainResource, std::string, kString,                                                 \
    "kyuubi.session.engine.hive.main.resource", false, "", kEngineLaunch, "", "",                  \
    "Kyuubi's Hive SQL engine jar. Unset: $KYUUBI_HOME/externals/engines/hive/kyuubi-hive-"        \
    "sql-engine_<scala>-<version>.jar.")                                                           \
  X(kEngineFlinkMemory, std::string, kString,                                                      \
    "kyuubi.engine.flink.memory", true, "1g", kEngineLaunch, "", "",                               \
    "Heap (-Xmx) of a FLINK_SQL engine JVM started in local or session mode.")                     \
  X(kEngineFlinkJavaOptions, std::string, kString,                                                 \
    "kyuubi.engine.flink.java.options", false, "", kEngineLaunch, "", "",                          \
    "Extra JVM options of a FLINK_SQL engine, split at blanks.")                                   \
  X(kEngineFlinkExtraClasspath, std::string, kString,                                              \
    "kyuubi.engine.flink.extra.classpath", false, "", kEngineLaunch, "", "",                       \
    "Extra class path of a FLINK_SQL engine.")                                                     \
  X(kEngineFlinkApplicationJars, std::string, kString,                                             \
    "kyuubi.engine.flink.application.jars", false, "", kEngineLaunch, "", "",                      \
    "Comma-separated jars shipped with a FLINK_SQL engine in yarn-application mode.")              \
  X(kEngineFlinkDoAsEnabled, bool, kBool,                                                          \
    "kyuubi.engine.flink.doAs.enabled", true, "false", kEngineLaunch, "", "",                      \
    "With Kerberos, run a FLINK_SQL engine as the session user through HADOOP_PROXY_USER.")        \
  X(kEngineTrinoMemory, std::string, kString,                                                      \
    "kyuubi.engine.trino.memory", true, "1g", kEngineLaunch, "", "",                               \
    "Heap (-Xmx) of a TRINO engine JVM.")                                                          \
  X(kEngineTrinoJavaOptions, std::string, kString,                                                 \
    "kyuubi.engine.trino.java.options", false, "", kEngineLaunch, "", "",                          \
    "Extra JVM options of a TRINO engine, split at blanks.")                                       \
  X(kEngineTrinoExtraClasspath, std::string, kString,                                              \
    "kyuubi.engine.trino.extra.classpath", false, "", kEngineLaunch, "", "",                       \
    "Extra class path of a TRINO engine.")                                                         \
  X(kEngineTrinoConnectionUrl, std::string, kString,                                               \
    "kyuubi.session.engine.trino.connection.url", false, "", kEngineLaunch, "", "",                \
    "The Trino coordinator a TRINO engine connects to (required for TRINO).")                      \
  X(kEngineTrinoConnectionCatalog, std::string, kString,                                           \
    "kyuubi.session.engine.trino.connection.catalog", false, "", kEngineLaunch, "", "",            \
    "The Trino catalog a TRINO engine uses (required for TRINO).")                                 \
  X(kEngineHiveMemory, std::string, kString,                                                       \
    "kyuubi.engine.hive.memory", true, "1g", kEngineLaunch, "", "",                                \
    "Heap (-Xmx) of a HIVE_SQL engine JVM.")                                                       \
  X(kEngineHiveJavaOptions, std::string, kString,                                                  \
    "kyuubi.engine.hive.java.options", false, "", kEngineLaunch, "", "",                           \
    "Extra JVM options of a HIVE_SQL engine, split at blanks.")                                    \
  X(kEngineHiveExtraClasspath, std::string, kString,                                               \
    "kyuubi.engine.hive.extra.classpath", false, "", kEngineLaunch, "", "",                        \
    "Extra class path of a HIVE_SQL engine.")                                                      \
  X(kEngineHiveDeployMode, std::string, kString,                                                   \
    "kyuubi.engine.hive.deploy.mode", true, "LOCAL", kEngineLaunch, "", "LOCAL,YARN",              \
    "Where a HIVE_SQL engine runs: LOCAL (a JVM on this host). YARN is refused: Kitsune does "     \
    "not submit Hive engines to YARN.")                                                            \
  X(kEnginePrincipal, std::string, kString,                                                        \
    "kyuubi.engine.principal", false, "", kEngineLaunch, "", "",                                   \
    "Kerberos principal a HIVE_SQL engine logs in with (with kyuubi.engine.keytab; both or "       \
    "neither).")                                                                                   \
  X(kEngineKeytab, std::string, kString,                                                           \
    "kyuubi.engine.keytab", false, "", kEngineLaunch, "", "",                                      \
    "Keytab of kyuubi.engine.principal for a HIVE_SQL engine.")                                    \
  X(kSessionEngineStartupWaitCompletion, bool, kBool,                                              \
    "kyuubi.session.engine.startup.waitCompletion", true, "true", kEngineLaunch, "", "",           \
    "In cluster deploy mode, keep the submitting process until the application ends (Spark's "     \
    "waitAppCompletion).")                                                                         \
  X(kEngineJdbcType, std::string, kString, "kyuubi.engine.jdbc.type", false, "", kEngineLaunch,    \
    "", "",                                                                                        \
    "The database of a JDBC engine: postgresql or mysql (MariaDB too). Unset: taken from the "     \
    "connection URL (jdbc:postgresql:, jdbc:mysql:, jdbc:mariadb:).")                              \
  X(kEngineJdbcDriverClass, std::string, kString, "kyuubi.engine.jdbc.driver.class", false, "",    \
    kEngineLaunch, "", "",                                                                         \
    "Accepted for compatibility: kitsune-engine talks to the database with its native client "     \
    "library (libpq, MariaDB Connector/C), not a Java driver.")                                    \
  X(kEngineJdbcConnectionUrl, std::string, kString, "kyuubi.engine.jdbc.connection.url", false,    \
    "", kEngineLaunch, "", "",                                                                     \
    "The database a JDBC engine connects to: jdbc:postgresql://host:port/db?params or "            \
    "jdbc:mysql://host:port/db?params.")                                                           \
  X(kEngineJdbcConnectionUser, std::string, kString, "kyuubi.engine.jdbc.connection.user", false,  \
    "", kEngineLaunch, "", "", "The database user a JDBC engine connects as.")                     \
  X(kEngineJdbcConnectionPassword, std::string, kString,                                           \
    "kyuubi.engine.jdbc.connection.password", false, "", kEngineLaunch, "", "",                    \
    "The database password of a JDBC engine (a secret: passed to the engine privately, never on "  \
    "a command line or in a log).")                                                                \
  X(kEngineJdbcConnectionProperties, List, kList, "kyuubi.engine.jdbc.connection.properties",      \
    true, "", kEngineLaunch, "", "",                                                               \
    "Extra connection properties, comma-separated key=value pairs, as in the URL's query string.") \
  X(kEngineJdbcConnectionProvider, std::string, kString, "kyuubi.engine.jdbc.connection.provider", \
    false, "", kEngineLaunch, "", "",                                                              \
    "Accepted for compatibility; kitsune-engine chooses its client library by "                    \
    "kyuubi.engine.jdbc.type.")                                                                    \
  X(kEngineJdbcFetchSize, std::int32_t, kInt, "kyuubi.engine.jdbc.fetch.size", true, "1000",       \
    kEngineLaunch, "", "",                                                                         \
    "Rows a JDBC engine reads from the database at a time while it streams a result.")             \
  X(kEngineJdbcInitializeSql, std::string, kString, "kyuubi.engine.jdbc.initialize.sql", true,     \
    "SELECT 1", kEngineLaunch, "", "",                                                             \
    "SQL a JDBC engine runs once at startup, to check the database answers ('' for none).")        \
  X(kEngineJdbcSessionInitializeSql, std::string, kString,                                         \
    "kyuubi.engine.jdbc.session.initialize.sql", false, "", kEngineLaunch, "", "",                 \
    "SQL a JDBC engine runs on each new session's connection (';'-separated statements).")         \
  X(kServerShutdownTimeout, Duration, kDuration, "kitsune.server.shutdown.timeout", true, "PT30S", \
    kServer, "", "",                                                                               \
    "On SIGTERM, how long running operations may take to finish before they are cancelled.")       \
  X(kAuthenticationLdapUrl, std::string, kString, "kyuubi.authentication.ldap.url", false, "",     \
    kServer, "", "",                                                                               \
    "Space-separated LDAP server URLs (ldap:// or ldaps://), tried in turn until one answers.")    \
  X(kAuthenticationLdapBaseDn, std::string, kString, "kyuubi.authentication.ldap.baseDN", false,   \
    "", kServer, "kyuubi.authentication.ldap.base.dn", "",                                         \
    "Base DN of users (and of the search for them); the default user DN is "                       \
    "<guidKey>=<user>,<baseDN>.")                                                                  \
  X(kAuthenticationLdapBaseDnAlt, std::string, kString, "kyuubi.authentication.ldap.base.dn",      \
    false, "", kServer, "", "",                                                                    \
    "Another name of kyuubi.authentication.ldap.baseDN.")                                          \
  X(kAuthenticationLdapDomain, std::string, kString, "kyuubi.authentication.ldap.domain", false,   \
    "", kServer, "", "",                                                                           \
    "Appended as @domain to a user name that has no @ and is not a DN, to form the bind name.")    \
  X(kAuthenticationLdapUserDnPattern, std::string, kString,                                        \
    "kyuubi.authentication.ldap.userDNPattern", false, "", kServer, "", "",                        \
    "Colon-separated user DN patterns with %s for the user name, tried in turn.")                  \
  X(kAuthenticationLdapGroupDnPattern, std::string, kString,                                       \
    "kyuubi.authentication.ldap.groupDNPattern", false, "", kServer, "", "",                       \
    "Colon-separated group DN patterns with %s for the group name.")                               \
  X(kAuthenticationLdapGuidKey, std::string, kString, "kyuubi.authentication.ldap.guidKey", true,  \
    "uid", kServer, "", "",                                                                        \
    "Attribute that holds the user name in user entries.")                                         \
  X(kAuthenticationLdapUserFilter, List, kList, "kyuubi.authentication.ldap.userFilter", true, "", \
    kServer, "", "",                                                                               \
    "Comma-separated user names allowed to log in; empty: any.")                                   \
  X(kAuthenticationLdapGroupFilter, List, kList, "kyuubi.authentication.ldap.groupFilter", true,   \
    "", kServer, "", "",                                                                           \
    "Comma-separated group names; a user must belong to one of them. Empty: no group check.")      \
  X(kAuthenticationLdapGroupMembershipKey, std::string, kString,                                   \
    "kyuubi.authentication.ldap.groupMembershipKey", true, "member", kServer, "", "",              \
    "Attribute of a group entry that lists its members' DNs.")                                     \
  X(kAuthenticationLdapUserMembershipKey, std::string, kString,                                    \
    "kyuubi.authentication.ldap.userMembershipKey", false, "", kServer, "", "",                    \
    "Attribute of a user entry that lists the DNs of its groups (memberOf); when set, groups "     \
    "are found through it.")                                                                       \
  X(kAuthenticationLdapGroupClassKey, std::string, kString,                                        \
    "kyuubi.authentication.ldap.groupClassKey", true, "groupOfNames", kServer, "", "",             \
    "Object class of group entries.")                                                              \
  X(kAuthenticationLdapCustomQuery, std::string, kString,                                          \
    "kyuubi.authentication.ldap.customLDAPQuery", false, "", kServer, "", "",                      \
    "A full LDAP search filter under the base DN; the user's entry must be among its results "     \
    "(groups in the results count by their members).")                                             \
  X(kAuthenticationLdapBindDn, std::string, kString, "kyuubi.authentication.ldap.binddn", false,   \
    "", kServer, "", "",                                                                           \
    "Service account DN: with bindpw, Kitsune binds as it, searches the user's DN, then binds "    \
    "as the user.")                                                                                \
  X(kAuthenticationLdapBindPw, std::string, kString, "kyuubi.authentication.ldap.bindpw", false,   \
    "", kServer, "", "",                                                                           \
    "Password of the service account (a secret: never logged).")                                   \
  X(kAuthenticationLdapStartTls, bool, kBool, "kitsune.authentication.ldap.starttls", true,        \
    "false", kServer, "", "",                                                                      \
    "Upgrade ldap:// connections with StartTLS before any bind.")                                  \
  X(kAuthenticationLdapCaFile, std::string, kString, "kitsune.authentication.ldap.tls.ca.file",    \
    false, "", kServer, "", "",                                                                    \
    "PEM file of the CA certificates that LDAP servers (ldaps:// or StartTLS) are checked "        \
    "against. Unset: the system's.")                                                               \
  X(kAuthenticationLdapTlsVerify, bool, kBool, "kitsune.authentication.ldap.tls.verify", true,     \
    "true", kServer, "", "",                                                                       \
    "Check the LDAP server's certificate and host name (ldaps:// and StartTLS).")                  \
  X(kAuthenticationLdapTimeout, Duration, kDuration, "kitsune.authentication.ldap.timeout", true,  \
    "PT10S", kServer, "", "",                                                                      \
    "Time one LDAP server has to connect and answer each request; then the next URL is tried.")    \
  X(kAuthenticationLdapCacheTtl, Duration, kDuration, "kitsune.authentication.ldap.cache.ttl",     \
    true, "PT0S", kServer, "", "",                                                                 \
    "How long a successful LDAP login is remembered (keyed by user and a salted hash of the "      \
    "password). 0: no cache.")                                                                     \
  X(kAuthenticationLdapCacheMaxEntries, std::int32_t, kInt,                                        \
    "kitsune.authentication.ldap.cache.max.entries", true, "1000", kServer, "", "",                \
    "Most logins the LDAP cache holds.")                                                           \
  X(kAuthenticationLdapPoolSize, std::int32_t, kInt, "kitsune.authentication.ldap.pool.size", true,\
    "8", kServer, "", "",                                                                          \
    "Threads that run LDAP requests, off the event loop; more logins wait.")                       \
  X(kAuthenticationJdbcDriverClass, std::string, kString,                                          \
    "kyuubi.authentication.jdbc.driver.class", false, "", kServer, "", "",                         \
    "Accepted for compatibility; Kitsune picks its driver from the URL (jdbc:postgresql: or "      \
    "jdbc:sqlite:).")                                                                              \
  X(kAuthenticationJdbcUrl, std::string, kString, "kyuubi.authentication.jdbc.url", false, "",     \
    kServer, "", "",                                                                               \
    "Database of the JDBC password provider: jdbc:postgresql://host:port/db?params or "            \
    "jdbc:sqlite:/path/file.db.")                                                                  \
  X(kAuthenticationJdbcUser, std::string, kString, "kyuubi.authentication.jdbc.user", false, "",   \
    kServer, "", "",                                                                               \
    "User the JDBC password provider connects as.")                                                \
  X(kAuthenticationJdbcPassword, std::string, kString, "kyuubi.authentication.jdbc.password",      \
    false, "", kServer, "", "",                                                                    \
    "Password the JDBC password provider connects with (a secret: never logged).")                 \
  X(kAuthenticationJdbcQuery, std::string, kString, "kyuubi.authentication.jdbc.query", false, "", \
    kServer, "", "",                                                                               \
    "A SELECT with ${user} and ${password} placeholders, bound as parameters; a login succeeds "   \
    "when it returns a row.")                                                                      \
  X(kAuthenticationJdbcPoolSize, std::int32_t, kInt, "kitsune.authentication.jdbc.pool.size", true,\
    "4", kServer, "", "",                                                                          \
    "Threads (each with its own database connection) that run the JDBC provider's query.")         \
  X(kAuthenticationCustomClass, std::string, kString, "kyuubi.authentication.custom.class", false, \
    "", kServer, "", "",                                                                           \
    "Kyuubi's Java provider class; Kitsune passes it to the CUSTOM library, which may use it to "  \
    "choose a provider.")                                                                          \
  X(kAuthenticationCustomLibrary, std::string, kString, "kitsune.authentication.custom.library",   \
    false, "", kServer, "", "",                                                                    \
    "Path of the shared object that implements the CUSTOM password provider "                      \
    "(include/kitsune/auth/custom_provider.h).")                                                   \
  X(kAuthenticationCustomPoolSize, std::int32_t, kInt, "kitsune.authentication.custom.pool.size",  \
    true, "4", kServer, "", "",                                                                    \
    "Threads that call the CUSTOM provider, off the event loop.")                                  \
  X(kAuthenticationAuditLog, std::string, kString, "kitsune.authentication.audit.log", false, "",  \
    kServer, "", "",                                                                               \
    "File that gets one line per login attempt (time, client, user, mechanism, result, reason). "  \
    "Unset: those lines go to the server log under [audit].")                                      \
  X(kKinitKeytab, std::string, kString, "kyuubi.kinit.keytab", false, "", kServer, "", "",         \
    "Keytab of kyuubi.kinit.principal, for KERBEROS authentication of clients.")                   \
  X(kAuthToLocal, List, kList, "hadoop.security.auth_to_local", true, "DEFAULT", kServer, "", "",  \
    "Hadoop-style rules (RULE:[n:fmt](regex)s/a/b/g, DEFAULT) that turn a Kerberos principal "     \
    "into a short user name, one rule per entry, separated by commas or new lines.")               \
  X(kFrontendThriftBinarySslEnabled, bool, kBool, "kyuubi.frontend.thrift.binary.ssl.enabled",     \
    true, "false", kServer, "", "",                                                                \
    "TLS on the Thrift binary port (certificate from kitsune.frontend.ssl.* or a PKCS12 "          \
    "kyuubi.frontend.ssl.keystore.*).")                                                            \
  X(kFrontendSslKeystorePath, std::string, kString, "kyuubi.frontend.ssl.keystore.path", false, "",\
    kServer, "", "",                                                                               \
    "Keystore of the TLS certificate and key. Kitsune reads PKCS12 keystores; JKS ones are "       \
    "refused at startup (convert with keytool -importkeystore).")                                  \
  X(kFrontendSslKeystorePassword, std::string, kString, "kyuubi.frontend.ssl.keystore.password",   \
    false, "", kServer, "", "",                                                                    \
    "Password of the keystore (a secret: never logged).")                                          \
  X(kFrontendSslKeystoreType, std::string, kString, "kyuubi.frontend.ssl.keystore.type", false, "",\
    kServer, "", "",                                                                               \
    "Keystore type: PKCS12 (JKS is refused).")                                                     \
  X(kFrontendSslKeystoreAlgorithm, std::string, kString, "kyuubi.frontend.ssl.keystore.algorithm", \
    false, "", kServer, "", "",                                                                    \
    "Accepted for compatibility (a Java key manager algorithm); not used.")                        \
  X(kFrontendThriftBinarySslDisallowedProtocols, List, kList,                                      \
    "kyuubi.frontend.thrift.binary.ssl.disallowed.protocols", true, "SSLv2,SSLv3", kServer, "", "",\
    "TLS protocol versions refused on the binary port (SSLv2, SSLv3, TLSv1, TLSv1.1, TLSv1.2, "    \
    "TLSv1.3).")                                                                                   \
  X(kFrontendThriftBinarySslIncludeCiphersuites, List, kList,                                      \
    "kyuubi.frontend.thrift.binary.ssl.include.ciphersuites", true, "", kServer, "", "",           \
    "Cipher suites allowed on the binary port (OpenSSL or IANA names); empty: OpenSSL's "          \
    "defaults.")                                                                                   \
  X(kFrontendSslCertificatePath, std::string, kString, "kitsune.frontend.ssl.certificate.path",    \
    false, "", kServer, "", "",                                                                    \
    "PEM file with the server certificate (and its chain) for TLS; used instead of a keystore.")   \
  X(kFrontendSslPrivateKeyPath, std::string, kString, "kitsune.frontend.ssl.private.key.path",     \
    false, "", kServer, "", "",                                                                    \
    "PEM file with the private key of kitsune.frontend.ssl.certificate.path.")                     \
  X(kFrontendSslPrivateKeyPassword, std::string, kString,                                          \
    "kitsune.frontend.ssl.private.key.password", false, "", kServer, "", "",                       \
    "Password of an encrypted private key (a secret: never logged).")                              \
  X(kFrontendSslClientCaPath, std::string, kString, "kitsune.frontend.ssl.client.ca.path", false,  \
    "", kServer, "", "",                                                                           \
    "PEM file of CAs: when set, clients must present a certificate signed by one of them.")        \
  X(kFrontendSslMinVersion, std::string, kString, "kitsune.frontend.ssl.min.version", true,        \
    "TLSv1.2", kServer, "", "TLSV1,TLSV1.1,TLSV1.2,TLSV1.3",                                       \
    "Oldest TLS version accepted (disallowed.protocols can refuse more).")                         \
  X(kFrontendSslCiphers, std::string, kString, "kitsune.frontend.ssl.ciphers", false, "", kServer, \
    "", "",                                                                                        \
    "OpenSSL cipher list for TLS 1.2 and older (TLS 1.3 suites come from include.ciphersuites).")  \
  X(kServerAdministrators, List, kList, "kyuubi.server.administrators", true, "", kServer, "", "", \
    "Users who may act as any other user (proxy user) and use the admin API; the user running "    \
    "the server always may.")                                                                      \
  X(kServerLimitConnectionsPerUser, std::int32_t, kInt, "kyuubi.server.limit.connections.per.user",\
    false, "", kServer, "", "",                                                                    \
    "Most open sessions one user may have; further ones are refused.")                             \
  X(kServerLimitConnectionsPerIpaddress, std::int32_t, kInt,                                       \
    "kyuubi.server.limit.connections.per.ipaddress", false, "", kServer, "", "",                   \
    "Most open sessions from one client IP address.")                                              \
  X(kServerLimitConnectionsPerUserIpaddress, std::int32_t, kInt,                                   \
    "kyuubi.server.limit.connections.per.user.ipaddress", false, "", kServer, "", "",              \
    "Most open sessions of one user from one client IP address.")                                  \
  X(kServerLimitConnectionsUserUnlimitedList, List, kList,                                         \
    "kyuubi.server.limit.connections.user.unlimited.list", true, "", kServer, "", "",              \
    "Users the numeric session limits do not apply to.")                                           \
  X(kServerLimitConnectionsUserDenyList, List, kList,                                              \
    "kyuubi.server.limit.connections.user.deny.list", true, "", kServer, "", "",                   \
    "Users always refused (wins over the unlimited list).")                                        \
  X(kServerLimitConnectionsIpDenyList, List, kList, "kyuubi.server.limit.connections.ip.deny.list", \
    true, "", kServer, "", "",                                                                     \
    "Client IP addresses always refused.")                                                         \
  X(kFrontendThriftHttpBindHost, std::string, kString, "kyuubi.frontend.thrift.http.bind.host",    \
    false, "", kServer, "kyuubi.frontend.bind.host", "",                                           \
    "Host name or IP address the Thrift HTTP frontend binds to.")                                  \
  X(kFrontendThriftHttpBindPort, std::int32_t, kInt, "kyuubi.frontend.thrift.http.bind.port", true,\
    "10010", kServer, "", "",                                                                      \
    "Port of the Thrift HTTP frontend (THRIFT_HTTP in kyuubi.frontend.protocols); 0 lets the "     \
    "operating system pick one.")                                                                  \
  X(kFrontendThriftHttpPath, std::string, kString, "kyuubi.frontend.thrift.http.path", true,       \
    "cliservice", kServer, "", "",                                                                 \
    "Path of the Thrift HTTP endpoint. Requests to /<path>, /<path>/ and below it, and to / are "  \
    "served.")                                                                                     \
  X(kFrontendThriftHttpMaxIdleTime, Duration, kDuration,                                           \
    "kyuubi.frontend.thrift.http.max.idle.time", true, "PT30M", kServer, "", "",                   \
    "An HTTP connection with no request in progress for this long is closed (its sessions stay "   \
    "open).")                                                                                      \
  X(kFrontendThriftHttpRequestHeaderSize, std::int32_t, kInt,                                      \
    "kyuubi.frontend.thrift.http.request.header.size", true, "6144", kServer, "", "",              \
    "Largest request head (request line and headers) in bytes; a larger one gets 431.")            \
  X(kFrontendThriftHttpResponseHeaderSize, std::int32_t, kInt,                                     \
    "kyuubi.frontend.thrift.http.response.header.size", true, "6144", kServer, "", "",             \
    "Accepted for compatibility; Kitsune's response heads are small.")                             \
  X(kFrontendThriftHttpCompressionEnabled, bool, kBool,                                            \
    "kyuubi.frontend.thrift.http.compression.enabled", true, "true", kServer, "", "",              \
    "Accepted for compatibility; Kitsune answers uncompressed (every client accepts identity).")   \
  X(kFrontendThriftHttpCookieAuthEnabled, bool, kBool,                                             \
    "kyuubi.frontend.thrift.http.cookie.auth.enabled", true, "true", kServer, "", "",              \
    "After a login, set the signed cookie hive.server2.auth; a request with a valid one is not "   \
    "authenticated again.")                                                                        \
  X(kFrontendThriftHttpCookieMaxAge, std::int32_t, kInt,                                           \
    "kyuubi.frontend.thrift.http.cookie.max.age", true, "86400", kServer, "", "",                  \
    "Seconds an authentication cookie is valid (the server checks the expiry it signed).")         \
  X(kFrontendThriftHttpCookieDomain, std::string, kString,                                         \
    "kyuubi.frontend.thrift.http.cookie.domain", false, "", kServer, "", "",                       \
    "Domain attribute of the authentication cookie.")                                              \
  X(kFrontendThriftHttpCookiePath, std::string, kString, "kyuubi.frontend.thrift.http.cookie.path",\
    false, "", kServer, "", "",                                                                    \
    "Path attribute of the authentication cookie.")                                                \
  X(kFrontendThriftHttpCookieIsHttponly, bool, kBool,                                              \
    "kyuubi.frontend.thrift.http.cookie.is.httponly", true, "true", kServer, "", "",               \
    "HttpOnly attribute of the authentication cookie.")                                            \
  X(kFrontendThriftHttpXsrfFilterEnabled, bool, kBool,                                             \
    "kyuubi.frontend.thrift.http.xsrf.filter.enabled", true, "false", kServer, "", "",             \
    "Refuse POST requests without an X-XSRF-HEADER header (400).")                                 \
  X(kFrontendThriftHttpUseSsl, bool, kBool, "kyuubi.frontend.thrift.http.use.SSL", true, "false",  \
    kServer, "", "",                                                                               \
    "TLS on the Thrift HTTP port (certificate from kitsune.frontend.ssl.* or the HTTP keystore "   \
    "keys).")                                                                                      \
  X(kFrontendThriftHttpSslKeystorePath, std::string, kString,                                      \
    "kyuubi.frontend.thrift.http.ssl.keystore.path", false, "", kServer,                           \
    "kyuubi.frontend.ssl.keystore.path", "",                                                       \
    "PKCS12 keystore of the HTTP port's certificate and key.")                                     \
  X(kFrontendThriftHttpSslKeystorePassword, std::string, kString,                                  \
    "kyuubi.frontend.thrift.http.ssl.keystore.password", false, "", kServer,                       \
    "kyuubi.frontend.ssl.keystore.password", "",                                                   \
    "Password of the HTTP keystore (a secret: never logged).")                                     \
  X(kFrontendThriftHttpSslProtocolBlacklist, List, kList,                                          \
    "kyuubi.frontend.thrift.http.ssl.protocol.blacklist", true, "SSLv2, SSLv3", kServer, "", "",   \
    "TLS protocol versions refused on the HTTP port.")                                             \
  X(kFrontendThriftHttpSslExcludeCiphersuites, List, kList,                                        \
    "kyuubi.frontend.thrift.http.ssl.exclude.ciphersuites", true, "", kServer, "", "",             \
    "Cipher suites refused on the HTTP port (OpenSSL names).")                                     \
  X(kFrontendProxyHttpClientIpHeader, std::string, kString,                                        \
    "kyuubi.frontend.proxy.http.client.ip.header", true, "X-Real-IP", kServer, "", "",             \
    "Header a proxy in front of the HTTP frontends puts the client's address in; recorded as the"  \
    " proxied client IP.")                                                                         \
  X(kFrontendRestBindHost, std::string, kString, "kyuubi.frontend.rest.bind.host", false, "",      \
    kServer, "kyuubi.frontend.bind.host", "",                                                      \
    "Host name or IP address the REST frontend binds to.")                                         \
  X(kFrontendRestBindPort, std::int32_t, kInt, "kyuubi.frontend.rest.bind.port", true, "10099",    \
    kServer, "", "",                                                                               \
    "Port of the REST API (REST in kyuubi.frontend.protocols); 0 lets the operating system pick "  \
    "one.")                                                                                        \
  X(kFrontendRestLegacySessionsReturnAllUsers, bool, kBool,                                        \
    "kyuubi.frontend.rest.legacy.v1.sessionsReturnAllUsers", true, "false", kServer, "", "",       \
    "GET /api/v1/sessions lists every user's sessions instead of the caller's own.")               \
  X(kFrontendRestMaxBodySize, std::int64_t, kLong, "kitsune.frontend.rest.max.body.size", true,    \
    "268435456", kServer, "", "",                                                                  \
    "Largest REST request body in bytes (uploads included); a larger one gets 413 before it is "   \
    "read.")                                                                                       \
  X(kSpnegoPrincipal, std::string, kString, "kyuubi.spnego.principal", false, "", kServer, "", "", \
    "Principal for SPNEGO (HTTP Negotiate) logins on the HTTP frontends, usually "                 \
    "HTTP/_HOST@REALM.")                                                                           \
  X(kSpnegoKeytab, std::string, kString, "kyuubi.spnego.keytab", false, "", kServer, "", "",       \
    "Keytab of kyuubi.spnego.principal.")                                                          \
  X(kAuthenticationCustomBearerLibrary, std::string, kString,                                      \
    "kitsune.authentication.custom.bearer.library", false, "", kServer, "", "",                    \
    "Shared object with a kitsune_token_provider for HTTP Bearer tokens "                          \
    "(include/kitsune/auth/token_provider.h); unset: Bearer is not accepted.")                     \
  X(kMetadataStoreJdbcDatabaseType, std::string, kString,                                          \
    "kyuubi.metadata.store.jdbc.database.type", true, "SQLITE", kServer, "", "SQLITE, POSTGRESQL,  \
    MYSQL, CUSTOM",                                                                                \
    "Database of the metadata store (batches): SQLITE, or POSTGRESQL for several gateways "        \
    "sharing batches.")                                                                            \
  X(kMetadataStoreJdbcUrl, std::string, kString, "kyuubi.metadata.store.jdbc.url", true,           \
    "jdbc:sqlite:{{KYUUBI_HOME}}/kyuubi_state_store.db", kServer, "", "",                          \
    "JDBC URL of the metadata store: jdbc:sqlite:<file> or jdbc:postgresql://host:port/db.")       \
  X(kMetadataStoreJdbcDriver, std::string, kString, "kyuubi.metadata.store.jdbc.driver", false, "",\
    kServer, "", "",                                                                               \
    "Accepted for compatibility (a JDBC driver class); the URL decides.")                          \
  X(kMetadataStoreJdbcUser, std::string, kString, "kyuubi.metadata.store.jdbc.user", true, "",     \
    kServer, "", "",                                                                               \
    "User of the metadata store database.")                                                        \
  X(kMetadataStoreJdbcPassword, std::string, kString, "kyuubi.metadata.store.jdbc.password", true, \
    "", kServer, "", "",                                                                           \
    "Password of the metadata store user (a secret: never logged).")                               \
  X(kMetadataStoreJdbcDatabaseSchemaInit, bool, kBool,                                             \
    "kyuubi.metadata.store.jdbc.database.schema.init", true, "true", kServer, "", "",              \
    "Create the metadata tables when they are missing.")                                           \
  X(kMetadataCleanerEnabled, bool, kBool, "kyuubi.metadata.cleaner.enabled", true, "true", kServer,\
    "", "",                                                                                        \
    "Delete finished batches older than kyuubi.metadata.max.age.")                                 \
  X(kMetadataCleanerInterval, Duration, kDuration, "kyuubi.metadata.cleaner.interval", true,       \
    "PT30M", kServer, "", "",                                                                      \
    "How often the cleaner runs.")                                                                 \
  X(kMetadataMaxAge, Duration, kDuration, "kyuubi.metadata.max.age", true, "PT72H", kServer, "",   \
    "",                                                                                            \
    "Age after which a finished batch is deleted from the metadata store.")                        \
  X(kMetadataRecoveryThreads, std::int32_t, kInt, "kyuubi.metadata.recovery.threads", true, "10",  \
    kServer, "", "",                                                                               \
    "Accepted for compatibility; recovery after a restart runs on the event loop.")                \
  X(kMetadataSearchWindow, Duration, kDuration, "kyuubi.metadata.search.window", false, "",        \
    kServer, "", "",                                                                               \
    "When set, GET /batches only lists batches created within this window.")                       \
  X(kBatchApplicationCheckInterval, Duration, kDuration, "kyuubi.batch.application.check.interval",\
    true, "PT5S", kServer, "", "",                                                                 \
    "How often a running batch's application is checked.")                                         \
  X(kBatchConfIgnoreList, List, kList, "kyuubi.batch.conf.ignore.list", true, "", kServer, "", "", \
    "Batch request conf keys dropped silently.")                                                   \
  X(kBatchResourceFileMaxSize, std::int64_t, kLong, "kyuubi.batch.resource.file.max.size", true,   \
    "0", kServer, "", "",                                                                          \
    "Largest uploaded batch resource in bytes; 0: kitsune.frontend.rest.max.body.size bounds it.") \
  X(kBatchExtraResourceFileMaxSize, std::int64_t, kLong,                                           \
    "kyuubi.batch.extra.resource.file.max.size", true, "0", kServer, "", "",                       \
    "Largest uploaded extra batch resource in bytes; 0: kitsune.frontend.rest.max.body.size "      \
    "bounds it.")                                                                                  \
  X(kBatchResourceUploadEnabled, bool, kBool, "kyuubi.batch.resource.upload.enabled", true, "true",\
    kServer, "", "",                                                                               \
    "Accept multipart batch submissions with uploaded resources.")                                 \
  X(kCtlRestConnectTimeout, Duration, kDuration, "kyuubi.ctl.rest.connect.timeout", true, "PT30S", \
    kServer, "", "",                                                                               \
    "kitsune-ctl: time to connect to the REST API.")                                               \
  X(kCtlRestSocketTimeout, Duration, kDuration, "kyuubi.ctl.rest.socket.timeout", true, "PT2M",    \
    kServer, "", "",                                                                               \
    "kitsune-ctl: time to wait for a REST response.")                                              \
  X(kCtlRestRequestMaxAttempts, std::int32_t, kInt, "kyuubi.ctl.rest.request.max.attempts", true,  \
    "3", kServer, "", "",                                                                          \
    "kitsune-ctl: attempts of a REST request that could not connect.")                             \
  X(kCtlRestRequestAttemptWait, Duration, kDuration, "kyuubi.ctl.rest.request.attempt.wait", true, \
    "PT3S", kServer, "", "",                                                                       \
    "kitsune-ctl: wait between REST attempts.")                                                    \
  X(kCtlBatchLogQueryInterval, Duration, kDuration, "kyuubi.ctl.batch.log.query.interval", true,   \
    "PT3S", kServer, "", "",                                                                       \
    "kitsune-ctl: how often log --forward and submit read a batch's log.")                         \
  X(kCtlBatchLogOnFailureTimeout, Duration, kDuration, "kyuubi.ctl.batch.log.on.failure.timeout",  \
    true, "PT10S", kServer, "", "",                                                                \
    "kitsune-ctl: how long submit keeps reading the log of a batch that failed.")                  \
  X(kLogLevel, std::string, kString, "kitsune.log.level", true, "info", kServer, "",               \
    "TRACE,DEBUG,INFO,WARN,ERROR,OFF", "Log level of the process (spdlog level names).")
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
