#include "zookeeper_process.h"
#include "os_helpers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace kitsune::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

}  // namespace

ZooKeeperProcess::ZooKeeperProcess() {
  char tmpl[] = "/tmp/kitsune-zk-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = fs::canonical(tmpl).string();
  fs::create_directories(dir_ + "/data");
  port_ = pick_loopback_port();
  std::ofstream cfg(dir_ + "/zoo.cfg");
  cfg << "tickTime=2000\n"
      << "dataDir=" << dir_ << "/data\n"
      << "clientPort=" << port_ << "\n"
      << "clientPortAddress=127.0.0.1\n"
      << "admin.enableServer=false\n"
      << "4lw.commands.whitelist=ruok\n";
  cfg.close();
  start();
}

ZooKeeperProcess::~ZooKeeperProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string ZooKeeperProcess::connect_string() const {
  return "127.0.0.1:" + std::to_string(port_);
}

void ZooKeeperProcess::launch() {
  std::vector<std::string> args{"java",
                                "-Xmx128m",
                                "-Dzookeeper.log.dir=" + dir_,
                                "-cp",
                                "/usr/share/java/*:/usr/share/zookeeper/*:/etc/zookeeper/conf",
                                "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                                dir_ + "/zoo.cfg"};
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log_path = dir_ + "/zookeeper.log";
  const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot open " + log_path);
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // A test that dies must not leave ZooKeeper behind.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(125);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  close(log_fd);
}

void ZooKeeperProcess::start() {
  if (pid_ > 0) return;
  launch();
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    if (answers(std::chrono::milliseconds(500))) return;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("ZooKeeper exited at start:\n" + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("ZooKeeper did not answer within 30 s:\n" + log());
}

void ZooKeeperProcess::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(10);
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

bool ZooKeeperProcess::answers(std::chrono::milliseconds timeout) const {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port_));
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      send(fd, "ruok", 4, MSG_NOSIGNAL) == 4) {
    char reply[4] = {};
    std::size_t got = 0;
    while (got < sizeof reply) {
      const ssize_t n = recv(fd, reply + got, sizeof reply - got, 0);
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    ok = got == 4 && std::string(reply, 4) == "imok";
  }
  close(fd);
  return ok;
}

std::string ZooKeeperProcess::log() const {
  std::ifstream in(dir_ + "/zookeeper.log");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace kitsune::testing
