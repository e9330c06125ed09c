// Tests of session configuration: OpenSession normalisation (prefixes, restrict and ignore lists,
// server-only keys) and the keys and environment passed to an engine at launch.
#include "kitsune/config/session_conf.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace kitsune::config {
namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;
using Keys = std::vector<std::string>;

// A test name part from any text: letters and digits kept, everything else '_'.
std::string name_part(std::string_view text) {
  std::string out;
  for (char c : text)
    out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

Conf server_conf(std::initializer_list<std::pair<const char*, const char*>> entries = {}) {
  Conf conf;
  for (const auto& [k, v] : entries)
    conf.set(k, v);
  return conf;
}

// --- matches_key_list -----------------------------------------------------------------------

TEST(KeyList, MatchesExactEntriesAndPrefixEntries) {
  const Keys list{"kyuubi.engine.type", " kyuubi.ha.* ", "spark.sql.*"};
  EXPECT_TRUE(matches_key_list(list, "kyuubi.engine.type"));
  EXPECT_TRUE(matches_key_list(list, "kyuubi.ha.namespace"));
  EXPECT_TRUE(matches_key_list(list, "spark.sql.shuffle.partitions"));
  EXPECT_FALSE(matches_key_list(list, "kyuubi.engine.type.x"));
  EXPECT_FALSE(matches_key_list(list, "kyuubi.ha"));
  EXPECT_FALSE(matches_key_list(list, "kyuubi.hax.y"));
  EXPECT_FALSE(matches_key_list({}, "anything"));
}

// --- normalize_session_conf -----------------------------------------------------------------

struct PrefixCase {
  const char* client_key;
  const char* normalized;
};

// Printed in test names, which must be the same from one build to the next.
void PrintTo(const PrefixCase& c, std::ostream* os) {
  *os << c.client_key;
}

class SessionConfPrefix : public ::testing::TestWithParam<PrefixCase> {};

TEST_P(SessionConfPrefix, IsStrippedFromTheKey) {
  auto r = normalize_session_conf({{GetParam().client_key, "v"}}, Conf{});
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->entries, (Entries{{GetParam().normalized, "v"}}));
  EXPECT_TRUE(r->dropped_server_only.empty());
  EXPECT_TRUE(r->ignored.empty());
}

INSTANTIATE_TEST_SUITE_P(
    EveryHivePrefix, SessionConfPrefix,
    ::testing::Values(PrefixCase{"set:hiveconf:hive.exec.parallel", "hive.exec.parallel"},
                      PrefixCase{"set:hivevar:tbl", "tbl"},
                      PrefixCase{"set:system:java.io.tmpdir", "java.io.tmpdir"},
                      PrefixCase{"set:metaconf:hive.metastore.x", "hive.metastore.x"},
                      PrefixCase{"set:spark.sql.shuffle.partitions",
                                 "spark.sql.shuffle.partitions"},
                      PrefixCase{"set:hiveconf:kyuubi.engine.type", "kyuubi.engine.type"},
                      PrefixCase{"spark.executor.memory", "spark.executor.memory"},
                      PrefixCase{"use:database", "use:database"},
                      PrefixCase{"use:catalog", "use:catalog"},
                      PrefixCase{"kyuubi.engine.share.level", "kyuubi.engine.share.level"},
                      PrefixCase{"hive.server2.proxy.user", "hive.server2.proxy.user"}),
    [](const auto& p) { return name_part(p.param.client_key); });

TEST(SessionConf, KeepsEveryKeptKeyInClientOrder) {
  std::map<std::string, std::string> client{{"use:database", "db"},
                                            {"set:hiveconf:a", "1"},
                                            {"set:hivevar:b", "2"},
                                            {"kyuubi.engine.type", "LOCAL"}};
  auto r = normalize_session_conf(client, Conf{});
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(
      r->entries,
      (Entries{{"kyuubi.engine.type", "LOCAL"}, {"a", "1"}, {"b", "2"}, {"use:database", "db"}}));
}

TEST(SessionConf, RefusesSetEnv) {
  auto r = normalize_session_conf({{"set:env:PATH", "/tmp"}}, Conf{});
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("set:env:PATH"), std::string::npos);
  EXPECT_NE(r.status().message().find("set:env: is not allowed"), std::string::npos);
}

TEST(SessionConf, RefusesAnExactRestrictKeyWithKyuubisMessage) {
  auto r = normalize_session_conf(
      {{"set:hiveconf:kyuubi.engine.type", "LOCAL"}},
      server_conf({{"kyuubi.session.conf.restrict.list", "kyuubi.engine.type,spark.master"}}));
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().message(),
            "kyuubi.engine.type is a restrict key according to the server-side configuration, "
            "please remove it and retry if you want to proceed");
}

