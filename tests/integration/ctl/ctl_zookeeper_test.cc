// kitsune-ctl's server and engine commands, the real binary against a real ZooKeeper where a
// real gateway registered itself and launched an engine that registered itself: what an admin
// sees, what the commands change, and how they fail.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "ctl_process.h"
#include "gateway_calls.h"
#include "gateway_process.h"
#include "kitsune/discovery/discovery.h"
#include "raw_socket.h"
#include "zookeeper_process.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kVersion = KITSUNE_KYUUBI_VERSION;
const std::string kAliceSpace = "/kyuubi_" + kVersion + "_USER_LOCAL/alice/default";

// The gateway's kyuubi-defaults.conf names the ZooKeeper: kitsune-ctl reads the same file.
GatewayOptions gateway_on(const ZooKeeperProcess& zk) {
  GatewayOptions o;
  o.defaults_file = "kyuubi.ha.addresses " + zk.connect_string() +
                    "\n"
                    "kyuubi.ha.zookeeper.session.timeout 6000\n"
                    "kyuubi.ha.zookeeper.connection.timeout 3000\n";
  return o;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The lines of a table (from its top border to its bottom border).
std::vector<std::string> table_lines(const std::string& out) {
  std::vector<std::string> table;
  bool in = false;
  for (const auto& line : lines_of(out)) {
    if (line.starts_with("╔")) in = true;
    if (in) table.push_back(line);
    if (line.starts_with("╚")) in = false;
  }
  return table;
}

class CtlAgainstAGateway : public ::testing::Test {
 protected:
  ZooKeeperProcess zk;
  GatewayProcess gw{gateway_on(zk)};
  asio::io_context io;

  // kitsune-ctl with the gateway's configuration dir.
  CtlRun ctl(std::vector<std::string> args, std::chrono::milliseconds timeout = 60s) {
    args.insert(args.begin(), {"--conf-dir", gw.conf_dir()});
    return run_ctl(args, timeout);
  }

  // Waits until the gateway's node is in /kyuubi (it registers once it listens).
  void wait_for_server_node() {
    const bool registered = wait_until(
        [&] {
          const auto run = ctl({"list", "server"});
          return run.exit_code == 0 && contains(run.out, std::to_string(gw.port()));
        },
        20s);
    ASSERT_TRUE(registered) << gw.log();
  }

  // The nodes under `space` as the project's discovery reads them.
  std::vector<discovery::ServiceNode> nodes(const std::string& space) {
    discovery::ZooKeeperOptions o;
    o.addresses = zk.connect_string();
    o.connection_timeout = 5s;
    auto d = discovery::make_zookeeper_discovery(io, o);
    auto listed = run_for(io, d->get_nodes(space), 30s);
    if (!listed || !listed->is_ok()) throw std::runtime_error("cannot list " + space);
    return listed->value();
  }
};

TEST_F(CtlAgainstAGateway, ListServerShowsTheGatewayFromTheZooKeeperOfKyuubiDefaultsConf) {
  wait_for_server_node();
  const auto run = ctl({"list", "server"});
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  EXPECT_TRUE(contains(run.out, "Zookeeper service nodes")) << run.out;
  EXPECT_TRUE(std::regex_search(
      run.out, std::regex("║ /kyuubi +│ 127\\.0\\.0\\.1 +│ " + std::to_string(gw.port()) + " +│ " +
                          std::regex_replace(kVersion, std::regex("\\."), "\\.") + " +║")))
      << run.out;
  EXPECT_TRUE(contains(run.out, "1 row(s)")) << run.out;
  EXPECT_TRUE(run.err.empty()) << run.err;

  // Column-aligned: every line of the table is as wide as its top border.
  const auto table = table_lines(run.out);
  ASSERT_GE(table.size(), 5u) << run.out;
  for (const auto& line : table)
    EXPECT_EQ(columns(line), columns(table.front())) << run.out;
}

TEST_F(CtlAgainstAGateway, EngineCommandsShowFindAndDeleteTheEngineASessionLaunched) {
  HeldSession held(gw);
  auto engine_id = run_for(held.io(), serving_engine_id(held.session()), 30s);
  ASSERT_TRUE(engine_id.has_value() && engine_id->is_ok()) << gw.log();

  // The table: the engine space, its address and its ref id.
  const auto listed = ctl({"list", "engine", "-u", "alice"});
  ASSERT_EQ(listed.exit_code, 0) << listed.describe();
  EXPECT_TRUE(contains(listed.out, kAliceSpace)) << listed.out;
  EXPECT_TRUE(contains(listed.out, engine_id->value())) << listed.out;
  EXPECT_TRUE(contains(listed.out, "│ 127.0.0.1 │")) << listed.out;
  EXPECT_TRUE(contains(listed.out, "Ref Id")) << listed.out;
  EXPECT_TRUE(contains(listed.out, "1 row(s)")) << listed.out;

  // The same as JSON, and as the project's discovery reads ZooKeeper.
  const auto as_json = ctl({"list", "engine", "-u", "alice", "--json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.describe();
  const json engines = json::parse(as_json.out, nullptr, false);
  ASSERT_FALSE(engines.is_discarded()) << as_json.out;
  ASSERT_TRUE(engines.is_array() && engines.size() == 1) << as_json.out;
  const json& engine = engines[0];
  EXPECT_EQ(engine["refId"], engine_id->value());
  EXPECT_EQ(engine["host"], "127.0.0.1");
  EXPECT_EQ(engine["version"], kVersion);
  EXPECT_EQ(engine["user"], "alice");
  EXPECT_EQ(engine["engineType"], "LOCAL");
  EXPECT_EQ(engine["sharelevel"], "USER");
  EXPECT_EQ(engine["subdomain"], "default");
  EXPECT_EQ(engine["namespace"], kAliceSpace);
  const auto in_zookeeper = nodes(kAliceSpace);
  ASSERT_EQ(in_zookeeper.size(), 1u);
  EXPECT_EQ(engine["nodeName"], in_zookeeper[0].name);
  EXPECT_EQ(engine["port"], in_zookeeper[0].port);
  EXPECT_EQ(engine["instance"], in_zookeeper[0].address());
  const std::string port = std::to_string(in_zookeeper[0].port);

  // get engine: the one at that address; none at another.
  const auto got = ctl({"get", "engine", "-u", "alice", "-s", "127.0.0.1", "-p", port});
  ASSERT_EQ(got.exit_code, 0) << got.describe();
  EXPECT_TRUE(contains(got.out, engine_id->value())) << got.out;
  EXPECT_TRUE(contains(got.out, "1 row(s)")) << got.out;
  const auto elsewhere = ctl({"get", "engine", "-u", "alice", "-s", "127.0.0.2", "-p", port});
  EXPECT_EQ(elsewhere.exit_code, 1) << elsewhere.describe();
  EXPECT_TRUE(contains(elsewhere.err, "No engine node of user alice at 127.0.0.2:" + port))
      << elsewhere.err;
  EXPECT_TRUE(elsewhere.out.empty()) << elsewhere.out;
  // Another user, share level or subdomain is another space: nothing there.
  const auto bob = ctl({"list", "engine", "-u", "bob"});
  EXPECT_EQ(bob.exit_code, 0) << bob.describe();
  EXPECT_TRUE(contains(bob.out, "0 row(s)")) << bob.out;
  const auto server_level = ctl({"list", "engine", "-u", "alice", "-esl", "SERVER", "--json"});
  EXPECT_EQ(server_level.exit_code, 0) << server_level.describe();
  EXPECT_EQ(json::parse(server_level.out, nullptr, false), json::array()) << server_level.out;

  // delete engine: the node goes, from the table and from ZooKeeper.
  const auto deleted = ctl({"delete", "engine", "-u", "alice", "-s", "127.0.0.1", "-p", port});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.describe();
  EXPECT_TRUE(contains(deleted.out, "Deleted zookeeper service nodes")) << deleted.out;
  EXPECT_TRUE(contains(deleted.out, engine_id->value())) << deleted.out;
  EXPECT_TRUE(nodes(kAliceSpace).empty());
  const auto after = ctl({"list", "engine", "-u", "alice"});
  EXPECT_EQ(after.exit_code, 0) << after.describe();
  EXPECT_TRUE(contains(after.out, "0 row(s)")) << after.out;
  const auto again = ctl({"delete", "engine", "-u", "alice", "-s", "127.0.0.1", "-p", port});
  EXPECT_EQ(again.exit_code, 1) << again.describe();
  EXPECT_TRUE(contains(again.err, "No engine node")) << again.err;
}

TEST_F(CtlAgainstAGateway, CreateServerExposesTheServersInAnotherNamespaceAsPersistentNodes) {
  wait_for_server_node();
  const std::string port = std::to_string(gw.port());

  const auto created = ctl({"create", "server", "-n", "exposed"});
  ASSERT_EQ(created.exit_code, 0) << created.describe();
  EXPECT_TRUE(contains(created.out, "Created zookeeper service nodes")) << created.out;
  EXPECT_TRUE(contains(created.out, "/exposed")) << created.out;
  EXPECT_TRUE(contains(created.out, "│ " + port + " ")) << created.out;

  // The copy outlives kitsune-ctl's ZooKeeper session: it is persistent.
  const auto copies = nodes("/exposed");
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0].host, "127.0.0.1");
  EXPECT_EQ(copies[0].port, gw.port());
  EXPECT_EQ(copies[0].version, kVersion);
  EXPECT_EQ(copies[0].data, "127.0.0.1:" + port);
  EXPECT_TRUE(std::regex_match(copies[0].name, std::regex("serverUri=127\\.0\\.0\\.1:" + port +
                                                          ";version=[^;]+;sequence=[0-9]{10}")))
      << copies[0].name;
  const auto listed = ctl({"list", "server", "-n", "exposed", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.describe();
  const json servers = json::parse(listed.out, nullptr, false);
  ASSERT_TRUE(servers.is_array() && servers.size() == 1) << listed.out;
  EXPECT_EQ(servers[0]["namespace"], "/exposed");
  EXPECT_EQ(servers[0]["instance"], "127.0.0.1:" + port);

  // Into the namespace it copies from: refused before anything is done.
  const auto same = ctl({"create", "server"});
  EXPECT_EQ(same.exit_code, 2) << same.describe();
  EXPECT_TRUE(contains(same.err, "default namespace [kyuubi]")) << same.err;
  EXPECT_TRUE(contains(same.err, "usage: kitsune-ctl create server")) << same.err;

  // delete server removes the addressed node only: the copy goes, the gateway's own stays.
  const auto deleted = ctl({"delete", "server", "-n", "exposed", "-s", "127.0.0.1", "-p", port});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.describe();
  EXPECT_TRUE(contains(deleted.out, "Deleted zookeeper service nodes")) << deleted.out;
  EXPECT_TRUE(nodes("/exposed").empty());
  EXPECT_EQ(nodes("/kyuubi").size(), 1u);
}

TEST_F(CtlAgainstAGateway, DeleteServerDecommissionsTheGateway) {
  wait_for_server_node();
  const std::string port = std::to_string(gw.port());
  const auto missing = ctl({"delete", "server", "-s", "127.0.0.1"});
  EXPECT_EQ(missing.exit_code, 2) << missing.describe();
  EXPECT_TRUE(contains(missing.err, "Must specify port for service")) << missing.err;

  const auto deleted = ctl({"delete", "server", "-s", "127.0.0.1", "-p", port});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.describe();
  EXPECT_TRUE(contains(deleted.out, "│ " + port + " ")) << deleted.out;
  EXPECT_TRUE(nodes("/kyuubi").empty());
  // With no session open the gateway stops, as Kyuubi's does.
  EXPECT_TRUE(gw.wait_for_log(std::regex("node was deleted from ZooKeeper"), 20s)) << gw.log();
  const auto code = gw.wait_exit(30s);
  ASSERT_TRUE(code.has_value()) << gw.log();
  EXPECT_EQ(*code, 0) << gw.log();
}

TEST(CtlWithoutZooKeeper, AZooKeeperThatIsDownGivesExitCode3AndAClearMessageQuickly) {
  const std::string address = "127.0.0.1:" + std::to_string(free_port());
  TempDir conf;
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"list", "server"},
        std::vector<std::string>{"list", "engine", "-u", "alice"},
        std::vector<std::string>{"delete", "server", "-s", "127.0.0.1", "-p", "10009"}}) {
    std::vector<std::string> args = {"--conf-dir", conf.path(),
                                     "-zk",        address,
                                     "--conf",     "kyuubi.ha.zookeeper.connection.timeout=1000"};
    args.insert(args.end(), command.begin(), command.end());
    const auto run = run_ctl(args);
    EXPECT_EQ(run.exit_code, 3) << run.describe();
    EXPECT_TRUE(contains(run.err, "ZooKeeper at " + address + " is not reachable")) << run.err;
    EXPECT_TRUE(contains(run.err, "1000 ms")) << run.err;
    EXPECT_LT(run.elapsed, 10s) << run.describe();
    EXPECT_TRUE(run.out.empty()) << run.out;
  }
}

TEST(CtlWithoutZooKeeper, AZooKeeperThatWentDownGivesExitCode3) {
  ZooKeeperProcess zk;
  TempDir conf;
  const std::vector<std::string> args = {
      "--conf-dir", conf.path(), "--zk-quorum", zk.connect_string(),
      "list",       "server",    "--conf",      "kyuubi.ha.zookeeper.connection.timeout=1500"};
  const auto up = run_ctl(args);
  EXPECT_EQ(up.exit_code, 0) << up.describe();
  EXPECT_TRUE(contains(up.out, "0 row(s)")) << up.out;
  zk.stop();
  const auto down = run_ctl(args);
  EXPECT_EQ(down.exit_code, 3) << down.describe();
  EXPECT_TRUE(contains(down.err, "is not reachable")) << down.err;
  EXPECT_LT(down.elapsed, 10s) << down.describe();
}

}  // namespace
}  // namespace kitsune::testing
