// Tests of the share-level resolver: Kyuubi's engine spaces, lock paths, engine names, subdomains
// and engine pools, as tables of session configurations.
#include "kitsune/routing/engine_key.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace kitsune::routing {
namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kRefId = "6f1b7c3e-0d6a-4b1e-9f2a-3c4d5e6f7a8b";
constexpr const char* kVersion = "1.13.0-SNAPSHOT";

config::Conf conf_of(const Entries& entries) {
  config::Conf conf;
  for (const auto& [k, v] : entries)
    conf.set(k, v);
  return conf;
}

// alice, in group analysts, on a server run by kyuubi at 10.0.0.5.
RoutingInput input_with(const config::Conf& conf) {
  RoutingInput input;
  input.session_user = "alice";
  input.primary_group = "analysts";
  input.server_user = "kyuubi";
  input.session_id = kRefId;
  input.local_host_ip = "10.0.0.5";
  input.version = kVersion;
  input.session_conf = &conf;
  return input;
}

EngineKey resolve(const Entries& entries) {
  const config::Conf conf = conf_of(entries);
  auto key = resolve_engine_key(input_with(conf));
  EXPECT_TRUE(key.is_ok()) << key.status().to_string();
  return key.is_ok() ? std::move(key).value() : EngineKey{};
}

Status resolve_error(const Entries& entries) {
  const config::Conf conf = conf_of(entries);
  auto key = resolve_engine_key(input_with(conf));
  EXPECT_FALSE(key.is_ok()) << "resolved to " << key->engine_space();
  return key.is_ok() ? Status::ok() : std::move(key).status();
}

TEST(ShareLevelResolver, EachShareLevelBuildsKyuubisSpaceLockPathAndEngineName) {
  const std::string id = kRefId;
  struct Case {
    std::string level;
    ShareLevel expected_level;
    std::string routing_user;
    std::string space;
    std::string lock;
    std::string name;
  };
  const std::vector<Case> cases = {
      {"CONNECTION", ShareLevel::kConnection, "alice",
       "/kyuubi_1.13.0-SNAPSHOT_CONNECTION_SPARK_SQL/alice/" + id, "",
       "kyuubi_CONNECTION_SPARK_SQL_alice_" + id},
      {"USER", ShareLevel::kUser, "alice", "/kyuubi_1.13.0-SNAPSHOT_USER_SPARK_SQL/alice/default",
       "/kyuubi_1.13.0-SNAPSHOT_USER_SPARK_SQL_lock/alice/default",
       "kyuubi_USER_SPARK_SQL_alice_default_" + id},
      {"GROUP", ShareLevel::kGroup, "analysts",
       "/kyuubi_1.13.0-SNAPSHOT_GROUP_SPARK_SQL/analysts/default",
       "/kyuubi_1.13.0-SNAPSHOT_GROUP_SPARK_SQL_lock/analysts/default",
       "kyuubi_GROUP_SPARK_SQL_analysts_default_" + id},
      {"SERVER_LOCAL", ShareLevel::kServerLocal, "kyuubi",
       "/kyuubi_1.13.0-SNAPSHOT_SERVER_LOCAL_SPARK_SQL/kyuubi/10.0.0.5_default",
       "/kyuubi_1.13.0-SNAPSHOT_SERVER_LOCAL_SPARK_SQL_lock/kyuubi/10.0.0.5_default",
       "kyuubi_SERVER_LOCAL_SPARK_SQL_kyuubi_10.0.0.5_default_" + id},
      {"SERVER", ShareLevel::kServer, "kyuubi",
       "/kyuubi_1.13.0-SNAPSHOT_SERVER_SPARK_SQL/kyuubi/default",
       "/kyuubi_1.13.0-SNAPSHOT_SERVER_SPARK_SQL_lock/kyuubi/default",
       "kyuubi_SERVER_SPARK_SQL_kyuubi_default_" + id},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.level);
    const EngineKey key = resolve({{"kyuubi.engine.share.level", c.level}});
    EXPECT_EQ(key.level, c.expected_level);
    EXPECT_EQ(key.server_space, "kyuubi");
    EXPECT_EQ(key.version, kVersion);
    EXPECT_EQ(key.engine_type, "SPARK_SQL");
    EXPECT_EQ(key.session_user, "alice");
    EXPECT_EQ(key.routing_user, c.routing_user);
    EXPECT_EQ(key.ref_id, id);
    EXPECT_EQ(key.subdomain, "default");
    EXPECT_FALSE(key.pool.has_value());
    EXPECT_EQ(key.engine_space(), c.space);
    EXPECT_EQ(key.lock_path(), c.lock);
    EXPECT_EQ(key.engine_name(), c.name);
  }
}

