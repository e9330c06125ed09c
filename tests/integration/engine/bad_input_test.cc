// Bad bytes against a real kitsune-engine: each is refused with a log line, the process does not
// grow, and well-behaved clients keep being served.
#include <gtest/gtest.h>

#include <random>
#include <regex>

#include "client_session.h"
#include "engine_process.h"
#include "kitsune/client/hs2_client.h"
#include "kitsune/transport/thrift_codec.h"
#include "raw_socket.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;

// A well-formed OpenSession call, as unframed bytes.
std::vector<std::uint8_t> open_session_call() {
  tcli::TOpenSessionReq req;
  req.client_protocol = tcli::TProtocolVersion::HIVE_CLI_SERVICE_PROTOCOL_V10;
  req.__set_username("mallory");
  tcli::TCLIService_OpenSession_pargs args;
  args.req = &req;
  transport::MessageEncoder encoder;
  auto bytes = encoder.encode("OpenSession", transport::MessageType::kCall, 1, args);
  return {bytes.begin(), bytes.end()};
}

// A client that does everything right: open a session, SELECT 1, read 1 back.
awaitable<Status> select_one(std::string host, int port, bool nosasl) {
  auto session = co_await open_client_session(host, port, nosasl);
  if (!session) co_return session.status();
  auto& c = session->client;
  tcli::TExecuteStatementReq exec;
  exec.sessionHandle = session->handle;
  exec.statement = "SELECT 1";
  auto executed = co_await c->execute_statement(exec);
  if (!executed) co_return executed.status();
  if (executed->status.statusCode != tcli::TStatusCode::SUCCESS_STATUS) {
    co_return Status::error("ExecuteStatement: " + executed->status.errorMessage);
  }
  tcli::TFetchResultsReq fetch;
  fetch.operationHandle = executed->operationHandle;
  fetch.maxRows = 10;
  auto fetched = co_await c->fetch_results(fetch);
  if (!fetched) co_return fetched.status();
  const auto& cols = fetched->results.columns;
  if (cols.size() != 1 || cols[0].i64Val.values.size() != 1 || cols[0].i64Val.values[0] != 1) {
    co_return Status::error("SELECT 1 did not return 1");
  }
  tcli::TCloseSessionReq close;
  close.sessionHandle = session->handle;
  (void)co_await c->close_session(close);
  co_return Status::ok();
}

void expect_serves(const EngineProcess& engine, bool nosasl) {
  Status s = run_coroutine(select_one(engine.host(), engine.port(), nosasl));
  EXPECT_TRUE(s.is_ok()) << s.to_string() << "\nengine log:\n" << engine.log();
}

// Sends bytes, then expects the server to close the connection within a few seconds.
std::vector<std::uint8_t> send_and_expect_close(const EngineProcess& engine,
                                                const std::vector<std::uint8_t>& bytes) {
  RawSocket s(engine.host(), engine.port());
  s.send(bytes);
  bool closed = false;
  auto reply = s.read_until_closed(5s, &closed);
  EXPECT_TRUE(closed) << "the server kept the connection open";
  return reply;
}

TEST(EngineBadInput, NosaslClientOnSaslPortIsClosedWithALogLine) {
  EngineProcess engine(EngineProcess::Conf{{"kyuubi.authentication", "NONE"}});
  send_and_expect_close(engine, open_session_call());
  EXPECT_TRUE(
      engine.wait_for_log(std::regex("speaks unframed Thrift \\(a NOSASL client\\) but this "
                                     "server expects SASL"),
                          5s))
      << engine.log();
  expect_serves(engine, /*nosasl=*/false);
}

TEST(EngineBadInput, SaslClientOnNosaslPortIsToldWhyAndClosed) {
  EngineProcess engine(EngineProcess::Conf{{"kyuubi.authentication", "NOSASL"}});
  auto reply = send_and_expect_close(engine, plain_login("alice", "secret"));
  ASSERT_GE(reply.size(), 5u);
  EXPECT_EQ(reply[0], 4) << "expected a SASL ERROR message";
  const std::string text(reply.begin() + 5, reply.end());
  EXPECT_NE(text.find("NOSASL"), std::string::npos) << text;
  EXPECT_TRUE(engine.wait_for_log(std::regex("speaks SASL but this server expects unframed"), 5s))
      << engine.log();
  expect_serves(engine, /*nosasl=*/true);
}

