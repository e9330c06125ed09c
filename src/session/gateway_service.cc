// GatewayService: OpenSession (users, proxy user, connection limits, session conf, routing, async
// launch), handle mapping for every forwarded call, the LaunchEngine operation, idle janitor and
// shutdown.
#include "kitsune/session/gateway_service.h"

#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "kitsune/config/session_conf.h"
#include "kitsune/routing/groups.h"
#include "session.h"

namespace kitsune::session {
namespace {

namespace k = config::keys;
using tcli::TOperationState;
using tcli::TStatusCode;

constexpr auto kMaxProtocol = tcli::TProtocolVersion::HIVE_CLI_SERVICE_PROTOCOL_V11;

// The user name Kyuubi derives from a principal: up to the first '/' or '@'.
std::string short_name(std::string_view name) {
  auto cut = name.find_first_of("/@");
  return std::string(trim(name.substr(0, cut)));
}

tcli::TRowSet log_rows(const std::vector<std::string>& lines,
                       tcli::TProtocolVersion::type protocol) {
  tcli::TRowSet rs;
  rs.startRowOffset = 0;
  if (protocol >= tcli::TProtocolVersion::HIVE_CLI_SERVICE_PROTOCOL_V6) {
    tcli::TStringColumn col;
    col.values = lines;
    col.nulls = std::string((lines.size() + 7) / 8, '\0');
    tcli::TColumn c;
    c.__set_stringVal(col);
    rs.__set_columns({c});
  } else {
    for (const auto& line : lines) {
      tcli::TStringValue v;
      v.__set_value(line);
      tcli::TColumnValue cv;
      cv.__set_stringVal(v);
      tcli::TRow row;
      row.colVals.push_back(cv);
      rs.rows.push_back(row);
    }
  }
  return rs;
}

// Puts `lines` before the rows of an operation log batch, in whichever form it came.
void prepend_log(tcli::TRowSet& rs, const std::vector<std::string>& lines) {
  if (lines.empty()) return;
  if (rs.__isset.columns && !rs.columns.empty() && rs.columns[0].__isset.stringVal) {
    auto& col = rs.columns[0].stringVal;
    const std::size_t old_rows = col.values.size();
    col.values.insert(col.values.begin(), lines.begin(), lines.end());
    // Shift the null bitmap by lines.size() bits (the new rows are not null).
    std::string nulls((col.values.size() + 7) / 8, '\0');
    for (std::size_t i = 0; i < old_rows; ++i) {
      const bool null =
          i / 8 < col.nulls.size() && (static_cast<unsigned char>(col.nulls[i / 8]) >> (i % 8)) & 1;
      if (null) {
        const std::size_t j = i + lines.size();
        nulls[j / 8] = static_cast<char>(nulls[j / 8] | (1 << (j % 8)));
      }
    }
    col.nulls = nulls;
    return;
  }
  std::vector<tcli::TRow> rows;
  for (const auto& line : lines) {
    tcli::TStringValue v;
    v.__set_value(line);
    tcli::TColumnValue cv;
    cv.__set_stringVal(v);
    tcli::TRow row;
    row.colVals.push_back(cv);
    rows.push_back(row);
  }
  rs.rows.insert(rs.rows.begin(), rows.begin(), rows.end());
}

bool succeeded(const tcli::TStatus& s) {
  return s.statusCode == TStatusCode::SUCCESS_STATUS ||
         s.statusCode == TStatusCode::SUCCESS_WITH_INFO_STATUS;
}

// Counts a call in progress on a session, for the idle check and for drain.
class CallScope {
 public:
  CallScope(Session& s, AsyncEvent& activity) : s_(s), activity_(activity) {
    ++s_.active_calls;
    s_.last_access_ms = now_ms();
  }
  ~CallScope() {
    s_.last_access_ms = now_ms();
    --s_.active_calls;
    activity_.notify_all();
  }
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  Session& s_;
  AsyncEvent& activity_;
};

// Marks an operation used when a call on it ends too (a long poll may take seconds).
struct OperationTouch {
  Operation& op;
  ~OperationTouch() { op.last_access_ms = now_ms(); }
};

// --- work that runs on a session's strand ---

template <typename Req, typename Resp>
awaitable<Result<Resp>> session_call(
    std::shared_ptr<Session> s, awaitable<Result<Resp>> (client::Hs2Client::*method)(const Req&),
    Req req) {
  Status ready = co_await s->await_engine();
  if (!ready.is_ok()) co_return ready;
  req.sessionHandle = s->engine_session();
  co_return co_await s->call(method, req);
}

template <typename Req, typename Resp>
awaitable<Result<Resp>> operation_call(
    std::shared_ptr<Session> s, std::shared_ptr<Operation> op,
    awaitable<Result<Resp>> (client::Hs2Client::*method)(const Req&), Req req) {
  req.operationHandle = op->engine_handle;
  co_return co_await s->call(method, req);
}

// ExecuteStatement goes to the engine as the client sent it. A synchronous one holds the
// session's engine connection until it ends; closing the session (a drain past its deadline, a
// client gone) then ends it through a connection of its own (Session::close).
awaitable<Result<tcli::TExecuteStatementResp>> execute_on_engine(std::shared_ptr<Session> s,
                                                                 tcli::TExecuteStatementReq req) {
  Status ready = co_await s->await_engine();
  if (!ready.is_ok()) co_return ready;
  req.sessionHandle = s->engine_session();
  co_return co_await s->call(&client::Hs2Client::execute_statement, req);
}

awaitable<Result<tcli::TFetchResultsResp>> fetch_log(std::shared_ptr<Session> s,
                                                     std::shared_ptr<Operation> op,
                                                     tcli::TFetchResultsReq req) {
  const bool from_start = req.orientation == tcli::TFetchOrientation::FETCH_FIRST;
  if (from_start) op->prelude_sent = 0;
  std::vector<std::string> prelude(
      op->prelude_log.begin() +
          static_cast<std::ptrdiff_t>(std::min(op->prelude_sent, op->prelude_log.size())),
      op->prelude_log.end());
  req.operationHandle = op->engine_handle;
  auto resp = co_await s->call(&client::Hs2Client::fetch_results, req);
  if (!resp) co_return resp;
  if (succeeded(resp->status)) {
    if (!resp->__isset.results) resp->__set_results(log_rows({}, s->protocol));
    prepend_log(resp->results, prelude);
    op->prelude_sent = op->prelude_log.size();
  }
  co_return resp;
}

awaitable<Result<tcli::TGetOperationStatusResp>> launch_status(std::shared_ptr<Session> s) {
  tcli::TGetOperationStatusResp resp;
  resp.__set_hasResultSet(false);
  switch (s->engine_state()) {
    case Session::EngineState::kPending:
      resp.__set_operationState(TOperationState::RUNNING_STATE);
      break;
    case Session::EngineState::kReady:
      resp.__set_operationState(TOperationState::FINISHED_STATE);
      break;
    case Session::EngineState::kFailed: {
      resp.__set_operationState(TOperationState::ERROR_STATE);
      resp.__set_errorMessage(s->engine_failure().message());
      resp.__set_sqlState(s->engine_failure().sql_state());
      break;
    }
    case Session::EngineState::kClosed:
      resp.__set_operationState(TOperationState::CLOSED_STATE);
      break;
  }
  co_return resp;
}

awaitable<Result<tcli::TGetOperationStatusResp>> operation_status(
    std::shared_ptr<Session> s, std::shared_ptr<Operation> op, tcli::TGetOperationStatusReq req) {
  req.operationHandle = op->engine_handle;
  auto resp = co_await s->call(&client::Hs2Client::get_operation_status, req);
  if (resp && succeeded(resp->status) && resp->__isset.operationState) {
    op->state = resp->operationState;
  }
  co_return resp;
}

awaitable<Result<tcli::TCancelOperationResp>> cancel_on_engine(std::shared_ptr<Session> s,
                                                               std::shared_ptr<Operation> op) {
  tcli::TCancelOperationReq req;
  req.operationHandle = op->engine_handle;
  auto resp = co_await s->call(&client::Hs2Client::cancel_operation, req);
  if (resp && succeeded(resp->status)) op->state = TOperationState::CANCELED_STATE;
  co_return resp;
}

awaitable<Result<tcli::TCloseOperationResp>> close_on_engine(std::shared_ptr<Session> s,
                                                             std::shared_ptr<Operation> op) {
  tcli::TCloseOperationReq req;
  req.operationHandle = op->engine_handle;
  op->state = TOperationState::CLOSED_STATE;
  co_return co_await s->call(&client::Hs2Client::close_operation, req);
}

awaitable<Status> relay_on_engine(std::shared_ptr<Session> s, std::shared_ptr<Operation> op,
                                  tcli::TFetchResultsReq req, std::int32_t seqid,
                                  frontend::ReplyStream& out) {
  req.operationHandle = op->engine_handle;
  co_return co_await s->relay_fetch(std::move(req), seqid, out);
}

awaitable<Result<bool>> open_now(std::shared_ptr<Session> s) {
  co_await s->open_engine();
  Status st = co_await s->await_engine();
  if (!st.is_ok()) co_return st;
  co_return true;
}

awaitable<void> close_on_strand(std::shared_ptr<Session> s, std::string why) {
  co_await s->close(std::move(why));
}

}  // namespace

GatewayService::GatewayService(asio::io_context& io, GatewayOptions options,
                               engine::EngineManager& engines, BlockingPool& pool)
    : io_(io),
      options_(std::move(options)),
      engines_(engines),
      pool_(pool),
      janitor_strand_(asio::make_strand(io)),
      janitor_timer_(janitor_strand_),
      proxy_rules_(ProxyRules::from_conf(options_.server_conf)),
      limiter_(SessionLimiter::create(SessionLimits::from_conf(options_.server_conf))) {}

GatewayService::~GatewayService() = default;

void GatewayService::start() {
  for (const auto& problem : proxy_rules_.problems())
    logger("session")->warn("{}", problem);
  asio::co_spawn(janitor_strand_, janitor(), asio::detached);
}

bool GatewayService::is_administrator(const std::string& user) const {
  // Kyuubi: the user running the server is always an administrator.
  if (user == options_.server_user) return true;
  for (const auto& admin : options_.server_conf.get(k::kServerAdministrators)) {
    if (trim(admin) == user) return true;
  }
  return false;
}

void GatewayService::set_connection_url(std::string url) {
  std::lock_guard lock(mu_);
  connection_url_ = std::move(url);
}

std::size_t GatewayService::session_count() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

Result<std::shared_ptr<Session>> GatewayService::find_session(const frontend::CallContext& ctx,
                                                              const tcli::TSessionHandle& handle) {
  auto h = Handle::from_bytes(handle.sessionId.guid, handle.sessionId.secret);
  if (!h) return Status::invalid_handle("Invalid SessionHandle");
  std::shared_ptr<Session> s;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(h->key());
    if (it != sessions_.end()) s = it->second;
  }
  // Unknown, forged and foreign handles all read the same, so that none can be probed.
  if (!s || !s->handle.secret_matches(*h) ||
      (!s->principal.empty() && s->principal != ctx.principal)) {
    return Status::invalid_handle("Invalid SessionHandle: " + h->id() +
                                  (accepting_ ? "" : " (the server is shutting down)"));
  }
  return s;
}

