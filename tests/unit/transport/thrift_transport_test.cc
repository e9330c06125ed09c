// Tests of ThriftTransport on a real loopback TCP pair: unframed and SASL-framed reads however
// the bytes are split, clean and abrupt closes, size refusals made before allocation, deadlines,
// and the bytes write_message puts on the wire.
#include "kitsune/transport/thrift_transport.h"

#include <array>
#include <chrono>
#include <random>
#include <string>
#include <vector>

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

TransportLimits test_limits() {
  TransportLimits limits;
  limits.read_timeout = 5s;
  limits.idle_timeout = 5s;
  return limits;
}

awaitable<void> write_bytes(tcp::socket& socket, std::span<const std::uint8_t> bytes) {
  co_await asio::async_write(socket, as_buffer(bytes), asio::use_awaitable);
}

// Writes `bytes` in pieces ending at `cuts`, letting the reader run between pieces.
awaitable<void> write_in_pieces(tcp::socket& socket, const Bytes& bytes,
                                std::vector<std::size_t> cuts) {
  std::size_t at = 0;
  cuts.push_back(bytes.size());
  for (std::size_t cut : cuts) {
    if (cut <= at) continue;
    co_await write_bytes(socket, testing::slice(bytes, at, cut));
    at = cut;
    co_await testing::yield_a_few_times();
  }
}

std::vector<std::size_t> random_cuts(std::size_t size, unsigned seed, std::size_t max_piece) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> piece(1, max_piece);
  std::vector<std::size_t> cuts;
  for (std::size_t at = piece(rng); at < size; at += piece(rng))
    cuts.push_back(at);
  return cuts;
}

awaitable<Bytes> read_exactly(tcp::socket& socket, std::size_t n) {
  Bytes out(n);
  co_await asio::async_read(socket, as_buffer(std::span<std::uint8_t>(out)), asio::use_awaitable);
  co_return out;
}

// Reads until the other side closes; returns what arrived.
awaitable<Bytes> read_to_end(tcp::socket& socket) {
  Bytes out;
  std::array<std::uint8_t, 4096> buf{};
  while (true) {
    error_code ec;
    std::size_t n = co_await socket.async_read_some(asio::buffer(buf),
                                                    asio::redirect_error(asio::use_awaitable, ec));
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
    if (ec) co_return out;
  }
}

// Reads `count` messages; stops at the first failure, which it records.
struct Reads {
  std::vector<Bytes> messages;
  Status failure;
  Clock::duration failed_after{};
};

awaitable<void> read_messages(ThriftTransport& t, std::size_t count, Reads& out) {
  const auto start = Clock::now();
  for (std::size_t i = 0; i < count; ++i) {
    auto m = co_await t.read_message();
    if (!m) {
      out.failure = m.status();
      out.failed_after = Clock::now() - start;
      co_return;
    }
    out.messages.push_back(testing::to_bytes(*m));
  }
}

TEST(ThriftTransport, ReadsUnframedMessagesWrittenBackToBackInOneWrite) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  const Bytes a = testing::open_session_call(3, 0);
  const Bytes b = testing::fetch_results_reply(2000, 1);
  const Bytes c = testing::open_session_call(1, 2);
  const Bytes all = testing::concat({a, b, c});
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 3, reads); });
  runner.spawn(net.client.get_executor(),
               [&]() -> awaitable<void> { co_await write_bytes(net.client, all); });
  runner.run();
  ASSERT_TRUE(reads.failure.is_ok()) << reads.failure.to_string();
  ASSERT_EQ(reads.messages.size(), 3u);
  EXPECT_EQ(reads.messages[0], a);
  EXPECT_EQ(reads.messages[1], b);
  EXPECT_EQ(reads.messages[2], c);
}

