// Tests of the proxy-user rules: addresses and CIDR ranges, Hadoop's users / groups / hosts
// semantics and refusal messages, and the operating system lookups they use (this machine's real
// user database and resolver).
#include "kitsune/session/proxy_rules.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kitsune/routing/groups.h"

namespace kitsune::session {
namespace {

using Strings = std::vector<std::string>;

config::Conf conf_of(std::initializer_list<std::pair<const char*, const char*>> entries) {
  config::Conf c;
  for (const auto& [k, v] : entries)
    c.set(k, v);
  return c;
}

// Lookups answered from tables, counting the calls (the rules must not ask when they need not).
struct TableLookups {
  std::map<std::string, Strings> groups;
  std::map<std::string, Strings> hosts;
  int group_calls = 0;
  int host_calls = 0;

  ProxyLookups lookups() {
    ProxyLookups l;
    l.groups_of = [this](const std::string& user) {
      ++group_calls;
      auto it = groups.find(user);
      return it == groups.end() ? Strings{} : it->second;
    };
    l.addresses_of = [this](const std::string& host) {
      ++host_calls;
      auto it = hosts.find(host);
      return it == hosts.end() ? Strings{} : it->second;
    };
    return l;
  }
};

bool includes(const MachineList& list, std::string_view ip, TableLookups& table) {
  return list.includes(ip, table.lookups().addresses_of);
}

// --- addresses ------------------------------------------------------------------------------

TEST(IpAddress, ParsesIpv4AndIpv6WithOrWithoutBrackets) {
  EXPECT_TRUE(IpAddress::parse("10.1.2.3"));
  EXPECT_TRUE(IpAddress::parse(" 10.1.2.3 "));
  EXPECT_TRUE(IpAddress::parse("::1"));
  EXPECT_TRUE(IpAddress::parse("[::1]"));
  EXPECT_EQ(IpAddress::parse("[::1]"), IpAddress::parse("0:0:0:0:0:0:0:1"));
  EXPECT_FALSE(IpAddress::parse("10.1.2.300"));
  EXPECT_FALSE(IpAddress::parse("localhost"));
  EXPECT_FALSE(IpAddress::parse(""));
}

TEST(IpAddress, AnIpv4MappedIpv6AddressIsItsIpv4Address) {
  EXPECT_EQ(IpAddress::parse("::ffff:127.0.0.1"), IpAddress::parse("127.0.0.1"));
  EXPECT_EQ(IpAddress::normalize("::ffff:127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(IpAddress::normalize("[::1]"), "::1");
  EXPECT_EQ(IpAddress::normalize("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(IpAddress::normalize("not an address"), "not an address");
}

// --- hosts (MachineList) --------------------------------------------------------------------

TEST(MachineList, AStarAllowsEveryAddress) {
  TableLookups t;
  auto list = MachineList::parse(" * ");
  EXPECT_TRUE(list.allows_all());
  EXPECT_TRUE(includes(list, "10.9.8.7", t));
  EXPECT_TRUE(includes(list, "::1", t));
}

TEST(MachineList, AnAddressMatchesItselfOnly) {
  TableLookups t;
  auto list = MachineList::parse("10.0.0.1, 127.0.0.1 ,::1");
  EXPECT_TRUE(includes(list, "127.0.0.1", t));
  EXPECT_TRUE(includes(list, "10.0.0.1", t));
  EXPECT_TRUE(includes(list, "::1", t));
  EXPECT_TRUE(includes(list, "::ffff:10.0.0.1", t));
  EXPECT_FALSE(includes(list, "10.0.0.2", t));
  EXPECT_FALSE(includes(list, "127.0.0.2", t));
  EXPECT_FALSE(includes(list, "not-an-address", t));
}

TEST(MachineList, Ipv4RangesMatchByTheirPrefixBits) {
  TableLookups t;
  auto list = MachineList::parse("192.168.0.0/16,10.1.2.128/25,172.16.5.5/32");
  EXPECT_TRUE(includes(list, "192.168.255.1", t));
  EXPECT_FALSE(includes(list, "192.169.0.1", t));
  EXPECT_TRUE(includes(list, "10.1.2.200", t));
  EXPECT_FALSE(includes(list, "10.1.2.127", t));
  EXPECT_TRUE(includes(list, "172.16.5.5", t));
  EXPECT_FALSE(includes(list, "172.16.5.4", t));
  // An IPv4 range says nothing about IPv6 addresses.
  EXPECT_FALSE(includes(list, "::1", t));
}

TEST(MachineList, ARangeWithHostBitsSetStillMeansItsNetwork) {
  TableLookups t;
  auto list = MachineList::parse("10.1.2.3/8");
  EXPECT_TRUE(includes(list, "10.200.0.1", t));
  EXPECT_FALSE(includes(list, "11.0.0.1", t));
}

TEST(MachineList, ZeroPrefixRangesMatchTheirWholeFamily) {
  TableLookups t;
  auto v4 = MachineList::parse("0.0.0.0/0");
  EXPECT_TRUE(includes(v4, "203.0.113.9", t));
  EXPECT_FALSE(includes(v4, "2001:db8::1", t));
  auto v6 = MachineList::parse("::/0");
  EXPECT_TRUE(includes(v6, "2001:db8::1", t));
  EXPECT_FALSE(includes(v6, "203.0.113.9", t));
}

TEST(MachineList, Ipv6RangesMatchByTheirPrefixBits) {
  TableLookups t;
  auto list = MachineList::parse("2001:db8:abcd::/48, fe80::/10");
  EXPECT_TRUE(includes(list, "2001:db8:abcd:12::1", t));
  EXPECT_FALSE(includes(list, "2001:db8:abce::1", t));
  EXPECT_TRUE(includes(list, "febf::1", t));
  EXPECT_FALSE(includes(list, "fec0::1", t));
}

TEST(MachineList, HostNamesMatchTheAddressesTheyResolveTo) {
  TableLookups t;
  t.hosts["gateway.example"] = {"10.0.0.5", "2001:db8::5"};
  auto list = MachineList::parse("gateway.example");
  EXPECT_EQ(list.host_names(), Strings{"gateway.example"});
  EXPECT_TRUE(includes(list, "10.0.0.5", t));
  EXPECT_TRUE(includes(list, "2001:db8::5", t));
  EXPECT_FALSE(includes(list, "10.0.0.6", t));
  EXPECT_FALSE(includes(MachineList::parse("unknown.example"), "10.0.0.5", t));
}

TEST(MachineList, HostNamesAreResolvedOnlyWhenNoAddressOrRangeMatches) {
  TableLookups t;
  t.hosts["gateway.example"] = {"10.0.0.5"};
  auto list = MachineList::parse("127.0.0.1,10.9.0.0/16,gateway.example");
  EXPECT_TRUE(includes(list, "127.0.0.1", t));
  EXPECT_TRUE(includes(list, "10.9.1.1", t));
  EXPECT_EQ(t.host_calls, 0);
  EXPECT_TRUE(includes(list, "10.0.0.5", t));
  EXPECT_EQ(t.host_calls, 1);
}

TEST(MachineList, InvalidEntriesAreReportedAndMatchNothing) {
  TableLookups t;
  auto list = MachineList::parse("10.0.0.0/33,10.0.0.300,10.0.0.0/x,bad host!,::/129,/8");
  EXPECT_EQ(list.invalid(),
            (Strings{"10.0.0.0/33", "10.0.0.300", "10.0.0.0/x", "bad host!", "::/129", "/8"}));
  EXPECT_TRUE(list.host_names().empty());
  EXPECT_FALSE(includes(list, "10.0.0.1", t));
  EXPECT_EQ(t.host_calls, 0);
}

TEST(MachineList, AnEmptyValueAllowsNothing) {
  TableLookups t;
  EXPECT_FALSE(includes(MachineList::parse(""), "127.0.0.1", t));
  EXPECT_FALSE(includes(MachineList::parse(" , "), "127.0.0.1", t));
}

// --- rules ----------------------------------------------------------------------------------

TEST(ProxyRules, AUserInDotUsersFromAnAddressInDotHostsIsAllowed) {
  TableLookups t;
  auto rules = ProxyRules::from_conf(conf_of({{"hadoop.proxyuser.alice.users", "bob, carol"},
                                              {"hadoop.proxyuser.alice.hosts", "127.0.0.1"}}));
  EXPECT_TRUE(rules.authorize("alice", "bob", "127.0.0.1", t.lookups()).is_ok());
  EXPECT_TRUE(rules.authorize("alice", "carol", "127.0.0.1", t.lookups()).is_ok());
  // The users list matched: the proxied user's groups were not needed.
  EXPECT_EQ(t.group_calls, 0);
}

TEST(ProxyRules, AUserInNeitherListIsRefusedWithHadoopsReason) {
  TableLookups t;
  auto rules = ProxyRules::from_conf(conf_of({{"hadoop.proxyuser.alice.users", "bob"},
                                              {"hadoop.proxyuser.alice.groups", "staff"},
                                              {"hadoop.proxyuser.alice.hosts", "*"}}));
  t.groups["dave"] = {"dave", "users"};
  Status s = rules.authorize("alice", "dave", "127.0.0.1", t.lookups());
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.message(),
            "Failed to validate proxy privilege of alice for dave: User: alice is not allowed to "
            "impersonate dave (in neither hadoop.proxyuser.alice.users nor "
            "hadoop.proxyuser.alice.groups)");
  EXPECT_EQ(s.code(), StatusCode::kError);
}

TEST(ProxyRules, AMemberOfAGroupInDotGroupsIsAllowed) {
  TableLookups t;
  t.groups["bob"] = {"bob", "analysts"};
  t.groups["carol"] = {"carol"};
  auto rules = ProxyRules::from_conf(conf_of(
      {{"hadoop.proxyuser.etl.groups", "admins,analysts"}, {"hadoop.proxyuser.etl.hosts", "*"}}));
  EXPECT_TRUE(rules.authorize("etl", "bob", "10.0.0.1", t.lookups()).is_ok());
  EXPECT_FALSE(rules.authorize("etl", "carol", "10.0.0.1", t.lookups()).is_ok());
  EXPECT_EQ(t.group_calls, 2);
}

TEST(ProxyRules, AStarInUsersOrGroupsAllowsAnyUser) {
  TableLookups t;
  for (const char* key : {"hadoop.proxyuser.svc.users", "hadoop.proxyuser.svc.groups"}) {
    auto rules =
        ProxyRules::from_conf(conf_of({{key, " * "}, {"hadoop.proxyuser.svc.hosts", "*"}}));
    EXPECT_TRUE(rules.authorize("svc", "anyone", "10.0.0.1", t.lookups()).is_ok()) << key;
  }
  EXPECT_EQ(t.group_calls, 0);
}

TEST(ProxyRules, WithoutDotHostsEveryAddressIsRefused) {
  TableLookups t;
  auto rules = ProxyRules::from_conf(conf_of({{"hadoop.proxyuser.alice.users", "*"}}));
  Status s = rules.authorize("alice", "bob", "127.0.0.1", t.lookups());
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.message(),
            "Failed to validate proxy privilege of alice for bob: Unauthorized connection for "
            "super-user: alice from IP 127.0.0.1 (hadoop.proxyuser.alice.hosts is not set)");
}

TEST(ProxyRules, AClientOutsideDotHostsIsRefused) {
  TableLookups t;
  auto rules = ProxyRules::from_conf(conf_of(
      {{"hadoop.proxyuser.alice.users", "bob"}, {"hadoop.proxyuser.alice.hosts", "10.0.0.0/8"}}));
  EXPECT_TRUE(rules.authorize("alice", "bob", "10.3.2.1", t.lookups()).is_ok());
  Status s = rules.authorize("alice", "bob", "127.0.0.1", t.lookups());
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.message(),
            "Failed to validate proxy privilege of alice for bob: Unauthorized connection for "
            "super-user: alice from IP 127.0.0.1 (not in hadoop.proxyuser.alice.hosts)");
}

TEST(ProxyRules, HostsAloneAllowNobody) {
  TableLookups t;
  auto rules = ProxyRules::from_conf(conf_of({{"hadoop.proxyuser.alice.hosts", "*"}}));
  Status s = rules.authorize("alice", "bob", "127.0.0.1", t.lookups());
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.message(),
            "Failed to validate proxy privilege of alice for bob: User: alice is not allowed to "
            "impersonate bob (neither hadoop.proxyuser.alice.users nor "
            "hadoop.proxyuser.alice.groups is set)");
}

TEST(ProxyRules, TheRulesOfOneRealUserDoNotApplyToAnother) {
  TableLookups t;
  auto rules = ProxyRules::from_conf(
      conf_of({{"hadoop.proxyuser.alice.users", "*"}, {"hadoop.proxyuser.alice.hosts", "*"}}));
  EXPECT_TRUE(rules.authorize("alice", "bob", "127.0.0.1", t.lookups()).is_ok());
  EXPECT_FALSE(rules.authorize("mallory", "bob", "127.0.0.1", t.lookups()).is_ok());
  EXPECT_FALSE(rules.authorize("alic", "bob", "127.0.0.1", t.lookups()).is_ok());
  EXPECT_FALSE(ProxyRules::from_conf({}).authorize("alice", "bob", "::1", t.lookups()).is_ok());
}

TEST(ProxyRules, UserNamesAreCaseSensitiveAsInHadoop) {
  TableLookups t;
  auto rules = ProxyRules::from_conf(
      conf_of({{"hadoop.proxyuser.alice.users", "bob"}, {"hadoop.proxyuser.alice.hosts", "*"}}));
  EXPECT_FALSE(rules.authorize("alice", "Bob", "127.0.0.1", t.lookups()).is_ok());
  EXPECT_FALSE(rules.authorize("Alice", "bob", "127.0.0.1", t.lookups()).is_ok());
}

TEST(ProxyRules, ARealUserNameWithDotsHasRulesToo) {
  TableLookups t;
  auto rules = ProxyRules::from_conf(conf_of(
      {{"hadoop.proxyuser.svc.etl.users", "bob"}, {"hadoop.proxyuser.svc.etl.hosts", "*"}}));
  EXPECT_TRUE(rules.authorize("svc.etl", "bob", "127.0.0.1", t.lookups()).is_ok());
  EXPECT_FALSE(rules.authorize("svc", "bob", "127.0.0.1", t.lookups()).is_ok());
}

TEST(ProxyRules, OtherHadoopKeysAreNotRules) {
  TableLookups t;
  auto rules = ProxyRules::from_conf(conf_of({{"hadoop.proxyuser.alice.users.extra", "*"},
                                              {"hadoop.proxyuser.users", "*"},
                                              {"hadoop.proxyuser..hosts", "*"},
                                              {"hadoop.proxyuser.alice.hosts", "*"}}));
  EXPECT_FALSE(rules.authorize("alice", "bob", "127.0.0.1", t.lookups()).is_ok());
}

TEST(ProxyRules, ReportsHostsEntriesThatMatchNothing) {
  auto rules = ProxyRules::from_conf(conf_of({{"hadoop.proxyuser.alice.hosts", "10.0.0.0/40,ok"}}));
  auto problems = rules.problems();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("hadoop.proxyuser.alice.hosts: '10.0.0.0/40'"), std::string::npos)
      << problems[0];
}

// --- the operating system's answers ---------------------------------------------------------

TEST(OsLookups, GroupsOfAUserIncludeItsPrimaryGroup) {
  const std::string me = routing::process_user_name();
  auto primary = routing::primary_group_of(me);
  ASSERT_TRUE(primary) << me << " has no primary group";
  auto groups = os_lookups().groups_of(me);
  ASSERT_FALSE(groups.empty());
  EXPECT_EQ(groups.front(), *primary);
  EXPECT_EQ(std::count(groups.begin(), groups.end(), *primary), 1);
}

TEST(OsLookups, AnUnknownUserHasNoGroups) {
  EXPECT_TRUE(routing::groups_of("kitsune-no-such-user-x9").empty());
}

TEST(OsLookups, LocalhostResolvesToALoopbackAddress) {
  auto addresses = os_lookups().addresses_of("localhost");
  EXPECT_TRUE(std::find(addresses.begin(), addresses.end(), "127.0.0.1") != addresses.end() ||
              std::find(addresses.begin(), addresses.end(), "::1") != addresses.end())
      << addresses.size() << " addresses";
  EXPECT_TRUE(os_lookups().addresses_of("no-such-host.invalid").empty());
}

TEST(OsLookups, AGroupRuleAllowsMembersOfTheRealGroup) {
  const std::string me = routing::process_user_name();
  auto primary = routing::primary_group_of(me);
  ASSERT_TRUE(primary);
  config::Conf conf;
  conf.set("hadoop.proxyuser.svc.groups", "kitsune-no-such-group," + *primary);
  conf.set("hadoop.proxyuser.svc.hosts", "localhost");
  auto rules = ProxyRules::from_conf(conf);
  EXPECT_TRUE(rules.authorize("svc", me, "127.0.0.1", os_lookups()).is_ok());
  EXPECT_FALSE(
      rules.authorize("svc", "kitsune-no-such-user-x9", "127.0.0.1", os_lookups()).is_ok());
  EXPECT_FALSE(rules.authorize("svc", me, "10.255.255.1", os_lookups()).is_ok());
}

}  // namespace
}  // namespace kitsune::session
