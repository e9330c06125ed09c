// Bad input through the gateway: bytes that are not HiveServer2, handles it never gave out, and
// connections that drop. Each hurts only its own connection.
#include <gtest/gtest.h>

#include <random>

#include "gateway_calls.h"
#include "gateway_process.h"
#include "kitsune/transport/thrift_codec.h"
#include "raw_socket.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;

// A well-formed OpenSession call as unframed bytes, the way a NOSASL client sends it.
std::vector<std::uint8_t> unframed_open_session() {
  tcli::TOpenSessionReq req;
  req.client_protocol = tcli::TProtocolVersion::HIVE_CLI_SERVICE_PROTOCOL_V10;
  req.__set_username("mallory");
  tcli::TCLIService_OpenSession_pargs args;
  args.req = &req;
  transport::MessageEncoder encoder;
  auto bytes = encoder.encode("OpenSession", transport::MessageType::kCall, 1, args);
  return {bytes.begin(), bytes.end()};
}

// Sends bytes on a new connection and expects the gateway to close it; returns what came back.
std::vector<std::uint8_t> expect_closed_after(const GatewayProcess& gw,
                                              const std::vector<std::uint8_t>& bytes) {
  RawSocket s(gw.host(), gw.port());
  s.send(bytes);
  bool closed = false;
  auto reply = s.read_until_closed(5s, &closed);
  EXPECT_TRUE(closed) << "the gateway kept the connection open\n" << gw.log();
  return reply;
}

// The TStatus of ExecuteStatement for `session`, sent over a new connection of alice's.
awaitable<Result<tcli::TStatus>> execute_from_a_new_connection(std::string host, int port,
                                                               tcli::TSessionHandle session) {
  auto c = co_await connect_as("alice", host, port);
  if (!c) co_return c.status();
  tcli::TExecuteStatementReq exec;
  exec.sessionHandle = session;
  exec.statement = "SELECT 1";
  auto executed = co_await (*c)->execute_statement(exec);
  if (!executed) co_return executed.status();
  co_return executed->status;
}

// SELECT 1 on `session`, over a new connection of alice's.
awaitable<Status> select_one_from_a_new_connection(std::string host, int port,
                                                   tcli::TSessionHandle session) {
  auto c = co_await connect_as("alice", host, port);
  if (!c) co_return c.status();
  auto rows = co_await query(**c, session, "SELECT 1");
  if (!rows) co_return rows.status();
  if (*rows != std::vector<std::string>{"1"}) co_return Status::error("SELECT 1 did not return 1");
  tcli::TCloseSessionReq close;
  close.sessionHandle = session;
  auto closed = co_await (*c)->close_session(close);
  if (!closed) co_return closed.status();
  co_return status_of(closed->status);
}

TEST(GatewayBadInput, GarbageBytesCloseThatConnectionOnly) {
  GatewayProcess gw;
  HeldSession held(gw);
  std::mt19937 rng(7);
  for (int i = 0; i < 20; ++i) {
    std::vector<std::uint8_t> noise(4096);
    for (auto& b : noise)
      b = static_cast<std::uint8_t>(rng());
    expect_closed_after(gw, noise);
  }
  // Garbage inside a well-formed SASL frame, after a good login.
  RawSocket s(gw.host(), gw.port());
  s.send(plain_login("alice", "secret"));
  ASSERT_EQ(s.read_exactly(5, 5s), (std::vector<std::uint8_t>{5, 0, 0, 0, 0})) << gw.log();
  std::vector<std::uint8_t> frame = be32(8);
  frame.insert(frame.end(), {0xde, 0xad, 0xbe, 0xef, 0x00, 0x11, 0x22, 0x33});
  s.send(frame);
  bool closed = false;
  s.read_until_closed(5s, &closed);
  EXPECT_TRUE(closed) << gw.log();
  held.expect_serves();
  asio::io_context io;
  auto fresh = run_for(io, open_select_close("bob", gw.host(), gw.port()), 30s);
  ASSERT_TRUE(fresh.has_value()) << "bob's session did not finish\n" << gw.log();
  EXPECT_TRUE(fresh->is_ok()) << fresh->to_string() << "\n" << gw.log();
}