TEST(ThriftTransport, ReadsUnframedMessagesSplitAcrossManyWrites) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  const Bytes a = testing::fetch_results_reply(5000, 1);
  const Bytes b = testing::open_session_call(8, 2);
  const Bytes all = testing::concat({a, b});
  // Small pieces around the header and the boundary between the messages, random ones elsewhere.
  std::vector<std::size_t> cuts{1, 2, 3, 5, 8, 13, 21};
  for (std::size_t cut : random_cuts(a.size(), 7, 9000)) {
    if (cut > 21) cuts.push_back(cut);
  }
  cuts.push_back(a.size() - 1);
  cuts.push_back(a.size());
  cuts.push_back(a.size() + 1);
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 2, reads); });
  runner.spawn(net.client.get_executor(),
               [&]() -> awaitable<void> { co_await write_in_pieces(net.client, all, cuts); });
  runner.run();
  ASSERT_TRUE(reads.failure.is_ok()) << reads.failure.to_string();
  ASSERT_EQ(reads.messages.size(), 2u);
  EXPECT_EQ(reads.messages[0], a);
  EXPECT_EQ(reads.messages[1], b);
}

TEST(ThriftTransport, ReadsAMessageSentOneByteAtATime) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  const Bytes m = testing::open_session_call(2, 5);
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < m.size(); ++i)
    cuts.push_back(i);
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 1, reads); });
  runner.spawn(net.client.get_executor(),
               [&]() -> awaitable<void> { co_await write_in_pieces(net.client, m, cuts); });
  runner.run();
  ASSERT_TRUE(reads.failure.is_ok()) << reads.failure.to_string();
  ASSERT_EQ(reads.messages.size(), 1u);
  EXPECT_EQ(reads.messages[0], m);
}

TEST(ThriftTransport, APeerThatClosesBetweenMessagesEndsWithClosed) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  const Bytes m = testing::open_session_call();
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 2, reads); });
  runner.spawn(net.client.get_executor(), [&]() -> awaitable<void> {
    co_await write_bytes(net.client, m);
    net.client.close();
  });
  runner.run();
  ASSERT_EQ(reads.messages.size(), 1u);
  EXPECT_EQ(reads.messages[0], m);
  EXPECT_EQ(reads.failure.code(), StatusCode::kUnavailable);
  EXPECT_EQ(reads.failure.message(), "closed");
}

TEST(ThriftTransport, APeerThatClosesBeforeSendingAnythingEndsWithClosed) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  net.client.close();
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 1, reads); });
  runner.run();
  EXPECT_EQ(reads.failure.code(), StatusCode::kUnavailable);
  EXPECT_EQ(reads.failure.message(), "closed");
}

TEST(ThriftTransport, APeerThatClosesMidMessageIsNotACleanClose) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  const Bytes m = testing::fetch_results_reply(100);
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 1, reads); });
  runner.spawn(net.client.get_executor(), [&]() -> awaitable<void> {
    co_await write_bytes(net.client, testing::slice(m, 0, m.size() / 2));
    net.client.close();
  });
  runner.run();
  EXPECT_TRUE(reads.messages.empty());
  EXPECT_EQ(reads.failure.code(), StatusCode::kUnavailable);
  EXPECT_NE(reads.failure.message(), "closed");
  EXPECT_NE(reads.failure.message().find("middle of a message"), std::string::npos)
      << reads.failure.message();
}

TEST(ThriftTransport, ReadsSaslFramedMessagesThatSpanSeveralFrames) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  t.set_framing(Framing::kSaslFramed);
  const Bytes m = testing::fetch_results_reply(3000);
  const std::size_t third = m.size() / 3;
  const Bytes wire = testing::concat({testing::sasl_frame(testing::slice(m, 0, 5)),
                                      testing::sasl_frame(testing::slice(m, 5, third)),
                                      testing::sasl_frame(testing::slice(m, third, m.size()))});
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 1, reads); });
  // Pieces that end inside a frame header, on a frame boundary, and inside a payload.
  const std::vector<std::size_t> cuts{2, 4 + 5, 4 + 5 + 4, 4 + 5 + 4 + 100};
  runner.spawn(net.client.get_executor(),
               [&]() -> awaitable<void> { co_await write_in_pieces(net.client, wire, cuts); });
  runner.run();
  ASSERT_TRUE(reads.failure.is_ok()) << reads.failure.to_string();
  ASSERT_EQ(reads.messages.size(), 1u);
  EXPECT_EQ(reads.messages[0], m);
}

