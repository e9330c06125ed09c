// Session and Operation of an engine: their handles, state machines, and the locks that
// serialise a session's blocking database work.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "kitsune/backend/sql_backend.h"
#include "kitsune/common/async_event.h"
#include "kitsune/common/handle.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"
#include "kitsune/tcli/tcli.h"

namespace kitsune::backend {

using Clock = std::chrono::steady_clock;

std::int64_t epoch_millis();

// The lines an operation logs for clients (FetchResults with fetchType=1), capped in bytes.
class OperationLog {
 public:
  explicit OperationLog(std::size_t max_bytes) : max_bytes_(max_bytes) {}
  void add(std::string line);
  // Lines not yet returned (or all kept lines, from the start).
  std::vector<std::string> read(bool from_start);

 private:
  std::size_t max_bytes_;
  std::deque<std::string> lines_;
  std::size_t bytes_ = 0;
  std::size_t dropped_ = 0;  // lines dropped from the front, for the read cursor
  std::size_t next_ = 0;     // absolute index of the next line to return
};

class Operation {
 public:
  enum class State { kPending, kRunning, kFinished, kCanceled, kClosed, kError, kTimedOut };

  Operation(tcli::TOperationType::type type, std::string statement, bool has_result_set,
            std::size_t log_max_bytes);

  const Handle handle;
  const tcli::TOperationType::type type;
  const std::string statement;
  const bool has_result_set;

  tcli::TOperationHandle thrift_handle() const;

  State state() const;
  bool is_terminal() const;
  // Moves to a new state unless already terminal; wakes status waiters. Returns whether it moved.
  bool transition(State to, Status error = {});
  Status error() const;
  std::int64_t started_ms() const;
  std::int64_t completed_ms() const;
  std::int64_t modified_rows() const;
  void set_modified_rows(std::int64_t n);
  AsyncEvent& changed() { return changed_; }
  void log_line(std::string line);
  std::vector<std::string> read_log(bool from_start);
  void touch() { last_access_ms_ = epoch_millis(); }
  std::int64_t last_access_ms() const { return last_access_ms_; }

  // The result columns, fixed once the statement has run.
  void set_schema(Schema schema);
  Schema schema() const;

  // The statement's confOverlay: settings for it alone, over the session's.
  config::Conf overlay;

  // Result state; touched only under the owning session's work lock.
  std::unique_ptr<Cursor> cursor;
  std::int64_t next_row = 0;

 private:
  mutable std::mutex mu_;
  State state_ = State::kPending;
  Status error_;
  std::int64_t started_ms_ = 0;
  std::int64_t completed_ms_ = 0;
  std::int64_t modified_rows_ = -1;
  Schema schema_;
  std::atomic<std::int64_t> last_access_ms_;
  AsyncEvent changed_;
  OperationLog log_;
};

class Session {
 public:
  Session(std::string user, tcli::TProtocolVersion::type protocol, std::uint64_t connection_id,
          std::string client_ip);

  const Handle handle;
  const std::string user;
  const tcli::TProtocolVersion::type protocol;
  const std::uint64_t connection_id;
  const std::string client_ip;
  std::string principal;  // the transport-authenticated user at open; empty with NOSASL
  bool close_on_disconnect = true;

  // Session configuration (SET k=v, set:hiveconf:) and variables (set:hivevar:).
  config::Conf conf;
  std::map<std::string, std::string> vars;
  std::mutex conf_mu;

  // Blocking database work of this session runs one at a time under this lock, on the pool.
  std::mutex work_mu;
  std::unique_ptr<SqlSession> sql;

  // The operation whose statement is running on `sql`, so a cancel interrupts only that one.
  void set_running(Operation* op);
  // Interrupts the database if `op` is the statement running now.
  void interrupt_if_running(const Operation* op);
  // Closes the database session; call under work_mu.
  void release_sql();

  void add_operation(std::shared_ptr<Operation> op);
  std::shared_ptr<Operation> remove_operation(const std::string& key);
  std::vector<std::shared_ptr<Operation>> operations() const;
  bool has_running_operation() const;

  void touch() { last_access_ms_ = epoch_millis(); }
  std::int64_t last_access_ms() const { return last_access_ms_; }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Operation>> operations_;
  Operation* running_ = nullptr;
  std::atomic<std::int64_t> last_access_ms_;
};

}  // namespace kitsune::backend
