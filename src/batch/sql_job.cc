// SQL batches: the script's statements run one by one in a session of the gateway's own
// TCLIService, as the batch's user; statements and (bounded) results go to the batch's log.
#include <spdlog/fmt/fmt.h>

#include <optional>

#include "batch_core.h"
#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"

namespace kitsune::batch {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using tcli::TOperationState;
using tcli::TStatusCode;

// Connection ids of batch sessions: far above any a frontend hands out.
constexpr std::uint64_t kConnectionIdBase = std::uint64_t{1} << 62;
// Rows of one statement written to the log, and their bytes: a script's SELECT of a big table
// must not fill the disk.
constexpr std::size_t kMaxLoggedRows = 1000;
constexpr std::size_t kMaxLoggedBytes = 1 << 20;
constexpr std::int64_t kFetchRows = 500;
// A statement in a message: this many characters of it.
constexpr std::size_t kStatementInMessage = 200;

std::shared_ptr<spdlog::logger> log() {
  return logger("batch");
}

bool succeeded(const tcli::TStatus& s) {
  return s.statusCode == TStatusCode::SUCCESS_STATUS ||
         s.statusCode == TStatusCode::SUCCESS_WITH_INFO_STATUS;
}

std::string message_of(const tcli::TStatus& s) {
  return s.__isset.errorMessage && !s.errorMessage.empty() ? s.errorMessage
                                                           : std::string("no message");
}

std::string short_statement(const std::string& statement) {
  std::string out;
  for (char c : statement) {
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    if (out.size() >= kStatementInMessage) {
      out += "...";
      break;
    }
  }
  return out;
}

std::string state_name(TOperationState::type state) {
  switch (state) {
    case TOperationState::CANCELED_STATE:
      return "CANCELED";
    case TOperationState::CLOSED_STATE:
      return "CLOSED";
    case TOperationState::ERROR_STATE:
      return "ERROR";
    case TOperationState::TIMEDOUT_STATE:
      return "TIMEDOUT";
    default:
      return "UNKNOWN";
  }
}

bool is_null(const std::string& nulls, std::size_t row) {
  return row / 8 < nulls.size() && ((static_cast<unsigned char>(nulls[row / 8]) >> (row % 8)) & 1);
}

template <typename T>
std::string cell_text(const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    return v;
  } else if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else {
    return fmt::format("{}", v);
  }
}

template <typename Column>
void add_column(const Column& column, std::vector<std::vector<std::string>>& rows) {
  if (rows.size() < column.values.size()) rows.resize(column.values.size());
  for (std::size_t i = 0; i < column.values.size(); ++i) {
    const auto& v = column.values[i];
    rows[i].push_back(is_null(column.nulls, i) ? std::string("NULL")
                                               : cell_text<std::decay_t<decltype(v)>>(v));
  }
}

template <typename Value>
std::string value_text(const Value& v) {
  return v.__isset.value ? cell_text(v.value) : std::string("NULL");
}

// Each row of the set as its cells, columnar (protocol V6+) or row-wise.
std::vector<std::vector<std::string>> cells_of(const tcli::TRowSet& set) {
  std::vector<std::vector<std::string>> rows;
  if (set.__isset.columns && !set.columns.empty()) {
    for (const tcli::TColumn& c : set.columns) {
      if (c.__isset.boolVal) add_column(c.boolVal, rows);
      if (c.__isset.byteVal) add_column(c.byteVal, rows);
      if (c.__isset.i16Val) add_column(c.i16Val, rows);
      if (c.__isset.i32Val) add_column(c.i32Val, rows);
      if (c.__isset.i64Val) add_column(c.i64Val, rows);
      if (c.__isset.doubleVal) add_column(c.doubleVal, rows);
      if (c.__isset.stringVal) add_column(c.stringVal, rows);
      if (c.__isset.binaryVal) add_column(c.binaryVal, rows);
    }
    return rows;
  }
  for (const tcli::TRow& r : set.rows) {
    std::vector<std::string> cells;
    for (const tcli::TColumnValue& v : r.colVals) {
      if (v.__isset.boolVal) cells.push_back(value_text(v.boolVal));
      if (v.__isset.byteVal) cells.push_back(value_text(v.byteVal));
      if (v.__isset.i16Val) cells.push_back(value_text(v.i16Val));
      if (v.__isset.i32Val) cells.push_back(value_text(v.i32Val));
      if (v.__isset.i64Val) cells.push_back(value_text(v.i64Val));
      if (v.__isset.doubleVal) cells.push_back(value_text(v.doubleVal));
      if (v.__isset.stringVal) cells.push_back(value_text(v.stringVal));
    }
    rows.push_back(std::move(cells));
  }
  return rows;
}

