// The ZooKeeper discovery itself, two instances in one process against a real ZooKeeper: the
// launch lock excludes across them and times out, counters count, watches fire, a node deleted by
// someone else is reported to its owner.
#include <gtest/gtest.h>

#include <atomic>
#include <regex>

#include "kitsune/common/async_event.h"
#include "kitsune/discovery/discovery.h"
#include "raw_socket.h"
#include "zk_client.h"
#include "zookeeper_process.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;
using discovery::Discovery;
using discovery::DiscoveryLock;
using discovery::ServiceNode;
using Clock = std::chrono::steady_clock;

discovery::ZooKeeperOptions options_for(const ZooKeeperProcess& zk) {
  discovery::ZooKeeperOptions o;
  o.addresses = zk.connect_string();
  o.session_timeout = 6s;
  o.connection_timeout = 5s;
  return o;
}

ServiceNode node_at(int port, std::string ref = {}) {
  ServiceNode n;
  n.host = "127.0.0.1";
  n.port = port;
  n.version = "1.12.0";
  n.ref_id = std::move(ref);
  return n;
}

class ZooKeeperDiscoveryTest : public ::testing::Test {
 protected:
  ZooKeeperProcess zk;
  asio::io_context io;
  std::unique_ptr<Discovery> a = discovery::make_zookeeper_discovery(io, options_for(zk));
  std::unique_ptr<Discovery> b = discovery::make_zookeeper_discovery(io, options_for(zk));

  template <typename T>
  T run(awaitable<T> work) {
    auto r = run_for(io, std::move(work), 30s);
    if (!r) throw std::runtime_error("discovery call did not finish");
    return std::move(*r);
  }
};

TEST_F(ZooKeeperDiscoveryTest, TheLaunchLockExcludesAcrossClientsAndTimesOutWithKyuubisMessage) {
  const std::string path = "/kyuubi_1.12.0_USER_LOCAL_lock/alice/default";
  auto held = run(a->lock(path, Clock::now() + 10s));
  ASSERT_TRUE(held.is_ok()) << held.status().to_string();

  ZkClient client(zk.connect_string());
  const auto leases = client.children(path + "/leases");
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_TRUE(std::regex_match(leases[0], std::regex("_c_[0-9a-f-]{36}-lease-[0-9]{10}")))
      << leases[0];
  EXPECT_TRUE(client.children(path + "/locks").empty()) << "the inner mutex is let go";

  const auto before = Clock::now();
  auto refused = run(b->lock(path, Clock::now() + 1500ms));
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().message(), "Timeout to lock on path " + path);
  EXPECT_GE(Clock::now() - before, 1400ms);

  // Released: the other takes it, at once when waiting for it.
  auto waiting = b->lock(path, Clock::now() + 20s);
  auto release = [&]() -> awaitable<void> {
    asio::steady_timer t(io, 300ms);
    co_await t.async_wait(asio::use_awaitable);
    held.value().reset();
  };
  asio::co_spawn(io, release, asio::detached);
  const auto waited_from = Clock::now();
  auto taken = run(std::move(waiting));
  ASSERT_TRUE(taken.is_ok()) << taken.status().to_string();
  EXPECT_LT(Clock::now() - waited_from, 5s);
  taken.value().reset();
  EXPECT_TRUE(eventually([&] { return client.children(path + "/leases").empty(); }, 5s));
}

TEST_F(ZooKeeperDiscoveryTest, CountersAreCuratorsAtomicIntegersSharedByClients) {
  const std::string path = "/kyuubi_1.12.0_USER_LOCAL_seqNum/alice/pool";
  EXPECT_EQ(run(a->get_and_increment(path)).value(), 0);
  EXPECT_EQ(run(b->get_and_increment(path)).value(), 1);
  EXPECT_EQ(run(a->get_and_increment(path)).value(), 2);
  ZkClient client(zk.connect_string());
  EXPECT_EQ(client.get(path), std::string("\0\0\0\3", 4));
}

TEST_F(ZooKeeperDiscoveryTest, AWatchFiresWhenAnotherClientRegistersEvenInANewSpace) {
  const std::string space = "/kyuubi_1.12.0_USER_LOCAL/bob/default";
  auto changed = std::make_shared<std::atomic<int>>(0);
  auto before = run(a->get_nodes(space, [changed] { ++*changed; }));
  ASSERT_TRUE(before.is_ok());
  EXPECT_TRUE(before->empty());

  auto registered = run(b->register_node(space, node_at(40001, "ref-1")));
  ASSERT_TRUE(registered.is_ok()) << registered.status().to_string();
  EXPECT_TRUE(eventually([&] { return changed->load() == 1; }, 5s));

  auto after = run(a->get_nodes(space));
  ASSERT_TRUE(after.is_ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->front().ref_id, "ref-1");
  EXPECT_EQ(after->front().address(), "127.0.0.1:40001");
  EXPECT_EQ(after->front().name, registered->name);

  // Removing it through its owner is no "removed by someone else".
  EXPECT_TRUE(run(b->remove_node(space, registered->name)).is_ok());
  EXPECT_TRUE(run(a->get_nodes(space))->empty());
  EXPECT_FALSE(run(b->remove_node(space, registered->name)).is_ok());
}

TEST_F(ZooKeeperDiscoveryTest, ANodeDeletedBySomeoneElseIsReportedToItsOwnerOnce) {
  auto removed = std::make_shared<std::atomic<int>>(0);
  auto registered = run(a->register_node("/kyuubi", node_at(10009), [removed] { ++*removed; }));
  ASSERT_TRUE(registered.is_ok());
  ZkClient client(zk.connect_string());
  ASSERT_EQ(client.remove("/kyuubi/" + registered->name), ZOK);
  EXPECT_TRUE(eventually([&] { return removed->load() == 1; }, 5s));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(removed->load(), 1);
  EXPECT_TRUE(client.children("/kyuubi").empty()) << "not registered again";
}

}  // namespace
}  // namespace kitsune::testing
