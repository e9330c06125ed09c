// Tests of SASL over Thrift: negotiation message bytes, the PLAIN server handshake against the
// bytes real clients send (PyHive/impyla, hive-driver, JDBC), its refusals, and the client side.
#include "kitsune/transport/sasl.h"

#include <array>
#include <chrono>
#include <string>

#include <gtest/gtest.h>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "coroutine_runner.h"
#include "wire.h"

namespace kitsune::transport {
namespace {

using namespace std::chrono_literals;
using Clock = ThriftTransport::Clock;
using testing::Bytes;
using testing::CoroutineRunner;
using testing::Loopback;
using testing::WireBuilder;

constexpr std::size_t kCap = 64 * 1024;

// Accepts alice/secret and nothing else, counting how often it is asked.
class AliceOnly final : public auth::PasswordAuthenticator {
 public:
  std::string_view name() const override { return "TEST"; }
  awaitable<Status> authenticate(const std::string& user, const std::string& password,
                                 const auth::ClientInfo&) override {
    ++calls;
    if (user == "alice" && password == "secret") co_return Status::ok();
    co_return Status::unauthenticated("wrong user name or password");
  }
  int calls = 0;
};

TransportLimits test_limits() {
  TransportLimits limits;
  limits.read_timeout = 5s;
  limits.idle_timeout = 5s;
  return limits;
}

Bytes sasl(SaslStatus status, std::string_view payload) {
  return encode_sasl_message(status, payload);
}

std::string plain_response(std::string_view authzid, std::string_view user,
                           std::string_view password) {
  std::string r(authzid);
  r += '\0';
  r += user;
  r += '\0';
  r += password;
  return r;
}

awaitable<void> write_bytes(tcp::socket& socket, std::span<const std::uint8_t> bytes) {
  co_await asio::async_write(socket, as_buffer(bytes), asio::use_awaitable);
}

// What a raw client saw from the server: one negotiation message, or nothing before the close.
struct Reply {
  bool received = false;
  bool closed_before_a_byte = false;
  std::uint8_t status = 0;
  std::string payload;
  Bytes raw;
};

awaitable<Reply> read_reply(tcp::socket& socket) {
  Reply r;
  std::array<std::uint8_t, 5> header{};
  error_code ec;
  const std::size_t got = co_await asio::async_read(socket, asio::buffer(header),
                                                    asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    r.closed_before_a_byte = got == 0;
    co_return r;
  }
  const std::size_t len = (std::size_t{header[1]} << 24) | (std::size_t{header[2]} << 16) |
                          (std::size_t{header[3]} << 8) | std::size_t{header[4]};
  std::string payload(len, '\0');
  co_await asio::async_read(socket, asio::buffer(payload),
                            asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return r;
  r.received = true;
  r.status = header[0];
  r.payload = payload;
  r.raw.assign(header.begin(), header.end());
  r.raw.insert(r.raw.end(), payload.begin(), payload.end());
  co_return r;
}

// Whether the other side closed without sending anything more. Call it at most once after an
// end of stream: with Boost 1.74's edge-triggered epoll a second read after EOF never completes.
awaitable<bool> closed_without_more(tcp::socket& socket) {
  std::array<std::uint8_t, 1> b{};
  error_code ec;
  std::size_t n = co_await socket.async_read_some(asio::buffer(b),
                                                  asio::redirect_error(asio::use_awaitable, ec));
  co_return n == 0 && ec;
}

// The server side of one connection: a handshake with PLAIN backed by AliceOnly.
struct Server {
  std::shared_ptr<AliceOnly> auth = std::make_shared<AliceOnly>();
  SaslMechanismFactory factory =
      [a = auth](std::string_view mechanism) -> std::unique_ptr<SaslServerMechanism> {
    if (mechanism == "PLAIN") return make_plain_mechanism(a, auth::ClientInfo{"127.0.0.1", 1});
    return nullptr;
  };
  Result<SaslIdentity> result = Status::internal("the handshake did not run");
  Framing framing_after = Framing::kUnframed;
  Clock::duration took{};

  awaitable<void> handshake(ThriftTransport& t, std::size_t cap = kCap,
                            std::chrono::milliseconds deadline = 5s) {
    const auto start = Clock::now();
    result = co_await sasl_server_handshake(t, factory, cap, start + deadline);
    took = Clock::now() - start;
    framing_after = t.framing();
  }
};

// Runs a server handshake against `client_bytes` written by a raw client, then closes the
// server's side; returns what the client received.
Reply run_refused(Server& server, const Bytes& client_bytes, std::size_t cap = kCap,
                  std::chrono::milliseconds deadline = 5s, bool* closed_after = nullptr) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  Reply reply;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> {
    co_await server.handshake(t, cap, deadline);
    t.close();
  });
  runner.spawn(net.client.get_executor(), [&]() -> awaitable<void> {
    if (!client_bytes.empty()) co_await write_bytes(net.client, client_bytes);
    reply = co_await read_reply(net.client);
    const bool closed =
        reply.received ? co_await closed_without_more(net.client) : reply.closed_before_a_byte;
    if (closed_after) *closed_after = closed;
  });
  runner.run();
  return reply;
}

TEST(EncodeSaslMessage, WritesTheStatusByteABigEndianLengthAndThePayload) {
  EXPECT_EQ(encode_sasl_message(SaslStatus::kStart, "PLAIN"),
            (Bytes{0x01, 0x00, 0x00, 0x00, 0x05, 'P', 'L', 'A', 'I', 'N'}));
  EXPECT_EQ(encode_sasl_message(SaslStatus::kComplete, ""), (Bytes{0x05, 0x00, 0x00, 0x00, 0x00}));
  const Bytes pyhive = encode_sasl_message(SaslStatus::kOk, plain_response("", "alice", "secret"));
  const Bytes captured = testing::concat(
      {Bytes{0x02, 0x00, 0x00, 0x00, 0x0d}, testing::to_bytes(std::string("\0alice\0secret", 13))});
  EXPECT_EQ(pyhive, captured);
  const Bytes long_one =
      encode_sasl_message(SaslStatus::kBad, std::string(0x01020304 & 0xffff, 'x'));
  EXPECT_EQ(long_one[0], 0x03);
  EXPECT_EQ(long_one[1], 0x00);
  EXPECT_EQ(long_one[2], 0x00);
  EXPECT_EQ(long_one[3], 0x03);
  EXPECT_EQ(long_one[4], 0x04);
  EXPECT_EQ(long_one.size(), 5u + 0x0304u);
}

// A successful PLAIN login from a raw client, followed by one framed call and reply.
struct Success {
  Server server;
  Bytes reply_bytes;
  Bytes call_seen_by_server;
  Bytes reply_seen_by_client;
};

void run_successful_login(Success& s, const Bytes& client_bytes) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  const Bytes call = testing::open_session_call(2, 1);
  const Bytes answer = testing::fetch_results_reply(20, 1);
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> {
    co_await s.server.handshake(t);
    if (!s.server.result) co_return;
    auto m = co_await t.read_message();
    if (!m) co_return;
    s.call_seen_by_server = testing::to_bytes(*m);
    (void)co_await t.write_message(answer);
  });
  runner.spawn(net.client.get_executor(), [&]() -> awaitable<void> {
    co_await write_bytes(net.client, client_bytes);
    Bytes five(5);
    co_await asio::async_read(net.client, asio::buffer(five), asio::use_awaitable);
    s.reply_bytes = five;
    // The data phase is SASL-framed from here on.
    co_await write_bytes(net.client, testing::sasl_frame(call));
    Bytes framed(4 + answer.size());
    co_await asio::async_read(net.client, asio::buffer(framed), asio::use_awaitable);
    s.reply_seen_by_client = framed;
  });
  runner.run();
  EXPECT_EQ(s.call_seen_by_server, call);
  EXPECT_EQ(s.reply_seen_by_client, testing::sasl_frame(answer));
}

