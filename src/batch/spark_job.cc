// Spark batches: spark-submit started under SPARK_HOME, its output in the batch's log, the batch's
// state following the process (or, after a restart, its pid) to the end.
#include <signal.h>

#include <optional>

#include "batch_core.h"
#include "batch_files.h"
#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "kitsune/engine/spark_batch.h"
#include "process_identity.h"
#include "spark_output.h"

namespace kitsune::batch {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::size_t kScanChunk = 1 << 20;
constexpr int kMaxScanChunksAtEnd = 16;
constexpr int kDiagnosticLines = 10;
constexpr std::size_t kDiagnosticBytes = 8192;

std::shared_ptr<spdlog::logger> log() {
  return logger("batch");
}

// How the process is watched: our child (its exit code from the watcher), or a process a previous
// gateway started (its pid polled, its exit code from the exit file).
struct Watched {
  std::shared_ptr<engine::EngineProcess> child;
  std::string identity;  // re-attached
  fs::path exit_file;

  struct Ended {
    std::optional<int> code;  // nullopt: unknown
  };
  std::optional<Ended> ended() const {
    if (child) {
      if (auto code = child->exit_code()) return Ended{*code};
      return std::nullopt;
    }
    if (process_alive(identity)) return std::nullopt;
    return Ended{read_exit_code(exit_file)};
  }
  void terminate() const {
    if (child) {
      child->terminate();  // SIGKILL follows by itself after the destroy timeout
    } else {
      signal_process(identity, SIGTERM);
    }
  }
  void kill() const {
    if (child) {
      child->kill();
    } else {
      signal_process(identity, SIGKILL);
    }
  }
};

// Reads what the log gained since `offset` into `info`; the new offset.
awaitable<std::uint64_t> scan(const std::shared_ptr<Core>& core, const fs::path& log_file,
                              std::uint64_t offset, SparkAppInfo& info, int max_chunks) {
  for (int i = 0; i < max_chunks; ++i) {
    auto read = [log_file, offset] { return read_log_chunk(log_file, offset, kScanChunk); };
    LogChunk chunk = co_await core->blocking(std::move(read));
    if (chunk.text.empty()) break;
    scan_spark_output(chunk.text, info);
    offset = chunk.next;
  }
  co_return offset;
}

std::string app_state_of(const SparkAppInfo& info) {
  return info.state.empty() ? std::string("RUNNING") : info.state;
}

struct Outcome {
  std::string state;
  std::string app_state;
  std::string diagnostic;
};

awaitable<void> finish(std::shared_ptr<Core> core, const Metadata& batch, const fs::path& log_file,
                       Outcome outcome, const SparkAppInfo& info) {
  MetadataUpdate u;
  u.state = outcome.state;
  u.engine_state = outcome.app_state;
  u.engine_error = outcome.diagnostic;
  u.end_time = now_ms();
  if (!info.id.empty()) u.engine_id = info.id;
  if (!info.url.empty()) u.engine_url = info.url;
  co_await core->update(batch.identifier, std::move(u), /*final=*/true);
  std::vector<std::string> lines{
      "Batch " + batch.identifier + " ended: " + outcome.state +
      (outcome.diagnostic.empty() ? "" : " (" + outcome.diagnostic + ")")};
  co_await core->append_log(log_file, std::move(lines));
  const fs::path exit_file = core->exit_path(batch.user_name, batch.identifier);
  auto remove = [exit_file] {
    std::error_code ec;
    fs::remove(exit_file, ec);
  };
  co_await core->blocking(std::move(remove));
  log()->info("batch {} of {} ended: {}{}", batch.identifier, batch.user_name, outcome.state,
              outcome.diagnostic.empty() ? "" : " (" + outcome.diagnostic + ")");
}

// Follows the process to its end, keeping the application's id, address and state in the store;
// on close() terminates it. Leaves the batch as it is when the manager stops.
awaitable<void> follow(std::shared_ptr<Core> core, std::shared_ptr<Job> job, Metadata batch,
                       Watched watched, std::uint64_t offset) {
  SparkAppInfo info;
  info.id = batch.engine_id;
  info.url = batch.engine_url;
  SparkAppInfo stored = info;
  bool cancel_sent = false;
  Clock::time_point kill_at{};
  std::optional<Watched::Ended> ended;
  while (true) {
    const std::uint64_t seen = job->wake.generation();
    if (core->stopping) co_return;
    if (job->cancel && !cancel_sent) {
      cancel_sent = true;
      kill_at = Clock::now() + core->settings.destroy_timeout;
      log()->info("batch {}: cancelling: SIGTERM to its spark-submit", batch.identifier);
      std::vector<std::string> lines{"Batch " + batch.identifier + " is being cancelled"};
      co_await core->append_log(job->log, std::move(lines));
      watched.terminate();
    }
    if (cancel_sent && !watched.child && Clock::now() >= kill_at) watched.kill();
    ended = watched.ended();
    offset = co_await scan(core, job->log, offset, info, ended ? kMaxScanChunksAtEnd : 1);
    if (ended) break;
    if (!(info == stored)) {
      MetadataUpdate u;
      if (info.id != stored.id) u.engine_id = info.id;
      if (info.url != stored.url) u.engine_url = info.url;
      u.engine_state = app_state_of(info);
      if (co_await core->update(batch.identifier, std::move(u))) stored = info;
    }
    auto wait = core->settings.check_interval;
    if (cancel_sent) wait = std::min<std::chrono::milliseconds>(wait, 200ms);
    co_await job->wake.wait_until(seen, Clock::now() + wait);
  }

  Outcome outcome;
  const std::optional<int> code = ended->code;
  const bool app_failed = info.final && info.state != "FINISHED";
  if (cancel_sent) {
    outcome = {"CANCELED", "KILLED", "cancelled by a request to close the batch"};
  } else if (code && *code == 0 && !app_failed) {
    outcome = {"FINISHED", info.final ? info.state : "FINISHED", ""};
  } else {
    outcome.state = "ERROR";
    outcome.app_state = info.final ? info.state : "FAILED";
    if (!code) {
      outcome.diagnostic = "spark-submit ended while no gateway watched it; its exit code is lost";
    } else if (*code == 0) {
      outcome.diagnostic = "the application ended " + info.state;
    } else {
      outcome.diagnostic = "spark-submit exited with code " + std::to_string(*code);
    }
    std::string why;
    if (watched.child) {
      why = watched.child->error_text();
    } else {
      auto tail = [file = job->log] {
        return read_log_tail(file, kDiagnosticLines, kDiagnosticBytes);
      };
      why = co_await core->blocking(std::move(tail));
    }
    if (!trim(why).empty()) outcome.diagnostic += ": " + std::string(trim(why));
  }
  co_await finish(core, batch, job->log, std::move(outcome), info);
}

std::string setting(const std::vector<std::pair<std::string, std::string>>& conf,
                    std::string_view key) {
  std::string out;
  for (const auto& [k, v] : conf) {
    if (k == key) out = v;
  }
  return out;
}

}  // namespace

