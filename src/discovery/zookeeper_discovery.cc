// ZooKeeper discovery on the C client (zookeeper_mt): one session per process, its completions
// and watches handed to coroutines through AsyncEvents, Kyuubi's node layout, Curator's lock and
// counter recipes, and a supervisor that opens a new session when the old one is gone and
// registers this process's nodes again.
#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <shared_mutex>

#include "kitsune/common/async_event.h"
#include "kitsune/common/log.h"
#include "kitsune/common/random.h"
#include "kitsune/common/strings.h"
#include "kitsune/discovery/discovery.h"

namespace kitsune::discovery {
namespace {

using std::chrono::milliseconds;

// What a completion of the C client delivered.
struct Reply {
  int rc = ZSYSTEMERROR;
  bool unreachable = false;  // never sent: no connection within the connection timeout
  std::string value;         // created path, or node data
  std::vector<std::string> children;
  Stat stat{};
};

// One call in flight: filled by the completion (on the client's thread), awaited on Asio.
struct Pending {
  std::atomic<bool> done{false};
  Reply reply;
  AsyncEvent event;
};

// The C client's `data` for a completion: a heap copy of the shared pointer, freed by it.
template <typename Fill>
void complete(const void* data, Fill fill) {
  auto* holder = static_cast<std::shared_ptr<Pending>*>(const_cast<void*>(data));
  std::shared_ptr<Pending> p = std::move(*holder);
  delete holder;
  fill(p->reply);
  p->done.store(true, std::memory_order_release);
  p->event.notify_all();
}

void on_void(int rc, const void* data) {
  complete(data, [rc](Reply& r) { r.rc = rc; });
}
void on_stat(int rc, const Stat* stat, const void* data) {
  complete(data, [&](Reply& r) {
    r.rc = rc;
    if (stat) r.stat = *stat;
  });
}
void on_data(int rc, const char* value, int len, const Stat* stat, const void* data) {
  complete(data, [&](Reply& r) {
    r.rc = rc;
    if (value && len > 0) r.value.assign(value, static_cast<std::size_t>(len));
    if (stat) r.stat = *stat;
  });
}
void on_string(int rc, const char* value, const void* data) {
  complete(data, [&](Reply& r) {
    r.rc = rc;
    if (value) r.value = value;
  });
}
void on_strings(int rc, const String_vector* strings, const void* data) {
  complete(data, [&](Reply& r) {
    r.rc = rc;
    if (strings) {
      for (int i = 0; i < strings->count; ++i)
        r.children.emplace_back(strings->data[i]);
    }
  });
}
// For deletes nobody waits for.
void on_forget(int, const void*) {}

bool is_connection_error(int rc) {
  return rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT || rc == ZSESSIONMOVED;
}

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}
std::string base_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}
std::string join_path(const std::string& parent, const std::string& child) {
  return parent == "/" ? "/" + child : parent + "/" + child;
}

void zk_log(const char* message) {
  // The client logs every failed reconnect; what matters is said by the supervisor.
  logger("zookeeper")->debug("{}", message);
}

// A node this process keeps registered.
struct Registration {
  std::string space;
  std::string prefix;  // node name up to "sequence="
  std::string data;
  std::string path;        // its current full path
  std::string first_name;  // its name when first registered (what its owner knows it by)
  std::function<void()> on_removed;
};

class Core;

// The watcher context of one ZooKeeper handle: retired before the handle is closed, so that a
// late event of an old session is not taken for one of the current session.
struct HandleContext {
  Core* core;
  std::atomic<bool> retired{false};
};

// The state shared by the Discovery, its supervisor and the locks it handed out.
class Core : public std::enable_shared_from_this<Core> {
 public:
  Core(asio::io_context& io, ZooKeeperOptions options)
      : strand_(asio::make_strand(io)), options_(std::move(options)) {
    if (!options_.digest.empty()) {
      // World may read, only the creator may change: Kyuubi's ACL with authentication.
      acl_entries_[0] = ACL{ZOO_PERM_READ, Id{world_, anyone_}};
      acl_entries_[1] = ACL{ZOO_PERM_ALL, Id{auth_, empty_}};
      acl_ = ACL_vector{2, acl_entries_};
    } else {
      acl_ = ZOO_OPEN_ACL_UNSAFE;
    }
  }
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;
  ~Core() { close(); }

