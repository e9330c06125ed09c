// The discovery calls kitsune-ctl added, on both implementations: the raw children of a path
// (the subdomains of a user's engine spaces) and persistent nodes (create server), which in
// ZooKeeper outlive the session that made them while ephemeral ones do not.
#include <gtest/gtest.h>

#include <algorithm>

#include "kitsune/discovery/discovery.h"
#include "os_helpers.h"
#include "raw_socket.h"
#include "zookeeper_process.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;
using discovery::Discovery;
using discovery::ServiceNode;

const std::string kUser = "/kyuubi_1.12.0_USER_LOCAL/alice";

ServiceNode node_at(int port) {
  ServiceNode n;
  n.host = "127.0.0.1";
  n.port = port;
  n.version = "1.12.0";
  return n;
}

template <typename T>
T run(asio::io_context& io, awaitable<T> work) {
  auto r = run_for(io, std::move(work), 30s);
  if (!r) throw std::runtime_error("discovery call did not finish");
  return std::move(*r);
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Registers engines under two subdomains of alice, then lists what is there.
void expect_children_of_engine_spaces(asio::io_context& io, Discovery& d) {
  auto a = run(io, d.register_node(kUser + "/default", node_at(1001)));
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  auto b = run(io, d.register_node(kUser + "/etl", node_at(1002)));
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();

  auto subdomains = run(io, d.get_children(kUser));
  ASSERT_TRUE(subdomains.is_ok()) << subdomains.status().to_string();
  EXPECT_EQ(sorted(*subdomains), (std::vector<std::string>{"default", "etl"}));

  auto names = run(io, d.get_children(kUser + "/etl"));
  ASSERT_TRUE(names.is_ok());
  EXPECT_EQ(*names, std::vector<std::string>{b->name});

  auto none = run(io, d.get_children("/kyuubi_1.12.0_USER_LOCAL/bob"));
  ASSERT_TRUE(none.is_ok()) << none.status().to_string();
  EXPECT_TRUE(none->empty());
}

TEST(DiscoveryChildren, EmbeddedListsSubdomainsAndNodeNames) {
  asio::io_context io;
  auto d = discovery::make_embedded_discovery();
  expect_children_of_engine_spaces(io, *d);

  auto made = run(io, d->create_persistent_node("/exposed", node_at(10009)));
  ASSERT_TRUE(made.is_ok());
  EXPECT_EQ(made->name, "serverUri=127.0.0.1:10009;version=1.12.0;sequence=0000000000");
  auto listed = run(io, d->get_nodes("/exposed"));
  ASSERT_TRUE(listed.is_ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].address(), "127.0.0.1:10009");
}

TEST(DiscoveryChildren, ZooKeeperListsSubdomainsAndKeepsPersistentNodesAfterTheSession) {
  ZooKeeperProcess zk;
  discovery::ZooKeeperOptions options;
  options.addresses = zk.connect_string();
  options.session_timeout = 6s;
  options.connection_timeout = 5s;
  asio::io_context io;
  {
    auto d = discovery::make_zookeeper_discovery(io, options);
    expect_children_of_engine_spaces(io, *d);
    ServiceNode published = node_at(10009);
    published.data = "hive.server2.thrift.bind.host=127.0.0.1;hive.server2.thrift.port=10009";
    auto made = run(io, d->create_persistent_node("/exposed", published));
    ASSERT_TRUE(made.is_ok()) << made.status().to_string();
    EXPECT_TRUE(made->name.starts_with("serverUri=127.0.0.1:10009;version=1.12.0;sequence="))
        << made->name;
    EXPECT_EQ(made->data, published.data);
  }
  // A new session: the ephemeral engine nodes went with the old one, the persistent node stayed.
  auto d = discovery::make_zookeeper_discovery(io, options);
  auto engines = run(io, d->get_nodes(kUser + "/default"));
  ASSERT_TRUE(engines.is_ok());
  EXPECT_TRUE(engines->empty());
  auto exposed = run(io, d->get_nodes("/exposed"));
  ASSERT_TRUE(exposed.is_ok()) << exposed.status().to_string();
  ASSERT_EQ(exposed->size(), 1u);
  EXPECT_EQ((*exposed)[0].address(), "127.0.0.1:10009");
  EXPECT_TRUE((*exposed)[0].data.starts_with("hive.server2.thrift.bind.host="));

  auto removed = run(io, d->remove_node("/exposed", (*exposed)[0].name));
  EXPECT_TRUE(removed.is_ok()) << removed.to_string();
  auto gone = run(io, d->get_children("/exposed"));
  ASSERT_TRUE(gone.is_ok());
  EXPECT_TRUE(gone->empty());
}

TEST(DiscoveryChildren, ZooKeeperOutOfReachIsUnavailable) {
  discovery::ZooKeeperOptions options;
  options.addresses = "127.0.0.1:" + std::to_string(pick_loopback_port());
  options.connection_timeout = 500ms;
  asio::io_context io;
  auto d = discovery::make_zookeeper_discovery(io, options);
  auto listed = run(io, d->get_children(kUser));
  ASSERT_FALSE(listed.is_ok());
  EXPECT_EQ(listed.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(d->available());
  auto made = run(io, d->create_persistent_node("/exposed", node_at(10009)));
  ASSERT_FALSE(made.is_ok());
  EXPECT_EQ(made.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace kitsune::testing