TEST(ShareLevelResolver, DefaultsToUserLevelSparkSqlAndTheDefaultSubdomain) {
  const EngineKey key = resolve({});
  EXPECT_EQ(key.level, ShareLevel::kUser);
  EXPECT_EQ(key.engine_space(), "/kyuubi_1.13.0-SNAPSHOT_USER_SPARK_SQL/alice/default");
}

TEST(ShareLevelResolver, ANullConfigurationReadsAsEmpty) {
  RoutingInput input = input_with(config::Conf{});
  input.session_conf = nullptr;
  auto key = resolve_engine_key(input);
  ASSERT_TRUE(key.is_ok()) << key.status().to_string();
  EXPECT_EQ(key->engine_space(), "/kyuubi_1.13.0-SNAPSHOT_USER_SPARK_SQL/alice/default");
}

TEST(ShareLevelResolver, GroupLevelRoutesByPrimaryGroup) {
  const EngineKey key =
      resolve({{"kyuubi.engine.share.level", "GROUP"}, {"kyuubi.engine.type", "LOCAL"}});
  EXPECT_EQ(key.routing_user, "analysts");
  EXPECT_EQ(key.session_user, "alice");
  EXPECT_EQ(key.engine_space(), "/kyuubi_1.13.0-SNAPSHOT_GROUP_LOCAL/analysts/default");
  EXPECT_EQ(key.engine_name(), std::string("kyuubi_GROUP_LOCAL_analysts_default_") + kRefId);
}

TEST(ShareLevelResolver, GroupLevelWithoutAGroupRoutesByTheUserName) {
  const config::Conf conf = conf_of({{"kyuubi.engine.share.level", "GROUP"}});
  RoutingInput input = input_with(conf);
  input.primary_group.clear();
  auto key = resolve_engine_key(input);
  ASSERT_TRUE(key.is_ok()) << key.status().to_string();
  EXPECT_EQ(key->routing_user, "alice");
  EXPECT_EQ(key->engine_space(), "/kyuubi_1.13.0-SNAPSHOT_GROUP_SPARK_SQL/alice/default");
  EXPECT_EQ(key->lock_path(), "/kyuubi_1.13.0-SNAPSHOT_GROUP_SPARK_SQL_lock/alice/default");
}

TEST(ShareLevelResolver, SubdomainSeparatesEnginesAndIsLowerCased) {
  struct Case {
    std::string level;
    std::string space;
    std::string lock;
    std::string name;
  };
  const std::string id = kRefId;
  const std::vector<Case> cases = {
      {"USER", "/kyuubi_1.13.0-SNAPSHOT_USER_SPARK_SQL/alice/team-a",
       "/kyuubi_1.13.0-SNAPSHOT_USER_SPARK_SQL_lock/alice/team-a",
       "kyuubi_USER_SPARK_SQL_alice_team-a_" + id},
      {"SERVER_LOCAL", "/kyuubi_1.13.0-SNAPSHOT_SERVER_LOCAL_SPARK_SQL/kyuubi/10.0.0.5_team-a",
       "/kyuubi_1.13.0-SNAPSHOT_SERVER_LOCAL_SPARK_SQL_lock/kyuubi/10.0.0.5_team-a",
       "kyuubi_SERVER_LOCAL_SPARK_SQL_kyuubi_10.0.0.5_team-a_" + id},
      // A CONNECTION engine is named by its session; the subdomain does not show.
      {"CONNECTION", "/kyuubi_1.13.0-SNAPSHOT_CONNECTION_SPARK_SQL/alice/" + id, "",
       "kyuubi_CONNECTION_SPARK_SQL_alice_" + id},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.level);
    const EngineKey key = resolve({{"kyuubi.engine.share.level", c.level},
                                   {"kyuubi.engine.share.level.subdomain", "Team-A"}});
    EXPECT_EQ(key.subdomain, "team-a");
    EXPECT_EQ(key.engine_space(), c.space);
    EXPECT_EQ(key.lock_path(), c.lock);
    EXPECT_EQ(key.engine_name(), c.name);
  }
}

