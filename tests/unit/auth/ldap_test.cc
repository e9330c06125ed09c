// The LDAP provider's parts that need no server: escaping, bind names, URL lists, DNs, SHA-256,
// the login cache, and what make_ldap_authenticator refuses at startup.
#include "kitsune/auth/ldap.h"

#include <gtest/gtest.h>

#include <string>

#include "kitsune/auth/authenticator.h"
#include "kitsune/common/strings.h"

namespace kitsune::auth::ldap {
namespace {

using namespace std::chrono_literals;

std::string sha256_hex(std::string_view data) {
  auto digest = sha256(data);
  return hex(digest);
}

// --- escaping ----------------------------------------------------------------------------------

TEST(LdapEscaping, FilterValuesHaveTheirSpecialCharactersAsHexEscapes) {
  EXPECT_EQ(escape_filter_value("alice"), "alice");
  EXPECT_EQ(escape_filter_value("*"), "\\2a");
  EXPECT_EQ(escape_filter_value("a*)(uid=*"), "a\\2a\\29\\28uid=\\2a");
  EXPECT_EQ(escape_filter_value("back\\slash"), "back\\5cslash");
  EXPECT_EQ(escape_filter_value(std::string("nul\0x", 5)), "nul\\00x");
  // Characters that mean nothing in a filter value stay as they are.
  EXPECT_EQ(escape_filter_value("a,b=c+d \xc3\xa9"), "a,b=c+d \xc3\xa9");
}

TEST(LdapEscaping, DnValuesCannotAddAnRdnOrEndTheDn) {
  EXPECT_EQ(escape_dn_value("alice"), "alice");
  EXPECT_EQ(escape_dn_value("a,uid=admin"), "a\\,uid\\=admin");
  EXPECT_EQ(escape_dn_value("x+cn=y"), "x\\+cn\\=y");
  EXPECT_EQ(escape_dn_value("<>;\"\\"), "\\<\\>\\;\\\"\\\\");
  EXPECT_EQ(escape_dn_value("#lead"), "\\#lead");
  EXPECT_EQ(escape_dn_value(" padded "), "\\ padded\\ ");
  EXPECT_EQ(escape_dn_value("in side"), "in side");
  EXPECT_EQ(escape_dn_value(std::string("a\0b", 3)), "a\\00b");
  // Filter characters are plain in a DN.
  EXPECT_EQ(escape_dn_value("*()"), "*()");
}

TEST(LdapEscaping, AnEscapedDnValueReadsBackAsTheSameName) {
  for (std::string name : {"we*ird(na)me\\,x=y", " a#b ", "#x", "a;b+c<d>e\"f"}) {
    const std::string dn = "uid=" + escape_dn_value(name) + ",ou=people,dc=example,dc=com";
    auto value = first_rdn_value(dn);
    ASSERT_TRUE(value.has_value()) << dn;
    EXPECT_EQ(*value, name) << dn;
  }
}

// --- URLs and patterns -------------------------------------------------------------------------

TEST(LdapUrls, ASpaceSeparatedListKeepsItsOrder) {
  auto urls = parse_url_list("  ldap://a.example:389   ldaps://b.example:636/\tldap://c ");
  ASSERT_TRUE(urls) << urls.status().message();
  EXPECT_EQ(*urls, (std::vector<std::string>{"ldap://a.example:389", "ldaps://b.example:636/",
                                             "ldap://c"}));
}

TEST(LdapUrls, AnEmptyListOrANonLdapUrlNamesTheKey) {
  auto empty = parse_url_list("   ");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.status().message().find("kyuubi.authentication.ldap.url is required"),
            std::string::npos);
  for (const char* bad : {"http://x.example", "x.example:389", "ldapi:///", "ldap://h:port"}) {
    auto r = parse_url_list(std::string("ldap://ok ") + bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.status().message().find("kyuubi.authentication.ldap.url: '" + std::string(bad)),
              std::string::npos)
        << r.status().message();
  }
}

TEST(LdapPatterns, PatternsAreColonSeparatedAndEachNeedsPercentS) {
  auto p = parse_dn_patterns("uid=%s,ou=a,dc=x:cn=%s,ou=b,dc=x", "k");
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, (std::vector<std::string>{"uid=%s,ou=a,dc=x", "cn=%s,ou=b,dc=x"}));
  EXPECT_TRUE(parse_dn_patterns("", "k")->empty());
  auto bad =
      parse_dn_patterns("uid=%s,ou=a:ou=people,dc=x", "kyuubi.authentication.ldap.userDNPattern");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find("kyuubi.authentication.ldap.userDNPattern: 'ou=people"),
            std::string::npos)
      << bad.status().message();
  EXPECT_EQ(pattern_bases({"uid=%s,ou=a,dc=x", "cn=a\\,%s,ou=b"}),
            (std::vector<std::string>{"ou=a,dc=x", "ou=b"}));
}

