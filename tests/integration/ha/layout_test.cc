// What a gateway keeps in ZooKeeper, read the way Kyuubi's tools and a Hive JDBC driver read it:
// its server node, the engine nodes, the launch lock, published configs, ACLs; and the startup
// refusals when ZooKeeper cannot be used.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include "gateway_calls.h"
#include "gateway_process.h"
#include "raw_socket.h"
#include "zk_client.h"
#include "zookeeper_process.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;

const std::string kVersion = KITSUNE_KYUUBI_VERSION;

GatewayOptions with_zookeeper(const ZooKeeperProcess& zk, GatewayOptions::Conf extra = {}) {
  GatewayOptions o;
  o.conf = {{"kyuubi.ha.addresses", zk.connect_string()},
            {"kyuubi.ha.zookeeper.session.timeout", "6000"},
            {"kyuubi.ha.zookeeper.connection.timeout", "3000"}};
  for (auto& pair : extra)
    o.conf.push_back(std::move(pair));
  return o;
}

std::string sequence_re() {
  return "[0-9]{10}";
}

// The children of `path` once there are `count` of them (within 20 s).
std::vector<std::string> wait_children(const ZkClient& zk, const std::string& path,
                                       std::size_t count) {
  std::vector<std::string> seen;
  eventually(
      [&] {
        seen = zk.children(path);
        return seen.size() == count;
      },
      20s);
  return seen;
}

TEST(ZooKeeperLayout, TheServerNodeIsWhatAHiveJdbcClientReadsAndLeadsToTheGateway) {
  ZooKeeperProcess zk;
  GatewayProcess gw(with_zookeeper(zk));
  ZkClient client(zk.connect_string());

  // As the Hive JDBC driver does with zooKeeperNamespace=kyuubi: list /kyuubi, read a child.
  const auto servers = wait_children(client, "/kyuubi", 1);
  ASSERT_EQ(servers.size(), 1u) << gw.log();
  const std::string port = std::to_string(gw.port());
  EXPECT_TRUE(std::regex_match(
      servers[0], std::regex("serverUri=127\\.0\\.0\\.1:" + port +
                             ";version=" + std::regex_replace(kVersion, std::regex("\\."), "\\.") +
                             ";sequence=" + sequence_re())))
      << servers[0];
  const auto data = client.get("/kyuubi/" + servers[0]);
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(*data, "127.0.0.1:" + port);
  EXPECT_EQ(client.acl("/kyuubi/" + servers[0]), std::vector<std::string>{"world:anyone=31"});

  // The address read there serves sessions.
  const auto colon = data->rfind(':');
  asio::io_context io;
  auto served = run_for(
      io, open_select_close("alice", data->substr(0, colon), std::stoi(data->substr(colon + 1))),
      30s);
  ASSERT_TRUE(served.has_value());
  EXPECT_TRUE(served->is_ok()) << served->to_string() << "\n" << gw.log();
}

TEST(ZooKeeperLayout, AnEngineRegistersItselfWithItsRefIdAndTheLaunchLockIsCuratorsRecipe) {
  ZooKeeperProcess zk;
  GatewayProcess gw(with_zookeeper(zk));
  ZkClient client(zk.connect_string());
  HeldSession held(gw);
  auto engine_id = run_for(held.io(), serving_engine_id(held.session()), 30s);
  ASSERT_TRUE(engine_id.has_value() && engine_id->is_ok()) << gw.log();

  const std::string space = "/kyuubi_" + kVersion + "_USER_LOCAL/alice/default";
  const auto engines = client.children(space);
  ASSERT_EQ(engines.size(), 1u) << gw.log();
  const auto pairs = name_pairs(engines[0]);
  EXPECT_TRUE(engines[0].starts_with("serverUri=")) << engines[0];
  EXPECT_TRUE(std::regex_search(engines[0], std::regex(";sequence=" + sequence_re() + "$")))
      << engines[0];
  EXPECT_EQ(pairs.count("serverUri"), 1u);
  EXPECT_EQ(pairs.count("version") ? pairs.at("version") : "", kVersion);
  // The ref id is the launching session's id, and what the engine reports as kyuubi.engine.id.
  ASSERT_EQ(pairs.count("refId"), 1u) << engines[0];
  EXPECT_EQ(pairs.at("refId"), engine_id->value());
  EXPECT_EQ(pairs.count("kyuubi.engine.id") ? pairs.at("kyuubi.engine.id") : "",
            engine_id->value());
  EXPECT_TRUE(std::regex_search(
      gw.log(), std::regex("launching LOCAL engine " + pairs.at("refId") + " for alice")))
      << gw.log();
  // Its data is its address, the one in its name.
  const auto data = client.get(space + "/" + engines[0]);
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(*data, pairs.count("serverUri") ? pairs.at("serverUri") : "?");
  EXPECT_TRUE(std::regex_match(*data, std::regex("127\\.0\\.0\\.1:[0-9]+"))) << *data;

  // The lock of that launch: InterProcessSemaphoreMutex's two children under the lock path.
  const std::string lock = "/kyuubi_" + kVersion + "_USER_LOCAL_lock/alice/default";
  auto parts = client.children(lock);
  std::sort(parts.begin(), parts.end());
  EXPECT_EQ(parts, (std::vector<std::string>{"leases", "locks"})) << gw.log();
  // Released: no lease or lock node is left behind.
  EXPECT_TRUE(eventually([&] { return client.children(lock + "/leases").empty(); }, 10s));
  EXPECT_TRUE(client.children(lock + "/locks").empty());
}

