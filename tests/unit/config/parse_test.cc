// Tests of the value parsers: durations as Kyuubi reads them, booleans, longs, and per-key checks.
#include <string>

#include <gtest/gtest.h>

#include "kitsune/config/conf.h"

namespace kitsune::config {
namespace {

using std::chrono::milliseconds;

milliseconds duration_of(std::string_view text) {
  auto r = parse_duration(text);
  EXPECT_TRUE(r.is_ok()) << text << ": " << (r ? "" : r.status().message());
  return r ? *r : milliseconds(-999999);
}

TEST(ParseDuration, ReadsIsoSecondsMinutesHoursAndDays) {
  EXPECT_EQ(duration_of("PT30S"), milliseconds(30000));
  EXPECT_EQ(duration_of("PT5M"), milliseconds(300000));
  EXPECT_EQ(duration_of("PT6H"), milliseconds(6 * 3600000));
  EXPECT_EQ(duration_of("P1D"), milliseconds(86400000));
  EXPECT_EQ(duration_of("P1DT2H"), milliseconds(86400000 + 2 * 3600000));
  EXPECT_EQ(duration_of("PT1H30M15S"), milliseconds(3600000 + 1800000 + 15000));
}

TEST(ParseDuration, ReadsFractionalSeconds) {
  EXPECT_EQ(duration_of("PT0.5S"), milliseconds(500));
  EXPECT_EQ(duration_of("PT1.25S"), milliseconds(1250));
  EXPECT_EQ(duration_of("PT0,5S"), milliseconds(500));  // Java accepts a comma as well
}

TEST(ParseDuration, ReadsLowerCaseAndSurroundingSpace) {
  EXPECT_EQ(duration_of("pt30s"), milliseconds(30000));
  EXPECT_EQ(duration_of("  PT30S \n"), milliseconds(30000));
}

TEST(ParseDuration, ReadsAPlainNumberAsMilliseconds) {
  EXPECT_EQ(duration_of("1500"), milliseconds(1500));
  EXPECT_EQ(duration_of("0"), milliseconds(0));
  EXPECT_EQ(duration_of(" 60000 "), milliseconds(60000));
}

TEST(ParseDuration, ReadsNegativeDurations) {
  EXPECT_EQ(duration_of("-1"), milliseconds(-1));
  EXPECT_EQ(duration_of("-PT30S"), milliseconds(-30000));
  EXPECT_EQ(duration_of("PT-30S"), milliseconds(-30000));
}

TEST(ParseDuration, RefusesGarbageWithAMessageThatQuotesIt) {
  for (const char* bad : {"", "   ", "abc", "30s", "30 s", "P", "PT", "P1H", "PT1D", "PT30", "PTS",
                          "P1DT2X", "1.5", "PT1S extra", "P99999999999999D", "PTT1S"}) {
    auto r = parse_duration(bad);
    EXPECT_FALSE(r.is_ok()) << "'" << bad << "' parsed as " << (r ? r->count() : 0);
    if (!r) {
      EXPECT_EQ(r.status().code(), StatusCode::kError);
      EXPECT_NE(r.status().message().find("duration"), std::string::npos);
    }
  }
  auto r = parse_duration("forever");
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("'forever'"), std::string::npos) << r.status().message();
}

TEST(ParseDuration, RefusesATimeDesignatorWithNoTimePartAsJavaDoes) {
  // java.time.Duration.parse("P1DT") throws: 'T' must be followed by at least one of H, M, S.
  EXPECT_FALSE(parse_duration("P1DT").is_ok());
  EXPECT_FALSE(parse_duration("PT").is_ok());
}

TEST(ParseBool, ReadsTrueAndFalseInAnyCase) {
  EXPECT_TRUE(*parse_bool("true"));
  EXPECT_TRUE(*parse_bool("TRUE"));
  EXPECT_TRUE(*parse_bool(" True "));
  EXPECT_FALSE(*parse_bool("false"));
  EXPECT_FALSE(*parse_bool("FaLsE"));
}

TEST(ParseBool, RefusesEverythingElse) {
  for (const char* bad : {"", "yes", "no", "1", "0", "t", "on", "truee"}) {
    auto r = parse_bool(bad);
    EXPECT_FALSE(r.is_ok()) << bad;
  }
}

TEST(ParseLong, ReadsSignedIntegersAndRefusesTheRest) {
  EXPECT_EQ(*parse_long("42"), 42);
  EXPECT_EQ(*parse_long(" -7 "), -7);
  EXPECT_EQ(*parse_long("9223372036854775807"), INT64_MAX);
  for (const char* bad : {"", "4x", "x4", "1.0", "9223372036854775808", "1 2"}) {
    EXPECT_FALSE(parse_long(bad).is_ok()) << bad;
  }
}

TEST(ValidateValue, NamesTheKeyInEveryError) {
  const KeyDef* port = find_key("kyuubi.frontend.bind.port");
  const KeyDef* timeout = find_key("kyuubi.session.idle.timeout");
  const KeyDef* flag = find_key("kyuubi.session.close.on.disconnect");
  const KeyDef* engine = find_key("kyuubi.engine.type");
  ASSERT_TRUE(port && timeout && flag && engine);

  auto expect_error_naming = [](const KeyDef& def, std::string_view value) {
    Status s = validate_value(def, value);
    EXPECT_FALSE(s.is_ok()) << def.name << "=" << value;
    EXPECT_NE(s.message().find(def.name), std::string::npos) << s.message();
  };
  expect_error_naming(*port, "abc");
  expect_error_naming(*port, "4294967296");  // beyond an int
  expect_error_naming(*timeout, "soon");
  expect_error_naming(*flag, "yes");
  expect_error_naming(*engine, "ORACLE");

  EXPECT_TRUE(validate_value(*port, "10009").is_ok());
  EXPECT_TRUE(validate_value(*port, "-1").is_ok());  // range is the frontend's business
  EXPECT_TRUE(validate_value(*timeout, "PT1H").is_ok());
  EXPECT_TRUE(validate_value(*flag, "false").is_ok());
  EXPECT_TRUE(validate_value(*engine, "local").is_ok());  // choices ignore case
}

TEST(ValidateValue, ChecksEveryElementOfAListAgainstTheChoices) {
  const KeyDef* auth = find_key("kyuubi.authentication");
  ASSERT_NE(auth, nullptr);
  EXPECT_TRUE(validate_value(*auth, "LDAP").is_ok());
  EXPECT_TRUE(validate_value(*auth, "kerberos, ldap").is_ok());
  Status s = validate_value(*auth, "LDAP,BOGUS");
  EXPECT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("BOGUS"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("kyuubi.authentication"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace kitsune::config
