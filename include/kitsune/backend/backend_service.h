// BackendService: an engine's TCLIService implementation (sessions, operations, result sets,
// the engine's own SET/USE/SHOW/DESCRIBE commands, metadata calls) over a SqlBackend.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "kitsune/backend/sql_backend.h"
#include "kitsune/common/asio.h"
#include "kitsune/common/async_event.h"
#include "kitsune/common/blocking_pool.h"
#include "kitsune/config/conf.h"
#include "kitsune/frontend/hs2_service.h"

namespace kitsune::backend {

class Session;
class Operation;
struct Statement;

struct EngineIdentity {
  std::string id;    // kyuubi.engine.id, returned in OpenSession
  std::string name;  // kyuubi.engine.name
};

class BackendService final : public frontend::Hs2Service {
 public:
  // `conf` is the engine's configuration; `backend` must outlive the service.
  BackendService(asio::io_context& io, config::Conf conf, SqlBackend& backend,
                 EngineIdentity identity);
  ~BackendService() override;

  // Starts the janitor that closes idle sessions and operations. `on_idle` is called once when
  // the engine has had no session for kyuubi.session.engine.idle.timeout (if positive).
  void start(std::function<void()> on_idle);

  // Cancels every operation and closes every session (for shutdown).
  awaitable<void> close_all();

  std::size_t session_count() const;

#define KITSUNE_OVERRIDE_HS2_METHOD(Method, snake)                                 \
  awaitable<Result<tcli::T##Method##Resp>> snake(const frontend::CallContext& ctx, \
                                                 const tcli::T##Method##Req& req) override;
  KITSUNE_TCLI_METHODS(KITSUNE_OVERRIDE_HS2_METHOD)
#undef KITSUNE_OVERRIDE_HS2_METHOD

  awaitable<void> on_disconnect(const frontend::CallContext& ctx) override;

 private:
  using Clock = std::chrono::steady_clock;
  using Producer = std::function<Result<std::unique_ptr<Cursor>>(Session&)>;

  Result<std::shared_ptr<Session>> find_session(const frontend::CallContext& ctx,
                                                const tcli::TSessionHandle& handle);
  Result<std::shared_ptr<Operation>> find_operation(const frontend::CallContext& ctx,
                                                    const tcli::TOperationHandle& handle);
  // Registers a metadata operation whose rows `produce` computes on the pool.
  awaitable<Result<tcli::TOperationHandle>> run_metadata(const frontend::CallContext& ctx,
                                                         const tcli::TSessionHandle& handle,
                                                         tcli::TOperationType::type type,
                                                         std::string description, Producer produce);
  awaitable<void> execute(std::shared_ptr<Session> session, std::shared_ptr<Operation> op,
                          Statement statement);
  // Runs one statement on the pool thread, under the session's work lock.
  Status run_statement(Session& session, Operation& op, const Statement& statement);
  awaitable<void> watch_timeout(std::shared_ptr<Operation> op, Clock::time_point deadline,
                                std::chrono::milliseconds timeout);
  void register_operation(const std::shared_ptr<Session>& session,
                          const std::shared_ptr<Operation>& op);
  std::shared_ptr<Session> session_of(const Operation& op);
  awaitable<void> close_session(std::shared_ptr<Session> session, std::string why);
  awaitable<void> close_operation(std::shared_ptr<Session> session, std::shared_ptr<Operation> op);
  awaitable<void> janitor();
  // The answer to a call the engine does not provide, once the session handle is checked.
  template <typename Resp>
  awaitable<Result<Resp>> refuse(const frontend::CallContext& ctx,
                                 const tcli::TSessionHandle& handle, std::string what);

  // Settings the calls use, read once from conf_ rather than parsed on every call.
  struct Settings {
    explicit Settings(const config::Conf& conf);
    std::string default_fetch_size;
    std::optional<std::chrono::milliseconds> query_timeout;
    std::chrono::milliseconds status_polling_timeout;
    std::size_t fetch_max_bytes;
    std::size_t operation_log_max_bytes;
  };

  asio::io_context& io_;
  config::Conf conf_;
  const Settings settings_;
  SqlBackend& backend_;
  EngineIdentity identity_;
  config::Redactor redactor_;
  BlockingPool pool_;
  std::function<void()> on_idle_;
  std::atomic<bool> closing_{false};
  AsyncEvent stop_;  // wakes the janitor when closing

  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Session>> sessions_;  // by guid
  struct OperationEntry {
    std::shared_ptr<Operation> op;
    std::weak_ptr<Session> session;
  };
  std::unordered_map<std::string, OperationEntry> operations_;  // by guid
  Clock::time_point last_session_end_ = Clock::now();
};

}  // namespace kitsune::backend
