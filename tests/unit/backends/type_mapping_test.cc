// Tests of the local backend's declared-type mapping, type inference and value conversions.
#include "local/type_mapping.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace kitsune::backends::local {
namespace {

using backend::ColumnType;
using T = tcli::TTypeId;
using Kind = SqlValue::Kind;

ColumnType type(T::type id, int precision = 0, int scale = 0, int length = 0) {
  ColumnType t;
  t.id = id;
  t.precision = precision;
  t.scale = scale;
  t.length = length;
  return t;
}
ColumnType decimal(int precision, int scale) {
  return type(T::DECIMAL_TYPE, precision, scale);
}
ColumnType sized(T::type id, int length) {
  return type(id, 0, 0, length);
}

struct MappingCase {
  const char* declared;
  std::optional<ColumnType> expected;
};

TEST(TypeMapping, MapsEveryHiveSpellingOfTheDesign) {
  const MappingCase cases[] = {
      {"BOOLEAN", type(T::BOOLEAN_TYPE)},
      {"bool", type(T::BOOLEAN_TYPE)},
      {"TINYINT", type(T::TINYINT_TYPE)},
      {"SmallInt", type(T::SMALLINT_TYPE)},
      {"INT", type(T::INT_TYPE)},
      {"MEDIUMINT", type(T::INT_TYPE)},
      {"INTEGER", type(T::BIGINT_TYPE)},
      {"BIGINT", type(T::BIGINT_TYPE)},
      {"INT8", type(T::BIGINT_TYPE)},
      {"LONG", type(T::BIGINT_TYPE)},
      {"FLOAT", type(T::FLOAT_TYPE)},
      {"REAL", type(T::DOUBLE_TYPE)},
      {"DOUBLE", type(T::DOUBLE_TYPE)},
      {"DOUBLE PRECISION", type(T::DOUBLE_TYPE)},
      {"double   precision", type(T::DOUBLE_TYPE)},
      {"DECIMAL", decimal(10, 0)},
      {"DECIMAL(12)", decimal(12, 0)},
      {"decimal(12, 4)", decimal(12, 4)},
      {"NUMERIC(5,2)", decimal(5, 2)},
      {"NUMERIC", decimal(10, 0)},
      {"DECIMAL(38,38)", decimal(38, 38)},
      {"CHAR(10)", sized(T::CHAR_TYPE, 10)},
      {"VARCHAR(20)", sized(T::VARCHAR_TYPE, 20)},
      {"varchar ( 65535 )", sized(T::VARCHAR_TYPE, 65535)},
      {"VARCHAR", type(T::STRING_TYPE)},
      {"STRING", type(T::STRING_TYPE)},
      {"TEXT", type(T::STRING_TYPE)},
      {"CLOB", type(T::STRING_TYPE)},
      {"BINARY", type(T::BINARY_TYPE)},
      {"BLOB", type(T::BINARY_TYPE)},
      {"VARBINARY", type(T::BINARY_TYPE)},
      {"DATE", type(T::DATE_TYPE)},
      {"TIMESTAMP", type(T::TIMESTAMP_TYPE)},
      {"DATETIME", type(T::TIMESTAMP_TYPE)},
  };
  for (const MappingCase& c : cases) {
    EXPECT_EQ(map_declared_type(c.declared), c.expected) << c.declared;
  }
}

TEST(TypeMapping, IgnoresQualifiersOnTypesThatTakeNone) {
  EXPECT_EQ(map_declared_type("INT(11)"), type(T::INT_TYPE));
  EXPECT_EQ(map_declared_type("TIMESTAMP(3)"), type(T::TIMESTAMP_TYPE));
  EXPECT_EQ(map_declared_type("  bigint  "), type(T::BIGINT_TYPE));
}

TEST(TypeMapping, FollowsSqliteAffinityForOtherNames) {
  const MappingCase cases[] = {
      {"UNSIGNED BIG INT", type(T::BIGINT_TYPE)},
      {"FLOATING POINT", type(T::BIGINT_TYPE)},  // "INT" wins, as in SQLite
      {"NVARCHAR(100)", type(T::STRING_TYPE)},
      {"NATIVE CHARACTER(70)", type(T::STRING_TYPE)},
      {"CHAR", type(T::STRING_TYPE)},
      {"MYBLOB", type(T::BINARY_TYPE)},
      {"DOUB", type(T::DOUBLE_TYPE)},
      {"FLOAT8", type(T::DOUBLE_TYPE)},
      {"NUMBER", std::nullopt},
      {"JSON", std::nullopt},
      {"", std::nullopt},
      {"   ", std::nullopt},
  };
  for (const MappingCase& c : cases) {
    EXPECT_EQ(map_declared_type(c.declared), c.expected) << c.declared;
  }
}

TEST(TypeMapping, QualifiersHiveRefusesFallBackToAffinity) {
  EXPECT_EQ(map_declared_type("DECIMAL(50,2)"), std::nullopt);
  EXPECT_EQ(map_declared_type("DECIMAL(5,6)"), std::nullopt);
  EXPECT_EQ(map_declared_type("DECIMAL(0)"), std::nullopt);
  EXPECT_EQ(map_declared_type("DECIMAL(a,b)"), std::nullopt);
  EXPECT_EQ(map_declared_type("DECIMAL(10,2"), std::nullopt);
  EXPECT_EQ(map_declared_type("CHAR(300)"), type(T::STRING_TYPE));
  EXPECT_EQ(map_declared_type("VARCHAR(0)"), type(T::STRING_TYPE));
  EXPECT_EQ(map_declared_type("VARCHAR(70000)"), type(T::STRING_TYPE));
}

TEST(TypeInference, IntegersOnlyMakeBigint) {
  TypeInference inference;
  inference.observe(Kind::kInteger);
  inference.observe(Kind::kNull);
  inference.observe(Kind::kInteger);
  EXPECT_EQ(inference.result(), type(T::BIGINT_TYPE));
}

TEST(TypeInference, MixedNumbersMakeDouble) {
  TypeInference inference;
  inference.observe(Kind::kInteger);
  inference.observe(Kind::kReal);
  EXPECT_EQ(inference.result(), type(T::DOUBLE_TYPE));
}

TEST(TypeInference, BlobsOnlyMakeBinary) {
  TypeInference inference;
  inference.observe(Kind::kBlob);
  inference.observe(Kind::kNull);
  EXPECT_EQ(inference.result(), type(T::BINARY_TYPE));
}

TEST(TypeInference, AnythingElseOrNothingMakesString) {
  TypeInference mixed;
  mixed.observe(Kind::kInteger);
  mixed.observe(Kind::kText);
  EXPECT_EQ(mixed.result(), type(T::STRING_TYPE));
  TypeInference blob_and_number;
  blob_and_number.observe(Kind::kBlob);
  blob_and_number.observe(Kind::kInteger);
  EXPECT_EQ(blob_and_number.result(), type(T::STRING_TYPE));
  TypeInference nulls;
  nulls.observe(Kind::kNull);
  EXPECT_EQ(nulls.result(), type(T::STRING_TYPE));
  EXPECT_EQ(TypeInference().result(), type(T::STRING_TYPE));
}

SqlValue integer(std::int64_t v) {
  return SqlValue{Kind::kInteger, v, 0, {}};
}
SqlValue real(double v) {
  return SqlValue{Kind::kReal, 0, v, {}};
}
SqlValue text(std::string_view v) {
  return SqlValue{Kind::kText, 0, 0, v};
}
SqlValue blob(std::string_view v) {
  return SqlValue{Kind::kBlob, 0, 0, v};
}
SqlValue null() {
  return SqlValue{};
}

// Converts and expects success.
Cell convert(const ColumnType& t, const SqlValue& v, std::string& scratch) {
  Cell cell;
  Status s = convert_value(t, v, "c", scratch, cell);
  EXPECT_TRUE(s.is_ok()) << t.name() << ": " << s.to_string();
  return cell;
}

// Converts to text (DECIMAL, DATE, TIMESTAMP, STRING...) and returns it.
std::string as_text(const ColumnType& t, const SqlValue& v) {
  std::string scratch;
  Cell cell = convert(t, v, scratch);
  EXPECT_EQ(cell.kind, Cell::Kind::kText) << t.name();
  return std::string(cell.text);
}

std::int64_t as_int(const ColumnType& t, const SqlValue& v) {
  std::string scratch;
  Cell cell = convert(t, v, scratch);
  EXPECT_EQ(cell.kind, Cell::Kind::kInt) << t.name();
  return cell.integer;
}

// The SQLSTATE a failing conversion reports ("" when it succeeds).
std::string failure(const ColumnType& t, const SqlValue& v) {
  std::string scratch;
  Cell cell;
  return convert_value(t, v, "c", scratch, cell).sql_state();
}

TEST(ValueConversion, NullIsNullForEveryType) {
  for (const ColumnType& t :
       {type(T::BOOLEAN_TYPE), type(T::TINYINT_TYPE), type(T::INT_TYPE), type(T::BIGINT_TYPE),
        type(T::DOUBLE_TYPE), decimal(10, 2), type(T::DATE_TYPE), type(T::TIMESTAMP_TYPE),
        type(T::STRING_TYPE), sized(T::VARCHAR_TYPE, 3), type(T::BINARY_TYPE)}) {
    std::string scratch;
    EXPECT_EQ(convert(t, null(), scratch).kind, Cell::Kind::kNull) << t.name();
  }
}

TEST(ValueConversion, IntegerKindsAreRangeChecked) {
  EXPECT_EQ(as_int(type(T::TINYINT_TYPE), integer(127)), 127);
  EXPECT_EQ(as_int(type(T::TINYINT_TYPE), integer(-128)), -128);
  EXPECT_EQ(failure(type(T::TINYINT_TYPE), integer(128)), "22003");
  EXPECT_EQ(failure(type(T::TINYINT_TYPE), integer(-129)), "22003");
  EXPECT_EQ(as_int(type(T::SMALLINT_TYPE), integer(-32768)), -32768);
  EXPECT_EQ(failure(type(T::SMALLINT_TYPE), integer(32768)), "22003");
  EXPECT_EQ(as_int(type(T::INT_TYPE), integer(2147483647)), 2147483647);
  EXPECT_EQ(failure(type(T::INT_TYPE), integer(2147483648LL)), "22003");
  EXPECT_EQ(as_int(type(T::BIGINT_TYPE), integer(std::numeric_limits<std::int64_t>::min())),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(failure(type(T::BIGINT_TYPE), text("9223372036854775808")), "22003");
  EXPECT_EQ(failure(type(T::BIGINT_TYPE), real(1e30)), "22003");
  EXPECT_EQ(failure(type(T::TINYINT_TYPE), text("300")), "22003");
}

TEST(ValueConversion, RangeErrorsNameTheColumnAndValue) {
  std::string scratch;
  Cell cell;
  Status s = convert_value(type(T::TINYINT_TYPE), integer(300), "small_col", scratch, cell);
  EXPECT_EQ(s.sql_state(), "22003");
  EXPECT_NE(s.message().find("small_col"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("300"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("tinyint"), std::string::npos) << s.message();
}

TEST(ValueConversion, IntegerKindsReadRealsAndNumericText) {
  EXPECT_EQ(as_int(type(T::BIGINT_TYPE), real(1.9)), 1);  // truncated, as CAST does
  EXPECT_EQ(as_int(type(T::BIGINT_TYPE), real(-1.9)), -1);
  EXPECT_EQ(as_int(type(T::INT_TYPE), text(" 42 ")), 42);
  EXPECT_EQ(as_int(type(T::INT_TYPE), text("+7")), 7);
  EXPECT_EQ(as_int(type(T::INT_TYPE), text("4.5e1")), 45);
  EXPECT_EQ(failure(type(T::INT_TYPE), text("12abc")), "22018");
  EXPECT_EQ(failure(type(T::INT_TYPE), text("")), "22018");
  EXPECT_EQ(failure(type(T::INT_TYPE), blob("\x01")), "22018");
}

TEST(ValueConversion, BooleanReadsIntegersAndTrueFalseText) {
  std::string scratch;
  EXPECT_FALSE(convert(type(T::BOOLEAN_TYPE), integer(0), scratch).boolean);
  EXPECT_TRUE(convert(type(T::BOOLEAN_TYPE), integer(5), scratch).boolean);
  EXPECT_TRUE(convert(type(T::BOOLEAN_TYPE), text("TRUE"), scratch).boolean);
  EXPECT_FALSE(convert(type(T::BOOLEAN_TYPE), text("false"), scratch).boolean);
  EXPECT_FALSE(convert(type(T::BOOLEAN_TYPE), real(0.0), scratch).boolean);
  EXPECT_EQ(convert(type(T::BOOLEAN_TYPE), integer(1), scratch).kind, Cell::Kind::kBool);
  EXPECT_EQ(failure(type(T::BOOLEAN_TYPE), text("yes")), "22018");
}

TEST(ValueConversion, FloatingTypesReadNumbersAndNumericText) {
  std::string scratch;
  Cell c = convert(type(T::DOUBLE_TYPE), integer(3), scratch);
  EXPECT_EQ(c.kind, Cell::Kind::kDouble);
  EXPECT_EQ(c.real, 3.0);
  EXPECT_EQ(convert(type(T::FLOAT_TYPE), real(0.5), scratch).real, 0.5);
  EXPECT_EQ(convert(type(T::DOUBLE_TYPE), text("2.5"), scratch).real, 2.5);
  EXPECT_EQ(failure(type(T::DOUBLE_TYPE), text("x")), "22018");
}

TEST(ValueConversion, DecimalsHaveExactlyScaleFractionDigits) {
  EXPECT_EQ(as_text(decimal(10, 2), integer(5)), "5.00");
  EXPECT_EQ(as_text(decimal(10, 2), integer(-5)), "-5.00");
  EXPECT_EQ(as_text(decimal(10, 0), integer(42)), "42");
  EXPECT_EQ(as_text(decimal(10, 2), real(2.5)), "2.50");
  EXPECT_EQ(as_text(decimal(10, 2), text("123.456")), "123.46");
  EXPECT_EQ(as_text(decimal(10, 2), text("1e2")), "100.00");
  EXPECT_EQ(as_text(decimal(3, 3), text("0.1234")), "0.123");
  EXPECT_EQ(as_text(decimal(5, 2), text("999.994")), "999.99");
  EXPECT_EQ(as_text(decimal(19, 0), integer(std::numeric_limits<std::int64_t>::min())),
            "-9223372036854775808");
}

TEST(ValueConversion, DecimalsRoundHalfUpFromWhatWasWritten) {
  // 1.005 and 0.125 as doubles: rounding goes by their shortest text, as the user wrote them.
  EXPECT_EQ(as_text(decimal(10, 2), real(1.005)), "1.01");
  EXPECT_EQ(as_text(decimal(10, 2), real(0.125)), "0.13");
  EXPECT_EQ(as_text(decimal(10, 0), text("2.5")), "3");
  EXPECT_EQ(as_text(decimal(10, 0), text("-2.5")), "-3");
  EXPECT_EQ(as_text(decimal(10, 2), text("0.005")), "0.01");
  EXPECT_EQ(as_text(decimal(10, 2), text("-0.001")), "0.00");  // no negative zero
  EXPECT_EQ(as_text(decimal(10, 2), text("1e-1000000")), "0.00");
}

TEST(ValueConversion, DecimalTextKeepsEveryDigit) {
  // Text SQLite kept as text (too precise for a REAL) loses nothing on the way out.
  EXPECT_EQ(as_text(decimal(38, 3), text("12345678901234567890123.456789")),
            "12345678901234567890123.457");
  EXPECT_EQ(as_text(decimal(38, 0), text("99999999999999999999999999999999999999")),
            "99999999999999999999999999999999999999");
}

TEST(ValueConversion, DecimalsBeyondPrecisionAreOutOfRange) {
  EXPECT_EQ(failure(decimal(5, 2), integer(1000)), "22003");
  EXPECT_EQ(failure(decimal(5, 2), text("999.995")), "22003");  // rounds up to 1000.00
  EXPECT_EQ(failure(decimal(38, 0), text("1e1000000000")), "22003");
  EXPECT_EQ(failure(decimal(10, 2), real(std::numeric_limits<double>::infinity())), "22003");
  EXPECT_EQ(failure(decimal(10, 2), text("abc")), "22018");
  EXPECT_EQ(failure(decimal(10, 2), blob("1")), "22018");
}

TEST(ValueConversion, DatesAreYearMonthDay) {
  const ColumnType date = type(T::DATE_TYPE);
  EXPECT_EQ(as_text(date, text("2024-02-29")), "2024-02-29");
  EXPECT_EQ(as_text(date, text("2024-02-29 13:45:00")), "2024-02-29");
  EXPECT_EQ(as_text(date, text("2024-02-29T23:00:00-02:00")), "2024-03-01");
  EXPECT_EQ(as_text(date, real(2460000.5)), "2023-02-25");  // a Julian day, as date(x) reads it
  EXPECT_EQ(failure(date, text("29/02/2024")), "22018");
  EXPECT_EQ(failure(date, text("2024-13-01")), "22018");
  EXPECT_EQ(failure(date, integer(0)), "22008");  // 4714 BC
  EXPECT_EQ(failure(date, blob("x")), "22018");
}

TEST(ValueConversion, TimestampsUseASpaceAndNoZone) {
  const ColumnType ts = type(T::TIMESTAMP_TYPE);
  EXPECT_EQ(as_text(ts, text("2024-02-29 13:45:00")), "2024-02-29 13:45:00");
  EXPECT_EQ(as_text(ts, text("2024-02-29T13:45:00Z")), "2024-02-29 13:45:00");
  EXPECT_EQ(as_text(ts, text("2024-02-29T13:45:00.123Z")), "2024-02-29 13:45:00.123");
  EXPECT_EQ(as_text(ts, text("2024-02-29 13:45:00.120000000000")), "2024-02-29 13:45:00.12");
  EXPECT_EQ(as_text(ts, text("2024-02-29 13:45:00.1234567891")), "2024-02-29 13:45:00.123456789");
  EXPECT_EQ(as_text(ts, text("2024-02-29")), "2024-02-29 00:00:00");
  EXPECT_EQ(as_text(ts, text("2024-02-29 13:45")), "2024-02-29 13:45:00");
  EXPECT_EQ(as_text(ts, text("2024-02-29 01:00-02:00")), "2024-02-29 03:00:00");
  EXPECT_EQ(as_text(ts, real(2460000.25)), "2023-02-24 18:00:00");
  EXPECT_EQ(failure(ts, text("0000-01-01 00:30 +01:00")), "22008");
  EXPECT_EQ(failure(ts, text("2024-02-29 25:00:00")), "22018");
  EXPECT_EQ(failure(ts, text("yesterday")), "22018");
}

TEST(ValueConversion, TextTypesRenderNumbersAsSqliteDoes) {
  for (const ColumnType& t :
       {type(T::STRING_TYPE), sized(T::CHAR_TYPE, 5), sized(T::VARCHAR_TYPE, 5)}) {
    EXPECT_EQ(as_text(t, integer(7)), "7");
    EXPECT_EQ(as_text(t, real(2.0)), "2.0");
    EXPECT_EQ(as_text(t, real(1e20)), "1.0e+20");
    EXPECT_EQ(as_text(t, real(0.1)), "0.1");
    EXPECT_EQ(as_text(t, text("héllo")), "héllo");
  }
}

TEST(ValueConversion, BinaryIsTheRawBytes) {
  const std::string bytes("\0\x01\xff", 3);
  EXPECT_EQ(as_text(type(T::BINARY_TYPE), blob(bytes)), bytes);
  EXPECT_EQ(as_text(type(T::BINARY_TYPE), text("abc")), "abc");
  EXPECT_EQ(as_text(type(T::BINARY_TYPE), integer(12)), "12");
}

TEST(ValueConversion, RenderRealMatchesSqlite) {
  EXPECT_EQ(render_real(1.5), "1.5");
  EXPECT_EQ(render_real(100.0), "100.0");
  EXPECT_EQ(render_real(1e-7), "1.0e-07");
  EXPECT_EQ(render_real(123456789012345678.0), "1.23456789012346e+17");
}

}  // namespace
}  // namespace kitsune::backends::local
