// Tests of the wire types: which TColumn member each TTypeId uses, null bitmaps, row form for old
// clients, byte counting, TTableSchema qualifiers and downgrades, and ColumnType names and codes.
#include "kitsune/backend/types.h"

#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace kitsune::backend {
namespace {

using T = tcli::TTypeId;
using P = tcli::TProtocolVersion;

ColumnDesc column(std::string name, TypeId id) {
  return ColumnDesc{std::move(name), ColumnType{id}, {}};
}

// The names of the TColumn members that are set.
std::string members(const tcli::TColumn& c) {
  std::string out;
  auto add = [&](bool set, const char* name) {
    if (!set) return;
    if (!out.empty()) out += ",";
    out += name;
  };
  add(c.__isset.boolVal, "boolVal");
  add(c.__isset.byteVal, "byteVal");
  add(c.__isset.i16Val, "i16Val");
  add(c.__isset.i32Val, "i32Val");
  add(c.__isset.i64Val, "i64Val");
  add(c.__isset.doubleVal, "doubleVal");
  add(c.__isset.stringVal, "stringVal");
  add(c.__isset.binaryVal, "binaryVal");
  return out;
}

std::string member(const tcli::TColumnValue& v) {
  std::string out;
  auto add = [&](bool set, const char* name) {
    if (!set) return;
    if (!out.empty()) out += ",";
    out += name;
  };
  add(v.__isset.boolVal, "boolVal");
  add(v.__isset.byteVal, "byteVal");
  add(v.__isset.i16Val, "i16Val");
  add(v.__isset.i32Val, "i32Val");
  add(v.__isset.i64Val, "i64Val");
  add(v.__isset.doubleVal, "doubleVal");
  add(v.__isset.stringVal, "stringVal");
  return out;
}

const char* expected_member(TypeId id) {
  switch (id) {
    case T::BOOLEAN_TYPE:
      return "boolVal";
    case T::TINYINT_TYPE:
      return "byteVal";
    case T::SMALLINT_TYPE:
      return "i16Val";
    case T::INT_TYPE:
      return "i32Val";
    case T::BIGINT_TYPE:
      return "i64Val";
    case T::FLOAT_TYPE:
    case T::DOUBLE_TYPE:
      return "doubleVal";
    case T::BINARY_TYPE:
      return "binaryVal";
    default:
      return "stringVal";
  }
}

Value sample(TypeId id) {
  switch (id) {
    case T::BOOLEAN_TYPE:
      return true;
    case T::TINYINT_TYPE:
    case T::SMALLINT_TYPE:
    case T::INT_TYPE:
    case T::BIGINT_TYPE:
      return std::int64_t{7};
    case T::FLOAT_TYPE:
    case T::DOUBLE_TYPE:
      return 1.5;
    default:
      return std::string("text");
  }
}

Schema every_type() {
  Schema s;
  for (int id = T::BOOLEAN_TYPE; id <= T::TIMESTAMPLOCALTZ_TYPE; ++id) {
    s.push_back(column("c" + std::to_string(id), static_cast<TypeId>(id)));
  }
  return s;
}

TEST(RowSetBuilder, PutsEachTypeInTheColumnMemberHiveUses) {
  const Schema schema = every_type();
  ASSERT_EQ(schema.size(), 23u);
  RowSetBuilder b(schema);
  for (std::size_t i = 0; i < schema.size(); ++i)
    b.add_value(i, sample(schema[i].type.id));
  b.end_row();
  const tcli::TRowSet rs = b.take(0, P::HIVE_CLI_SERVICE_PROTOCOL_V10);
  ASSERT_TRUE(rs.__isset.columns);
  ASSERT_EQ(rs.columns.size(), schema.size());
  EXPECT_TRUE(rs.rows.empty());
  for (std::size_t i = 0; i < schema.size(); ++i) {
    EXPECT_EQ(members(rs.columns[i]), expected_member(schema[i].type.id))
        << "type id " << schema[i].type.id;
  }
  EXPECT_EQ(rs.columns[T::BOOLEAN_TYPE].boolVal.values, std::vector<bool>{true});
  EXPECT_EQ(rs.columns[T::TINYINT_TYPE].byteVal.values, std::vector<std::int8_t>{7});
  EXPECT_EQ(rs.columns[T::SMALLINT_TYPE].i16Val.values, std::vector<std::int16_t>{7});
  EXPECT_EQ(rs.columns[T::INT_TYPE].i32Val.values, std::vector<std::int32_t>{7});
  EXPECT_EQ(rs.columns[T::BIGINT_TYPE].i64Val.values, std::vector<std::int64_t>{7});
  EXPECT_EQ(rs.columns[T::FLOAT_TYPE].doubleVal.values, std::vector<double>{1.5});
  EXPECT_EQ(rs.columns[T::BINARY_TYPE].binaryVal.values, std::vector<std::string>{"text"});
  EXPECT_EQ(rs.columns[T::DECIMAL_TYPE].stringVal.values, std::vector<std::string>{"text"});
}

TEST(RowSetBuilder, AnEmptyBatchStillSetsEveryColumnsMember) {
  const Schema schema{column("a", T::INT_TYPE), column("b", T::STRING_TYPE)};
  RowSetBuilder b(schema);
  const tcli::TRowSet rs = b.take(5, P::HIVE_CLI_SERVICE_PROTOCOL_V8);
  EXPECT_EQ(rs.startRowOffset, 5);
  ASSERT_EQ(rs.columns.size(), 2u);
  EXPECT_EQ(members(rs.columns[0]), "i32Val");
  EXPECT_EQ(members(rs.columns[1]), "stringVal");
  EXPECT_TRUE(rs.columns[0].i32Val.values.empty());
  EXPECT_EQ(rs.columns[0].i32Val.nulls, "");
}

// Builds one INT column of `rows` values, NULL where `is_null(r)`, and returns it in column form.
tcli::TI32Column int_column(std::size_t rows, const std::function<bool(std::size_t)>& is_null) {
  RowSetBuilder b(Schema{column("n", T::INT_TYPE)});
  for (std::size_t r = 0; r < rows; ++r) {
    if (is_null(r)) {
      b.add_null(0);
    } else {
      b.add_int(0, static_cast<std::int64_t>(r) + 100);
    }
    b.end_row();
  }
  return b.take(0, P::HIVE_CLI_SERVICE_PROTOCOL_V6).columns.at(0).i32Val;
}

TEST(RowSetBuilder, NullBitsAreLeastSignificantFirst) {
  const auto c = int_column(10, [](std::size_t r) { return r == 0 || r == 9; });
  EXPECT_EQ(c.nulls, std::string("\x01\x02", 2));
  const auto d = int_column(8, [](std::size_t r) { return r == 3; });
  EXPECT_EQ(d.nulls, std::string("\x08", 1));
}

TEST(RowSetBuilder, NullBitmapsDropTrailingZeroBytes) {
  EXPECT_EQ(int_column(20, [](std::size_t r) { return r < 2; }).nulls, std::string("\x03", 1));
  EXPECT_EQ(int_column(100, [](std::size_t) { return false; }).nulls, "");
  EXPECT_EQ(int_column(17, [](std::size_t r) { return r == 16; }).nulls,
            std::string("\x00\x00\x01", 3));
}

TEST(RowSetBuilder, NullBitmapsHaveNoBitsBeyondTheValues) {
  EXPECT_EQ(int_column(3, [](std::size_t) { return true; }).nulls, std::string("\x07", 1));
  EXPECT_EQ(int_column(8, [](std::size_t) { return true; }).nulls, std::string("\xff", 1));
  EXPECT_EQ(int_column(9, [](std::size_t) { return true; }).nulls, std::string("\xff\x01", 2));
  // For every size and pattern, each set bit names a row that has a value slot.
  for (std::size_t rows = 1; rows <= 40; ++rows) {
    const auto c = int_column(rows, [](std::size_t r) { return r % 3 == 1; });
    ASSERT_EQ(c.values.size(), rows);
    for (std::size_t byte = 0; byte < c.nulls.size(); ++byte) {
      for (unsigned bit = 0; bit < 8; ++bit) {
        if ((static_cast<unsigned char>(c.nulls[byte]) >> bit) & 1u) {
          EXPECT_LT(byte * 8 + bit, rows) << rows;
        }
      }
    }
    EXPECT_LE(c.nulls.size(), (rows + 7) / 8);
  }
}

TEST(RowSetBuilder, NullSlotsHoldAPlaceholderValue) {
  const Schema schema{column("b", T::BOOLEAN_TYPE), column("d", T::DOUBLE_TYPE),
                      column("s", T::STRING_TYPE), column("x", T::BINARY_TYPE)};
  RowSetBuilder b(schema);
  for (std::size_t i = 0; i < schema.size(); ++i)
    b.add_null(i);
  b.end_row();
  const auto rs = b.take(0, P::HIVE_CLI_SERVICE_PROTOCOL_V10);
  EXPECT_EQ(rs.columns[0].boolVal.values, std::vector<bool>{false});
  EXPECT_EQ(rs.columns[1].doubleVal.values, std::vector<double>{0.0});
  EXPECT_EQ(rs.columns[2].stringVal.values, std::vector<std::string>{""});
  EXPECT_EQ(rs.columns[3].binaryVal.values, std::vector<std::string>{""});
  for (const auto& c : rs.columns)
    EXPECT_EQ(members(c).empty(), false);
  EXPECT_EQ(rs.columns[2].stringVal.nulls, std::string("\x01", 1));
  EXPECT_EQ(rs.columns[3].binaryVal.nulls, std::string("\x01", 1));
}

TEST(RowSetBuilder, StartsEachBatchAfresh) {
  RowSetBuilder b(Schema{column("n", T::BIGINT_TYPE)});
  for (int r = 0; r < 9; ++r) {
    if (r == 8) {
      b.add_null(0);
    } else {
      b.add_int(0, r);
    }
    b.end_row();
  }
  const auto first = b.take(0, P::HIVE_CLI_SERVICE_PROTOCOL_V10);
  EXPECT_EQ(first.columns[0].i64Val.nulls, std::string("\x00\x01", 2));
  EXPECT_EQ(b.rows(), 0u);
  EXPECT_EQ(b.bytes(), 0u);
  b.add_null(0);
  b.end_row();
  b.add_int(0, 5);
  b.end_row();
  const auto second = b.take(9, P::HIVE_CLI_SERVICE_PROTOCOL_V10);
  EXPECT_EQ(second.startRowOffset, 9);
  EXPECT_EQ(second.columns[0].i64Val.values, (std::vector<std::int64_t>{0, 5}));
  EXPECT_EQ(second.columns[0].i64Val.nulls, std::string("\x01", 1));
}

TEST(RowSetBuilder, RowFormBeforeV6CarriesTheSameValuesWithUnsetValuesForNull) {
  const Schema schema{
      column("b", T::BOOLEAN_TYPE),  column("t", T::TINYINT_TYPE),  column("s", T::SMALLINT_TYPE),
      column("i", T::INT_TYPE),      column("l", T::BIGINT_TYPE),   column("f", T::FLOAT_TYPE),
      column("str", T::STRING_TYPE), column("bin", T::BINARY_TYPE), column("dec", T::DECIMAL_TYPE)};
  RowSetBuilder b(schema);
  // Row 0 all values, row 1 all NULL, row 2 values again.
  for (int r = 0; r < 3; ++r) {
    if (r == 1) {
      for (std::size_t i = 0; i < schema.size(); ++i)
        b.add_null(i);
    } else {
      b.add_bool(0, r == 0);
      b.add_int(1, -5 - r);
      b.add_int(2, 300 + r);
      b.add_int(3, 70000 + r);
      b.add_int(4, 5000000000LL + r);
      b.add_double(5, 0.25 + r);
      b.add_text(6, "s" + std::to_string(r));
      b.add_text(7, std::string("\x00\x01", 2));
      b.add_text(8, "12.50");
    }
    b.end_row();
  }
  const tcli::TRowSet rs = b.take(100, P::HIVE_CLI_SERVICE_PROTOCOL_V5);
  EXPECT_EQ(rs.startRowOffset, 100);
  EXPECT_FALSE(rs.__isset.columns);
  ASSERT_EQ(rs.rows.size(), 3u);
  const char* kinds[] = {"boolVal",   "byteVal",   "i16Val",    "i32Val",   "i64Val",
                         "doubleVal", "stringVal", "stringVal", "stringVal"};
  for (const auto& row : rs.rows) {
    ASSERT_EQ(row.colVals.size(), schema.size());
    for (std::size_t i = 0; i < schema.size(); ++i)
      EXPECT_EQ(member(row.colVals[i]), kinds[i]);
  }
  const auto& r0 = rs.rows[0].colVals;
  EXPECT_TRUE(r0[0].boolVal.__isset.value && r0[0].boolVal.value);
  EXPECT_EQ(r0[1].byteVal.value, -5);
  EXPECT_EQ(r0[2].i16Val.value, 300);
  EXPECT_EQ(r0[3].i32Val.value, 70000);
  EXPECT_EQ(r0[4].i64Val.value, 5000000000LL);
  EXPECT_EQ(r0[5].doubleVal.value, 0.25);
  EXPECT_EQ(r0[6].stringVal.value, "s0");
  EXPECT_EQ(r0[7].stringVal.value, std::string("\x00\x01", 2));
  EXPECT_EQ(r0[8].stringVal.value, "12.50");
  const auto& r1 = rs.rows[1].colVals;
  EXPECT_FALSE(r1[0].boolVal.__isset.value);
  EXPECT_FALSE(r1[1].byteVal.__isset.value);
  EXPECT_FALSE(r1[2].i16Val.__isset.value);
  EXPECT_FALSE(r1[3].i32Val.__isset.value);
  EXPECT_FALSE(r1[4].i64Val.__isset.value);
  EXPECT_FALSE(r1[5].doubleVal.__isset.value);
  EXPECT_FALSE(r1[6].stringVal.__isset.value);
  EXPECT_FALSE(r1[7].stringVal.__isset.value);
  const auto& r2 = rs.rows[2].colVals;
  EXPECT_TRUE(r2[0].boolVal.__isset.value);
  EXPECT_FALSE(r2[0].boolVal.value);
  EXPECT_EQ(r2[4].i64Val.value, 5000000002LL);
  EXPECT_EQ(r2[6].stringVal.value, "s2");
}

TEST(RowSetBuilder, ConvertsIntegersForTextBooleanAndDoubleColumns) {
  const Schema schema{column("s", T::STRING_TYPE), column("d", T::DOUBLE_TYPE),
                      column("b", T::BOOLEAN_TYPE)};
  RowSetBuilder b(schema);
  b.add_int(0, -123);
  b.add_int(1, 5);
  b.add_int(2, 2);
  b.end_row();
  const auto rs = b.take(0, P::HIVE_CLI_SERVICE_PROTOCOL_V10);
  EXPECT_EQ(rs.columns[0].stringVal.values, std::vector<std::string>{"-123"});
  EXPECT_EQ(rs.columns[1].doubleVal.values, std::vector<double>{5.0});
  EXPECT_EQ(rs.columns[2].boolVal.values, std::vector<bool>{true});
}

TEST(RowSetBuilder, RefusesAValueThatDoesNotSuitTheColumn) {
  const Schema schema{column("i", T::INT_TYPE), column("x", T::BINARY_TYPE),
                      column("s", T::STRING_TYPE)};
  RowSetBuilder b(schema);
  EXPECT_THROW(b.add_bool(0, true), std::logic_error);
  EXPECT_THROW(b.add_double(0, 1.0), std::logic_error);
  EXPECT_THROW(b.add_text(0, "1"), std::logic_error);
  EXPECT_THROW(b.add_int(1, 1), std::logic_error);
  EXPECT_THROW(b.add_double(2, 1.0), std::logic_error);
  EXPECT_THROW(b.add_value(0, Value{std::string("x")}), std::logic_error);
}

TEST(RowSetBuilder, CountsBytesAsValuesAreAdded) {
  const Schema schema{column("b", T::BOOLEAN_TYPE),  column("t", T::TINYINT_TYPE),
                      column("s", T::SMALLINT_TYPE), column("i", T::INT_TYPE),
                      column("l", T::BIGINT_TYPE),   column("d", T::DOUBLE_TYPE),
                      column("str", T::STRING_TYPE), column("bin", T::BINARY_TYPE)};
  RowSetBuilder b(schema);
  EXPECT_EQ(b.bytes(), 0u);
  std::size_t expected = 0;
  auto step = [&](std::size_t grew) {
    expected += grew;
    EXPECT_EQ(b.bytes(), expected);
  };
  b.add_bool(0, true);
  step(1);
  b.add_int(1, 1);
  step(1);
  b.add_int(2, 1);
  step(2);
  b.add_int(3, 1);
  step(4);
  b.add_int(4, 1);
  step(8);
  b.add_double(5, 1);
  step(8);
  b.add_text(6, "hello");
  step(4 + 5);
  b.add_text(7, std::string(10, 'x'));
  step(4 + 10);
  b.end_row();
  for (std::size_t i = 0; i < schema.size(); ++i)
    b.add_null(i);
  b.end_row();
  EXPECT_GT(b.bytes(), expected);
  EXPECT_EQ(b.rows(), 2u);
  (void)b.take(0, P::HIVE_CLI_SERVICE_PROTOCOL_V10);
  EXPECT_EQ(b.bytes(), 0u);
}

TEST(RowSetBuilder, AddValueDispatchesOnTheVariant) {
  const Schema schema{column("i", T::INT_TYPE), column("b", T::BOOLEAN_TYPE),
                      column("d", T::DOUBLE_TYPE), column("s", T::STRING_TYPE)};
  RowSetBuilder b(schema);
  b.add_value(0, Value{std::int64_t{9}});
  b.add_value(1, Value{false});
  b.add_value(2, Value{2.5});
  b.add_value(3, Value{std::string("x")});
  b.end_row();
  for (std::size_t i = 0; i < schema.size(); ++i)
    b.add_value(i, Value{});
  b.end_row();
  const auto rs = b.take(0, P::HIVE_CLI_SERVICE_PROTOCOL_V10);
  EXPECT_EQ(rs.columns[0].i32Val.values, (std::vector<std::int32_t>{9, 0}));
  EXPECT_EQ(rs.columns[0].i32Val.nulls, std::string("\x02", 1));
  EXPECT_EQ(rs.columns[1].boolVal.values, (std::vector<bool>{false, false}));
  EXPECT_EQ(rs.columns[2].doubleVal.values, (std::vector<double>{2.5, 0}));
  EXPECT_EQ(rs.columns[3].stringVal.values, (std::vector<std::string>{"x", ""}));
  EXPECT_EQ(rs.columns[3].stringVal.nulls, std::string("\x02", 1));
}

const tcli::TPrimitiveTypeEntry& primitive(const tcli::TTableSchema& s, std::size_t i) {
  return s.columns.at(i).typeDesc.types.at(0).primitiveEntry;
}

std::int32_t qualifier(const tcli::TPrimitiveTypeEntry& p, const std::string& name) {
  return p.typeQualifiers.qualifiers.at(name).i32Value;
}

TEST(ToTableSchema, NamesColumnsWithOneBasedPositionsAndComments) {
  Schema schema{column("id", T::INT_TYPE), column("name", T::STRING_TYPE)};
  schema[1].comment = "who";
  const auto s = to_table_schema(schema, P::HIVE_CLI_SERVICE_PROTOCOL_V10);
  ASSERT_EQ(s.columns.size(), 2u);
  EXPECT_EQ(s.columns[0].columnName, "id");
  EXPECT_EQ(s.columns[0].position, 1);
  EXPECT_EQ(s.columns[1].position, 2);
  EXPECT_FALSE(s.columns[0].__isset.comment);
  EXPECT_TRUE(s.columns[1].__isset.comment);
  EXPECT_EQ(s.columns[1].comment, "who");
  for (const auto& c : s.columns) {
    ASSERT_EQ(c.typeDesc.types.size(), 1u);
    EXPECT_TRUE(c.typeDesc.types[0].__isset.primitiveEntry);
  }
  EXPECT_EQ(primitive(s, 0).type, T::INT_TYPE);
  EXPECT_FALSE(primitive(s, 0).__isset.typeQualifiers);
}

TEST(ToTableSchema, GivesDecimalItsPrecisionAndScaleFromV4) {
  Schema schema{ColumnDesc{"amount", ColumnType{T::DECIMAL_TYPE, 10, 2, 0}, {}}};
  const auto v10 = to_table_schema(schema, P::HIVE_CLI_SERVICE_PROTOCOL_V10);
  ASSERT_TRUE(primitive(v10, 0).__isset.typeQualifiers);
  EXPECT_EQ(primitive(v10, 0).type, T::DECIMAL_TYPE);
  EXPECT_EQ(qualifier(primitive(v10, 0), "precision"), 10);
  EXPECT_EQ(qualifier(primitive(v10, 0), "scale"), 2);
  const auto v4 = to_table_schema(schema, P::HIVE_CLI_SERVICE_PROTOCOL_V4);
  EXPECT_EQ(qualifier(primitive(v4, 0), "precision"), 10);
  const auto v3 = to_table_schema(schema, P::HIVE_CLI_SERVICE_PROTOCOL_V3);
  EXPECT_EQ(primitive(v3, 0).type, T::DECIMAL_TYPE);
  EXPECT_FALSE(primitive(v3, 0).__isset.typeQualifiers);
}

TEST(ToTableSchema, GivesVarcharAndCharTheirMaximumLength) {
  Schema schema{ColumnDesc{"v", ColumnType{T::VARCHAR_TYPE, 0, 0, 20}, {}},
                ColumnDesc{"c", ColumnType{T::CHAR_TYPE, 0, 0, 5}, {}}};
  const auto s = to_table_schema(schema, P::HIVE_CLI_SERVICE_PROTOCOL_V10);
  EXPECT_EQ(primitive(s, 0).type, T::VARCHAR_TYPE);
  EXPECT_EQ(qualifier(primitive(s, 0), "characterMaximumLength"), 20);
  EXPECT_EQ(primitive(s, 1).type, T::CHAR_TYPE);
  EXPECT_EQ(qualifier(primitive(s, 1), "characterMaximumLength"), 5);
  EXPECT_EQ(primitive(s, 0).typeQualifiers.qualifiers.size(), 1u);
}

TEST(ToTableSchema, DowngradesTypesAnOldProtocolDoesNotKnowToString) {
  struct Case {
    TypeId id;
    P::type last_without;
    P::type first_with;
  };
  const Case cases[] = {
      {T::VARCHAR_TYPE, P::HIVE_CLI_SERVICE_PROTOCOL_V2, P::HIVE_CLI_SERVICE_PROTOCOL_V3},
      {T::CHAR_TYPE, P::HIVE_CLI_SERVICE_PROTOCOL_V3, P::HIVE_CLI_SERVICE_PROTOCOL_V4},
      {T::INTERVAL_YEAR_MONTH_TYPE, P::HIVE_CLI_SERVICE_PROTOCOL_V7,
       P::HIVE_CLI_SERVICE_PROTOCOL_V8},
      {T::INTERVAL_DAY_TIME_TYPE, P::HIVE_CLI_SERVICE_PROTOCOL_V7, P::HIVE_CLI_SERVICE_PROTOCOL_V8},
      {T::TIMESTAMPLOCALTZ_TYPE, P::HIVE_CLI_SERVICE_PROTOCOL_V10,
       P::HIVE_CLI_SERVICE_PROTOCOL_V11},
  };
  for (const Case& c : cases) {
    const Schema schema{ColumnDesc{"x", ColumnType{c.id, 0, 0, 8}, {}}};
    const auto old_one = to_table_schema(schema, c.last_without);
    EXPECT_EQ(primitive(old_one, 0).type, T::STRING_TYPE) << c.id;
    EXPECT_FALSE(primitive(old_one, 0).__isset.typeQualifiers) << c.id;
    const auto new_one = to_table_schema(schema, c.first_with);
    EXPECT_EQ(primitive(new_one, 0).type, c.id) << c.id;
  }
  // The oldest types travel as they are to every version.
  for (TypeId id :
       {T::BOOLEAN_TYPE, T::BIGINT_TYPE, T::TIMESTAMP_TYPE, T::BINARY_TYPE, T::MAP_TYPE}) {
    EXPECT_EQ(
        primitive(to_table_schema({column("x", id)}, P::HIVE_CLI_SERVICE_PROTOCOL_V1), 0).type, id);
  }
}

TEST(ColumnType, NamesTypesAsHiveSpellsThem) {
  EXPECT_EQ(ColumnType{T::INT_TYPE}.name(), "int");
  EXPECT_EQ(ColumnType{T::BIGINT_TYPE}.name(), "bigint");
  EXPECT_EQ(ColumnType{T::STRING_TYPE}.name(), "string");
  EXPECT_EQ(ColumnType{T::BOOLEAN_TYPE}.name(), "boolean");
  EXPECT_EQ(ColumnType{T::TIMESTAMP_TYPE}.name(), "timestamp");
  EXPECT_EQ(ColumnType{T::NULL_TYPE}.name(), "void");
  EXPECT_EQ(ColumnType{T::UNION_TYPE}.name(), "uniontype");
  EXPECT_EQ((ColumnType{T::DECIMAL_TYPE, 10, 2, 0}.name()), "decimal(10,2)");
  EXPECT_EQ((ColumnType{T::VARCHAR_TYPE, 0, 0, 20}.name()), "varchar(20)");
  EXPECT_EQ((ColumnType{T::CHAR_TYPE, 0, 0, 5}.name()), "char(5)");
  EXPECT_EQ(ColumnType{T::INTERVAL_DAY_TIME_TYPE}.name(), "interval_day_time");
}

TEST(ColumnType, GivesTheJavaSqlTypesCode) {
  EXPECT_EQ(ColumnType{T::BOOLEAN_TYPE}.jdbc_type(), 16);
  EXPECT_EQ(ColumnType{T::TINYINT_TYPE}.jdbc_type(), -6);
  EXPECT_EQ(ColumnType{T::SMALLINT_TYPE}.jdbc_type(), 5);
  EXPECT_EQ(ColumnType{T::INT_TYPE}.jdbc_type(), 4);
  EXPECT_EQ(ColumnType{T::BIGINT_TYPE}.jdbc_type(), -5);
  EXPECT_EQ(ColumnType{T::FLOAT_TYPE}.jdbc_type(), 6);
  EXPECT_EQ(ColumnType{T::DOUBLE_TYPE}.jdbc_type(), 8);
  EXPECT_EQ(ColumnType{T::STRING_TYPE}.jdbc_type(), 12);
  EXPECT_EQ(ColumnType{T::VARCHAR_TYPE}.jdbc_type(), 12);
  EXPECT_EQ(ColumnType{T::CHAR_TYPE}.jdbc_type(), 1);
  EXPECT_EQ(ColumnType{T::DECIMAL_TYPE}.jdbc_type(), 3);
  EXPECT_EQ(ColumnType{T::DATE_TYPE}.jdbc_type(), 91);
  EXPECT_EQ(ColumnType{T::TIMESTAMP_TYPE}.jdbc_type(), 93);
  EXPECT_EQ(ColumnType{T::BINARY_TYPE}.jdbc_type(), -2);
  EXPECT_EQ(ColumnType{T::ARRAY_TYPE}.jdbc_type(), 2003);
  EXPECT_EQ(ColumnType{T::STRUCT_TYPE}.jdbc_type(), 2002);
  EXPECT_EQ(ColumnType{T::NULL_TYPE}.jdbc_type(), 0);
  EXPECT_EQ(ColumnType{T::INTERVAL_YEAR_MONTH_TYPE}.jdbc_type(), 1111);
}

TEST(ColumnType, ReportsJdbcSizesDigitsAndRadix) {
  EXPECT_EQ(ColumnType{T::INT_TYPE}.column_size(), 10);
  EXPECT_EQ((ColumnType{T::DECIMAL_TYPE, 12, 3, 0}.column_size()), 12);
  EXPECT_EQ((ColumnType{T::DECIMAL_TYPE, 12, 3, 0}.decimal_digits()), 3);
  EXPECT_EQ((ColumnType{T::VARCHAR_TYPE, 0, 0, 40}.column_size()), 40);
  EXPECT_EQ(ColumnType{T::STRING_TYPE}.column_size(), 2147483647);
  EXPECT_EQ(ColumnType{T::BOOLEAN_TYPE}.column_size(), std::nullopt);
  EXPECT_EQ(ColumnType{T::INT_TYPE}.decimal_digits(), 0);
  EXPECT_EQ(ColumnType{T::STRING_TYPE}.decimal_digits(), std::nullopt);
  EXPECT_EQ(ColumnType{T::DOUBLE_TYPE}.num_prec_radix(), 10);
  EXPECT_EQ(ColumnType{T::STRING_TYPE}.num_prec_radix(), std::nullopt);
}

}  // namespace
}  // namespace kitsune::backend
