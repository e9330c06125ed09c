// Two gateways behind one ZooKeeper, as users run them: one engine per user whichever gateway
// they reach, one launch when both are asked at once, a gateway killed, ZooKeeper stopped and
// started again, a gateway decommissioned by deleting its node.
#include <signal.h>
#include <sys/types.h>

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "gateway_calls.h"
#include "gateway_process.h"
#include "raw_socket.h"
#include "zk_client.h"
#include "zookeeper_process.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;

const std::string kVersion = KITSUNE_KYUUBI_VERSION;

std::string engine_space(const std::string& user) {
  return "/kyuubi_" + kVersion + "_USER_LOCAL/" + user + "/default";
}

GatewayOptions with_zookeeper(const ZooKeeperProcess& zk) {
  GatewayOptions o;
  o.conf = {{"kyuubi.ha.addresses", zk.connect_string()},
            // Short, so that a lost session shows within the test (ZooKeeper's minimum is 4 s).
            {"kyuubi.ha.zookeeper.session.timeout", "6000"},
            {"kyuubi.ha.zookeeper.connection.timeout", "2000"}};
  return o;
}

awaitable<Result<std::string>> open_and_ask_engine(std::string user, int port) {
  auto session = co_await open_client_session_as(user, "127.0.0.1", port, false);
  if (!session) co_return session.status();
  auto id = co_await serving_engine_id(*session);
  tcli::TCloseSessionReq close;
  close.sessionHandle = session->handle;
  (void)co_await session->client->close_session(close);
  co_return id;
}

// The engine serving `user` through the gateway at `port`, by a session opened and closed.
Result<std::string> engine_of(const std::string& user, int port, asio::io_context& io) {
  auto id = run_for(io, open_and_ask_engine(user, port), 60s);
  if (!id) return Status::timed_out("no answer from the gateway at port " + std::to_string(port));
  return std::move(*id);
}

bool alive(pid_t pid) {
  return pid > 0 && kill(pid, 0) == 0;
}