// --- bind names --------------------------------------------------------------------------------

TEST(LdapBindNames, EachPatternGetsTheEscapedName) {
  BindNaming n;
  n.dn_patterns = {"uid=%s,ou=people,dc=x", "cn=%s,ou=admins,dc=x"};
  n.base_dn = "dc=ignored";
  EXPECT_EQ(candidate_bind_names(n, "bob"),
            (std::vector<std::string>{"uid=bob,ou=people,dc=x", "cn=bob,ou=admins,dc=x"}));
  EXPECT_EQ(candidate_bind_names(n, "a,uid=admin"),
            (std::vector<std::string>{"uid=a\\,uid\\=admin,ou=people,dc=x",
                                      "cn=a\\,uid\\=admin,ou=admins,dc=x"}));
}

TEST(LdapBindNames, WithoutPatternsTheGuidKeyAndBaseDnFormTheDn) {
  BindNaming n;
  n.base_dn = "ou=people,dc=x";
  n.guid_key = "cn";
  EXPECT_EQ(candidate_bind_names(n, "bob"), (std::vector<std::string>{"cn=bob,ou=people,dc=x"}));
  // A name that is a DN is escaped like any other: never bound as given.
  EXPECT_EQ(candidate_bind_names(n, "uid=admin,dc=x"),
            (std::vector<std::string>{"cn=uid\\=admin\\,dc\\=x,ou=people,dc=x"}));
  EXPECT_EQ(candidate_bind_names(n, "*"), (std::vector<std::string>{"cn=*,ou=people,dc=x"}));
  EXPECT_TRUE(candidate_bind_names(BindNaming{}, "bob").empty());
  EXPECT_TRUE(candidate_bind_names(n, "").empty());
}

TEST(LdapBindNames, ADomainMakesAUserPrincipalName) {
  BindNaming n;
  n.domain = "corp.example";
  n.base_dn = "dc=corp,dc=example";
  EXPECT_EQ(candidate_bind_names(n, "bob"), (std::vector<std::string>{"bob@corp.example"}));
  EXPECT_EQ(candidate_bind_names(n, "bob@corp.example"),
            (std::vector<std::string>{"bob@corp.example"}));
  // Nothing that a server could read as a DN.
  EXPECT_TRUE(candidate_bind_names(n, "cn=admin,dc=corp").empty());
  EXPECT_TRUE(candidate_bind_names(n, "a\\b").empty());
  EXPECT_TRUE(candidate_bind_names(n, std::string("a\0b", 3)).empty());
  EXPECT_EQ(short_user_name("Bob@Corp.Example"), "bob");
  EXPECT_EQ(short_user_name("Alice"), "alice");
}

// --- DNs ---------------------------------------------------------------------------------------

TEST(LdapDns, FirstRdnValueIsTheShortName) {
  EXPECT_EQ(first_rdn_value("cn=analysts,ou=groups,dc=example,dc=com"), "analysts");
  EXPECT_EQ(first_rdn_value("CN=A\\2cB,dc=x"), "A,B");
  EXPECT_FALSE(first_rdn_value("not a dn").has_value());
  EXPECT_FALSE(first_rdn_value("").has_value());
}

TEST(LdapDns, SameDnIgnoresCaseSpacesAndEscapeSpelling) {
  EXPECT_TRUE(
      same_dn("uid=Alice,ou=People,dc=example,dc=com", "UID=alice, ou=people, DC=example,dc=com"));
  EXPECT_TRUE(same_dn("uid=a\\2cb,dc=x", "uid=a\\,b,dc=x"));
  EXPECT_FALSE(same_dn("uid=alice,dc=x", "uid=alice2,dc=x"));
  EXPECT_FALSE(same_dn("uid=alice,dc=x", "garbage"));
  EXPECT_FALSE(same_dn("", ""));
}