// A log line for a row: cells separated by tabs, line breaks inside cells escaped.
std::string row_line(const std::vector<std::string>& cells) {
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) out += '\t';
    for (char c : cells[i]) {
      if (c == '\n') {
        out += "\\n";
      } else if (c == '\r') {
        out += "\\r";
      } else {
        out += c;
      }
    }
  }
  return out;
}

// One session of the batch on the gateway's service, and the calls the runner makes on it.
class BatchSession {
 public:
  BatchSession(std::shared_ptr<Core> core, std::shared_ptr<Job> job, const Metadata& batch)
      : core_(std::move(core)), job_(std::move(job)), service_(*core_->env.sql_service) {
    ctx_.connection_id = kConnectionIdBase + core_->next_connection++;
    ctx_.peer = "batch " + batch.identifier;
    ctx_.peer_ip = batch.ip_address;
    ctx_.principal = batch.user_name;
    ctx_.mechanism = "BATCH";
  }

  // The session id, or why it could not be opened.
  awaitable<Result<std::string>> open(const std::string& user,
                                      const std::map<std::string, std::string>& conf) {
    tcli::TOpenSessionReq req;
    req.client_protocol = tcli::TProtocolVersion::HIVE_CLI_SERVICE_PROTOCOL_V10;
    req.__set_username(user);
    req.__set_configuration(conf);
    auto resp = co_await service_.open_session(ctx_, req);
    if (!resp) co_return resp.status();
    if (!succeeded(resp->status)) co_return Status::error(message_of(resp->status));
    session_ = resp->sessionHandle;
    open_ = true;
    const std::string& guid = session_.sessionId.guid;
    if (guid.size() != 16) co_return std::string();
    co_return uuid_string(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(guid.data()), guid.size()));
  }

  // Runs one statement to its end. ok: it succeeded (rows logged into `out`); kCancelled: the
  // batch was cancelled (or the manager stops); else the engine's error.
  awaitable<Status> run(const std::string& statement, std::vector<std::string>& out) {
    tcli::TExecuteStatementReq exec;
    exec.sessionHandle = session_;
    exec.statement = statement;
    exec.__set_runAsync(true);
    log()->debug("{}: executing a statement", ctx_.peer);
    auto executed = co_await service_.execute_statement(ctx_, exec);
    log()->debug("{}: the statement was accepted", ctx_.peer);
    if (!executed) co_return executed.status();
    if (!succeeded(executed->status)) co_return Status::error(message_of(executed->status));
    operation_ = executed->operationHandle;
    has_operation_ = true;

    auto delay = 20ms;
    while (true) {
      const std::uint64_t seen = job_->wake.generation();
      if (job_->cancel || core_->stopping) {
        log()->debug("{}: cancelling its statement", ctx_.peer);
        co_await cancel_operation();
        log()->debug("{}: cancelled its statement", ctx_.peer);
        co_await close_operation();
        co_return Status::cancelled("cancelled");
      }
      tcli::TGetOperationStatusReq status_req;
      status_req.operationHandle = operation_;
      auto status = co_await service_.get_operation_status(ctx_, status_req);
      if (!status) {
        co_await close_operation();
        co_return status.status();
      }
      if (!succeeded(status->status)) {
        co_await close_operation();
        co_return Status::error(message_of(status->status));
      }
      const auto state =
          status->__isset.operationState ? status->operationState : TOperationState::RUNNING_STATE;
      if (state == TOperationState::FINISHED_STATE) break;
      if (state == TOperationState::ERROR_STATE || state == TOperationState::CANCELED_STATE ||
          state == TOperationState::CLOSED_STATE || state == TOperationState::TIMEDOUT_STATE ||
          state == TOperationState::UKNOWN_STATE) {
        std::string why = status->__isset.errorMessage && !status->errorMessage.empty()
                              ? status->errorMessage
                              : "the operation ended in state " + state_name(state);
        co_await close_operation();
        co_return Status::error(why);
      }
      co_await job_->wake.wait_until(seen, Clock::now() + delay);
      delay = std::min<std::chrono::milliseconds>(delay * 2, 500ms);
    }
    if (operation_.hasResultSet) {
      Status fetched = co_await fetch(out);
      if (!fetched.is_ok()) {
        co_await close_operation();
        co_return fetched;
      }
    }
    co_await close_operation();
    co_return Status::ok();
  }

  awaitable<void> close() {
    if (!open_) co_return;
    open_ = false;
    tcli::TCloseSessionReq req;
    req.sessionHandle = session_;
    auto closed = co_await service_.close_session(ctx_, req);
    if (!closed) log()->debug("{}: closing its session: {}", ctx_.peer, closed.status().message());
  }

 private:
  awaitable<Status> fetch(std::vector<std::string>& out) {
    tcli::TGetResultSetMetadataReq meta_req;
    meta_req.operationHandle = operation_;
    auto meta = co_await service_.get_result_set_metadata(ctx_, meta_req);
    if (meta && succeeded(meta->status) && meta->__isset.schema) {
      std::vector<std::string> names;
      for (const auto& c : meta->schema.columns)
        names.push_back(c.columnName);
      out.push_back(row_line(names));
    }
    std::size_t rows = 0;
    std::size_t bytes = 0;
    while (true) {
      tcli::TFetchResultsReq req;
      req.operationHandle = operation_;
      req.orientation = tcli::TFetchOrientation::FETCH_NEXT;
      req.maxRows = kFetchRows;
      auto fetched = co_await service_.fetch_results(ctx_, req);
      if (!fetched) co_return fetched.status();
      if (!succeeded(fetched->status)) co_return Status::error(message_of(fetched->status));
      const auto cells = cells_of(fetched->results);
      for (const auto& row : cells) {
        if (rows >= kMaxLoggedRows || bytes >= kMaxLoggedBytes) {
          out.push_back("(more rows are not shown: the log keeps the first " +
                        std::to_string(rows) + ")");
          co_return Status::ok();
        }
        out.push_back(row_line(row));
        bytes += out.back().size();
        ++rows;
      }
      if (cells.empty() || (fetched->__isset.hasMoreRows && !fetched->hasMoreRows &&
                            cells.size() < static_cast<std::size_t>(kFetchRows))) {
        break;
      }
      if (job_->cancel || core_->stopping) co_return Status::cancelled("cancelled");
    }
    out.push_back("(" + std::to_string(rows) + (rows == 1 ? " row)" : " rows)"));
    co_return Status::ok();
  }

  awaitable<void> cancel_operation() {
    if (!has_operation_) co_return;
    tcli::TCancelOperationReq req;
    req.operationHandle = operation_;
    auto cancelled = co_await service_.cancel_operation(ctx_, req);
    if (!cancelled) log()->debug("{}: cancel: {}", ctx_.peer, cancelled.status().message());
  }

  awaitable<void> close_operation() {
    if (!has_operation_) co_return;
    has_operation_ = false;
    tcli::TCloseOperationReq req;
    req.operationHandle = operation_;
    auto closed = co_await service_.close_operation(ctx_, req);
    if (!closed) log()->debug("{}: close: {}", ctx_.peer, closed.status().message());
  }

  std::shared_ptr<Core> core_;
  std::shared_ptr<Job> job_;
  frontend::Hs2Service& service_;
  frontend::CallContext ctx_;
  tcli::TSessionHandle session_;
  bool open_ = false;
  tcli::TOperationHandle operation_;
  bool has_operation_ = false;
};