TEST(SessionConf, RefusesARestrictKeyUnderAPrefixEntry) {
  const Conf server = server_conf({{"kyuubi.session.conf.restrict.list", "kyuubi.ha.*"}});
  auto r = normalize_session_conf({{"kyuubi.ha.namespace", "evil"}}, server);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().message().find("kyuubi.ha.namespace is a restrict key"), 0u);
  EXPECT_TRUE(normalize_session_conf({{"kyuubi.hax", "ok"}}, server).is_ok());
}

TEST(SessionConf, ARestrictKeyWinsOverServerOnlyAndIgnore) {
  const Conf server = server_conf({{"kyuubi.session.conf.restrict.list", "kyuubi.server.name"},
                                   {"kyuubi.session.conf.ignore.list", "kyuubi.server.name"}});
  EXPECT_FALSE(normalize_session_conf({{"kyuubi.server.name", "x"}}, server).is_ok());
}

TEST(SessionConf, DropsServerOnlyKeys) {
  std::map<std::string, std::string> client{
      {"kyuubi.authentication", "NONE"},
      {"set:hiveconf:kyuubi.frontend.bind.port", "1"},
      {"kyuubi.session.connection.url", "forged:1"},
      {"kyuubi.session.real.user", "root"},
      {"kyuubi.server.ipAddress", "1.2.3.4"},
      {"kyuubi.session.user", "root"},
      {"kyuubi.engine.share.level", "CONNECTION"},
  };
  auto r = normalize_session_conf(client, Conf{});
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->entries, (Entries{{"kyuubi.engine.share.level", "CONNECTION"}}));
  auto dropped = r->dropped_server_only;
  std::sort(dropped.begin(), dropped.end());
  EXPECT_EQ(dropped, (Keys{"kyuubi.authentication", "kyuubi.frontend.bind.port",
                           "kyuubi.server.ipAddress", "kyuubi.session.connection.url",
                           "kyuubi.session.real.user", "kyuubi.session.user"}));
}

TEST(SessionConf, KeepsClientAndEngineLaunchKeys) {
  auto r = normalize_session_conf(
      {{"kyuubi.session.engine.idle.timeout", "PT1M"}, {"kyuubi.client.ipAddress", "10.0.0.1"}},
      Conf{});
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->entries.size(), 2u);
}

TEST(SessionConf, IgnoresKeysInTheIgnoreListAndUserSignEnabled) {
  const Conf server =
      server_conf({{"kyuubi.session.conf.ignore.list", "spark.driver.memory,spark.yarn.*"}});
  std::map<std::string, std::string> client{{"set:hiveconf:spark.driver.memory", "100g"},
                                            {"spark.yarn.queue", "root"},
                                            {"kyuubi.session.user.sign.enabled", "false"},
                                            {"spark.executor.memory", "2g"}};
  auto r = normalize_session_conf(client, server);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->entries, (Entries{{"spark.executor.memory", "2g"}}));
  auto ignored = r->ignored;
  std::sort(ignored.begin(), ignored.end());
  EXPECT_EQ(ignored,
            (Keys{"kyuubi.session.user.sign.enabled", "spark.driver.memory", "spark.yarn.queue"}));
  EXPECT_TRUE(r->dropped_server_only.empty());
}

// --- engine_launch_conf ---------------------------------------------------------------------

Conf session_conf() {
  Conf c;
  // Server-only by the key table or by prefix.
  c.set("kyuubi.authentication", "LDAP");
  c.set("kyuubi.authentication.ldap.url", "ldap://x");
  c.set("kyuubi.frontend.bind.port", "10009");
  c.set("kyuubi.frontend.some.future.key", "x");
  c.set("kyuubi.server.name", "gw");
  c.set("kyuubi.backend.server.exec.pool.size", "10");
  c.set("kyuubi.kinit.principal", "k");
  c.set("kitsune.server.shutdown.timeout", "PT1S");
  c.set("kitsune.frontend.read.timeout", "PT1S");
  c.set("kyuubi.session.engine.open.max.attempts", "3");
  c.set("kyuubi.metadata.store.jdbc.datasource.maximumPoolSize", "5");
  c.set("kyuubi.backend.server.event.kafka.topic", "t");
  c.set("kyuubi.engineEnv.SPARK_HOME", "/opt/spark");
  c.set("___bob___.kyuubi.engine.type", "JDBC");
  // Reserved: server-scoped or server-prefixed, but engines need them.
  c.set("kyuubi.session.user", "alice");
  c.set("kyuubi.session.real.user", "alice");
  c.set("kyuubi.session.connection.url", "gw:10009");
  c.set("kyuubi.server.ipAddress", "10.0.0.2");
  c.set("kyuubi.client.ipAddress", "10.0.0.1");
  c.set("kyuubi.ha.engine.ref.id", "ref");
  c.set("kyuubi.engine.submit.time", "1700000000000");
  c.set("kyuubi.engine.appMgrInfo", "e30=");
  // For every engine.
  c.set("kyuubi.engine.share.level", "USER");
  c.set("kyuubi.session.engine.idle.timeout", "PT1M");
  c.set("kyuubi.backend.engine.exec.pool.size", "4");
  c.set("kitsune.engine.fetch.max.bytes", "1024");
  c.set("spark.master", "local");
  c.set("hive.exec.parallel", "true");
  // Engine-specific.
  c.set("kyuubi.engine.spark.python.enabled", "true");
  c.set("kyuubi.session.engine.spark.main.resource", "/x.jar");
  c.set("kyuubi.engine.flink.memory", "1g");
  c.set("kyuubi.engine.hive.memory", "1g");
  c.set("kyuubi.session.engine.trino.connection.url", "http://t");
  c.set("kyuubi.engine.jdbc.connection.url", "jdbc:x");
  return c;
}

