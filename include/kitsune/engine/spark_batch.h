// Spark batch jobs: Kyuubi's SparkBatchProcessBuilder (the spark-submit of a user's application)
// and the process that runs one, watched like an engine but not tied to the gateway's life.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kitsune/common/asio.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"
#include "kitsune/engine/launcher.h"
#include "kitsune/engine/process_builder.h"

namespace kitsune::engine {

struct SparkBatchRequest {
  std::string batch_id;    // tags the application (spark.yarn.tags, the K8s label)
  std::string user;        // --proxy-user
  std::string name;        // spark.app.name, when not empty
  std::string resource;    // the jar or .py file, the last argument before `args`
  std::string class_name;  // --class; empty for PYSPARK
  // The batch's configuration: the server's kyuubi.batchConf.spark.* (prefix stripped) overlaid
  // with the request's conf. Each entry becomes --conf <k'>=<v> with Kyuubi's key mapping.
  std::vector<std::pair<std::string, std::string>> conf;
  std::vector<std::string> args;
  bool do_as = true;  // kyuubi.engine.doAs.enabled
};

// $SPARK_HOME/bin/spark-submit [--class <class>] --conf <k>=<v>... [--properties-file <private>]
// [--proxy-user <user>] <resource> <args>...: the confs sorted by key, with spark.app.name=<name>,
// kyuubi.engine.engineLog.path=<ctx.log_path> and the application tags added. Values of secret
// keys (the redactor) go to a private --properties-file with spark-defaults.conf's entries, as
// for engines. ctx.private_dir holds that file (named after the batch id).
Result<EngineCommand> build_spark_batch_command(const SparkBatchRequest& request,
                                                const LaunchContext& ctx,
                                                const config::Redactor& redactor);

struct BatchProcessSpec {
  EngineCommand command;
  std::filesystem::path work_dir;  // its working directory (created, mode 0700, when missing)
  std::filesystem::path log_file;  // stdout and stderr are both appended to it
  // When set, the exit code is written there (one line) once the command ends, by a /bin/sh
  // that runs it and waits: a gateway restarted in the meantime learns how it ended from it.
  std::filesystem::path exit_file;
  std::chrono::milliseconds destroy_timeout{5000};  // SIGTERM -> SIGKILL grace of terminate()
  int max_log_lines = 10;                           // for error_text()
  int error_max_size = 8192;
};

// Starts a batch's process in a process group of its own (pid() is its leader: the /bin/sh when
// exit_file is set), stdin from /dev/null. Unlike an engine it is not told to die with the
// gateway, and nothing of it goes through a pipe the gateway holds. Private files are written
// before the start and removed once it has exited (by the /bin/sh too, should the gateway be gone
// by then). Blocks only for the fork and exec. `io` runs the watcher; see EngineProcess.
Result<std::shared_ptr<EngineProcess>> start_batch_process(asio::io_context& io,
                                                           BatchProcessSpec spec);

}  // namespace kitsune::engine
