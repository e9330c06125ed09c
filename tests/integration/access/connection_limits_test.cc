// Connection limits through a real gateway (kyuubi.server.limit.connections.*): each limit refuses
// the session past it with Kyuubi's message and admits one again after a session ends, however it
// ends; the unlimited and deny lists; what a refused or failed OpenSession leaves counted.
#include <gtest/gtest.h>

#include "access_support.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;

GatewayOptions with_conf(GatewayOptions::Conf conf) {
  GatewayOptions o;
  o.conf = std::move(conf);
  return o;
}

// What the client sees for a refused OpenSession (the test client prefixes the call's name).
std::string seen(const std::string& message) {
  return "OpenSession: " + message;
}

TEST(ConnectionLimits, ThePerUserLimitRefusesTheNextSessionUntilOneCloses) {
  GatewayProcess gw(with_conf({{"kyuubi.server.limit.connections.per.user", "2"}}));
  Sessions sessions(gw);
  auto first = sessions.open("alice");
  auto second = sessions.open("alice");
  ASSERT_TRUE(first.is_ok() && second.is_ok()) << gw.log();
  EXPECT_EQ(sessions.refusal("alice"),
            seen("Connection limit per user reached (user: alice limit: 2)"));
  EXPECT_TRUE(log_has(gw,
                      "refused a session of alice from 127\\.0\\.0\\.1: Connection limit per "
                      "user reached \\(user: alice limit: 2\\)"))
      << gw.log();
  // Another user has a count of its own.
  auto bobs = sessions.open("bob");
  ASSERT_TRUE(bobs.is_ok()) << bobs.status().message();
  // The refused session did not take a place: after one close, one more opens, and it works.
  ASSERT_TRUE(sessions.close(*first).is_ok()) << gw.log();
  auto third = sessions.open("alice");
  ASSERT_TRUE(third.is_ok()) << third.status().message() << "\n" << gw.log();
  EXPECT_TRUE(sessions.select_one(*third).is_ok()) << gw.log();
  EXPECT_EQ(sessions.refusal("alice"),
            seen("Connection limit per user reached (user: alice limit: 2)"));
}

TEST(ConnectionLimits, ThePerIpaddressLimitCountsEveryUserFromTheAddress) {
  GatewayProcess gw(with_conf({{"kyuubi.server.limit.connections.per.ipaddress", "2"}}));
  Sessions sessions(gw);
  auto alices = sessions.open("alice");
  auto bobs = sessions.open("bob");
  ASSERT_TRUE(alices.is_ok() && bobs.is_ok()) << gw.log();
  EXPECT_EQ(sessions.refusal("carol"),
            seen("Connection limit per ipaddress reached (ipaddress: 127.0.0.1 limit: 2)"));
  ASSERT_TRUE(sessions.close(*bobs).is_ok()) << gw.log();
  auto carols = sessions.open("carol");
  EXPECT_TRUE(carols.is_ok()) << carols.status().message() << "\n" << gw.log();
}

TEST(ConnectionLimits, ThePerUserIpaddressLimitCountsOneUserFromOneAddress) {
  GatewayProcess gw(with_conf({{"kyuubi.server.limit.connections.per.user.ipaddress", "1"}}));
  Sessions sessions(gw);
  auto alices = sessions.open("alice");
  ASSERT_TRUE(alices.is_ok()) << alices.status().message();
  EXPECT_EQ(sessions.refusal("alice"), seen("Connection limit per user:ipaddress reached "
                                            "(user:ipaddress: alice:127.0.0.1 limit: 1)"));
  auto bobs = sessions.open("bob");
  ASSERT_TRUE(bobs.is_ok()) << bobs.status().message();
  ASSERT_TRUE(sessions.close(*alices).is_ok()) << gw.log();
  auto again = sessions.open("alice");
  EXPECT_TRUE(again.is_ok()) << again.status().message() << "\n" << gw.log();
}

TEST(ConnectionLimits, UsersInTheUnlimitedListAreNotLimited) {
  GatewayProcess gw(with_conf({{"kyuubi.server.limit.connections.per.user", "1"},
                               {"kyuubi.server.limit.connections.user.unlimited.list", "alice"}}));
  Sessions sessions(gw);
  std::vector<ClientSession> alices;
  for (int i = 0; i < 3; ++i) {
    auto s = sessions.open("alice");
    ASSERT_TRUE(s.is_ok()) << "#" << i << ": " << s.status().message() << "\n" << gw.log();
    alices.push_back(std::move(s).value());
  }
  auto bobs = sessions.open("bob");
  ASSERT_TRUE(bobs.is_ok()) << bobs.status().message();
  EXPECT_EQ(sessions.refusal("bob"),
            seen("Connection limit per user reached (user: bob limit: 1)"));
}

