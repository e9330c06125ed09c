// Session: opening the engine session (get-or-create, connect, retries), the one-call-at-a-time
// lane to the engine, relayed fetches, and the close path.
#include "session.h"

#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"

namespace kitsune::session {
namespace {

namespace k = config::keys;

}  // namespace

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
      .count();
}

std::int64_t epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

tcli::TOperationHandle Operation::to_thrift() const {
  return frontend::to_thrift_operation_handle(handle, type, has_result_set);
}

Session::Session(asio::io_context& io, engine::EngineManager& engines, Strand home)
    : strand(std::move(home)), io_(io), engines_(engines) {
  last_access_ms = now_ms();
}

void Session::log_launch(const std::string& line) {
  std::lock_guard lock(log_mu_);
  launch_log_.push_back(line);
}

std::vector<std::string> Session::launch_log() const {
  std::lock_guard lock(log_mu_);
  return launch_log_;
}

awaitable<void> Session::open_engine() {
  auto log = logger("session");
  const int max_attempts = std::max(1, conf.get(k::kSessionEngineOpenMaxAttempts));
  const auto retry_wait = conf.get(k::kSessionEngineOpenRetryWait);
  const std::string policy = to_upper(conf.get(k::kSessionEngineOpenOnFailure));
  Status failure;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    if (engine_state_ == EngineState::kClosed) co_return;
    engine::EngineRequest request;
    request.key = key;
    request.session_conf = conf;
    auto self = shared_from_this();
    request.progress = [self](const std::string& line) { self->log_launch(line); };
    auto endpoint = co_await engines_.get_or_create(std::move(request));
    if (!endpoint) {
      failure = endpoint.status();
      break;
    }
    // A CONNECTION engine is this session's own: remember it even if the session closes now.
    endpoint_ = *endpoint;
    if (engine_state_ == EngineState::kClosed) {
      if (key.level == routing::ShareLevel::kConnection && endpoint_.launched_here) {
        engines_.stop_engine(endpoint_.ref_id);
      }
      co_return;
    }
    failure = co_await connect_and_open(*endpoint);
    if (failure.is_ok()) {
      engine_state_ = EngineState::kReady;
      engine_changed_.notify_all();
      log->info("[S{}] {} on engine {} at {}", id, user, endpoint_.ref_id, endpoint_.address());
      co_return;
    }
    // Only an engine that cannot be reached is worth another attempt; one that refused the
    // session said no.
    if ((failure.code() != StatusCode::kUnavailable && failure.code() != StatusCode::kTimedOut) ||
        attempt == max_attempts) {
      break;
    }
    log_launch("Engine at " + endpoint->address() + " cannot be reached (" + failure.message() +
               "; attempt " + std::to_string(attempt) + " of " + std::to_string(max_attempts) +
               ")");
    {
      // An engine that just died leaves discovery within moments (its launcher sees the exit);
      // then the next attempt finds or launches another at once.
      asio::steady_timer settle(co_await asio::this_coro::executor);
      settle.expires_after(std::chrono::milliseconds(100));
      error_code ignored;
      co_await settle.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      auto now_there = co_await engines_.lookup(key);
      const bool same = now_there && *now_there && (**now_there).address() == endpoint->address();
      if (!same) continue;
    }
    if (policy == "DEREGISTER_IMMEDIATELY" ||
        (policy == "DEREGISTER_AFTER_RETRY" && attempt + 1 == max_attempts)) {
      co_await engines_.deregister(key, *endpoint);
    } else {
      asio::steady_timer wait(co_await asio::this_coro::executor);
      wait.expires_after(retry_wait);
      error_code ec;
      co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }
  if (engine_state_ == EngineState::kClosed) co_return;
  log->warn("[S{}] no engine for {}: {}", id, user, failure.message());
  log_launch("Failed: " + failure.message());
  engine_state_ = EngineState::kFailed;
  engine_dead = true;
  engine_failure_ = failure.code() == StatusCode::kOk
                        ? Status::unavailable("no engine could be opened")
                        : Status(failure.code(), failure.message(),
                                 failure.sql_state().empty() ? "08S01" : failure.sql_state());
  engine_changed_.notify_all();
}

