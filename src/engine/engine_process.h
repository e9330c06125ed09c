// Starting an engine process on this host: fork/exec with its working dir and log file, and the
// EngineProcess that watches it. Private to src/engine; launchers build the ProcessSpec.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kitsune/common/asio.h"
#include "kitsune/common/status.h"
#include "kitsune/engine/launcher.h"
#include "kitsune/engine/process_builder.h"

namespace kitsune::engine {

struct ProcessSpec {
  std::filesystem::path executable;  // made absolute against the server's working dir
  std::vector<std::string> args;     // after argv[0]
  std::vector<std::string> env;      // the whole environment, "NAME=value"
  std::filesystem::path work_dir;    // created (mode 0700, with parents) when missing
  std::string log_prefix;            // the log is <work_dir>/<log_prefix>.<N>
  // When set, the log is exactly this file instead (appended to; created, mode 0600, with its
  // missing parents when absent): a batch's log, whose name its id decides.
  std::filesystem::path log_file;
  // stdout goes to the log too, instead of to a pipe watched for the address line: for a process
  // whose output is its user's to read, and which must outlive the gateway (a pipe would break).
  bool stdout_to_log = false;
  std::chrono::milliseconds log_timeout{24 * 3600 * 1000};
  std::chrono::milliseconds destroy_timeout{5000};
  int max_log_lines = 10;
  int error_max_size = 8192;
  bool die_with_parent = false;
  // Called once the log file is chosen, before the process starts: fills in what depends on the
  // log's path (Spark is told it). A failure stops the launch with that status.
  std::function<Status(const std::filesystem::path& log_path, ProcessSpec& spec)> complete;
  // Written (mode 0600, replacing a stale one) just before the start, removed once the process
  // has exited or failed to start: secrets the engine reads from a file, not its command line.
  std::vector<PrivateFile> private_files;
};

// Starts the process: its own process group, stdin from /dev/null, stdout to a pipe watched for
// the "host:port" line, stderr to the log file. Blocks only until the exec has happened (or
// failed); fails with "cannot start <executable>: <reason>". The watchers run on a strand of `io`.
Result<std::shared_ptr<EngineProcess>> start_engine_process(asio::io_context& io, ProcessSpec spec);

// The part of an engine's log that says why it failed: the first block that starts at a line
// with "ERROR", "Error", "error" or "Exception" (with the continuation lines that follow it:
// indented, "Caused by:", or error lines too), else the last `max_lines` lines; at most
// `max_size` bytes either way. Empty when the log has nothing but blank lines.
std::string extract_error_text(std::string_view log, int max_lines, int max_size);

}  // namespace kitsune::engine
