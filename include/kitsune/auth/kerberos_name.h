// Kerberos principal names: parsing, _HOST expansion, and Hadoop's auth_to_local rules that turn
// a principal into the short user name a session runs as.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kitsune/common/status.h"

namespace kitsune::auth {

// primary[/instance][@REALM], with Kerberos' backslash escapes.
struct KerberosName {
  std::string primary;
  std::string instance;  // empty when absent
  std::string realm;     // empty when absent
  static Result<KerberosName> parse(std::string_view principal);
  std::string str() const;
};

// Replaces the instance `_HOST` with `host`, lower-cased (Hadoop's SecurityUtil rule).
std::string expand_host(std::string_view principal, std::string_view host);

// The realm of the Kerberos configuration in effect (KRB5_CONFIG), or empty when none is set.
std::string default_realm();

// hadoop.security.auth_to_local: RULE:[n:format](regex)s/pattern/replacement/[g][/L] and DEFAULT,
// applied in order; the first rule that matches gives the short name.
class AuthToLocal {
 public:
  // Fails on a rule that does not parse, naming it.
  static Result<AuthToLocal> parse(const std::vector<std::string>& rules,
                                   std::string default_realm);
  // The short name, or kUnauthenticated when no rule applies (Hadoop's "No rules applied to").
  Result<std::string> short_name(std::string_view principal) const;

 private:
  struct Rule;
  std::vector<Rule> rules_;
  std::string default_realm_;
  friend struct Rule;

 public:
  AuthToLocal();
  ~AuthToLocal();
  AuthToLocal(AuthToLocal&&) noexcept;
  AuthToLocal& operator=(AuthToLocal&&) noexcept;
  AuthToLocal(const AuthToLocal&);
  AuthToLocal& operator=(const AuthToLocal&);
};

}  // namespace kitsune::auth
