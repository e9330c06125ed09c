// GatewayProcess: a real kitsune-server started for a test, with a temp configuration dir and
// work dir, on a port the OS picks; the engines it launches are real kitsune-engine processes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace kitsune::testing {

struct GatewayOptions {
  using Conf = std::vector<std::pair<std::string, std::string>>;

  // Lines written to <temp>/conf/kyuubi-defaults.conf after the harness's own (127.0.0.1, port 0,
  // engine type LOCAL), so that they win over those.
  std::string defaults_file;
  // --conf pairs, in order; they win over the file.
  Conf conf;
  // How the server finds the configuration dir: --conf-dir, $KYUUBI_CONF_DIR, or given as
  // `conf_dir_override` (for instance a dir that does not exist) with --conf-dir.
  enum class ConfDirBy { kFlag, kEnv };
  ConfDirBy conf_dir_by = ConfDirBy::kFlag;
  std::optional<std::string> conf_dir_override;
  // Require the address line: the constructor throws (with the log) when the server exits or
  // stays silent instead. False for tests of startup refusals, which then call wait_exit().
  bool expect_listening = true;
};

class GatewayProcess {
 public:
  // Starts build/bin/kitsune-server (or $KITSUNE_SERVER) with KYUUBI_WORK_DIR_ROOT=<temp>/work
  // and waits up to 20 s for its "host:port" line on stdout, or for it to exit. The server gets
  // SIGTERM if the calling thread ends first (so construct it on the test's own thread).
  explicit GatewayProcess(GatewayOptions options = {});
  // Stops the server (SIGTERM, then SIGKILL), kills engines it left behind, removes the temp dir.
  ~GatewayProcess();
  GatewayProcess(const GatewayProcess&) = delete;
  GatewayProcess& operator=(const GatewayProcess&) = delete;

  bool listening() const { return port_ > 0; }
  const std::string& host() const { return host_; }
  int port() const { return port_; }
  // The REST API's and Thrift HTTP's ports, when the server serves them (else 0).
  int rest_port() const { return rest_port_; }
  int http_port() const { return http_port_; }
  pid_t pid() const { return pid_; }
  const std::string& dir() const { return dir_; }
  const std::string& conf_dir() const { return conf_dir_; }
  const std::string& work_dir() const { return work_dir_; }

  // Everything the server has written to stderr so far, and its stdout (the address line).
  std::string log() const;
  std::string stdout_text() const;
  // Waits until a stderr line matches; false on timeout.
  bool wait_for_log(const std::regex& re, std::chrono::milliseconds timeout) const;
  // Sends SIGTERM and waits; returns the exit status (128 + signal when killed), or -1.
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Waits for the process to end by itself; returns its exit status, or nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  // Threads of the server process, from /proc/<pid>/status (-1 when it is gone).
  int thread_count() const;
  // Live kitsune-engine processes whose cwd or command line is under work_dir().
  std::vector<pid_t> engine_pids() const;
  // Waits until engine_pids() has `count` entries; false on timeout.
  bool wait_for_engine_count(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  void read_output(int out_fd, int err_fd);
  void cleanup();

  std::string dir_;
  std::string conf_dir_;
  std::string work_dir_;
  std::string host_;
  int port_ = 0;
  int rest_port_ = 0;
  int http_port_ = 0;
  pid_t pid_ = -1;
  std::thread reader_;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::vector<std::string> stderr_lines_;
  std::vector<std::string> stdout_lines_;
  bool output_closed_ = false;
  bool exited_ = false;
  int exit_status_ = -1;
};

// The kitsune-server binary under test.
std::string server_binary();

}  // namespace kitsune::testing
