// GatewayProcess: fork/exec of kitsune-server with a temp conf and work dir, a reader thread for
// its stdout and stderr, and /proc scans for its threads and its engines.
#include "gateway_process.h"
#include "os_helpers.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace kitsune::testing {
namespace {

namespace fs = std::filesystem;

// The harness's part of kyuubi-defaults.conf; the test's lines come after and win.
constexpr const char* kHarnessDefaults =
    "# Written by GatewayProcess for one test.\n"
    "kyuubi.frontend.bind.host 127.0.0.1\n"
    "kyuubi.frontend.thrift.binary.bind.port 0\n"
    "kyuubi.frontend.thrift.http.bind.port 0\n"
    "kyuubi.frontend.rest.bind.port 0\n"
    "kyuubi.engine.type LOCAL\n";

// Moves complete lines from `partial` into `lines`.
void split_lines(std::string& partial, std::vector<std::string>& lines) {
  std::size_t pos;
  while ((pos = partial.find('\n')) != std::string::npos) {
    lines.push_back(partial.substr(0, pos));
    partial.erase(0, pos + 1);
  }
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    out += l;
    out += '\n';
  }
  return out;
}

}  // namespace

std::string server_binary() {
  if (const char* env = std::getenv("KITSUNE_SERVER")) return env;
  return std::string(KITSUNE_BINARY_DIR) + "/bin/kitsune-server";
}

GatewayProcess::GatewayProcess(GatewayOptions options) {
  char tmpl[] = "/tmp/kitsune-gw-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = fs::canonical(tmpl).string();
  conf_dir_ = dir_ + "/conf";
  work_dir_ = dir_ + "/work";
  fs::create_directories(conf_dir_);
  fs::create_directories(work_dir_);
  {
    std::ofstream file(conf_dir_ + "/kyuubi-defaults.conf");
    file << kHarnessDefaults << "kyuubi.metadata.store.jdbc.url jdbc:sqlite:" << dir_
         << "/kyuubi_state_store.db\n"
         << options.defaults_file << "\n";
  }

  std::vector<std::string> args{server_binary()};
  if (options.conf_dir_by == GatewayOptions::ConfDirBy::kFlag) {
    args.push_back("--conf-dir");
    args.push_back(options.conf_dir_override.value_or(conf_dir_));
  }
  for (const auto& [k, v] : options.conf) {
    args.push_back("--conf");
    args.push_back(k + "=" + v);
  }
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry(*e);
    if (entry.starts_with("KYUUBI_CONF_DIR=") || entry.starts_with("KYUUBI_WORK_DIR_ROOT=")) {
      continue;
    }
    env.push_back(entry);
  }
  env.push_back("KYUUBI_WORK_DIR_ROOT=" + work_dir_);
  if (options.conf_dir_by == GatewayOptions::ConfDirBy::kEnv) {
    env.push_back("KYUUBI_CONF_DIR=" + options.conf_dir_override.value_or(conf_dir_));
  }
  // Everything the child needs is built before fork: it only calls async-signal-safe functions.
  std::vector<char*> argv, envp;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // A test that crashes or is killed must not leave a server (and its engines) behind: the
    // server gets SIGTERM when this thread ends, and stops its engines as it would for anyone.
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent) _exit(125);
    dup2(out[1], 1);
    dup2(err[1], 2);
    if (chdir(dir_.c_str()) != 0) _exit(126);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  reader_ = std::thread([this, o = out[0], e = err[0]] { read_output(o, e); });

  // The address line, or the end of the process.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string address;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::unique_lock lock(mu_);
      changed_.wait_for(lock, std::chrono::milliseconds(20),
                        [this] { return !stdout_lines_.empty() || output_closed_; });
      if (!stdout_lines_.empty()) {
        // One line per frontend, written at once: "host:port" (binary), "thrift-http h:p",
        // "rest h:p".
        for (const auto& line : stdout_lines_) {
          const auto colon = line.rfind(':');
          if (colon == std::string::npos) continue;
          const int p = std::atoi(line.c_str() + colon + 1);
          if (line.starts_with("rest ")) {
            rest_port_ = p;
          } else if (line.starts_with("thrift-http ")) {
            http_port_ = p;
          } else if (address.empty()) {
            address = line;
          }
        }
        if (address.empty())
          address = stdout_lines_.front().substr(stdout_lines_.front().find(' ') + 1);
        break;
      }
    }
    if (wait_exit(std::chrono::milliseconds(0))) break;
  }
  const auto colon = address.rfind(':');
  if (!address.empty() && colon != std::string::npos) {
    host_ = address.substr(0, colon);
    port_ = std::atoi(address.c_str() + colon + 1);
  }
  if (options.expect_listening && port_ <= 0) {
    const int status = stop(std::chrono::seconds(5));
    std::string message = "kitsune-server did not print its address (exit status " +
                          std::to_string(status) + "); stderr:\n" + log();
    cleanup();
    throw std::runtime_error(message);
  }
}

