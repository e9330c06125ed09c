// BackendService: sessions, operations, fetches and metadata calls of an engine process.
#include "kitsune/backend/backend_service.h"

#include <algorithm>

#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "metadata.h"
#include "session.h"
#include "statement.h"

namespace kitsune::backend {
namespace {

namespace k = config::keys;
using PV = tcli::TProtocolVersion;
using OpState = Operation::State;

constexpr PV::type kServerProtocol = PV::HIVE_CLI_SERVICE_PROTOCOL_V11;

// The server answers min(its own, the client's), as Hive and Kyuubi do. A value outside the enum
// (@databricks/sql sends -7 and puts its real version elsewhere) gets V10, the IDL's default.
PV::type negotiate(std::int32_t client) {
  if (client < PV::HIVE_CLI_SERVICE_PROTOCOL_V1) return PV::HIVE_CLI_SERVICE_PROTOCOL_V10;
  if (client > kServerProtocol) return kServerProtocol;
  return static_cast<PV::type>(client);
}

tcli::TOperationState::type thrift_state(OpState s, PV::type version) {
  switch (s) {
    case OpState::kPending:
      return tcli::TOperationState::PENDING_STATE;
    case OpState::kRunning:
      return tcli::TOperationState::RUNNING_STATE;
    case OpState::kFinished:
      return tcli::TOperationState::FINISHED_STATE;
    case OpState::kCanceled:
      return tcli::TOperationState::CANCELED_STATE;
    case OpState::kClosed:
      return tcli::TOperationState::CLOSED_STATE;
    case OpState::kError:
      return tcli::TOperationState::ERROR_STATE;
    case OpState::kTimedOut:
      // Clients on V6 and older (impyla) have no TIMEDOUT_STATE in their enum.
      return version > PV::HIVE_CLI_SERVICE_PROTOCOL_V6 ? tcli::TOperationState::TIMEDOUT_STATE
                                                        : tcli::TOperationState::ERROR_STATE;
  }
  return tcli::TOperationState::UKNOWN_STATE;
}

std::string_view state_name(OpState s) {
  switch (s) {
    case OpState::kPending:
      return "PENDING";
    case OpState::kRunning:
      return "RUNNING";
    case OpState::kFinished:
      return "FINISHED";
    case OpState::kCanceled:
      return "CANCELED";
    case OpState::kClosed:
      return "CLOSED";
    case OpState::kError:
      return "ERROR";
    case OpState::kTimedOut:
      return "TIMEDOUT";
  }
  return "UNKNOWN";
}

// A name as an exact JDBC pattern.
std::string exact(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string pattern_or_all(const std::string& p, bool isset) {
  return isset ? p : std::string();
}

std::string short_statement(std::string_view s) {
  std::string out(s.substr(0, 200));
  std::replace(out.begin(), out.end(), '\n', ' ');
  if (s.size() > 200) out += "...";
  return out;
}

}  // namespace

BackendService::Settings::Settings(const config::Conf& conf)
    : default_fetch_size(std::to_string(conf.get(k::kServerThriftResultsetDefaultFetchSize))),
      query_timeout(conf.get_if_set(k::kOperationQueryTimeout)),
      status_polling_timeout(conf.get(k::kOperationStatusPollingTimeout)),
      fetch_max_bytes(
          static_cast<std::size_t>(std::max<std::int64_t>(1, conf.get(k::kEngineFetchMaxBytes)))),
      operation_log_max_bytes(static_cast<std::size_t>(
          std::max<std::int64_t>(0, conf.get(k::kEngineOperationLogMaxBytes)))) {
  if (query_timeout && query_timeout->count() <= 0) query_timeout.reset();
}

BackendService::BackendService(asio::io_context& io, config::Conf conf, SqlBackend& backend,
                               EngineIdentity identity)
    : io_(io),
      conf_(std::move(conf)),
      settings_(conf_),
      backend_(backend),
      identity_(std::move(identity)),
      redactor_(conf_.get(k::kServerRedactionRegex)),
      pool_("kitsune-exec",
            static_cast<std::size_t>(std::max(1, conf_.get(k::kBackendEngineExecPoolSize))),
            conf_.get(k::kBackendEngineExecPoolKeepalive)) {}

BackendService::~BackendService() = default;

std::size_t BackendService::session_count() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

void BackendService::start(std::function<void()> on_idle) {
  on_idle_ = std::move(on_idle);
  asio::co_spawn(asio::make_strand(io_), janitor(), asio::detached);
}

Result<std::shared_ptr<Session>> BackendService::find_session(const frontend::CallContext& ctx,
                                                              const tcli::TSessionHandle& handle) {
  auto h = Handle::from_bytes(handle.sessionId.guid, handle.sessionId.secret);
  if (!h) return Status::invalid_handle("Invalid SessionHandle: malformed handle");
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(h->key());
    if (it != sessions_.end()) session = it->second;
  }
  // A foreign principal's session is reported exactly like a missing one.
  if (!session || !session->handle.secret_matches(*h) || session->principal != ctx.principal) {
    return Status::invalid_handle("Invalid SessionHandle: " + h->id());
  }
  session->touch();
  return session;
}

Result<std::shared_ptr<Operation>> BackendService::find_operation(
    const frontend::CallContext& ctx, const tcli::TOperationHandle& handle) {
  auto h = Handle::from_bytes(handle.operationId.guid, handle.operationId.secret);
  if (!h) return Status::invalid_handle("Invalid OperationHandle: malformed handle");
  std::shared_ptr<Operation> op;
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(mu_);
    auto it = operations_.find(h->key());
    if (it != operations_.end()) {
      op = it->second.op;
      session = it->second.session.lock();
    }
  }
  if (!op || !session || !op->handle.secret_matches(*h) || session->principal != ctx.principal) {
    return Status::invalid_handle("Invalid OperationHandle: " + h->id());
  }
  op->touch();
  session->touch();
  return op;
}

