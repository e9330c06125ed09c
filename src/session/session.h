// Session and Operation: one client session of the gateway, its engine connection (used only on
// the session's strand, one call at a time), and the operations mapped onto the engine's.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kitsune/client/hs2_client.h"
#include "kitsune/common/asio.h"
#include "kitsune/common/async_event.h"
#include "kitsune/common/handle.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"
#include "kitsune/engine/engine_manager.h"
#include "kitsune/frontend/hs2_service.h"
#include "kitsune/routing/engine_key.h"
#include "kitsune/session/session_limiter.h"
#include "kitsune/tcli/tcli.h"
#include "kitsune/transport/thrift_codec.h"

namespace kitsune::session {

using Clock = std::chrono::steady_clock;

struct Operation {
  Handle handle;  // the gateway's
  std::string session_key;
  tcli::TOperationType::type type = tcli::TOperationType::UNKNOWN;
  bool has_result_set = false;
  bool is_launch = false;  // the LaunchEngine operation, answered by the gateway itself
  tcli::TOperationHandle engine_handle;  // the engine's (not for the launch operation)
  std::string statement;                 // ExecuteStatement's, for listings
  std::int64_t created_epoch_ms = 0;     // wall clock, for listings
  // Written on the session's strand; read anywhere (listings).
  std::atomic<tcli::TOperationState::type> state{tcli::TOperationState::RUNNING_STATE};
  std::vector<std::string> prelude_log;  // gateway lines shown before the engine's log
  std::size_t prelude_sent = 0;
  std::atomic<std::int64_t> last_access_ms{0};  // steady clock, for the idle check

  bool running() const {
    return state == tcli::TOperationState::INITIALIZED_STATE ||
           state == tcli::TOperationState::PENDING_STATE ||
           state == tcli::TOperationState::RUNNING_STATE;
  }
  tcli::TOperationHandle to_thrift() const;
};

std::int64_t now_ms();
// Milliseconds since the epoch (wall clock), for what users are shown.
std::int64_t epoch_ms();

class Session : public std::enable_shared_from_this<Session> {
 public:
  enum class EngineState { kPending, kReady, kFailed, kClosed };

  using Strand = asio::strand<asio::io_context::executor_type>;

  // `home`: the strand the session's work and engine connection run on. The gateway passes the
  // strand of the client connection that opens the session, so that the calls of that
  // connection run the session's work inline instead of hopping threads.
  Session(asio::io_context& io, engine::EngineManager& engines, Strand home);

  // Fixed at OpenSession.
  Handle handle;
  std::string id;  // the handle's UUID: the ref id of engines it launches
  std::string real_user, user, principal, client_ip;
  std::uint64_t connection_id = 0;  // 0: no connection owns it (HTTP, REST)
  bool close_on_disconnect = true;
  std::int64_t created_epoch_ms = 0;               // wall clock, for listings
  std::map<std::string, std::string> client_conf;  // what the client asked for, for listings
  tcli::TProtocolVersion::type protocol = tcli::TProtocolVersion::HIVE_CLI_SERVICE_PROTOCOL_V11;
  config::Conf conf;                               // the session's effective configuration
  std::map<std::string, std::string> engine_conf;  // sent in the engine's OpenSession
  routing::EngineKey key;
  std::shared_ptr<Operation> launch_op;
  Strand strand;
  // What the session counts against the connection limits; released when the session closes.
  std::unique_ptr<SessionLimiter::Ticket> limit_ticket;

  std::atomic<int> active_calls{0};
  std::atomic<bool> launch_log_shown{false};
  // The engine failed to open or went away: nothing of this session runs any more.
  std::atomic<bool> engine_dead{false};
  std::atomic<std::int64_t> last_access_ms{0};

  // Launch log: any thread.
  void log_launch(const std::string& line);
  std::vector<std::string> launch_log() const;

