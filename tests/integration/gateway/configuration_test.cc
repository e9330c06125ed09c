// kitsune-server's configuration as an operator sees it: kyuubi-defaults.conf, --conf,
// $KYUUBI_CONF_DIR, per-user defaults, and the refusals at startup.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>

#include "gateway_calls.h"
#include "gateway_process.h"
#include "raw_socket.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;

GatewayOptions refused_at_startup() {
  GatewayOptions o;
  o.expect_listening = false;
  return o;
}

// A socket listening on 127.0.0.1 at a port the OS picks, for a port that is taken.
class TakenPort {
 public:
  TakenPort() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    socklen_t len = sizeof addr;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 1) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1:0");
    }
    port_ = ntohs(addr.sin_port);
  }
  ~TakenPort() { close(fd_); }
  TakenPort(const TakenPort&) = delete;
  TakenPort& operator=(const TakenPort&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(GatewayConfiguration, BadValueInTheFileStopsStartupNamingTheKeyTheFileAndTheReason) {
  GatewayOptions o = refused_at_startup();
  o.defaults_file = "kyuubi.session.idle.timeout soon\n";
  GatewayProcess gw(o);
  EXPECT_FALSE(gw.listening()) << gw.stdout_text();
  EXPECT_EQ(gw.wait_exit(10s), 2) << gw.log();
  const std::string log = gw.log();
  EXPECT_NE(log.find("kyuubi.session.idle.timeout"), std::string::npos) << log;
  EXPECT_NE(log.find(gw.conf_dir() + "/kyuubi-defaults.conf"), std::string::npos) << log;
  EXPECT_NE(log.find("duration"), std::string::npos) << log;
}

TEST(GatewayConfiguration, BadValueOnTheCommandLineStopsStartupNamingTheKeyAndTheReason) {
  GatewayOptions o = refused_at_startup();
  o.conf = {{"kyuubi.session.idle.timeout", "soon"}};
  GatewayProcess gw(o);
  EXPECT_FALSE(gw.listening()) << gw.stdout_text();
  EXPECT_EQ(gw.wait_exit(10s), 2) << gw.log();
  const std::string log = gw.log();
  EXPECT_NE(log.find("--conf"), std::string::npos) << log;
  EXPECT_NE(log.find("kyuubi.session.idle.timeout"), std::string::npos) << log;
  EXPECT_NE(log.find("duration"), std::string::npos) << log;
}

TEST(GatewayConfiguration, BadPerUserValueStopsStartupNamingTheUsersKey) {
  GatewayOptions o = refused_at_startup();
  o.defaults_file = "___alice___.kyuubi.session.engine.launch.async maybe\n";
  GatewayProcess gw(o);
  EXPECT_EQ(gw.wait_exit(10s), 2) << gw.log();
  EXPECT_NE(gw.log().find("___alice___.kyuubi.session.engine.launch.async"), std::string::npos)
      << gw.log();
}

TEST(GatewayConfiguration, UnknownKyuubiKeyWarnsAndTheServerStarts) {
  GatewayOptions o;
  o.defaults_file = "kyuubi.no.such.key 42\n";
  GatewayProcess gw(o);
  EXPECT_TRUE(gw.listening());
  EXPECT_TRUE(gw.wait_for_log(std::regex("unknown configuration key kyuubi\\.no\\.such\\.key"), 5s))
      << gw.log();
  asio::io_context io;
  auto s = run_for(io, open_select_close("alice", gw.host(), gw.port()), 30s);
  ASSERT_TRUE(s.has_value()) << "the session did not finish\n" << gw.log();
  EXPECT_TRUE(s->is_ok()) << s->to_string() << "\n" << gw.log();
}

TEST(GatewayConfiguration, CommandLineWinsOverTheFile) {
  TakenPort taken;  // the file names a port in use: were the file to win, startup would fail
  const int wanted = free_port();
  GatewayOptions o;
  o.defaults_file =
      "kyuubi.frontend.thrift.binary.bind.port " + std::to_string(taken.port()) + "\n";
  o.conf = {{"kyuubi.frontend.thrift.binary.bind.port", std::to_string(wanted)}};
  GatewayProcess gw(o);
  EXPECT_EQ(gw.port(), wanted) << gw.log();
}

TEST(GatewayConfiguration, PerUserDefaultsRouteAlicesSessionsToTwoEnginesAndBobsToOne) {
  GatewayOptions o;
  o.defaults_file = "___alice___.kyuubi.engine.share.level CONNECTION\n";
  GatewayProcess gw(o);
  // One after another: opening them at once is GatewaySessions.ConcurrentConnectionSessions...
  asio::io_context io;
  std::vector<ClientSession> sessions;
  std::vector<std::string> ids;
  for (const char* user : {"alice", "alice", "bob", "bob"}) {
    auto s = run_for(io, open_client_session_as(user, gw.host(), gw.port(), false), 30s);
    ASSERT_TRUE(s.has_value()) << "OpenSession did not finish\n" << gw.log();
    ASSERT_TRUE(s->is_ok()) << user << ": " << s->status().to_string() << "\n" << gw.log();
    sessions.push_back(std::move(s->value()));
    auto id = run_for(io, serving_engine_id(sessions.back()), 30s);
    ASSERT_TRUE(id.has_value()) << "SET kyuubi.engine.id did not finish\n" << gw.log();
    ASSERT_TRUE(id->is_ok()) << user << ": " << id->status().to_string() << "\n" << gw.log();
    ids.push_back(id->value());
  }
  EXPECT_NE(ids[0], ids[1]) << "alice's CONNECTION sessions share an engine";
  EXPECT_EQ(ids[2], ids[3]) << "bob's USER sessions do not share an engine";
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 3u);
  EXPECT_EQ(gw.engine_pids().size(), 3u) << gw.log();
}

TEST(GatewayConfiguration, ConfDirFromTheEnvironmentIsHonouredWithoutTheFlag) {
  GatewayOptions o;
  o.conf_dir_by = GatewayOptions::ConfDirBy::kEnv;
  o.defaults_file = "kyuubi.read.from.the.env.dir 1\n";
  GatewayProcess gw(o);
  EXPECT_EQ(gw.host(), "127.0.0.1");  // from the file
  EXPECT_TRUE(gw.wait_for_log(
      std::regex("unknown configuration key kyuubi\\.read\\.from\\.the\\.env\\.dir"), 5s))
      << gw.log();
}

TEST(GatewayConfiguration, MissingConfDirIsAnError) {
  GatewayOptions o = refused_at_startup();
  o.conf_dir_override = "/tmp/kitsune-no-such-conf-dir-" + std::to_string(getpid());
  GatewayProcess gw(o);
  EXPECT_FALSE(gw.listening());
  EXPECT_EQ(gw.wait_exit(10s), 2) << gw.log();
  EXPECT_NE(gw.log().find(*o.conf_dir_override), std::string::npos) << gw.log();
  EXPECT_NE(gw.log().find("does not exist"), std::string::npos) << gw.log();
}

}  // namespace
}  // namespace kitsune::testing
