// PostgresProcess: initdb, postgres and psql as child processes, run as an unprivileged user
// when the tests run as root.
#include "postgres_process.h"
#include "os_helpers.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace kitsune::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// $KITSUNE_PG_BINDIR, else Debian's PostgreSQL 15, else the newest one installed.
std::string bin_dir() {
  if (const char* env = std::getenv("KITSUNE_PG_BINDIR"); env && *env) return env;
  if (fs::exists("/usr/lib/postgresql/15/bin/postgres")) return "/usr/lib/postgresql/15/bin";
  std::string best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string bin = entry.path().string() + "/bin";
    if (fs::exists(bin + "/postgres") && bin > best) best = bin;
  }
  if (best.empty()) throw std::runtime_error("no PostgreSQL under /usr/lib/postgresql");
  return best;
}

// Starts `args` with stdout to `out_path` and stderr to `err_path` (appended), as uid/gid when
// we are root; the child gets SIGKILL if this process dies.
pid_t spawn(std::vector<std::string> args, const std::string& out_path, const std::string& err_path,
            std::optional<std::pair<uid_t, gid_t>> as) {
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  const int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (out_fd < 0 || err_fd < 0) throw std::runtime_error("cannot open " + out_path);
  if (as) {
    (void)fchown(out_fd, as->first, as->second);
    (void)fchown(err_fd, as->first, as->second);
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // Only async-signal-safe calls from here on.
    if (as && (setgroups(0, nullptr) != 0 || setgid(as->second) != 0 || setuid(as->first) != 0)) {
      _exit(126);
    }
    // After setuid, which clears the parent-death signal.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(125);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, 0);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out_fd);
  close(err_fd);
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::atomic<int> sql_runs{0};

}  // namespace

PostgresProcess::PostgresProcess() {
  char tmpl[] = "/tmp/kitsune-pg-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = fs::canonical(tmpl).string();
  data_dir_ = dir_ + "/data";
  uid_ = geteuid();
  gid_ = getegid();
  std::optional<std::pair<uid_t, gid_t>> as;
  if (uid_ == 0) {
    const passwd* pw = getpwnam("postgres");
    if (pw == nullptr) pw = getpwnam("nobody");
    if (pw == nullptr) throw std::runtime_error("no unprivileged user to run PostgreSQL as");
    uid_ = pw->pw_uid;
    gid_ = pw->pw_gid;
    as.emplace(uid_, gid_);
    if (chown(dir_.c_str(), uid_, gid_) != 0) throw std::runtime_error("chown " + dir_ + " failed");
  }
  const std::string bin = bin_dir();
  const pid_t initdb = spawn(
      {bin + "/initdb", "-D", data_dir_, "-U", "postgres", "--auth-local=trust",
       "--auth-host=scram-sha-256", "--no-locale", "-E", "UTF8", "--no-sync", "--no-instructions"},
      dir_ + "/initdb.log", dir_ + "/initdb.log", as);
  if (wait_for(initdb) != 0) {
    const std::string why = read_text_file(dir_ + "/initdb.log");
    std::error_code ec;
    fs::remove_all(dir_, ec);
    throw std::runtime_error("initdb failed:\n" + why);
  }
  port_ = pick_loopback_port();
  start();
}

PostgresProcess::~PostgresProcess() {
  stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void PostgresProcess::launch() {
  std::optional<std::pair<uid_t, gid_t>> as;
  if (geteuid() == 0) as.emplace(uid_, gid_);
  const std::string log = dir_ + "/postgres.log";
  pid_ =
      spawn({bin_dir() + "/postgres", "-D", data_dir_, "-k", dir_, "-p", std::to_string(port_),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off", "-c", "shared_buffers=16MB", "-c", "max_connections=40"},
            log, log, as);
}

void PostgresProcess::start() {
  if (pid_ > 0) return;
  launch();
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    if (answers()) return;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("PostgreSQL exited at start:\n" + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("PostgreSQL did not answer within 30 s:\n" + log());
}

void PostgresProcess::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGINT);
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

bool PostgresProcess::answers() const {
  return run_sql("SELECT 1").exit_code == 0;
}

SqlResult PostgresProcess::run_sql(const std::string& sql, const std::string& database) const {
  const std::string base =
      dir_ + "/psql-" + std::to_string(getpid()) + "-" + std::to_string(sql_runs++);
  {
    std::ofstream file(base + ".sql", std::ios::binary);
    file << sql << "\n";
  }
  chmod((base + ".sql").c_str(), 0600);
  const pid_t pid =
      spawn({bin_dir() + "/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", dir_, "-p",
             std::to_string(port_), "-U", "postgres", "-d", database, "-f", base + ".sql"},
            base + ".out", base + ".err", std::nullopt);
  SqlResult r;
  r.exit_code = wait_for(pid);
  r.out = read_text_file(base + ".out");
  r.err = read_text_file(base + ".err");
  for (const char* ext : {".sql", ".out", ".err"})
    unlink((base + ext).c_str());
  return r;
}

std::string PostgresProcess::sql(const std::string& statements, const std::string& database) const {
  SqlResult r = run_sql(statements, database);
  if (r.exit_code != 0) {
    throw std::runtime_error("psql failed (" + std::to_string(r.exit_code) + "): " + r.err);
  }
  return r.out;
}

std::string PostgresProcess::log() const {
  return read_text_file(dir_ + "/postgres.log");
}

}  // namespace kitsune::testing