std::shared_ptr<Session> BackendService::session_of(const Operation& op) {
  std::lock_guard lock(mu_);
  auto it = operations_.find(op.handle.key());
  return it == operations_.end() ? nullptr : it->second.session.lock();
}

void BackendService::register_operation(const std::shared_ptr<Session>& session,
                                        const std::shared_ptr<Operation>& op) {
  session->add_operation(op);
  std::lock_guard lock(mu_);
  operations_.emplace(op->handle.key(), OperationEntry{op, session});
}

// ---- sessions ----

awaitable<Result<tcli::TOpenSessionResp>> BackendService::open_session(
    const frontend::CallContext& ctx, const tcli::TOpenSessionReq& req) {
  if (closing_) co_return Status::unavailable("the engine is shutting down");
  const PV::type protocol = negotiate(req.client_protocol);
  std::string user = ctx.principal;
  if (user.empty())
    user = req.__isset.username && !req.username.empty() ? req.username : "anonymous";
  auto session = std::make_shared<Session>(user, protocol, ctx.connection_id, ctx.peer_ip);
  session->principal = ctx.principal;

  std::string database = "default";
  for (const auto& [key, value] : req.configuration) {
    if (key.starts_with("set:hiveconf:")) {
      session->conf.set(key.substr(13), value);
    } else if (key.starts_with("set:hivevar:")) {
      session->vars[key.substr(12)] = value;
    } else if (key.starts_with("set:")) {
      logger("backend")->debug("[C{}] ignoring session setting {}", ctx.connection_id, key);
    } else if (key == "use:database") {
      database = value;
    } else if (key.starts_with("use:")) {
      // use:catalog (Kyuubi JDBC): the engine has no catalogs.
    } else {
      session->conf.set(key, value);
    }
  }
  // Kyuubi reads this one from the raw key only.
  if (auto it = req.configuration.find(std::string(k::kSessionCloseOnDisconnect.name()));
      it != req.configuration.end()) {
    session->close_on_disconnect = !iequals(trim(it->second), "false");
  }

  auto open = [this, user, database] {
    return backend_.open_session(SessionOptions{user, database});
  };
  auto opened = co_await pool_.run(std::move(open));
  if (!opened) co_return opened.status();
  session->sql = std::move(opened).value();
  {
    std::lock_guard lock(mu_);
    sessions_.emplace(session->handle.key(), session);
  }
  logger("backend")->info("[C{}] session {} opened for {} from {} (protocol V{}, database {})",
                          ctx.connection_id, session->handle.id(), user, ctx.peer,
                          static_cast<int>(protocol) + 1, database);

  tcli::TOpenSessionResp resp;
  resp.serverProtocolVersion = protocol;
  tcli::TSessionHandle handle;
  handle.sessionId.guid = session->handle.guid_bytes();
  handle.sessionId.secret = session->handle.secret_bytes();
  resp.__set_sessionHandle(handle);
  std::map<std::string, std::string> configuration;
  configuration["hive.server2.thrift.resultset.default.fetch.size"] = settings_.default_fetch_size;
  configuration[std::string(k::kEngineId.name())] = identity_.id;
  if (!identity_.name.empty()) configuration[std::string(k::kEngineName.name())] = identity_.name;
  resp.__set_configuration(std::move(configuration));
  co_return resp;
}

awaitable<Result<tcli::TCloseSessionResp>> BackendService::close_session(
    const frontend::CallContext& ctx, const tcli::TCloseSessionReq& req) {
  auto session = find_session(ctx, req.sessionHandle);
  if (!session) co_return session.status();
  co_await close_session(*session, "closed by the client");
  co_return tcli::TCloseSessionResp{};
}

awaitable<void> BackendService::close_session(std::shared_ptr<Session> session, std::string why) {
  {
    std::lock_guard lock(mu_);
    if (sessions_.erase(session->handle.key()) == 0) co_return;  // closed already
    // The idle clock starts now, not when the close below has finished: the janitor must not
    // take a session still closing for an engine idle since its start.
    if (sessions_.empty()) last_session_end_ = Clock::now();
  }
  for (auto& op : session->operations())
    co_await close_operation(session, op);
  auto release = [session] {
    std::lock_guard lock(session->work_mu);
    session->release_sql();
  };
  co_await pool_.run(std::move(release));
  {
    std::lock_guard lock(mu_);
    if (sessions_.empty()) last_session_end_ = Clock::now();
  }
  logger("backend")->info("[C{}] session {} of {} closed: {}", session->connection_id,
                          session->handle.id(), session->user, why);
}

awaitable<void> BackendService::on_disconnect(const frontend::CallContext& ctx) {
  std::vector<std::shared_ptr<Session>> owned;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, s] : sessions_) {
      if (s->connection_id == ctx.connection_id && s->close_on_disconnect) owned.push_back(s);
    }
  }
  for (auto& s : owned)
    co_await close_session(s, "its connection closed");
}

awaitable<void> BackendService::close_all() {
  closing_ = true;
  stop_.notify_all();
  std::vector<std::shared_ptr<Session>> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, s] : sessions_)
      all.push_back(s);
  }
  for (auto& s : all)
    co_await close_session(s, "the engine is stopping");
}

// ---- operations ----