TEST(ShareLevelResolver, DeprecatedKeysAreReadWhenTheCurrentOnesAreUnset) {
  struct Case {
    std::string what;
    Entries conf;
    std::string space;
  };
  const std::vector<Case> cases = {
      {"share level",
       {{"kyuubi.session.engine.share.level", "SERVER"}},
       "/kyuubi_1.13.0-SNAPSHOT_SERVER_SPARK_SQL/kyuubi/default"},
      {"current share level wins",
       {{"kyuubi.session.engine.share.level", "SERVER"}, {"kyuubi.engine.share.level", "USER"}},
       "/kyuubi_1.13.0-SNAPSHOT_USER_SPARK_SQL/alice/default"},
      {"subdomain",
       {{"kyuubi.engine.share.level.sub.domain", "Old"}},
       "/kyuubi_1.13.0-SNAPSHOT_USER_SPARK_SQL/alice/old"},
      {"current subdomain wins",
       {{"kyuubi.engine.share.level.sub.domain", "old"},
        {"kyuubi.engine.share.level.subdomain", "new"}},
       "/kyuubi_1.13.0-SNAPSHOT_USER_SPARK_SQL/alice/new"},
      {"namespace",
       {{"kyuubi.ha.zookeeper.namespace", "legacy"}},
       "/legacy_1.13.0-SNAPSHOT_USER_SPARK_SQL/alice/default"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(resolve(c.conf).engine_space(), c.space);
  }
}

TEST(ShareLevelResolver, LevelsTypesAndPolicyAreCaseInsensitive) {
  const EngineKey key = resolve({{"kyuubi.engine.share.level", " server_local "},
                                 {"kyuubi.engine.type", "local"},
                                 {"kyuubi.engine.pool.size", "2"},
                                 {"kyuubi.engine.pool.selectPolicy", "polling"}});
  EXPECT_EQ(key.level, ShareLevel::kServerLocal);
  EXPECT_EQ(key.engine_type, "LOCAL");
  ASSERT_TRUE(key.pool.has_value());
  EXPECT_EQ(key.pool->policy, PoolPolicy::kPolling);
}

TEST(ShareLevelResolver, NamespaceLosesLeadingAndTrailingSlashes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"kyuubi", "kyuubi"}, {"/kyuubi", "kyuubi"}, {"/kyuubi/", "kyuubi"}, {"//a/b//", "a/b"}};
  for (const auto& [ns, space] : cases) {
    SCOPED_TRACE(ns);
    const EngineKey key = resolve({{"kyuubi.ha.namespace", ns}});
    EXPECT_EQ(key.server_space, space);
    EXPECT_EQ(key.engine_space(), "/" + space + "_1.13.0-SNAPSHOT_USER_SPARK_SQL/alice/default");
  }
  EXPECT_NE(resolve_error({{"kyuubi.ha.namespace", "/"}}).message().find("kyuubi.ha.namespace"),
            std::string::npos);
}

TEST(ShareLevelResolver, PoolLeavesTheSubdomainToAMemberChosenLater) {
  const EngineKey key =
      resolve({{"kyuubi.engine.pool.size", "3"}, {"kyuubi.engine.pool.name", "Etl-Pool"}});
  ASSERT_TRUE(key.pool.has_value());
  EXPECT_EQ(key.pool->name, "etl-pool");
  EXPECT_EQ(key.pool->size, 3);
  EXPECT_EQ(key.pool->policy, PoolPolicy::kRandom);
  EXPECT_TRUE(key.subdomain.empty());

  const EngineKey member = with_pool_member(key, 2);
  EXPECT_FALSE(member.pool.has_value());
  EXPECT_EQ(member.subdomain, "etl-pool-2");
  EXPECT_EQ(member.engine_space(), "/kyuubi_1.13.0-SNAPSHOT_USER_SPARK_SQL/alice/etl-pool-2");
  EXPECT_EQ(member.lock_path(), "/kyuubi_1.13.0-SNAPSHOT_USER_SPARK_SQL_lock/alice/etl-pool-2");
  EXPECT_EQ(member.engine_name(), std::string("kyuubi_USER_SPARK_SQL_alice_etl-pool-2_") + kRefId);
}

