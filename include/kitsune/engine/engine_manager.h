// EngineManager: get-or-create of the engine a session is routed to (look up, lock, look again,
// launch, await registration), the launches it owns, and their ends.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kitsune/common/asio.h"
#include "kitsune/common/async_event.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"
#include "kitsune/discovery/discovery.h"
#include "kitsune/engine/launcher.h"
#include "kitsune/routing/engine_key.h"

namespace kitsune::engine {

using Clock = std::chrono::steady_clock;

// Where a session's engine is.
struct EngineEndpoint {
  std::string space;      // its engine space
  std::string node_name;  // its node in discovery
  std::string host;
  int port = 0;
  std::string ref_id;          // the ref id it was launched with
  std::string engine_id;       // kyuubi.engine.id, when the node carries it
  bool launched_here = false;  // this call launched it
  std::string address() const { return host + ":" + std::to_string(port); }
};

struct EngineRequest {
  routing::EngineKey key;  // a pool key is resolved here
  // The session's configuration (server defaults + user defaults + session conf): what the
  // engine is launched with, filtered by audience.
  config::Conf session_conf;
  // Receives launch progress lines (for the session's launch log). Any thread.
  std::function<void(const std::string&)> progress;
};

struct EngineManagerOptions {
  std::filesystem::path work_dir_root;  // $KYUUBI_WORK_DIR_ROOT
  int max_concurrent_launches = 0;      // kyuubi.server.limit.engine.startup; 0: no limit
  std::shared_ptr<const config::Redactor> redactor;
  // Launched engines end with this process (set with embedded discovery, where nobody else can
  // find them).
  bool engines_die_with_server = false;
};

class EngineManager {
 public:
  EngineManager(asio::io_context& io, EngineManagerOptions options, discovery::Discovery& discovery,
                std::vector<std::unique_ptr<Launcher>> launchers);
  ~EngineManager();

  // The engine for `request.key`, launching it when there is none, within
  // kyuubi.session.engine.initialize.timeout. A launch that fails (the process exits, or it
  // does not register in time) fails with the engine's own error text. Await on a strand.
  awaitable<Result<EngineEndpoint>> get_or_create(EngineRequest request);

  // The engine registered for `key` now, if any: no lock, no launch. Keys of a pool have no
  // single engine (nullopt).
  awaitable<Result<std::optional<EngineEndpoint>>> lookup(const routing::EngineKey& key);

  // False while discovery cannot be reached (lookups of unknown spaces would wait for it).
  bool discovery_available() const { return discovery_.available(); }

  // A session could not connect to `endpoint`: with DEREGISTER_* policies its node is removed
  // (under the launch lock), so that the next get_or_create launches a new one.
  awaitable<void> deregister(const routing::EngineKey& key, const EngineEndpoint& endpoint);

  // Stops the engine this manager launched with `ref_id` (a CONNECTION engine whose session
  // closed). No-op when it did not launch it.
  void stop_engine(const std::string& ref_id);

  // Stops every engine this manager launched when `all` (else only CONNECTION ones) and waits
  // up to their destroy timeout for them to exit. For shutdown.
  awaitable<void> shutdown(bool all);

  // Launches in progress and live engines launched here (for logs and tests).
  std::size_t launches_in_progress() const { return launching_.load(); }
  std::size_t live_engines() const;

 private:
  struct Owned;
  awaitable<Result<EngineEndpoint>> launch(const routing::EngineKey& key,
                                           const config::Conf& session_conf,
                                           const std::function<void(const std::string&)>& progress,
                                           Clock::time_point deadline);
  awaitable<Result<std::optional<EngineEndpoint>>> find(const routing::EngineKey& key);
  awaitable<Status> acquire_launch_slot(Clock::time_point deadline);
  void release_launch_slot();
  void on_exit(const std::string& ref_id);

  asio::io_context& io_;
  EngineManagerOptions options_;
  discovery::Discovery& discovery_;
  std::map<std::string, std::unique_ptr<Launcher>, std::less<>> launchers_;
  std::atomic<std::size_t> launching_{0};

  mutable std::mutex mu_;
  int slots_in_use_ = 0;
  AsyncEvent slot_freed_;
  std::map<std::string, std::shared_ptr<Owned>> owned_;  // by ref id
};

}  // namespace kitsune::engine