awaitable<void> BackendService::close_operation(std::shared_ptr<Session> session,
                                                std::shared_ptr<Operation> op) {
  session->remove_operation(op->handle.key());
  {
    std::lock_guard lock(mu_);
    operations_.erase(op->handle.key());
  }
  op->transition(OpState::kClosed);
  // Whatever of it runs now (its statement, or a fetch) is interrupted.
  session->interrupt_if_running(op.get());
  // The cursor belongs to the session's database connection: release it under the work lock.
  auto release = [session, op] {
    std::lock_guard lock(session->work_mu);
    op->cursor.reset();
  };
  co_await pool_.run(std::move(release));
}

awaitable<Result<tcli::TExecuteStatementResp>> BackendService::execute_statement(
    const frontend::CallContext& ctx, const tcli::TExecuteStatementReq& req) {
  auto found = find_session(ctx, req.sessionHandle);
  if (!found) co_return found.status();
  auto session = *found;

  // confOverlay: settings for this statement only, over the session's (as Hive applies them).
  config::Conf overlay;
  if (req.__isset.confOverlay) {
    for (const auto& [key, value] : req.confOverlay) {
      overlay.set(key.starts_with("set:hiveconf:") ? key.substr(13) : key, value);
    }
  }
  std::string sql;
  {
    std::lock_guard lock(session->conf_mu);
    sql = substitute_variables(
        req.statement,
        [&](std::string_view ns, std::string_view name) -> std::optional<std::string> {
          if (ns.empty() || ns == "hivevar") {
            auto it = session->vars.find(std::string(name));
            if (it != session->vars.end()) return it->second;
            if (!ns.empty()) return std::nullopt;
          }
          if (auto v = overlay.raw(name)) return v;
          if (auto v = session->conf.raw(name)) return v;
          return conf_.raw(name);
        });
  }
  auto parsed = parse_statement(sql);
  if (!parsed) co_return parsed.status();

  std::unique_ptr<Cursor> cursor;
  bool has_result_set = parsed->has_result_set();
  if (parsed->kind == Statement::Kind::kSql) {
    // Preparing tells whether the statement has rows, which the reply must say even when the
    // statement then runs in the background; it also reports syntax errors right away.
    auto prepare = [session, text = parsed->text]() -> Result<std::unique_ptr<Cursor>> {
      std::lock_guard lock(session->work_mu);
      if (!session->sql) return Status::invalid_handle("the session is closed");
      return session->sql->prepare(text);
    };
    auto prepared = co_await pool_.run(std::move(prepare));
    if (!prepared) co_return prepared.status();
    cursor = std::move(prepared).value();
    has_result_set = cursor->has_result_set();
  }

  auto op = std::make_shared<Operation>(tcli::TOperationType::EXECUTE_STATEMENT, parsed->text,
                                        has_result_set, settings_.operation_log_max_bytes);
  op->cursor = std::move(cursor);
  op->overlay = std::move(overlay);
  op->log_line("Executing statement: " + short_statement(parsed->text));
  register_operation(session, op);
  logger("backend")->debug("[C{}] session {} operation {}: {}", ctx.connection_id,
                           session->handle.id(), op->handle.id(), short_statement(parsed->text));

  // The effective timeout is the smaller of the client's and the server's.
  std::optional<std::chrono::milliseconds> timeout;
  if (req.__isset.queryTimeout && req.queryTimeout > 0) {
    timeout = std::chrono::seconds(req.queryTimeout);
  }
  if (const auto& server = settings_.query_timeout) {
    timeout = timeout ? std::min(*timeout, *server) : *server;
  }
  if (timeout) {
    asio::co_spawn(asio::make_strand(io_), watch_timeout(op, Clock::now() + *timeout, *timeout),
                   asio::detached);
  }

  if (req.runAsync) {
    asio::co_spawn(asio::make_strand(io_), execute(session, op, std::move(parsed).value()),
                   asio::detached);
  } else {
    co_await execute(session, op, std::move(parsed).value());
    if (op->state() != OpState::kFinished) {
      // A synchronous failure is reported by ExecuteStatement itself, with no handle to keep.
      Status error = op->error();
      co_await close_operation(session, op);
      if (error.is_ok()) error = Status::cancelled("the statement was cancelled");
      co_return error;
    }
  }
  tcli::TExecuteStatementResp resp;
  resp.__set_operationHandle(op->thrift_handle());
  co_return resp;
}

awaitable<void> BackendService::execute(std::shared_ptr<Session> session,
                                        std::shared_ptr<Operation> op, Statement statement) {
  auto started = Clock::now();
  auto run = [this, session, op, st = std::move(statement)]() -> Status {
    std::lock_guard lock(session->work_mu);
    if (!op->transition(OpState::kRunning)) return Status::ok();  // cancelled or closed first
    if (!session->sql) return Status::cancelled("the session is closed");
    session->set_running(op.get());
    Status s = run_statement(*session, *op, st);
    session->set_running(nullptr);
    if (s.is_ok() && op->cursor) op->set_schema(op->cursor->schema());
    return s;
  };
  Status status = co_await pool_.run(std::move(run));
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  if (status.is_ok()) {
    if (op->transition(OpState::kFinished)) {
      const std::int64_t n = op->modified_rows();
      op->log_line("Finished in " + std::to_string(ms) + " ms" +
                   (n >= 0 ? ", " + std::to_string(n) + " rows affected" : ""));
    }
  } else {
    // When a cancel or a timeout got there first, the state it set stays.
    const OpState to =
        status.code() == StatusCode::kCancelled ? OpState::kCanceled : OpState::kError;
    if (op->transition(to, status))
      op->log_line("Failed after " + std::to_string(ms) + " ms: " + status.message());
  }
}

