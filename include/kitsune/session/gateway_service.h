// GatewayService: the gateway's TCLIService: sessions with their own handles, each routed to an
// engine by share level and proxied to it over one engine connection of its own.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kitsune/common/asio.h"
#include "kitsune/common/async_event.h"
#include "kitsune/common/blocking_pool.h"
#include "kitsune/config/conf.h"
#include "kitsune/engine/engine_manager.h"
#include "kitsune/frontend/hs2_service.h"
#include "kitsune/session/proxy_rules.h"
#include "kitsune/session/session_limiter.h"

namespace kitsune::session {

struct GatewayOptions {
  std::string version;         // the Kyuubi-compatible version label of engine spaces
  std::string server_user;     // OS user of this process (SERVER share level)
  std::string server_ip;       // kyuubi.server.ipAddress
  std::string connection_url;  // host:port clients reach this server at
  config::Conf server_conf;
  // The server's configuration with `user`'s ___user___ defaults overlaid.
  std::function<config::Conf(std::string_view user)> conf_for_user;
};

class Session;
struct Operation;

// What listings (REST, admin) show of a session; a copy, taken under the service's lock.
struct SessionSnapshot {
  std::string id;
  tcli::TSessionHandle handle;  // with its secret: for calls the REST frontend makes on behalf
  std::string user, real_user, principal, client_ip;
  std::map<std::string, std::string> conf;  // what the client asked for
  std::int64_t created_epoch_ms = 0;
  std::int64_t idle_ms = 0;
  int operation_count = 0;
  std::string engine_space;
  std::string engine_type;
};

struct OperationSnapshot {
  std::string id;
  tcli::TOperationHandle handle;
  std::string session_id, session_user, statement;
  tcli::TOperationState::type state = tcli::TOperationState::INITIALIZED_STATE;
  tcli::TOperationType::type type = tcli::TOperationType::UNKNOWN;
  bool has_result_set = false;
  bool is_launch = false;
  std::int64_t created_epoch_ms = 0;
};

class GatewayService final : public frontend::Hs2Service {
 public:
  using Clock = std::chrono::steady_clock;

  // `engines` and `pool` must outlive the service.
  GatewayService(asio::io_context& io, GatewayOptions options, engine::EngineManager& engines,
                 BlockingPool& pool);
  ~GatewayService() override;

  // Starts the janitor (idle sessions and operations); warns about proxy rules that match nothing.
  void start();
  // host:port clients reach this server at (kyuubi.session.connection.url), once it is bound.
  void set_connection_url(std::string url);

#define KITSUNE_GATEWAY_METHOD(Method, snake)                                      \
  awaitable<Result<tcli::T##Method##Resp>> snake(const frontend::CallContext& ctx, \
                                                 const tcli::T##Method##Req& req) override;
  KITSUNE_TCLI_METHODS(KITSUNE_GATEWAY_METHOD)
#undef KITSUNE_GATEWAY_METHOD

  awaitable<std::optional<Status>> relay_fetch_results(const frontend::CallContext& ctx,
                                                       const tcli::TFetchResultsReq& req,
                                                       std::int32_t seqid,
                                                       frontend::ReplyStream& out) override;
  awaitable<void> on_disconnect(const frontend::CallContext& ctx) override;

  // Shutdown, in order: refuse new sessions; wait (up to `deadline`) for running operations and
  // calls in progress to finish, then cancel what still runs; close every session.
  void stop_accepting();
  awaitable<void> drain(Clock::time_point deadline);
  awaitable<void> close_all();

  std::size_t session_count() const;

  // Listings for the REST API (any thread). Lookups by UUID; nullopt when unknown.
  std::vector<SessionSnapshot> list_sessions() const;
  std::vector<OperationSnapshot> list_operations() const;
  std::optional<SessionSnapshot> session_by_id(std::string_view id) const;
  std::optional<OperationSnapshot> operation_by_id(std::string_view id) const;
  // kyuubi.server.administrators, and the user this server runs as.
  bool is_administrator(const std::string& user) const;
  // Whether `real_user` may act as `proxy` from `client_ip` (an administrator always may; others
  // by the hadoop.proxyuser.* rules); kUnauthenticated saying why not. Off the event loop.
  awaitable<Status> authorize_proxy(const std::string& real_user, const std::string& proxy,
                                    const std::string& client_ip);
  // Takes the unlimited and deny lists of kyuubi.server.limit.connections.* from `conf`.
  void refresh_limits(const config::Conf& conf);
  // Closes a session by UUID whoever owns it (an administrator's call); false when unknown.
  awaitable<bool> close_session_by_id(std::string_view id, std::string why);

 private:
  Result<std::shared_ptr<Session>> find_session(const frontend::CallContext& ctx,
                                                const tcli::TSessionHandle& handle);
  Result<std::pair<std::shared_ptr<Session>, std::shared_ptr<Operation>>> find_operation(
      const frontend::CallContext& ctx, const tcli::TOperationHandle& handle);
  void add_operation(const std::shared_ptr<Session>& session, std::shared_ptr<Operation> op);
  void remove_operation(const std::shared_ptr<Operation>& op);
  awaitable<void> close_session(std::shared_ptr<Session> session, std::string why);
  awaitable<void> janitor();
  bool in_flight() const;

  asio::io_context& io_;
  GatewayOptions options_;
  engine::EngineManager& engines_;
  BlockingPool& pool_;
  asio::strand<asio::io_context::executor_type> janitor_strand_;
  asio::steady_timer janitor_timer_;

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Session>, std::less<>> sessions_;  // by guid bytes
  std::map<std::string, std::shared_ptr<Operation>, std::less<>> operations_;
  std::string connection_url_;  // under mu_
  std::atomic<bool> accepting_{true};
  std::atomic<bool> stopped_{false};
  AsyncEvent activity_;  // a call ended or an operation changed state (for drain)
  // Read once from the server's configuration; immutable afterwards (read from pool threads).
  const ProxyRules proxy_rules_;
  const std::shared_ptr<SessionLimiter> limiter_;
};

}  // namespace kitsune::session