TEST(ThriftTransport, ReadsTwoSaslFramedMessagesFromOneFrame) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  t.set_framing(Framing::kSaslFramed);
  const Bytes a = testing::open_session_call(1, 1);
  const Bytes b = testing::open_session_call(2, 2);
  const Bytes c = testing::fetch_results_reply(50, 3);
  // Frame 1: a and the first half of b; frame 2: the rest of b and all of c.
  const Bytes ab = testing::concat({a, b});
  const std::size_t cut = a.size() + b.size() / 2;
  const Bytes abc = testing::concat({a, b, c});
  const Bytes wire = testing::concat({testing::sasl_frame(testing::slice(abc, 0, cut)),
                                      testing::sasl_frame(testing::slice(abc, cut, abc.size()))});
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 3, reads); });
  runner.spawn(net.client.get_executor(),
               [&]() -> awaitable<void> { co_await write_bytes(net.client, wire); });
  runner.run();
  ASSERT_TRUE(reads.failure.is_ok()) << reads.failure.to_string();
  ASSERT_EQ(reads.messages.size(), 3u);
  EXPECT_EQ(reads.messages[0], a);
  EXPECT_EQ(reads.messages[1], b);
  EXPECT_EQ(reads.messages[2], c);
  EXPECT_EQ(testing::concat({reads.messages[0], reads.messages[1]}), ab);
}

TEST(ThriftTransport, SkipsEmptySaslFrames) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  t.set_framing(Framing::kSaslFramed);
  const Bytes m = testing::open_session_call();
  const Bytes wire = testing::concat({testing::sasl_frame({}), testing::sasl_frame(m)});
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 1, reads); });
  runner.spawn(net.client.get_executor(),
               [&]() -> awaitable<void> { co_await write_bytes(net.client, wire); });
  runner.run();
  ASSERT_TRUE(reads.failure.is_ok()) << reads.failure.to_string();
  ASSERT_EQ(reads.messages.size(), 1u);
  EXPECT_EQ(reads.messages[0], m);
}

TEST(ThriftTransport, RefusesAFrameLongerThanTheFrameLimitWithoutReadingItsPayload) {
  Loopback net;
  TransportLimits limits = test_limits();
  limits.max_frame_bytes = 1024;
  ThriftTransport t(std::move(net.server), limits);
  t.set_framing(Framing::kSaslFramed);
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 1, reads); });
  runner.spawn(net.client.get_executor(), [&]() -> awaitable<void> {
    // Only the frame header: a reader that waited for the payload would hit its 5 s deadline.
    co_await write_bytes(net.client, WireBuilder().i32(1 << 20).bytes());
  });
  runner.run();
  EXPECT_EQ(reads.failure.code(), StatusCode::kResourceExhausted) << reads.failure.to_string();
  EXPECT_LT(reads.failed_after, 1s);
}

TEST(ThriftTransport, APeerThatClosesMidFrameIsNotACleanClose) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  t.set_framing(Framing::kSaslFramed);
  const Bytes m = testing::open_session_call();
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 1, reads); });
  runner.spawn(net.client.get_executor(), [&]() -> awaitable<void> {
    const Bytes frame = testing::sasl_frame(m);
    co_await write_bytes(net.client, testing::slice(frame, 0, 20));
    net.client.close();
  });
  runner.run();
  EXPECT_EQ(reads.failure.code(), StatusCode::kUnavailable);
  EXPECT_NE(reads.failure.message(), "closed");
}