// Runs on the pool with the session's work lock held.
Status BackendService::run_statement(Session& session, Operation& op, const Statement& st) {
  using K = Statement::Kind;
  SqlSession& sql = *session.sql;
  switch (st.kind) {
    case K::kSql: {
      Status s = op.cursor->execute();
      if (s.is_ok()) op.set_modified_rows(op.cursor->modified_rows());
      return s;
    }
    case K::kSetAll: {
      std::vector<std::string> lines;
      std::lock_guard lock(session.conf_mu);
      config::Conf effective = conf_;
      effective.merge(session.conf);
      effective.merge(op.overlay);
      for (const auto& [key, value] : effective.entries()) {
        lines.push_back(
            key + "=" +
            (redactor_.is_secret(key) ? std::string(config::Redactor::kRedacted) : value));
      }
      for (const auto& [key, value] : session.vars)
        lines.push_back("hivevar:" + key + "=" + value);
      op.cursor = set_result(lines);
      return Status::ok();
    }
    case K::kSetShow: {
      std::lock_guard lock(session.conf_mu);
      std::string line;
      if (st.key.starts_with("hivevar:")) {
        auto it = session.vars.find(st.key.substr(8));
        line = it == session.vars.end() ? st.key + " is undefined" : st.key + "=" + it->second;
      } else if (st.key.starts_with("system:") || st.key.starts_with("env:")) {
        return Status::unsupported("SET " + st.key +
                                   ": system properties and environment "
                                   "variables are not exposed by this engine");
      } else {
        std::string key = st.key.starts_with("hiveconf:") ? st.key.substr(9) : st.key;
        auto v = op.overlay.raw(key);
        if (!v) v = session.conf.raw(key);
        if (!v) v = conf_.raw(key);
        if (!v) {
          if (const auto* def = config::find_key(key); def && def->has_default) {
            v = std::string(def->default_value);
          }
        }
        line = !v ? key + " is undefined"
                  : key + "=" +
                        (redactor_.is_secret(key) ? std::string(config::Redactor::kRedacted) : *v);
      }
      op.cursor = set_result({line});
      return Status::ok();
    }
    case K::kSetAssign: {
      std::lock_guard lock(session.conf_mu);
      if (st.key.starts_with("hivevar:")) {
        session.vars[st.key.substr(8)] = st.value;
        return Status::ok();
      }
      if (st.key.starts_with("system:") || st.key.starts_with("env:")) {
        return Status::unsupported("SET " + st.key +
                                   ": system properties and environment "
                                   "variables cannot be set in this engine");
      }
      std::string key = st.key.starts_with("hiveconf:") ? st.key.substr(9) : st.key;
      if (const auto* def = config::find_key(key)) {
        Status valid = config::validate_value(*def, st.value);
        if (!valid.is_ok()) return Status::error(valid.message(), "42000");
      }
      session.conf.set(key, st.value);
      return Status::ok();
    }
    case K::kUse:
      return sql.use_database(st.database);
    case K::kShowDatabases: {
      auto dbs = sql.databases();
      if (!dbs) return dbs.status();
      std::vector<std::string> names;
      for (auto& d : *dbs) {
        if (st.pattern.empty() || show_pattern_matches(st.pattern, d)) names.push_back(d);
      }
      op.cursor = show_databases_result(names);
      return Status::ok();
    }
    case K::kShowTables: {
      const std::string db = st.database.empty() ? sql.current_database() : st.database;
      auto dbs = sql.databases();
      if (!dbs) return dbs.status();
      // "default" always exists (SqlSession's contract), even where it is an alias of another
      // name, as PostgreSQL's public schema.
      if (!iequals(db, "default") &&
          std::none_of(dbs->begin(), dbs->end(),
                       [&](const std::string& d) { return iequals(d, db); })) {
        return Status::error("Database does not exist: " + db, "42000");
      }
      auto tables = sql.tables(exact(db), "");
      if (!tables) return tables.status();
      std::vector<std::string> names;
      for (auto& t : *tables) {
        if (st.pattern.empty() || show_pattern_matches(st.pattern, t.name)) names.push_back(t.name);
      }
      std::sort(names.begin(), names.end());
      op.cursor = show_tables_result(names);
      return Status::ok();
    }
    case K::kDescribe: {
      const std::string db = st.database.empty() ? sql.current_database() : st.database;
      auto columns = sql.columns(exact(db), exact(st.table), "");
      if (!columns) return columns.status();
      if (columns->empty()) {
        return Status::error(
            "Table not found: " + (st.database.empty() ? st.table : db + "." + st.table), "42S02");
      }
      op.cursor = describe_result(*columns);
      return Status::ok();
    }
    case K::kCreateDatabase:
      return sql.create_database(st.database, st.if_not_exists);
    case K::kDropDatabase:
      return sql.drop_database(st.database, st.if_exists, st.cascade);
  }
  return Status::internal("unknown statement kind");
}

awaitable<void> BackendService::watch_timeout(std::shared_ptr<Operation> op,
                                              Clock::time_point deadline,
                                              std::chrono::milliseconds timeout) {
  while (true) {
    const auto seen = op->changed().generation();
    if (op->is_terminal()) co_return;
    if (Clock::now() >= deadline) break;
    co_await op->changed().wait_until(seen, deadline);
  }
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout).count();
  if (op->transition(OpState::kTimedOut, Status::timed_out("Query timed out after " +
                                                           std::to_string(secs) + " seconds"))) {
    op->log_line("Timed out after " + std::to_string(secs) + " seconds");
    if (auto session = session_of(*op)) session->interrupt_if_running(op.get());
  }
}

