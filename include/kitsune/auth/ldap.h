// The parts of the LDAP password provider that need no server: escaping user names for filters
// and DNs, the bind names tried for a user, the URL list, DN comparison and the login cache.
// Implemented in src/auth/ldap_authenticator.cc.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kitsune/common/status.h"

namespace kitsune::auth::ldap {

// RFC 4515: `value` as it may appear after "attr=" in a search filter: '*', '(', ')', '\' and
// NUL become \2a, \28, \29, \5c and \00, so that a user name can never add a wildcard or a term.
std::string escape_filter_value(std::string_view value);

// RFC 4514: `value` as the value of one RDN: ',', '=', '+', '<', '>', '#', ';', '\' and '"' get
// a backslash, as do a leading space or '#' and a trailing space; NUL becomes \00. A user name
// can never add an RDN or end the DN early.
std::string escape_dn_value(std::string_view value);

// kyuubi.authentication.ldap.url: space-separated ldap:// and ldaps:// URLs, in order. Fails
// (naming the key) when the list is empty or a URL is not an LDAP URL with a host part libldap
// can parse.
Result<std::vector<std::string>> parse_url_list(std::string_view text);

// userDNPattern / groupDNPattern: colon-separated DN patterns, each with "%s" for the name and
// at least one "," and "=". Fails naming `key` on a malformed pattern; an empty text is no
// pattern at all.
Result<std::vector<std::string>> parse_dn_patterns(std::string_view text, std::string_view key);

// What forms the names a user's password is bound with.
struct BindNaming {
  std::string base_dn;                   // kyuubi.authentication.ldap.baseDN
  std::string guid_key = "uid";          // kyuubi.authentication.ldap.guidKey
  std::string domain;                    // kyuubi.authentication.ldap.domain
  std::vector<std::string> dn_patterns;  // kyuubi.authentication.ldap.userDNPattern, parsed
};

// The bind names tried for `user`, in order, as Hive and Kyuubi form them: with a domain, the
// name itself when it has an '@', else user@domain; otherwise each DN pattern with %s replaced by
// the DN-escaped user name, or <guidKey>=<escaped user>,<baseDN>. Never the raw name as a DN: a
// name that looks like a DN is escaped like any other (and with a domain, a name with DN special
// characters gets no candidate at all). Empty when nothing can be formed.
std::vector<std::string> candidate_bind_names(const BindNaming& naming, std::string_view user);

// A user name without its @domain part, lower-cased: what userFilter lists.
std::string short_user_name(std::string_view user);

// The value of the first RDN of `dn` (unescaped), or nullopt when `dn` does not parse: a group's
// short name ("analysts" for "cn=analysts,ou=groups,dc=example,dc=com").
std::optional<std::string> first_rdn_value(std::string_view dn);

// Whether two DNs name the same entry: compared after normalisation (escapes, spaces), ignoring
// case. False when either does not parse.
bool same_dn(std::string_view a, std::string_view b);

// The search bases of DN patterns: each pattern without its first RDN.
std::vector<std::string> pattern_bases(const std::vector<std::string>& patterns);

// FIPS 180-4 SHA-256 (auth does not link a crypto library; the cache is its only user).
std::array<std::uint8_t, 32> sha256(std::string_view data);

// Successful logins remembered for a while (kitsune.authentication.ldap.cache.ttl), keyed by the
// user name, holding only a salted SHA-256 of the password (the salt is random per cache). At
// most `max_entries`: when full, expired entries go first, then the one closest to expiring.
// Thread-safe.
class LoginCache {
 public:
  using Clock = std::chrono::steady_clock;

  LoginCache(std::chrono::milliseconds ttl, std::size_t max_entries);

  // Whether `user` logged in with this password less than ttl ago.
  bool contains(const std::string& user, std::string_view password,
                Clock::time_point now = Clock::now()) const;
  // Remembers a login that LDAP accepted.
  void remember(const std::string& user, std::string_view password,
                Clock::time_point now = Clock::now());
  // Forgets the user (a login of theirs was refused).
  void forget(const std::string& user);
  std::size_t size() const;

 private:
  struct Entry {
    std::array<std::uint8_t, 32> hash;
    Clock::time_point expires;
  };
  std::array<std::uint8_t, 32> hash_of(const std::string& user, std::string_view password) const;

  const std::chrono::milliseconds ttl_;
  const std::size_t max_entries_;
  std::array<std::uint8_t, 16> salt_;
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace kitsune::auth::ldap