TEST(SaslServerHandshake, AcceptsPyHiveStylePlainWithAnEmptyAuthzid) {
  Success s;
  run_successful_login(
      s, testing::concat({sasl(SaslStatus::kStart, "PLAIN"),
                          sasl(SaslStatus::kOk, plain_response("", "alice", "secret"))}));
  ASSERT_TRUE(s.server.result.is_ok()) << s.server.result.status().to_string();
  EXPECT_EQ(s.server.result->mechanism, "PLAIN");
  EXPECT_EQ(s.server.result->user, "alice");
  EXPECT_EQ(s.reply_bytes, (Bytes{0x05, 0x00, 0x00, 0x00, 0x00}));
  EXPECT_EQ(s.server.framing_after, Framing::kSaslFramed);
  EXPECT_EQ(s.server.auth->calls, 1);
}

TEST(SaslServerHandshake, AcceptsHiveDriverStylePlainWithTheUserAsAuthzid) {
  Success s;
  run_successful_login(
      s, testing::concat({sasl(SaslStatus::kStart, "PLAIN"),
                          sasl(SaslStatus::kOk, plain_response("alice", "alice", "secret"))}));
  ASSERT_TRUE(s.server.result.is_ok()) << s.server.result.status().to_string();
  EXPECT_EQ(s.server.result->user, "alice");
  EXPECT_EQ(s.reply_bytes, (Bytes{0x05, 0x00, 0x00, 0x00, 0x00}));
  EXPECT_EQ(s.server.framing_after, Framing::kSaslFramed);
}

