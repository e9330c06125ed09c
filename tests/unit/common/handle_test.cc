// Tests of Handle: CSPRNG halves, wire conversion, the public id, and the secret check.
#include "kitsune/common/handle.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "kitsune/common/strings.h"

namespace kitsune {
namespace {

TEST(Handle, RandomHandlesHaveDistinctGuidsAndSecrets) {
  std::set<std::string> guids;
  std::set<std::string> secrets;
  for (int i = 0; i < 1000; ++i) {
    const Handle h = Handle::random();
    EXPECT_NE(h.guid, h.secret);
    guids.insert(h.guid_bytes());
    secrets.insert(h.secret_bytes());
  }
  EXPECT_EQ(guids.size(), 1000u);
  EXPECT_EQ(secrets.size(), 1000u);
}

TEST(Handle, FromBytesRoundTripsTheWireFields) {
  const Handle h = Handle::random();
  ASSERT_EQ(h.guid_bytes().size(), 16u);
  ASSERT_EQ(h.secret_bytes().size(), 16u);
  auto back = Handle::from_bytes(h.guid_bytes(), h.secret_bytes());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->guid, h.guid);
  EXPECT_EQ(back->secret, h.secret);
  EXPECT_EQ(back->key(), h.guid_bytes());
}

TEST(Handle, FromBytesRefusesAnythingButSixteenBytesOnEachSide) {
  const std::string ok(16, 'x');
  EXPECT_FALSE(Handle::from_bytes(std::string(15, 'x'), ok).has_value());
  EXPECT_FALSE(Handle::from_bytes(std::string(17, 'x'), ok).has_value());
  EXPECT_FALSE(Handle::from_bytes(ok, std::string(15, 'x')).has_value());
  EXPECT_FALSE(Handle::from_bytes(ok, std::string(17, 'x')).has_value());
  EXPECT_FALSE(Handle::from_bytes("", "").has_value());
  EXPECT_FALSE(Handle::from_bytes(ok, "").has_value());
  EXPECT_TRUE(Handle::from_bytes(ok, ok).has_value());
}

TEST(Handle, BytesWithNulsSurviveTheRoundTrip) {
  const std::string zeros(16, '\0');
  auto h = Handle::from_bytes(zeros, zeros);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->guid_bytes(), zeros);
  EXPECT_EQ(h->id(), "00000000-0000-0000-0000-000000000000");
}

TEST(Handle, IdIsTheGuidAsAUuidAndNeverShowsTheSecret) {
  const Handle h = Handle::random();
  EXPECT_EQ(h.id(), uuid_string(h.guid));
  EXPECT_EQ(h.id().size(), 36u);
  const std::string secret_hex = hex(h.secret);
  std::string id_digits;
  for (char c : h.id()) {
    if (c != '-') id_digits += c;
  }
  EXPECT_NE(id_digits, secret_hex);
}

TEST(Handle, SecretMatchesOnlyTheSameSecret) {
  const Handle h = Handle::random();
  Handle same_secret = Handle::random();
  same_secret.secret = h.secret;
  EXPECT_TRUE(h.secret_matches(h));
  EXPECT_TRUE(h.secret_matches(same_secret));  // the guid plays no part

  Handle one_bit_off = h;
  one_bit_off.secret[15] ^= 0x01;
  EXPECT_FALSE(h.secret_matches(one_bit_off));
  Handle first_byte_off = h;
  first_byte_off.secret[0] ^= 0x80;
  EXPECT_FALSE(h.secret_matches(first_byte_off));
  EXPECT_FALSE(h.secret_matches(Handle::random()));
}

}  // namespace
}  // namespace kitsune
