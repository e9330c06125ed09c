// SlapdProcess: a real OpenLDAP slapd for a test, in a temp dir, on 127.0.0.1 and ports the OS
// picked, its entries loaded with slapadd; optionally with a self-signed certificate (made with
// the openssl CLI) for ldaps:// and StartTLS. It can be killed and started again, as an outage.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace kitsune::testing {

struct SlapdOptions {
  std::string suffix = "dc=example,dc=com";
  // LDIF entries under the suffix (the suffix entry itself is written by the harness). See
  // SlapdProcess::person and SlapdProcess::group.
  std::string ldif;
  // A self-signed certificate for 127.0.0.1 and localhost: an ldaps:// listener beside the
  // ldap:// one, which then also offers StartTLS.
  bool tls = false;
  // `allow bind_anon_dn`: the server then accepts a bind with a DN and an empty password as an
  // anonymous one (RFC 4513 5.1.2), which a client must never take for a login.
  bool allow_unauthenticated_bind = false;
};

class SlapdProcess {
 public:
  // Writes slapd.conf, loads the entries with slapadd, starts slapd and waits (up to 20 s) until
  // its ports accept connections; throws with its log otherwise. The memberof overlay is loaded,
  // so that entries may carry memberOf values.
  explicit SlapdProcess(SlapdOptions options = {});
  // Kills it and removes the temp dir.
  ~SlapdProcess();
  SlapdProcess(const SlapdProcess&) = delete;
  SlapdProcess& operator=(const SlapdProcess&) = delete;

  // "ldap://127.0.0.1:<port>", and with tls "ldaps://127.0.0.1:<port>".
  std::string url() const;
  std::string ldaps_url() const;
  int port() const { return port_; }
  int ldaps_port() const { return ldaps_port_; }
  // The self-signed certificate (PEM), to trust as the CA; empty without tls.
  const std::string& ca_file() const { return ca_file_; }
  const std::string& suffix() const { return options_.suffix; }
  // The directory manager (random password), for tools.
  std::string root_dn() const { return "cn=admin," + options_.suffix; }
  const std::string& root_password() const { return root_password_; }
  const std::string& dir() const { return dir_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  // SIGKILL now (the server vanishes mid-whatever); the ports and data stay.
  void kill();
  // SIGTERM, then SIGKILL after 10 s.
  void stop();
  // Starts it again after kill() or stop(), on the same ports with the same data.
  void start();

  // What slapd has written to its log so far.
  std::string log() const;

  // LDIF of an inetOrgPerson entry (uid, cn, sn, userPassword, and memberOf values). Values that
  // LDIF cannot hold as text are written base64.
  static std::string person(const std::string& dn, const std::string& uid,
                            const std::string& password,
                            const std::vector<std::string>& member_of = {});
  // LDIF of a groupOfNames entry.
  static std::string group(const std::string& dn, const std::string& cn,
                           const std::vector<std::string>& members);
  // LDIF of a service account (a simpleSecurityObject with a password).
  static std::string account(const std::string& dn, const std::string& cn,
                             const std::string& password);
  // One "attr: value" LDIF line, base64 ("attr:: ...") when the value needs it.
  static std::string ldif_line(const std::string& attr, const std::string& value);

 private:
  void launch();
  bool accepts(int port) const;

  SlapdOptions options_;
  std::string dir_;
  std::string ca_file_;
  std::string root_password_;
  int port_ = 0;
  int ldaps_port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace kitsune::testing
