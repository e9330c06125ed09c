// kitsune-engine's process contract: its address on stdout, startup refusals, the idle timeout,
// SIGTERM, and sessions closed when their connection drops.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <regex>

#include "client_session.h"
#include "engine_process.h"
#include "kitsune/client/hs2_client.h"
#include "raw_socket.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;

// Runs the engine to completion with these arguments; returns its exit status and output.
std::pair<int, std::string> run_to_exit(const std::string& args) {
  const std::string command = engine_binary() + " " + args + " 2>&1";
  FILE* p = popen(command.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p))
    out += buf.data();
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// Opens a session over PLAIN and keeps the connection (and the session) until `hold` passes.
awaitable<Status> open_and_hold(std::string host, int port, std::chrono::milliseconds hold,
                                bool close_session) {
  auto session = co_await open_client_session(host, port, /*nosasl=*/false);
  if (!session) co_return session.status();
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(hold);
  co_await timer.async_wait(asio::use_awaitable);
  if (close_session) {
    tcli::TCloseSessionReq close;
    close.sessionHandle = session->handle;
    auto closed = co_await session->client->close_session(close);
    if (!closed) co_return closed.status();
  }
  co_return Status::ok();
}

TEST(EngineLifecycle, PrintsItsAddressOnStdoutAndInItsLog) {
  EngineProcess engine;
  EXPECT_EQ(engine.host(), "127.0.0.1");
  EXPECT_GT(engine.port(), 0);
  const std::regex listening("listening on 127\\.0\\.0\\.1:" + std::to_string(engine.port()));
  EXPECT_TRUE(engine.wait_for_log(listening, 5s)) << engine.log();
}

TEST(EngineLifecycle, ABadValueStopsStartupNamingTheKeyAndTheReason) {
  auto [code, out] = run_to_exit("--conf kyuubi.session.engine.idle.timeout=soon");
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("kyuubi.session.engine.idle.timeout"), std::string::npos) << out;
  EXPECT_NE(out.find("duration"), std::string::npos) << out;
  auto [code2, out2] = run_to_exit(
      "--conf kyuubi.authentication=LDAP --conf "
      "kyuubi.frontend.thrift.binary.bind.port=0");
  EXPECT_EQ(code2, 2);
  EXPECT_NE(out2.find("LDAP"), std::string::npos) << out2;
  auto [code3, out3] = run_to_exit("--conf kyuubi.frontend.thrift.binary.bind.port=99999");
  EXPECT_EQ(code3, 2);
  EXPECT_NE(out3.find("not a port number"), std::string::npos) << out3;
  auto [code4, out4] = run_to_exit("--bogus");
  EXPECT_EQ(code4, 2);
  EXPECT_NE(out4.find("usage:"), std::string::npos) << out4;
}

TEST(EngineLifecycle, APortInUseIsReportedAtStartup) {
  EngineProcess first;
  auto [code, out] = run_to_exit(
      "--conf kyuubi.frontend.thrift.binary.bind.host=127.0.0.1 "
      "--conf kyuubi.frontend.thrift.binary.bind.port=" +
      std::to_string(first.port()));
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("cannot listen on 127.0.0.1:" + std::to_string(first.port())),
            std::string::npos)
      << out;
}

TEST(EngineLifecycle, EndsItselfAfterTheIdleTimeoutWithoutSessions) {
  EngineProcess engine(EngineProcess::Conf{{"kyuubi.session.engine.idle.timeout", "PT1S"},
                                           {"kyuubi.session.engine.check.interval", "PT0.1S"}});
  auto code = engine.wait_exit(10s);
  ASSERT_TRUE(code.has_value()) << "the engine did not stop by itself\n" << engine.log();
  EXPECT_EQ(*code, 0);
  EXPECT_TRUE(engine.wait_for_log(std::regex("kyuubi.session.engine.idle.timeout"), 1s))
      << engine.log();
}

TEST(EngineLifecycle, StaysWhileASessionIsOpenAndEndsAfterItCloses) {
  EngineProcess engine(EngineProcess::Conf{{"kyuubi.session.engine.idle.timeout", "PT1S"},
                                           {"kyuubi.session.engine.check.interval", "PT0.1S"}});
  // Holding a session for three idle timeouts keeps the engine up.
  Status held = run_coroutine(open_and_hold(engine.host(), engine.port(), 3s, true));
  ASSERT_TRUE(held.is_ok()) << held.to_string() << "\n" << engine.log();
  EXPECT_FALSE(engine.wait_exit(100ms).has_value()) << "the engine stopped with a session open";
  auto code = engine.wait_exit(10s);
  ASSERT_TRUE(code.has_value()) << engine.log();
  EXPECT_EQ(*code, 0);
}

TEST(EngineLifecycle, SigtermStopsTheEngineWithExitZeroWhileClientsAreConnected) {
  EngineProcess engine;
  // A client still connected and logged in.
  RawSocket s(engine.host(), engine.port());
  s.send(plain_login("alice", "secret"));
  ASSERT_EQ(s.read_exactly(5, 5s).size(), 5u);
  EXPECT_EQ(engine.stop(), 0) << engine.log();
  EXPECT_TRUE(engine.wait_for_log(std::regex("stopping: SIGTERM"), 1s)) << engine.log();
  bool closed = false;
  s.read_until_closed(2s, &closed);
  EXPECT_TRUE(closed);
}

TEST(EngineLifecycle, ASessionClosesWhenItsConnectionDrops) {
  EngineProcess engine;
  Status held = run_coroutine(open_and_hold(engine.host(), engine.port(), 0ms, false));
  ASSERT_TRUE(held.is_ok()) << held.to_string();
  EXPECT_TRUE(engine.wait_for_log(std::regex("closed: its connection closed"), 5s)) << engine.log();
}

TEST(EngineLifecycle, ASessionCanAskToOutliveItsConnection) {
  EngineProcess engine(EngineProcess::Conf{{"kyuubi.session.idle.timeout", "PT1S"},
                                           {"kyuubi.session.check.interval", "PT0.1S"}});
  auto opener = [](std::string host, int port) -> awaitable<Status> {
    std::map<std::string, std::string> conf{{"kyuubi.session.close.on.disconnect", "false"}};
    auto session = co_await open_client_session(host, port, false, std::move(conf));
    co_return session ? Status::ok() : session.status();
  };
  Status held = run_coroutine(opener(engine.host(), engine.port()));
  ASSERT_TRUE(held.is_ok()) << held.to_string();
  // Not closed with its connection, but by the session idle timeout.
  EXPECT_TRUE(engine.wait_for_log(
      std::regex("closed: idle for longer than kyuubi.session.idle.timeout"), 10s))
      << engine.log();
  EXPECT_FALSE(engine.wait_for_log(std::regex("closed: its connection closed"), 0ms))
      << engine.log();
}

}  // namespace
}  // namespace kitsune::testing
