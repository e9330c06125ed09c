// Tests of MessageScanner over real TCLIService messages and hand-built malformed ones: where a
// message ends, resumption, and refusals made before the bytes they would cost arrive.
#include "kitsune/transport/message_scanner.h"

#include <limits>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "wire.h"

namespace kitsune::transport {
namespace {

using Outcome = MessageScanner::Outcome;
using testing::Bytes;
using testing::WireBuilder;

constexpr std::size_t kLimit = 104857600;

std::span<const std::uint8_t> prefix(const Bytes& b, std::size_t n) {
  return std::span<const std::uint8_t>(b).first(n);
}

// Feeds `message` to one scanner in growing prefixes whose ends are `cuts`; every proper prefix
// must ask for more, never for more than the rest of the message, and the whole must complete.
void expect_resumable(const Bytes& message, const std::vector<std::size_t>& cuts) {
  MessageScanner scanner(kLimit);
  for (std::size_t n : cuts) {
    ASSERT_LT(n, message.size());
    const Outcome o = scanner.scan(prefix(message, n));
    ASSERT_EQ(o, Outcome::kNeedMore)
        << "at " << n << " of " << message.size() << ": " << scanner.error();
    ASSERT_GE(scanner.needed(), 1u) << "at " << n;
    ASSERT_LE(n + scanner.needed(), message.size()) << "at " << n;
  }
  ASSERT_EQ(scanner.scan(message), Outcome::kComplete) << scanner.error();
  EXPECT_EQ(scanner.size(), message.size());
}

std::vector<std::size_t> every_byte(std::size_t size) {
  std::vector<std::size_t> cuts(size);
  for (std::size_t i = 0; i < size; ++i)
    cuts[i] = i;
  return cuts;
}

std::vector<std::size_t> random_cuts(std::size_t size, unsigned seed, std::size_t max_chunk) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> chunk(1, max_chunk);
  std::vector<std::size_t> cuts{0};
  for (std::size_t at = chunk(rng); at < size; at += chunk(rng))
    cuts.push_back(at);
  return cuts;
}

TEST(MessageScanner, CompletesOnTheExactBytesOfAnOpenSessionCall) {
  const Bytes m = testing::open_session_call();
  MessageScanner scanner(kLimit);
  ASSERT_EQ(scanner.scan(m), Outcome::kComplete) << scanner.error();
  EXPECT_EQ(scanner.size(), m.size());
}

TEST(MessageScanner, CompletesOnTheExactBytesOfALargeFetchResultsReply) {
  const Bytes m = testing::fetch_results_reply(5000);
  ASSERT_GT(m.size(), 100000u);
  MessageScanner scanner(kLimit);
  ASSERT_EQ(scanner.scan(m), Outcome::kComplete) << scanner.error();
  EXPECT_EQ(scanner.size(), m.size());
}

TEST(MessageScanner, NeedsMoreForEveryProperPrefixWhenScanningAfresh) {
  const Bytes m = testing::open_session_call();
  for (std::size_t n = 0; n < m.size(); ++n) {
    MessageScanner scanner(kLimit);
    ASSERT_EQ(scanner.scan(prefix(m, n)), Outcome::kNeedMore) << "prefix " << n;
    ASSERT_GE(scanner.needed(), 1u);
    ASSERT_LE(n + scanner.needed(), m.size()) << "prefix " << n;
  }
}

TEST(MessageScanner, ResumesWhenFedOneByteAtATime) {
  const Bytes open = testing::open_session_call(16);
  expect_resumable(open, every_byte(open.size()));
  const Bytes fetch = testing::fetch_results_reply(3000);
  expect_resumable(fetch, every_byte(fetch.size()));
}

TEST(MessageScanner, ResumesWhenFedInRandomChunks) {
  const Bytes fetch = testing::fetch_results_reply(5000);
  for (unsigned seed : {1u, 2u, 3u, 42u}) {
    SCOPED_TRACE(seed);
    expect_resumable(fetch, random_cuts(fetch.size(), seed, 4096));
    expect_resumable(fetch, random_cuts(fetch.size(), seed, 13));
  }
}

TEST(MessageScanner, StopsAtTheEndOfTheFirstMessageWhenAnotherFollows) {
  const Bytes first = testing::open_session_call(3, 0);
  const Bytes second = testing::fetch_results_reply(10, 1);
  const Bytes both = testing::concat({first, second});

  MessageScanner scanner(kLimit);
  ASSERT_EQ(scanner.scan(testing::slice(both, 0, first.size() + 7)), Outcome::kComplete);
  EXPECT_EQ(scanner.size(), first.size());

  scanner.reset();
  ASSERT_EQ(scanner.scan(both), Outcome::kComplete);
  EXPECT_EQ(scanner.size(), first.size());

  scanner.reset();
  ASSERT_EQ(scanner.scan(testing::slice(both, first.size(), both.size())), Outcome::kComplete);
  EXPECT_EQ(scanner.size(), second.size());
}

TEST(MessageScanner, ResetForgetsAMessageInProgress) {
  const Bytes a = testing::fetch_results_reply(50);
  const Bytes b = testing::open_session_call();
  MessageScanner scanner(kLimit);
  ASSERT_EQ(scanner.scan(prefix(a, a.size() / 2)), Outcome::kNeedMore);
  scanner.reset();
  ASSERT_EQ(scanner.scan(b), Outcome::kComplete);
  EXPECT_EQ(scanner.size(), b.size());
}

TEST(MessageScanner, NeededSaysHowManyBytesTheNextStepLacks) {
  const Bytes m = WireBuilder()
                      .header("GetInfo")
                      .field(ttype::kString, 1)
                      .str(std::string(100, 'x'))
                      .stop()
                      .bytes();
  MessageScanner scanner(kLimit);
  ASSERT_EQ(scanner.scan(prefix(m, 3)), Outcome::kNeedMore);
  EXPECT_EQ(scanner.needed(), 5u);  // the rest of version word and name length
  ASSERT_EQ(scanner.scan(prefix(m, 8)), Outcome::kNeedMore);
  EXPECT_EQ(scanner.needed(), 11u);  // "GetInfo" and the seqid
  const std::size_t string_start = 8 + 7 + 4 + 3;
  ASSERT_EQ(scanner.scan(prefix(m, string_start + 4)), Outcome::kNeedMore);
  EXPECT_EQ(scanner.needed(), 100u);  // the whole string body, known from its length
}

TEST(MessageScanner, AcceptsAMessageOfExactlyTheLimitAndRefusesOneByteMore) {
  const Bytes m = testing::open_session_call();
  MessageScanner exact(m.size());
  EXPECT_EQ(exact.scan(m), Outcome::kComplete);
  MessageScanner under(m.size() - 1);
  EXPECT_EQ(under.scan(m), Outcome::kTooLarge);
  EXPECT_FALSE(under.error().empty());
}

TEST(MessageScanner, RefusesAStringLengthBeyondTheMessageLimitBeforeItArrives) {
  // A 2 GB string length prefix: nothing after the length bytes has arrived.
  const Bytes m =
      WireBuilder().header("OpenSession").field(ttype::kString, 1).i32(0x7fffffff).bytes();
  MessageScanner scanner(1 << 20);
  ASSERT_EQ(scanner.scan(prefix(m, m.size() - 1)), Outcome::kNeedMore);
  EXPECT_EQ(scanner.scan(m), Outcome::kTooLarge);
  EXPECT_NE(scanner.error().find("2147483647"), std::string::npos) << scanner.error();
}

TEST(MessageScanner, RefusesABigConfigurationValueAsSoonAsItsLengthIsIn) {
  const std::size_t limit = 16 * 1024;
  const Bytes m = testing::open_session_call(2, 0, std::string(64 * 1024, 'v'));
  MessageScanner scanner(limit);
  std::size_t refused_at = 0;
  for (std::size_t n = 0; n <= m.size(); ++n) {
    const Outcome o = scanner.scan(prefix(m, n));
    if (o == Outcome::kTooLarge) {
      refused_at = n;
      break;
    }
    ASSERT_EQ(o, Outcome::kNeedMore) << "at " << n;
  }
  ASSERT_GT(refused_at, 0u) << "never refused";
  EXPECT_LT(refused_at, 1024u) << "refused only after the value's bytes arrived";
}

TEST(MessageScanner, RefusesAListCountBeyondTheLimitBeforeItsElementsArrive) {
  // list<i64> of 1000: 8000 bytes of elements against a 4096-byte limit.
  const Bytes i64s =
      WireBuilder().header("X").field(ttype::kList, 1).u8(ttype::kI64).i32(1000).bytes();
  MessageScanner a(4096);
  EXPECT_EQ(a.scan(i64s), Outcome::kTooLarge) << a.error();
  // A list of strings needs at least one byte per element as well.
  const Bytes strings =
      WireBuilder().header("X").field(ttype::kList, 1).u8(ttype::kString).i32(0x7fffffff).bytes();
  MessageScanner b(1 << 20);
  EXPECT_EQ(b.scan(strings), Outcome::kTooLarge) << b.error();
  // The same list under the limit just waits for its elements.
  const Bytes small =
      WireBuilder().header("X").field(ttype::kList, 1).u8(ttype::kI64).i32(100).bytes();
  MessageScanner c(4096);
  EXPECT_EQ(c.scan(small), Outcome::kNeedMore);
  EXPECT_GE(c.needed(), 1u);
  EXPECT_LE(c.needed(), 800u);
}

TEST(MessageScanner, RefusesAMapCountBeyondTheLimit) {
  const Bytes m = WireBuilder()
                      .header("X")
                      .field(ttype::kMap, 4)
                      .u8(ttype::kString)
                      .u8(ttype::kString)
                      .i32(0x40000000)
                      .bytes();
  MessageScanner scanner(1 << 20);
  EXPECT_EQ(scanner.scan(m), Outcome::kTooLarge) << scanner.error();
}

TEST(MessageScanner, RefusesANonStrictFirstByteAtOnce) {
  // Old non-strict TBinaryProtocol starts with the name length; 'P' is HTTP, 0x16 TLS, 0x01 SASL.
  for (std::uint8_t first : {std::uint8_t{0x00}, std::uint8_t{'P'}, std::uint8_t{0x16},
                             std::uint8_t{0x01}, std::uint8_t{0x7f}}) {
    const Bytes one{first};
    MessageScanner scanner(kLimit);
    EXPECT_EQ(scanner.scan(one), Outcome::kMalformed) << int{first};
    EXPECT_FALSE(scanner.error().empty());
  }
}

TEST(MessageScanner, RefusesABadVersion) {
  const Bytes m =
      WireBuilder().i32(static_cast<std::int32_t>(0x80020001u)).str("X").i32(0).stop().bytes();
  MessageScanner scanner(kLimit);
  EXPECT_EQ(scanner.scan(m), Outcome::kMalformed);
  EXPECT_NE(scanner.error().find("version"), std::string::npos) << scanner.error();
}

TEST(MessageScanner, RefusesABadMessageType) {
  for (std::uint8_t type : {std::uint8_t{0}, std::uint8_t{5}, std::uint8_t{0xff}}) {
    const Bytes m = WireBuilder().header("X", type).stop().bytes();
    MessageScanner scanner(kLimit);
    EXPECT_EQ(scanner.scan(m), Outcome::kMalformed) << int{type};
  }
}

TEST(MessageScanner, RefusesANegativeOrOverlongMethodNameLength) {
  for (std::int32_t len : {-1, 1025, 0x7fffffff}) {
    const Bytes m = WireBuilder().i32(static_cast<std::int32_t>(0x80010001u)).i32(len).bytes();
    MessageScanner scanner(kLimit);
    EXPECT_EQ(scanner.scan(m), Outcome::kMalformed) << len;
  }
}

TEST(MessageScanner, RefusesAnInvalidFieldTypeId) {
  for (std::uint8_t type : {std::uint8_t{1}, std::uint8_t{5}, std::uint8_t{7}, std::uint8_t{9},
                            std::uint8_t{16}, std::uint8_t{0xff}}) {
    const Bytes m = WireBuilder().header("X").field(type, 1).i32(0).stop().bytes();
    MessageScanner scanner(kLimit);
    EXPECT_EQ(scanner.scan(m), Outcome::kMalformed) << int{type};
    EXPECT_NE(scanner.error().find("type"), std::string::npos) << scanner.error();
  }
}

TEST(MessageScanner, RefusesAnInvalidContainerElementType) {
  const Bytes list = WireBuilder().header("X").field(ttype::kList, 1).u8(1).i32(3).bytes();
  MessageScanner a(kLimit);
  EXPECT_EQ(a.scan(list), Outcome::kMalformed);
  const Bytes map =
      WireBuilder().header("X").field(ttype::kMap, 1).u8(ttype::kString).u8(99).i32(1).bytes();
  MessageScanner b(kLimit);
  EXPECT_EQ(b.scan(map), Outcome::kMalformed);
}

TEST(MessageScanner, RefusesNegativeLengthsAndCounts) {
  const Bytes str = WireBuilder().header("X").field(ttype::kString, 1).i32(-1).bytes();
  const Bytes list =
      WireBuilder().header("X").field(ttype::kList, 1).u8(ttype::kI32).i32(-5).bytes();
  const Bytes set = WireBuilder().header("X").field(ttype::kSet, 1).u8(ttype::kI32).i32(-5).bytes();
  const Bytes map = WireBuilder()
                        .header("X")
                        .field(ttype::kMap, 1)
                        .u8(ttype::kString)
                        .u8(ttype::kString)
                        .i32(std::numeric_limits<std::int32_t>::min())
                        .bytes();
  for (const Bytes* m : {&str, &list, &set, &map}) {
    MessageScanner scanner(kLimit);
    EXPECT_EQ(scanner.scan(*m), Outcome::kMalformed) << scanner.error();
  }
}

Bytes nested_structs(int depth) {
  WireBuilder w;
  w.header("X");
  for (int i = 0; i < depth; ++i)
    w.field(ttype::kStruct, 1);
  for (int i = 0; i <= depth; ++i)
    w.stop();
  return w.bytes();
}

Bytes nested_lists(int depth) {
  WireBuilder w;
  w.header("X").field(ttype::kList, 1);
  for (int i = 1; i < depth; ++i)
    w.u8(ttype::kList).i32(1);
  w.u8(ttype::kI32).i32(0);
  w.stop();
  return w.bytes();
}

TEST(MessageScanner, AcceptsNestingUpToTheDepthLimit) {
  // The argument struct is the first level, as in Thrift's own recursion limit of 64.
  MessageScanner structs(kLimit);
  EXPECT_EQ(structs.scan(nested_structs(63)), Outcome::kComplete) << structs.error();
  MessageScanner lists(kLimit);
  EXPECT_EQ(lists.scan(nested_lists(63)), Outcome::kComplete) << lists.error();
  MessageScanner shallow(kLimit, 4);
  EXPECT_EQ(shallow.scan(nested_structs(3)), Outcome::kComplete) << shallow.error();
}

TEST(MessageScanner, RefusesNestingDeeperThanTheDepthLimit) {
  MessageScanner structs(kLimit);
  EXPECT_EQ(structs.scan(nested_structs(64)), Outcome::kMalformed);
  EXPECT_NE(structs.error().find("nesting"), std::string::npos) << structs.error();
  MessageScanner lists(kLimit);
  EXPECT_EQ(lists.scan(nested_lists(64)), Outcome::kMalformed);
  MessageScanner shallow(kLimit, 4);
  EXPECT_EQ(shallow.scan(nested_structs(4)), Outcome::kMalformed);
  // Refused as soon as the level too many opens, not once the whole message is in.
  const Bytes deep = nested_structs(10000);
  MessageScanner early(kLimit);
  EXPECT_EQ(early.scan(prefix(deep, 8 + 1 + 4 + 3 * 70)), Outcome::kMalformed);
}

TEST(MessageScanner, WalksSetsMapsAndEmptyContainers) {
  const Bytes m = WireBuilder()
                      .header("X", 2, 9)
                      .field(ttype::kSet, 1)
                      .u8(ttype::kString)
                      .i32(2)
                      .str("a")
                      .str("bc")
                      .field(ttype::kMap, 2)
                      .u8(ttype::kI32)
                      .u8(ttype::kStruct)
                      .i32(1)
                      .i32(7)
                      .field(ttype::kBool, 1)
                      .u8(1)
                      .field(ttype::kDouble, 2)
                      .i32(0)
                      .i32(0)
                      .stop()
                      .field(ttype::kList, 3)
                      .u8(ttype::kStruct)
                      .i32(0)
                      .field(ttype::kMap, 4)
                      .u8(0)
                      .u8(0)
                      .i32(0)  // empty: types unchecked
                      .field(ttype::kI16, 5)
                      .i16(3)
                      .field(ttype::kByte, 6)
                      .u8(4)
                      .stop()
                      .bytes();
  expect_resumable(m, every_byte(m.size()));
}

}  // namespace
}  // namespace kitsune::transport