TEST(ShareLevelResolver, PoolDefaultsToKyuubisEnginePoolName) {
  const EngineKey key = with_pool_member(resolve({{"kyuubi.engine.pool.size", "4"}}), 0);
  EXPECT_EQ(key.engine_space(), "/kyuubi_1.13.0-SNAPSHOT_USER_SPARK_SQL/alice/engine-pool-0");
}

TEST(ShareLevelResolver, PoolSizeIsCappedByTheServersThreshold) {
  struct Case {
    std::string size;
    int threshold;
    int expected;
  };
  const std::vector<Case> cases = {{"5", 9, 5}, {"9", 9, 9}, {"20", 9, 9}, {"20", 2, 2}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.size + " with threshold " + std::to_string(c.threshold));
    const config::Conf conf = conf_of({{"kyuubi.engine.pool.size", c.size}});
    RoutingInput input = input_with(conf);
    input.pool_size_threshold = c.threshold;
    auto key = resolve_engine_key(input);
    ASSERT_TRUE(key.is_ok()) << key.status().to_string();
    ASSERT_TRUE(key->pool.has_value());
    EXPECT_EQ(key->pool->size, c.expected);
  }
}

TEST(ShareLevelResolver, PoolSizeZeroOrLessMeansNoPool) {
  for (const std::string size : {"0", "-1"}) {
    SCOPED_TRACE(size);
    const EngineKey key = resolve({{"kyuubi.engine.pool.size", size}});
    EXPECT_FALSE(key.pool.has_value());
    EXPECT_EQ(key.subdomain, "default");
  }
}

TEST(ShareLevelResolver, PollingPoolCountsAtTheSeqNumPathOfItsLevel) {
  struct Case {
    std::string level;
    std::string path;
  };
  const std::vector<Case> cases = {
      {"USER", "/kyuubi_1.13.0-SNAPSHOT_USER_SPARK_SQL_seqNum/alice/engine-pool"},
      {"GROUP", "/kyuubi_1.13.0-SNAPSHOT_GROUP_SPARK_SQL_seqNum/analysts/engine-pool"},
      {"SERVER", "/kyuubi_1.13.0-SNAPSHOT_SERVER_SPARK_SQL_seqNum/kyuubi/engine-pool"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.level);
    const EngineKey key = resolve({{"kyuubi.engine.share.level", c.level},
                                   {"kyuubi.engine.pool.size", "3"},
                                   {"kyuubi.engine.pool.selectPolicy", "POLLING"}});
    ASSERT_TRUE(key.pool.has_value());
    EXPECT_EQ(key.pool->policy, PoolPolicy::kPolling);
    EXPECT_EQ(key.pool_sequence_path(), c.path);
    EXPECT_EQ(with_pool_member(key, 0).pool_sequence_path(), "");
  }
}

TEST(ShareLevelResolver, ASubdomainTurnsThePoolOffUnlessIgnoreSubdomainIsSet) {
  const EngineKey with_subdomain =
      resolve({{"kyuubi.engine.pool.size", "3"}, {"kyuubi.engine.share.level.subdomain", "adhoc"}});
  EXPECT_FALSE(with_subdomain.pool.has_value());
  EXPECT_EQ(with_subdomain.subdomain, "adhoc");

  const EngineKey ignoring = resolve({{"kyuubi.engine.pool.size", "3"},
                                      {"kyuubi.engine.share.level.subdomain", "adhoc"},
                                      {"kyuubi.engine.pool.ignoreSubdomain", "true"}});
  ASSERT_TRUE(ignoring.pool.has_value());
  EXPECT_EQ(ignoring.pool->name, "engine-pool");
  EXPECT_TRUE(ignoring.subdomain.empty());
}

TEST(ShareLevelResolver, WithPoolMemberLeavesAKeyWithoutAPoolAsItIs) {
  const EngineKey key = resolve({{"kyuubi.engine.share.level.subdomain", "adhoc"}});
  EXPECT_EQ(with_pool_member(key, 1).subdomain, "adhoc");
}