awaitable<void> run_spark_batch(std::shared_ptr<Core> core, std::shared_ptr<Job> job,
                                Metadata batch) {
  const Settings& s = core->settings;
  MetadataUpdate pending;
  pending.state = "PENDING";
  co_await core->update(batch.identifier, std::move(pending));

  engine::SparkBatchRequest request;
  request.batch_id = batch.identifier;
  request.user = batch.user_name;
  request.name = batch.request_name;
  request.resource = batch.resource;
  request.class_name = batch.class_name;
  request.conf = conf_of(batch);
  request.args = args_of(batch);
  request.do_as = s.do_as;
  engine::LaunchContext ctx;
  ctx.env = s.spark_env;
  ctx.kyuubi_home = s.kyuubi_home;
  ctx.log_path = job->log;
  ctx.private_dir = core->user_dir(batch.user_name) / ".kitsune-private";
  auto command = engine::build_spark_batch_command(request, ctx, *s.redactor);
  SparkAppInfo none;
  if (!command) {
    Outcome failed{"ERROR", "FAILED", "cannot submit the batch: " + command.status().message()};
    co_await finish(core, batch, job->log, std::move(failed), none);
    co_return;
  }
  if (job->cancel) {
    Outcome cancelled{"CANCELED", "NOT_FOUND", "cancelled before it was submitted"};
    co_await finish(core, batch, job->log, std::move(cancelled), none);
    co_return;
  }
  if (core->stopping) co_return;
  std::vector<std::string> lines{"Submitting batch " + batch.identifier + " of " + batch.user_name +
                                 ": " + engine::describe_command(*command, *s.redactor)};
  co_await core->append_log(job->log, std::move(lines));

  engine::BatchProcessSpec spec;
  spec.command = std::move(command).value();
  spec.work_dir = core->user_dir(batch.user_name);
  spec.log_file = job->log;
  spec.exit_file = core->exit_path(batch.user_name, batch.identifier);
  spec.destroy_timeout = s.destroy_timeout;
  auto started = engine::start_batch_process(core->io, std::move(spec));
  if (!started) {
    Outcome failed{"ERROR", "FAILED", started.status().message()};
    co_await finish(core, batch, job->log, std::move(failed), none);
    co_return;
  }
  std::shared_ptr<engine::EngineProcess> process = std::move(started).value();
  std::weak_ptr<Job> weak = job;
  process->set_listener([weak] {
    if (auto j = weak.lock()) j->wake.notify_all();
  });
  const std::string identity = process_identity(process->pid()).value_or("");
  log()->info("batch {} of {}: spark-submit pid {} started, log {}", batch.identifier,
              batch.user_name, process->pid(), job->log.string());

  const auto conf = conf_of(batch);
  MetadataUpdate running;
  running.state = "RUNNING";
  running.engine_open_time = now_ms();
  running.engine_name = batch.request_name;
  running.engine_state = "RUNNING";
  running.cluster_manager = setting(conf, "spark.master");
  running.submit_process = identity;
  co_await core->update(batch.identifier, std::move(running));

  Watched watched;
  watched.child = std::move(process);
  co_await follow(core, job, std::move(batch), std::move(watched), 0);
}