awaitable<void> finish(std::shared_ptr<Core> core, const std::shared_ptr<Job>& job,
                       const Metadata& batch, std::string state, std::string app_state,
                       std::string diagnostic) {
  MetadataUpdate u;
  u.state = state;
  u.engine_state = app_state;
  u.engine_error = diagnostic;
  u.end_time = now_ms();
  co_await core->update(batch.identifier, std::move(u), /*final=*/true);
  std::vector<std::string> lines{"Batch " + batch.identifier + " ended: " + state +
                                 (diagnostic.empty() ? "" : " (" + diagnostic + ")")};
  co_await core->append_log(job->log, std::move(lines));
  log()->info("batch {} of {} ended: {}{}", batch.identifier, batch.user_name, state,
              diagnostic.empty() ? "" : " (" + diagnostic + ")");
}

}  // namespace

awaitable<void> run_sql_batch(std::shared_ptr<Core> core, std::shared_ptr<Job> job, Metadata batch,
                              SqlBatchInput input) {
  if (core->env.sql_service == nullptr) {
    co_await finish(core, job, batch, "ERROR", "FAILED",
                    "SQL batches need the gateway's SQL service, and this server has none");
    co_return;
  }
  MetadataUpdate pending;
  pending.state = "PENDING";
  co_await core->update(batch.identifier, std::move(pending));
  const std::size_t total = input.statements.size();
  std::vector<std::string> intro{"Running batch " + batch.identifier + " of " + batch.user_name +
                                 ": " + std::to_string(total) + " statement(s) from " +
                                 batch.resource};
  co_await core->append_log(job->log, std::move(intro));

  BatchSession session(core, job, batch);
  auto opened = co_await session.open(batch.user_name, input.session_conf);
  if (!opened) {
    co_await finish(core, job, batch, "ERROR", "FAILED",
                    "cannot open a session: " + opened.status().message());
    co_return;
  }
  MetadataUpdate running;
  running.state = "RUNNING";
  running.engine_open_time = now_ms();
  running.engine_id = *opened;
  running.engine_name = batch.request_name;
  running.engine_state = "RUNNING";
  co_await core->update(batch.identifier, std::move(running));

  std::string state = "FINISHED";
  std::string app_state = "FINISHED";
  std::string diagnostic;
  for (std::size_t i = 0; i < total; ++i) {
    const std::string& statement = input.statements[i];
    const std::string label = "statement " + std::to_string(i + 1) + " of " + std::to_string(total);
    std::vector<std::string> lines{"Running " + label + ":", statement};
    co_await core->append_log(job->log, std::move(lines));
    std::vector<std::string> out;
    Status ran = co_await session.run(statement, out);
    if (core->stopping) {
      // Left as it is: the next start ends it (its session goes with this gateway).
      co_await session.close();
      co_return;
    }
    if (ran.code() == StatusCode::kCancelled || job->cancel) {
      state = "CANCELED";
      app_state = "KILLED";
      diagnostic = "cancelled by a request to close the batch during " + label;
      break;
    }
    if (!ran.is_ok()) {
      out.push_back("Error: " + ran.message());
      co_await core->append_log(job->log, std::move(out));
      state = "ERROR";
      app_state = "FAILED";
      diagnostic = label + " failed: " + short_statement(statement) + ": " + ran.message();
      break;
    }
    co_await core->append_log(job->log, std::move(out));
  }
  co_await session.close();
  co_await finish(core, job, batch, std::move(state), std::move(app_state), std::move(diagnostic));
}

}  // namespace kitsune::batch
