// The share-level resolver: which engine a session belongs to, as a pure function of who the
// session is and its configuration, and the discovery paths and engine name that follow from it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace kitsune::routing {

enum class ShareLevel { kConnection, kUser, kGroup, kServerLocal, kServer };

// "CONNECTION", "USER", "GROUP", "SERVER_LOCAL", "SERVER".
std::string_view to_string(ShareLevel level);
// Case-insensitive; an unknown name is an error that names the key.
Result<ShareLevel> parse_share_level(std::string_view text);

// kyuubi.engine.share.level (with its deprecated fallback) of a session's configuration.
Result<ShareLevel> share_level_of(const config::Conf& session_conf);

enum class PoolPolicy { kRandom, kPolling };

// An engine pool a session asked for (kyuubi.engine.pool.*), before a member is chosen.
struct EnginePool {
  std::string name;  // lower-cased
  int size = 0;      // min(kyuubi.engine.pool.size, kyuubi.engine.pool.size.threshold), >= 1
  PoolPolicy policy = PoolPolicy::kRandom;
};

// Identifies one engine (or, for a pool, one pool member once chosen).
struct EngineKey {
  std::string server_space;  // kyuubi.ha.namespace without leading or trailing '/', e.g. "kyuubi"
  std::string version;       // the server's Kyuubi-compatible version, e.g. "1.12.0"
  ShareLevel level = ShareLevel::kUser;
  std::string engine_type;         // upper-case kyuubi.engine.type, e.g. "LOCAL", "SPARK_SQL"
  std::string session_user;        // after proxy-user resolution
  std::string routing_user;        // session user, primary group, or the server's OS user
  std::string subdomain;           // lower-cased; for a pool, set by with_pool_member()
  std::string ref_id;              // the id of the session that asks (CONNECTION: names the space)
  std::string local_host_ip;       // SERVER_LOCAL only
  std::optional<EnginePool> pool;  // set while a pool member is still to be chosen

  // /<space>_<ver>_<LEVEL>_<TYPE>/<routingUser>/<subdomain> (CONNECTION: .../<user>/<refId>;
  // SERVER_LOCAL: .../<routingUser>/<ip>_<subdomain>), exactly as Kyuubi builds it.
  std::string engine_space() const;
  // /<space>_<ver>_<LEVEL>_<TYPE>_lock/<routingUser>/<subdomain> (SERVER_LOCAL: <ip>_<subdomain>).
  // Empty for CONNECTION, which takes no lock.
  std::string lock_path() const;
  // kyuubi_<LEVEL>_<TYPE>_<routingUser>_<subdomain>_<refId>; CONNECTION:
  // kyuubi_CONNECTION_<TYPE>_<user>_<refId>; SERVER_LOCAL adds <ip>_ before the subdomain.
  std::string engine_name() const;
  // /<space>_<ver>_<LEVEL>_<TYPE>_seqNum/<routingUser>/<poolName>: POLLING's counter. Empty
  // when there is no pool to choose from.
  std::string pool_sequence_path() const;
};

// What the resolver needs to know about a session. Plain data, so that the resolver is a pure
// function and its tests are tables.
struct RoutingInput {
  std::string session_user;   // after proxy-user resolution; never empty
  std::string primary_group;  // for GROUP: the user's primary group, empty if it has none
  std::string server_user;    // the OS user of the server process (SERVER, SERVER_LOCAL)
  std::string session_id;     // the gateway's session id (a UUID string): the ref id
  std::string local_host_ip;  // for SERVER_LOCAL
  std::string version;        // the server's version label
  const config::Conf* session_conf = nullptr;  // server defaults + user defaults + session conf
  int pool_size_threshold = 9;                 // the SERVER's kyuubi.engine.pool.size.threshold
};

// The engine key for a session. Fails with a message naming the key for a bad share level,
// engine type, subdomain or pool name (not a valid ZooKeeper path element: empty, ".", "..",
// containing '/' or a non-printable character), or for a namespace that is only slashes. Also
// fails for a routing user (user, group or server user) that is not a valid path element, which
// Kyuubi does not check: with a '/' one user's space would nest inside another's.
Result<EngineKey> resolve_engine_key(const RoutingInput& input);

// `key` with pool member n (0 <= n < pool size) chosen: subdomain "<poolName>-<n>", pool reset.
EngineKey with_pool_member(EngineKey key, int n);

}  // namespace kitsune::routing