TEST(EngineBadInput, TwoGigabyteFrameLengthIsRefusedBeforeAnyAllocation) {
  EngineProcess engine(EngineProcess::Conf{{"kyuubi.authentication", "NONE"}});
  const long before = engine.rss_kib();
  for (int i = 0; i < 20; ++i) {
    RawSocket s(engine.host(), engine.port());
    s.send(plain_login("alice", "secret"));
    auto ok = s.read_exactly(5, 5s);
    ASSERT_EQ(ok, (std::vector<std::uint8_t>{5, 0, 0, 0, 0})) << engine.log();
    s.send(be32(0x7fffffffu));  // a 2 GB frame that never comes
    bool closed = false;
    s.read_until_closed(5s, &closed);
    EXPECT_TRUE(closed);
  }
  EXPECT_TRUE(engine.wait_for_log(std::regex("exceeds the frame limit of 16384000"), 5s))
      << engine.log();
  EXPECT_LT(engine.rss_kib() - before, 20 * 1024) << "the engine grew";
  expect_serves(engine, false);
}

TEST(EngineBadInput, TwoGigabyteStringLengthOnNosaslIsRefusedAtOnce) {
  EngineProcess engine(EngineProcess::Conf{{"kyuubi.authentication", "NOSASL"}});
  const long before = engine.rss_kib();
  // A call header, then field 1 (a struct), then field 1 of it as a string of 2 GB.
  std::vector<std::uint8_t> bytes{0x80, 0x01, 0x00, 0x01};
  auto name_len = be32(11);
  bytes.insert(bytes.end(), name_len.begin(), name_len.end());
  const std::string name = "OpenSession";
  bytes.insert(bytes.end(), name.begin(), name.end());
  auto seq = be32(1);
  bytes.insert(bytes.end(), seq.begin(), seq.end());
  bytes.insert(bytes.end(), {0x0c, 0x00, 0x01, 0x0b, 0x00, 0x02});
  auto huge = be32(0x7ffffff0u);
  bytes.insert(bytes.end(), huge.begin(), huge.end());
  for (int i = 0; i < 20; ++i)
    send_and_expect_close(engine, bytes);
  EXPECT_TRUE(engine.wait_for_log(std::regex("exceeds the message size limit"), 5s))
      << engine.log();
  EXPECT_LT(engine.rss_kib() - before, 20 * 1024) << "the engine grew";
  expect_serves(engine, true);
}

TEST(EngineBadInput, OversizedSaslNegotiationMessageIsRefused) {
  EngineProcess engine(EngineProcess::Conf{{"kyuubi.authentication", "NONE"}});
  auto start = sasl_message(1, "PLAIN");
  std::vector<std::uint8_t> bytes = start;
  bytes.push_back(2);
  auto huge = be32(0x7fffffffu);
  bytes.insert(bytes.end(), huge.begin(), huge.end());
  send_and_expect_close(engine, bytes);
  EXPECT_TRUE(
      engine.wait_for_log(std::regex("negotiation message of 2147483647 bytes exceeds"), 5s))
      << engine.log();
  expect_serves(engine, false);
}

TEST(EngineBadInput, RandomBytesAreClosedWithALogLineAndCostNothing) {
  for (const char* auth : {"NONE", "NOSASL"}) {
    SCOPED_TRACE(auth);
    EngineProcess engine(EngineProcess::Conf{{"kyuubi.authentication", auth}});
    const bool nosasl = std::string(auth) == "NOSASL";
    expect_serves(engine, nosasl);  // warm up, so the baseline includes a served session
    const long before = engine.rss_kib();
    std::mt19937 rng(42);
    for (int i = 0; i < 100; ++i) {
      std::vector<std::uint8_t> noise(4096);
      for (auto& b : noise)
        b = static_cast<std::uint8_t>(rng());
      send_and_expect_close(engine, noise);
    }
    EXPECT_TRUE(engine.wait_for_log(std::regex("closing"), 5s)) << engine.log();
    expect_serves(engine, nosasl);
    EXPECT_LT(engine.rss_kib() - before, 20 * 1024) << "the engine grew";
  }
}