TEST(ZooKeeperLayout, PublishedConfigsAreTheHiveServer2KeysAndTheNamespaceIsOurs) {
  ZooKeeperProcess zk;
  GatewayProcess gw(with_zookeeper(zk, {{"kyuubi.ha.namespace", "/warehouse/"},
                                        {"kyuubi.ha.zookeeper.publish.configs", "true"}}));
  ZkClient client(zk.connect_string());
  const auto servers = wait_children(client, "/warehouse", 1);
  ASSERT_EQ(servers.size(), 1u) << gw.log();
  EXPECT_FALSE(client.exists("/kyuubi"));
  const auto data = client.get("/warehouse/" + servers[0]);
  ASSERT_TRUE(data.has_value());
  const auto published = name_pairs(*data);
  const std::map<std::string, std::string> expected = {
      {"hive.server2.thrift.bind.host", "127.0.0.1"},
      {"hive.server2.transport.mode", "binary"},
      {"hive.server2.thrift.port", std::to_string(gw.port())},
      {"hive.server2.thrift.sasl.qop", "auth"},
      {"hive.server2.authentication", "NONE"}};
  EXPECT_EQ(published, expected) << *data;
}

TEST(ZooKeeperLayout, DigestAuthGivesWorldReadAndCreatorAllAndTheDigestStaysSecret) {
  const std::string secret = "zkDigest-S3cret-4711";
  ZooKeeperProcess zk;
  GatewayProcess gw(with_zookeeper(zk, {{"kyuubi.ha.zookeeper.auth.type", "DIGEST"},
                                        {"kyuubi.ha.zookeeper.engine.auth.type", "DIGEST"},
                                        {"kyuubi.ha.zookeeper.auth.digest", "kitsune:" + secret}}));
  HeldSession held(gw);
  held.expect_serves();

  ZkClient anonymous(zk.connect_string());
  const auto servers = wait_children(anonymous, "/kyuubi", 1);
  ASSERT_EQ(servers.size(), 1u) << gw.log();
  const std::string server = "/kyuubi/" + servers[0];
  const auto acl = anonymous.acl(server);
  ASSERT_EQ(acl.size(), 2u);
  EXPECT_EQ(acl[0], "world:anyone=1");  // READ
  EXPECT_TRUE(acl[1].starts_with("digest:kitsune:") && acl[1].ends_with("=31")) << acl[1];
  EXPECT_TRUE(anonymous.get(server).has_value()) << "anyone may read it";
  EXPECT_EQ(anonymous.remove(server), ZNOAUTH) << "nobody else may delete it";

  const std::string space = "/kyuubi_" + kVersion + "_USER_LOCAL/alice/default";
  const auto engines = anonymous.children(space);
  ASSERT_EQ(engines.size(), 1u);
  EXPECT_EQ(anonymous.acl(space + "/" + engines[0]).size(), 2u) << "the engine used DIGEST too";

  // The digest reached the engine (it registered with it) but no log and no command line.
  EXPECT_EQ(gw.log().find(secret), std::string::npos) << gw.log();
  for (pid_t pid : gw.engine_pids()) {
    std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
    const std::string text((std::istreambuf_iterator<char>(cmdline)), {});
    EXPECT_EQ(text.find(secret), std::string::npos);
  }
  for (const auto& entry : std::filesystem::recursive_directory_iterator(gw.work_dir())) {
    if (!entry.is_regular_file() ||
        entry.path().filename().string().find(".log") == std::string::npos) {
      continue;
    }
    std::ifstream in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(text.find(secret), std::string::npos) << entry.path();
  }
}

TEST(ZooKeeperStartup, AMissingZooKeeperStopsTheServerWithAClearError) {
  GatewayOptions o;
  o.conf = {{"kyuubi.ha.addresses", "127.0.0.1:" + std::to_string(free_port())},
            {"kyuubi.ha.zookeeper.connection.timeout", "1000"},
            {"kyuubi.ha.zookeeper.node.creation.timeout", "PT3S"}};
  GatewayProcess gw(o);
  auto code = gw.wait_exit(30s);
  ASSERT_TRUE(code.has_value()) << gw.log();
  EXPECT_EQ(*code, 1);
  EXPECT_NE(gw.log().find("is not reachable"), std::string::npos) << gw.log();
  EXPECT_NE(gw.log().find("kyuubi.ha.zookeeper.node.creation.timeout"), std::string::npos)
      << gw.log();
}

TEST(ZooKeeperStartup, WhatThisBuildCannotDoIsRefusedAtStartup) {
  const std::vector<std::pair<GatewayOptions::Conf, std::string>> cases = {
      {{{"kyuubi.ha.zookeeper.auth.type", "KERBEROS"}}, "no SASL support"},
      {{{"kyuubi.ha.zookeeper.auth.type", "DIGEST"}}, "needs kyuubi.ha.zookeeper.auth.digest"},
      {{{"kyuubi.ha.client.class", "org.apache.kyuubi.ha.client.etcd.EtcdDiscoveryClient"}},
       "ZooKeeper only"},
      {{{"kyuubi.ha.zookeeper.connection.retry.policy", "SOMETIMES"}}, "SOMETIMES"}};
  for (const auto& [conf, why] : cases) {
    GatewayOptions o;
    o.conf = {{"kyuubi.ha.addresses", "127.0.0.1:" + std::to_string(free_port())}};
    o.conf.insert(o.conf.end(), conf.begin(), conf.end());
    o.expect_listening = false;
    GatewayProcess gw(o);
    auto code = gw.wait_exit(20s);
    ASSERT_TRUE(code.has_value()) << gw.log();
    EXPECT_EQ(*code, 2) << conf.front().first;
    EXPECT_NE(gw.log().find(why), std::string::npos) << gw.log();
  }
}

}  // namespace
}  // namespace kitsune::testing
