// Tests of the connection limiter: each limit refuses the session past it with Kyuubi's message
// and admits one again after a close, the unlimited and deny lists, reading the limits from the
// configuration, and counting from many threads at once.
#include "kitsune/session/session_limiter.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace kitsune::session {
namespace {

using Ticket = std::unique_ptr<SessionLimiter::Ticket>;

Ticket admit(SessionLimiter& limiter, const std::string& user, const std::string& ip) {
  auto t = limiter.acquire(user, ip);
  EXPECT_TRUE(t.is_ok()) << user << "@" << ip << ": " << t.status().message();
  return t ? std::move(*t) : nullptr;
}

std::string refusal(SessionLimiter& limiter, const std::string& user, const std::string& ip) {
  auto t = limiter.acquire(user, ip);
  EXPECT_FALSE(t.is_ok()) << user << "@" << ip << " was admitted";
  return t ? std::string() : t.status().message();
}

TEST(SessionLimiter, ThePerUserLimitRefusesTheNextSessionUntilOneCloses) {
  SessionLimits limits;
  limits.per_user = 2;
  auto limiter = SessionLimiter::create(limits);
  auto a1 = admit(*limiter, "alice", "10.0.0.1");
  auto a2 = admit(*limiter, "alice", "10.0.0.2");
  EXPECT_EQ(refusal(*limiter, "alice", "10.0.0.3"),
            "Connection limit per user reached (user: alice limit: 2)");
  auto b1 = admit(*limiter, "bob", "10.0.0.1");  // another user's count
  EXPECT_EQ(limiter->count_of_user("alice"), 2);
  a1->release();
  EXPECT_EQ(limiter->count_of_user("alice"), 1);
  auto a3 = admit(*limiter, "alice", "10.0.0.3");
}

TEST(SessionLimiter, ThePerIpaddressLimitCountsEveryUserOfTheAddress) {
  SessionLimits limits;
  limits.per_ipaddress = 2;
  auto limiter = SessionLimiter::create(limits);
  auto a = admit(*limiter, "alice", "127.0.0.1");
  auto b = admit(*limiter, "bob", "127.0.0.1");
  EXPECT_EQ(refusal(*limiter, "carol", "127.0.0.1"),
            "Connection limit per ipaddress reached (ipaddress: 127.0.0.1 limit: 2)");
  auto elsewhere = admit(*limiter, "carol", "10.0.0.1");
  b.reset();  // the ticket's end gives the count back
  auto c = admit(*limiter, "carol", "127.0.0.1");
}

TEST(SessionLimiter, ThePerUserIpaddressLimitCountsOnePairOnly) {
  SessionLimits limits;
  limits.per_user_ipaddress = 1;
  auto limiter = SessionLimiter::create(limits);
  auto a = admit(*limiter, "alice", "127.0.0.1");
  EXPECT_EQ(
      refusal(*limiter, "alice", "127.0.0.1"),
      "Connection limit per user:ipaddress reached (user:ipaddress: alice:127.0.0.1 limit: 1)");
  auto other_ip = admit(*limiter, "alice", "10.0.0.1");
  auto other_user = admit(*limiter, "bob", "127.0.0.1");
  EXPECT_EQ(limiter->count_of_user_ipaddress("alice", "127.0.0.1"), 1);
  a->release();
  auto again = admit(*limiter, "alice", "127.0.0.1");
}

TEST(SessionLimiter, TheUserIpaddressLimitIsCheckedFirstAsInKyuubi) {
  SessionLimits limits;
  limits.per_user = 1;
  limits.per_ipaddress = 1;
  limits.per_user_ipaddress = 1;
  auto limiter = SessionLimiter::create(limits);
  auto a = admit(*limiter, "alice", "127.0.0.1");
  EXPECT_EQ(
      refusal(*limiter, "alice", "127.0.0.1"),
      "Connection limit per user:ipaddress reached (user:ipaddress: alice:127.0.0.1 limit: 1)");
  EXPECT_EQ(refusal(*limiter, "alice", "10.0.0.1"),
            "Connection limit per user reached (user: alice limit: 1)");
  EXPECT_EQ(refusal(*limiter, "bob", "127.0.0.1"),
            "Connection limit per ipaddress reached (ipaddress: 127.0.0.1 limit: 1)");
}

TEST(SessionLimiter, ARefusedSessionLeavesNoCountBehind) {
  SessionLimits limits;
  limits.per_user = 5;
  limits.per_ipaddress = 1;
  limits.per_user_ipaddress = 5;
  auto limiter = SessionLimiter::create(limits);
  auto a = admit(*limiter, "alice", "127.0.0.1");
  for (int i = 0; i < 3; ++i)
    (void)refusal(*limiter, "alice", "127.0.0.1");
  // Only the admitted session counts against the user and the pair.
  EXPECT_EQ(limiter->count_of_user("alice"), 1);
  EXPECT_EQ(limiter->count_of_user_ipaddress("alice", "127.0.0.1"), 1);
  EXPECT_EQ(limiter->count_of_ipaddress("127.0.0.1"), 1);
}

TEST(SessionLimiter, UnlimitedUsersAreNotCounted) {
  SessionLimits limits;
  limits.per_user = 1;
  limits.per_ipaddress = 1;
  limits.unlimited_users = {"etl"};
  auto limiter = SessionLimiter::create(limits);
  std::vector<Ticket> tickets;
  for (int i = 0; i < 5; ++i)
    tickets.push_back(admit(*limiter, "etl", "127.0.0.1"));
  EXPECT_EQ(limiter->count_of_user("etl"), 0);
  EXPECT_EQ(limiter->count_of_ipaddress("127.0.0.1"), 0);
  // Their sessions do not use up the address's limit for others either.
  auto a = admit(*limiter, "alice", "127.0.0.1");
  EXPECT_EQ(refusal(*limiter, "bob", "127.0.0.1"),
            "Connection limit per ipaddress reached (ipaddress: 127.0.0.1 limit: 1)");
  tickets.clear();
  EXPECT_EQ(limiter->count_of_ipaddress("127.0.0.1"), 1);  // alice's, untouched
}

TEST(SessionLimiter, TheDenyUserListRefusesEvenAnUnlimitedUser) {
  SessionLimits limits;
  limits.unlimited_users = {"mallory"};
  limits.deny_users = {"mallory"};
  auto limiter = SessionLimiter::create(limits);
  EXPECT_EQ(refusal(*limiter, "mallory", "127.0.0.1"),
            "Connection denied because the user is in the deny user list. (user: mallory)");
  auto a = admit(*limiter, "alice", "127.0.0.1");
}

TEST(SessionLimiter, TheDenyIpListRefusesEveryUserFromTheAddress) {
  SessionLimits limits;
  limits.deny_ips = {"127.0.0.1"};
  limits.unlimited_users = {"alice"};
  auto limiter = SessionLimiter::create(limits);
  EXPECT_EQ(refusal(*limiter, "alice", "127.0.0.1"),
            "Connection denied because the client ip is in the deny ip list. (ipAddress: "
            "127.0.0.1)");
  auto b = admit(*limiter, "bob", "127.0.0.2");
}

TEST(SessionLimiter, TheUserDenyListIsCheckedBeforeTheIpDenyList) {
  SessionLimits limits;
  limits.deny_users = {"mallory"};
  limits.deny_ips = {"127.0.0.1"};
  auto limiter = SessionLimiter::create(limits);
  EXPECT_EQ(refusal(*limiter, "mallory", "127.0.0.1"),
            "Connection denied because the user is in the deny user list. (user: mallory)");
}

TEST(SessionLimiter, ABlankUserOrAddressIsNotCounted) {
  SessionLimits limits;
  limits.per_user = 1;
  limits.per_ipaddress = 1;
  limits.per_user_ipaddress = 1;
  auto limiter = SessionLimiter::create(limits);
  auto a = admit(*limiter, "", "");
  auto b = admit(*limiter, " ", "");
  auto c = admit(*limiter, "alice", "");
  EXPECT_EQ(refusal(*limiter, "alice", ""),
            "Connection limit per user reached (user: alice limit: 1)");
}

TEST(SessionLimiter, ReleasingTwiceGivesTheCountBackOnce) {
  SessionLimits limits;
  limits.per_user = 2;
  auto limiter = SessionLimiter::create(limits);
  auto a = admit(*limiter, "alice", "127.0.0.1");
  auto b = admit(*limiter, "alice", "127.0.0.1");
  a->release();
  a->release();
  a.reset();
  EXPECT_EQ(limiter->count_of_user("alice"), 1);
}

TEST(SessionLimiter, NoLimitsAdmitEveryone) {
  auto limiter = SessionLimiter::create(SessionLimits{});
  EXPECT_FALSE(limiter->limits().any());
  std::vector<Ticket> tickets;
  for (int i = 0; i < 100; ++i)
    tickets.push_back(admit(*limiter, "alice", "127.0.0.1"));
  EXPECT_EQ(limiter->count_of_user("alice"), 0);
}

TEST(SessionLimiter, ManyThreadsNeverGetPastTheLimitAndLeaveNothingCounted) {
  SessionLimits limits;
  limits.per_user = 3;
  limits.per_ipaddress = 5;
  auto limiter = SessionLimiter::create(limits);
  std::atomic<int> open{0}, most{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        auto ticket = limiter->acquire("alice", t % 2 ? "10.0.0.1" : "10.0.0.2");
        if (!ticket) {
          ++refused;
          continue;
        }
        const int now = ++open;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        --open;
        (*ticket)->release();
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_LE(most.load(), 3);
  EXPECT_EQ(limiter->count_of_user("alice"), 0);
  EXPECT_EQ(limiter->count_of_ipaddress("10.0.0.1"), 0);
  EXPECT_EQ(limiter->count_of_ipaddress("10.0.0.2"), 0);
}

TEST(SessionLimits, AreReadFromKyuubisKeys) {
  config::Conf conf;
  conf.set("kyuubi.server.limit.connections.per.user", "3");
  conf.set("kyuubi.server.limit.connections.per.ipaddress", "4");
  conf.set("kyuubi.server.limit.connections.per.user.ipaddress", "5");
  conf.set("kyuubi.server.limit.connections.user.unlimited.list", "etl, admin ,");
  conf.set("kyuubi.server.limit.connections.user.deny.list", "mallory");
  conf.set("kyuubi.server.limit.connections.ip.deny.list", "10.0.0.66, 10.0.0.67");
  auto limits = SessionLimits::from_conf(conf);
  EXPECT_EQ(limits.per_user, 3);
  EXPECT_EQ(limits.per_ipaddress, 4);
  EXPECT_EQ(limits.per_user_ipaddress, 5);
  EXPECT_EQ(limits.unlimited_users, (std::set<std::string>{"admin", "etl"}));
  EXPECT_EQ(limits.deny_users, (std::set<std::string>{"mallory"}));
  EXPECT_EQ(limits.deny_ips, (std::set<std::string>{"10.0.0.66", "10.0.0.67"}));
  EXPECT_TRUE(limits.any());
}

TEST(SessionLimits, UnsetKeysLimitNothing) {
  auto limits = SessionLimits::from_conf(config::Conf{});
  EXPECT_EQ(limits.per_user, 0);
  EXPECT_EQ(limits.per_ipaddress, 0);
  EXPECT_EQ(limits.per_user_ipaddress, 0);
  EXPECT_TRUE(limits.unlimited_users.empty());
  EXPECT_FALSE(limits.any());
}

}  // namespace
}  // namespace kitsune::session
