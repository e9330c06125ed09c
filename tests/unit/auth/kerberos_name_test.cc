// Kerberos names and Hadoop's auth_to_local rules: parsing, _HOST, rule grammar and results.
#include "kitsune/auth/kerberos_name.h"

#include <gtest/gtest.h>

namespace kitsune::auth {
namespace {

AuthToLocal rules(const std::vector<std::string>& text, std::string realm = "EXAMPLE.TEST") {
  auto parsed = AuthToLocal::parse(text, std::move(realm));
  EXPECT_TRUE(parsed) << parsed.status().message();
  return parsed ? std::move(parsed).value() : AuthToLocal();
}

std::string short_name(const AuthToLocal& a, std::string_view principal) {
  auto r = a.short_name(principal);
  return r ? *r : "error: " + r.status().message();
}

TEST(KerberosName, ParsesPrimaryInstanceAndRealm) {
  auto n = KerberosName::parse("hive/host1.example.com@EXAMPLE.TEST");
  ASSERT_TRUE(n) << n.status().message();
  EXPECT_EQ(n->primary, "hive");
  EXPECT_EQ(n->instance, "host1.example.com");
  EXPECT_EQ(n->realm, "EXAMPLE.TEST");
  EXPECT_EQ(n->str(), "hive/host1.example.com@EXAMPLE.TEST");
}

TEST(KerberosName, ParsesAUserWithoutInstanceOrRealm) {
  auto n = KerberosName::parse("alice");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->primary, "alice");
  EXPECT_EQ(n->instance, "");
  EXPECT_EQ(n->realm, "");
  EXPECT_EQ(n->str(), "alice");
  auto r = KerberosName::parse("alice@EXAMPLE.TEST");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->instance, "");
  EXPECT_EQ(r->realm, "EXAMPLE.TEST");
}

TEST(KerberosName, KeepsEscapedSeparatorsInsideAComponent) {
  auto n = KerberosName::parse(R"(a\/b\@c/host@R\@X)");
  ASSERT_TRUE(n) << n.status().message();
  EXPECT_EQ(n->primary, "a/b@c");
  EXPECT_EQ(n->instance, "host");
  EXPECT_EQ(n->realm, "R@X");
  EXPECT_EQ(n->str(), R"(a\/b\@c/host@R\@X)");
}

TEST(KerberosName, RefusesMalformedNames) {
  for (const char* bad : {"", "/host@R", "a/b/c@R", "a@", "a@R@S", "a/@R", "trailing\\"}) {
    EXPECT_FALSE(KerberosName::parse(bad)) << bad;
  }
}

TEST(KerberosName, HostPlaceholderBecomesTheLowerCasedHost) {
  EXPECT_EQ(expand_host("hive/_HOST@EXAMPLE.TEST", "GW1.Example.COM"),
            "hive/gw1.example.com@EXAMPLE.TEST");
  EXPECT_EQ(expand_host("hive/_HOST", "localhost"), "hive/localhost");
}

TEST(KerberosName, PrincipalsWithoutTheHostPlaceholderAreUnchanged) {
  EXPECT_EQ(expand_host("hive/fixed.host@EXAMPLE.TEST", "other"), "hive/fixed.host@EXAMPLE.TEST");
  EXPECT_EQ(expand_host("_HOST@EXAMPLE.TEST", "other"), "_HOST@EXAMPLE.TEST");
  EXPECT_EQ(expand_host("hive/_host@EXAMPLE.TEST", "other"), "hive/_host@EXAMPLE.TEST");
}

TEST(AuthToLocal, DefaultGivesTheFirstComponentInTheDefaultRealm) {
  auto a = rules({"DEFAULT"});
  EXPECT_EQ(short_name(a, "alice@EXAMPLE.TEST"), "alice");
  EXPECT_EQ(short_name(a, "hive/gw1.example.com@EXAMPLE.TEST"), "hive");
}

TEST(AuthToLocal, DefaultRefusesAnotherRealm) {
  auto a = rules({"DEFAULT"});
  EXPECT_EQ(short_name(a, "alice@OTHER.TEST"), "error: No rules applied to alice@OTHER.TEST");
  auto r = a.short_name("alice@OTHER.TEST");
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
}

TEST(AuthToLocal, APrincipalWithoutARealmIsItsPrimary) {
  auto a = rules({"DEFAULT"});
  EXPECT_EQ(short_name(a, "bob"), "bob");
}

TEST(AuthToLocal, NoRulesAtAllAppliesToNothing) {
  auto a = rules({});
  EXPECT_EQ(short_name(a, "alice@EXAMPLE.TEST"), "error: No rules applied to alice@EXAMPLE.TEST");
}