awaitable<Result<tcli::TGetOperationStatusResp>> BackendService::get_operation_status(
    const frontend::CallContext& ctx, const tcli::TGetOperationStatusReq& req) {
  auto found = find_operation(ctx, req.operationHandle);
  if (!found) co_return found.status();
  auto op = *found;
  auto session = session_of(*op);
  // Long poll: hold the call while the operation runs, so pollers with no delay do not spin.
  const auto deadline = Clock::now() + settings_.status_polling_timeout;
  while (true) {
    const auto seen = op->changed().generation();
    if (op->is_terminal() || Clock::now() >= deadline) break;
    co_await op->changed().wait_until(seen, deadline);
  }
  const OpState state = op->state();
  const PV::type version = session ? session->protocol : kServerProtocol;
  tcli::TGetOperationStatusResp resp;
  resp.__set_operationState(thrift_state(state, version));
  resp.__set_hasResultSet(op->has_result_set);
  if (op->started_ms()) resp.__set_operationStarted(op->started_ms());
  if (op->completed_ms()) resp.__set_operationCompleted(op->completed_ms());
  if (state == OpState::kError || state == OpState::kTimedOut || state == OpState::kCanceled) {
    const Status error = op->error();
    if (!error.is_ok()) {
      resp.__set_errorMessage(error.message());
      if (!error.sql_state().empty()) resp.__set_sqlState(error.sql_state());
      resp.__set_errorCode(error.error_code());
    }
  }
  if (state == OpState::kFinished && op->modified_rows() >= 0) {
    resp.__set_numModifiedRows(op->modified_rows());
  }
  co_return resp;
}

awaitable<Result<tcli::TCancelOperationResp>> BackendService::cancel_operation(
    const frontend::CallContext& ctx, const tcli::TCancelOperationReq& req) {
  auto found = find_operation(ctx, req.operationHandle);
  if (!found) co_return found.status();
  auto op = *found;
  if (op->transition(OpState::kCanceled, Status::cancelled("the operation was cancelled"))) {
    op->log_line("Cancelled by the client");
    if (auto session = session_of(*op)) session->interrupt_if_running(op.get());
    logger("backend")->info("[C{}] operation {} cancelled", ctx.connection_id, op->handle.id());
  }
  co_return tcli::TCancelOperationResp{};
}

awaitable<Result<tcli::TCloseOperationResp>> BackendService::close_operation(
    const frontend::CallContext& ctx, const tcli::TCloseOperationReq& req) {
  auto found = find_operation(ctx, req.operationHandle);
  if (!found) co_return found.status();
  auto session = session_of(**found);
  if (session) co_await close_operation(session, *found);
  co_return tcli::TCloseOperationResp{};
}

awaitable<Result<tcli::TGetResultSetMetadataResp>> BackendService::get_result_set_metadata(
    const frontend::CallContext& ctx, const tcli::TGetResultSetMetadataReq& req) {
  auto found = find_operation(ctx, req.operationHandle);
  if (!found) co_return found.status();
  auto op = *found;
  auto session = session_of(*op);
  tcli::TGetResultSetMetadataResp resp;
  if (op->has_result_set) {
    const OpState state = op->state();
    if (state != OpState::kFinished) {
      co_return Status::error(
          "Expected state FINISHED, but found " + std::string(state_name(state)), "HY010");
    }
  }
  resp.__set_schema(to_table_schema(op->schema(), session ? session->protocol : kServerProtocol));
  co_return resp;
}

awaitable<Result<tcli::TFetchResultsResp>> BackendService::fetch_results(
    const frontend::CallContext& ctx, const tcli::TFetchResultsReq& req) {
  auto found = find_operation(ctx, req.operationHandle);
  if (!found) co_return found.status();
  auto op = *found;
  auto session = session_of(*op);
  if (!session) co_return Status::invalid_handle("Invalid OperationHandle: " + op->handle.id());
  const PV::type version = session->protocol;
  const bool first = req.orientation == tcli::TFetchOrientation::FETCH_FIRST;
  if (!first && req.orientation != tcli::TFetchOrientation::FETCH_NEXT) {
    co_return Status::unsupported("Fetch orientation " + std::to_string(req.orientation) +
                                  " is not supported; use FETCH_NEXT or FETCH_FIRST");
  }
  tcli::TFetchResultsResp resp;
  if (req.__isset.fetchType && req.fetchType == 1) {
    RowSetBuilder builder(operation_log_schema());
    for (auto& line : op->read_log(first)) {
      builder.add_text(0, line);
      builder.end_row();
    }
    resp.__set_results(builder.take(0, version));
    resp.__set_hasMoreRows(false);
    co_return resp;
  }
  if (!op->has_result_set) co_return Status::error("The operation has no result set", "HY010");
  const OpState state = op->state();
  if (state != OpState::kFinished) {
    const Status error = op->error();
    if (!error.is_ok()) co_return error;
    co_return Status::error("Expected state FINISHED, but found " + std::string(state_name(state)),
                            "HY010");
  }
  const std::size_t max_rows =
      req.maxRows <= 0 ? 0
                       : static_cast<std::size_t>(std::min<std::int64_t>(req.maxRows, 100000000));
  const std::size_t max_bytes = settings_.fetch_max_bytes;
  struct Batch {
    tcli::TRowSet rows;
    bool more = false;
  };
  auto fetch = [session, op, first, max_rows, max_bytes, version]() -> Result<Batch> {
    std::lock_guard lock(session->work_mu);
    if (!op->cursor) return Status::invalid_handle("the operation is closed");
    if (first && op->next_row > 0) {
      Status s = op->cursor->rewind();
      if (!s.is_ok()) return s;
      op->next_row = 0;
    }
    RowSetBuilder builder(op->cursor->schema());
    bool more = false;
    if (max_rows > 0) {
      // Stepping a cursor can take long too (a scan with a selective filter): a cancel or a
      // close must be able to interrupt it.
      session->set_running(op.get());
      auto fetched = op->cursor->fetch(builder, max_rows, max_bytes);
      session->set_running(nullptr);
      if (!fetched) return fetched.status();
      more = *fetched;
    }
    const std::int64_t offset = op->next_row;
    op->next_row += static_cast<std::int64_t>(builder.rows());
    return Batch{builder.take(offset, version), more};
  };
  auto batch = co_await pool_.run(std::move(fetch));
  if (!batch) co_return batch.status();
  resp.__set_results(std::move(batch->rows));
  resp.__set_hasMoreRows(batch->more);
  co_return resp;
}

