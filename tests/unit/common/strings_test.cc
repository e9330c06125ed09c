// Tests of the string helpers: trimming, splitting, case, UUID text, constant-time comparison
// and JDBC/impyla metadata patterns.
#include "kitsune/common/strings.h"

#include <sys/mman.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kitsune/common/random.h"

namespace kitsune {
namespace {

using Strings = std::vector<std::string>;

TEST(LikeMatch, PercentMatchesAnyRunIncludingNone) {
  EXPECT_TRUE(like_match("%", ""));
  EXPECT_TRUE(like_match("%", "anything"));
  EXPECT_TRUE(like_match("sales%", "sales"));
  EXPECT_TRUE(like_match("sales%", "sales_2024"));
  EXPECT_TRUE(like_match("%_2024", "sales_2024"));
  EXPECT_TRUE(like_match("a%b%c", "aXXbYYc"));
  EXPECT_FALSE(like_match("sales%", "presales"));
  EXPECT_FALSE(like_match("a%b", "ab_"));
}

TEST(LikeMatch, PercentBacktracksToFindALaterMatch) {
  EXPECT_TRUE(like_match("%abc", "ababc"));
  EXPECT_TRUE(like_match("%aab", "aaab"));
  EXPECT_TRUE(like_match("a%bc%d", "abcbcxd"));
  EXPECT_FALSE(like_match("%abc", "ababd"));
}

TEST(LikeMatch, UnderscoreMatchesExactlyOneCharacter) {
  EXPECT_TRUE(like_match("t_", "t1"));
  EXPECT_TRUE(like_match("___", "abc"));
  EXPECT_FALSE(like_match("t_", "t"));
  EXPECT_FALSE(like_match("t_", "t12"));
  EXPECT_FALSE(like_match("_", ""));
}

TEST(LikeMatch, BackslashMakesTheNextCharacterLiteral) {
  EXPECT_TRUE(like_match("a\\_b", "a_b"));
  EXPECT_FALSE(like_match("a\\_b", "axb"));
  EXPECT_TRUE(like_match("100\\%", "100%"));
  EXPECT_FALSE(like_match("100\\%", "1000"));
  EXPECT_TRUE(like_match("a\\\\b", "a\\b"));
  EXPECT_TRUE(like_match("a\\*", "a*"));
  EXPECT_FALSE(like_match("a\\*", "abc"));
  // A trailing backslash has nothing to escape and stands for itself.
  EXPECT_TRUE(like_match("a\\", "a\\"));
}

TEST(LikeMatch, IgnoresCase) {
  EXPECT_TRUE(like_match("SALES", "sales"));
  EXPECT_TRUE(like_match("sa%", "SALES"));
  EXPECT_TRUE(like_match("S_LES", "sales"));
  EXPECT_FALSE(like_match("SALES", "sale"));
}

TEST(LikeMatch, DotStarAndStarMeanAnyRunForRegexStyleClients) {
  EXPECT_TRUE(like_match(".*", ""));
  EXPECT_TRUE(like_match(".*", "default"));
  EXPECT_TRUE(like_match("*", "default"));
  EXPECT_TRUE(like_match("def.*", "default"));
  EXPECT_TRUE(like_match("*ult", "default"));
  EXPECT_FALSE(like_match("x.*", "default"));
  // A dot not followed by '*' is an ordinary character.
  EXPECT_TRUE(like_match("t.x", "t.x"));
  EXPECT_FALSE(like_match("t.x", "tax"));
}

TEST(LikeMatch, AnEmptyPatternMatchesOnlyTheEmptyString) {
  EXPECT_TRUE(like_match("", ""));
  EXPECT_FALSE(like_match("", "a"));
}

TEST(Split, TrimsPiecesAndDropsEmptyOnes) {
  EXPECT_EQ(split(" a, b ,,c ", ','), (Strings{"a", "b", "c"}));
  EXPECT_EQ(split("", ','), Strings{});
  EXPECT_EQ(split(" , ", ','), Strings{});
  EXPECT_EQ(split("one", ','), Strings{"one"});
}

TEST(Split, KeepsEmptyPiecesWhenAsked) {
  EXPECT_EQ(split("a,,b,", ',', false), (Strings{"a", "", "b", ""}));
  EXPECT_EQ(split("", ',', false), Strings{""});
}

TEST(Trim, RemovesLeadingAndTrailingWhitespaceOnly) {
  EXPECT_EQ(trim(" \t\r\n x y \n"), "x y");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("   "), "");
  EXPECT_EQ(trim("x"), "x");
}

TEST(Iequals, ComparesWithoutCaseAndWithLength) {
  EXPECT_TRUE(iequals("PLAIN", "plain"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("plain", "plai"));
  EXPECT_FALSE(iequals("plain", "plan "));
  EXPECT_TRUE(istarts_with("Kyuubi.Session.X", "kyuubi."));
  EXPECT_FALSE(istarts_with("kyu", "kyuubi."));
}

TEST(Case, ToLowerAndToUpperConvertAsciiLetters) {
  EXPECT_EQ(to_lower("AbC-1"), "abc-1");
  EXPECT_EQ(to_upper("AbC-1"), "ABC-1");
  EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(join({}, ","), "");
}

TEST(UuidString, PrintsSixteenBytesInTheJavaLayout) {
  std::array<std::uint8_t, 16> b{};
  for (std::size_t i = 0; i < b.size(); ++i)
    b[i] = static_cast<std::uint8_t>(i);
  EXPECT_EQ(uuid_string(b), "00010203-0405-0607-0809-0a0b0c0d0e0f");
  b.fill(0xAB);
  EXPECT_EQ(uuid_string(b), "abababab-abab-abab-abab-abababababab");
}

TEST(RandomUuid, IsAVersionFourUuidAndDiffersEachTime) {
  const std::string a = random_uuid();
  const std::string b = random_uuid();
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');
  EXPECT_NE(std::string("89ab").find(a[19]), std::string::npos) << a;
  EXPECT_NE(a, b);
}

TEST(Hex, PrintsLowerCaseDigits) {
  const std::array<std::uint8_t, 3> b{0x00, 0x7f, 0xff};
  EXPECT_EQ(hex(b), "007fff");
}

TEST(ConstantTimeEquals, ComparesContentsAndLength) {
  EXPECT_TRUE(constant_time_equals("", ""));
  EXPECT_TRUE(constant_time_equals("secret", "secret"));
  EXPECT_FALSE(constant_time_equals("secret", "secreT"));
  EXPECT_FALSE(constant_time_equals("secret", "Xecret"));
  EXPECT_FALSE(constant_time_equals("secret", "secret2"));
  EXPECT_FALSE(constant_time_equals("secret", ""));
  EXPECT_FALSE(constant_time_equals("", "x"));
  const std::string with_nul("a\0b", 3);
  EXPECT_FALSE(constant_time_equals(with_nul, std::string("a\0c", 3)));
  EXPECT_TRUE(constant_time_equals(with_nul, std::string("a\0b", 3)));
}

TEST(ConstantTimeEquals, LengthsThatDifferOnlyAbove32BitsAreStillDifferent) {
  // Two views whose lengths differ by exactly 2^32: the longer one is backed by a real (lazily
  // committed) mapping, so the view is valid; only its first bytes are ever read.
  const std::size_t big = (std::size_t{1} << 32) + 3;
  void* p = mmap(nullptr, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  if (p == MAP_FAILED) GTEST_SKIP() << "cannot map 4 GiB of address space here";
  auto* bytes = static_cast<char*>(p);
  bytes[0] = 'a';
  bytes[1] = 'b';
  bytes[2] = 'c';
  const std::string_view longer(bytes, big);
  const bool equal = constant_time_equals(longer, "abc");
  munmap(p, big);
  EXPECT_FALSE(equal);
}

}  // namespace
}  // namespace kitsune
