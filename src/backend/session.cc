// Session and Operation state, and the bounded operation log.
#include "session.h"

#include "kitsune/frontend/hs2_service.h"

namespace kitsune::backend {

std::int64_t epoch_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void OperationLog::add(std::string line) {
  bytes_ += line.size();
  lines_.push_back(std::move(line));
  while (bytes_ > max_bytes_ && lines_.size() > 1) {
    bytes_ -= lines_.front().size();
    lines_.pop_front();
    ++dropped_;
  }
}

std::vector<std::string> OperationLog::read(bool from_start) {
  if (from_start) next_ = dropped_;
  if (next_ < dropped_) next_ = dropped_;
  std::vector<std::string> out(lines_.begin() + static_cast<std::ptrdiff_t>(next_ - dropped_),
                               lines_.end());
  next_ = dropped_ + lines_.size();
  return out;
}

Operation::Operation(tcli::TOperationType::type op_type, std::string text, bool result_set,
                     std::size_t log_max_bytes)
    : handle(Handle::random()),
      type(op_type),
      statement(std::move(text)),
      has_result_set(result_set),
      last_access_ms_(epoch_millis()),
      log_(log_max_bytes) {}

tcli::TOperationHandle Operation::thrift_handle() const {
  return frontend::to_thrift_operation_handle(handle, type, has_result_set);
}

Operation::State Operation::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

bool Operation::is_terminal() const {
  std::lock_guard lock(mu_);
  return state_ != State::kPending && state_ != State::kRunning;
}

bool Operation::transition(State to, Status error) {
  {
    std::lock_guard lock(mu_);
    const bool terminal = state_ != State::kPending && state_ != State::kRunning;
    // CLOSED may follow any state; nothing else leaves a terminal one.
    if (terminal && to != State::kClosed) return false;
    if (state_ == to) return false;
    state_ = to;
    if (to == State::kRunning) started_ms_ = epoch_millis();
    if (to != State::kRunning && to != State::kPending && completed_ms_ == 0) {
      completed_ms_ = epoch_millis();
    }
    if (!error.is_ok()) error_ = std::move(error);
  }
  changed_.notify_all();
  return true;
}

Status Operation::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

std::int64_t Operation::started_ms() const {
  std::lock_guard lock(mu_);
  return started_ms_;
}

std::int64_t Operation::completed_ms() const {
  std::lock_guard lock(mu_);
  return completed_ms_;
}

std::int64_t Operation::modified_rows() const {
  std::lock_guard lock(mu_);
  return modified_rows_;
}

void Operation::set_modified_rows(std::int64_t n) {
  std::lock_guard lock(mu_);
  modified_rows_ = n;
}

void Operation::set_schema(Schema schema) {
  std::lock_guard lock(mu_);
  schema_ = std::move(schema);
}

Schema Operation::schema() const {
  std::lock_guard lock(mu_);
  return schema_;
}

void Operation::log_line(std::string line) {
  std::lock_guard lock(mu_);
  log_.add(std::move(line));
}

std::vector<std::string> Operation::read_log(bool from_start) {
  std::lock_guard lock(mu_);
  return log_.read(from_start);
}

Session::Session(std::string session_user, tcli::TProtocolVersion::type version,
                 std::uint64_t connection, std::string ip)
    : handle(Handle::random()),
      user(std::move(session_user)),
      protocol(version),
      connection_id(connection),
      client_ip(std::move(ip)),
      last_access_ms_(epoch_millis()) {}

void Session::set_running(Operation* op) {
  std::lock_guard lock(mu_);
  running_ = op;
}

void Session::interrupt_if_running(const Operation* op) {
  std::lock_guard lock(mu_);
  // Held while interrupting, so the statement cannot finish and another start in between.
  if (running_ == op && sql) sql->interrupt();
}

void Session::release_sql() {
  std::lock_guard lock(mu_);
  running_ = nullptr;
  sql.reset();
}

void Session::add_operation(std::shared_ptr<Operation> op) {
  std::lock_guard lock(mu_);
  operations_.emplace(op->handle.key(), std::move(op));
}

std::shared_ptr<Operation> Session::remove_operation(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = operations_.find(key);
  if (it == operations_.end()) return nullptr;
  auto op = std::move(it->second);
  operations_.erase(it);
  return op;
}

std::vector<std::shared_ptr<Operation>> Session::operations() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Operation>> out;
  out.reserve(operations_.size());
  for (const auto& [k, op] : operations_)
    out.push_back(op);
  return out;
}

bool Session::has_running_operation() const {
  std::lock_guard lock(mu_);
  for (const auto& [k, op] : operations_) {
    if (!op->is_terminal()) return true;
  }
  return false;
}

}  // namespace kitsune::backend