  void start() {
    zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);
    open_handle();
    asio::co_spawn(strand_, supervise(shared_from_this()), asio::detached);
  }

  // Closes the session: its ephemeral nodes go with it. Idempotent; any thread but the client's.
  void close() {
    {
      std::lock_guard guard(mu_);
      if (closed_) return;
      closed_ = true;
      registrations_.clear();
    }
    state_event_.notify_all();
    close_handle();
  }

  const ZooKeeperOptions& options() const { return options_; }

  // ---- calls, each an asynchronous C call awaited on the caller's strand ----

  // Issues one asynchronous call on the handle (with its watcher context) and the completion data.
  using Issue = std::function<int(zhandle_t*, void* watcher_ctx, void* data)>;

  awaitable<Reply> call(const Issue& issue, Clock::time_point deadline) {
    auto pending = std::make_shared<Pending>();
    const auto seen = pending->event.generation();
    auto* holder = new std::shared_ptr<Pending>(pending);
    int rc = ZCLOSING;
    {
      std::shared_lock handle(handle_mu_);
      if (zh_) rc = issue(zh_, handle_ctx_.get(), holder);
    }
    if (rc != ZOK) {
      delete holder;  // the completion will not run
      Reply r;
      r.rc = rc;
      co_return r;
    }
    while (!pending->done.load(std::memory_order_acquire)) {
      if (!co_await pending->event.wait_until(seen, deadline)) {
        Reply r;
        r.rc = ZOPERATIONTIMEOUT;
        co_return r;
      }
    }
    co_return pending->reply;
  }

  Clock::time_point call_deadline() const {
    return Clock::now() + options_.session_timeout + options_.connection_timeout;
  }

  awaitable<Reply> children(const std::string& path, bool watch) {
    Issue issue = [&](zhandle_t* zh, void* ctx, void* data) {
      return watch ? zoo_awget_children(zh, path.c_str(), &Core::on_watch, ctx, on_strings, data)
                   : zoo_aget_children(zh, path.c_str(), 0, on_strings, data);
    };
    co_return co_await call(issue, call_deadline());
  }
  awaitable<Reply> get(const std::string& path, bool watch) {
    Issue issue = [&](zhandle_t* zh, void* ctx, void* data) {
      return watch ? zoo_awget(zh, path.c_str(), &Core::on_watch, ctx, on_data, data)
                   : zoo_aget(zh, path.c_str(), 0, on_data, data);
    };
    co_return co_await call(issue, call_deadline());
  }
  awaitable<Reply> exists(const std::string& path, bool watch) {
    Issue issue = [&](zhandle_t* zh, void* ctx, void* data) {
      return watch ? zoo_awexists(zh, path.c_str(), &Core::on_watch, ctx, on_stat, data)
                   : zoo_aexists(zh, path.c_str(), 0, on_stat, data);
    };
    co_return co_await call(issue, call_deadline());
  }
  awaitable<Reply> create(const std::string& path, const std::string& data, int mode) {
    Issue issue = [&](zhandle_t* zh, void*, void* d) {
      return zoo_acreate(zh, path.c_str(), data.data(), static_cast<int>(data.size()), &acl_, mode,
                         on_string, d);
    };
    co_return co_await call(issue, call_deadline());
  }
  awaitable<Reply> set(const std::string& path, const std::string& data, int version) {
    Issue issue = [&](zhandle_t* zh, void*, void* d) {
      return zoo_aset(zh, path.c_str(), data.data(), static_cast<int>(data.size()), version,
                      on_stat, d);
    };
    co_return co_await call(issue, call_deadline());
  }
  awaitable<Reply> remove(const std::string& path) {
    Issue issue = [&](zhandle_t* zh, void*, void* d) {
      return zoo_adelete(zh, path.c_str(), -1, on_void, d);
    };
    co_return co_await call(issue, call_deadline());
  }

  // Deletes `path` without waiting (a lock released from a destructor).
  void remove_later(const std::string& path) {
    std::shared_lock handle(handle_mu_);
    if (zh_) (void)zoo_adelete(zh_, path.c_str(), -1, on_forget, nullptr);
  }

  // Creates `path`, and its missing parents first (persistent, or containers when
  // `container_parents`, which the server removes once empty, as Curator's lock recipes do).
  awaitable<Reply> create_with_parents(const std::string& path, const std::string& data, int mode,
                                       bool container_parents = false) {
    Reply r = co_await create(path, data, mode);
    if (r.rc != ZNONODE) co_return r;
    const std::string parent = parent_of(path);
    std::size_t pos = 0;
    while (pos != std::string::npos) {
      pos = parent.find('/', pos + 1);
      const std::string step = parent.substr(0, pos);
      Reply made = co_await create(step, "", container_parents ? ZOO_CONTAINER : ZOO_PERSISTENT);
      if (made.rc != ZOK && made.rc != ZNODEEXISTS) co_return made;
    }
    co_return co_await create(path, data, mode);
  }

  // Runs `op` once connected, again after a lost connection as the retry policy allows. Fails
  // with `unreachable` when no connection comes within the connection timeout.
  using Op = std::function<awaitable<Reply>(int attempt)>;
  awaitable<Reply> retrying(const Op& op) {
    const auto start = Clock::now();
    for (int attempt = 0;; ++attempt) {
      if (!co_await await_connected(Clock::now() + options_.connection_timeout)) {
        Reply r;
        r.rc = ZCONNECTIONLOSS;
        r.unreachable = true;
        co_return r;
      }
      Reply r = co_await op(attempt);
      if (!is_connection_error(r.rc)) co_return r;
      const auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
      const auto wait = options_.retry_wait(attempt, elapsed);
      if (!wait) co_return r;
      asio::steady_timer timer(co_await asio::this_coro::executor);
      timer.expires_after(*wait);
      error_code ignored;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
  }

  // A sequential node, created once even when a lost connection hides whether the first try
  // made it: a retry first looks for a node of ours with the same prefix.
  awaitable<Reply> create_sequential(const std::string& prefix_path, const std::string& data,
                                     int mode, bool container_parents,
                                     std::int64_t* session_out = nullptr) {
    Op op = [&](int attempt) -> awaitable<Reply> {
      if (attempt > 0) {
        Reply mine = co_await find_own(prefix_path);
        if (mine.rc == ZOK) co_return mine;
      }
      if (session_out) *session_out = session_id();
      co_return co_await create_with_parents(prefix_path, data, mode, container_parents);
    };
    co_return co_await retrying(op);
  }

  // The node under prefix_path's parent whose name starts with its base and which this session
  // owns (rc ZOK, value its path), else ZNONODE.
  awaitable<Reply> find_own(const std::string& prefix_path) {
    const std::string parent = parent_of(prefix_path);
    const std::string prefix = base_of(prefix_path);
    Reply listed = co_await children(parent, false);
    Reply out;
    out.rc = listed.rc == ZOK ? ZNONODE : listed.rc;
    if (listed.rc != ZOK) co_return out;
    const auto mine = session_id();
    for (const auto& child : listed.children) {
      if (!child.starts_with(prefix)) continue;
      const std::string path = join_path(parent, child);
      Reply stat = co_await exists(path, false);
      if (stat.rc == ZOK && stat.stat.ephemeralOwner == mine) {
        out.rc = ZOK;
        out.value = path;
        co_return out;
      }
    }
    co_return out;
  }

  // ---- connection state ----

  bool connected() const {
    std::lock_guard guard(mu_);
    return connected_;
  }
  std::int64_t session_id() const {
    std::lock_guard guard(mu_);
    return session_id_;
  }

  awaitable<bool> await_connected(Clock::time_point deadline) {
    for (;;) {
      const auto seen = state_event_.generation();
      {
        std::lock_guard guard(mu_);
        if (closed_) co_return false;
        if (connected_) co_return true;
      }
      if (!co_await state_event_.wait_until(seen, deadline)) co_return false;
    }
  }

  Status error_of(const Reply& r, const std::string& what) const {
    if (r.unreachable) {
      return Status::unavailable("ZooKeeper at " + options_.addresses + " is not reachable: no " +
                                 "connection within " +
                                 std::to_string(options_.connection_timeout.count()) +
                                 " ms (kyuubi.ha.zookeeper.connection.timeout); cannot " + what);
    }
    return Status::unavailable("ZooKeeper at " + options_.addresses + ": cannot " + what + ": " +
                               zerror(r.rc));
  }

  // ---- watches ----

  void add_child_watcher(const std::string& space, std::function<void()> fn) {
    std::lock_guard guard(mu_);
    child_watchers_[space].push_back(std::move(fn));
  }
  void fire_child_watchers(const std::string& space) {
    std::vector<std::function<void()>> fired;
    {
      std::lock_guard guard(mu_);
      auto it = child_watchers_.find(space);
      if (it == child_watchers_.end()) return;
      fired = std::move(it->second);
      child_watchers_.erase(it);
    }
    for (auto& fn : fired)
      fn();
  }
  void fire_all_child_watchers() {
    std::map<std::string, std::vector<std::function<void()>>> fired;
    {
      std::lock_guard guard(mu_);
      fired.swap(child_watchers_);
    }
    for (auto& [space, fns] : fired) {
      for (auto& fn : fns)
        fn();
    }
  }

  // Any change to a watched node: lock waiters look again.
  AsyncEvent& node_event() { return node_event_; }

  // ---- registrations ----

  void add_registration(Registration r) {
    std::lock_guard guard(mu_);
    registrations_.emplace(next_registration_++, std::move(r));
  }
  // Takes the registration whose current or first name is `name` under `space`: its path.
  std::optional<std::string> take_registration(const std::string& space, const std::string& name) {
    std::lock_guard guard(mu_);
    for (auto it = registrations_.begin(); it != registrations_.end(); ++it) {
      const Registration& r = it->second;
      if (r.space == space && (base_of(r.path) == name || r.first_name == name)) {
        std::string path = r.path;
        registrations_.erase(it);
        return path;
      }
    }
    return std::nullopt;
  }

  // Sets the watch that tells this process its node was deleted by someone else.
  awaitable<void> watch_registration(std::string path) {
    Reply r = co_await exists(path, true);
    if (r.rc == ZNONODE) on_node_deleted(path);
  }

  // The nodes last seen under `space`, when they were not none: what lookups answer from while
  // ZooKeeper is out of reach.
  std::optional<std::vector<ServiceNode>> last_seen(const std::string& space) const {
    std::lock_guard guard(mu_);
    const auto it = last_seen_.find(space);
    if (it == last_seen_.end()) return std::nullopt;
    return it->second;
  }
  void remember(const std::string& space, const std::vector<ServiceNode>& nodes) {
    std::lock_guard guard(mu_);
    if (nodes.empty()) {
      last_seen_.erase(space);  // kept bounded: CONNECTION spaces come and go
    } else {
      last_seen_[space] = nodes;
    }
  }

 private:
  static void on_watch(zhandle_t* zh, int type, int state, const char* path, void* ctx) {
    auto* handle = static_cast<HandleContext*>(ctx);
    if (handle->retired.load()) return;  // an old session's last words
    Core* self = handle->core;
    if (type == ZOO_SESSION_EVENT) {
      self->on_session_event(zh, state);
      return;
    }
    const std::string p = path ? path : "";
    if (type == ZOO_CHILD_EVENT || type == ZOO_CREATED_EVENT || type == ZOO_DELETED_EVENT) {
      self->fire_child_watchers(p);
    }
    if (type == ZOO_DELETED_EVENT) self->on_node_deleted(p);
    if (type == ZOO_CHANGED_EVENT) self->rearm(p);
    self->node_event_.notify_all();
  }

  void on_session_event(zhandle_t* zh, int state) {
    {
      std::lock_guard guard(mu_);
      if (state == ZOO_CONNECTED_STATE) {
        connected_ = true;
        const clientid_t* id = zoo_client_id(zh);
        session_id_ = id ? id->client_id : 0;
        negotiated_timeout_ = milliseconds(zoo_recv_timeout(zh));
      } else {
        if (connected_) disconnected_since_ = Clock::now();
        connected_ = false;
        if (state == ZOO_EXPIRED_SESSION_STATE) expired_ = true;
        if (state == ZOO_AUTH_FAILED_STATE) auth_failed_ = true;
      }
    }
    state_event_.notify_all();
  }

  // A registered node of ours was deleted: unless we did it, tell its owner, once.
  void on_node_deleted(const std::string& path) {
    std::function<void()> removed;
    {
      std::lock_guard guard(mu_);
      for (auto it = registrations_.begin(); it != registrations_.end(); ++it) {
        if (it->second.path == path) {
          removed = std::move(it->second.on_removed);
          registrations_.erase(it);
          break;
        }
      }
    }
    if (removed) {
      logger("discovery")->warn("this process's node {} was deleted from ZooKeeper", path);
      removed();
    }
  }

  // A registered node's data changed: its one-shot watch is spent, set it again.
  void rearm(const std::string& path) {
    bool ours = false;
    {
      std::lock_guard guard(mu_);
      for (const auto& [id, r] : registrations_)
        ours = ours || r.path == path;
    }
    auto self = weak_from_this().lock();
    if (!ours || !self) return;
    // Not from the client's thread: a call there could wait on a handle being closed.
    auto again = [self, path]() -> awaitable<void> { co_await self->watch_registration(path); };
    asio::co_spawn(strand_, std::move(again), asio::detached);
  }

  void open_handle() {
    std::unique_lock handle(handle_mu_);
    {
      std::lock_guard guard(mu_);
      if (closed_) return;
      connected_ = false;
      expired_ = false;
      auth_failed_ = false;
      disconnected_since_ = Clock::now();
    }
    handle_ctx_ = std::make_unique<HandleContext>();
    handle_ctx_->core = this;
    zh_ = zookeeper_init2(options_.addresses.c_str(), &Core::on_watch,
                          static_cast<int>(options_.session_timeout.count()), nullptr,
                          handle_ctx_.get(), 0, zk_log);
    if (zh_ && !options_.digest.empty()) {
      // Queued now, sent on every (re)connection by the client.
      (void)zoo_add_auth(zh_, "digest", options_.digest.data(),
                         static_cast<int>(options_.digest.size()), on_forget, nullptr);
    }
    if (!zh_) {
      logger("discovery")
          ->error("cannot start a ZooKeeper client for {}: {}", options_.addresses,
                  std::strerror(errno));
    }
  }

  // Closes the handle; after zookeeper_close returns no callback of it runs again.
  void close_handle() {
    std::unique_lock handle(handle_mu_);
    if (handle_ctx_) handle_ctx_->retired.store(true);
    if (zh_) zookeeper_close(zh_);
    zh_ = nullptr;
    handle_ctx_.reset();
  }

  void reopen_handle() {
    close_handle();
    open_handle();
  }

  // Registers every node of ours again in a new session, and wakes every watcher: what they
  // watched may have changed while nobody could tell them.
  awaitable<bool> restore() {
    std::vector<std::pair<std::uint64_t, Registration>> all;
    {
      std::lock_guard guard(mu_);
      for (const auto& [id, r] : registrations_)
        all.emplace_back(id, r);
    }
    for (auto& [id, r] : all) {
      Reply made = co_await create_sequential(join_path(r.space, r.prefix), r.data,
                                              ZOO_EPHEMERAL_SEQUENTIAL, false);
      if (made.rc != ZOK) {
        logger("discovery")
            ->warn("cannot register {} again: {}", r.prefix, error_of(made, "register").message());
        co_return false;
      }
      bool still = false;
      {
        std::lock_guard guard(mu_);
        auto it = registrations_.find(id);
        if (it != registrations_.end()) {
          it->second.path = made.value;
          still = true;
        }
      }
      if (!still) {
        (void)co_await remove(made.value);  // removed meanwhile
        continue;
      }
      logger("discovery")->info("registered again as {}", made.value);
      co_await watch_registration(made.value);
    }
    fire_all_child_watchers();
    node_event_.notify_all();
    co_return true;
  }

  static awaitable<void> supervise(std::shared_ptr<Core> self) {
    auto log = logger("discovery");
    bool was_connected = false;
    bool need_restore = false;
    std::int64_t session = 0;
    for (;;) {
      const auto seen = self->state_event_.generation();
      bool connected = false, expired = false, auth_failed = false;
      std::int64_t id = 0;
      Clock::time_point since;
      milliseconds timeout = self->options_.session_timeout;
      {
        std::lock_guard guard(self->mu_);
        if (self->closed_) co_return;
        connected = self->connected_;
        expired = self->expired_;
        auth_failed = self->auth_failed_;
        id = self->session_id_;
        since = self->disconnected_since_;
        if (self->negotiated_timeout_.count() > 0) timeout = self->negotiated_timeout_;
      }
      const auto now = Clock::now();
      if (auth_failed) {
        log->error(
            "ZooKeeper at {} refused this process's credentials "
            "(kyuubi.ha.zookeeper.auth.digest); trying again in a new session",
            self->options_.addresses);
      }
      if (expired || auth_failed || (!connected && now - since > timeout)) {
        if (expired) {
          log->warn("ZooKeeper session 0x{:x} expired; opening a new one", id);
        } else if (!auth_failed) {
          log->warn(
              "no connection to ZooKeeper at {} for {} ms (longer than the session timeout): "
              "opening a new session",
              self->options_.addresses,
              std::chrono::duration_cast<milliseconds>(now - since).count());
        }
        self->reopen_handle();
        was_connected = false;
        need_restore = true;
        continue;
      }
      if (connected && !was_connected) {
        log->info("connected to ZooKeeper at {} (session 0x{:x}, timeout {} ms)",
                  self->options_.addresses, id, timeout.count());
        if (session != 0 && id != session) need_restore = true;
        session = id;
      } else if (!connected && was_connected) {
        log->warn(
            "lost the connection to ZooKeeper at {}; sessions already open go on, new ones "
            "wait for it",
            self->options_.addresses);
      }
      was_connected = connected;
      bool retry_soon = !connected;  // look again when the session would be gone
      if (connected && need_restore) {
        need_restore = !co_await self->restore();
        retry_soon = need_restore;
      }
      const auto wake = retry_soon ? Clock::now() + milliseconds(500) : now + std::chrono::hours(1);
      (void)co_await self->state_event_.wait_until(seen, wake);
    }
  }

  asio::strand<asio::io_context::executor_type> strand_;
  const ZooKeeperOptions options_;

  std::shared_mutex handle_mu_;  // the handle may be replaced: shared to use, unique to swap
  zhandle_t* zh_ = nullptr;
  std::unique_ptr<HandleContext> handle_ctx_;  // the watcher context of zh_

  mutable std::mutex mu_;
  bool closed_ = false;
  bool connected_ = false;
  bool expired_ = false;
  bool auth_failed_ = false;
  std::int64_t session_id_ = 0;
  milliseconds negotiated_timeout_{0};
  Clock::time_point disconnected_since_ = Clock::now();
  AsyncEvent state_event_;
  AsyncEvent node_event_;
  std::map<std::string, std::vector<std::function<void()>>> child_watchers_;
  std::map<std::uint64_t, Registration> registrations_;
  std::map<std::string, std::vector<ServiceNode>> last_seen_;
  std::uint64_t next_registration_ = 1;

  char world_[6] = "world";
  char anyone_[7] = "anyone";
  char auth_[5] = "auth";
  char empty_[1] = "";
  ACL acl_entries_[2]{};
  ACL_vector acl_{};
};

