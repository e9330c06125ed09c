// EngineManager: get-or-create (look up, lock, look again, launch, await the registration), the
// launch cap, and the engines this server launched until they exit.
#include "kitsune/engine/engine_manager.h"

#include <chrono>

#include "kitsune/common/log.h"
#include "kitsune/common/random.h"
#include "kitsune/common/strings.h"
#include "kitsune/config/session_conf.h"

namespace kitsune::engine {
namespace {

namespace k = config::keys;

std::string millis_text(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

EngineEndpoint to_endpoint(const std::string& space, const discovery::ServiceNode& node) {
  EngineEndpoint e;
  e.space = space;
  e.node_name = node.name;
  e.host = node.host;
  e.port = node.port;
  e.ref_id = node.ref_id;
  e.engine_id = node.engine_id();
  return e;
}

}  // namespace

// An engine process this manager launched, from launch until it exits.
struct EngineManager::Owned {
  std::shared_ptr<EngineProcess> process;
  routing::EngineKey key;
  std::string space;
  std::string registered_name;  // the node registered on the engine's behalf, if any
};

EngineManager::EngineManager(asio::io_context& io, EngineManagerOptions options,
                             discovery::Discovery& discovery,
                             std::vector<std::unique_ptr<Launcher>> launchers)
    : io_(io), options_(std::move(options)), discovery_(discovery) {
  for (auto& l : launchers) {
    std::string type(l->engine_type());
    launchers_.emplace(std::move(type), std::move(l));
  }
  if (!options_.redactor) {
    options_.redactor = std::make_shared<config::Redactor>(
        std::string(k::kServerRedactionRegex.def->default_value));
  }
}

EngineManager::~EngineManager() {
  std::lock_guard lock(mu_);
  for (auto& [ref, owned] : owned_)
    owned->process->set_listener({});
}

std::size_t EngineManager::live_engines() const {
  std::lock_guard lock(mu_);
  return owned_.size();
}

awaitable<Result<std::optional<EngineEndpoint>>> EngineManager::find(
    const routing::EngineKey& key) {
  const std::string space = key.engine_space();
  auto nodes = co_await discovery_.get_nodes(space);
  if (!nodes) {
    co_return Status::unavailable("cannot look up engines in " + space + ": " +
                                  nodes.status().message());
  }
  if (nodes->empty()) co_return std::optional<EngineEndpoint>{};
  // Kyuubi takes the last child ZooKeeper lists; pools spread load, not this pick.
  co_return std::optional<EngineEndpoint>(to_endpoint(space, nodes->back()));
}

awaitable<Result<std::optional<EngineEndpoint>>> EngineManager::lookup(
    const routing::EngineKey& key) {
  if (key.pool) co_return std::optional<EngineEndpoint>{};
  co_return co_await find(key);
}

awaitable<Result<EngineEndpoint>> EngineManager::get_or_create(EngineRequest request) {
  auto log = logger("engine");
  const auto timeout = request.session_conf.get(k::kSessionEngineInitializeTimeout);
  const auto deadline = Clock::now() + timeout;
  routing::EngineKey key = std::move(request.key);
  auto progress = [&](const std::string& line) {
    if (request.progress) request.progress(line);
  };

  if (key.pool) {
    const auto pool = *key.pool;
    int member = 0;
    if (pool.policy == routing::PoolPolicy::kRandom) {
      auto r = random_array<4>();
      std::uint32_t v = (std::uint32_t{r[0]} << 24) | (std::uint32_t{r[1]} << 16) |
                        (std::uint32_t{r[2]} << 8) | std::uint32_t{r[3]};
      member = static_cast<int>(v % static_cast<std::uint32_t>(pool.size));
    } else {
      auto seq = co_await discovery_.get_and_increment(key.pool_sequence_path());
      if (!seq) {
        co_return Status::unavailable("cannot pick an engine of pool " + pool.name + ": " +
                                      seq.status().message());
      }
      member = static_cast<int>(*seq % pool.size);
    }
    key = routing::with_pool_member(std::move(key), member);
  }

  const std::string space = key.engine_space();
  auto found = co_await find(key);
  if (!found) co_return found.status();
  if (*found) {
    progress("Engine found at " + (*found)->address() + " in " + space);
    co_return std::move(**found);
  }
  if (key.level == routing::ShareLevel::kConnection) {
    co_return co_await launch(key, request.session_conf, request.progress, deadline);
  }

  // Kyuubi waits for the lock a little longer than for the launch it protects.
  const auto lock_deadline = Clock::now() + timeout + timeout / 10;
  progress("Waiting for the launch lock " + key.lock_path());
  auto held = co_await discovery_.lock(key.lock_path(), lock_deadline);
  if (!held) co_return held.status();
  // Someone else may have launched it while we waited.
  found = co_await find(key);
  if (!found) co_return found.status();
  if (*found) {
    progress("Engine found at " + (*found)->address() + " in " + space);
    co_return std::move(**found);
  }
  auto launched = co_await launch(key, request.session_conf, request.progress, deadline);
  held->reset();
  co_return launched;
}

awaitable<Status> EngineManager::acquire_launch_slot(Clock::time_point deadline) {
  if (options_.max_concurrent_launches <= 0) co_return Status::ok();
  for (;;) {
    const auto seen = slot_freed_.generation();
    {
      std::lock_guard lock(mu_);
      if (slots_in_use_ < options_.max_concurrent_launches) {
        ++slots_in_use_;
        co_return Status::ok();
      }
    }
    if (!co_await slot_freed_.wait_until(seen, deadline)) {
      co_return Status::timed_out(
          "timed out waiting for a free engine launch slot (kyuubi.server.limit.engine.startup=" +
          std::to_string(options_.max_concurrent_launches) + ")");
    }
  }
}

void EngineManager::release_launch_slot() {
  if (options_.max_concurrent_launches <= 0) return;
  {
    std::lock_guard lock(mu_);
    --slots_in_use_;
  }
  slot_freed_.notify_all();
}

awaitable<Result<EngineEndpoint>> EngineManager::launch(
    const routing::EngineKey& key, const config::Conf& session_conf,
    const std::function<void(const std::string&)>& progress_sink, Clock::time_point deadline) {
  auto log = logger("engine");
  auto progress = [&](const std::string& line) {
    if (progress_sink) progress_sink(line);
  };
  auto it = launchers_.find(key.engine_type);
  if (it == launchers_.end()) {
    std::vector<std::string> types;
    for (const auto& [t, l] : launchers_)
      types.push_back(t);
    co_return Status::unsupported(
        "kyuubi.engine.type=" + key.engine_type +
        " is not available in this build of Kitsune (available: " + join(types, ", ") + ")");
  }
  Launcher& launcher = *it->second;

  if (Status slot = co_await acquire_launch_slot(deadline); !slot.is_ok()) co_return slot;
  struct SlotGuard {
    EngineManager* self;
    ~SlotGuard() { self->release_launch_slot(); }
  } slot_guard{this};
  ++launching_;
  struct CountGuard {
    std::atomic<std::size_t>& n;
    ~CountGuard() { --n; }
  } count_guard{launching_};

  const std::string space = key.engine_space();
  const auto submit_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  config::Conf conf = session_conf;
  conf.set(std::string(k::kHaNamespace.name()), space);
  conf.set(std::string(k::kHaEngineRefId.name()), key.ref_id);
  conf.set(std::string(k::kEngineSubmitTime.name()), std::to_string(submit_ms));

  LaunchRequest req;
  req.engine_type = key.engine_type;
  req.user = key.routing_user;
  req.ref_id = key.ref_id;
  req.engine_name = key.engine_name();
  req.conf = config::engine_launch_conf(conf, key.engine_type);
  req.env = config::engine_env(conf);
  // The engine runs for the routing user (doAs) or for the server's own user; its files live in
  // that user's work directory either way.
  req.work_dir = options_.work_dir_root / key.routing_user;
  req.max_log_lines = session_conf.get(k::kSessionEngineStartupMaxLogLines);
  req.error_max_size = session_conf.get(k::kSessionEngineStartupErrorMaxSize);
  req.log_timeout = session_conf.get(k::kSessionEngineLogTimeout);
  req.destroy_timeout = session_conf.get(k::kSessionEngineStartupDestroyTimeout);
  req.redactor = options_.redactor;
  req.die_with_parent = options_.engines_die_with_server;
  req.do_as = session_conf.get(k::kEngineDoAsEnabled);

  const std::string command = launcher.describe(req);
  log->info("launching {} engine {} for {} in {}", key.engine_type, key.ref_id, key.routing_user,
            space);
  progress("Launching " + key.engine_type + " engine " + key.ref_id + " in " + space);
  progress("Command: " + command);
  auto started = launcher.launch(req);
  if (!started) {
    log->warn("engine {} could not start: {}", key.ref_id, started.status().message());
    co_return Status::unavailable("Failed to launch the " + key.engine_type +
                                  " engine: " + started.status().message());
  }
  std::shared_ptr<EngineProcess> process = *started;
  auto owned = std::make_shared<Owned>();
  owned->process = process;
  owned->key = key;
  owned->space = space;
  {
    std::lock_guard lock(mu_);
    owned_[key.ref_id] = owned;
  }
  progress("Engine process " + std::to_string(process->pid()) + " started; its log is " +
           process->log_path().string());

  // Wait for its node, or its exit, or the deadline: whatever comes first wakes this event.
  auto changed = std::make_shared<AsyncEvent>();
  auto notify = [changed] { changed->notify_all(); };
  process->set_listener(notify);
  const bool register_for_engine = discovery_.kind() == "embedded";
  Result<EngineEndpoint> outcome = Status::internal("launch did not finish");
  for (;;) {
    const auto seen = changed->generation();
    if (auto code = process->exit_code()) {
      std::string why = process->error_text();
      log->warn("engine {} exited with code {} before it registered; log {}", key.ref_id, *code,
                process->log_path().string());
      progress("Engine process exited with code " + std::to_string(*code) +
               " before it registered");
      if (!why.empty()) progress(why);
      outcome = Status::unavailable(
          "Failed to launch the " + key.engine_type + " engine " + key.ref_id +
          ": the process exited with code " + std::to_string(*code) +
          (why.empty() ? std::string(" and left no error in ") + process->log_path().string()
                       : ": " + why));
      break;
    }
    if (register_for_engine && owned->registered_name.empty()) {
      if (auto address = process->announced_address()) {
        auto colon = address->rfind(':');
        discovery::ServiceNode node;
        node.host = address->substr(0, colon);
        node.port = colon == std::string::npos ? 0 : std::atoi(address->c_str() + colon + 1);
        node.version = key.version;
        node.ref_id = key.ref_id;
        node.attributes["kyuubi.engine.id"] = key.ref_id;
        auto registered = co_await discovery_.register_node(space, std::move(node));
        if (!registered) {
          outcome = Status::unavailable("cannot register engine " + key.ref_id + ": " +
                                        registered.status().message());
          process->terminate();
          break;
        }
        owned->registered_name = registered->name;
      }
    }
    auto nodes = co_await discovery_.get_nodes(space, notify);
    if (!nodes) {
      outcome = Status::unavailable("cannot look up engines in " + space + ": " +
                                    nodes.status().message());
      process->terminate();
      break;
    }
    bool done = false;
    for (const auto& n : *nodes) {
      if (n.ref_id == key.ref_id) {
        EngineEndpoint e = to_endpoint(space, n);
        e.launched_here = true;
        outcome = std::move(e);
        done = true;
        break;
      }
    }
    if (done) break;
    if (Clock::now() >= deadline) {
      const auto timeout = session_conf.get(k::kSessionEngineInitializeTimeout);
      log->warn("engine {} did not register within {}; stopping it", key.ref_id,
                millis_text(timeout));
      outcome = Status::timed_out("Timeout(" + millis_text(timeout) + ") to launch the " +
                                  key.engine_type + " engine " + key.ref_id +
                                  " (kyuubi.session.engine.initialize.timeout); its log is " +
                                  process->log_path().string());
      process->terminate();
      break;
    }
    co_await changed->wait_until(seen, deadline);
  }

  if (outcome.is_ok()) {
    log->info("engine {} registered at {}", key.ref_id, outcome->address());
    progress("Engine " + key.ref_id + " is up at " + outcome->address());
  }
  // Up or not, its exit is still to be seen: that drops its registration and forgets it.
  std::string ref = key.ref_id;
  auto on_change = [this, weak = std::weak_ptr<EngineProcess>(process), ref] {
    auto p = weak.lock();
    if (p && p->exit_code()) on_exit(ref);
  };
  process->set_listener(std::move(on_change));
  co_return outcome;
}

void EngineManager::on_exit(const std::string& ref_id) {
  std::shared_ptr<Owned> owned;
  {
    std::lock_guard lock(mu_);
    auto it = owned_.find(ref_id);
    if (it == owned_.end()) return;
    owned = it->second;
    owned_.erase(it);
  }
  auto code = owned->process->exit_code();
  logger("engine")->info("engine {} (pid {}) exited with code {}", ref_id, owned->process->pid(),
                         code ? *code : -1);
  // Its node goes now rather than when its discovery session expires (an engine that
  // registered itself and was killed leaves it behind for that long): by name when registered
  // here, else every node of its space with its ref id.
  auto drop = [this, owned]() -> awaitable<void> {
    std::vector<std::string> names;
    if (!owned->registered_name.empty()) {
      names.push_back(owned->registered_name);
    } else {
      auto nodes = co_await discovery_.get_nodes(owned->space);
      if (!nodes) co_return;
      for (const auto& n : *nodes) {
        if (n.ref_id == owned->key.ref_id) names.push_back(n.name);
      }
    }
    for (const auto& name : names) {
      Status s = co_await discovery_.remove_node(owned->space, name);
      if (!s.is_ok() && !owned->registered_name.empty()) {
        logger("engine")->warn("cannot remove engine {} from discovery: {}", owned->key.ref_id,
                               s.message());
      }
    }
  };
  asio::co_spawn(io_, std::move(drop), asio::detached);
}

awaitable<void> EngineManager::deregister(const routing::EngineKey& key,
                                          const EngineEndpoint& endpoint) {
  std::unique_ptr<discovery::DiscoveryLock> held;
  if (key.level != routing::ShareLevel::kConnection) {
    const auto timeout = std::chrono::seconds(30);
    auto r = co_await discovery_.lock(key.lock_path(), Clock::now() + timeout);
    if (!r) {
      logger("engine")->warn("cannot deregister engine at {}: {}", endpoint.address(),
                             r.status().message());
      co_return;
    }
    held = std::move(r).value();
  }
  auto nodes = co_await discovery_.get_nodes(endpoint.space);
  if (!nodes) co_return;
  for (const auto& n : *nodes) {
    if (n.host == endpoint.host && n.port == endpoint.port) {
      logger("engine")->info("removing unreachable engine {} at {} from {}", n.ref_id,
                             endpoint.address(), endpoint.space);
      (void)co_await discovery_.remove_node(endpoint.space, n.name);
    }
  }
}

void EngineManager::stop_engine(const std::string& ref_id) {
  std::shared_ptr<Owned> owned;
  {
    std::lock_guard lock(mu_);
    auto it = owned_.find(ref_id);
    if (it == owned_.end()) return;
    owned = it->second;
  }
  logger("engine")->info("stopping engine {} (pid {})", ref_id, owned->process->pid());
  owned->process->terminate();
}

awaitable<void> EngineManager::shutdown(bool all) {
  std::vector<std::shared_ptr<Owned>> stopping;
  {
    std::lock_guard lock(mu_);
    for (auto& [ref, owned] : owned_) {
      if (all || owned->key.level == routing::ShareLevel::kConnection) stopping.push_back(owned);
    }
  }
  if (stopping.empty()) co_return;
  logger("engine")->info("stopping {} engine(s) launched by this server", stopping.size());
  auto changed = std::make_shared<AsyncEvent>();
  std::chrono::milliseconds grace{0};
  for (auto& owned : stopping) {
    auto notify = [changed, this, ref = owned->key.ref_id,
                   weak = std::weak_ptr<EngineProcess>(owned->process)] {
      auto p = weak.lock();
      if (p && p->exit_code()) on_exit(ref);
      changed->notify_all();
    };
    owned->process->set_listener(std::move(notify));
    owned->process->terminate();
    grace = std::max(grace, std::chrono::milliseconds(5000));
  }
  // SIGKILL follows the destroy timeout; give that a moment to be seen.
  const auto deadline = Clock::now() + grace + std::chrono::seconds(2);
  for (;;) {
    const auto seen = changed->generation();
    bool all_gone = true;
    for (auto& owned : stopping)
      all_gone = all_gone && owned->process->exit_code().has_value();
    if (all_gone || Clock::now() >= deadline) break;
    co_await changed->wait_until(seen, deadline);
  }
}

}  // namespace kitsune::engine