Keys keys_of(const Entries& entries) {
  Keys out;
  for (const auto& [k, v] : entries)
    out.push_back(k);
  return out;
}

const Keys kForEveryEngine = {
    "hive.exec.parallel",
    "kitsune.engine.fetch.max.bytes",
    "kyuubi.backend.engine.exec.pool.size",
    "kyuubi.client.ipAddress",
    "kyuubi.engine.appMgrInfo",
    "kyuubi.engine.share.level",
    "kyuubi.engine.submit.time",
    "kyuubi.ha.engine.ref.id",
    "kyuubi.server.ipAddress",
    "kyuubi.session.connection.url",
    "kyuubi.session.engine.idle.timeout",
    "kyuubi.session.real.user",
    "kyuubi.session.user",
    "spark.master",
};

Keys sorted_union(Keys a, const Keys& b) {
  a.insert(a.end(), b.begin(), b.end());
  std::sort(a.begin(), a.end());
  return a;
}

struct EngineCase {
  const char* engine_type;
  Keys specific;
};

void PrintTo(const EngineCase& c, std::ostream* os) {
  *os << c.engine_type;
}

class EngineLaunchConfByType : public ::testing::TestWithParam<EngineCase> {};

TEST_P(EngineLaunchConfByType, PassesCommonKeysAndOnlyTheKeysOfItsEngineType) {
  auto out = engine_launch_conf(session_conf(), GetParam().engine_type);
  EXPECT_EQ(keys_of(out), sorted_union(kForEveryEngine, GetParam().specific));
}

INSTANTIATE_TEST_SUITE_P(
    EveryEngineType, EngineLaunchConfByType,
    ::testing::Values(EngineCase{"SPARK_SQL",
                                 {"kyuubi.engine.spark.python.enabled",
                                  "kyuubi.session.engine.spark.main.resource"}},
                      EngineCase{"spark_sql",
                                 {"kyuubi.engine.spark.python.enabled",
                                  "kyuubi.session.engine.spark.main.resource"}},
                      EngineCase{"FLINK_SQL", {"kyuubi.engine.flink.memory"}},
                      EngineCase{"HIVE_SQL", {"kyuubi.engine.hive.memory"}},
                      EngineCase{"TRINO", {"kyuubi.session.engine.trino.connection.url"}},
                      EngineCase{"JDBC", {"kyuubi.engine.jdbc.connection.url"}},
                      EngineCase{"LOCAL", {}}),
    [](const auto& p) {
      // Unique even where two cases differ only in case (SPARK_SQL, spark_sql).
      return name_part(p.param.engine_type) + "_" + std::to_string(p.index);
    });

TEST(EngineLaunchConf, KeepsValuesAndSortsByKey) {
  Conf c;
  c.set("z.key", "1");
  c.set("a.key", "2");
  c.set("kyuubi.engine.type", "LOCAL");
  auto out = engine_launch_conf(c, "LOCAL");
  EXPECT_EQ(out, (Entries{{"a.key", "2"}, {"kyuubi.engine.type", "LOCAL"}, {"z.key", "1"}}));
}

TEST(EngineLaunchConf, AnEngineSpecificPrefixNeedsTheDot) {
  Conf c;
  c.set("kyuubi.engine.sparkish", "1");  // not kyuubi.engine.spark.*
  EXPECT_EQ(keys_of(engine_launch_conf(c, "JDBC")), (Keys{"kyuubi.engine.sparkish"}));
}

TEST(EngineEnv, TakesKyuubiEngineEnvKeysWithThePrefixStripped) {
  Conf c;
  c.set("kyuubi.engineEnv.SPARK_HOME", "/opt/spark");
  c.set("kyuubi.engineEnv.JAVA_HOME", "/opt/java");
  c.set("kyuubi.engineEnv.", "nameless");
  c.set("kyuubi.engine.type", "LOCAL");
  EXPECT_EQ(engine_env(c), (std::map<std::string, std::string>{{"JAVA_HOME", "/opt/java"},
                                                               {"SPARK_HOME", "/opt/spark"}}));
}

}  // namespace
}  // namespace kitsune::config
