// What the BatchManager shares with the coroutines that run its batches: settings, the store,
// the jobs running here. Owned jointly (shared_ptr) so that a runner never outlives what it uses.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "kitsune/batch/batch_manager.h"
#include "kitsune/common/async_event.h"
#include "kitsune/engine/launcher.h"
#include "metadata_store.h"

namespace kitsune::batch {

std::int64_t now_ms();

struct Settings {
  std::string instance;
  std::filesystem::path work_dir_root;
  std::filesystem::path kyuubi_home;
  std::chrono::milliseconds check_interval{5000};  // kyuubi.batch.application.check.interval
  bool cleaner_enabled = true;
  std::chrono::milliseconds cleaner_interval{30 * 60 * 1000};
  std::chrono::milliseconds max_age{72 * 3600 * 1000};
  std::chrono::milliseconds search_window{0};  // 0: none
  std::int64_t resource_max_size = 0;          // 0: no cap of its own
  std::int64_t extra_resource_max_size = 0;
  std::int64_t body_max_size = 0;  // kitsune.frontend.rest.max.body.size: bounds a script
  bool upload_enabled = true;
  std::vector<std::string> conf_ignore_list;
  bool do_as = true;
  std::chrono::milliseconds destroy_timeout{5000};
  std::shared_ptr<const config::Redactor> redactor;
  // The environment of spark-submit: the server's plus the server's kyuubi.engineEnv.*.
  std::map<std::string, std::string> spark_env;
  config::Conf server_conf;
};

Settings read_settings(const config::Conf& conf, const BatchEnvironment& env);

// A batch running (or being followed) on this gateway.
struct Job {
  std::string id;
  std::string user;
  std::string type;  // SPARK, PYSPARK, SQL
  std::filesystem::path log;
  std::atomic<bool> cancel{false};  // close() asked for it
  std::atomic<bool> done{false};    // its runner has ended
  AsyncEvent wake;                  // cancel, a process exit, stop()
};

class Core : public std::enable_shared_from_this<Core> {
 public:
  Core(asio::io_context& io_context, Settings s, BatchEnvironment e,
       std::shared_ptr<MetadataStore> st)
      : io(io_context), settings(std::move(s)), env(std::move(e)), store(std::move(st)) {}

  asio::io_context& io;
  const Settings settings;
  const BatchEnvironment env;
  const std::shared_ptr<MetadataStore> store;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> next_connection{0};

  // Runs `fn(store)` on the blocking pool.
  template <typename F>
  auto db(F fn) -> awaitable<std::invoke_result_t<F&, MetadataStore&>> {
    auto call = [store = store, fn = std::move(fn)]() mutable { return fn(*store); };
    co_return co_await env.pool->run(std::move(call));
  }
  // Runs `fn()` on the blocking pool.
  template <typename F>
  auto blocking(F fn) -> awaitable<std::invoke_result_t<F&>> {
    co_return co_await env.pool->run(std::move(fn));
  }

  // Updates the batch's row; a failure is logged. `final` updates (the end of a batch) are tried
  // again for a while, since a lost one would leave the batch running in the store for ever.
  awaitable<bool> update(std::string id, MetadataUpdate update, bool final = false);
  awaitable<void> append_log(std::filesystem::path log, std::vector<std::string> lines);

  std::filesystem::path user_dir(const std::string& user) const;
  std::filesystem::path log_path(const std::string& user, const std::string& id) const;
  std::filesystem::path exit_path(const std::string& user, const std::string& id) const;
  std::filesystem::path upload_dir(const std::string& id) const;

  std::shared_ptr<Job> add_job(std::string id, std::string user, std::string type);
  std::shared_ptr<Job> find_job(const std::string& id) const;
  // Marks the job done and takes it out of the registry.
  void remove_job(const std::shared_ptr<Job>& job);
  std::vector<std::shared_ptr<Job>> all_jobs() const;
  // Starts a coroutine the manager waits for in stop(); `job`, if any, leaves the registry when
  // it ends.
  void spawn(awaitable<void> task, std::shared_ptr<Job> job);
  std::size_t tasks() const { return tasks_.load(); }
  // Wakes every runner and loop (stop(), or a job to look at its cancel flag).
  void wake_all();
  AsyncEvent& loops_wake() { return loops_wake_; }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::atomic<std::size_t> tasks_{0};
  AsyncEvent loops_wake_;  // the cleaner and the peer check
};

// Runners (spark_job.cc, sql_job.cc). Each ends with the batch in a terminal state in the store,
// or, when the manager stops, leaves it as it is for the next start.
awaitable<void> run_spark_batch(std::shared_ptr<Core> core, std::shared_ptr<Job> job,
                                Metadata batch);
// A Spark batch whose spark-submit outlived the previous gateway: followed by its pid.
awaitable<void> follow_spark_batch(std::shared_ptr<Core> core, std::shared_ptr<Job> job,
                                   Metadata batch);
// At start: a Spark batch whose spark-submit is gone, ended as its exit file (if any) says.
awaitable<void> end_orphan_spark_batch(std::shared_ptr<Core> core, Metadata batch);

struct SqlBatchInput {
  std::vector<std::string> statements;
  std::map<std::string, std::string> session_conf;
};
awaitable<void> run_sql_batch(std::shared_ptr<Core> core, std::shared_ptr<Job> job, Metadata batch,
                              SqlBatchInput input);

// The request's conf and args as stored (JSON text) and back.
std::vector<std::pair<std::string, std::string>> conf_of(const Metadata& batch);
std::vector<std::string> args_of(const Metadata& batch);

}  // namespace kitsune::batch