awaitable<Result<tcli::TGetQueryIdResp>> BackendService::get_query_id(
    const frontend::CallContext& ctx, const tcli::TGetQueryIdReq& req) {
  auto found = find_operation(ctx, req.operationHandle);
  if (!found) co_return found.status();
  tcli::TGetQueryIdResp resp;
  resp.queryId = (*found)->handle.id();
  co_return resp;
}

// ---- information and metadata ----

awaitable<Result<tcli::TGetInfoResp>> BackendService::get_info(const frontend::CallContext& ctx,
                                                               const tcli::TGetInfoReq& req) {
  auto session = find_session(ctx, req.sessionHandle);
  if (!session) co_return session.status();
  tcli::TGetInfoResp resp;
  using I = tcli::TGetInfoType;
  switch (req.infoType) {
    case I::CLI_SERVER_NAME:
      resp.infoValue.__set_stringValue("Kitsune");
      break;
    case I::CLI_DBMS_NAME:
      resp.infoValue.__set_stringValue(backend_.dbms_name());
      break;
    case I::CLI_DBMS_VER:
      resp.infoValue.__set_stringValue(backend_.dbms_version());
      break;
    case I::CLI_ODBC_KEYWORDS:
      resp.infoValue.__set_stringValue(backend_.keywords());
      break;
    case I::CLI_IDENTIFIER_QUOTE_CHAR:
      resp.infoValue.__set_stringValue("`");
      break;
    case I::CLI_SEARCH_PATTERN_ESCAPE:
      resp.infoValue.__set_stringValue("\\");
      break;
    case I::CLI_USER_NAME:
      resp.infoValue.__set_stringValue((*session)->user);
      break;
    case I::CLI_MAX_COLUMN_NAME_LEN:
    case I::CLI_MAX_SCHEMA_NAME_LEN:
    case I::CLI_MAX_TABLE_NAME_LEN:
    case I::CLI_MAX_IDENTIFIER_LEN:
      resp.infoValue.__set_lenValue(128);
      break;
    default:
      co_return Status::error("Unrecognized GetInfoType value: " + std::to_string(req.infoType),
                              "HY096");
  }
  co_return resp;
}

awaitable<Result<tcli::TOperationHandle>> BackendService::run_metadata(
    const frontend::CallContext& ctx, const tcli::TSessionHandle& handle,
    tcli::TOperationType::type type, std::string description, Producer produce) {
  auto found = find_session(ctx, handle);
  if (!found) co_return found.status();
  auto session = *found;
  auto op = std::make_shared<Operation>(type, description, true, settings_.operation_log_max_bytes);
  auto build = [session, op, produce = std::move(produce)]() -> Status {
    std::lock_guard lock(session->work_mu);
    if (!session->sql) return Status::invalid_handle("the session is closed");
    auto cursor = produce(*session);
    if (!cursor) return cursor.status();
    op->cursor = std::move(cursor).value();
    op->set_schema(op->cursor->schema());
    return Status::ok();
  };
  auto status = co_await pool_.run(std::move(build));
  if (!status.is_ok()) co_return status;
  op->transition(OpState::kRunning);
  op->transition(OpState::kFinished);
  op->log_line(description);
  register_operation(session, op);
  co_return op->thrift_handle();
}

namespace {

template <typename Resp>
Result<Resp> with_handle(Result<tcli::TOperationHandle> handle) {
  if (!handle) return handle.status();
  Resp resp;
  resp.__set_operationHandle(std::move(handle).value());
  return resp;
}

}  // namespace

// In the metadata calls below, each producer is a named variable rather than a lambda written
// inside the co_await expression: g++ 12 destroys a lambda temporary there twice.

awaitable<Result<tcli::TGetTypeInfoResp>> BackendService::get_type_info(
    const frontend::CallContext& ctx, const tcli::TGetTypeInfoReq& req) {
  Producer produce = [](Session&) -> Result<std::unique_ptr<Cursor>> { return type_info_result(); };
  co_return with_handle<tcli::TGetTypeInfoResp>(
      co_await run_metadata(ctx, req.sessionHandle, tcli::TOperationType::GET_TYPE_INFO,
                            "GetTypeInfo", std::move(produce)));
}

awaitable<Result<tcli::TGetCatalogsResp>> BackendService::get_catalogs(
    const frontend::CallContext& ctx, const tcli::TGetCatalogsReq& req) {
  Producer produce = [](Session&) -> Result<std::unique_ptr<Cursor>> { return catalogs_result(); };
  co_return with_handle<tcli::TGetCatalogsResp>(
      co_await run_metadata(ctx, req.sessionHandle, tcli::TOperationType::GET_CATALOGS,
                            "GetCatalogs", std::move(produce)));
}