TEST(GatewayBadInput, OversizedFrameClosesThatConnectionOnly) {
  GatewayProcess gw;
  HeldSession held(gw);
  for (int i = 0; i < 5; ++i) {
    RawSocket s(gw.host(), gw.port());
    s.send(plain_login("alice", "secret"));
    ASSERT_EQ(s.read_exactly(5, 5s), (std::vector<std::uint8_t>{5, 0, 0, 0, 0})) << gw.log();
    s.send(be32(0x7fffffffu));  // a 2 GB frame that never comes
    bool closed = false;
    s.read_until_closed(5s, &closed);
    EXPECT_TRUE(closed) << gw.log();
  }
  held.expect_serves();
}

TEST(GatewayBadInput, UnframedClientOnASaslGatewayIsClosed) {
  GatewayProcess gw;
  HeldSession held(gw);
  expect_closed_after(gw, unframed_open_session());
  held.expect_serves();
}

TEST(GatewayBadInput, SaslClientOnANosaslGatewayIsToldWhyAndClosed) {
  GatewayOptions o;
  o.conf = {{"kyuubi.authentication", "NOSASL"}};
  GatewayProcess gw(o);
  auto reply = expect_closed_after(gw, plain_login("alice", "secret"));
  ASSERT_GE(reply.size(), 5u) << gw.log();
  EXPECT_EQ(reply[0], 4) << "expected a SASL ERROR message";
  const std::string text(reply.begin() + 5, reply.end());
  EXPECT_NE(text.find("NOSASL"), std::string::npos) << text;
  HeldSession nosasl(gw, {}, /*nosasl=*/true);
  nosasl.expect_serves();
}

TEST(GatewayBadInput, UnknownSessionHandleIsAnInvalidHandle) {
  GatewayProcess gw;
  HeldSession held(gw);
  auto status =
      run_for(held.io(),
              execute_from_a_new_connection(gw.host(), gw.port(), made_up_session_handle()), 30s);
  ASSERT_TRUE(status.has_value() && status->is_ok())
      << (status ? status->status().to_string() : "timed out") << "\n"
      << gw.log();
  EXPECT_EQ((*status)->statusCode, tcli::TStatusCode::INVALID_HANDLE_STATUS)
      << (*status)->errorMessage;
  // The same on the held session's own connection, and for an operation handle.
  tcli::TGetOperationStatusReq req;
  req.operationHandle = made_up_operation_handle();
  auto op_status = run_for(held.io(), held.session().client->get_operation_status(req), 30s);
  ASSERT_TRUE(op_status.has_value() && op_status->is_ok()) << gw.log();
  EXPECT_EQ((*op_status)->status.statusCode, tcli::TStatusCode::INVALID_HANDLE_STATUS)
      << (*op_status)->status.errorMessage;
  held.expect_serves();
}

TEST(GatewayBadInput, ASessionIsClosedWhenItsConnectionDrops) {
  GatewayProcess gw;
  tcli::TSessionHandle handle;
  {
    HeldSession dropped(gw);
    dropped.expect_serves();
    handle = dropped.session().handle;
    dropped.session().client->close();
  }
  asio::io_context io;
  tcli::TStatusCode::type code = tcli::TStatusCode::SUCCESS_STATUS;
  // Closing on disconnect is asynchronous: allow it a moment.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto status = run_for(io, execute_from_a_new_connection(gw.host(), gw.port(), handle), 30s);
    ASSERT_TRUE(status.has_value() && status->is_ok()) << gw.log();
    code = (*status)->statusCode;
    if (code == tcli::TStatusCode::INVALID_HANDLE_STATUS) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(code, tcli::TStatusCode::INVALID_HANDLE_STATUS)
      << "the session outlived its connection\n"
      << gw.log();
}

TEST(GatewayBadInput, ASessionWithCloseOnDisconnectFalseOutlivesItsConnection) {
  GatewayProcess gw;
  tcli::TSessionHandle handle;
  {
    HeldSession dropped(gw, {{"kyuubi.session.close.on.disconnect", "false"}});
    dropped.expect_serves();
    handle = dropped.session().handle;
    dropped.session().client->close();
  }
  std::this_thread::sleep_for(500ms);  // what closing on disconnect would have needed
  asio::io_context io;
  auto s = run_for(io, select_one_from_a_new_connection(gw.host(), gw.port(), handle), 30s);
  ASSERT_TRUE(s.has_value()) << "SELECT 1 did not finish\n" << gw.log();
  EXPECT_TRUE(s->is_ok()) << s->to_string() << "\n" << gw.log();
}

}  // namespace
}  // namespace kitsune::testing
