// EngineProcess: fork/exec of kitsune-engine with pipes, a stderr reader thread, and /proc reads.
#include "engine_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string_view>

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace kitsune::testing {
namespace {

std::string read_line(int fd, std::chrono::milliseconds timeout) {
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    char c;
    ssize_t n = read(fd, &c, 1);
    if (n == 1) {
      if (c == '\n') return line;
      line += c;
    } else if (n == 0) {
      return {};
    } else if (errno == EAGAIN || errno == EINTR) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    } else {
      return {};
    }
  }
  return {};
}

}  // namespace

EngineProcess::Env memory_measuring_env() {
  std::string options;
  if (const char* current = std::getenv("ASAN_OPTIONS"); current && *current)
    options = std::string(current) + ":";
  return {{"ASAN_OPTIONS", options + "quarantine_size_mb=0"}};
}

std::string engine_binary() {
  if (const char* env = std::getenv("KITSUNE_ENGINE")) return env;
  return std::string(KITSUNE_BINARY_DIR) + "/bin/kitsune-engine";
}

EngineProcess::EngineProcess(Conf conf, Conf secret_conf, Env extra_env) {
  char tmpl[] = "/tmp/kitsune-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  conf.try_emplace("kyuubi.frontend.thrift.binary.bind.host", "127.0.0.1");
  conf.try_emplace("kyuubi.frontend.thrift.binary.bind.port", "0");
  conf.try_emplace("kitsune.engine.local.data.dir", dir_ + "/data");
  std::vector<std::string> args{engine_binary()};
  for (const auto& [k, v] : conf) {
    args.push_back("--conf");
    args.push_back(k + "=" + v);
  }
  // Everything the child needs is built before the fork: it only dups, chdirs and execs.
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view entry(*e);
    const std::string_view name = entry.substr(0, entry.find('='));
    if (name != "KITSUNE_ENGINE_SECRET_CONF" && !extra_env.contains(std::string(name)))
      env.emplace_back(entry);
  }
  for (const auto& [name, value] : extra_env)
    env.push_back(name + "=" + value);
  if (!secret_conf.empty()) {
    std::string text = "KITSUNE_ENGINE_SECRET_CONF=";
    for (const auto& [k, v] : secret_conf)
      text += k + "=" + v + "\n";
    env.push_back(std::move(text));
  }
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  int out[2], err[2];
  if (pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(out[0]);
    close(err[0]);
    if (chdir(dir_.c_str()) != 0) _exit(126);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  stderr_fd_ = err[0];
  reader_ = std::thread([this] { reap_log(); });
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  const std::string address = read_line(out[0], std::chrono::seconds(20));
  close(out[0]);
  const auto colon = address.rfind(':');
  if (address.empty() || colon == std::string::npos) {
    stop(std::chrono::seconds(5));
    // The reader ends with the process's stderr; a constructor that throws runs no destructor,
    // and a joinable thread left behind would terminate the test.
    if (reader_.joinable()) reader_.join();
    const std::string why = log();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    throw std::runtime_error("kitsune-engine did not print its address; log:\n" + why);
  }
  host_ = address.substr(0, colon);
  port_ = std::stoi(address.substr(colon + 1));
}

EngineProcess::~EngineProcess() {
  stop();
  if (reader_.joinable()) reader_.join();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void EngineProcess::reap_log() {
  std::string partial;
  char buf[4096];
  while (true) {
    ssize_t n = read(stderr_fd_, buf, sizeof buf);
    if (n <= 0) break;
    partial.append(buf, static_cast<std::size_t>(n));
    std::size_t pos;
    while ((pos = partial.find('\n')) != std::string::npos) {
      std::lock_guard lock(mu_);
      lines_.push_back(partial.substr(0, pos));
      partial.erase(0, pos + 1);
    }
  }
  close(stderr_fd_);
}

std::string EngineProcess::log() const {
  std::lock_guard lock(mu_);
  std::ostringstream out;
  for (const auto& l : lines_)
    out << l << "\n";
  return out.str();
}

bool EngineProcess::wait_for_log(const std::regex& re, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t seen = 0;
  while (true) {
    {
      std::lock_guard lock(mu_);
      for (; seen < lines_.size(); ++seen) {
        if (std::regex_search(lines_[seen], re)) return true;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

long EngineProcess::rss_kib() const {
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

std::optional<int> EngineProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (exited_) return exit_status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_status_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

int EngineProcess::stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0 || exited_) return exit_status_;
  kill(pid_, SIGTERM);
  if (auto code = wait_exit(timeout)) return *code;
  kill(pid_, SIGKILL);
  return wait_exit(std::chrono::seconds(5)).value_or(-1);
}

}  // namespace kitsune::testing