TEST(ThriftTransport, APeerThatClosesBetweenFramesOfOneMessageIsNotACleanClose) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  t.set_framing(Framing::kSaslFramed);
  const Bytes m = testing::open_session_call();
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 1, reads); });
  runner.spawn(net.client.get_executor(), [&]() -> awaitable<void> {
    co_await write_bytes(net.client, testing::sasl_frame(testing::slice(m, 0, 30)));
    net.client.close();
  });
  runner.run();
  EXPECT_EQ(reads.failure.code(), StatusCode::kUnavailable);
  EXPECT_NE(reads.failure.message().find("middle of a message"), std::string::npos)
      << reads.failure.message();
}

TEST(ThriftTransport, APeerThatClosesBetweenSaslFramedMessagesEndsWithClosed) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  t.set_framing(Framing::kSaslFramed);
  const Bytes m = testing::open_session_call();
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 2, reads); });
  runner.spawn(net.client.get_executor(), [&]() -> awaitable<void> {
    co_await write_bytes(net.client, testing::sasl_frame(m));
    net.client.close();
  });
  runner.run();
  ASSERT_EQ(reads.messages.size(), 1u);
  EXPECT_EQ(reads.failure.code(), StatusCode::kUnavailable);
  EXPECT_EQ(reads.failure.message(), "closed");
}

TEST(ThriftTransport, RefusesATwoGigabyteStringPrefixOnAnUnframedStreamAtOnce) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 1, reads); });
  runner.spawn(net.client.get_executor(), [&]() -> awaitable<void> {
    co_await write_bytes(net.client, WireBuilder()
                                         .header("OpenSession")
                                         .field(12, 1)
                                         .field(8, 1)
                                         .i32(5)
                                         .field(11, 2)
                                         .i32(0x7fffffff)
                                         .bytes());
  });
  runner.run();
  EXPECT_EQ(reads.failure.code(), StatusCode::kResourceExhausted) << reads.failure.to_string();
  EXPECT_LT(reads.failed_after, 1s);
}

TEST(ThriftTransport, RefusesAMessageOverTheMessageLimit) {
  Loopback net;
  TransportLimits limits = test_limits();
  const Bytes m = testing::fetch_results_reply(1000);
  limits.max_message_bytes = m.size() - 1;
  ThriftTransport t(std::move(net.server), limits);
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 1, reads); });
  runner.spawn(net.client.get_executor(),
               [&]() -> awaitable<void> { co_await write_bytes(net.client, m); });
  runner.run();
  EXPECT_EQ(reads.failure.code(), StatusCode::kResourceExhausted) << reads.failure.to_string();
}

TEST(ThriftTransport, RefusesBytesThatAreNotAThriftMessage) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 1, reads); });
  runner.spawn(net.client.get_executor(), [&]() -> awaitable<void> {
    co_await write_bytes(net.client, testing::to_bytes("GET / HTTP/1.1\r\n\r\n"));
  });
  runner.run();
  EXPECT_EQ(reads.failure.code(), StatusCode::kError) << reads.failure.to_string();
  EXPECT_LT(reads.failed_after, 1s);
}

TEST(ThriftTransport, AnIdleConnectionEndsAtTheIdleDeadline) {
  Loopback net;
  TransportLimits limits = test_limits();
  limits.idle_timeout = 30ms;
  ThriftTransport t(std::move(net.server), limits);
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 1, reads); });
  runner.run();
  EXPECT_EQ(reads.failure.code(), StatusCode::kTimedOut) << reads.failure.to_string();
  EXPECT_GE(reads.failed_after, 30ms);
  EXPECT_LT(reads.failed_after, 2s);
}

awaitable<void> after(asio::any_io_executor ex, Clock::duration d) {
  asio::steady_timer timer(ex);
  timer.expires_after(d);
  co_await timer.async_wait(asio::use_awaitable);
}