client::ClientOptions Session::engine_client_options(const engine::EngineEndpoint& endpoint) const {
  client::ClientOptions options;
  options.host = endpoint.host;
  options.port = endpoint.port;
  options.auth = client::ClientAuth::kPlain;
  options.user = user;
  // Engines launched by Kitsune authenticate nobody (NONE); the client's own password stays here.
  options.password = "anonymous";
  options.connect_timeout = conf.get(k::kSessionEngineLoginTimeout);
  options.max_message_bytes =
      static_cast<std::size_t>(conf.get(k::kFrontendThriftClientMaxMessageSize));
  return options;
}

awaitable<Status> Session::connect_and_open(const engine::EngineEndpoint& endpoint) {
  const client::ClientOptions options = engine_client_options(endpoint);
  thrift_config_ = transport::thrift_config(options.max_message_bytes);
  auto connected = co_await client::Hs2Client::connect(options);
  if (!connected) co_return connected.status();
  auto client = std::move(connected).value();

  tcli::TOpenSessionReq req;
  req.client_protocol = protocol;
  req.__set_username(user);
  req.__set_password("anonymous");
  req.__set_configuration(engine_conf);
  auto resp = co_await client->open_session(req);
  if (!resp) co_return resp.status();
  if (resp->status.statusCode != tcli::TStatusCode::SUCCESS_STATUS &&
      resp->status.statusCode != tcli::TStatusCode::SUCCESS_WITH_INFO_STATUS) {
    co_return Status::error("the engine refused the session: " + resp->status.errorMessage,
                            resp->status.sqlState.empty() ? "HY000" : resp->status.sqlState,
                            resp->status.errorCode);
  }
  if (engine_state_ == EngineState::kClosed) {
    // Closed while we were opening it: undo.
    tcli::TCloseSessionReq close;
    close.sessionHandle = resp->sessionHandle;
    (void)co_await client->close_session(close);
    client->close();
    if (key.level == routing::ShareLevel::kConnection && endpoint.launched_here) {
      engines_.stop_engine(endpoint.ref_id);
    }
    co_return Status::cancelled("the session was closed");
  }
  engine_session_ = resp->sessionHandle;
  engine_info_ = resp->configuration;
  client_ = std::move(client);
  co_return Status::ok();
}

awaitable<Status> Session::await_engine() {
  for (;;) {
    const auto seen = engine_changed_.generation();
    switch (engine_state_) {
      case EngineState::kReady:
        co_return Status::ok();
      case EngineState::kFailed:
        co_return engine_failure_;
      case EngineState::kClosed:
        co_return Status::invalid_handle("Invalid SessionHandle: the session is closed");
      case EngineState::kPending:
        break;
    }
    co_await engine_changed_.wait_until(seen, Clock::time_point::max());
  }
}

awaitable<void> Session::acquire_lane() {
  while (lane_busy_) {
    const auto seen = lane_freed_.generation();
    if (!lane_busy_) break;
    co_await lane_freed_.wait_until(seen, Clock::time_point::max());
  }
  lane_busy_ = true;
}

void Session::release_lane() {
  lane_busy_ = false;
  lane_freed_.notify_all();
}

Status Session::not_ready() const {
  if (engine_state_ == EngineState::kFailed && !engine_failure_.is_ok()) return engine_failure_;
  if (engine_state_ == EngineState::kClosed) {
    return Status::cancelled("The session was closed while this call waited for its engine (" +
                             closed_why_ + ")");
  }
  return Status::unavailable("The session has no engine connection");
}

void Session::engine_lost(const Status& cause) {
  if (engine_state_ != EngineState::kReady) return;
  logger("session")->warn("[S{}] engine {} at {} is gone: {}", id, endpoint_.ref_id,
                          endpoint_.address(), cause.message());
  engine_state_ = EngineState::kFailed;
  engine_dead = true;
  engine_failure_ =
      Status::unavailable("The engine " + endpoint_.ref_id + " at " + endpoint_.address() +
                          " serving this session is gone (" + cause.message() +
                          "); its operations are lost. Open a new session to get a new engine.");
  if (client_) client_->close();
  engine_changed_.notify_all();
}

