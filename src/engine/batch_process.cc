// A batch's process: the command in a group of its own, its output appended to the batch's log,
// and (when asked) a /bin/sh around it that records the exit code for a restarted gateway.
#include "engine_process.h"
#include "kitsune/engine/spark_batch.h"

namespace kitsune::engine {
namespace {

// Runs "$@" after taking the exit file and the private files off the front of the arguments;
// then removes the private files and writes the exit code. POSIX sh only.
constexpr const char* kExitRecorder =
    "e=$1; n=$2; shift 2\n"
    "p=''\n"
    "while [ \"$n\" -gt 0 ]; do p=\"$p\n$1\"; shift; n=$((n - 1)); done\n"
    "\"$@\"\n"
    "s=$?\n"
    "printf '%s\\n' \"$p\" | while IFS= read -r f; do [ -z \"$f\" ] || rm -f -- \"$f\"; done\n"
    "printf '%s\\n' \"$s\" > \"$e\"\n"
    "exit \"$s\"\n";

}  // namespace

Result<std::shared_ptr<EngineProcess>> start_batch_process(asio::io_context& io,
                                                           BatchProcessSpec spec) {
  if (spec.log_file.empty()) return Status::internal("a batch process needs a log file");
  ProcessSpec process;
  process.work_dir = spec.work_dir;
  process.log_file = spec.log_file;
  process.stdout_to_log = true;
  process.destroy_timeout = spec.destroy_timeout;
  process.max_log_lines = spec.max_log_lines;
  process.error_max_size = spec.error_max_size;
  process.die_with_parent = false;
  for (const auto& [name, value] : spec.command.env) {
    if (name.empty() || name.find('=') != std::string::npos ||
        name.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
      return Status::error("cannot start the batch: bad environment variable '" + name + "'");
    }
    process.env.push_back(name + "=" + value);
  }
  if (spec.exit_file.empty()) {
    process.executable = spec.command.executable;
    process.args = std::move(spec.command.args);
  } else {
    std::error_code ec;
    std::filesystem::remove(spec.exit_file, ec);  // a stale one would tell a wrong story
    process.executable = "/bin/sh";
    process.args = {"-c", kExitRecorder, "kitsune-batch", spec.exit_file.string(),
                    std::to_string(spec.command.private_files.size())};
    for (const auto& file : spec.command.private_files)
      process.args.push_back(file.path.string());
    process.args.push_back(std::filesystem::absolute(spec.command.executable, ec).string());
    for (auto& arg : spec.command.args)
      process.args.push_back(std::move(arg));
  }
  process.private_files = std::move(spec.command.private_files);
  return start_engine_process(io, std::move(process));
}

}  // namespace kitsune::engine
