// Embedded discovery: spaces, watches, launch locks and counters in this process, behind one
// mutex that is never held across a suspension.
#include "kitsune/discovery/discovery.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include "kitsune/common/async_event.h"

namespace kitsune::discovery {

namespace {

// One launch lock path: who holds it, and how many coroutines are waiting for it.
struct PathLock {
  bool held = false;
  int waiters = 0;
  AsyncEvent released;  // notified whenever the holder lets go
};

struct Space {
  std::uint64_t next_sequence = 0;
  std::vector<ServiceNode> nodes;  // in registration order
};

// Shared by the Discovery and every lock it handed out, so that a lock may outlive it.
struct State {
  std::mutex mu;
  std::map<std::string, Space, std::less<>> spaces;
  std::map<std::string, std::vector<std::function<void()>>, std::less<>> watches;
  std::map<std::string, std::shared_ptr<PathLock>, std::less<>> locks;
  std::map<std::string, std::int64_t, std::less<>> counters;

  // Drops the entry of a lock path nobody holds or waits for. Called with `mu` held.
  void forget_if_unused(const std::string& path, const std::shared_ptr<PathLock>& entry) {
    if (entry->held || entry->waiters > 0) return;
    const auto it = locks.find(path);
    if (it != locks.end() && it->second == entry) locks.erase(it);
  }

  // Takes the one-shot watches of `space`, to be called once `mu` is released.
  std::vector<std::function<void()>> take_watches(const std::string& space) {
    std::vector<std::function<void()>> fired;
    const auto it = watches.find(space);
    if (it != watches.end()) {
      fired = std::move(it->second);
      watches.erase(it);
    }
    return fired;
  }
};

void fire(const std::vector<std::function<void()>>& watches) {
  for (const auto& watch : watches)
    watch();
}

class EmbeddedLock final : public DiscoveryLock {
 public:
  EmbeddedLock(std::shared_ptr<State> state, std::string path, std::shared_ptr<PathLock> entry)
      : state_(std::move(state)), path_(std::move(path)), entry_(std::move(entry)) {}
  EmbeddedLock(const EmbeddedLock&) = delete;
  EmbeddedLock& operator=(const EmbeddedLock&) = delete;

  ~EmbeddedLock() override {
    {
      std::lock_guard guard(state_->mu);
      entry_->held = false;
      state_->forget_if_unused(path_, entry_);
    }
    entry_->released.notify_all();
  }

 private:
  std::shared_ptr<State> state_;
  std::string path_;
  std::shared_ptr<PathLock> entry_;
};

// Counts a coroutine as waiting for a lock path for as long as it lives, so that the path's
// entry stays while someone waits, however the wait ends (acquired, timed out, or destroyed).
class WaiterCount {
 public:
  WaiterCount(State& state, const std::string& path) : state_(state), path_(path) {
    std::lock_guard guard(state_.mu);
    auto& entry = state_.locks[path_];
    if (!entry) entry = std::make_shared<PathLock>();
    entry_ = entry;
    ++entry_->waiters;
  }
  WaiterCount(const WaiterCount&) = delete;
  WaiterCount& operator=(const WaiterCount&) = delete;
  ~WaiterCount() {
    std::lock_guard guard(state_.mu);
    --entry_->waiters;
    state_.forget_if_unused(path_, entry_);
  }
  const std::shared_ptr<PathLock>& entry() const { return entry_; }

 private:
  State& state_;
  const std::string& path_;
  std::shared_ptr<PathLock> entry_;
};

std::string sequence_suffix(std::uint64_t n) {
  std::string digits = std::to_string(n);
  if (digits.size() < 10) digits.insert(0, 10 - digits.size(), '0');
  return digits;
}

class EmbeddedDiscovery final : public Discovery {
 public:
  std::string_view kind() const override { return "embedded"; }

  awaitable<Result<std::vector<ServiceNode>>> get_nodes(const std::string& space,
                                                        std::function<void()> on_change) override {
    std::vector<ServiceNode> nodes;
    {
      std::lock_guard guard(state_->mu);
      const auto it = state_->spaces.find(space);
      if (it != state_->spaces.end()) nodes = it->second.nodes;
      if (on_change) state_->watches[space].push_back(std::move(on_change));
    }
    co_return nodes;
  }