// A held semaphore-mutex lease; destroying it deletes the lease node.
class ZooKeeperLock final : public DiscoveryLock {
 public:
  ZooKeeperLock(std::shared_ptr<Core> core, std::string lease)
      : core_(std::move(core)), lease_(std::move(lease)) {}
  ZooKeeperLock(const ZooKeeperLock&) = delete;
  ZooKeeperLock& operator=(const ZooKeeperLock&) = delete;
  ~ZooKeeperLock() override { core_->remove_later(lease_); }

 private:
  std::shared_ptr<Core> core_;
  std::string lease_;
};

// The sequence number Curator sorts lock nodes by: what follows `marker` in the name.
std::string sequence_after(const std::string& name, std::string_view marker) {
  const auto at = name.rfind(marker);
  return at == std::string::npos ? name : name.substr(at + marker.size());
}

class ZooKeeperDiscovery final : public Discovery {
 public:
  ZooKeeperDiscovery(asio::io_context& io, ZooKeeperOptions options)
      : core_(std::make_shared<Core>(io, std::move(options))) {
    core_->start();
  }
  ~ZooKeeperDiscovery() override { core_->close(); }
  ZooKeeperDiscovery(const ZooKeeperDiscovery&) = delete;
  ZooKeeperDiscovery& operator=(const ZooKeeperDiscovery&) = delete;