TEST(ConnectionLimits, AUserInTheDenyListIsRefusedEvenWhenUnlimitedOrProxied) {
  GatewayProcess gw(with_conf({{"kyuubi.server.limit.connections.user.deny.list", "bob"},
                               {"kyuubi.server.limit.connections.user.unlimited.list", "bob"},
                               {"kyuubi.server.administrators", "alice"}}));
  Sessions sessions(gw);
  const std::string denied =
      seen("Connection denied because the user is in the deny user list. (user: bob)");
  EXPECT_EQ(sessions.refusal("bob"), denied);
  // The session would run as bob: Kyuubi checks the user after proxy resolution.
  EXPECT_EQ(sessions.refusal("alice", {{"kyuubi.session.proxy.user", "bob"}}), denied);
  EXPECT_TRUE(log_has(gw,
                      "refused a session of bob from 127\\.0\\.0\\.1: Connection denied because "
                      "the user is in the deny user list"))
      << gw.log();
  auto alices = sessions.open("alice");
  EXPECT_TRUE(alices.is_ok()) << alices.status().message() << "\n" << gw.log();
}

TEST(ConnectionLimits, AClientAddressInTheDenyListIsRefused) {
  GatewayProcess gw(
      with_conf({{"kyuubi.server.limit.connections.ip.deny.list", "10.0.0.1, 127.0.0.1"}}));
  Sessions sessions(gw);
  for (const char* user : {"alice", "bob"}) {
    EXPECT_EQ(sessions.refusal(user),
              seen("Connection denied because the client ip is in the deny ip list. (ipAddress: "
                   "127.0.0.1)"));
  }
  EXPECT_TRUE(log_has(gw,
                      "refused a session of alice from 127\\.0\\.0\\.1: Connection denied "
                      "because the client ip is in the deny ip list"))
      << gw.log();
  EXPECT_TRUE(gw.engine_pids().empty()) << "an engine started for a refused session";
}

TEST(ConnectionLimits, ASessionEndedByADisconnectOrTheIdleTimeoutNoLongerCounts) {
  GatewayProcess gw(with_conf({{"kyuubi.server.limit.connections.per.user", "1"},
                               {"kyuubi.session.idle.timeout", "PT1S"},
                               {"kyuubi.session.check.interval", "PT0.2S"}}));
  Sessions sessions(gw);
  auto dropped = sessions.open("alice");
  ASSERT_TRUE(dropped.is_ok()) << dropped.status().message();
  EXPECT_EQ(sessions.refusal("alice"),
            seen("Connection limit per user reached (user: alice limit: 1)"));
  // The client goes away without CloseSession: the server closes its session.
  dropped->client.reset();
  auto idle = sessions.open_within("alice", 10s);
  ASSERT_TRUE(idle.is_ok()) << "still counted after the disconnect: " << idle.status().message()
                            << "\n"
                            << gw.log();
  // Left unused, it is closed after the idle timeout, on a connection that stays.
  auto after_idle = sessions.open_within("alice", 10s);
  ASSERT_TRUE(after_idle.is_ok()) << "still counted after the idle timeout: "
                                  << after_idle.status().message() << "\n"
                                  << gw.log();
  EXPECT_TRUE(log_has(gw, "closing: idle for over 1000 ms")) << gw.log();
  EXPECT_TRUE(sessions.select_one(*after_idle).is_ok()) << gw.log();
}

TEST(ConnectionLimits, AnOpenSessionThatFailsAfterTheCountGivesItBack) {
  GatewayProcess gw(with_conf({{"kyuubi.server.limit.connections.per.user", "1"},
                               {"kyuubi.session.conf.restrict.list", "spark.driver.memory"}}));
  Sessions sessions(gw);
  // Refused by the session conf check, which comes after the count.
  std::string why = sessions.refusal("alice", {{"spark.driver.memory", "1g"}});
  EXPECT_NE(why.find("spark.driver.memory is a restrict key"), std::string::npos) << why;
  // Refused because its engine cannot be launched (synchronous launch of an engine type that
  // has nothing to run here).
  why = sessions.refusal("alice", {{"kyuubi.session.engine.launch.async", "false"},
                                   {"kyuubi.engine.share.level", "CONNECTION"},
                                   {"kyuubi.engine.type", "TRINO"}});
  EXPECT_NE(why.find("TRINO"), std::string::npos) << why;
  // Neither counts: alice's one session opens and works.
  auto alices = sessions.open("alice");
  ASSERT_TRUE(alices.is_ok()) << alices.status().message() << "\n" << gw.log();
  EXPECT_TRUE(sessions.select_one(*alices).is_ok()) << gw.log();
}

TEST(ConnectionLimits, AProxiedSessionCountsAgainstTheProxiedUser) {
  GatewayProcess gw(with_conf({{"kyuubi.server.limit.connections.per.user", "1"},
                               {"kyuubi.server.administrators", "alice"}}));
  Sessions sessions(gw);
  auto as_bob = sessions.open("alice", {{"kyuubi.session.proxy.user", "bob"}});
  ASSERT_TRUE(as_bob.is_ok()) << as_bob.status().message() << "\n" << gw.log();
  EXPECT_EQ(sessions.refusal("bob"),
            seen("Connection limit per user reached (user: bob limit: 1)"));
  auto alices = sessions.open("alice");
  EXPECT_TRUE(alices.is_ok()) << alices.status().message() << "\n" << gw.log();
}

}  // namespace
}  // namespace kitsune::testing
