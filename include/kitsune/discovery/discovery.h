// Discovery: where servers and engines are registered and found, and the launch lock. One
// interface; `embedded` serves a single gateway with no external service, `zookeeper` keeps
// Kyuubi's ZooKeeper layout for several gateways and for engines that register themselves.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kitsune/common/asio.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace kitsune::discovery {

using Clock = std::chrono::steady_clock;

// One registered server or engine: a child node of a space, named as Kyuubi names it,
//   serverUri=<host>:<port>;version=<v>[;<attr>=<val>...][;refId=<id>];sequence=<10 digits>
// with "<host>:<port>" as its data.
struct ServiceNode {
  std::string name;  // the node name, sequence included (empty until registered)
  std::string host;
  int port = 0;
  std::string version;
  std::string ref_id;                             // engines only
  std::map<std::string, std::string> attributes;  // e.g. kyuubi.engine.id
  // The node's data: "<host>:<port>" when empty (what register_node stores then), or a server's
  // published configuration (HIVE-11581 style key=value pairs).
  std::string data;

  std::string address() const { return host + ":" + std::to_string(port); }
  // attributes["kyuubi.engine.id"], or "" when absent.
  std::string engine_id() const;
};

// The node name up to and including "sequence=", to which the store appends 10 digits.
std::string node_name_prefix(const ServiceNode& node);
// "/<namespace>" for kyuubi.ha.namespace (leading and trailing slashes of the value dropped, as
// Curator's ZKPaths joins them).
std::string namespace_space(std::string_view ns);
// Parses a node name and its data (host:port, or a ';'-separated key=value list carrying
// hive.server2.thrift.bind.host and hive.server2.thrift.port) in any attribute order.
Result<ServiceNode> parse_node(std::string_view name, std::string_view data);

// Held while a launch lock is held; destroying it releases the lock (from any thread).
class DiscoveryLock {
 public:
  virtual ~DiscoveryLock() = default;
};

class Discovery {
 public:
  virtual ~Discovery() = default;

  virtual std::string_view kind() const = 0;  // "embedded", "zookeeper"

  // False while the store cannot be reached: its calls then wait for it (up to a timeout),
  // except get_nodes() of a space it saw non-empty, which answers from what it saw last.
  virtual bool available() const { return true; }

  // The nodes under `space` now (empty when the space does not exist). When `on_change` is given
  // it is called once, from any thread, the next time the nodes under `space` change (a one-shot
  // watch, as ZooKeeper's). Unavailable when discovery cannot be reached.
  virtual awaitable<Result<std::vector<ServiceNode>>> get_nodes(
      const std::string& space, std::function<void()> on_change = {}) = 0;

  // Registers `node` (its name is computed here; a sequence is appended) under `space`, which is
  // created when missing, and returns it as registered. Ephemeral: it goes when this Discovery
  // does, or on remove_node(). Should the store lose it (a ZooKeeper session that expired), it
  // is registered again, under a new sequence. `on_removed` is called once, from any thread, if
  // someone else deletes it (an admin decommissioning this server).
  virtual awaitable<Result<ServiceNode>> register_node(const std::string& space, ServiceNode node,
                                                       std::function<void()> on_removed = {}) = 0;
  // Removes the node named `name` (as register_node returned it); an error when there is none.
  virtual awaitable<Status> remove_node(const std::string& space, const std::string& name) = 0;

  // The names of the children of `path` as stored, unparsed and unsorted (empty when `path` does
  // not exist): for instance the subdomains under an engine space's user, which an admin tool
  // lists. Unavailable when discovery cannot be reached.
  virtual awaitable<Result<std::vector<std::string>>> get_children(const std::string& path) = 0;

  // Creates `node` under `space` (created when missing), named as register_node names it, but
  // persistent: it stays when this Discovery goes, and is neither watched nor registered again;
  // only remove_node() or another client removes it. This is kyuubi-ctl's "create server", which
  // exposes servers in another namespace. Returns the node as created.
  virtual awaitable<Result<ServiceNode>> create_persistent_node(const std::string& space,
                                                                ServiceNode node) = 0;

  // The launch lock at `path`, mutually exclusive across every holder (servers included), or
  // kTimedOut "Timeout to lock on path <path>" at `deadline`.
  virtual awaitable<Result<std::unique_ptr<DiscoveryLock>>> lock(const std::string& path,
                                                                 Clock::time_point deadline) = 0;

  // Adds one to the counter at `path` (created at 0) and returns its previous value.
  virtual awaitable<Result<std::int64_t>> get_and_increment(const std::string& path) = 0;
};

// Discovery inside this process: no external service, for a single gateway. Engines cannot
// reach it; whoever launches one registers it here on the engine's behalf.
std::unique_ptr<Discovery> make_embedded_discovery();

// How to reach ZooKeeper: Kyuubi's kyuubi.ha.* keys.
struct ZooKeeperOptions {
  enum class RetryPolicy {
    kOneTime,
    kNTime,
    kExponentialBackoff,
    kBoundedExponentialBackoff,
    kUntilElapsed
  };

  std::string addresses;  // the connect string, host:port[,host:port...]
  std::chrono::milliseconds session_timeout{60000};
  std::chrono::milliseconds connection_timeout{15000};
  RetryPolicy retry_policy = RetryPolicy::kExponentialBackoff;
  std::chrono::milliseconds base_retry_wait{1000};
  std::chrono::milliseconds max_retry_wait{30000};
  int max_retries = 3;
  std::chrono::milliseconds node_creation_timeout{120000};
  std::string digest;  // "user:password" when auth type is DIGEST (a secret), else empty

  // From kyuubi.ha.*; `for_engine` reads kyuubi.ha.zookeeper.engine.auth.type instead of
  // kyuubi.ha.zookeeper.auth.type. Fails on what this build cannot do (KERBEROS, etcd).
  static Result<ZooKeeperOptions> from_conf(const config::Conf& conf, bool for_engine);

  // How long to wait before retry number `attempt` (from 0) of a call that began `elapsed` ago,
  // or nullopt when the policy allows no more.
  std::optional<std::chrono::milliseconds> retry_wait(int attempt,
                                                      std::chrono::milliseconds elapsed) const;
};

// Discovery in ZooKeeper (the C client, one session for the process) with Kyuubi's layout: node
// names, ephemeral sequential nodes, Curator's semaphore-mutex lock recipe, Curator's atomic
// counter. Its calls run on `io` (completions of the C client are posted there). Connecting
// happens in the background: calls wait up to the connection timeout for it.
std::unique_ptr<Discovery> make_zookeeper_discovery(asio::io_context& io, ZooKeeperOptions options);

}  // namespace kitsune::discovery