  std::string_view kind() const override { return "zookeeper"; }
  bool available() const override { return core_->connected(); }

  awaitable<Result<std::vector<ServiceNode>>> get_nodes(const std::string& space,
                                                        std::function<void()> on_change) override {
    auto core = core_;
    const bool watch = static_cast<bool>(on_change);
    if (watch) core->add_child_watcher(space, std::move(on_change));
    if (!core->connected()) {
      // Engines known to be alive a moment ago serve new sessions through an outage.
      if (auto seen = core->last_seen(space)) co_return std::move(*seen);
    }
    Core::Op list = [&](int) { return core->children(space, watch); };
    Reply listed = co_await core->retrying(list);
    std::vector<ServiceNode> nodes;
    if (listed.rc == ZNONODE) {
      // No space yet: a watch on its creation stands in for the children watch.
      if (watch) {
        Reply there = co_await core->exists(space, true);
        if (there.rc == ZOK) core->fire_child_watchers(space);
      }
    } else if (listed.rc != ZOK) {
      co_return core->error_of(listed, "list " + space);
    } else {
      // Each child's data (usually one or two children).
      for (const auto& child : listed.children) {
        const std::string path = join_path(space, child);
        Reply data = co_await core->get(path, false);
        if (data.rc == ZNONODE) continue;  // gone since the listing
        if (data.rc != ZOK) co_return core->error_of(data, "read " + path);
        auto node = parse_node(child, data.value);
        if (!node) {
          logger("discovery")->debug("ignoring {}: {}", path, node.status().message());
          continue;
        }
        nodes.push_back(std::move(node).value());
      }
    }
    core->remember(space, nodes);
    co_return nodes;
  }