  // --- on the strand only ---
  // Finds or launches the engine and opens the engine session (retrying refused connections).
  awaitable<void> open_engine();
  // Waits for open_engine(); the engine's failure, or "closed" / "gone" errors.
  awaitable<Status> await_engine();
  EngineState engine_state() const { return engine_state_; }
  const Status& engine_failure() const { return engine_failure_; }
  const std::map<std::string, std::string>& engine_info() const { return engine_info_; }
  const tcli::TSessionHandle& engine_session() const { return engine_session_; }
  const engine::EngineEndpoint& endpoint() const { return endpoint_; }

  // One call to the engine with the session's lane held.
  template <typename Req, typename Resp>
  awaitable<Result<Resp>> call(awaitable<Result<Resp>> (client::Hs2Client::*method)(const Req&),
                               const Req& req);
  // FetchResults relayed: the request goes with the caller's seqid, and the engine's reply
  // streams into `out` as it arrives, its bytes unchanged.
  awaitable<Status> relay_fetch(tcli::TFetchResultsReq req, std::int32_t seqid,
                                frontend::ReplyStream& out);
  // Closes the engine session (and stops a CONNECTION engine launched for it). Idempotent.
  awaitable<void> close(std::string why);

 private:
  awaitable<void> acquire_lane();
  void release_lane();
  // Releases the lane when a call's scope ends, whichever way it ends.
  struct LaneHold {
    Session* s;
    ~LaneHold() { s->release_lane(); }
  };
  void engine_lost(const Status& cause);
  // Why a call that held the lane cannot go on: the engine's failure, or the session's close.
  Status not_ready() const;
  client::ClientOptions engine_client_options(const engine::EngineEndpoint& endpoint) const;
  awaitable<Status> connect_and_open(const engine::EngineEndpoint& endpoint);
  // CloseSession over a connection of its own, while the session's connection is busy.
  awaitable<void> close_engine_session_aside();

  asio::io_context& io_;
  engine::EngineManager& engines_;
  mutable std::mutex log_mu_;
  std::vector<std::string> launch_log_;

  EngineState engine_state_ = EngineState::kPending;
  Status engine_failure_;
  std::string closed_why_;
  AsyncEvent engine_changed_;
  engine::EngineEndpoint endpoint_;
  std::unique_ptr<client::Hs2Client> client_;
  tcli::TSessionHandle engine_session_;
  std::map<std::string, std::string> engine_info_;
  bool lane_busy_ = false;
  AsyncEvent lane_freed_;
  transport::MessageEncoder encoder_;
  std::shared_ptr<apache::thrift::TConfiguration> thrift_config_;
};

// Runs `work` on `strand` and returns its result to the caller's executor.
template <typename R>
awaitable<void> run_into(awaitable<R> work, std::optional<R>& out) {
  out.emplace(co_await std::move(work));
}
template <typename R, typename Strand>
awaitable<R> on_strand(const Strand& strand, awaitable<R> work) {
  // Already there (a call from the connection that opened the session): no hop.
  if (strand.running_in_this_thread()) co_return co_await std::move(work);
  std::optional<R> out;
  co_await asio::co_spawn(strand, run_into(std::move(work), out), asio::use_awaitable);
  co_return std::move(*out);
}

template <typename Req, typename Resp>
awaitable<Result<Resp>> Session::call(
    awaitable<Result<Resp>> (client::Hs2Client::*method)(const Req&), const Req& req) {
  Status ready = co_await await_engine();
  if (!ready.is_ok()) co_return ready;
  co_await acquire_lane();
  LaneHold lane{this};
  if (engine_state_ != EngineState::kReady || !client_) co_return not_ready();
  auto r = co_await ((*client_).*method)(req);
  if (!r && (r.status().code() == StatusCode::kUnavailable ||
             r.status().code() == StatusCode::kTimedOut || !client_->is_open())) {
    engine_lost(r.status());
    co_return not_ready();
  }
  co_return r;
}

}  // namespace kitsune::session