// --- SHA-256 and the cache ---------------------------------------------------------------------

TEST(LdapSha256, MatchesTheFipsExamples) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Lengths around the padding boundary (55, 56, 64 bytes).
  EXPECT_EQ(sha256_hex(std::string(55, 'x')).size(), 64u);
  EXPECT_NE(sha256_hex(std::string(55, 'x')), sha256_hex(std::string(56, 'x')));
  EXPECT_NE(sha256_hex(std::string(64, 'x')), sha256_hex(std::string(63, 'x')));
}

TEST(LdapLoginCache, RemembersOnlyTheSamePasswordUntilTheTtl) {
  LoginCache cache(10s, 10);
  const auto t0 = LoginCache::Clock::now();
  EXPECT_FALSE(cache.contains("alice", "pw", t0));
  cache.remember("alice", "pw", t0);
  EXPECT_TRUE(cache.contains("alice", "pw", t0 + 9s));
  EXPECT_FALSE(cache.contains("alice", "pw2", t0 + 1s));
  EXPECT_FALSE(cache.contains("Alice", "pw", t0 + 1s));
  EXPECT_FALSE(cache.contains("bob", "pw", t0 + 1s));
  EXPECT_FALSE(cache.contains("alice", "pw", t0 + 10s));
  cache.remember("alice", "pw", t0 + 20s);
  EXPECT_TRUE(cache.contains("alice", "pw", t0 + 25s));
  cache.forget("alice");
  EXPECT_FALSE(cache.contains("alice", "pw", t0 + 25s));
}

TEST(LdapLoginCache, HoldsAtMostMaxEntriesDroppingExpiredThenOldest) {
  LoginCache cache(10s, 2);
  const auto t0 = LoginCache::Clock::now();
  cache.remember("a", "1", t0);
  cache.remember("b", "2", t0 + 1s);
  cache.remember("c", "3", t0 + 2s);  // full: a expires first and goes
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.contains("a", "1", t0 + 3s));
  EXPECT_TRUE(cache.contains("b", "2", t0 + 3s));
  EXPECT_TRUE(cache.contains("c", "3", t0 + 3s));
  cache.remember("d", "4", t0 + 11500ms);  // b has expired by now and goes
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.contains("c", "3", t0 + 11500ms));
  EXPECT_TRUE(cache.contains("d", "4", t0 + 11500ms));
}

// --- startup -----------------------------------------------------------------------------------

config::Conf ldap_conf(std::initializer_list<std::pair<const char*, const char*>> pairs) {
  config::Conf conf;
  conf.set("kyuubi.authentication", "LDAP");
  for (const auto& [k, v] : pairs)
    conf.set(k, v);
  return conf;
}

Result<std::shared_ptr<PasswordAuthenticator>> make(const config::Conf& conf) {
  AuthSettings settings;
  settings.password_provider = "LDAP";
  return make_password_authenticator(settings, conf);
}

void expect_refused_naming(const config::Conf& conf, const std::string& words) {
  auto made = make(conf);
  ASSERT_FALSE(made) << "accepted, expected a refusal with: " << words;
  EXPECT_NE(made.status().message().find(words), std::string::npos) << made.status().message();
}

TEST(LdapStartup, RefusesAMissingOrBadUrlWithTheKey) {
  expect_refused_naming(ldap_conf({{"kyuubi.authentication.ldap.baseDN", "dc=x"}}),
                        "kyuubi.authentication.ldap.url is required");
  expect_refused_naming(ldap_conf({{"kyuubi.authentication.ldap.url", "ldap://ok http://bad"},
                                   {"kyuubi.authentication.ldap.baseDN", "dc=x"}}),
                        "kyuubi.authentication.ldap.url: 'http://bad'");
}

