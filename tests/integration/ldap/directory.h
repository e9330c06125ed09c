// The directory the LDAP tests log in against: people (one of them outside ou=people's first
// level), groups, a service account, and users whose uids hold every character that LDAP
// filters and DNs treat specially. Each password is distinct, so that logs can be searched for
// all of them.
#pragma once

#include <string>
#include <vector>

#include "slapd_process.h"

namespace kitsune::testing::ldap_directory {

inline const std::string kSuffix = "dc=example,dc=com";
inline const std::string kPeople = "ou=people,dc=example,dc=com";
inline const std::string kGroups = "ou=groups,dc=example,dc=com";
inline const std::string kServiceDn = "cn=svc,dc=example,dc=com";
inline const std::string kServicePassword = "svc-Pw-3h6j8q";

struct User {
  std::string uid;
  std::string password;
  std::string dn;
};

inline const User kAlice{"alice", "alice-Pw-7f3k9w", "uid=alice," + kPeople};
inline const User kBob{"bob", "bob-Pw-2m8q4e", "uid=bob," + kPeople};
inline const User kCarol{"carol", "carol-Pw-5t1z6r", "uid=carol," + kPeople};
// Below ou=people: only a subtree search finds her.
inline const User kDave{"dave", "dave-Pw-8k2n5y", "uid=dave,ou=contractors," + kPeople};
// Filter specials * ( ) \ and DN specials , = in one uid...
inline const User kWeird{"we*ird(na)me\\,x=y", "weird-Pw-9x4c1u",
                         "uid=we*ird(na)me\\5c\\2cx\\3dy," + kPeople};
// ...and the other DN specials: a leading '#', '+', ';', '<', '>', '"'.
inline const User kOdd{"#o'hara+sm;ith <x> \"q\"", "odd-Pw-6v3b7i",
                       "uid=\\#o'hara\\+sm\\;ith \\<x\\> \\\"q\\\"," + kPeople};

inline const std::string kAnalysts = "cn=analysts," + kGroups;
inline const std::string kAdmins = "cn=admins," + kGroups;

inline std::vector<User> users() {
  return {kAlice, kBob, kCarol, kDave, kWeird, kOdd};
}

// Every password in the directory, for the log checks.
inline std::vector<std::string> passwords() {
  std::vector<std::string> out{kServicePassword};
  for (const auto& u : users())
    out.push_back(u.password);
  return out;
}

// alice and the weird user are analysts (alice's entry also says so with memberOf); bob is an
// admin; carol, dave and the odd user are in no group.
inline std::string ldif() {
  std::string out = "dn: " + kPeople + "\nobjectClass: organizationalUnit\nou: people\n\n" +
                    "dn: ou=contractors," + kPeople +
                    "\nobjectClass: organizationalUnit\nou: contractors\n\n" + "dn: " + kGroups +
                    "\nobjectClass: organizationalUnit\nou: groups\n\n";
  out += SlapdProcess::account(kServiceDn, "svc", kServicePassword);
  for (const auto& u : users()) {
    std::vector<std::string> member_of;
    if (u.uid == kAlice.uid) member_of.push_back(kAnalysts);
    out += SlapdProcess::person(u.dn, u.uid, u.password, member_of);
  }
  out += SlapdProcess::group(kAnalysts, "analysts", {kAlice.dn, kWeird.dn});
  out += SlapdProcess::group(kAdmins, "admins", {kBob.dn});
  return out;
}

inline SlapdOptions options(bool tls = false) {
  SlapdOptions o;
  o.suffix = kSuffix;
  o.ldif = ldif();
  o.tls = tls;
  return o;
}

}  // namespace kitsune::testing::ldap_directory