TEST(ShareLevelResolver, SubdomainsAndPoolNamesMustBeZooKeeperPathElements) {
  struct Case {
    std::string key;
    std::string value;
  };
  const std::vector<Case> cases = {
      {"kyuubi.engine.share.level.subdomain", ""},
      {"kyuubi.engine.share.level.subdomain", "."},
      {"kyuubi.engine.share.level.subdomain", ".."},
      {"kyuubi.engine.share.level.subdomain", "a/b"},
      {"kyuubi.engine.share.level.subdomain", "tab\there"},
      {"kyuubi.engine.share.level.subdomain", std::string("nul\0x", 5)},
      {"kyuubi.engine.share.level.subdomain", "bad\xff utf8"},
      {"kyuubi.engine.share.level.sub.domain", "x/y"},
      {"kyuubi.engine.pool.name", "pool/1"},
      {"kyuubi.engine.pool.name", ".."},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.key + "=" + c.value);
    Entries conf = {{c.key, c.value}};
    if (c.key == "kyuubi.engine.pool.name") conf.emplace_back("kyuubi.engine.pool.size", "2");
    const Status error = resolve_error(conf);
    EXPECT_EQ(error.code(), StatusCode::kError);
    EXPECT_NE(error.message().find("not a valid ZooKeeper path element"), std::string::npos)
        << error.message();
  }
  // The key is named, the deprecated one as its replacement.
  EXPECT_NE(resolve_error({{"kyuubi.engine.pool.size", "2"}, {"kyuubi.engine.pool.name", "a/b"}})
                .message()
                .find("kyuubi.engine.pool.name"),
            std::string::npos);
}

TEST(ShareLevelResolver, PrintableNonAsciiSubdomainsAreAccepted) {
  const EngineKey key = resolve({{"kyuubi.engine.share.level.subdomain", "\xC3\x89quipe 1"}});
  EXPECT_EQ(key.subdomain, "\xC3\x89quipe 1");
}

TEST(ShareLevelResolver, BadValuesAreErrorsNamingTheKey) {
  struct Case {
    std::string key;
    std::string value;
  };
  const std::vector<Case> cases = {
      {"kyuubi.engine.share.level", "EVERYONE"}, {"kyuubi.session.engine.share.level", "EVERYONE"},
      {"kyuubi.engine.type", "SPARK"},           {"kyuubi.engine.type", ""},
      {"kyuubi.engine.pool.size", "three"},      {"kyuubi.engine.pool.ignoreSubdomain", "maybe"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.key + "=" + c.value);
    const Status error = resolve_error({{c.key, c.value}});
    EXPECT_EQ(error.code(), StatusCode::kError);
    EXPECT_NE(error.message().find(c.key), std::string::npos) << error.message();
  }
  const Status policy = resolve_error(
      {{"kyuubi.engine.pool.size", "2"}, {"kyuubi.engine.pool.selectPolicy", "ROUND_ROBIN"}});
  EXPECT_NE(policy.message().find("kyuubi.engine.pool.selectPolicy"), std::string::npos);
}

TEST(ShareLevelResolver, UserNamesThatCannotBePathElementsAreRejected) {
  for (const std::string user : {"a/b", "..", ""}) {
    SCOPED_TRACE(user);
    const config::Conf conf;
    RoutingInput input = input_with(conf);
    input.session_user = user;
    auto key = resolve_engine_key(input);
    EXPECT_FALSE(key.is_ok());
  }
}

TEST(ShareLevel, PrintsAndParsesEveryLevel) {
  for (const auto level : {ShareLevel::kConnection, ShareLevel::kUser, ShareLevel::kGroup,
                           ShareLevel::kServerLocal, ShareLevel::kServer}) {
    auto parsed = parse_share_level(to_string(level));
    ASSERT_TRUE(parsed.is_ok());
    EXPECT_EQ(*parsed, level);
  }
  EXPECT_EQ(to_string(ShareLevel::kServerLocal), "SERVER_LOCAL");
  EXPECT_EQ(*parse_share_level("Server_Local"), ShareLevel::kServerLocal);
  auto bad = parse_share_level("TEAM");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("kyuubi.engine.share.level"), std::string::npos);
}

TEST(ShareLevel, IsReadFromTheSessionConfigurationWithItsFallback) {
  EXPECT_EQ(*share_level_of(conf_of({})), ShareLevel::kUser);
  EXPECT_EQ(*share_level_of(conf_of({{"kyuubi.engine.share.level", "connection"}})),
            ShareLevel::kConnection);
  EXPECT_EQ(*share_level_of(conf_of({{"kyuubi.session.engine.share.level", "GROUP"}})),
            ShareLevel::kGroup);
}

}  // namespace
}  // namespace kitsune::routing