TEST(LdapStartup, RefusesSettingsThatCannotFormABindNameOrFindAUser) {
  const char* url = "ldap://127.0.0.1:1";
  expect_refused_naming(ldap_conf({{"kyuubi.authentication.ldap.url", url}}),
                        "needs kyuubi.authentication.ldap.baseDN");
  expect_refused_naming(ldap_conf({{"kyuubi.authentication.ldap.url", url},
                                   {"kyuubi.authentication.ldap.domain", "corp"},
                                   {"kyuubi.authentication.ldap.binddn", "cn=svc,dc=x"},
                                   {"kyuubi.authentication.ldap.bindpw", "pw"}}),
                        "kyuubi.authentication.ldap.binddn needs");
  expect_refused_naming(ldap_conf({{"kyuubi.authentication.ldap.url", url},
                                   {"kyuubi.authentication.ldap.baseDN", "dc=x"},
                                   {"kyuubi.authentication.ldap.binddn", "cn=svc,dc=x"}}),
                        "go together");
  expect_refused_naming(ldap_conf({{"kyuubi.authentication.ldap.url", url},
                                   {"kyuubi.authentication.ldap.userDNPattern", "uid=bob,dc=x"}}),
                        "kyuubi.authentication.ldap.userDNPattern: 'uid=bob,dc=x'");
  expect_refused_naming(ldap_conf({{"kyuubi.authentication.ldap.url", url},
                                   {"kyuubi.authentication.ldap.baseDN", "dc=x"},
                                   {"kyuubi.authentication.ldap.customLDAPQuery", "uid=*"}}),
                        "kyuubi.authentication.ldap.customLDAPQuery: 'uid=*'");
  expect_refused_naming(ldap_conf({{"kyuubi.authentication.ldap.url", url},
                                   {"kyuubi.authentication.ldap.domain", "corp"},
                                   {"kyuubi.authentication.ldap.groupFilter", "g"}}),
                        "kyuubi.authentication.ldap.groupFilter needs");
  expect_refused_naming(ldap_conf({{"kyuubi.authentication.ldap.url", url},
                                   {"kyuubi.authentication.ldap.baseDN", "dc=x"},
                                   {"kyuubi.authentication.ldap.guidKey", "uid)(x"}}),
                        "kyuubi.authentication.ldap.guidKey: 'uid)(x'");
  expect_refused_naming(
      ldap_conf({{"kyuubi.authentication.ldap.url", url},
                 {"kyuubi.authentication.ldap.baseDN", "dc=x"},
                 {"kitsune.authentication.ldap.tls.ca.file", "/nonexistent.pem"}}),
      "kitsune.authentication.ldap.tls.ca.file: cannot read '/nonexistent.pem'");
}

TEST(LdapStartup, AcceptsAMinimalConfiguration) {
  auto made = make(ldap_conf({{"kyuubi.authentication.ldap.url", "ldap://127.0.0.1:1"},
                              {"kyuubi.authentication.ldap.baseDN", "ou=people,dc=x"}}));
  ASSERT_TRUE(made) << made.status().message();
  EXPECT_EQ((*made)->name(), "LDAP");
}

// An empty or blank password is refused by the provider itself, before any server is asked: the
// URL points at a port where nothing listens, so a bind attempt would say "unreachable" instead.
TEST(LdapProvider, RefusesAnEmptyPasswordBeforeAnyBind) {
  auto made = make(ldap_conf({{"kyuubi.authentication.ldap.url", "ldap://127.0.0.1:1"},
                              {"kyuubi.authentication.ldap.baseDN", "ou=people,dc=x"}}));
  ASSERT_TRUE(made) << made.status().message();
  auto provider = *made;
  asio::io_context io;
  std::vector<Status> results;
  const std::string user = "alice";
  const ClientInfo client{"127.0.0.1", 7};
  auto run = [&]() -> awaitable<void> {
    // The last, a real password, does reach the (absent) server.
    for (std::string pw : {"", " ", "\t ", "pw"}) {
      Status s = co_await provider->authenticate(user, pw, client);
      results.push_back(std::move(s));
    }
  };
  asio::co_spawn(io, run(), asio::detached);
  io.run();
  ASSERT_EQ(results.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(results[i].code(), StatusCode::kUnauthenticated) << results[i].to_string();
    EXPECT_NE(results[i].message().find("empty or blank password"), std::string::npos);
  }
  EXPECT_EQ(results[3].code(), StatusCode::kUnavailable) << results[3].to_string();
  EXPECT_NE(results[3].message().find("LDAP server(s) ldap://127.0.0.1:1 unreachable"),
            std::string::npos)
      << results[3].message();
}

}  // namespace
}  // namespace kitsune::auth::ldap
