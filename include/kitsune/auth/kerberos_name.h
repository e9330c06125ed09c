// Kerberos principal names: parsing, _HOST expansion, and Hadoop's auth_to_local rules that turn
// a principal into the short user name a session runs as.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kitsune/common/status.h"

namespace kitsune::auth {

// primary[/instance][@REALM], with Kerberos' backslash escapes (`\/`, `\@`, `\\`). A name of more
// than two components is refused, as Hadoop refuses it.
struct KerberosName {
  std::string primary;
  std::string instance;  // empty when absent
  std::string realm;     // empty when absent
  static Result<KerberosName> parse(std::string_view principal);
  // The name as written, escapes restored.
  std::string str() const;
};

// Replaces the instance `_HOST` with `host`, lower-cased (Hadoop's SecurityUtil rule). Any other
// principal, or one that does not parse, is returned unchanged.
std::string expand_host(std::string_view principal, std::string_view host);

// The realm of the Kerberos configuration in effect (KRB5_CONFIG), or empty when none is set.
// Reads the configuration files: call it at startup, not on an I/O thread.
std::string default_realm();

// hadoop.security.auth_to_local: RULE:[n:format](regex)s/pattern/replacement/[g][/L] and DEFAULT,
// applied in order; the first rule that matches gives the short name. The grammar is Hadoop's
// (org.apache.hadoop.security.authentication.util.KerberosName): the regex ends at the first `)`,
// the pattern and replacement hold no `/`, and a rule whose result still has `/` or `@` fails.
class AuthToLocal {
 public:
  // Fails on a rule that does not parse, naming it. An entry may hold several rules separated by
  // white space, as Hadoop's multi-line value does.
  static Result<AuthToLocal> parse(const std::vector<std::string>& rules,
                                   std::string default_realm);
  // The short name, or kUnauthenticated when no rule applies (Hadoop's "No rules applied to") or
  // a rule leaves a name that is not simple. A principal without a realm is its primary.
  Result<std::string> short_name(std::string_view principal) const;

  const std::string& realm() const { return default_realm_; }

  AuthToLocal();
  ~AuthToLocal();
  AuthToLocal(AuthToLocal&&) noexcept;
  AuthToLocal& operator=(AuthToLocal&&) noexcept;
  AuthToLocal(const AuthToLocal&);
  AuthToLocal& operator=(const AuthToLocal&);

 private:
  struct Rule;
  // Parses the rule at text[pos] and moves pos past it.
  static Result<Rule> parse_rule(std::string_view text, std::size_t& pos);

  std::vector<Rule> rules_;
  std::string default_realm_;
};

}  // namespace kitsune::auth