TEST(SaslServerHandshake, AcceptsJdbcStylePlainSentWithComplete) {
  Success s;
  run_successful_login(
      s, testing::concat({sasl(SaslStatus::kStart, "PLAIN"),
                          sasl(SaslStatus::kComplete, plain_response("", "alice", "secret"))}));
  ASSERT_TRUE(s.server.result.is_ok()) << s.server.result.status().to_string();
  EXPECT_EQ(s.server.result->user, "alice");
  EXPECT_EQ(s.reply_bytes, (Bytes{0x05, 0x00, 0x00, 0x00, 0x00}));
  EXPECT_EQ(s.server.framing_after, Framing::kSaslFramed);
}

void expect_plain_refused(const std::string& response, std::string_view why, int auth_calls) {
  Server server;
  bool closed = false;
  const Reply reply = run_refused(
      server, testing::concat({sasl(SaslStatus::kStart, "PLAIN"), sasl(SaslStatus::kOk, response)}),
      kCap, 5s, &closed);
  ASSERT_FALSE(server.result.is_ok());
  EXPECT_EQ(server.result.status().code(), StatusCode::kUnauthenticated);
  ASSERT_TRUE(reply.received);
  EXPECT_EQ(reply.status, static_cast<std::uint8_t>(SaslStatus::kBad));
  EXPECT_NE(reply.payload.find("Error validating the login"), std::string::npos) << reply.payload;
  EXPECT_NE(reply.payload.find(why), std::string::npos) << reply.payload;
  EXPECT_EQ(server.result.status().message(), reply.payload);
  EXPECT_EQ(server.auth->calls, auth_calls);
  EXPECT_EQ(server.framing_after, Framing::kUnframed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(reply.payload.find("secret"), std::string::npos) << "the password leaked";
}

TEST(SaslServerHandshake, RefusesAnEmptyUserBeforeAskingTheAuthenticator) {
  expect_plain_refused(plain_response("", "", "secret"), "no user name", 0);
}

TEST(SaslServerHandshake, RefusesAnEmptyPasswordBeforeAskingTheAuthenticator) {
  expect_plain_refused(plain_response("", "alice", ""), "no password", 0);
}

TEST(SaslServerHandshake, RefusesAWrongPasswordWithTheAuthenticatorsMessage) {
  expect_plain_refused(plain_response("", "alice", "Secret"), "wrong user name or password", 1);
}

TEST(SaslServerHandshake, RefusesAnAuthzidThatDiffersFromTheUser) {
  expect_plain_refused(plain_response("bob", "alice", "secret"), "authorization id 'bob'", 0);
}

TEST(SaslServerHandshake, RefusesAPlainResponseWithoutTwoSeparators) {
  expect_plain_refused("alicesecret", "malformed", 0);
  expect_plain_refused(std::string("alice\0secret", 12), "malformed", 0);
  expect_plain_refused(std::string("\0alice\0sec\0ret", 14), "malformed", 0);
}

TEST(SaslServerHandshake, AnswersBadToAnUnknownMechanism) {
  Server server;
  const Reply reply = run_refused(server, sasl(SaslStatus::kStart, "GSSAPI"));
  ASSERT_FALSE(server.result.is_ok());
  EXPECT_EQ(server.result.status().code(), StatusCode::kUnauthenticated);
  ASSERT_TRUE(reply.received);
  EXPECT_EQ(reply.status, 0x03);
  EXPECT_EQ(reply.payload, "Unsupported mechanism type GSSAPI");
  EXPECT_EQ(server.auth->calls, 0);
}

TEST(SaslServerHandshake, AnswersErrorWhenTheFirstMessageIsNotStart) {
  Server server;
  const Reply reply =
      run_refused(server, sasl(SaslStatus::kOk, plain_response("", "alice", "secret")));
  ASSERT_FALSE(server.result.is_ok());
  EXPECT_EQ(server.result.status().code(), StatusCode::kError);
  ASSERT_TRUE(reply.received);
  EXPECT_EQ(reply.status, 0x04);
  EXPECT_EQ(reply.payload, "Expecting START status, received 2");
  EXPECT_EQ(server.auth->calls, 0);
}

TEST(SaslServerHandshake, AnswersErrorToAnInvalidStatusByte) {
  // A NOSASL client's first five bytes: 80 01 00 01 00.
  Server server;
  const Reply reply = run_refused(server, Bytes{0x80, 0x01, 0x00, 0x01, 0x00});
  ASSERT_FALSE(server.result.is_ok());
  EXPECT_EQ(server.result.status().code(), StatusCode::kError);
  ASSERT_TRUE(reply.received);
  EXPECT_EQ(reply.status, 0x04);
  EXPECT_NE(reply.payload.find("128"), std::string::npos) << reply.payload;
}

TEST(SaslServerHandshake, AnswersErrorToAnInvalidStatusByteAfterStart) {
  Server server;
  const Reply reply = run_refused(
      server, testing::concat({sasl(SaslStatus::kStart, "PLAIN"), Bytes{0x09, 0, 0, 0, 0}}));
  ASSERT_FALSE(server.result.is_ok());
  EXPECT_EQ(server.result.status().code(), StatusCode::kError);
  ASSERT_TRUE(reply.received) << "the client was told nothing";
  EXPECT_EQ(reply.status, 0x04);
}

TEST(SaslServerHandshake, EndsWhenTheClientSendsBad) {
  Server server;
  bool closed = false;
  run_refused(server,
              testing::concat({sasl(SaslStatus::kStart, "PLAIN"), sasl(SaslStatus::kBad, "bye")}),
              kCap, 5s, &closed);
  ASSERT_FALSE(server.result.is_ok());
  EXPECT_EQ(server.result.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(server.result.status().message().find("bye"), std::string::npos);
  EXPECT_EQ(server.auth->calls, 0);
}

TEST(SaslServerHandshake, RefusesANegotiationMessageLongerThanTheCapWithoutReadingIt) {
  Server server;
  // START declaring 1 MiB of mechanism name; none of it is sent.
  const Bytes header = WireBuilder().u8(0x01).i32(1 << 20).bytes();
  const Reply reply = run_refused(server, header, 1024);
  ASSERT_FALSE(server.result.is_ok());
  EXPECT_EQ(server.result.status().code(), StatusCode::kResourceExhausted);
  EXPECT_LT(server.took, 1s);
  ASSERT_TRUE(reply.received) << "the client was told nothing";
  EXPECT_EQ(reply.status, 0x04);
  EXPECT_NE(reply.payload.find("Invalid payload header length"), std::string::npos);
}

TEST(SaslServerHandshake, RefusesANegativeNegotiationLength) {
  Server server;
  run_refused(server, WireBuilder().u8(0x01).i32(-1).bytes());
  ASSERT_FALSE(server.result.is_ok());
  EXPECT_NE(server.result.status().code(), StatusCode::kOk);
  EXPECT_LT(server.took, 1s);
}

TEST(SaslServerHandshake, EndsAtTheLoginDeadline) {
  Server server;
  bool closed = false;
  // Three bytes of a START header, then silence.
  const Reply reply = run_refused(server, Bytes{0x01, 0x00, 0x00}, kCap, 30ms, &closed);
  ASSERT_FALSE(server.result.is_ok());
  EXPECT_EQ(server.result.status().code(), StatusCode::kTimedOut);
  EXPECT_GE(server.took, 30ms);
  EXPECT_LT(server.took, 2s);
  EXPECT_FALSE(reply.received);
  EXPECT_TRUE(closed);
}

TEST(SaslServerHandshake, EndsAtTheLoginDeadlineBetweenStartAndTheResponse) {
  Server server;
  run_refused(server, sasl(SaslStatus::kStart, "PLAIN"), kCap, 30ms);
  ASSERT_FALSE(server.result.is_ok());
  EXPECT_EQ(server.result.status().code(), StatusCode::kTimedOut);
  EXPECT_EQ(server.auth->calls, 0);
}

TEST(SaslClientPlain, LogsInAgainstTheServerHandshakeAndSwitchesToFraming) {
  Loopback net;
  ThriftTransport server_side(std::move(net.server), test_limits());
  ThriftTransport client_side(std::move(net.client), test_limits());
  Server server;
  Status client_status = Status::internal("not run");
  const Bytes call = testing::open_session_call(3, 1);
  const Bytes answer = testing::fetch_results_reply(100, 1);
  Bytes server_got;
  Bytes client_got;
  CoroutineRunner runner(net.io);
  runner.spawn(server_side.get_executor(), [&]() -> awaitable<void> {
    co_await server.handshake(server_side);
    if (!server.result) co_return;
    auto m = co_await server_side.read_message();
    if (!m) co_return;
    server_got = testing::to_bytes(*m);
    (void)co_await server_side.write_message(answer);
  });
  runner.spawn(client_side.get_executor(), [&]() -> awaitable<void> {
    client_status =
        co_await sasl_client_plain(client_side, "alice", "secret", kCap, Clock::now() + 5s);
    if (!client_status.is_ok()) co_return;
    (void)co_await client_side.write_message(call);
    auto m = co_await client_side.read_message();
    if (m) client_got = testing::to_bytes(*m);
  });
  runner.run();
  ASSERT_TRUE(client_status.is_ok()) << client_status.to_string();
  ASSERT_TRUE(server.result.is_ok()) << server.result.status().to_string();
  EXPECT_EQ(server.result->user, "alice");
  EXPECT_EQ(client_side.framing(), Framing::kSaslFramed);
  EXPECT_EQ(server_side.framing(), Framing::kSaslFramed);
  EXPECT_EQ(server_got, call);
  EXPECT_EQ(client_got, answer);
}

TEST(SaslClientPlain, ReportsTheServersReasonForAWrongPassword) {
  Loopback net;
  ThriftTransport server_side(std::move(net.server), test_limits());
  ThriftTransport client_side(std::move(net.client), test_limits());
  Server server;
  Status client_status;
  CoroutineRunner runner(net.io);
  runner.spawn(server_side.get_executor(),
               [&]() -> awaitable<void> { co_await server.handshake(server_side); });
  runner.spawn(client_side.get_executor(), [&]() -> awaitable<void> {
    client_status =
        co_await sasl_client_plain(client_side, "alice", "guess", kCap, Clock::now() + 5s);
  });
  runner.run();
  EXPECT_EQ(client_status.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(client_status.message().find("wrong user name or password"), std::string::npos)
      << client_status.message();
  EXPECT_EQ(server.result.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(client_side.framing(), Framing::kUnframed);
}

// A raw server that reads the client's START and response, then answers with `answer`.
void run_client_against(const Bytes& answer, Status& client_status, Bytes& client_sent,
                        Framing& framing_after) {
  Loopback net;
  ThriftTransport client_side(std::move(net.client), test_limits());
  const std::size_t expected_size = 10 + 5 + 13;
  CoroutineRunner runner(net.io);
  runner.spawn(net.server.get_executor(), [&]() -> awaitable<void> {
    client_sent.resize(expected_size);
    co_await asio::async_read(net.server, asio::buffer(client_sent), asio::use_awaitable);
    co_await write_bytes(net.server, answer);
  });
  runner.spawn(client_side.get_executor(), [&]() -> awaitable<void> {
    client_status =
        co_await sasl_client_plain(client_side, "alice", "secret", kCap, Clock::now() + 5s);
    framing_after = client_side.framing();
  });
  runner.run();
}

TEST(SaslClientPlain, SendsStartThenCompleteWithTheInitialResponseAsJavaDoes) {
  Status status;
  Bytes sent;
  Framing framing = Framing::kUnframed;
  run_client_against(sasl(SaslStatus::kComplete, ""), status, sent, framing);
  EXPECT_TRUE(status.is_ok()) << status.to_string();
  EXPECT_EQ(framing, Framing::kSaslFramed);
  EXPECT_EQ(sent,
            testing::concat({sasl(SaslStatus::kStart, "PLAIN"),
                             sasl(SaslStatus::kComplete, plain_response("", "alice", "secret"))}));
}

TEST(SaslClientPlain, ReportsAServerThatAnswersBad) {
  Status status;
  Bytes sent;
  Framing framing = Framing::kSaslFramed;
  run_client_against(sasl(SaslStatus::kBad, "go away"), status, sent, framing);
  EXPECT_EQ(status.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(status.message().find("go away"), std::string::npos) << status.message();
  EXPECT_EQ(framing, Framing::kUnframed);
}

TEST(SaslClientPlain, ReportsAServerThatAnswersSomethingUnexpected) {
  Status status;
  Bytes sent;
  Framing framing = Framing::kSaslFramed;
  run_client_against(sasl(SaslStatus::kOk, "more?"), status, sent, framing);
  EXPECT_EQ(status.code(), StatusCode::kError);
  EXPECT_EQ(framing, Framing::kUnframed);
}

}  // namespace
}  // namespace kitsune::transport
