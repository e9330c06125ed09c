// What the batch tests share: an io_context on a thread of its own with a blocking pool, a
// BatchManager on a real metadata store, a Spark home whose spark-submit is the batch stand-in,
// and the gateway's real TCLIService (launching real kitsune-engine processes) for SQL batches.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>

#include "kitsune/batch/batch_manager.h"
#include "kitsune/common/blocking_pool.h"
#include "kitsune/config/conf.h"
#include "kitsune/discovery/discovery.h"
#include "kitsune/engine/engine_manager.h"
#include "kitsune/session/gateway_service.h"

namespace kitsune::testing {

// A directory under /tmp, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// An io_context run by two threads, and a blocking pool; call() runs a coroutine there and waits.
class IoThread {
 public:
  IoThread();
  ~IoThread();
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  asio::io_context& io() { return io_; }
  BlockingPool& pool() { return pool_; }

  // Runs the awaitable `make()` returns on a strand of the io_context and returns its result.
  template <typename F>
  auto call(F make) {
    using Awaitable = decltype(make());
    using T = typename Awaitable::value_type;
    std::promise<T> promise;
    auto future = promise.get_future();
    auto run = [&promise](Awaitable a) -> awaitable<void> {
      if constexpr (std::is_void_v<T>) {
        co_await std::move(a);
        promise.set_value();
      } else {
        promise.set_value(co_await std::move(a));
      }
    };
    auto failed = [&promise](std::exception_ptr e) {
      if (e) promise.set_exception(e);
    };
    asio::co_spawn(asio::make_strand(io_), run(make()), std::move(failed));
    return future.get();
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  BlockingPool pool_{"test-blocking", 4};
  std::vector<std::thread> threads_;
};

// The gateway's own TCLIService in this process: sessions routed to LOCAL kitsune-engine
// processes it launches, as kitsune-server wires it.
class InProcessGateway {
 public:
  InProcessGateway(IoThread& io, const std::filesystem::path& work_dir, config::Conf conf);
  ~InProcessGateway();
  frontend::Hs2Service& service() { return *service_; }

 private:
  IoThread& io_;
  std::unique_ptr<discovery::Discovery> discovery_;
  std::unique_ptr<engine::EngineManager> engines_;
  std::unique_ptr<session::GatewayService> service_;
};

// A caller of the batch API.
batch::Caller caller(const std::string& user, bool administrator = false);

// A Spark home under `dir` whose bin/spark-submit is tests/standins/spark-submit-batch-standin.
std::filesystem::path make_spark_home(const std::filesystem::path& dir);

// One gateway's batch side: a BatchManager on `conf` (its metadata store named there), with the
// work dir and instance given; started, and stopped on destruction.
class BatchWorld {
 public:
  BatchWorld(IoThread& io, config::Conf conf, std::filesystem::path work_dir,
             std::string instance = "gateway-1.test:10099",
             frontend::Hs2Service* sql_service = nullptr);
  ~BatchWorld();

  batch::BatchManager& manager() { return *manager_; }
  IoThread& io() { return io_; }
  const std::filesystem::path& work_dir() const { return work_dir_; }
  // Stops the manager and destroys it, as a gateway that goes away.
  void shut_down();

  Result<batch::Batch> submit(const batch::Caller& who, batch::BatchRequest request,
                              std::vector<batch::Upload> uploads = {});
  Result<batch::Batch> get(const batch::Caller& who, const std::string& id);
  Result<std::vector<batch::Batch>> list(const batch::Caller& who, const batch::BatchFilter& f);
  Result<batch::LogSlice> log(const batch::Caller& who, const std::string& id, int from = 0,
                              int size = 10000);
  Result<batch::CloseResult> close(const batch::Caller& who, const std::string& id);
  // The batch's log as one text.
  std::string log_text(const std::string& id);
  // How many lines of the batch's log are exactly `line`.
  std::size_t log_lines_equal_to(const std::string& id, const std::string& line);

  // Polls get() until the batch's state is one of `states`; the last batch seen.
  batch::Batch wait_for_state(const std::string& id, const std::vector<std::string>& states,
                              std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // Until the batch has ended (FINISHED, ERROR, CANCELED).
  batch::Batch wait_for_end(const std::string& id,
                            std::chrono::milliseconds timeout = std::chrono::seconds(60));

 private:
  IoThread& io_;
  std::filesystem::path work_dir_;
  std::unique_ptr<batch::BatchManager> manager_;
};

// The conf of a metadata store in an SQLite file, with quick batch checks.
config::Conf sqlite_conf(const std::filesystem::path& db);

// One real PostgreSQL for the whole test process (stopped at exit), with a role for the store;
// each call of postgres_database() creates a database of its own there.
std::string postgres_database();
// The conf of a metadata store in that database (POSTGRESQL, user and password keys).
config::Conf postgres_conf(const std::string& database);
int postgres_port();

// The lines of `text` that contain `part`.
std::vector<std::string> lines_with(const std::string& text, const std::string& part);
// The lines of a file.
std::vector<std::string> file_lines(const std::filesystem::path& file);

}  // namespace kitsune::testing