  awaitable<Result<ServiceNode>> register_node(const std::string& space, ServiceNode node,
                                               std::function<void()> on_removed) override {
    auto core = core_;
    if (space.size() < 2 || space.front() != '/' || space.back() == '/') {
      co_return Status::error("Invalid discovery space '" + space + "': expected an absolute path");
    }
    Registration r;
    r.space = space;
    r.prefix = node_name_prefix(node);
    r.data = node.data.empty() ? node.address() : node.data;
    r.on_removed = std::move(on_removed);
    const auto deadline = Clock::now() + core->options().node_creation_timeout;
    Reply made;
    for (;;) {
      made = co_await core->create_sequential(join_path(space, r.prefix), r.data,
                                              ZOO_EPHEMERAL_SEQUENTIAL, false);
      if (!made.unreachable || Clock::now() >= deadline) break;
    }
    if (made.rc != ZOK) {
      co_return core->error_of(made,
                               "register " + join_path(space, r.prefix) + " within " +
                                   std::to_string(core->options().node_creation_timeout.count()) +
                                   " ms (kyuubi.ha.zookeeper.node.creation.timeout)");
    }
    r.path = made.value;
    node.name = base_of(made.value);
    node.data = r.data;
    r.first_name = node.name;
    const std::string path = r.path;
    core->add_registration(std::move(r));
    co_await core->watch_registration(path);
    logger("discovery")->info("registered {}", path);
    co_return node;
  }