awaitable<Result<tcli::TGetSchemasResp>> BackendService::get_schemas(
    const frontend::CallContext& ctx, const tcli::TGetSchemasReq& req) {
  const std::string pattern = pattern_or_all(req.schemaName, req.__isset.schemaName);
  Producer produce = [pattern](Session& s) -> Result<std::unique_ptr<Cursor>> {
    auto dbs = s.sql->databases();
    if (!dbs) return dbs.status();
    std::vector<std::string> names;
    for (auto& d : *dbs) {
      if (pattern.empty() || like_match(pattern, d)) names.push_back(d);
    }
    return schemas_result(names);
  };
  co_return with_handle<tcli::TGetSchemasResp>(
      co_await run_metadata(ctx, req.sessionHandle, tcli::TOperationType::GET_SCHEMAS,
                            "GetSchemas " + pattern, std::move(produce)));
}

awaitable<Result<tcli::TGetTablesResp>> BackendService::get_tables(const frontend::CallContext& ctx,
                                                                   const tcli::TGetTablesReq& req) {
  const std::string schema = pattern_or_all(req.schemaName, req.__isset.schemaName);
  const std::string table = pattern_or_all(req.tableName, req.__isset.tableName);
  std::vector<std::string> types;
  if (req.__isset.tableTypes) {
    for (const auto& t : req.tableTypes) {
      // Hive's metastore names, as some clients send them.
      std::string u = to_upper(t);
      if (u == "MANAGED_TABLE" || u == "EXTERNAL_TABLE" || u == "EXTERNAL TABLE") u = "TABLE";
      if (u == "VIRTUAL_VIEW") u = "VIEW";
      types.push_back(u);
    }
  }
  Producer produce = [schema, table, types](Session& s) -> Result<std::unique_ptr<Cursor>> {
    auto tables = s.sql->tables(schema, table);
    if (!tables) return tables.status();
    std::vector<TableInfo> kept;
    for (auto& t : *tables) {
      if (types.empty() || std::find(types.begin(), types.end(), t.type) != types.end()) {
        kept.push_back(std::move(t));
      }
    }
    return tables_result(kept);
  };
  co_return with_handle<tcli::TGetTablesResp>(
      co_await run_metadata(ctx, req.sessionHandle, tcli::TOperationType::GET_TABLES,
                            "GetTables " + schema + " " + table, std::move(produce)));
}

awaitable<Result<tcli::TGetTableTypesResp>> BackendService::get_table_types(
    const frontend::CallContext& ctx, const tcli::TGetTableTypesReq& req) {
  Producer produce = [](Session&) -> Result<std::unique_ptr<Cursor>> {
    return table_types_result();
  };
  co_return with_handle<tcli::TGetTableTypesResp>(
      co_await run_metadata(ctx, req.sessionHandle, tcli::TOperationType::GET_TABLE_TYPES,
                            "GetTableTypes", std::move(produce)));
}

awaitable<Result<tcli::TGetColumnsResp>> BackendService::get_columns(
    const frontend::CallContext& ctx, const tcli::TGetColumnsReq& req) {
  const std::string schema = pattern_or_all(req.schemaName, req.__isset.schemaName);
  const std::string table = pattern_or_all(req.tableName, req.__isset.tableName);
  const std::string column = pattern_or_all(req.columnName, req.__isset.columnName);
  Producer produce = [schema, table, column](Session& s) -> Result<std::unique_ptr<Cursor>> {
    auto columns = s.sql->columns(schema, table, column);
    if (!columns) return columns.status();
    return columns_result(*columns);
  };
  co_return with_handle<tcli::TGetColumnsResp>(co_await run_metadata(
      ctx, req.sessionHandle, tcli::TOperationType::GET_COLUMNS,
      "GetColumns " + schema + " " + table + " " + column, std::move(produce)));
}

awaitable<Result<tcli::TGetFunctionsResp>> BackendService::get_functions(
    const frontend::CallContext& ctx, const tcli::TGetFunctionsReq& req) {
  const std::string pattern = req.functionName;
  Producer produce = [pattern](Session& s) -> Result<std::unique_ptr<Cursor>> {
    auto functions = s.sql->functions(pattern);
    if (!functions) return functions.status();
    return functions_result(*functions);
  };
  co_return with_handle<tcli::TGetFunctionsResp>(
      co_await run_metadata(ctx, req.sessionHandle, tcli::TOperationType::GET_FUNCTIONS,
                            "GetFunctions " + pattern, std::move(produce)));
}

awaitable<Result<tcli::TGetPrimaryKeysResp>> BackendService::get_primary_keys(
    const frontend::CallContext& ctx, const tcli::TGetPrimaryKeysReq& req) {
  const std::string schema = req.__isset.schemaName ? req.schemaName : "";
  const std::string table = req.__isset.tableName ? req.tableName : "";
  if (table.empty()) co_return Status::error("GetPrimaryKeys needs a table name", "HY009");
  Producer produce = [schema, table](Session& s) -> Result<std::unique_ptr<Cursor>> {
    auto keys = s.sql->primary_keys(schema, table);
    if (!keys) return keys.status();
    return primary_keys_result(*keys);
  };
  // Hive tags primary-key and cross-reference operations as GET_FUNCTIONS.
  co_return with_handle<tcli::TGetPrimaryKeysResp>(
      co_await run_metadata(ctx, req.sessionHandle, tcli::TOperationType::GET_FUNCTIONS,
                            "GetPrimaryKeys " + table, std::move(produce)));
}