namespace {

// Passes the engine's FetchResults reply on to the client once its header shows it is the answer
// to our call.
class FetchRelay : public client::ReplySink {
 public:
  FetchRelay(frontend::ReplyStream& out, std::int32_t seqid) : out_(out), seqid_(seqid) {}

  // The engine answered something else: the connection is out of step.
  bool out_of_step() const { return out_of_step_; }

  awaitable<Status> begin(std::span<const std::uint8_t> first, std::size_t length) override {
    auto header = transport::parse_message_header(first);
    if (!header || header->name != "FetchResults" || header->seqid != seqid_ ||
        (header->type != transport::MessageType::kReply &&
         header->type != transport::MessageType::kException)) {
      out_of_step_ = true;
      co_return Status::error("the engine sent an unexpected reply to FetchResults");
    }
    Status s = co_await out_.begin(length);
    if (s.is_ok()) s = co_await out_.write(first);
    co_return s;
  }

  awaitable<Status> more(std::span<const std::uint8_t> bytes) override {
    co_return co_await out_.write(bytes);
  }

 private:
  frontend::ReplyStream& out_;
  std::int32_t seqid_;
  bool out_of_step_ = false;
};

}  // namespace

awaitable<Status> Session::relay_fetch(tcli::TFetchResultsReq req, std::int32_t seqid,
                                       frontend::ReplyStream& out) {
  Status ready = co_await await_engine();
  if (!ready.is_ok()) co_return ready;
  co_await acquire_lane();
  LaneHold lane{this};
  if (engine_state_ != EngineState::kReady || !client_) co_return not_ready();
  tcli::TCLIService_FetchResults_pargs args;
  args.req = &req;
  auto bytes = encoder_.encode("FetchResults", transport::MessageType::kCall, seqid, args);
  FetchRelay relay(out, seqid);
  Status s = co_await client_->call_streaming(bytes, relay);
  encoder_.release();
  if (relay.out_of_step()) {
    engine_lost(s);
    co_return not_ready();
  }
  if (!s.is_ok() && !client_->is_open()) {
    engine_lost(s);
    co_return not_ready();
  }
  co_return s;  // written, or the client's side failed
}

awaitable<void> Session::close_engine_session_aside() {
  auto side = co_await client::Hs2Client::connect(engine_client_options(endpoint_));
  if (!side) {
    logger("session")->debug("[S{}] closing the engine session aside: {}", id,
                             side.status().message());
    co_return;
  }
  tcli::TCloseSessionReq req;
  req.sessionHandle = engine_session_;
  auto r = co_await (*side)->close_session(req);
  if (!r) {
    logger("session")->debug("[S{}] closing the engine session aside: {}", id,
                             r.status().message());
  }
  (*side)->close();
}

awaitable<void> Session::close(std::string why) {
  const EngineState was = engine_state_;
  if (was == EngineState::kClosed) co_return;
  engine_state_ = EngineState::kClosed;
  closed_why_ = why;
  engine_changed_.notify_all();
  if (was == EngineState::kReady && client_) {
    // A call holds the engine connection (a synchronous statement, a long poll): close the
    // engine session over a connection of its own, which ends what runs in it, instead of
    // waiting for it.
    if (lane_busy_) co_await close_engine_session_aside();
    co_await acquire_lane();
    tcli::TCloseSessionReq req;
    req.sessionHandle = engine_session_;
    auto r = co_await client_->close_session(req);
    if (!r) {
      logger("session")->debug("[S{}] closing the engine session: {}", id, r.status().message());
    }
    client_->close();
    release_lane();
  }
  if (key.level == routing::ShareLevel::kConnection && endpoint_.launched_here) {
    engines_.stop_engine(endpoint_.ref_id);
  }
  logger("session")->info("[S{}] closed ({})", id, why);
}

}  // namespace kitsune::session
