// KdcProcess: a real MIT Kerberos KDC (krb5kdc) for a test, in a temp dir with its own realm
// database, on 127.0.0.1 and a port the OS picked (UDP and TCP); principals, keytabs, and kinit
// into per-test ticket caches. Passwords go to the tools on stdin, never on a command line.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace kitsune::testing {

struct KdcOptions {
  std::string realm = "EXAMPLE.TEST";
  // libdefaults clockskew of the krb5.conf written for clients and servers: how far past its end
  // a ticket is still accepted. Short, so that a test can wait a ticket out.
  std::chrono::seconds clockskew{300};
};

// What a Kerberos command line tool printed, and how it ended.
struct ToolResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

class KdcProcess {
 public:
  // Creates the realm (kdb5_util) and starts krb5kdc, waiting (up to 10 s) until it answers on
  // TCP; throws with its log otherwise.
  explicit KdcProcess(KdcOptions options = {});
  // Kills it and removes the temp dir (keytabs and ticket caches made under dir() included).
  ~KdcProcess();
  KdcProcess(const KdcProcess&) = delete;
  KdcProcess& operator=(const KdcProcess&) = delete;

  const std::string& realm() const { return options_.realm; }
  const std::string& dir() const { return dir_; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // The krb5.conf for clients and servers of this realm (KRB5_CONFIG).
  std::string krb5_conf() const { return dir_ + "/krb5.conf"; }

  // Sets KRB5_CONFIG of this process to krb5_conf(), so that the Kerberos library in the test
  // and the processes it starts (which inherit the environment) use this realm. Call it on the
  // test's own thread before starting them.
  void export_config() const;

  // Adds a user principal with a password (`name` without the realm), or a service principal
  // with a random key. Options are kadmin's (e.g. "-maxlife \"5 seconds\""). Throws on failure.
  void add_user(const std::string& name, const std::string& password,
                const std::string& options = "");
  void add_service(const std::string& principal);
  // Writes the keys of `principal` into the keytab at `path` (created or appended to), without
  // changing them.
  void export_keytab(const std::string& principal, const std::string& path);

  // A new ticket cache path under dir(), unique per call ("FILE:<dir>/cc-<n>").
  std::string new_ccache();
  // kinit of `principal` into `ccache`, the password on stdin; `lifetime` as kinit -l takes it
  // ("5s", "1h"), empty for the default.
  ToolResult kinit(const std::string& principal, const std::string& password,
                   const std::string& ccache, const std::string& lifetime = "");
  // A service ticket for `service` (kvno) into `ccache`, which must hold a TGT.
  ToolResult kvno(const std::string& service, const std::string& ccache);
  // klist of `ccache`.
  ToolResult klist(const std::string& ccache);

  // What the KDC has logged so far.
  std::string log() const;

 private:
  ToolResult kadmin(const std::string& commands);
  ToolResult run(const std::vector<std::string>& argv, const std::string& input) const;
  bool answers(std::chrono::milliseconds timeout) const;

  KdcOptions options_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  int caches_ = 0;
};

}  // namespace kitsune::testing
