// Discovery: where servers and engines are registered and found, and the launch lock. One
// interface; `embedded` serves a single gateway with no external service, `zookeeper` (later)
// keeps Kyuubi's ZooKeeper layout.
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

  std::string address() const { return host + ":" + std::to_string(port); }
  // attributes["kyuubi.engine.id"], or "" when absent.
  std::string engine_id() const;
};

// The node name up to and including "sequence=", to which the store appends 10 digits.
std::string node_name_prefix(const ServiceNode& node);
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

  // The nodes under `space` now (empty when the space does not exist). When `on_change` is given
  // it is called once, from any thread, the next time the nodes under `space` change (a one-shot
  // watch, as ZooKeeper's). Unavailable when discovery cannot be reached.
  virtual awaitable<Result<std::vector<ServiceNode>>> get_nodes(
      const std::string& space, std::function<void()> on_change = {}) = 0;

  // Registers `node` (its name is computed here; a sequence is appended) under `space`, which is
  // created when missing, and returns it as registered. Ephemeral: it goes when this Discovery
  // does, or on remove_node().
  virtual awaitable<Result<ServiceNode>> register_node(const std::string& space,
                                                       ServiceNode node) = 0;
  // Removes the node named `name` (as register_node returned it); an error when there is none.
  virtual awaitable<Status> remove_node(const std::string& space, const std::string& name) = 0;

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

}  // namespace kitsune::discovery