Result<std::pair<std::shared_ptr<Session>, std::shared_ptr<Operation>>>
GatewayService::find_operation(const frontend::CallContext& ctx,
                               const tcli::TOperationHandle& handle) {
  auto h = Handle::from_bytes(handle.operationId.guid, handle.operationId.secret);
  if (!h) return Status::invalid_handle("Invalid OperationHandle");
  std::shared_ptr<Operation> op;
  std::shared_ptr<Session> s;
  {
    std::lock_guard lock(mu_);
    auto it = operations_.find(h->key());
    if (it != operations_.end()) {
      op = it->second;
      auto sit = sessions_.find(op->session_key);
      if (sit != sessions_.end()) s = sit->second;
    }
  }
  if (!op || !s || !op->handle.secret_matches(*h) ||
      (!s->principal.empty() && s->principal != ctx.principal)) {
    return Status::invalid_handle("Invalid OperationHandle: " + h->id() +
                                  (accepting_ ? "" : " (the server is shutting down)"));
  }
  op->last_access_ms = now_ms();
  return std::make_pair(s, op);
}

void GatewayService::add_operation(const std::shared_ptr<Session>& session,
                                   std::shared_ptr<Operation> op) {
  op->session_key = session->handle.key();
  op->last_access_ms = now_ms();
  std::lock_guard lock(mu_);
  operations_[op->handle.key()] = std::move(op);
}

