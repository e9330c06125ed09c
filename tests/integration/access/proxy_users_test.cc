// Proxy users through a real gateway: Hadoop's hadoop.proxyuser.<real>.users / .groups / .hosts
// rules and kyuubi.server.administrators decide who may open a session as whom; the session then
// runs as the proxied user, and a client cannot grant itself the right.
#include <gtest/gtest.h>

#include "access_support.h"
#include "kitsune/routing/groups.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;

GatewayOptions with_conf(GatewayOptions::Conf conf) {
  GatewayOptions o;
  o.conf = std::move(conf);
  return o;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ProxyUsers, AUserAllowedByUsersAndHostsOpensSessionsThatRunAsTheProxiedUser) {
  GatewayProcess gw(with_conf(
      {{"hadoop.proxyuser.alice.users", "bob"}, {"hadoop.proxyuser.alice.hosts", "127.0.0.1"}}));
  Sessions sessions(gw);
  for (const char* key : {"kyuubi.session.proxy.user", "hive.server2.proxy.user"}) {
    auto as_bob = sessions.open("alice", {{key, "bob"}});
    ASSERT_TRUE(as_bob.is_ok()) << key << ": " << as_bob.status().message() << "\n" << gw.log();
    auto user = sessions.user_name(*as_bob);
    ASSERT_TRUE(user.is_ok()) << user.status().message() << "\n" << gw.log();
    EXPECT_EQ(*user, "bob") << key;
    auto real = sessions.set_value(*as_bob, "kyuubi.session.real.user");
    ASSERT_TRUE(real.is_ok()) << real.status().message();
    EXPECT_EQ(*real, "kyuubi.session.real.user=alice") << key;
  }
  // Routed as bob: the engine of bob's own sessions serves it.
  auto as_bob = sessions.open("alice", {{"kyuubi.session.proxy.user", "bob"}});
  auto bobs_own = sessions.open("bob");
  ASSERT_TRUE(as_bob.is_ok() && bobs_own.is_ok()) << gw.log();
  auto proxied_engine = sessions.set_value(*as_bob, "kyuubi.engine.id");
  auto own_engine = sessions.set_value(*bobs_own, "kyuubi.engine.id");
  ASSERT_TRUE(proxied_engine.is_ok() && own_engine.is_ok()) << gw.log();
  EXPECT_EQ(*proxied_engine, *own_engine);
  EXPECT_TRUE(log_has(gw, "opened for bob \\(by alice\\) from 127\\.0\\.0\\.1")) << gw.log();
  EXPECT_TRUE(log_has(gw, "alice opens a session as bob: allowed by hadoop\\.proxyuser\\.alice"))
      << gw.log();
}

TEST(ProxyUsers, WithoutDotHostsTheProxyUserIsRefusedAndNoEngineStarts) {
  GatewayProcess gw(with_conf({{"hadoop.proxyuser.alice.users", "bob"}}));
  Sessions sessions(gw);
  const std::string why = sessions.refusal("alice", {{"kyuubi.session.proxy.user", "bob"}});
  EXPECT_TRUE(contains(why, "Failed to validate proxy privilege of alice for bob")) << why;
  EXPECT_TRUE(contains(why, "hadoop.proxyuser.alice.hosts is not set")) << why;
  EXPECT_TRUE(log_has(gw,
                      "refused a session of alice as bob from 127\\.0\\.0\\.1: Failed to "
                      "validate proxy privilege of alice for bob"))
      << gw.log();
  EXPECT_TRUE(gw.engine_pids().empty()) << "an engine started for a refused session";
  // Alice herself is still welcome.
  auto own = sessions.open("alice");
  ASSERT_TRUE(own.is_ok()) << own.status().message();
  EXPECT_TRUE(sessions.select_one(*own).is_ok()) << gw.log();
}

TEST(ProxyUsers, AUserNotInDotUsersOrAClientNotInDotHostsIsRefused) {
  GatewayProcess gw(with_conf({{"hadoop.proxyuser.alice.users", "bob"},
                               {"hadoop.proxyuser.alice.hosts", "10.0.0.0/8"},
                               {"hadoop.proxyuser.carol.users", "bob, erin"},
                               {"hadoop.proxyuser.carol.hosts", "localhost"}}));
  Sessions sessions(gw);
  // alice's rule has the user but not this client's address.
  std::string why = sessions.refusal("alice", {{"hive.server2.proxy.user", "bob"}});
  EXPECT_TRUE(contains(why, "Failed to validate proxy privilege of alice for bob")) << why;
  EXPECT_TRUE(contains(why,
                       "Unauthorized connection for super-user: alice from IP 127.0.0.1 (not "
                       "in hadoop.proxyuser.alice.hosts)"))
      << why;
  // carol's hosts name localhost, which resolves to this client's address.
  auto as_erin = sessions.open("carol", {{"hive.server2.proxy.user", "erin"}});
  ASSERT_TRUE(as_erin.is_ok()) << as_erin.status().message() << "\n" << gw.log();
  auto user = sessions.user_name(*as_erin);
  ASSERT_TRUE(user.is_ok()) << user.status().message();
  EXPECT_EQ(*user, "erin");
  // ... but dave is not in carol's users.
  why = sessions.refusal("carol", {{"hive.server2.proxy.user", "dave"}});
  EXPECT_TRUE(contains(why,
                       "Failed to validate proxy privilege of carol for dave: User: carol is "
                       "not allowed to impersonate dave"))
      << why;
  // And someone with no rules at all may not proxy.
  why = sessions.refusal("mallory", {{"kyuubi.session.proxy.user", "bob"}});
  EXPECT_TRUE(contains(why, "Failed to validate proxy privilege of mallory for bob")) << why;
  EXPECT_TRUE(log_has(gw, "refused a session of mallory as bob")) << gw.log();
}

