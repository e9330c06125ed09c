// MariadbProcess: mariadb-install-db, mariadbd and the mariadb client as child processes.
#include "mariadb_process.h"
#include "os_helpers.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace kitsune::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Starts `args` with stdin from `in_path` (or /dev/null), stdout to `out_path` and stderr to
// `err_path` (appended); the child gets SIGKILL if this process dies.
pid_t spawn(std::vector<std::string> args, const std::string& in_path, const std::string& out_path,
            const std::string& err_path) {
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  const int in_fd = open(in_path.empty() ? "/dev/null" : in_path.c_str(), O_RDONLY | O_CLOEXEC);
  const int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (in_fd < 0 || out_fd < 0 || err_fd < 0) {
    throw std::runtime_error("cannot open the files of " + args[0]);
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // Only async-signal-safe calls from here on.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(125);
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(in_fd);
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

// mariadbd and mariadb-install-db refuse to run as root unless told to.
std::vector<std::string> as_user() {
  if (geteuid() == 0) return {"--user=root"};
  return {};
}

std::atomic<int> sql_runs{0};

}  // namespace

MariadbProcess::MariadbProcess() {
  char tmpl[] = "/tmp/kitsune-mariadb-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = fs::canonical(tmpl).string();
  data_dir_ = dir_ + "/data";
  socket_ = dir_ + "/sock";
  std::vector<std::string> install = {"/usr/bin/mariadb-install-db",
                                      "--no-defaults",
                                      "--datadir=" + data_dir_,
                                      "--auth-root-authentication-method=normal",
                                      "--skip-test-db",
                                      "--skip-name-resolve"};
  for (auto& a : as_user())
    install.push_back(a);
  const std::string install_log = dir_ + "/install.log";
  if (wait_for(spawn(install, "", install_log, install_log)) != 0) {
    const std::string why = read_text_file(install_log);
    std::error_code ec;
    fs::remove_all(dir_, ec);
    throw std::runtime_error("mariadb-install-db failed:\n" + why);
  }
  port_ = pick_loopback_port();
  start();
}

MariadbProcess::~MariadbProcess() {
  stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void MariadbProcess::launch() {
  // Small and quick to start: no binary log, no name lookups, a small buffer pool, no
  // performance schema, durability traded for speed (the data lives as long as the test).
  std::vector<std::string> args = {"/usr/sbin/mariadbd",
                                   "--no-defaults",
                                   "--datadir=" + data_dir_,
                                   "--port=" + std::to_string(port_),
                                   "--bind-address=127.0.0.1",
                                   "--socket=" + socket_,
                                   "--pid-file=" + dir_ + "/mariadbd.pid",
                                   "--tmpdir=" + dir_,
                                   "--log-error=" + dir_ + "/mariadb.log",
                                   "--skip-log-bin",
                                   "--skip-name-resolve",
                                   "--performance-schema=OFF",
                                   "--innodb-buffer-pool-size=32M",
                                   "--innodb-log-file-size=16M",
                                   "--innodb-flush-log-at-trx-commit=0",
                                   "--innodb-doublewrite=0",
                                   "--max-connections=60"};
  for (auto& a : as_user())
    args.push_back(a);
  const std::string out = dir_ + "/mariadbd.out";
  pid_ = spawn(args, "", out, out);
}

void MariadbProcess::start() {
  if (pid_ > 0) return;
  launch();
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    if (answers()) return;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("mariadbd exited at start:\n" + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("mariadbd did not answer within 60 s:\n" + log());
}

void MariadbProcess::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(30);
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

bool MariadbProcess::answers() const {
  return run_sql("SELECT 1").exit_code == 0;
}

MariadbResult MariadbProcess::run_sql(const std::string& sql) const {
  const std::string base =
      dir_ + "/client-" + std::to_string(getpid()) + "-" + std::to_string(sql_runs++);
  {
    std::ofstream file(base + ".sql", std::ios::binary);
    file << sql << "\n";
  }
  chmod((base + ".sql").c_str(), 0600);
  const pid_t pid =
      spawn({"/usr/bin/mariadb", "--no-defaults", "--protocol=socket", "--socket=" + socket_,
             "--user=root", "--batch", "--skip-column-names", "--raw"},
            base + ".sql", base + ".out", base + ".err");
  MariadbResult r;
  r.exit_code = wait_for(pid);
  r.out = read_text_file(base + ".out");
  r.err = read_text_file(base + ".err");
  for (const char* ext : {".sql", ".out", ".err"})
    unlink((base + ext).c_str());
  return r;
}

std::string MariadbProcess::sql(const std::string& statements) const {
  MariadbResult r = run_sql(statements);
  if (r.exit_code != 0) {
    throw std::runtime_error("mariadb failed (" + std::to_string(r.exit_code) + "): " + r.err);
  }
  return r.out;
}

std::string MariadbProcess::log() const {
  return read_text_file(dir_ + "/mariadb.log");
}

}  // namespace kitsune::testing
