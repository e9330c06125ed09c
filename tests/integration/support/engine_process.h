// EngineProcess: a real kitsune-engine started for a test, in a temp dir, on a port the OS picks.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace kitsune::testing {

class EngineProcess {
 public:
  using Conf = std::map<std::string, std::string>;
  using Env = std::map<std::string, std::string>;

  // Starts build/bin/kitsune-engine with these --conf pairs (bind host/port, data dir and the
  // temp dir are filled in) and waits for the address line. Throws std::runtime_error with the
  // engine's log when it does not come up. `secret_conf` (passwords) goes to the engine the way
  // the gateway passes it, in KITSUNE_ENGINE_SECRET_CONF, never on its command line. `env`
  // sets or replaces variables of the environment the engine inherits from the test.
  explicit EngineProcess(Conf conf = {}, Conf secret_conf = {}, Env env = {});
  ~EngineProcess();
  EngineProcess(const EngineProcess&) = delete;
  EngineProcess& operator=(const EngineProcess&) = delete;

  const std::string& host() const { return host_; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& dir() const { return dir_; }

  // Everything the engine has written to stderr so far.
  std::string log() const;
  // Waits until a stderr line matches; false on timeout.
  bool wait_for_log(const std::regex& re, std::chrono::milliseconds timeout) const;
  // Resident set size in KiB, from /proc.
  long rss_kib() const;
  // Sends SIGTERM and waits; returns the exit status (or -1).
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // Waits for the process to end by itself; returns its exit code, or nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

 private:
  void reap_log();

  std::string dir_;
  std::string host_;
  int port_ = 0;
  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  std::thread reader_;
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
  bool exited_ = false;
  int exit_status_ = -1;
};

// The environment for an engine whose memory a test measures: under AddressSanitizer, freed
// blocks wait in a quarantine of up to 256 MB before reuse, so RSS would grow with everything
// the engine ever freed rather than with what it holds. This keeps the caller's ASAN_OPTIONS and
// turns the quarantine off; without a sanitizer the variable is ignored. Measure growth over a
// baseline taken after startup as well: an instrumented engine idles at some 110 MB of shadow.
EngineProcess::Env memory_measuring_env();

// The kitsune-engine binary under test.
std::string engine_binary();

}  // namespace kitsune::testing