GatewayProcess::~GatewayProcess() {
  cleanup();
}

void GatewayProcess::cleanup() {
  if (pid_ > 0) {
    stop(std::chrono::seconds(10));
    // Engines are the server's to stop; any it left behind must not outlive the test.
    for (pid_t engine : engine_pids())
      kill(engine, SIGKILL);
  }
  if (reader_.joinable()) reader_.join();
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
  dir_.clear();
  pid_ = -1;
}

void GatewayProcess::read_output(int out_fd, int err_fd) {
  std::string out_partial, err_partial;
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_fds = 2;
  // Engines may inherit these pipes and keep them open after the server ends: stop reading once
  // the server has been reaped and nothing more comes.
  while (open_fds > 0) {
    const int ready = poll(fds, 2, 100);
    if (ready == 0) {
      std::lock_guard lock(mu_);
      if (exited_) break;
      continue;
    }
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      std::lock_guard lock(mu_);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else if (i == 0) {
        out_partial.append(buf, static_cast<std::size_t>(n));
        split_lines(out_partial, stdout_lines_);
      } else {
        err_partial.append(buf, static_cast<std::size_t>(n));
        split_lines(err_partial, stderr_lines_);
      }
      changed_.notify_all();
    }
  }
  std::lock_guard lock(mu_);
  for (auto& p : fds) {
    if (p.fd >= 0) close(p.fd);
  }
  if (!out_partial.empty()) stdout_lines_.push_back(out_partial);
  if (!err_partial.empty()) stderr_lines_.push_back(err_partial);
  output_closed_ = true;
  changed_.notify_all();
}

std::string GatewayProcess::log() const {
  std::lock_guard lock(mu_);
  return join(stderr_lines_);
}

std::string GatewayProcess::stdout_text() const {
  std::lock_guard lock(mu_);
  return join(stdout_lines_);
}

bool GatewayProcess::wait_for_log(const std::regex& re, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t seen = 0;
  std::unique_lock lock(mu_);
  while (true) {
    for (; seen < stderr_lines_.size(); ++seen) {
      if (std::regex_search(stderr_lines_[seen], re)) return true;
    }
    if (output_closed_ || std::chrono::steady_clock::now() >= deadline) {
      for (; seen < stderr_lines_.size(); ++seen) {
        if (std::regex_search(stderr_lines_[seen], re)) return true;
      }
      return false;
    }
    changed_.wait_until(lock, deadline);
  }
}

std::optional<int> GatewayProcess::wait_exit(std::chrono::milliseconds timeout) {
  {
    std::lock_guard lock(mu_);
    if (exited_) return exit_status_;
  }
  if (pid_ <= 0) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      std::unique_lock lock(mu_);
      exited_ = true;
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      changed_.notify_all();
      // What it wrote before it ended is still in the pipes: let the reader take all of it, so
      // that log() after wait_exit() has the last lines (an engine holding the pipes open ends
      // the reader a moment later anyway).
      changed_.wait_for(lock, std::chrono::seconds(2), [this] { return output_closed_; });
      return exit_status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int GatewayProcess::stop(std::chrono::milliseconds timeout) {
  if (auto code = wait_exit(std::chrono::milliseconds(0))) return *code;
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  if (auto code = wait_exit(timeout)) return *code;
  kill(pid_, SIGKILL);
  return wait_exit(std::chrono::seconds(5)).value_or(-1);
}

int GatewayProcess::thread_count() const {
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
  }
  return -1;
}

std::vector<pid_t> GatewayProcess::engine_pids() const {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    const std::string cmdline = read_text_file("/proc/" + name + "/cmdline");
    if (cmdline.empty()) continue;  // a zombie or a kernel thread
    std::vector<std::string> argv;
    std::size_t start = 0;
    while (start < cmdline.size()) {
      const std::size_t end = cmdline.find('\0', start);
      argv.push_back(cmdline.substr(start, end == std::string::npos ? end : end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    if (argv.empty() || fs::path(argv[0]).filename() != "kitsune-engine") continue;
    std::error_code link_ec;
    const std::string cwd = fs::read_symlink("/proc/" + name + "/cwd", link_ec).string();
    bool ours = !link_ec && (cwd == work_dir_ || cwd.starts_with(work_dir_ + "/"));
    for (std::size_t i = 1; !ours && i < argv.size(); ++i)
      ours = argv[i].find(work_dir_ + "/") != std::string::npos;
    if (ours) out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool GatewayProcess::wait_for_engine_count(std::size_t count,
                                           std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (engine_pids().size() == count) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace kitsune::testing
