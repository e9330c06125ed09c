// Launchers: start an engine process of one engine type with Kyuubi's launch contract (conf
// pairs in, registration out), and watch it until it exits.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kitsune/common/asio.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace kitsune::engine {

struct LaunchRequest {
  std::string engine_type;  // upper case, e.g. "LOCAL"
  std::string user;         // kyuubi.session.user: the routing user the engine serves
  std::string ref_id;       // kyuubi.ha.engine.ref.id
  std::string engine_name;  // default application name
  // The engine's configuration, already filtered for what an engine may see (sorted by key).
  std::vector<std::pair<std::string, std::string>> conf;
  // Extra environment (kyuubi.engineEnv.<VAR>), on top of the server's own.
  std::map<std::string, std::string> env;
  std::filesystem::path work_dir;  // $KYUUBI_WORK_DIR_ROOT/<user>, created when missing
  int max_log_lines = 10;          // kyuubi.session.engine.startup.maxLogLines
  int error_max_size = 8192;       // kyuubi.session.engine.startup.error.max.size
  std::chrono::milliseconds log_timeout{24 * 3600 * 1000};  // kyuubi.session.engine.log.timeout
  std::chrono::milliseconds destroy_timeout{5000};          // SIGTERM -> SIGKILL grace
  // Values of keys matching this are secrets: never on a command line or in a log line. Null
  // means kyuubi.server.redaction.regex's default.
  std::shared_ptr<const config::Redactor> redactor;
  // Ask the kernel to SIGTERM the engine when the gateway dies (PR_SET_PDEATHSIG), for engines
  // nothing else can find. The kernel ties this to the launching *thread*: call launch() from a
  // thread that lives as long as the gateway (an I/O thread), not from a pool thread that may end.
  bool die_with_parent = false;
  // kyuubi.engine.doAs.enabled: the engine impersonates `user` (spark-submit --proxy-user);
  // otherwise it runs as the server's user.
  bool do_as = true;
};

// A launched engine process. Thread-safe; callbacks run on an I/O thread. The io_context given
// to the launcher must outlive every EngineProcess it made.
class EngineProcess {
 public:
  // Dropping the last reference does not stop the engine (it may be shared): the watcher goes on
  // draining its stdout and reaps it when it exits, and the listener is never called again (a
  // call under way on another thread is waited for, so do not drop the last reference while
  // holding a lock the listener takes).
  virtual ~EngineProcess() = default;

  virtual int pid() const = 0;
  virtual const std::filesystem::path& log_path() const = 0;

  // "host:port" when the engine announced its address on stdout (kitsune-engine does, once it
  // listens); nullopt before that, and for engines that only register in discovery.
  virtual std::optional<std::string> announced_address() const = 0;
  // The exit status once the process is gone (its exit code, or 128 + signal).
  virtual std::optional<int> exit_code() const = 0;
  // Why the engine failed, from its log: the first error block, else the last lines, bounded by
  // error_max_size. Empty when the log says nothing.
  virtual std::string error_text() const = 0;

  // `listener` is called (from any thread) whenever the address is announced or the process
  // exits; at once if either already happened. Replaces an earlier listener. It is released after
  // the exit has been reported; it should not hold a strong reference to this process.
  virtual void set_listener(std::function<void()> listener) = 0;

  // SIGTERM, then SIGKILL after the destroy timeout if it is still there. Does not wait.
  virtual void terminate() = 0;
  // SIGKILL now.
  virtual void kill() = 0;
};

class Launcher {
 public:
  virtual ~Launcher() = default;
  virtual std::string_view engine_type() const = 0;

  // Starts the engine. Fails (with the reason) when the process cannot be started at all; an
  // engine that starts and then dies shows it through exit_code() and error_text(). Blocks only
  // for the fork and exec (milliseconds), not for the engine to come up.
  virtual Result<std::shared_ptr<EngineProcess>> launch(const LaunchRequest& request) = 0;

  // The command line as it would be logged (secrets redacted), for logs and the launch log.
  virtual std::string describe(const LaunchRequest& request) const = 0;
};

// kitsune-engine at `executable`, bound to `bind_host` on a port of the system's choosing, for
// `engine_type`: LOCAL (SQLite) or JDBC (its PostgreSQL and MySQL backends). `io` runs the
// watchers of the processes it launches.
std::unique_ptr<Launcher> make_local_launcher(asio::io_context& io,
                                              std::filesystem::path executable,
                                              std::string bind_host,
                                              std::string engine_type = "LOCAL");

}  // namespace kitsune::engine
