// KdcProcess: kdb5_util, kadmin.local and krb5kdc in a temp dir, and the client tools (kinit,
// kvno, klist) run against it with the password on stdin.
#include "kdc_process.h"
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

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace kitsune::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Binds `type` on 127.0.0.1:port (0: any); returns the port, or 0 when taken.
int bind_port(int type, int port) {
  const int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  socklen_t len = sizeof addr;
  int out = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    out = ntohs(addr.sin_port);
  }
  close(fd);
  return out;
}

// A port free for both TCP and UDP right now (the KDC serves both on one port).
int pick_kdc_port() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    const int port = bind_port(SOCK_STREAM, 0);
    if (port > 0 && bind_port(SOCK_DGRAM, port) == port) return port;
  }
  throw std::runtime_error("no port free for both TCP and UDP");
}

// The environment of the tools: ours, with the realm's configuration.
std::vector<std::string> tool_env(const std::string& dir) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry(*e);
    if (entry.starts_with("KRB5_CONFIG=") || entry.starts_with("KRB5_KDC_PROFILE=")) continue;
    env.push_back(entry);
  }
  env.push_back("KRB5_CONFIG=" + dir + "/krb5.conf");
  env.push_back("KRB5_KDC_PROFILE=" + dir + "/kdc.conf");
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

KdcProcess::KdcProcess(KdcOptions options) : options_(std::move(options)) {
  char tmpl[] = "/tmp/kitsune-kdc-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = fs::canonical(tmpl).string();
  port_ = pick_kdc_port();
  const std::string& realm = options_.realm;
  {
    std::ofstream conf(dir_ + "/krb5.conf");
    conf << "# Written by KdcProcess for one test.\n"
         << "[libdefaults]\n"
         << "  default_realm = " << realm << "\n"
         << "  dns_lookup_kdc = false\n"
         << "  dns_lookup_realm = false\n"
         << "  dns_canonicalize_hostname = false\n"
         << "  rdns = false\n"
         << "  udp_preference_limit = 1\n"
         << "  clockskew = " << options_.clockskew.count() << "\n"
         << "[realms]\n"
         << "  " << realm << " = {\n"
         << "    kdc = 127.0.0.1:" << port_ << "\n"
         << "  }\n";
  }
  {
    std::ofstream conf(dir_ + "/kdc.conf");
    conf << "[kdcdefaults]\n"
         << "  kdc_listen = 127.0.0.1:" << port_ << "\n"
         << "  kdc_tcp_listen = 127.0.0.1:" << port_ << "\n"
         << "[realms]\n"
         << "  " << realm << " = {\n"
         << "    database_name = " << dir_ << "/principal\n"
         << "    key_stash_file = " << dir_ << "/stash\n"
         << "    acl_file = " << dir_ << "/kadm5.acl\n"
         << "    max_life = 1h\n"
         << "    max_renewable_life = 1h\n"
         << "  }\n"
         << "[logging]\n"
         << "  kdc = FILE:" << dir_ << "/kdc.log\n";
  }
  std::ofstream(dir_ + "/kadm5.acl").close();
  // The master password goes on stdin too (kdb5_util asks twice without -P).
  const std::string master = "kdc-master-" + std::to_string(getpid());
  auto created =
      run({"/usr/sbin/kdb5_util", "create", "-s", "-r", realm}, master + "\n" + master + "\n");
  if (created.exit_code != 0) {
    throw std::runtime_error("kdb5_util create failed:\n" + created.output);
  }

  auto env = tool_env(dir_);
  std::vector<std::string> args{"/usr/sbin/krb5kdc", "-n"};
  auto argv = pointers(args);
  auto envp = pointers(env);
  const std::string out_path = dir_ + "/krb5kdc.out";
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(125);
    const int fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) _exit(126);
    dup2(fd, 1);
    dup2(fd, 2);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  if (!answers(std::chrono::seconds(10))) {
    const std::string message = "krb5kdc did not start:\n" + log();
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    std::error_code ec;
    fs::remove_all(dir_, ec);
    throw std::runtime_error(message);
  }
}

KdcProcess::~KdcProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (waitpid(pid_, nullptr, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

void KdcProcess::export_config() const {
  setenv("KRB5_CONFIG", krb5_conf().c_str(), 1);
}

void KdcProcess::add_user(const std::string& name, const std::string& password,
                          const std::string& options) {
  // kadmin.local reads its commands from stdin and echoes them: the password goes to its prompt
  // (which does not echo) rather than into the command.
  auto r = kadmin("addprinc " + options + " " + name + "\n" + password + "\n" + password + "\n");
  if (r.exit_code != 0 || r.output.find("created") == std::string::npos) {
    throw std::runtime_error("kadmin.local could not add " + name + ":\n" + r.output);
  }
}

void KdcProcess::add_service(const std::string& principal) {
  auto r = kadmin("addprinc -randkey " + principal + "\n");
  if (r.exit_code != 0 || r.output.find("created") == std::string::npos) {
    throw std::runtime_error("kadmin.local could not add " + principal + ":\n" + r.output);
  }
}

void KdcProcess::export_keytab(const std::string& principal, const std::string& path) {
  auto r = kadmin("ktadd -norandkey -k " + path + " " + principal + "\n");
  if (r.exit_code != 0 || r.output.find("added to keytab") == std::string::npos) {
    throw std::runtime_error("kadmin.local could not export " + principal + ":\n" + r.output);
  }
}

std::string KdcProcess::new_ccache() {
  return "FILE:" + dir_ + "/cc-" + std::to_string(++caches_);
}

ToolResult KdcProcess::kinit(const std::string& principal, const std::string& password,
                             const std::string& ccache, const std::string& lifetime) {
  std::vector<std::string> argv{"/usr/bin/kinit", "-c", ccache};
  if (!lifetime.empty()) {
    argv.push_back("-l");
    argv.push_back(lifetime);
  }
  argv.push_back(principal);
  return run(argv, password + "\n");
}

ToolResult KdcProcess::kvno(const std::string& service, const std::string& ccache) {
  return run({"/usr/bin/kvno", "-c", ccache, service}, "");
}

ToolResult KdcProcess::klist(const std::string& ccache) {
  return run({"/usr/bin/klist", "-c", ccache}, "");
}

std::string KdcProcess::log() const {
  return read_text_file(dir_ + "/krb5kdc.out") + read_text_file(dir_ + "/kdc.log");
}

ToolResult KdcProcess::kadmin(const std::string& commands) {
  return run({"/usr/sbin/kadmin.local", "-r", options_.realm}, commands);
}

ToolResult KdcProcess::run(const std::vector<std::string>& args, const std::string& input) const {
  auto env = tool_env(dir_);
  std::vector<std::string> copy = args;
  auto argv = pointers(copy);
  auto envp = pointers(env);
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    if (chdir(dir_.c_str()) != 0) _exit(126);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  // The input is a few short lines: it fits the pipe, so writing it all first cannot block.
  std::size_t written = 0;
  while (written < input.size()) {
    const ssize_t n = write(in[1], input.data() + written, input.size() - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  close(in[1]);
  ToolResult result;
  char buf[4096];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof buf)) > 0)
    result.output.append(buf, static_cast<std::size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

bool KdcProcess::answers(std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) return false;
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port_));
    const bool up = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (up) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace kitsune::testing