void GatewayService::remove_operation(const std::shared_ptr<Operation>& op) {
  {
    std::lock_guard lock(mu_);
    operations_.erase(op->handle.key());
  }
  activity_.notify_all();
}

// ---- sessions ----

awaitable<Result<tcli::TOpenSessionResp>> GatewayService::open_session(
    const frontend::CallContext& ctx, const tcli::TOpenSessionReq& req) {
  auto log = logger("session");
  if (!accepting_) {
    co_return Status::unavailable("Kitsune is shutting down and accepts no new sessions");
  }
  const std::map<std::string, std::string> client_conf =
      req.__isset.configuration ? req.configuration : std::map<std::string, std::string>{};

  // Users: the authenticated principal, else (NOSASL) the name the client gives.
  std::string real_user = short_name(!ctx.principal.empty() ? ctx.principal
                                     : req.__isset.username ? req.username
                                                            : std::string());
  if (real_user.empty()) real_user = "anonymous";
  std::string user = real_user;
  std::string proxy;
  if (auto it = client_conf.find(std::string(k::kSessionProxyUser.name()));
      it != client_conf.end()) {
    proxy = it->second;
  } else if (auto hit = client_conf.find("hive.server2.proxy.user"); hit != client_conf.end()) {
    proxy = hit->second;
  }
  if (proxy.empty()) proxy = ctx.do_as;
  proxy = std::string(trim(proxy));
  const std::string client_ip = IpAddress::normalize(ctx.peer_ip);
  if (!proxy.empty() && !iequals(proxy, real_user)) {
    if (is_administrator(real_user)) {
      log->info("[C{}] {} opens a session as {}: an administrator", ctx.connection_id, real_user,
                proxy);
    } else {
      // The rules may ask NSS for the proxied user's groups and resolve host names: off the
      // event loop. The rules are immutable, so reading them from a pool thread is safe.
      auto check = [rules = &proxy_rules_, real_user, proxy, client_ip] {
        return rules->authorize(real_user, proxy, client_ip, os_lookups());
      };
      Status allowed = co_await pool_.run(std::move(check));
      if (!allowed.is_ok()) {
        log->warn("[C{}] refused a session of {} as {} from {}: {}", ctx.connection_id, real_user,
                  proxy, client_ip, allowed.message());
        co_return allowed;
      }
      log->info("[C{}] {} opens a session as {}: allowed by hadoop.proxyuser.{}.*",
                ctx.connection_id, real_user, proxy, real_user);
    }
    user = proxy;
  }

  // Counted against the limits of the user the session runs as (Kyuubi counts the proxied
  // user) and of the client's real address; given back when the session closes, or when this
  // function fails before that (the ticket's destructor).
  auto ticket = limiter_->acquire(user, client_ip);
  if (!ticket) {
    log->warn("[C{}] refused a session of {} from {}: {}", ctx.connection_id, user, client_ip,
              ticket.status().message());
    co_return ticket.status();
  }

  auto normalized = config::normalize_session_conf(client_conf, options_.server_conf);
  if (!normalized) co_return normalized.status();
  // Server-only keys include hadoop.proxyuser.* and kyuubi.server.administrators: the rules
  // above were read from the server's configuration alone, and these never reach an engine.
  for (const auto& key : normalized->dropped_server_only) {
    log->warn("[C{}] {} sent the server-only key {}; it is ignored", ctx.connection_id, user, key);
  }

  // The session runs on its connection's strand when the connection has one (see Session).
  const auto caller = co_await asio::this_coro::executor;
  const auto* caller_strand = caller.target<Session::Strand>();
  auto session = std::make_shared<Session>(io_, engines_,
                                           caller_strand ? *caller_strand : asio::make_strand(io_));
  session->handle = Handle::random();
  session->id = session->handle.id();
  session->real_user = real_user;
  session->user = user;
  session->principal = ctx.principal;
  session->client_ip = ctx.peer_ip;
  session->limit_ticket = std::move(*ticket);
  session->created_epoch_ms = epoch_ms();
  session->client_conf = client_conf;
  // A connectionless (HTTP, REST) session belongs to no connection: it ends when closed or idle.
  session->connection_id = ctx.connectionless ? 0 : ctx.connection_id;
  session->protocol = std::min(req.client_protocol, kMaxProtocol);

  config::Conf conf = options_.conf_for_user ? options_.conf_for_user(user) : options_.server_conf;
  conf.set(std::string(k::kClientIpAddress.name()), ctx.peer_ip);
  conf.set(std::string(k::kServerIpAddress.name()), options_.server_ip);
  for (const auto& [key, value] : normalized->entries) {
    if (key.starts_with("use:")) continue;
    conf.set(key, value);
  }
  {
    std::lock_guard lock(mu_);
    conf.set(std::string(k::kSessionConnectionUrl.name()),
             connection_url_.empty() ? options_.connection_url : connection_url_);
  }
  conf.set(std::string(k::kSessionRealUser.name()), real_user);
  if (Status valid = conf.validate(); !valid.is_ok()) co_return valid;
  session->conf = conf;

  // Read from the raw map, as Kyuubi does.
  session->close_on_disconnect = options_.server_conf.get(k::kSessionCloseOnDisconnect);
  if (auto it = client_conf.find(std::string(k::kSessionCloseOnDisconnect.name()));
      it != client_conf.end()) {
    auto v = config::parse_bool(it->second);
    if (v) session->close_on_disconnect = *v;
  }

  for (const auto& [key, value] : normalized->entries)
    session->engine_conf[key] = value;
  session->engine_conf["kyuubi.session.handle"] = session->id;
  session->engine_conf[std::string(k::kSessionRealUser.name())] = real_user;

  auto level = routing::share_level_of(conf);
  if (!level) co_return level.status();
  routing::RoutingInput input;
  input.session_user = user;
  input.server_user = options_.server_user;
  input.session_id = session->id;
  input.local_host_ip = options_.server_ip;
  input.version = options_.version;
  input.session_conf = &session->conf;
  input.pool_size_threshold = options_.server_conf.get(k::kEnginePoolSizeThreshold);
  if (*level == routing::ShareLevel::kGroup) {
    auto lookup = [user] { return routing::primary_group_of(user); };
    auto group = co_await pool_.run(std::move(lookup));
    if (!group) {
      log->warn("[C{}] {} has no primary group; its GROUP engine is named after the user",
                ctx.connection_id, user);
    }
    input.primary_group = group.value_or("");
  }
  auto key = routing::resolve_engine_key(input);
  if (!key) co_return key.status();
  session->key = std::move(key).value();

  auto launch = std::make_shared<Operation>();
  launch->handle = Handle::random();
  launch->is_launch = true;
  launch->type = tcli::TOperationType::UNKNOWN;
  session->launch_op = launch;

  {
    std::lock_guard lock(mu_);
    sessions_[session->handle.key()] = session;
  }
  add_operation(session, launch);
  log->info(
      "[C{}] [S{}] opened for {}{} from {}{}; engine space {}", ctx.connection_id, session->id,
      user, user == real_user ? "" : " (by " + real_user + ")", ctx.peer,
      ctx.forwarded_for.empty() ? "" : " (forwarded for " + ctx.forwarded_for + ")",
      session->key.pool ? "(pool " + session->key.pool->name + ")" : session->key.engine_space());
  session->log_launch("Session " + session->id + " of " + user + " routed to " +
                      std::string(routing::to_string(session->key.level)) + " " +
                      session->key.engine_type + " engine");

  bool async = session->conf.get(k::kSessionEngineLaunchAsync);
  if (async && session->key.level != routing::ShareLevel::kConnection &&
      engines_.discovery_available()) {
    // An engine that is already up is opened at once, so that the response can name it.
    auto existing = co_await engines_.lookup(session->key);
    if (existing && *existing) async = false;
  }
  if (async) {
    auto work = session->open_engine();
    asio::co_spawn(session->strand, std::move(work), asio::detached);
  } else {
    auto opened = co_await on_strand(session->strand, open_now(session));
    if (!opened) {
      {
        std::lock_guard lock(mu_);
        sessions_.erase(session->handle.key());
      }
      session->limit_ticket->release();
      remove_operation(launch);
      co_return opened.status();
    }
  }

  tcli::TOpenSessionResp resp;
  resp.status.statusCode = TStatusCode::SUCCESS_STATUS;
  resp.serverProtocolVersion = session->protocol;
  tcli::TSessionHandle handle;
  handle.sessionId.guid = session->handle.guid_bytes();
  handle.sessionId.secret = session->handle.secret_bytes();
  resp.__set_sessionHandle(handle);
  std::map<std::string, std::string> out;
  out["kyuubi.session.engine.launch.handle.guid"] = base64_encode(launch->handle.guid_bytes());
  out["kyuubi.session.engine.launch.handle.secret"] = base64_encode(launch->handle.secret_bytes());
  out["kyuubi.session.engine.launch.support.result"] = "true";
  out["hive.server2.thrift.resultset.default.fetch.size"] =
      std::to_string(options_.server_conf.get(k::kServerThriftResultsetDefaultFetchSize));
  if (!async) {
    for (const auto& [name, value] : session->engine_info())
      out.emplace(name, value);
  }
  resp.__set_configuration(out);
  co_return resp;
}