TEST(ThriftTransport, ExpireIdleWaitEndsAWaitForTheNextMessageEarly) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());  // idle deadline 5 s
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 1, reads); });
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> {
    co_await after(t.get_executor(), 20ms);
    t.expire_idle_wait(Clock::now() + 30ms);
  });
  runner.run();
  EXPECT_EQ(reads.failure.code(), StatusCode::kTimedOut) << reads.failure.to_string();
  EXPECT_GE(reads.failed_after, 50ms);
  EXPECT_LT(reads.failed_after, 2s);
}

TEST(ThriftTransport, ExpireIdleWaitStillReadsAMessageThatArrivesWithinTheGrace) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  const Bytes call = testing::open_session_call(3, 0);
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 1, reads); });
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> {
    t.expire_idle_wait(Clock::now() + 1s);
    co_return;
  });
  runner.spawn(net.client.get_executor(), [&]() -> awaitable<void> {
    co_await after(net.client.get_executor(), 50ms);
    co_await write_bytes(net.client, call);
  });
  runner.run();
  ASSERT_TRUE(reads.failure.is_ok()) << reads.failure.to_string();
  ASSERT_EQ(reads.messages.size(), 1u);
  EXPECT_EQ(reads.messages[0], call);
}

TEST(ThriftTransport, AMessageThatStopsArrivingEndsAtTheReadDeadline) {
  Loopback net;
  TransportLimits limits = test_limits();
  limits.read_timeout = 40ms;
  ThriftTransport t(std::move(net.server), limits);
  const Bytes m = testing::open_session_call();
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 1, reads); });
  runner.spawn(net.client.get_executor(), [&]() -> awaitable<void> {
    co_await write_bytes(net.client, testing::slice(m, 0, 10));  // and then nothing, socket open
  });
  runner.run();
  EXPECT_EQ(reads.failure.code(), StatusCode::kTimedOut) << reads.failure.to_string();
  EXPECT_GE(reads.failed_after, 40ms);
  EXPECT_LT(reads.failed_after, 2s);
}

TEST(ThriftTransport, AFramedMessageThatStopsArrivingEndsAtTheReadDeadline) {
  Loopback net;
  TransportLimits limits = test_limits();
  limits.read_timeout = 40ms;
  ThriftTransport t(std::move(net.server), limits);
  t.set_framing(Framing::kSaslFramed);
  const Bytes m = testing::open_session_call();
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> { co_await read_messages(t, 1, reads); });
  runner.spawn(net.client.get_executor(), [&]() -> awaitable<void> {
    co_await write_bytes(net.client, testing::sasl_frame(testing::slice(m, 0, 10)));
  });
  runner.run();
  EXPECT_EQ(reads.failure.code(), StatusCode::kTimedOut) << reads.failure.to_string();
  EXPECT_LT(reads.failed_after, 2s);
}

TEST(ThriftTransport, WriteMessagePutsUnframedBytesOnTheWireAsTheyAre) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  const Bytes m = testing::fetch_results_reply(500);
  Status written;
  Bytes seen;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(),
               [&]() -> awaitable<void> { written = co_await t.write_message(m); });
  runner.spawn(net.client.get_executor(),
               [&]() -> awaitable<void> { seen = co_await read_exactly(net.client, m.size()); });
  runner.run();
  ASSERT_TRUE(written.is_ok()) << written.to_string();
  EXPECT_EQ(seen, m);
}

