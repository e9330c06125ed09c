// SlapdProcess: slapd.conf and LDIF writing, slapadd and openssl runs, and slapd's life.
#include "slapd_process.h"
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

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace kitsune::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string random_password() {
  static constexpr char kChars[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 20; ++i)
    out += kChars[rd() % (sizeof kChars - 1)];
  return out;
}

// Runs a tool to completion with its output in `log_path`; throws with that output on failure.
void run_tool(const std::vector<std::string>& args, const std::string& log_path) {
  std::vector<char*> argv;
  std::vector<std::string> copy = args;
  for (auto& a : copy)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot open " + log_path);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  close(log_fd);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string cmd;
    for (const auto& a : args)
      cmd += a + " ";
    throw std::runtime_error(cmd + "failed:\n" + read_text_file(log_path));
  }
}

std::string base64(const std::string& in) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
    out += kTable[v & 63];
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const unsigned v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

}  // namespace

std::string SlapdProcess::ldif_line(const std::string& attr, const std::string& value) {
  // RFC 2849 SAFE-STRING: no NUL, CR, LF; not starting with space, ':' or '<'; no trailing space.
  bool safe = value.empty() ||
              (value[0] != ' ' && value[0] != ':' && value[0] != '<' && value.back() != ' ');
  for (char c : value)
    safe = safe && c != '\0' && c != '\r' && c != '\n' && static_cast<unsigned char>(c) < 0x80;
  return safe ? attr + ": " + value + "\n" : attr + ":: " + base64(value) + "\n";
}

std::string SlapdProcess::person(const std::string& dn, const std::string& uid,
                                 const std::string& password,
                                 const std::vector<std::string>& member_of) {
  std::string out = ldif_line("dn", dn) + "objectClass: inetOrgPerson\n" + ldif_line("uid", uid) +
                    ldif_line("cn", uid) + ldif_line("sn", uid) +
                    ldif_line("userPassword", password);
  for (const auto& g : member_of)
    out += ldif_line("memberOf", g);
  return out + "\n";
}

std::string SlapdProcess::group(const std::string& dn, const std::string& cn,
                                const std::vector<std::string>& members) {
  std::string out = ldif_line("dn", dn) + "objectClass: groupOfNames\n" + ldif_line("cn", cn);
  for (const auto& m : members)
    out += ldif_line("member", m);
  return out + "\n";
}

std::string SlapdProcess::account(const std::string& dn, const std::string& cn,
                                  const std::string& password) {
  return ldif_line("dn", dn) +
         "objectClass: organizationalRole\nobjectClass: simpleSecurityObject\n" +
         ldif_line("cn", cn) + ldif_line("userPassword", password) + "\n";
}

SlapdProcess::SlapdProcess(SlapdOptions options) : options_(std::move(options)) {
  char tmpl[] = "/tmp/kitsune-slapd-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = fs::canonical(tmpl).string();
  fs::create_directories(dir_ + "/db");
  root_password_ = random_password();
  port_ = pick_loopback_port();

  std::ostringstream conf;
  conf << "# Written by SlapdProcess for one test.\n";
  for (const char* schema : {"core", "cosine", "inetorgperson", "nis"})
    conf << "include /etc/ldap/schema/" << schema << ".schema\n";
  conf << "modulepath /usr/lib/ldap\n"
       << "moduleload back_mdb\n"
       << "moduleload memberof\n"
       << "pidfile " << dir_ << "/slapd.pid\n"
       << "argsfile " << dir_ << "/slapd.args\n";
  if (options_.allow_unauthenticated_bind) conf << "allow bind_anon_dn\n";
  if (options_.tls) {
    ldaps_port_ = pick_loopback_port();
    ca_file_ = dir_ + "/cert.pem";
    run_tool(
        {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", dir_ + "/key.pem", "-out", ca_file_, "-days", "2", "-subj",
         "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"},
        dir_ + "/openssl.log");
    conf << "TLSCertificateFile " << ca_file_ << "\n"
         << "TLSCertificateKeyFile " << dir_ << "/key.pem\n";
  }
  // No anonymous reads: whatever the provider learns, it learns bound as someone.
  conf << "database mdb\n"
       << "maxsize 16777216\n"
       << "suffix \"" << options_.suffix << "\"\n"
       << "rootdn \"" << root_dn() << "\"\n"
       << "rootpw " << root_password_ << "\n"
       << "directory " << dir_ << "/db\n"
       << "access to attrs=userPassword by anonymous auth by self read by * none\n"
       << "access to * by users read by * none\n"
       << "overlay memberof\n";
  std::ofstream(dir_ + "/slapd.conf") << conf.str();

  // The suffix entry, from its first RDN (dc=example -> a dcObject organization).
  const std::string first = options_.suffix.substr(0, options_.suffix.find(','));
  const std::string value = first.substr(first.find('=') + 1);
  std::ostringstream ldif;
  ldif << ldif_line("dn", options_.suffix) << "objectClass: dcObject\nobjectClass: organization\n"
       << ldif_line("o", value) << ldif_line("dc", value) << "\n"
       << options_.ldif;
  std::ofstream(dir_ + "/entries.ldif") << ldif.str();
  run_tool({"/usr/sbin/slapadd", "-f", dir_ + "/slapd.conf", "-l", dir_ + "/entries.ldif"},
           dir_ + "/slapadd.log");
  start();
}

SlapdProcess::~SlapdProcess() {
  kill();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string SlapdProcess::url() const {
  return "ldap://127.0.0.1:" + std::to_string(port_);
}

std::string SlapdProcess::ldaps_url() const {
  if (ldaps_port_ == 0) throw std::logic_error("this slapd has no ldaps:// listener");
  return "ldaps://127.0.0.1:" + std::to_string(ldaps_port_);
}

void SlapdProcess::launch() {
  std::string listeners = url() + "/";
  if (ldaps_port_ != 0) listeners += " " + ldaps_url() + "/";
  std::vector<std::string> args{
      "/usr/sbin/slapd", "-f", dir_ + "/slapd.conf", "-h", listeners, "-d", "0"};
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log_path = dir_ + "/slapd.log";
  const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot open " + log_path);
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // A test that dies must not leave slapd behind.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(125);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(log_fd);
}

void SlapdProcess::start() {
  if (pid_ > 0) return;
  launch();
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline) {
    if (accepts(port_) && (ldaps_port_ == 0 || accepts(ldaps_port_))) return;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("slapd exited at start:\n" + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("slapd did not listen within 20 s:\n" + log());
}

void SlapdProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void SlapdProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill();
}

bool SlapdProcess::accepts(int port) const {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

std::string SlapdProcess::log() const {
  return read_text_file(dir_ + "/slapd.log");
}

}  // namespace kitsune::testing
