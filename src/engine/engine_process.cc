// Local engine processes: fork/exec with the working dir, log file and pipes; the watcher of
// stdout and of the exit on a strand; terminate/kill with the destroy timeout; the error text.
#include "engine_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include <boost/asio/posix/stream_descriptor.hpp>

#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"

namespace kitsune::engine {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A line on stdout longer than this is not an address; it is dropped without being kept.
constexpr std::size_t kMaxStdoutLine = 1024;
// error_text() looks at this much of the end of the log.
constexpr std::size_t kMaxLogScan = 1 << 20;

std::shared_ptr<spdlog::logger> engine_log() {
  return logger("engine");
}

std::string errno_text(int e) {
  return std::system_category().message(e);
}

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Creates `dir` and its missing parents, each readable by the server's user only.
Status make_work_dir(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> missing;
  for (fs::path p = dir; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
      const int e = errno;
      return Status::error("cannot create the engine working directory " + it->string() + ": " +
                           errno_text(e));
    }
  }
  if (!fs::is_directory(dir, ec)) {
    return Status::error("the engine working directory " + dir.string() + " is not a directory");
  }
  return Status::ok();
}

struct LogFile {
  fs::path path;
  Fd fd;
};

// N of "<prefix>.<N>", or nullopt for any other name.
std::optional<int> log_index(std::string_view name, std::string_view prefix) {
  if (name.size() <= prefix.size() + 1 || !name.starts_with(prefix) || name[prefix.size()] != '.') {
    return std::nullopt;
  }
  const std::string_view digits = name.substr(prefix.size() + 1);
  if (digits.size() > 9) return std::nullopt;
  int n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

// Kyuubi's choice of the engine log: the lowest-numbered log older than the log timeout is
// truncated and reused, else the next index after the highest one.
Result<LogFile> open_engine_log(const fs::path& dir, const std::string& prefix,
                                std::chrono::milliseconds timeout) {
  // Two launches into one directory must not pick the same file.
  static std::mutex mu;
  std::lock_guard lock(mu);

  std::map<int, fs::path> existing;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto index = log_index(it->path().filename().string(), prefix);
    std::error_code type_ec;
    if (index && it->is_regular_file(type_ec)) existing.emplace(*index, it->path());
  }
  timeout = std::clamp(timeout, std::chrono::milliseconds(0),
                       std::chrono::milliseconds(std::chrono::hours(24 * 365 * 100)));
  const auto cutoff = fs::file_time_type::clock::now() - timeout;
  for (const auto& [index, path] : existing) {
    const auto mtime = fs::last_write_time(path, ec);
    if (ec || mtime >= cutoff) continue;
    Fd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_TRUNC | O_CLOEXEC | O_NOFOLLOW));
    if (fd) return LogFile{path, std::move(fd)};
    const int e = errno;
    engine_log()->warn("cannot reuse the engine log {}: {}", path.string(), errno_text(e));
  }
  for (int next = existing.empty() ? 0 : existing.rbegin()->first + 1;; ++next) {
    fs::path path = dir / (prefix + "." + std::to_string(next));
    Fd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd) return LogFile{std::move(path), std::move(fd)};
    const int e = errno;
    if (e != EEXIST) {
      return Status::error("cannot create the engine log " + path.string() + ": " + errno_text(e));
    }
  }
}

// "host:port" with a port in 1..65535 and no blanks.
bool looks_like_address(std::string_view s) {
  const auto colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size() ||
      s.size() - colon - 1 > 5) {
    return false;
  }
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) return false;
  }
  int port = 0;
  for (char c : s.substr(colon + 1)) {
    if (c < '0' || c > '9') return false;
    port = port * 10 + (c - '0');
  }
  return port > 0 && port <= 65535;
}