TEST(ProxyUsers, DotGroupsAllowsMembersOfTheGroupByTheOperatingSystemsGroupList) {
  // A real OS user and its real primary group: the user running these tests.
  const std::string member = routing::process_user_name();
  const auto group = routing::primary_group_of(member);
  ASSERT_TRUE(group) << member << " has no primary group";
  GatewayProcess gw(with_conf({{"hadoop.proxyuser.alice.groups", "kitsune-no-such-group," + *group},
                               {"hadoop.proxyuser.alice.hosts", "127.0.0.0/8"}}));
  Sessions sessions(gw);
  auto as_member = sessions.open("alice", {{"kyuubi.session.proxy.user", member}});
  ASSERT_TRUE(as_member.is_ok()) << as_member.status().message() << "\n" << gw.log();
  auto user = sessions.user_name(*as_member);
  ASSERT_TRUE(user.is_ok()) << user.status().message();
  EXPECT_EQ(*user, member);
  // A user the operating system does not know is in no group.
  const std::string why =
      sessions.refusal("alice", {{"kyuubi.session.proxy.user", "kitsune-no-such-user"}});
  EXPECT_TRUE(contains(why, "User: alice is not allowed to impersonate kitsune-no-such-user"))
      << why;
}

TEST(ProxyUsers, AnAdministratorOrTheServersOwnUserMayActAsAnyoneWithoutRules) {
  GatewayProcess gw(with_conf({{"kyuubi.server.administrators", "carol, alice"}}));
  Sessions sessions(gw);
  auto as_bob = sessions.open("alice", {{"kyuubi.session.proxy.user", "bob"}});
  ASSERT_TRUE(as_bob.is_ok()) << as_bob.status().message() << "\n" << gw.log();
  auto user = sessions.user_name(*as_bob);
  ASSERT_TRUE(user.is_ok()) << user.status().message();
  EXPECT_EQ(*user, "bob");
  EXPECT_TRUE(log_has(gw, "alice opens a session as bob: an administrator")) << gw.log();
  // The user the server runs as (this test's user: the harness starts it as us).
  const std::string server_user = routing::process_user_name();
  auto by_server_user = sessions.open(server_user, {{"hive.server2.proxy.user", "dave"}});
  ASSERT_TRUE(by_server_user.is_ok()) << by_server_user.status().message() << "\n" << gw.log();
  // Anyone else is not.
  const std::string why = sessions.refusal("erin", {{"kyuubi.session.proxy.user", "bob"}});
  EXPECT_TRUE(contains(why, "Failed to validate proxy privilege of erin for bob")) << why;
}

TEST(ProxyUsers, AClientCannotGrantItselfProxyRightsThroughItsSessionConf) {
  GatewayProcess gw;
  Sessions sessions(gw);
  const SessionConf self_granted = {
      {"hadoop.proxyuser.alice.users", "*"},
      {"hadoop.proxyuser.alice.hosts", "*"},
      {"set:hiveconf:hadoop.proxyuser.alice.groups", "*"},
      {"kyuubi.server.administrators", "alice"},
  };
  SessionConf proxying = self_granted;
  proxying["kyuubi.session.proxy.user"] = "bob";
  const std::string why = sessions.refusal("alice", proxying);
  EXPECT_TRUE(contains(why, "Failed to validate proxy privilege of alice for bob")) << why;
  // Without a proxy user the session opens, the keys dropped with a warning.
  auto own = sessions.open("alice", self_granted);
  ASSERT_TRUE(own.is_ok()) << own.status().message() << "\n" << gw.log();
  auto value = sessions.set_value(*own, "hadoop.proxyuser.alice.users");
  ASSERT_TRUE(value.is_ok()) << value.status().message();
  EXPECT_EQ(*value, "hadoop.proxyuser.alice.users is undefined");
  EXPECT_TRUE(log_has(gw, "alice sent the server-only key hadoop\\.proxyuser\\.alice\\.users"))
      << gw.log();
  EXPECT_TRUE(log_has(gw, "alice sent the server-only key kyuubi\\.server\\.administrators"))
      << gw.log();
}

TEST(ProxyUsers, ProxyingAsOneselfIsNoProxying) {
  GatewayProcess gw;
  Sessions sessions(gw);
  auto own = sessions.open("alice", {{"hive.server2.proxy.user", "alice"}});
  ASSERT_TRUE(own.is_ok()) << own.status().message() << "\n" << gw.log();
  auto user = sessions.user_name(*own);
  ASSERT_TRUE(user.is_ok()) << user.status().message();
  EXPECT_EQ(*user, "alice");
}

}  // namespace
}  // namespace kitsune::testing