awaitable<void> GatewayService::close_session(std::shared_ptr<Session> session, std::string why) {
  std::vector<std::shared_ptr<Operation>> ops;
  {
    std::lock_guard lock(mu_);
    sessions_.erase(session->handle.key());
    const std::string key = session->handle.key();
    for (auto it = operations_.begin(); it != operations_.end();) {
      if (it->second->session_key == key) {
        ops.push_back(it->second);
        it = operations_.erase(it);
      } else {
        ++it;
      }
    }
  }
  // The session is gone for its client now, so it no longer counts against the limits, however
  // long its engine takes to close.
  if (session->limit_ticket) session->limit_ticket->release();
  // Closing the engine session closes its operations there too.
  co_await asio::co_spawn(session->strand, close_on_strand(session, std::move(why)),
                          asio::use_awaitable);
  activity_.notify_all();
}

awaitable<Result<tcli::TCloseSessionResp>> GatewayService::close_session(
    const frontend::CallContext& ctx, const tcli::TCloseSessionReq& req) {
  auto s = find_session(ctx, req.sessionHandle);
  if (!s) co_return s.status();
  co_await close_session(*s, "closed by the client");
  tcli::TCloseSessionResp resp;
  resp.status.statusCode = TStatusCode::SUCCESS_STATUS;
  co_return resp;
}