  awaitable<Status> remove_node(const std::string& space, const std::string& name) override {
    auto core = core_;
    std::string path = core->take_registration(space, name).value_or(join_path(space, name));
    Core::Op op = [&](int) { return core->remove(path); };
    Reply r = co_await core->retrying(op);
    if (r.rc == ZNONODE) co_return Status::error("No node " + name + " under " + space);
    if (r.rc != ZOK) co_return core->error_of(r, "remove " + path);
    co_return Status::ok();
  }

  awaitable<Result<std::vector<std::string>>> get_children(const std::string& path) override {
    auto core = core_;
    Core::Op list = [&](int) { return core->children(path, false); };
    Reply listed = co_await core->retrying(list);
    if (listed.rc == ZNONODE) co_return std::vector<std::string>{};
    if (listed.rc != ZOK) co_return core->error_of(listed, "list " + path);
    co_return std::move(listed.children);
  }

  // PERSISTENT_SEQUENTIAL, as Curator creates kyuubi-ctl's "external" nodes. A retry after a
  // lost connection cannot tell whether the first try made the node (a persistent node has no
  // owner to recognise it by), so it may leave a second one, as Curator would.
  awaitable<Result<ServiceNode>> create_persistent_node(const std::string& space,
                                                        ServiceNode node) override {
    auto core = core_;
    if (space.size() < 2 || space.front() != '/' || space.back() == '/') {
      co_return Status::error("Invalid discovery space '" + space + "': expected an absolute path");
    }
    const std::string prefix_path = join_path(space, node_name_prefix(node));
    const std::string data = node.data.empty() ? node.address() : node.data;
    Core::Op make = [&](int) {
      return core->create_with_parents(prefix_path, data, ZOO_PERSISTENT_SEQUENTIAL);
    };
    Reply made = co_await core->retrying(make);
    if (made.rc != ZOK) co_return core->error_of(made, "create " + prefix_path);
    node.name = base_of(made.value);
    node.data = data;
    logger("discovery")->info("created {}", made.value);
    co_return node;
  }

