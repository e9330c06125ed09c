// The ZooKeeper test harness against the ZooKeeper C client: a node written is read back, and
// after ZooKeeper is stopped and started again the client reconnects and finds its data.
#include <gtest/gtest.h>
#include <zookeeper/zookeeper.h>

#include <chrono>
#include <string>
#include <thread>

#include "zookeeper_process.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;

void ignore_events(zhandle_t*, int, int, const char*, void*) {}

// Waits until the client is (or, with connected false, is no longer) connected.
bool wait_connected(zhandle_t* zh, bool connected, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if ((zoo_state(zh) == ZOO_CONNECTED_STATE) == connected) return true;
    std::this_thread::sleep_for(20ms);
  }
  return (zoo_state(zh) == ZOO_CONNECTED_STATE) == connected;
}

std::string read_node(zhandle_t* zh, const char* path, int* rc) {
  char buf[64] = {};
  int len = sizeof buf;
  *rc = zoo_get(zh, path, 0, buf, &len, nullptr);
  return *rc == ZOK && len > 0 ? std::string(buf, static_cast<std::size_t>(len)) : std::string();
}

TEST(ZooKeeperHarness, ServesTheCClientAndComesBackAfterAnOutageWithItsData) {
  zoo_set_debug_level(static_cast<ZooLogLevel>(0));  // quiet: the outage is on purpose
  ZooKeeperProcess zk;
  zhandle_t* zh =
      zookeeper_init(zk.connect_string().c_str(), ignore_events, 30000, nullptr, nullptr, 0);
  ASSERT_NE(zh, nullptr);
  ASSERT_TRUE(wait_connected(zh, true, 15s)) << zk.log();
  ASSERT_EQ(zoo_create(zh, "/kitsune-harness", "hello", 5, &ZOO_OPEN_ACL_UNSAFE, 0, nullptr, 0),
            ZOK);
  int rc = 0;
  EXPECT_EQ(read_node(zh, "/kitsune-harness", &rc), "hello");

  zk.stop();
  EXPECT_FALSE(zk.running());
  EXPECT_TRUE(wait_connected(zh, false, 15s)) << "the client did not notice the outage";
  EXPECT_EQ(read_node(zh, "/kitsune-harness", &rc), "");
  EXPECT_EQ(rc, ZCONNECTIONLOSS);

  zk.start();
  ASSERT_TRUE(wait_connected(zh, true, 30s)) << zk.log();
  EXPECT_EQ(read_node(zh, "/kitsune-harness", &rc), "hello") << "rc " << rc;
  zookeeper_close(zh);
}

}  // namespace
}  // namespace kitsune::testing