awaitable<void> GatewayService::on_disconnect(const frontend::CallContext& ctx) {
  std::vector<std::shared_ptr<Session>> closing;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, s] : sessions_) {
      if (s->connection_id != 0 && s->connection_id == ctx.connection_id &&
          s->close_on_disconnect) {
        closing.push_back(s);
      }
    }
  }
  for (auto& s : closing)
    co_await close_session(s, "the client disconnected");
}

// ---- calls on a session ----

namespace {

// Records the engine operation a response names under a new gateway handle, and rewrites it.
template <typename Resp>
std::shared_ptr<Operation> adopt_operation(Resp& resp) {
  if (!succeeded(resp.status)) return nullptr;
  if constexpr (requires { resp.__isset.operationHandle; }) {
    if (!resp.__isset.operationHandle) return nullptr;
  }
  auto op = std::make_shared<Operation>();
  op->handle = Handle::random();
  op->created_epoch_ms = epoch_ms();
  op->engine_handle = resp.operationHandle;
  op->type = resp.operationHandle.operationType;
  op->has_result_set = resp.operationHandle.hasResultSet;
  resp.operationHandle = op->to_thrift();
  return op;
}

}  // namespace

#define KITSUNE_SESSION_OPERATION(Method, snake)                           \
  awaitable<Result<tcli::T##Method##Resp>> GatewayService::snake(          \
      const frontend::CallContext& ctx, const tcli::T##Method##Req& req) { \
    auto s = find_session(ctx, req.sessionHandle);                         \
    if (!s) co_return s.status();                                          \
    CallScope scope(**s, activity_);                                       \
    auto work = session_call(*s, &client::Hs2Client::snake, req);          \
    auto resp = co_await on_strand((*s)->strand, std::move(work));         \
    if (!resp) co_return resp;                                             \
    if (auto op = adopt_operation(*resp)) {                                \
      op->state = TOperationState::FINISHED_STATE;                         \
      add_operation(*s, op);                                               \
    }                                                                      \
    co_return resp;                                                        \
  }
KITSUNE_SESSION_OPERATION(GetTypeInfo, get_type_info)
KITSUNE_SESSION_OPERATION(GetCatalogs, get_catalogs)
KITSUNE_SESSION_OPERATION(GetSchemas, get_schemas)
KITSUNE_SESSION_OPERATION(GetTables, get_tables)
KITSUNE_SESSION_OPERATION(GetTableTypes, get_table_types)
KITSUNE_SESSION_OPERATION(GetColumns, get_columns)
KITSUNE_SESSION_OPERATION(GetFunctions, get_functions)
KITSUNE_SESSION_OPERATION(GetPrimaryKeys, get_primary_keys)
KITSUNE_SESSION_OPERATION(GetCrossReference, get_cross_reference)
KITSUNE_SESSION_OPERATION(UploadData, upload_data)
KITSUNE_SESSION_OPERATION(DownloadData, download_data)
#undef KITSUNE_SESSION_OPERATION

awaitable<Result<tcli::TExecuteStatementResp>> GatewayService::execute_statement(
    const frontend::CallContext& ctx, const tcli::TExecuteStatementReq& req) {
  auto s = find_session(ctx, req.sessionHandle);
  if (!s) co_return s.status();
  CallScope scope(**s, activity_);
  const bool async = req.__isset.runAsync && req.runAsync;
  auto work = execute_on_engine(*s, req);
  auto resp = co_await on_strand((*s)->strand, std::move(work));
  if (!resp) co_return resp;
  if (auto op = adopt_operation(*resp)) {
    op->state = async ? TOperationState::RUNNING_STATE : TOperationState::FINISHED_STATE;
    op->statement = req.statement;
    // The first statement's log starts with how its engine was found or launched.
    if (!(*s)->launch_log_shown.exchange(true)) op->prelude_log = (*s)->launch_log();
    add_operation(*s, op);
  }
  co_return resp;
}