int count_matches(const std::string& text, const std::regex& re) {
  return static_cast<int>(
      std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

TEST(TwoGateways, AlicesSessionsOnEitherGatewayReachOneEngine) {
  ZooKeeperProcess zk;
  GatewayProcess one(with_zookeeper(zk));
  GatewayProcess two(with_zookeeper(zk));
  asio::io_context io;
  auto first = engine_of("alice", one.port(), io);
  ASSERT_TRUE(first.is_ok()) << first.status().to_string() << "\n" << one.log();
  auto second = engine_of("alice", two.port(), io);
  ASSERT_TRUE(second.is_ok()) << second.status().to_string() << "\n" << two.log();
  EXPECT_EQ(first.value(), second.value());
  EXPECT_EQ(two.log().find("launching LOCAL engine"), std::string::npos)
      << "the second gateway found alice's engine in ZooKeeper\n"
      << two.log();
  ZkClient client(zk.connect_string());
  EXPECT_EQ(client.children("/kyuubi").size(), 2u);
}

TEST(TwoGateways, SimultaneousFirstSessionsOnBothLaunchExactlyOneEngine) {
  ZooKeeperProcess zk;
  auto options = with_zookeeper(zk);
  // Engines end soon after their sessions, so that twenty of them do not pile up.
  options.conf.emplace_back("kyuubi.session.engine.idle.timeout", "PT3S");
  options.conf.emplace_back("kyuubi.session.engine.check.interval", "PT1S");
  GatewayProcess one(options);
  GatewayProcess two(options);
  ZkClient client(zk.connect_string());
  asio::io_context io;
  for (int round = 0; round < 20; ++round) {
    const std::string user = "racer" + std::to_string(round);
    std::vector<awaitable<Result<ClientSession>>> opening;
    opening.push_back(open_client_session_as(user, "127.0.0.1", one.port(), false));
    opening.push_back(open_client_session_as(user, "127.0.0.1", two.port(), false));
    auto sessions = run_all_for(io, std::move(opening), 60s);
    std::set<std::string> engines;
    for (std::size_t i = 0; i < sessions.size(); ++i) {
      ASSERT_TRUE(sessions[i].has_value() && sessions[i]->is_ok())
          << user << " on gateway " << i + 1 << "\n"
          << one.log() << two.log();
      auto id = run_for(io, serving_engine_id(sessions[i]->value()), 60s);
      ASSERT_TRUE(id.has_value() && id->is_ok()) << user << "\n" << one.log() << two.log();
      engines.insert(id->value());
    }
    EXPECT_EQ(engines.size(), 1u) << user << ": both sessions on one engine";
    EXPECT_EQ(client.children(engine_space(user)).size(), 1u) << user;
    const std::regex launched("launching LOCAL engine \\S+ for " + user + " in");
    EXPECT_EQ(count_matches(one.log(), launched) + count_matches(two.log(), launched), 1)
        << user << ": one launch between the two gateways";
    for (auto& s : sessions) {
      tcli::TCloseSessionReq close;
      close.sessionHandle = s->value().handle;
      (void)run_for(io, s->value().client->close_session(close), 30s);
    }
  }
}

TEST(TwoGateways, KillOneAndTheOtherKeepsServingOnTheEngineThatLivesOn) {
  ZooKeeperProcess zk;
  auto one = std::make_unique<GatewayProcess>(with_zookeeper(zk));
  GatewayProcess two(with_zookeeper(zk));
  asio::io_context io;
  auto engine = engine_of("alice", one->port(), io);
  ASSERT_TRUE(engine.is_ok()) << one->log();
  const auto engine_pids = one->engine_pids();
  ASSERT_EQ(engine_pids.size(), 1u);
  HeldSession held(two);  // alice, on the engine gateway one launched
  held.expect_serves();

  ASSERT_EQ(kill(one->pid(), SIGKILL), 0);
  ASSERT_TRUE(one->wait_exit(10s).has_value());

  held.expect_serves();
  auto again = engine_of("alice", two.port(), io);
  ASSERT_TRUE(again.is_ok()) << again.status().to_string() << "\n" << two.log();
  EXPECT_EQ(again.value(), engine.value());
  EXPECT_TRUE(alive(engine_pids.front())) << "the engine outlives the gateway that launched it";
  auto bob = run_for(io, open_select_close("bob", "127.0.0.1", two.port()), 60s);
  ASSERT_TRUE(bob.has_value());
  EXPECT_TRUE(bob->is_ok()) << bob->to_string();

  // The dead gateway leaves ZooKeeper when its session expires.
  ZkClient client(zk.connect_string());
  EXPECT_TRUE(eventually([&] { return client.children("/kyuubi").size() == 1; }, 30s));
  const auto left = client.children("/kyuubi");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_NE(left[0].find(":" + std::to_string(two.port()) + ";"), std::string::npos) << left[0];
}

TEST(ZooKeeperOutage, TwentySecondsWithoutZooKeeperAndEverythingComesBack) {
  ZooKeeperProcess zk;
  GatewayProcess one(with_zookeeper(zk));
  GatewayProcess two(with_zookeeper(zk));
  asio::io_context io;
  auto engine = engine_of("alice", one.port(), io);
  ASSERT_TRUE(engine.is_ok()) << one.log();
  const auto engine_pids = one.engine_pids();
  ASSERT_EQ(engine_pids.size(), 1u);
  HeldSession held(one);

  zk.stop();
  const auto back_at = std::chrono::steady_clock::now() + 20s;
  ASSERT_TRUE(one.wait_for_log(std::regex("lost the connection to ZooKeeper"), 15s)) << one.log();

  // Sessions already open go on; a new one reaches an engine known to be alive; a session that
  // would need ZooKeeper is refused with a clear error.
  held.expect_serves();
  auto known = engine_of("alice", one.port(), io);
  ASSERT_TRUE(known.is_ok()) << known.status().to_string() << "\n" << one.log();
  EXPECT_EQ(known.value(), engine.value());
  auto bob = engine_of("bob", one.port(), io);
  ASSERT_FALSE(bob.is_ok());
  EXPECT_NE(
      bob.status().message().find("ZooKeeper at " + zk.connect_string() + " is not reachable"),
      std::string::npos)
      << bob.status().to_string();

  std::this_thread::sleep_until(back_at);
  held.expect_serves();
  zk.start();

  // Both gateways and the engine are registered again (nodes of the old sessions expire).
  ZkClient client(zk.connect_string());
  EXPECT_TRUE(eventually([&] { return client.children("/kyuubi").size() == 2; }, 30s))
      << one.log() << two.log();
  EXPECT_TRUE(eventually(
      [&] {
        const auto nodes = client.children(engine_space("alice"));
        return nodes.size() == 1 && name_pairs(nodes[0])["refId"] == engine.value();
      },
      30s));
  for (const auto* gw : {&one, &two}) {
    const std::string port = std::to_string(gw->port());
    bool found = false;
    for (const auto& n : client.children("/kyuubi"))
      found = found || n.find(":" + port + ";") != std::string::npos;
    EXPECT_TRUE(found) << "gateway on port " << port << " is registered again";
  }

  // New sessions work on both, and nothing crashed.
  auto bob_now = engine_of("bob", two.port(), io);
  EXPECT_TRUE(bob_now.is_ok()) << bob_now.status().to_string() << "\n" << two.log();
  auto alice_two = engine_of("alice", two.port(), io);
  ASSERT_TRUE(alice_two.is_ok()) << two.log();
  EXPECT_EQ(alice_two.value(), engine.value());
  held.expect_serves();
  EXPECT_TRUE(alive(one.pid()));
  EXPECT_TRUE(alive(two.pid()));
  EXPECT_TRUE(alive(engine_pids.front()));
}

TEST(Decommission, ADeletedServerNodeDrainsTheGatewayWhichThenExitsZero) {
  ZooKeeperProcess zk;
  GatewayProcess gw(with_zookeeper(zk));
  ZkClient client(zk.connect_string());
  HeldSession held(gw);
  held.expect_serves();
  const auto nodes = client.children("/kyuubi");
  ASSERT_EQ(nodes.size(), 1u);

  ASSERT_EQ(client.remove("/kyuubi/" + nodes[0]), ZOK);
  ASSERT_TRUE(gw.wait_for_log(std::regex("node was deleted from ZooKeeper"), 10s)) << gw.log();
  // Still serving what it has, and not registered again.
  held.expect_serves();
  EXPECT_FALSE(gw.wait_exit(2s).has_value()) << "it waits for its sessions";
  EXPECT_TRUE(client.children("/kyuubi").empty());

  tcli::TCloseSessionReq close;
  close.sessionHandle = held.session().handle;
  auto closed = run_for(held.io(), held.session().client->close_session(close), 30s);
  ASSERT_TRUE(closed.has_value() && closed->is_ok());
  auto code = gw.wait_exit(20s);
  ASSERT_TRUE(code.has_value()) << gw.log();
  EXPECT_EQ(*code, 0) << gw.log();
}

TEST(Decommission, ADeletedEngineNodeEndsTheEngineOnceItsSessionsClose) {
  ZooKeeperProcess zk;
  GatewayProcess gw(with_zookeeper(zk));
  ZkClient client(zk.connect_string());
  HeldSession held(gw);
  held.expect_serves();
  const auto pids = gw.engine_pids();
  ASSERT_EQ(pids.size(), 1u);
  const auto nodes = client.children(engine_space("alice"));
  ASSERT_EQ(nodes.size(), 1u);

  ASSERT_EQ(client.remove(engine_space("alice") + "/" + nodes[0]), ZOK);
  held.expect_serves();
  EXPECT_TRUE(alive(pids.front()));
  tcli::TCloseSessionReq close;
  close.sessionHandle = held.session().handle;
  (void)run_for(held.io(), held.session().client->close_session(close), 30s);
  EXPECT_TRUE(eventually([&] { return !alive(pids.front()); }, 15s));

  // The next session of alice launches a new engine.
  asio::io_context io;
  auto next = engine_of("alice", gw.port(), io);
  ASSERT_TRUE(next.is_ok()) << next.status().to_string() << "\n" << gw.log();
  EXPECT_EQ(client.children(engine_space("alice")).size(), 1u);
}

TEST(EngineExit, AKilledEngineLeavesZooKeeperAtOnceNotWhenItsSessionExpires) {
  ZooKeeperProcess zk;
  auto options = with_zookeeper(zk);
  options.conf.emplace_back("kyuubi.ha.zookeeper.session.timeout", "40000");  // the last one wins
  GatewayProcess gw(options);
  ZkClient client(zk.connect_string());
  asio::io_context io;
  auto first = engine_of("alice", gw.port(), io);
  ASSERT_TRUE(first.is_ok()) << gw.log();
  const auto pids = gw.engine_pids();
  ASSERT_EQ(pids.size(), 1u);
  ASSERT_EQ(client.children(engine_space("alice")).size(), 1u);

  ASSERT_EQ(kill(pids.front(), SIGKILL), 0);
  EXPECT_TRUE(eventually([&] { return client.children(engine_space("alice")).empty(); }, 10s))
      << "the gateway that launched it removed its node\n"
      << gw.log();
  auto next = engine_of("alice", gw.port(), io);
  ASSERT_TRUE(next.is_ok()) << next.status().to_string() << "\n" << gw.log();
  EXPECT_NE(next.value(), first.value());
}

}  // namespace
}  // namespace kitsune::testing