awaitable<Result<tcli::TGetCrossReferenceResp>> BackendService::get_cross_reference(
    const frontend::CallContext& ctx, const tcli::TGetCrossReferenceReq& req) {
  const std::string ps = req.__isset.parentSchemaName ? req.parentSchemaName : "";
  const std::string pt = req.__isset.parentTableName ? req.parentTableName : "";
  const std::string fs = req.__isset.foreignSchemaName ? req.foreignSchemaName : "";
  const std::string ft = req.__isset.foreignTableName ? req.foreignTableName : "";
  Producer produce = [ps, pt, fs, ft](Session& s) -> Result<std::unique_ptr<Cursor>> {
    auto keys = s.sql->cross_reference(ps, pt, fs, ft);
    if (!keys) return keys.status();
    return cross_reference_result(*keys);
  };
  co_return with_handle<tcli::TGetCrossReferenceResp>(
      co_await run_metadata(ctx, req.sessionHandle, tcli::TOperationType::GET_FUNCTIONS,
                            "GetCrossReference " + pt + " " + ft, std::move(produce)));
}

// ---- calls the engine does not provide ----

template <typename Resp>
awaitable<Result<Resp>> BackendService::refuse(const frontend::CallContext& ctx,
                                               const tcli::TSessionHandle& handle,
                                               std::string what) {
  // An unknown session is reported as such first, as for every call.
  if (auto s = find_session(ctx, handle); !s) co_return s.status();
  co_return Status::unsupported(what + " is not supported by kitsune-engine");
}

awaitable<Result<tcli::TGetDelegationTokenResp>> BackendService::get_delegation_token(
    const frontend::CallContext& ctx, const tcli::TGetDelegationTokenReq& req) {
  return refuse<tcli::TGetDelegationTokenResp>(ctx, req.sessionHandle, "Delegation tokens are");
}

awaitable<Result<tcli::TCancelDelegationTokenResp>> BackendService::cancel_delegation_token(
    const frontend::CallContext& ctx, const tcli::TCancelDelegationTokenReq& req) {
  return refuse<tcli::TCancelDelegationTokenResp>(ctx, req.sessionHandle, "Delegation tokens are");
}

awaitable<Result<tcli::TRenewDelegationTokenResp>> BackendService::renew_delegation_token(
    const frontend::CallContext& ctx, const tcli::TRenewDelegationTokenReq& req) {
  return refuse<tcli::TRenewDelegationTokenResp>(ctx, req.sessionHandle, "Delegation tokens are");
}

awaitable<Result<tcli::TSetClientInfoResp>> BackendService::set_client_info(
    const frontend::CallContext& ctx, const tcli::TSetClientInfoReq& req) {
  auto session = find_session(ctx, req.sessionHandle);
  if (!session) co_return session.status();
  if (req.__isset.configuration) {
    std::vector<std::string> pairs;
    for (const auto& [key, value] : req.configuration)
      pairs.push_back(key + "=" + value);
    logger("backend")->info("[C{}] session {} client info: {}", ctx.connection_id,
                            (*session)->handle.id(), join(pairs, ", "));
  }
  co_return tcli::TSetClientInfoResp{};
}

awaitable<Result<tcli::TUploadDataResp>> BackendService::upload_data(
    const frontend::CallContext& ctx, const tcli::TUploadDataReq& req) {
  return refuse<tcli::TUploadDataResp>(ctx, req.sessionHandle, "UploadData is");
}

awaitable<Result<tcli::TDownloadDataResp>> BackendService::download_data(
    const frontend::CallContext& ctx, const tcli::TDownloadDataReq& req) {
  return refuse<tcli::TDownloadDataResp>(ctx, req.sessionHandle, "DownloadData is");
}

// ---- housekeeping ----

awaitable<void> BackendService::janitor() {
  auto log = logger("backend");
  const auto session_idle = conf_.get(k::kSessionIdleTimeout);
  const auto op_idle = conf_.get(k::kOperationIdleTimeout);
  const auto engine_idle = conf_.get(k::kSessionEngineIdleTimeout);
  const auto interval = std::max(
      std::chrono::milliseconds(100),
      std::min(conf_.get(k::kSessionCheckInterval), conf_.get(k::kSessionEngineCheckInterval)));
  while (!closing_) {
    // Sleeps for one interval, or until close_all() wakes it to end.
    const auto seen = stop_.generation();
    if (closing_) break;
    co_await stop_.wait_until(seen, Clock::now() + interval);
    if (closing_) break;
    const std::int64_t now_ms = epoch_millis();
    std::vector<std::shared_ptr<Session>> sessions;
    {
      std::lock_guard lock(mu_);
      for (auto& [key, s] : sessions_)
        sessions.push_back(s);
    }
    for (auto& s : sessions) {
      if (session_idle.count() > 0 && !s->has_running_operation() &&
          now_ms - s->last_access_ms() > session_idle.count()) {
        co_await close_session(s, "idle for longer than kyuubi.session.idle.timeout");
        continue;
      }
      if (op_idle.count() <= 0) continue;
      for (auto& op : s->operations()) {
        if (op->is_terminal() && now_ms - op->last_access_ms() > op_idle.count()) {
          log->info("operation {} closed: idle for longer than kyuubi.operation.idle.timeout",
                    op->handle.id());
          co_await close_operation(s, op);
        }
      }
    }
    bool idle = false;
    {
      std::lock_guard lock(mu_);
      idle = sessions_.empty() && engine_idle.count() > 0 &&
             Clock::now() - last_session_end_ >= engine_idle;
    }
    if (idle) {
      log->info("no session for {} ms (kyuubi.session.engine.idle.timeout); the engine stops",
                engine_idle.count());
      if (on_idle_) on_idle_();
      break;
    }
  }
}

}  // namespace kitsune::backend