awaitable<Result<tcli::TGetInfoResp>> GatewayService::get_info(const frontend::CallContext& ctx,
                                                               const tcli::TGetInfoReq& req) {
  auto s = find_session(ctx, req.sessionHandle);
  if (!s) co_return s.status();
  if (to_upper((*s)->conf.get(k::kServerInfoProvider)) == "SERVER") {
    tcli::TGetInfoResp resp;
    resp.status.statusCode = TStatusCode::SUCCESS_STATUS;
    switch (req.infoType) {
      case tcli::TGetInfoType::CLI_SERVER_NAME:
      case tcli::TGetInfoType::CLI_DBMS_NAME:
        resp.infoValue.__set_stringValue("Apache Kyuubi");
        co_return resp;
      case tcli::TGetInfoType::CLI_DBMS_VER:
        resp.infoValue.__set_stringValue(options_.version);
        co_return resp;
      default:
        co_return Status::unsupported("Unrecognized GetInfoType value: " +
                                      std::to_string(static_cast<int>(req.infoType)));
    }
  }
  CallScope scope(**s, activity_);
  auto work = session_call(*s, &client::Hs2Client::get_info, req);
  co_return co_await on_strand((*s)->strand, std::move(work));
}

awaitable<Result<tcli::TSetClientInfoResp>> GatewayService::set_client_info(
    const frontend::CallContext& ctx, const tcli::TSetClientInfoReq& req) {
  auto s = find_session(ctx, req.sessionHandle);
  if (!s) co_return s.status();
  CallScope scope(**s, activity_);
  auto work = session_call(*s, &client::Hs2Client::set_client_info, req);
  co_return co_await on_strand((*s)->strand, std::move(work));
}

// Kitsune issues no delegation tokens; the session must still be the caller's.
#define KITSUNE_TOKEN_CALL(Method, snake)                                            \
  awaitable<Result<tcli::T##Method##Resp>> GatewayService::snake(                    \
      const frontend::CallContext& ctx, const tcli::T##Method##Req& req) {           \
    auto s = find_session(ctx, req.sessionHandle);                                   \
    if (!s) co_return s.status();                                                    \
    co_return Status::unsupported("Delegation tokens are not supported by Kitsune"); \
  }
KITSUNE_TOKEN_CALL(GetDelegationToken, get_delegation_token)
KITSUNE_TOKEN_CALL(CancelDelegationToken, cancel_delegation_token)
KITSUNE_TOKEN_CALL(RenewDelegationToken, renew_delegation_token)
#undef KITSUNE_TOKEN_CALL

// ---- calls on an operation ----

awaitable<Result<tcli::TGetOperationStatusResp>> GatewayService::get_operation_status(
    const frontend::CallContext& ctx, const tcli::TGetOperationStatusReq& req) {
  auto found = find_operation(ctx, req.operationHandle);
  if (!found) co_return found.status();
  auto& [s, op] = *found;
  CallScope scope(*s, activity_);
  OperationTouch touch{*op};
  if (op->is_launch) {
    auto work = launch_status(s);
    co_return co_await on_strand(s->strand, std::move(work));
  }
  auto work = operation_status(s, op, req);
  auto resp = co_await on_strand(s->strand, std::move(work));
  activity_.notify_all();
  co_return resp;
}

awaitable<Result<tcli::TCancelOperationResp>> GatewayService::cancel_operation(
    const frontend::CallContext& ctx, const tcli::TCancelOperationReq& req) {
  auto found = find_operation(ctx, req.operationHandle);
  if (!found) co_return found.status();
  auto& [s, op] = *found;
  CallScope scope(*s, activity_);
  OperationTouch touch{*op};
  if (op->is_launch) {
    tcli::TCancelOperationResp resp;
    resp.status.statusCode = TStatusCode::SUCCESS_STATUS;
    co_return resp;
  }
  auto work = cancel_on_engine(s, op);
  co_return co_await on_strand(s->strand, std::move(work));
}

awaitable<Result<tcli::TCloseOperationResp>> GatewayService::close_operation(
    const frontend::CallContext& ctx, const tcli::TCloseOperationReq& req) {
  auto found = find_operation(ctx, req.operationHandle);
  if (!found) co_return found.status();
  auto& [s, op] = *found;
  CallScope scope(*s, activity_);
  OperationTouch touch{*op};
  remove_operation(op);
  if (op->is_launch) {
    tcli::TCloseOperationResp resp;
    resp.status.statusCode = TStatusCode::SUCCESS_STATUS;
    co_return resp;
  }
  auto work = close_on_engine(s, op);
  co_return co_await on_strand(s->strand, std::move(work));
}

awaitable<Result<tcli::TGetResultSetMetadataResp>> GatewayService::get_result_set_metadata(
    const frontend::CallContext& ctx, const tcli::TGetResultSetMetadataReq& req) {
  auto found = find_operation(ctx, req.operationHandle);
  if (!found) co_return found.status();
  auto& [s, op] = *found;
  CallScope scope(*s, activity_);
  OperationTouch touch{*op};
  if (op->is_launch) {
    tcli::TGetResultSetMetadataResp resp;
    resp.status.statusCode = TStatusCode::SUCCESS_STATUS;
    resp.__set_schema(tcli::TTableSchema{});
    co_return resp;
  }
  auto work = operation_call(s, op, &client::Hs2Client::get_result_set_metadata, req);
  co_return co_await on_strand(s->strand, std::move(work));
}