  // Curator's InterProcessSemaphoreMutex, so that Kyuubi servers and Kitsune gateways exclude
  // each other: a mutex at <path>/locks guards taking one lease at <path>/leases.
  awaitable<Result<std::unique_ptr<DiscoveryLock>>> lock(const std::string& path_ref,
                                                         Clock::time_point deadline) override {
    auto core = core_;
    const std::string path = path_ref;
    const std::string protect = "_c_" + random_uuid() + "-";
    const std::string locks = join_path(path, "locks");
    const std::string leases = join_path(path, "leases");
    auto timeout = [&] { return Status::timed_out("Timeout to lock on path " + path); };

    Reply mine = co_await core->create_sequential(join_path(locks, protect + "lock-"), "",
                                                  ZOO_EPHEMERAL_SEQUENTIAL, true);
    if (mine.rc != ZOK) co_return core->error_of(mine, "lock " + path);
    const std::string my_lock = mine.value;
    struct Cleanup {
      std::shared_ptr<Core> core;
      std::vector<std::string> paths;
      ~Cleanup() {
        for (const auto& p : paths)
          core->remove_later(p);
      }
    } cleanup{core, {my_lock}};

    // The mutex: the lowest sequence holds it; the others watch the one before them.
    for (;;) {
      const auto seen = core->node_event().generation();
      Core::Op list = [&](int) { return core->children(locks, false); };
      Reply listed = co_await core->retrying(list);
      if (listed.rc != ZOK) co_return core->error_of(listed, "lock " + path);
      auto& names = listed.children;
      std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
        return sequence_after(a, "lock-") < sequence_after(b, "lock-");
      });
      const auto at = std::find(names.begin(), names.end(), base_of(my_lock));
      if (at == names.end()) {
        co_return Status::unavailable("ZooKeeper lost the lock node " + my_lock + " of " + path);
      }
      if (at == names.begin()) break;
      // A data watch, as Curator sets: none is left behind when the node is already gone.
      Reply before = co_await core->get(join_path(locks, *(at - 1)), true);
      if (before.rc == ZNONODE) continue;
      if (Clock::now() >= deadline) co_return timeout();
      (void)co_await core->node_event().wait_until(seen, deadline);
    }

    Reply lease = co_await core->create_sequential(join_path(leases, protect + "lease-"), "",
                                                   ZOO_EPHEMERAL_SEQUENTIAL, true);
    if (lease.rc != ZOK) co_return core->error_of(lease, "lock " + path);
    cleanup.paths.push_back(lease.value);
    for (;;) {
      const auto seen = core->node_event().generation();
      Reply listed = co_await core->children(leases, true);
      if (listed.rc != ZOK) co_return core->error_of(listed, "lock " + path);
      const auto& names = listed.children;
      if (std::find(names.begin(), names.end(), base_of(lease.value)) == names.end()) {
        co_return Status::unavailable("ZooKeeper lost the lease " + lease.value + " of " + path);
      }
      if (names.size() <= 1) break;
      if (Clock::now() >= deadline) co_return timeout();
      (void)co_await core->node_event().wait_until(seen, deadline);
    }
    // The lease is ours: keep it, let the mutex go.
    cleanup.paths.pop_back();
    std::unique_ptr<DiscoveryLock> held = std::make_unique<ZooKeeperLock>(core, lease.value);
    co_return held;
  }

  // Curator's DistributedAtomicInteger: 4 bytes, big-endian, updated with a version check.
  awaitable<Result<std::int64_t>> get_and_increment(const std::string& path) override {
    auto core = core_;
    auto encode = [](std::int32_t v) {
      const auto u = static_cast<std::uint32_t>(v);
      return std::string{static_cast<char>(u >> 24), static_cast<char>(u >> 16),
                         static_cast<char>(u >> 8), static_cast<char>(u)};
    };
    for (int round = 0; round < 100; ++round) {
      Core::Op read = [&](int) { return core->get(path, false); };
      Reply current = co_await core->retrying(read);
      if (current.rc == ZNONODE) {
        const std::string one = encode(1);
        Core::Op make = [&](int) { return core->create_with_parents(path, one, ZOO_PERSISTENT); };
        Reply made = co_await core->retrying(make);
        if (made.rc == ZOK) co_return std::int64_t{0};
        if (made.rc == ZNODEEXISTS) continue;
        co_return core->error_of(made, "create the counter " + path);
      }
      if (current.rc != ZOK) co_return core->error_of(current, "read the counter " + path);
      std::int32_t value = 0;
      if (current.value.size() == 4) {
        std::uint32_t u = 0;
        for (char c : current.value)
          u = (u << 8) | static_cast<std::uint8_t>(c);
        value = static_cast<std::int32_t>(u);
      }
      const std::string next = encode(value + 1);
      const int version = current.stat.version;
      Core::Op write = [&](int) { return core->set(path, next, version); };
      Reply written = co_await core->retrying(write);
      if (written.rc == ZOK) co_return std::int64_t{value};
      if (written.rc != ZBADVERSION)
        co_return core->error_of(written, "update the counter " + path);
    }
    co_return Status::unavailable("the counter " + path + " kept changing under this update");
  }

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace

std::unique_ptr<Discovery> make_zookeeper_discovery(asio::io_context& io,
                                                    ZooKeeperOptions options) {
  return std::make_unique<ZooKeeperDiscovery>(io, std::move(options));
}

}  // namespace kitsune::discovery
