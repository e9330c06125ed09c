// ZooKeeperOptions: Kyuubi's kyuubi.ha.* keys read as Kyuubi reads them, and the waits of its
// Curator retry policies.
#include <gtest/gtest.h>

#include "kitsune/config/conf.h"
#include "kitsune/discovery/discovery.h"

namespace kitsune::discovery {
namespace {

using std::chrono::milliseconds;

config::Conf conf_of(std::vector<std::pair<std::string, std::string>> pairs) {
  config::Conf c;
  for (auto& [k, v] : pairs)
    c.set(k, v);
  return c;
}

TEST(ZooKeeperOptions, KyuubisDefaultsAndItsDeprecatedQuorumKey) {
  auto o = ZooKeeperOptions::from_conf(
      conf_of({{"kyuubi.ha.zookeeper.quorum", "zk1:2181,zk2:2181"}}), false);
  ASSERT_TRUE(o.is_ok()) << o.status().to_string();
  EXPECT_EQ(o->addresses, "zk1:2181,zk2:2181");
  EXPECT_EQ(o->session_timeout, milliseconds(60000));
  EXPECT_EQ(o->connection_timeout, milliseconds(15000));
  EXPECT_EQ(o->retry_policy, ZooKeeperOptions::RetryPolicy::kExponentialBackoff);
  EXPECT_EQ(o->max_retries, 3);
  EXPECT_EQ(o->node_creation_timeout, milliseconds(120000));
  EXPECT_TRUE(o->digest.empty());
}

TEST(ZooKeeperOptions, DigestIsReadForTheServerOrTheEngineByItsOwnAuthType) {
  const auto conf = conf_of({{"kyuubi.ha.addresses", "zk:2181"},
                             {"kyuubi.ha.zookeeper.auth.type", "DIGEST"},
                             {"kyuubi.ha.zookeeper.auth.digest", "kitsune:pw"}});
  EXPECT_EQ(ZooKeeperOptions::from_conf(conf, false)->digest, "kitsune:pw");
  EXPECT_EQ(ZooKeeperOptions::from_conf(conf, true)->digest, "") << "engine.auth.type is NONE";
  auto engine = conf;
  engine.set("kyuubi.ha.zookeeper.engine.auth.type", "digest");
  EXPECT_EQ(ZooKeeperOptions::from_conf(engine, true)->digest, "kitsune:pw");
}

TEST(ZooKeeperOptions, WhatCannotWorkIsRefusedWithTheKeyNamed) {
  auto message = [](std::vector<std::pair<std::string, std::string>> pairs) {
    pairs.emplace_back("kyuubi.ha.addresses", "zk:2181");
    auto o = ZooKeeperOptions::from_conf(conf_of(std::move(pairs)), false);
    return o.is_ok() ? std::string("accepted") : o.status().message();
  };
  EXPECT_NE(message({{"kyuubi.ha.zookeeper.auth.type", "KERBEROS"}}).find("no SASL support"),
            std::string::npos);
  EXPECT_NE(message({{"kyuubi.ha.zookeeper.auth.type", "DIGEST"}})
                .find("kyuubi.ha.zookeeper.auth.digest as user:password"),
            std::string::npos);
  EXPECT_NE(
      message({{"kyuubi.ha.client.class", "org.apache.kyuubi.ha.client.etcd.EtcdDiscoveryClient"}})
          .find("ZooKeeper only"),
      std::string::npos);
  EXPECT_NE(message({{"kyuubi.ha.zookeeper.session.timeout", "0"}})
                .find("kyuubi.ha.zookeeper.session.timeout"),
            std::string::npos);
  EXPECT_EQ(ZooKeeperOptions::from_conf(config::Conf{}, false).status().message(),
            "kyuubi.ha.addresses is empty");
}

TEST(ZooKeeperOptions, RetryWaitsFollowCuratorsPolicies) {
  ZooKeeperOptions o;
  o.base_retry_wait = milliseconds(100);
  o.max_retry_wait = milliseconds(250);
  o.max_retries = 3;
  using P = ZooKeeperOptions::RetryPolicy;

  o.retry_policy = P::kOneTime;
  EXPECT_EQ(o.retry_wait(0, {}), milliseconds(100));
  EXPECT_FALSE(o.retry_wait(1, {}));

  o.retry_policy = P::kNTime;
  EXPECT_EQ(o.retry_wait(2, {}), milliseconds(100));
  EXPECT_FALSE(o.retry_wait(3, {}));

  o.retry_policy = P::kExponentialBackoff;
  for (int attempt = 0; attempt < 3; ++attempt) {
    for (int draw = 0; draw < 50; ++draw) {
      const auto wait = o.retry_wait(attempt, {});
      ASSERT_TRUE(wait);
      EXPECT_GE(*wait, milliseconds(100));
      EXPECT_LE(*wait, milliseconds(100 << (attempt + 1)));
    }
  }
  EXPECT_FALSE(o.retry_wait(3, {}));

  o.retry_policy = P::kBoundedExponentialBackoff;
  for (int draw = 0; draw < 50; ++draw)
    EXPECT_LE(*o.retry_wait(2, {}), milliseconds(250));

  o.retry_policy = P::kUntilElapsed;
  EXPECT_EQ(o.retry_wait(10, milliseconds(200)), milliseconds(100));
  EXPECT_FALSE(o.retry_wait(0, milliseconds(250)));
}

}  // namespace
}  // namespace kitsune::discovery