awaitable<Result<tcli::TFetchResultsResp>> GatewayService::fetch_results(
    const frontend::CallContext& ctx, const tcli::TFetchResultsReq& req) {
  auto found = find_operation(ctx, req.operationHandle);
  if (!found) co_return found.status();
  auto& [s, op] = *found;
  CallScope scope(*s, activity_);
  OperationTouch touch{*op};
  const bool logs = req.__isset.fetchType && req.fetchType == 1;
  if (op->is_launch) {
    tcli::TFetchResultsResp resp;
    resp.status.statusCode = TStatusCode::SUCCESS_STATUS;
    resp.__set_hasMoreRows(false);
    std::vector<std::string> lines;
    if (logs) {
      auto all = s->launch_log();
      if (req.orientation == tcli::TFetchOrientation::FETCH_FIRST) op->prelude_sent = 0;
      const std::size_t from = std::min(op->prelude_sent, all.size());
      lines.assign(all.begin() + static_cast<std::ptrdiff_t>(from), all.end());
      op->prelude_sent = all.size();
    }
    resp.__set_results(log_rows(lines, s->protocol));
    co_return resp;
  }
  if (logs) {
    auto work = fetch_log(s, op, req);
    co_return co_await on_strand(s->strand, std::move(work));
  }
  auto work = operation_call(s, op, &client::Hs2Client::fetch_results, req);
  co_return co_await on_strand(s->strand, std::move(work));
}

awaitable<std::optional<Status>> GatewayService::relay_fetch_results(
    const frontend::CallContext& ctx, const tcli::TFetchResultsReq& req, std::int32_t seqid,
    frontend::ReplyStream& out) {
  using Out = std::optional<Status>;
  const bool logs = req.__isset.fetchType && req.fetchType == 1;
  if (logs) co_return Out{};
  auto found = find_operation(ctx, req.operationHandle);
  if (!found) co_return Out{found.status()};
  auto& [s, op] = *found;
  if (op->is_launch) co_return Out{};
  CallScope scope(*s, activity_);
  OperationTouch touch{*op};
  if (s->strand.running_in_this_thread()) {
    // The connection that opened the session: the reply streams straight to it.
    Status streamed = co_await relay_on_engine(s, op, req, seqid, out);
    co_return Out{std::move(streamed)};
  }
  // Another connection's call: the session's engine connection lives on another strand, so the
  // reply is gathered there and written here.
  frontend::BufferedReplyStream gathered;
  auto work = relay_on_engine(s, op, req, seqid, gathered);
  Status relayed = co_await on_strand(s->strand, std::move(work));
  if (!relayed.is_ok()) co_return Out{relayed};
  Status written = co_await gathered.replay(out);
  co_return Out{std::move(written)};
}

awaitable<Result<tcli::TGetQueryIdResp>> GatewayService::get_query_id(
    const frontend::CallContext& ctx, const tcli::TGetQueryIdReq& req) {
  auto found = find_operation(ctx, req.operationHandle);
  if (!found) co_return found.status();
  auto& [s, op] = *found;
  tcli::TGetQueryIdResp resp;
  resp.queryId = op->handle.id();
  co_return resp;
}

// ---- janitor and shutdown ----

awaitable<void> GatewayService::janitor() {
  const auto interval =
      std::max(std::chrono::milliseconds(100), options_.server_conf.get(k::kSessionCheckInterval));
  const auto session_idle = options_.server_conf.get(k::kSessionIdleTimeout);
  const auto op_idle = options_.server_conf.get(k::kOperationIdleTimeout);
  while (!stopped_) {
    janitor_timer_.expires_after(interval);
    error_code ec;
    co_await janitor_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (stopped_) break;
    const auto now = now_ms();
    std::vector<std::shared_ptr<Session>> idle_sessions;
    std::vector<std::pair<std::shared_ptr<Session>, std::shared_ptr<Operation>>> idle_ops;
    {
      std::lock_guard lock(mu_);
      for (const auto& [key, op] : operations_) {
        if (op->is_launch || op->running()) continue;
        if (op_idle.count() > 0 && now - op->last_access_ms > op_idle.count()) {
          auto sit = sessions_.find(op->session_key);
          if (sit != sessions_.end()) idle_ops.emplace_back(sit->second, op);
        }
      }
      for (const auto& [key, s] : sessions_) {
        if (s->active_calls > 0 || session_idle.count() <= 0) continue;
        if (now - s->last_access_ms <= session_idle.count()) continue;
        bool running = false;
        for (const auto& [op_key, op] : operations_)
          running = running || (op->session_key == key && !op->is_launch && op->running());
        if (!running) idle_sessions.push_back(s);
      }
    }
    for (auto& [s, op] : idle_ops) {
      logger("session")->info("[S{}] closing operation {}: idle for over {} ms", s->id,
                              op->handle.id(), op_idle.count());
      remove_operation(op);
      auto work = close_on_engine(s, op);
      (void)co_await on_strand(s->strand, std::move(work));
    }
    for (auto& s : idle_sessions) {
      logger("session")->info("[S{}] closing: idle for over {} ms (kyuubi.session.idle.timeout)",
                              s->id, session_idle.count());
      co_await close_session(s, "idle timeout");
    }
  }
}

void GatewayService::stop_accepting() {
  accepting_ = false;
}

bool GatewayService::in_flight() const {
  std::lock_guard lock(mu_);
  const auto now = now_ms();
  for (const auto& [key, s] : sessions_) {
    if (s->active_calls > 0 && !s->engine_dead) return true;
  }
  for (const auto& [key, op] : operations_) {
    if (op->is_launch) continue;
    auto sit = sessions_.find(op->session_key);
    if (sit == sessions_.end() || sit->second->engine_dead) continue;
    // Running, or finished moments ago and perhaps still being fetched.
    if (op->running() || now - op->last_access_ms < 1000) return true;
  }
  return false;
}