// The last `max` bytes of the log file, from a line start; empty when it cannot be read.
std::string read_log_tail(const fs::path& path, std::size_t max) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size <= 0) return {};
  const std::streamoff start = size > static_cast<std::streamoff>(max)
                                   ? size - static_cast<std::streamoff>(max)
                                   : std::streamoff(0);
  in.seekg(start);
  std::string data(static_cast<std::size_t>(size - start), '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<std::size_t>(in.gcount()));
  if (start > 0) {
    const auto nl = data.find('\n');
    data.erase(0, nl == std::string::npos ? data.size() : nl + 1);
  }
  return data;
}

bool is_error_line(std::string_view line) {
  for (std::string_view marker : {"ERROR", "Error", "error", "Exception"}) {
    if (line.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

// Stack frames, wrapped messages and chained causes belong to the error line above them.
bool continues_error_block(std::string_view line) {
  return !line.empty() && (line[0] == ' ' || line[0] == '\t' || line.starts_with("Caused by:") ||
                           is_error_line(line));
}

bool is_utf8_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// At most `max` bytes of `s`, cut at a UTF-8 character boundary, keeping its start or its end.
std::string keep_head(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t cut = max;
  while (cut > 0 && is_utf8_continuation(s[cut]))
    --cut;
  s.resize(cut);
  return s;
}
std::string keep_tail(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t from = s.size() - max;
  while (from < s.size() && is_utf8_continuation(s[from]))
    ++from;
  return s.substr(from);
}

enum class ChildStage : int { kSetup = 1, kChdir = 2, kExec = 3 };
struct ChildReport {
  int stage = 0;
  int error = 0;
};

// Everything the child needs, prepared before fork: between fork and exec only async-signal-safe
// calls are made, and nothing is allocated.
struct ChildPlan {
  const char* executable;
  char* const* argv;
  char* const* envp;
  const char* work_dir;
  int devnull;
  int stdout_pipe;
  int log;
  int report;
  bool die_with_parent;
  pid_t parent;
  int max_fd;
};

// A descriptor moved to 3 or above, so that dup2 onto 0..2 cannot clobber another one.
int lift(int fd) {
  return fd >= 3 ? fd : ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

[[noreturn]] void run_child(const ChildPlan& plan) {
  int report = lift(plan.report);
  if (report < 0) ::_exit(127);
  auto fail = [&report](ChildStage stage) {
    const ChildReport r{static_cast<int>(stage), errno};
    if (::write(report, &r, sizeof r) < 0) {
      // Nothing left to tell it with; the parent sees an exit code of 127.
    }
    ::_exit(127);
  };

  if (plan.die_with_parent) {
    if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) fail(ChildStage::kSetup);
    if (::getppid() != plan.parent) ::_exit(127);  // the gateway is already gone
  }
  // A group of its own: terminate() signals the engine and what it starts, nothing else.
  if (::setpgid(0, 0) != 0) fail(ChildStage::kSetup);
  // Ignored signals (SIGPIPE in the gateway) and the signal mask survive exec; start clean.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; ++s)
    ::sigaction(s, &dfl, nullptr);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  const int devnull = lift(plan.devnull);
  const int out = lift(plan.stdout_pipe);
  const int log = lift(plan.log);
  if (devnull < 0 || out < 0 || log < 0) fail(ChildStage::kSetup);
  if (::dup2(devnull, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(log, 2) < 0) {
    fail(ChildStage::kSetup);
  }
  // Descriptors of the gateway that were opened without O_CLOEXEC (Asio's sockets are) must not
  // reach the engine: a listening socket held by an engine would keep the gateway's port busy.
  bool marked = false;
#ifdef CLOSE_RANGE_CLOEXEC
  marked = ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0;
#endif
  if (!marked) {
    for (int fd = 3; fd < plan.max_fd; ++fd) {
      if (fd != report) ::close(fd);
    }
  }
  if (::chdir(plan.work_dir) != 0) fail(ChildStage::kChdir);
  ::execve(plan.executable, plan.argv, plan.envp);
  fail(ChildStage::kExec);
  ::_exit(127);  // not reached
}

// The private files of one launch: written before the start, removed when this goes.
class PrivateFiles {
 public:
  PrivateFiles() = default;
  explicit PrivateFiles(std::vector<PrivateFile> files) : files_(std::move(files)) {}
  PrivateFiles(PrivateFiles&& other) noexcept : files_(std::exchange(other.files_, {})) {}
  PrivateFiles& operator=(PrivateFiles&& other) noexcept {
    if (this != &other) {
      remove();
      files_ = std::exchange(other.files_, {});
    }
    return *this;
  }
  ~PrivateFiles() { remove(); }

  Status write() {
    for (std::size_t i = 0; i < files_.size(); ++i) {
      const auto& file = files_[i];
      std::error_code ec;
      fs::create_directories(file.path.parent_path(), ec);
      ::chmod(file.path.parent_path().c_str(), 0700);
      ::unlink(file.path.c_str());  // a stale one from a crash
      Fd fd(::open(file.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
      bool ok = static_cast<bool>(fd);
      for (std::size_t done = 0; ok && done < file.content.size();) {
        const ssize_t n = ::write(fd.get(), file.content.data() + done, file.content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<std::size_t>(n);
      }
      if (!ok) {
        const int e = errno;
        files_.resize(i + 1);  // remove what was written, this one included
        return Status::error("cannot write the engine's private file " + file.path.string() + ": " +
                             errno_text(e));
      }
    }
    return Status::ok();
  }

  void remove() {
    for (const auto& file : files_)
      ::unlink(file.path.c_str());
    files_.clear();
  }

 private:
  std::vector<PrivateFile> files_;
};

// The state of one launched process, shared by its handle and the coroutines that watch it.
// Strand-only members are touched by the watchers and timers only; the rest is under mu_.
class ProcessWatch : public std::enable_shared_from_this<ProcessWatch> {
 public:
  ProcessWatch(asio::io_context& io, pid_t pid, fs::path log_path, const ProcessSpec& spec)
      : strand_(asio::make_strand(io)),
        out_(strand_),
        exit_fd_(strand_),
        poll_timer_(strand_),
        kill_timer_(strand_),
        pid_(pid),
        log_path_(std::move(log_path)),
        destroy_timeout_(spec.destroy_timeout),
        max_log_lines_(spec.max_log_lines),
        error_max_size_(spec.error_max_size) {}

  // Takes the stdout pipe and, when the kernel has them, a pidfd; starts the watchers.
  void start(Fd stdout_fd, Fd pidfd) {
    error_code ec;
    if (stdout_fd) {  // none when stdout goes to the log
      out_.assign(stdout_fd.get(), ec);
      if (ec) {
        engine_log()->error("engine pid {}: cannot watch its stdout: {}", pid_, ec.message());
      } else {
        stdout_fd.release();
      }
    }
    if (pidfd) {
      exit_fd_.assign(pidfd.get(), ec);
      if (!ec) pidfd.release();
    }
    auto self = shared_from_this();
    if (out_.is_open()) asio::co_spawn(strand_, watch_stdout(self), asio::detached);
    asio::co_spawn(strand_, watch_exit(self), asio::detached);
  }

  pid_t pid() const { return pid_; }
  const fs::path& log_path() const { return log_path_; }

  // Files to remove once the process has exited.
  void keep_until_exit(PrivateFiles files) {
    std::lock_guard lock(mu_);
    private_files_ = std::move(files);
  }

  std::optional<std::string> announced_address() const {
    std::lock_guard lock(mu_);
    return announced_;
  }
  std::optional<int> exit_code() const {
    std::lock_guard lock(mu_);
    return exit_code_;
  }

  std::string error_text() const {
    const std::size_t max = error_max_size_ > 0 ? static_cast<std::size_t>(error_max_size_)
                                                : std::numeric_limits<std::size_t>::max();
    return extract_error_text(read_log_tail(log_path_, kMaxLogScan), max_log_lines_,
                              static_cast<int>(std::min<std::size_t>(
                                  max, static_cast<std::size_t>(std::numeric_limits<int>::max()))));
  }

  void set_listener(std::function<void()> listener) {
    std::function<void()> old;  // destroyed outside the lock: its captures may call back in
    bool fire = false;
    {
      std::lock_guard lock(mu_);
      old = std::exchange(listener_, std::move(listener));
      fire = listener_ && (announced_ || exit_code_);
    }
    if (fire) asio::post(strand_, [self = shared_from_this()] { self->notify(); });
  }

  // The handle is gone: no listener call starts from now on, and one under way on another
  // thread is waited for. The watchers go on until the process exits.
  void detach() {
    std::function<void()> old;
    {
      std::unique_lock lock(mu_);
      old = std::exchange(listener_, nullptr);
      listener_done_.wait(
          lock, [&] { return !in_listener_ || listener_thread_ == std::this_thread::get_id(); });
    }
  }

  void terminate() {
    if (!send_signal(SIGTERM)) return;
    engine_log()->info("engine pid {}: SIGTERM sent", pid_);
    asio::post(strand_, [self = shared_from_this()] { self->arm_kill_timer(); });
  }

  void kill() {
    if (send_signal(SIGKILL)) engine_log()->info("engine pid {}: SIGKILL sent", pid_);
  }

 private:
  // Signals the process group while the process is known to be ours (not yet reaped, so its pid
  // cannot have been reused). False when it has already exited.
  bool send_signal(int sig) {
    std::lock_guard lock(mu_);
    if (reaped_) return false;
    // The engine may have moved to a group of its own; then signal it alone.
    if (::kill(-pid_, sig) != 0 && errno == ESRCH) ::kill(pid_, sig);
    return true;
  }

  void arm_kill_timer() {  // on the strand
    if (kill_armed_) return;
    {
      std::lock_guard lock(mu_);
      if (reaped_) return;
    }
    kill_armed_ = true;
    kill_timer_.expires_after(destroy_timeout_);
    kill_timer_.async_wait([self = shared_from_this()](const error_code& ec) {
      if (ec) return;
      if (self->send_signal(SIGKILL)) {
        engine_log()->warn("engine pid {} still running {} ms after SIGTERM: SIGKILL sent",
                           self->pid_, self->destroy_timeout_.count());
      }
    });
  }

  static awaitable<void> watch_stdout(std::shared_ptr<ProcessWatch> self) {
    std::array<char, 4096> buf{};
    while (true) {
      error_code ec;
      const std::size_t n = co_await self->out_.async_read_some(
          asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
      self->on_stdout(std::string_view(buf.data(), n));
      // EOF or an error: Boost 1.74 never completes a read after EOF, so stop here. The process
      // may still be running; watch_exit sees the real exit.
      if (ec) break;
    }
    self->on_stdout_end();
  }

  static awaitable<void> watch_exit(std::shared_ptr<ProcessWatch> self) {
    if (self->exit_fd_.is_open()) {
      error_code ec;
      co_await self->exit_fd_.async_wait(asio::posix::descriptor_base::wait_read,
                                         asio::redirect_error(asio::use_awaitable, ec));
      if (self->try_reap()) co_return;
      // A pidfd is readable only once the process is gone; fall back to polling otherwise.
    }
    // No pidfd: poll without blocking (a blocking waitpid would hold an I/O thread or a thread
    // that outlives the gateway's io_context).
    auto delay = std::chrono::milliseconds(10);
    while (!self->try_reap()) {
      error_code ec;
      self->poll_timer_.expires_after(delay);
      co_await self->poll_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      delay = std::min(delay * 2, std::chrono::milliseconds(200));
    }
  }

  // On the strand. True once the process has been reaped (now or earlier).
  bool try_reap() {
    int code = 0;
    {
      std::lock_guard lock(mu_);
      if (reaped_) return true;
      int status = 0;
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == 0 || (r < 0 && errno == EINTR)) return false;
      if (r == pid_) {
        code = WIFEXITED(status)     ? WEXITSTATUS(status)
               : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                     : 255;
      } else {
        // ECHILD: something else reaped it (SIGCHLD ignored, or a waitpid(-1) elsewhere).
        const int e = errno;
        engine_log()->warn("engine pid {}: its exit status is lost ({})", pid_, errno_text(e));
        code = 255;
      }
      reaped_ = true;
      private_files_.remove();
    }
    // What it printed before it died comes before the news of its death.
    drain_stdout();
    {
      std::lock_guard lock(mu_);
      exit_code_ = code;
    }
    kill_timer_.cancel();
    error_code ignored;
    exit_fd_.close(ignored);
    engine_log()->info("engine pid {} exited with code {}", pid_, code);
    notify();
    return true;
  }

  // Reads what is already in the stdout pipe without waiting (the fd is non-blocking).
  void drain_stdout() {
    if (!out_.is_open() || announce_seen_) return;
    std::array<char, 4096> buf{};
    for (int i = 0; i < 16; ++i) {
      const ssize_t n = ::read(out_.native_handle(), buf.data(), buf.size());
      if (n > 0) {
        on_stdout(std::string_view(buf.data(), static_cast<std::size_t>(n)));
        continue;
      }
      if (n == 0) on_stdout_line();  // EOF: a last line without its newline
      break;
    }
  }

  void on_stdout(std::string_view data) {
    for (char c : data) {
      if (announce_seen_) return;  // the rest is drained and ignored
      if (c == '\n') {
        on_stdout_line();
      } else if (line_.size() < kMaxStdoutLine) {
        line_ += c;
      } else {
        overlong_ = true;
      }
    }
  }

  void on_stdout_line() {
    const std::string_view line = trim(line_);
    if (!announce_seen_ && !overlong_ && looks_like_address(line)) {
      announce(std::string(line));
    } else if (!line.empty() && !announce_seen_) {
      engine_log()->debug("engine pid {}: ignored a line on stdout", pid_);
    }
    line_.clear();
    overlong_ = false;
  }

  void on_stdout_end() {
    if (!line_.empty()) on_stdout_line();
    error_code ignored;
    out_.close(ignored);
  }

  void announce(std::string address) {
    announce_seen_ = true;
    {
      std::lock_guard lock(mu_);
      if (announced_ || exit_code_) return;
      announced_ = address;
    }
    engine_log()->info("engine pid {} listens on {}", pid_, address);
    notify();
  }

  // On the strand: calls the listener outside the lock. After the exit it is released, which
  // breaks any cycle through its captures.
  void notify() {
    std::function<void()> listener;
    {
      std::lock_guard lock(mu_);
      if (!listener_) return;
      listener = exit_code_ ? std::exchange(listener_, nullptr) : listener_;
      in_listener_ = true;
      listener_thread_ = std::this_thread::get_id();
    }
    try {
      listener();
    } catch (const std::exception& e) {
      engine_log()->error("engine pid {}: the listener threw (a bug): {}", pid_, e.what());
    }
    listener = nullptr;
    {
      std::lock_guard lock(mu_);
      in_listener_ = false;
    }
    listener_done_.notify_all();
  }

  asio::strand<asio::io_context::executor_type> strand_;
  asio::posix::stream_descriptor out_;  // strand-only
  // Strand-only: the pidfd, when there is one (Boost 1.74's plain descriptor cannot be owned).
  asio::posix::stream_descriptor exit_fd_;
  asio::steady_timer poll_timer_;  // strand-only
  asio::steady_timer kill_timer_;  // strand-only
  const pid_t pid_;
  const fs::path log_path_;
  const std::chrono::milliseconds destroy_timeout_;
  const int max_log_lines_;
  const int error_max_size_;

  // Strand-only.
  std::string line_;
  bool overlong_ = false;
  bool announce_seen_ = false;
  bool kill_armed_ = false;

  mutable std::mutex mu_;
  std::condition_variable listener_done_;
  std::optional<std::string> announced_;
  std::optional<int> exit_code_;
  PrivateFiles private_files_;
  bool reaped_ = false;  // set before exit_code_: from then on its pid is not ours to signal
  std::function<void()> listener_;
  bool in_listener_ = false;
  std::thread::id listener_thread_;
};

class LocalEngineProcess final : public EngineProcess {
 public:
  explicit LocalEngineProcess(std::shared_ptr<ProcessWatch> watch) : watch_(std::move(watch)) {}
  ~LocalEngineProcess() override { watch_->detach(); }
  LocalEngineProcess(const LocalEngineProcess&) = delete;
  LocalEngineProcess& operator=(const LocalEngineProcess&) = delete;

  int pid() const override { return watch_->pid(); }
  const fs::path& log_path() const override { return watch_->log_path(); }
  std::optional<std::string> announced_address() const override {
    return watch_->announced_address();
  }
  std::optional<int> exit_code() const override { return watch_->exit_code(); }
  std::string error_text() const override { return watch_->error_text(); }
  void set_listener(std::function<void()> listener) override {
    watch_->set_listener(std::move(listener));
  }
  void terminate() override { watch_->terminate(); }
  void kill() override { watch_->kill(); }

 private:
  std::shared_ptr<ProcessWatch> watch_;
};

// A descriptor that becomes readable when the process exits (Linux 5.3+), or -1: then the exit
// is polled for. Through syscall(): glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++.
int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// The log named by ProcessSpec::log_file: appended to, or created (mode 0600).
Result<LogFile> open_named_log(const fs::path& path) {
  KITSUNE_RETURN_IF_ERROR(make_work_dir(path.parent_path()));
  Fd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) {
    const int e = errno;
    return Status::error("cannot open the log " + path.string() + ": " + errno_text(e));
  }
  return LogFile{path, std::move(fd)};
}

}  // namespace

std::string extract_error_text(std::string_view log, int max_lines, int max_size) {
  std::vector<std::string_view> lines;
  for (std::size_t pos = 0; pos < log.size();) {
    const auto nl = log.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos ? log.size() : nl;
    std::string_view line = log.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    pos = end + 1;
  }
  const std::size_t limit =
      max_size > 0 ? static_cast<std::size_t>(max_size) : std::numeric_limits<std::size_t>::max();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!is_error_line(lines[i])) continue;
    std::string out(lines[i]);
    for (std::size_t j = i + 1;
         j < lines.size() && out.size() < limit && continues_error_block(lines[j]); ++j) {
      out += '\n';
      out += lines[j];
    }
    return keep_head(std::move(out), limit);
  }
  std::size_t end = lines.size();
  while (end > 0 && trim(lines[end - 1]).empty())
    --end;
  const std::size_t count = static_cast<std::size_t>(std::max(max_lines, 0));
  const std::size_t begin = end > count ? end - count : 0;
  std::string out;
  for (std::size_t i = begin; i < end; ++i) {
    if (i > begin) out += '\n';
    out += lines[i];
  }
  return keep_tail(std::move(out), limit);
}

Result<std::shared_ptr<EngineProcess>> start_engine_process(asio::io_context& io,
                                                            ProcessSpec spec) {
  std::error_code ec;
  const fs::path work_dir = fs::absolute(spec.work_dir, ec);
  if (ec) {
    return Status::error("cannot start the engine: bad working directory " +
                         spec.work_dir.string() + ": " + ec.message());
  }
  KITSUNE_RETURN_IF_ERROR(make_work_dir(work_dir));
  auto log = spec.log_file.empty() ? open_engine_log(work_dir, spec.log_prefix, spec.log_timeout)
                                   : open_named_log(fs::absolute(spec.log_file, ec));
  if (!log) return log.status();
  if (spec.complete) KITSUNE_RETURN_IF_ERROR(spec.complete(log->path, spec));
  const fs::path executable = fs::absolute(spec.executable, ec);
  if (ec) return Status::error("cannot start " + spec.executable.string() + ": " + ec.message());
  const std::string what = "cannot start " + executable.string() + ": ";
  // From here on every way out removes the private files, unless the watcher takes them.
  PrivateFiles private_files(std::move(spec.private_files));
  KITSUNE_RETURN_IF_ERROR(private_files.write());

  Fd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!devnull) return Status::error(what + "/dev/null: " + errno_text(errno));
  int fds[2];
  Fd out_read, out_write;
  if (!spec.stdout_to_log) {
    if (::pipe2(fds, O_CLOEXEC) != 0) return Status::error(what + "pipe: " + errno_text(errno));
    out_read = Fd(fds[0]);
    out_write = Fd(fds[1]);
  }
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::error(what + "pipe: " + errno_text(errno));
  Fd report_read(fds[0]), report_write(fds[1]);

  std::vector<std::string> args;
  args.reserve(spec.args.size() + 1);
  args.push_back(executable.string());
  for (auto& a : spec.args)
    args.push_back(std::move(a));
  std::vector<char*> argv = pointers(args);
  std::vector<char*> envp = pointers(spec.env);
  const std::string work_dir_text = work_dir.string();
  const long open_max = ::sysconf(_SC_OPEN_MAX);
  const ChildPlan plan{
      .executable = args.front().c_str(),
      .argv = argv.data(),
      .envp = envp.data(),
      .work_dir = work_dir_text.c_str(),
      .devnull = devnull.get(),
      .stdout_pipe = spec.stdout_to_log ? log->fd.get() : out_write.get(),
      .log = log->fd.get(),
      .report = report_write.get(),
      .die_with_parent = spec.die_with_parent,
      .parent = ::getpid(),
      .max_fd = static_cast<int>(std::clamp(open_max, 1024L, 1L << 20)),
  };

  const pid_t pid = ::fork();
  if (pid < 0) return Status::error(what + "fork: " + errno_text(errno));
  if (pid == 0) run_child(plan);

  // Also here, so that a signal sent right after launch() reaches the whole group.
  ::setpgid(pid, pid);
  out_write.reset();
  report_write.reset();
  log->fd.reset();
  devnull.reset();

  // The report pipe closes on a successful exec; before that the child writes why it failed.
  ChildReport report;
  std::size_t got = 0;
  while (got < sizeof report) {
    const ssize_t n =
        ::read(report_read.get(), reinterpret_cast<char*>(&report) + got, sizeof report - got);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  if (got > 0) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (got < sizeof report) return Status::error(what + "the child failed before exec");
    switch (static_cast<ChildStage>(report.stage)) {
      case ChildStage::kExec:
        return Status::error(what + errno_text(report.error));
      case ChildStage::kChdir:
        return Status::error(what + "cannot enter " + work_dir_text + ": " +
                             errno_text(report.error));
      case ChildStage::kSetup:
        break;
    }
    return Status::error(what + "setting up the process failed: " + errno_text(report.error));
  }

  if (out_read) {
    const int flags = ::fcntl(out_read.get(), F_GETFL);
    if (flags >= 0) ::fcntl(out_read.get(), F_SETFL, flags | O_NONBLOCK);
  }
  Fd pidfd(open_pidfd(pid));

  auto watch = std::make_shared<ProcessWatch>(io, pid, log->path, spec);
  watch->keep_until_exit(std::move(private_files));
  watch->start(std::move(out_read), std::move(pidfd));
  engine_log()->info("engine pid {} started in {}, log {}", pid, work_dir_text, log->path.string());
  return std::shared_ptr<EngineProcess>(std::make_shared<LocalEngineProcess>(std::move(watch)));
}

}  // namespace kitsune::engine