TEST(ThriftTransport, WriteMessagePutsALengthPrefixedFrameOnTheWireWhenSaslFramed) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  t.set_framing(Framing::kSaslFramed);
  const Bytes a = testing::open_session_call(1, 1);
  const Bytes b = testing::fetch_results_reply(300, 2);
  Status wa;
  Status wb;
  Bytes seen;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> {
    wa = co_await t.write_message(a);
    wb = co_await t.write_message(b);
    t.close();
  });
  runner.spawn(net.client.get_executor(),
               [&]() -> awaitable<void> { seen = co_await read_to_end(net.client); });
  runner.run();
  ASSERT_TRUE(wa.is_ok() && wb.is_ok());
  const Bytes expected = testing::concat({testing::sasl_frame(a), testing::sasl_frame(b)});
  ASSERT_EQ(seen.size(), expected.size());
  EXPECT_EQ(seen, expected);
  // The header is the big-endian payload length.
  const std::uint32_t len = (std::uint32_t{seen[0]} << 24) | (std::uint32_t{seen[1]} << 16) |
                            (std::uint32_t{seen[2]} << 8) | std::uint32_t{seen[3]};
  EXPECT_EQ(len, a.size());
}

TEST(ThriftTransport, PeekByteShowsTheFirstByteWithoutConsumingIt) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  const Bytes m = testing::open_session_call();
  std::uint8_t first = 0;
  Reads reads;
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> {
    auto b = co_await t.peek_byte(Clock::now() + 5s);
    if (b) first = *b;
    co_await read_messages(t, 1, reads);
  });
  runner.spawn(net.client.get_executor(),
               [&]() -> awaitable<void> { co_await write_bytes(net.client, m); });
  runner.run();
  EXPECT_EQ(first, 0x80);
  ASSERT_EQ(reads.messages.size(), 1u);
  EXPECT_EQ(reads.messages[0], m);
}

TEST(ThriftTransport, PeekByteReportsACloseAndADeadline) {
  {
    Loopback net;
    ThriftTransport t(std::move(net.server), test_limits());
    net.client.close();
    Status s;
    CoroutineRunner runner(net.io);
    runner.spawn(t.get_executor(), [&]() -> awaitable<void> {
      auto b = co_await t.peek_byte(Clock::now() + 5s);
      if (!b) s = b.status();
    });
    runner.run();
    EXPECT_EQ(s.code(), StatusCode::kUnavailable);
    EXPECT_EQ(s.message(), "closed");
  }
  {
    Loopback net;
    ThriftTransport t(std::move(net.server), test_limits());
    Status s;
    CoroutineRunner runner(net.io);
    runner.spawn(t.get_executor(), [&]() -> awaitable<void> {
      auto b = co_await t.peek_byte(Clock::now() + 20ms);
      if (!b) s = b.status();
    });
    runner.run();
    EXPECT_EQ(s.code(), StatusCode::kTimedOut);
  }
}

TEST(ThriftTransport, ReadExactEndsAtItsDeadline) {
  Loopback net;
  ThriftTransport t(std::move(net.server), test_limits());
  Status s;
  Clock::duration took{};
  CoroutineRunner runner(net.io);
  runner.spawn(t.get_executor(), [&]() -> awaitable<void> {
    std::array<std::uint8_t, 5> buf{};
    const auto start = Clock::now();
    s = co_await t.read_exact(buf, start + 30ms);
    took = Clock::now() - start;
  });
  const Bytes two_of_five{1, 2};
  runner.spawn(net.client.get_executor(),
               [&]() -> awaitable<void> { co_await write_bytes(net.client, two_of_five); });
  runner.run();
  EXPECT_EQ(s.code(), StatusCode::kTimedOut);
  EXPECT_LT(took, 2s);
}

TEST(ThriftTransport, KnowsItsPeerAndClosesOnce) {
  Loopback net;
  const auto client_port = net.client.local_endpoint().port();
  ThriftTransport t(std::move(net.server), test_limits());
  EXPECT_EQ(t.peer(), "127.0.0.1:" + std::to_string(client_port));
  EXPECT_EQ(t.peer_ip(), "127.0.0.1");
  EXPECT_TRUE(t.is_open());
  t.close();
  EXPECT_FALSE(t.is_open());
  t.close();
  EXPECT_FALSE(t.is_open());
}

}  // namespace
}  // namespace kitsune::transport