  // Nobody but this process can remove a node here, so `on_removed` never fires.
  awaitable<Result<ServiceNode>> register_node(const std::string& space, ServiceNode node,
                                               std::function<void()> /*on_removed*/) override {
    co_return add_node(space, std::move(node));
  }

  // Every node here lives as long as this process; a persistent one is no different.
  awaitable<Result<ServiceNode>> create_persistent_node(const std::string& space,
                                                        ServiceNode node) override {
    co_return add_node(space, std::move(node));
  }

  // Spaces are kept by their full path only, so the children of a path above them are the next
  // elements of the spaces under it.
  awaitable<Result<std::vector<std::string>>> get_children(const std::string& path) override {
    const std::string prefix = path.ends_with('/') ? path : path + "/";
    std::vector<std::string> children;
    {
      std::lock_guard guard(state_->mu);
      for (const auto& [space, s] : state_->spaces) {
        if (space == path) {
          for (const auto& node : s.nodes)
            children.push_back(node.name);
        } else if (space.starts_with(prefix)) {
          const std::string_view rest = std::string_view(space).substr(prefix.size());
          std::string child(rest.substr(0, rest.find('/')));
          if (std::find(children.begin(), children.end(), child) == children.end()) {
            children.push_back(std::move(child));
          }
        }
      }
    }
    co_return children;
  }

  awaitable<Status> remove_node(const std::string& space, const std::string& name) override {
    bool found = false;
    std::vector<std::function<void()>> fired;
    {
      std::lock_guard guard(state_->mu);
      const auto it = state_->spaces.find(space);
      if (it != state_->spaces.end()) {
        auto& nodes = it->second.nodes;
        const auto node = std::find_if(nodes.begin(), nodes.end(),
                                       [&](const ServiceNode& n) { return n.name == name; });
        if (node != nodes.end()) {
          found = true;
          nodes.erase(node);
          // Keeping every emptied space would grow without bound with CONNECTION share level.
          if (nodes.empty()) state_->spaces.erase(it);
          fired = state_->take_watches(space);
        }
      }
    }
    if (!found) co_return Status::error("No node " + name + " under " + space);
    fire(fired);
    co_return Status::ok();
  }

  awaitable<Result<std::unique_ptr<DiscoveryLock>>> lock(const std::string& path_ref,
                                                         Clock::time_point deadline) override {
    const std::string path = path_ref;
    const WaiterCount waiting(*state_, path);
    const auto& entry = waiting.entry();
    for (;;) {
      std::uint64_t seen = 0;
      bool acquired = false;
      {
        std::lock_guard guard(state_->mu);
        if (!entry->held) {
          entry->held = true;
          acquired = true;
        } else {
          // Read under the mutex the holder releases under, so its notify_all() (made after it
          // lets go) moves the generation past `seen` and no wake-up is lost.
          seen = entry->released.generation();
        }
      }
      if (acquired) {
        std::unique_ptr<DiscoveryLock> held = std::make_unique<EmbeddedLock>(state_, path, entry);
        co_return held;
      }
      if (Clock::now() >= deadline) co_return Status::timed_out("Timeout to lock on path " + path);
      co_await entry->released.wait_until(seen, deadline);
    }
  }

  awaitable<Result<std::int64_t>> get_and_increment(const std::string& path) override {
    std::int64_t previous = 0;
    {
      std::lock_guard guard(state_->mu);
      previous = state_->counters[path]++;
    }
    co_return previous;
  }

 private:
  Result<ServiceNode> add_node(const std::string& space, ServiceNode node) {
    if (space.size() < 2 || space.front() != '/') {
      return Status::error("Invalid discovery space '" + space + "': expected an absolute path");
    }
    std::vector<std::function<void()>> fired;
    {
      std::lock_guard guard(state_->mu);
      // The space goes with its last node (see remove_node), so a space made again starts again
      // at sequence 0, as a ZooKeeper parent deleted and created again would.
      Space& s = state_->spaces[space];
      node.name = node_name_prefix(node) + sequence_suffix(s.next_sequence++);
      s.nodes.push_back(node);
      fired = state_->take_watches(space);
    }
    fire(fired);
    return node;
  }

  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace

std::unique_ptr<Discovery> make_embedded_discovery() {
  return std::make_unique<EmbeddedDiscovery>();
}

}  // namespace kitsune::discovery