TEST(EngineBadInput, GarbageAfterALoginClosesOnlyThatConnection) {
  EngineProcess engine(EngineProcess::Conf{{"kyuubi.authentication", "NONE"}});
  RawSocket s(engine.host(), engine.port());
  s.send(plain_login("alice", "secret"));
  ASSERT_EQ(s.read_exactly(5, 5s).size(), 5u);
  std::vector<std::uint8_t> frame = be32(8);
  frame.insert(frame.end(), {0xde, 0xad, 0xbe, 0xef, 0x00, 0x11, 0x22, 0x33});
  s.send(frame);
  bool closed = false;
  s.read_until_closed(5s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(engine.wait_for_log(std::regex("not a Thrift message"), 5s)) << engine.log();
  expect_serves(engine, false);
}

TEST(EngineBadInput, EmptyPasswordIsRefusedWithSaslBadAndAReason) {
  EngineProcess engine(EngineProcess::Conf{{"kyuubi.authentication", "NONE"}});
  auto reply = send_and_expect_close(engine, plain_login("alice", ""));
  ASSERT_GE(reply.size(), 5u);
  EXPECT_EQ(reply[0], 3) << "expected SASL BAD";
  const std::string text(reply.begin() + 5, reply.end());
  EXPECT_NE(text.find("no password provided"), std::string::npos) << text;
  EXPECT_TRUE(engine.wait_for_log(std::regex("login failed"), 5s)) << engine.log();
}

TEST(EngineBadInput, SilentClientIsClosedAfterTheLoginTimeout) {
  EngineProcess engine(EngineProcess::Conf{{"kyuubi.authentication", "NONE"},
                                           {"kyuubi.frontend.login.timeout", "PT0.5S"}});
  RawSocket s(engine.host(), engine.port());
  bool closed = false;
  s.read_until_closed(5s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(engine.wait_for_log(std::regex("sent nothing within the login timeout"), 5s))
      << engine.log();
}

TEST(EngineBadInput, UnknownMethodGetsAnApplicationExceptionAndTheConnectionStaysUsable) {
  EngineProcess engine(EngineProcess::Conf{{"kyuubi.authentication", "NOSASL"}});
  RawSocket s(engine.host(), engine.port());
  // GetLog, which PyHive tries first, with an empty argument struct.
  std::vector<std::uint8_t> call{0x80, 0x01, 0x00, 0x01};
  auto len = be32(6);
  call.insert(call.end(), len.begin(), len.end());
  const std::string name = "GetLog";
  call.insert(call.end(), name.begin(), name.end());
  auto seq = be32(7);
  call.insert(call.end(), seq.begin(), seq.end());
  call.push_back(0x00);
  ASSERT_TRUE(s.send(call));
  // Header of the reply: version|EXCEPTION, "GetLog", seqid 7.
  auto head = s.read_exactly(4 + 4 + 6 + 4, 5s);
  ASSERT_EQ(head.size(), 18u);
  EXPECT_EQ(head[3], 3) << "message type EXCEPTION";
  EXPECT_EQ(std::string(head.begin() + 8, head.begin() + 14), "GetLog");
  EXPECT_EQ(head[17], 7);
  // The connection is still good: a real call on it succeeds.
  bool closed = false;
  auto rest = s.read_until_closed(300ms, &closed);
  EXPECT_FALSE(closed);
  // TApplicationException body: field 1 message, field 2 type = UNKNOWN_METHOD (1).
  const std::vector<std::uint8_t> type_field{0x08, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01};
  EXPECT_NE(std::search(rest.begin(), rest.end(), type_field.begin(), type_field.end()),
            rest.end());
  ASSERT_TRUE(s.send(open_session_call()));
  auto reply = s.read_exactly(4, 5s);
  ASSERT_EQ(reply.size(), 4u);
  EXPECT_EQ(reply[3], 2) << "message type REPLY";
}

}  // namespace
}  // namespace kitsune::testing