awaitable<void> GatewayService::drain(Clock::time_point deadline) {
  auto log = logger("session");
  for (;;) {
    const auto seen = activity_.generation();
    if (!in_flight()) break;
    if (Clock::now() >= deadline) break;
    // Recent activity is re-checked every so often even without an event.
    co_await activity_.wait_until(
        seen, std::min(deadline, Clock::now() + std::chrono::milliseconds(250)));
  }
  std::vector<std::pair<std::shared_ptr<Session>, std::shared_ptr<Operation>>> running;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, op] : operations_) {
      if (op->is_launch || !op->running()) continue;
      auto sit = sessions_.find(op->session_key);
      if (sit != sessions_.end()) running.emplace_back(sit->second, op);
    }
  }
  for (auto& [s, op] : running) {
    log->info("[S{}] cancelling operation {}: the server is shutting down", s->id, op->handle.id());
    auto work = cancel_on_engine(s, op);
    (void)co_await on_strand(s->strand, std::move(work));
  }
}

awaitable<void> GatewayService::close_all() {
  stopped_ = true;
  asio::post(janitor_strand_, [this] { janitor_timer_.cancel(); });
  std::vector<std::shared_ptr<Session>> all;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, s] : sessions_)
      all.push_back(s);
  }
  for (auto& s : all)
    co_await close_session(s, "the server is shutting down");
}

}  // namespace kitsune::session

namespace kitsune::session {

namespace {

SessionSnapshot snapshot_of(const Session& s, int operations) {
  SessionSnapshot out;
  out.id = s.id;
  out.handle.sessionId.guid = s.handle.guid_bytes();
  out.handle.sessionId.secret = s.handle.secret_bytes();
  out.user = s.user;
  out.real_user = s.real_user;
  out.principal = s.principal;
  out.client_ip = s.client_ip;
  out.conf = s.client_conf;
  out.created_epoch_ms = s.created_epoch_ms;
  out.idle_ms = std::max<std::int64_t>(0, now_ms() - s.last_access_ms.load());
  out.operation_count = operations;
  out.engine_space = s.key.pool ? s.key.pool->name : s.key.engine_space();
  out.engine_type = s.key.engine_type;
  return out;
}

OperationSnapshot snapshot_of(const Operation& op, const Session& s) {
  OperationSnapshot out;
  out.id = op.handle.id();
  out.handle = op.to_thrift();
  out.session_id = s.id;
  out.session_user = s.user;
  out.statement = op.statement;
  out.state = op.state.load();
  out.type = op.type;
  out.has_result_set = op.has_result_set;
  out.created_epoch_ms = op.created_epoch_ms;
  out.is_launch = op.is_launch;
  return out;
}

}  // namespace

std::vector<SessionSnapshot> GatewayService::list_sessions() const {
  std::lock_guard lock(mu_);
  std::map<std::string, int> counts;
  for (const auto& [key, op] : operations_) {
    if (!op->is_launch) ++counts[op->session_key];
  }
  std::vector<SessionSnapshot> out;
  out.reserve(sessions_.size());
  for (const auto& [key, s] : sessions_)
    out.push_back(snapshot_of(*s, counts[key]));
  return out;
}

std::vector<OperationSnapshot> GatewayService::list_operations() const {
  std::lock_guard lock(mu_);
  std::vector<OperationSnapshot> out;
  for (const auto& [key, op] : operations_) {
    if (op->is_launch) continue;
    auto sit = sessions_.find(op->session_key);
    if (sit == sessions_.end()) continue;
    out.push_back(snapshot_of(*op, *sit->second));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.created_epoch_ms < b.created_epoch_ms; });
  return out;
}

std::optional<SessionSnapshot> GatewayService::session_by_id(std::string_view id) const {
  auto key = Handle::key_from_id(id);
  if (!key) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = sessions_.find(*key);
  if (it == sessions_.end()) return std::nullopt;
  int operations = 0;
  for (const auto& [k, op] : operations_) {
    if (op->session_key == *key && !op->is_launch) ++operations;
  }
  return snapshot_of(*it->second, operations);
}

std::optional<OperationSnapshot> GatewayService::operation_by_id(std::string_view id) const {
  auto key = Handle::key_from_id(id);
  if (!key) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = operations_.find(*key);
  if (it == operations_.end() || it->second->is_launch) return std::nullopt;
  auto sit = sessions_.find(it->second->session_key);
  if (sit == sessions_.end()) return std::nullopt;
  return snapshot_of(*it->second, *sit->second);
}

awaitable<Status> GatewayService::authorize_proxy(const std::string& real_user,
                                                  const std::string& proxy,
                                                  const std::string& client_ip) {
  if (proxy.empty() || iequals(proxy, real_user) || is_administrator(real_user)) {
    co_return Status::ok();
  }
  auto check = [rules = &proxy_rules_, real_user, proxy, client_ip] {
    return rules->authorize(real_user, proxy, client_ip, os_lookups());
  };
  co_return co_await pool_.run(std::move(check));
}

void GatewayService::refresh_limits(const config::Conf& conf) {
  limiter_->refresh_lists(SessionLimits::from_conf(conf));
}

awaitable<bool> GatewayService::close_session_by_id(std::string_view id, std::string why) {
  auto key = Handle::key_from_id(id);
  if (!key) co_return false;
  std::shared_ptr<Session> s;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(*key);
    if (it != sessions_.end()) s = it->second;
  }
  if (!s) co_return false;
  co_await close_session(s, std::move(why));
  co_return true;
}

}  // namespace kitsune::session