awaitable<void> follow_spark_batch(std::shared_ptr<Core> core, std::shared_ptr<Job> job,
                                   Metadata batch) {
  log()->info("batch {} of {}: following its spark-submit (pid {}) again after a restart",
              batch.identifier, batch.user_name, identity_pid(batch.submit_process));
  std::vector<std::string> lines{"The gateway restarted; it follows batch " + batch.identifier +
                                 " again (spark-submit pid " +
                                 std::to_string(identity_pid(batch.submit_process)) + ")"};
  co_await core->append_log(job->log, std::move(lines));
  Watched watched;
  watched.identity = batch.submit_process;
  watched.exit_file = core->exit_path(batch.user_name, batch.identifier);
  co_await follow(core, job, std::move(batch), std::move(watched), 0);
}

awaitable<void> end_orphan_spark_batch(std::shared_ptr<Core> core, Metadata batch) {
  const fs::path log_file = core->log_path(batch.user_name, batch.identifier);
  const fs::path exit_file = core->exit_path(batch.user_name, batch.identifier);
  auto read = [exit_file] { return read_exit_code(exit_file); };
  const std::optional<int> code = co_await core->blocking(std::move(read));
  SparkAppInfo info;
  info.id = batch.engine_id;
  info.url = batch.engine_url;
  co_await scan(core, log_file, 0, info, kMaxScanChunksAtEnd);
  const bool app_failed = info.final && info.state != "FINISHED";
  Outcome outcome;
  if (code && *code == 0 && !app_failed) {
    outcome = {"FINISHED", info.final ? info.state : "FINISHED", ""};
  } else if (code) {
    outcome = {
        "ERROR", info.final ? info.state : "FAILED",
        "spark-submit exited with code " + std::to_string(*code) + " while the gateway was down"};
  } else {
    outcome = {"ERROR", info.final ? info.state : "UNKNOWN",
               "the gateway restarted while the batch was " + batch.state +
                   ", and its spark-submit is gone without an exit code"};
  }
  co_await finish(core, batch, log_file, std::move(outcome), info);
}

}  // namespace kitsune::batch
