// Tests of Conf: command-line pairs, typed reads with fallbacks and defaults, validation, the key
// table, and the Redactor.
#include "kitsune/config/conf.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace kitsune::config {
namespace {

namespace k = keys;
using Args = std::vector<std::string>;
using std::chrono::milliseconds;

TEST(ConfFromArgs, ReadsConfPairsInBothSpellings) {
  Args rest;
  auto conf = Conf::from_args(
      {"--conf", "kyuubi.engine.type=LOCAL", "--conf=kitsune.log.level=debug", "-c", "a.b=c"},
      &rest);
  ASSERT_TRUE(conf.is_ok()) << conf.status().message();
  EXPECT_EQ(conf->raw("kyuubi.engine.type"), "LOCAL");
  EXPECT_EQ(conf->raw("kitsune.log.level"), "debug");
  EXPECT_EQ(conf->raw("a.b"), "c");
  EXPECT_TRUE(rest.empty());
}

TEST(ConfFromArgs, KeepsEverythingAfterTheFirstEqualsSignInTheValue) {
  auto conf = Conf::from_args({"--conf", "spark.driver.extraJavaOptions=-Da=b -Dc=d"});
  ASSERT_TRUE(conf.is_ok());
  EXPECT_EQ(conf->raw("spark.driver.extraJavaOptions"), "-Da=b -Dc=d");
}

TEST(ConfFromArgs, ReturnsOtherArgumentsInOrder) {
  Args rest;
  auto conf = Conf::from_args({"serve", "--conf", "k=v", "--verbose", "x"}, &rest);
  ASSERT_TRUE(conf.is_ok());
  EXPECT_EQ(rest, (Args{"serve", "--verbose", "x"}));
  EXPECT_EQ(conf->entries().size(), 1u);
}

TEST(ConfFromArgs, RefusesAConfWithNoValue) {
  auto conf = Conf::from_args({"--conf"});
  ASSERT_FALSE(conf.is_ok());
  EXPECT_NE(conf.status().message().find("--conf"), std::string::npos);
}

TEST(ConfFromArgs, RefusesAPairWithNoEqualsSignOrNoKey) {
  for (const Args& args : {Args{"--conf", "kyuubi.engine.type"}, Args{"--conf=novalue"},
                           Args{"--conf", "=v"}, Args{"--conf="}}) {
    auto conf = Conf::from_args(args);
    EXPECT_FALSE(conf.is_ok()) << args.back();
  }
  auto conf = Conf::from_args({"--conf", "kyuubi.engine.type"});
  ASSERT_FALSE(conf.is_ok());
  EXPECT_NE(conf.status().message().find("kyuubi.engine.type"), std::string::npos);
}

TEST(ConfFromArgs, AllowsAnEmptyValue) {
  auto conf = Conf::from_args({"--conf", "kyuubi.session.user="});
  ASSERT_TRUE(conf.is_ok());
  EXPECT_EQ(conf->raw("kyuubi.session.user"), "");
}

TEST(Conf, SetUnsetContainsAndMerge) {
  Conf a;
  a.set("x", "1");
  a.set("y", "2");
  EXPECT_TRUE(a.contains("x"));
  a.unset("x");
  a.unset("never-set");
  EXPECT_FALSE(a.contains("x"));
  EXPECT_EQ(a.raw("x"), std::nullopt);
  Conf b;
  b.set("y", "3");
  b.set("z", "4");
  a.merge(b);
  EXPECT_EQ(a.raw("y"), "3");
  EXPECT_EQ(a.raw("z"), "4");
}

TEST(ConfGet, ReturnsDefaultsWhenNothingIsSet) {
  const Conf conf;
  EXPECT_EQ(conf.get(k::kFrontendBindPort), 10009);
  EXPECT_EQ(conf.get(k::kFrontendLoginTimeout), milliseconds(20000));
  EXPECT_EQ(conf.get(k::kSessionIdleTimeout), milliseconds(6 * 3600000));
  EXPECT_TRUE(conf.get(k::kSessionCloseOnDisconnect));
  EXPECT_EQ(conf.get(k::kEngineType), "SPARK_SQL");
  EXPECT_EQ(conf.get(k::kAuthentication), List{"NONE"});
  EXPECT_EQ(conf.get(k::kFrontendThriftMaxFrameSize), 16384000);
  EXPECT_EQ(conf.get(k::kFrontendBindHost), "");
}

TEST(ConfGet, ThriftBinaryPortFallsBackToTheFrontendPortThenTo10009) {
  Conf conf;
  EXPECT_EQ(conf.get(k::kFrontendThriftBinaryBindPort), 10009);
  EXPECT_EQ(conf.get_if_set(k::kFrontendThriftBinaryBindPort), std::nullopt);
  conf.set("kyuubi.frontend.bind.port", "12345");
  EXPECT_EQ(conf.get(k::kFrontendThriftBinaryBindPort), 12345);
  EXPECT_EQ(conf.get_if_set(k::kFrontendThriftBinaryBindPort), 12345);
  conf.set("kyuubi.frontend.thrift.binary.bind.port", "0");
  EXPECT_EQ(conf.get(k::kFrontendThriftBinaryBindPort), 0);
  EXPECT_EQ(conf.get(k::kFrontendBindPort), 12345);
}

TEST(ConfGet, ThriftMaxMessageSizeFallsBackToTheDeprecatedKey) {
  Conf conf;
  EXPECT_EQ(conf.get(k::kFrontendThriftMaxMessageSize), 104857600);
  conf.set("kyuubi.frontend.max.message.size", "2048");
  EXPECT_EQ(conf.get(k::kFrontendThriftMaxMessageSize), 2048);
  conf.set("kyuubi.frontend.thrift.max.message.size", "4096");
  EXPECT_EQ(conf.get(k::kFrontendThriftMaxMessageSize), 4096);
}

TEST(ConfGet, SessionIdleTimeoutFallsBackToTheDeprecatedSessionTimeout) {
  Conf conf;
  conf.set("kyuubi.session.timeout", "PT1H");
  EXPECT_EQ(conf.get(k::kSessionIdleTimeout), milliseconds(3600000));
  conf.set("kyuubi.session.idle.timeout", "PT2M");
  EXPECT_EQ(conf.get(k::kSessionIdleTimeout), milliseconds(120000));
}

TEST(ConfGet, AValueThatDoesNotParseCountsAsUnset) {
  Conf conf;
  conf.set("kyuubi.frontend.thrift.binary.bind.port", "not-a-port");
  conf.set("kyuubi.frontend.bind.port", "555");
  EXPECT_EQ(conf.get(k::kFrontendThriftBinaryBindPort), 555);
  conf.set("kyuubi.frontend.bind.port", "also-bad");
  EXPECT_EQ(conf.get(k::kFrontendThriftBinaryBindPort), 10009);
  EXPECT_EQ(conf.get_if_set(k::kFrontendThriftBinaryBindPort), std::nullopt);
  conf.set("kyuubi.session.close.on.disconnect", "maybe");
  EXPECT_TRUE(conf.get(k::kSessionCloseOnDisconnect));
}

TEST(ConfGet, ReadsTypedValues) {
  Conf conf;
  conf.set("kyuubi.session.close.on.disconnect", "FALSE");
  conf.set("kyuubi.frontend.login.timeout", "1500");
  conf.set("kitsune.engine.fetch.max.bytes", "9999999999");
  conf.set("kyuubi.frontend.bind.host", "  127.0.0.1 ");
  EXPECT_FALSE(conf.get(k::kSessionCloseOnDisconnect));
  EXPECT_EQ(conf.get(k::kFrontendLoginTimeout), milliseconds(1500));
  EXPECT_EQ(conf.get(k::kEngineFetchMaxBytes), 9999999999LL);
  EXPECT_EQ(conf.get(k::kFrontendBindHost), "127.0.0.1");
}

TEST(ConfGet, UpperCasesListsThatHaveChoices) {
  Conf conf;
  conf.set("kyuubi.authentication", "ldap, custom");
  EXPECT_EQ(conf.get(k::kAuthentication), (List{"LDAP", "CUSTOM"}));
  conf.set("kyuubi.authentication", "nosasl");
  EXPECT_EQ(conf.get(k::kAuthentication), List{"NOSASL"});
}

TEST(ConfGet, GetIfSetIgnoresDefaults) {
  Conf conf;
  EXPECT_EQ(conf.get_if_set(k::kOperationQueryTimeout), std::nullopt);
  EXPECT_EQ(conf.get_if_set(k::kFrontendBindPort), std::nullopt);
  conf.set("kyuubi.operation.query.timeout", "PT10S");
  EXPECT_EQ(conf.get_if_set(k::kOperationQueryTimeout), milliseconds(10000));
}

TEST(ConfValidate, AcceptsGoodValuesAndIgnoresForeignKeys) {
  Conf conf;
  conf.set("kyuubi.frontend.bind.port", "10009");
  conf.set("kyuubi.session.idle.timeout", "PT30M");
  conf.set("kyuubi.engine.type", "jdbc");
  conf.set("spark.executor.memory", "4g");
  std::vector<std::string> unknown;
  EXPECT_TRUE(conf.validate(&unknown).is_ok());
  EXPECT_TRUE(unknown.empty());
}

TEST(ConfValidate, NamesTheKeyOfABadValue) {
  struct Case {
    const char* key;
    const char* value;
  };
  for (const Case& c :
       {Case{"kyuubi.frontend.bind.port", "ten"}, Case{"kyuubi.frontend.bind.port", "99999999999"},
        Case{"kyuubi.session.idle.timeout", "6 hours"},
        Case{"kyuubi.session.close.on.disconnect", "yes"}, Case{"kyuubi.engine.type", "ORACLE"},
        Case{"kitsune.log.level", "verbose"}, Case{"kyuubi.authentication", "LDAP,SOMETHING"},
        Case{"kitsune.engine.fetch.max.bytes", "8MB"}}) {
    Conf conf;
    conf.set(c.key, c.value);
    Status s = conf.validate();
    EXPECT_FALSE(s.is_ok()) << c.key << "=" << c.value;
    EXPECT_NE(s.message().find(c.key), std::string::npos) << s.message();
  }
}

TEST(ConfValidate, ReportsUnknownKyuubiAndKitsuneKeysWithoutFailing) {
  Conf conf;
  conf.set("kyuubi.no.such.key", "1");
  conf.set("kitsune.no.such.key", "2");
  conf.set("hive.server2.proxy.user", "bob");
  conf.set("kyuubi.engine.type", "LOCAL");
  std::vector<std::string> unknown;
  EXPECT_TRUE(conf.validate(&unknown).is_ok());
  std::sort(unknown.begin(), unknown.end());
  EXPECT_EQ(unknown, (std::vector<std::string>{"kitsune.no.such.key", "kyuubi.no.such.key"}));
  EXPECT_TRUE(conf.validate().is_ok());  // the list is optional
}

TEST(KeyTable, EveryKeyIsFoundByNameAndItsDefaultIsValid) {
  std::set<std::string_view> names;
  for (const KeyDef& def : all_keys()) {
    EXPECT_TRUE(names.insert(def.name).second) << "duplicate " << def.name;
    EXPECT_EQ(find_key(def.name), &def);
    if (def.has_default) {
      EXPECT_TRUE(validate_value(def, def.default_value).is_ok()) << def.name;
    }
    if (!def.fallback.empty()) {
      EXPECT_NE(find_key(def.fallback), nullptr) << def.name << " -> " << def.fallback;
    }
    EXPECT_FALSE(def.doc.empty()) << def.name;
  }
  EXPECT_EQ(find_key("kyuubi.no.such.key"), nullptr);
  EXPECT_EQ(k::kFrontendThriftBinaryBindPort.name(), "kyuubi.frontend.thrift.binary.bind.port");
  EXPECT_EQ(to_string(ValueType::kDuration), "duration");
  EXPECT_EQ(to_string(Scope::kEngineLaunch), "engine launch");
}

TEST(Redactor, TheDefaultPatternIgnoresCaseAndFindsSecretsAnywhereInTheKey) {
  const Conf conf;
  const Redactor r(conf.get(k::kServerRedactionRegex));
  EXPECT_TRUE(r.is_secret("kyuubi.authentication.ldap.bind.password"));
  EXPECT_TRUE(r.is_secret("kyuubi.authentication.ldap.bind.PASSWORD"));
  EXPECT_TRUE(r.is_secret("spark.hadoop.fs.s3a.access.key"));
  EXPECT_TRUE(r.is_secret("my.Secret.thing"));
  EXPECT_TRUE(r.is_secret("hive.delegation.token"));
  EXPECT_FALSE(r.is_secret("spark.hadoop.fs.s3a.accessXkey"));
  EXPECT_FALSE(r.is_secret("kyuubi.engine.type"));
  EXPECT_FALSE(r.is_secret("kyuubi.session.user"));
  EXPECT_EQ(Redactor::kRedacted, "*********(redacted)");
}

TEST(Redactor, WithoutTheInlineFlagThePatternIsCaseSensitive) {
  const Redactor r("password");
  EXPECT_TRUE(r.is_secret("db.password"));
  EXPECT_FALSE(r.is_secret("db.PASSWORD"));
}

TEST(Redactor, AnInvalidPatternFallsBackToTheDefaultSecrets) {
  const Redactor r("(unclosed");
  EXPECT_TRUE(r.is_secret("db.Password"));
  EXPECT_TRUE(r.is_secret("x.token"));
  EXPECT_FALSE(r.is_secret("kyuubi.engine.type"));
}

}  // namespace
}  // namespace kitsune::config