TEST(AuthToLocal, RuleMapsAnotherRealmWithASubstitution) {
  auto a = rules({R"(RULE:[1:$1@$0](.*@OTHER\.TEST)s/@.*//)", "DEFAULT"});
  EXPECT_EQ(short_name(a, "carol@OTHER.TEST"), "carol");
  EXPECT_EQ(short_name(a, "alice@EXAMPLE.TEST"), "alice");
  EXPECT_EQ(short_name(a, "dave@THIRD.TEST"), "error: No rules applied to dave@THIRD.TEST");
}

TEST(AuthToLocal, RuleOnlyAppliesToItsNumberOfComponents) {
  auto a = rules({R"(RULE:[2:$1@$0](hive@EXAMPLE\.TEST)s/.*/hiveuser/)"});
  EXPECT_EQ(short_name(a, "hive/gw1@EXAMPLE.TEST"), "hiveuser");
  EXPECT_EQ(short_name(a, "hive@EXAMPLE.TEST"), "error: No rules applied to hive@EXAMPLE.TEST");
}

TEST(AuthToLocal, FormatCanUseEveryComponent) {
  auto a = rules({"RULE:[2:$2-$1]"});
  EXPECT_EQ(short_name(a, "svc/node7@EXAMPLE.TEST"), "node7-svc");
}

TEST(AuthToLocal, SubstitutionReplacesTheFirstMatchUnlessGlobal) {
  auto once = rules({"RULE:[1:$1]s/a/x/"});
  EXPECT_EQ(short_name(once, "banana@EXAMPLE.TEST"), "bxnana");
  auto all = rules({"RULE:[1:$1]s/a/x/g"});
  EXPECT_EQ(short_name(all, "banana@EXAMPLE.TEST"), "bxnxnx");
}

TEST(AuthToLocal, SubstitutionCanUseGroups) {
  auto a = rules({R"(RULE:[1:$1@$0](.*@EXAMPLE\.TEST)s/(.*)@EXAMPLE\.TEST/u_$1/)"});
  EXPECT_EQ(short_name(a, "alice@EXAMPLE.TEST"), "u_alice");
}

TEST(AuthToLocal, LowerCaseSuffixLowersTheResult) {
  auto a = rules({R"(RULE:[1:$1@$0](.*@CORP\.TEST)s/@.*///L)"});
  EXPECT_EQ(short_name(a, "Alice.Smith@CORP.TEST"), "alice.smith");
  auto d = rules({"DEFAULT/L"});
  EXPECT_EQ(short_name(d, "BOB@EXAMPLE.TEST"), "bob");
}

TEST(AuthToLocal, FirstMatchingRuleWins) {
  auto a = rules({R"(RULE:[1:$1@$0](admin@.*)s/.*/root/)", "DEFAULT", "RULE:[1:$1]s/.*/never/"});
  EXPECT_EQ(short_name(a, "admin@EXAMPLE.TEST"), "root");
  EXPECT_EQ(short_name(a, "alice@EXAMPLE.TEST"), "alice");
}

TEST(AuthToLocal, MatchMustCoverTheWholeName) {
  auto a = rules({"RULE:[1:$1@$0](ali)s/@.*//"});
  EXPECT_EQ(short_name(a, "alice@EXAMPLE.TEST"), "error: No rules applied to alice@EXAMPLE.TEST");
}

TEST(AuthToLocal, SeveralRulesInOneEntryAreSeparatedByWhiteSpace) {
  auto a = rules({"  RULE:[1:$1@$0](.*@OTHER\\.TEST)s/@.*//\n   DEFAULT  "});
  EXPECT_EQ(short_name(a, "carol@OTHER.TEST"), "carol");
  EXPECT_EQ(short_name(a, "alice@EXAMPLE.TEST"), "alice");
}

TEST(AuthToLocal, ANameThatIsStillNotSimpleIsRefused) {
  auto a = rules({"RULE:[2:$1/$2]"});
  auto r = a.short_name("hive/gw1@EXAMPLE.TEST");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(r.status().message().find("Non-simple name hive/gw1"), std::string::npos)
      << r.status().message();
}

TEST(AuthToLocal, RefusesRulesThatDoNotParseNamingThem) {
  for (const char* bad : {"RULE:1:$1", "RULE:[x:$1]", "RULE:[1:$1", "RULE:[1:$1](a",
                          "RULE:[1:$1]s/a/b", "RULE:[1:$1]junk", "DEFAULTS", "NOTARULE",
                          "RULE:[1:$2]", "RULE:[1:$]", "RULE:[1:$1](a[)"}) {
    auto r = AuthToLocal::parse({bad}, "EXAMPLE.TEST");
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.status().message().find("hadoop.security.auth_to_local"), std::string::npos)
        << r.status().message();
  }
}

TEST(AuthToLocal, NoDefaultRealmMeansDefaultMatchesNothing) {
  auto a = rules({"DEFAULT"}, "");
  EXPECT_EQ(short_name(a, "alice@EXAMPLE.TEST"), "error: No rules applied to alice@EXAMPLE.TEST");
}

}  // namespace
}  // namespace kitsune::auth
