// Column type names and JDBC codes, TTableSchema building, and RowSetBuilder.
#include "kitsune/backend/types.h"

#include <stdexcept>

namespace kitsune::backend {
namespace {

using T = tcli::TTypeId;
using P = tcli::TProtocolVersion;

// What a client of `version` can be sent for `id`.
TypeId visible_type(TypeId id, ProtocolVersion version) {
  switch (id) {
    case T::VARCHAR_TYPE:
      return version >= P::HIVE_CLI_SERVICE_PROTOCOL_V3 ? id : T::STRING_TYPE;
    case T::CHAR_TYPE:
      return version >= P::HIVE_CLI_SERVICE_PROTOCOL_V4 ? id : T::STRING_TYPE;
    case T::INTERVAL_YEAR_MONTH_TYPE:
    case T::INTERVAL_DAY_TIME_TYPE:
      return version >= P::HIVE_CLI_SERVICE_PROTOCOL_V8 ? id : T::STRING_TYPE;
    case T::TIMESTAMPLOCALTZ_TYPE:
      return version >= P::HIVE_CLI_SERVICE_PROTOCOL_V11 ? id : T::STRING_TYPE;
    default:
      return id;
  }
}

}  // namespace

std::string ColumnType::name() const {
  switch (id) {
    case T::BOOLEAN_TYPE:
      return "boolean";
    case T::TINYINT_TYPE:
      return "tinyint";
    case T::SMALLINT_TYPE:
      return "smallint";
    case T::INT_TYPE:
      return "int";
    case T::BIGINT_TYPE:
      return "bigint";
    case T::FLOAT_TYPE:
      return "float";
    case T::DOUBLE_TYPE:
      return "double";
    case T::STRING_TYPE:
      return "string";
    case T::TIMESTAMP_TYPE:
      return "timestamp";
    case T::BINARY_TYPE:
      return "binary";
    case T::ARRAY_TYPE:
      return "array";
    case T::MAP_TYPE:
      return "map";
    case T::STRUCT_TYPE:
      return "struct";
    case T::UNION_TYPE:
      return "uniontype";
    case T::USER_DEFINED_TYPE:
      return "user_defined";
    case T::DECIMAL_TYPE:
      return "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case T::NULL_TYPE:
      return "void";
    case T::DATE_TYPE:
      return "date";
    case T::VARCHAR_TYPE:
      return "varchar(" + std::to_string(length) + ")";
    case T::CHAR_TYPE:
      return "char(" + std::to_string(length) + ")";
    case T::INTERVAL_YEAR_MONTH_TYPE:
      return "interval_year_month";
    case T::INTERVAL_DAY_TIME_TYPE:
      return "interval_day_time";
    case T::TIMESTAMPLOCALTZ_TYPE:
      return "timestamp with local time zone";
  }
  return "string";
}

int ColumnType::jdbc_type() const {
  switch (id) {
    case T::BOOLEAN_TYPE:
      return 16;  // BOOLEAN
    case T::TINYINT_TYPE:
      return -6;  // TINYINT
    case T::SMALLINT_TYPE:
      return 5;  // SMALLINT
    case T::INT_TYPE:
      return 4;  // INTEGER
    case T::BIGINT_TYPE:
      return -5;  // BIGINT
    case T::FLOAT_TYPE:
      return 6;  // FLOAT
    case T::DOUBLE_TYPE:
      return 8;  // DOUBLE
    case T::STRING_TYPE:
      return 12;  // VARCHAR
    case T::TIMESTAMP_TYPE:
      return 93;  // TIMESTAMP
    case T::BINARY_TYPE:
      return -2;  // BINARY
    case T::ARRAY_TYPE:
      return 2003;  // ARRAY
    case T::MAP_TYPE:
      return 2000;  // JAVA_OBJECT
    case T::STRUCT_TYPE:
      return 2002;  // STRUCT
    case T::DECIMAL_TYPE:
      return 3;  // DECIMAL
    case T::NULL_TYPE:
      return 0;  // NULL
    case T::DATE_TYPE:
      return 91;  // DATE
    case T::VARCHAR_TYPE:
      return 12;  // VARCHAR
    case T::CHAR_TYPE:
      return 1;  // CHAR
    case T::TIMESTAMPLOCALTZ_TYPE:
      return 2014;  // TIMESTAMP_WITH_TIMEZONE
    default:
      return 1111;  // OTHER
  }
}

std::optional<int> ColumnType::column_size() const {
  switch (id) {
    case T::TINYINT_TYPE:
      return 3;
    case T::SMALLINT_TYPE:
      return 5;
    case T::INT_TYPE:
      return 10;
    case T::BIGINT_TYPE:
      return 19;
    case T::FLOAT_TYPE:
      return 7;
    case T::DOUBLE_TYPE:
      return 15;
    case T::DECIMAL_TYPE:
      return precision;
    case T::DATE_TYPE:
      return 10;
    case T::TIMESTAMP_TYPE:
      return 29;
    case T::CHAR_TYPE:
    case T::VARCHAR_TYPE:
      return length;
    case T::STRING_TYPE:
    case T::BINARY_TYPE:
      return 2147483647;
    default:
      return std::nullopt;
  }
}

std::optional<int> ColumnType::decimal_digits() const {
  switch (id) {
    case T::BOOLEAN_TYPE:
    case T::TINYINT_TYPE:
    case T::SMALLINT_TYPE:
    case T::INT_TYPE:
    case T::BIGINT_TYPE:
      return 0;
    case T::FLOAT_TYPE:
      return 7;
    case T::DOUBLE_TYPE:
      return 15;
    case T::DECIMAL_TYPE:
      return scale;
    case T::TIMESTAMP_TYPE:
      return 9;
    default:
      return std::nullopt;
  }
}

std::optional<int> ColumnType::num_prec_radix() const {
  switch (id) {
    case T::TINYINT_TYPE:
    case T::SMALLINT_TYPE:
    case T::INT_TYPE:
    case T::BIGINT_TYPE:
    case T::FLOAT_TYPE:
    case T::DOUBLE_TYPE:
    case T::DECIMAL_TYPE:
      return 10;
    default:
      return std::nullopt;
  }
}

tcli::TTableSchema to_table_schema(const Schema& schema, ProtocolVersion version) {
  tcli::TTableSchema out;
  out.columns.reserve(schema.size());
  for (std::size_t i = 0; i < schema.size(); ++i) {
    const ColumnDesc& c = schema[i];
    tcli::TPrimitiveTypeEntry prim;
    prim.type = visible_type(c.type.id, version);
    auto qualifier = [](std::int32_t v) {
      tcli::TTypeQualifierValue q;
      q.__set_i32Value(v);
      return q;
    };
    if (prim.type == T::VARCHAR_TYPE || prim.type == T::CHAR_TYPE) {
      tcli::TTypeQualifiers qs;
      qs.qualifiers[tcli::g_TCLIService_constants.CHARACTER_MAXIMUM_LENGTH] =
          qualifier(c.type.length);
      prim.__set_typeQualifiers(qs);
    } else if (prim.type == T::DECIMAL_TYPE && version >= P::HIVE_CLI_SERVICE_PROTOCOL_V4) {
      tcli::TTypeQualifiers qs;
      qs.qualifiers[tcli::g_TCLIService_constants.PRECISION] = qualifier(c.type.precision);
      qs.qualifiers[tcli::g_TCLIService_constants.SCALE] = qualifier(c.type.scale);
      prim.__set_typeQualifiers(qs);
    }
    tcli::TTypeEntry entry;
    entry.__set_primitiveEntry(prim);
    tcli::TColumnDesc desc;
    desc.columnName = c.name;
    desc.typeDesc.types.push_back(std::move(entry));
    desc.position = static_cast<std::int32_t>(i + 1);
    if (!c.comment.empty()) desc.__set_comment(c.comment);
    out.columns.push_back(std::move(desc));
  }
  return out;
}

RowSetBuilder::RowSetBuilder(const Schema& schema) : schema_(schema) {
  slots_.reserve(schema_.size());
  columns_.resize(schema_.size());
  nulls_.resize(schema_.size());
  for (std::size_t i = 0; i < schema_.size(); ++i) {
    Slot slot;
    switch (schema_[i].type.id) {
      case T::BOOLEAN_TYPE:
        slot = Slot::kBool;
        break;
      case T::TINYINT_TYPE:
        slot = Slot::kByte;
        break;
      case T::SMALLINT_TYPE:
        slot = Slot::kI16;
        break;
      case T::INT_TYPE:
        slot = Slot::kI32;
        break;
      case T::BIGINT_TYPE:
        slot = Slot::kI64;
        break;
      case T::FLOAT_TYPE:
      case T::DOUBLE_TYPE:
        slot = Slot::kDouble;
        break;
      case T::BINARY_TYPE:
        slot = Slot::kBinary;
        break;
      default:
        slot = Slot::kString;
        break;
    }
    slots_.push_back(slot);
  }
}

void RowSetBuilder::set_null_bit(std::size_t column) {
  std::string& bits = nulls_[column];
  const std::size_t byte = rows_ / 8;
  if (bits.size() <= byte) bits.resize(byte + 1, '\0');
  bits[byte] = static_cast<char>(static_cast<unsigned char>(bits[byte]) | (1u << (rows_ % 8)));
}

void RowSetBuilder::add_null(std::size_t column) {
  set_null_bit(column);
  tcli::TColumn& c = columns_[column];
  switch (slots_[column]) {
    case Slot::kBool:
      c.boolVal.values.push_back(false);
      bytes_ += 1;
      break;
    case Slot::kByte:
      c.byteVal.values.push_back(0);
      bytes_ += 1;
      break;
    case Slot::kI16:
      c.i16Val.values.push_back(0);
      bytes_ += 2;
      break;
    case Slot::kI32:
      c.i32Val.values.push_back(0);
      bytes_ += 4;
      break;
    case Slot::kI64:
      c.i64Val.values.push_back(0);
      bytes_ += 8;
      break;
    case Slot::kDouble:
      c.doubleVal.values.push_back(0);
      bytes_ += 8;
      break;
    case Slot::kString:
      c.stringVal.values.emplace_back();
      bytes_ += 4;
      break;
    case Slot::kBinary:
      c.binaryVal.values.emplace_back();
      bytes_ += 4;
      break;
  }
}

void RowSetBuilder::add_bool(std::size_t column, bool v) {
  if (slots_[column] != Slot::kBool)
    throw std::logic_error("boolean value for a non-boolean column");
  columns_[column].boolVal.values.push_back(v);
  bytes_ += 1;
}

void RowSetBuilder::add_int(std::size_t column, std::int64_t v) {
  tcli::TColumn& c = columns_[column];
  switch (slots_[column]) {
    case Slot::kByte:
      c.byteVal.values.push_back(static_cast<std::int8_t>(v));
      bytes_ += 1;
      return;
    case Slot::kI16:
      c.i16Val.values.push_back(static_cast<std::int16_t>(v));
      bytes_ += 2;
      return;
    case Slot::kI32:
      c.i32Val.values.push_back(static_cast<std::int32_t>(v));
      bytes_ += 4;
      return;
    case Slot::kI64:
      c.i64Val.values.push_back(v);
      bytes_ += 8;
      return;
    case Slot::kBool:
      c.boolVal.values.push_back(v != 0);
      bytes_ += 1;
      return;
    case Slot::kDouble:
      c.doubleVal.values.push_back(static_cast<double>(v));
      bytes_ += 8;
      return;
    case Slot::kString: {
      std::string s = std::to_string(v);
      bytes_ += 4 + s.size();
      c.stringVal.values.push_back(std::move(s));
      return;
    }
    case Slot::kBinary:
      break;
  }
  throw std::logic_error("integer value for a binary column");
}

void RowSetBuilder::add_double(std::size_t column, double v) {
  if (slots_[column] != Slot::kDouble)
    throw std::logic_error("double value for a non-double column");
  columns_[column].doubleVal.values.push_back(v);
  bytes_ += 8;
}

void RowSetBuilder::add_text(std::size_t column, std::string_view v) {
  tcli::TColumn& c = columns_[column];
  if (slots_[column] == Slot::kString) {
    c.stringVal.values.emplace_back(v);
  } else if (slots_[column] == Slot::kBinary) {
    c.binaryVal.values.emplace_back(v);
  } else {
    throw std::logic_error("text value for a non-text column");
  }
  bytes_ += 4 + v.size();
}

void RowSetBuilder::add_value(std::size_t column, const Value& v) {
  std::visit(
      [&](const auto& x) {
        using X = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<X, std::monostate>) {
          add_null(column);
        } else if constexpr (std::is_same_v<X, bool>) {
          add_bool(column, x);
        } else if constexpr (std::is_same_v<X, std::int64_t>) {
          add_int(column, x);
        } else if constexpr (std::is_same_v<X, double>) {
          add_double(column, x);
        } else {
          add_text(column, x);
        }
      },
      v);
}

void RowSetBuilder::end_row() {
  ++rows_;
}

tcli::TRowSet RowSetBuilder::take(std::int64_t start_row_offset, ProtocolVersion version) {
  tcli::TRowSet out;
  out.startRowOffset = start_row_offset;
  // Trailing zero bytes of a null bitmap carry nothing; Hive drops them too.
  for (auto& bits : nulls_) {
    while (!bits.empty() && bits.back() == '\0')
      bits.pop_back();
  }
  if (version >= P::HIVE_CLI_SERVICE_PROTOCOL_V6) {
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      tcli::TColumn& c = columns_[i];
      switch (slots_[i]) {
        case Slot::kBool:
          c.boolVal.nulls = std::move(nulls_[i]);
          c.__isset.boolVal = true;
          break;
        case Slot::kByte:
          c.byteVal.nulls = std::move(nulls_[i]);
          c.__isset.byteVal = true;
          break;
        case Slot::kI16:
          c.i16Val.nulls = std::move(nulls_[i]);
          c.__isset.i16Val = true;
          break;
        case Slot::kI32:
          c.i32Val.nulls = std::move(nulls_[i]);
          c.__isset.i32Val = true;
          break;
        case Slot::kI64:
          c.i64Val.nulls = std::move(nulls_[i]);
          c.__isset.i64Val = true;
          break;
        case Slot::kDouble:
          c.doubleVal.nulls = std::move(nulls_[i]);
          c.__isset.doubleVal = true;
          break;
        case Slot::kString:
          c.stringVal.nulls = std::move(nulls_[i]);
          c.__isset.stringVal = true;
          break;
        case Slot::kBinary:
          c.binaryVal.nulls = std::move(nulls_[i]);
          c.__isset.binaryVal = true;
          break;
      }
    }
    out.__set_columns(std::move(columns_));
  } else {
    out.rows.resize(rows_);
    for (std::size_t r = 0; r < rows_; ++r) {
      auto& vals = out.rows[r].colVals;
      vals.resize(columns_.size());
      for (std::size_t i = 0; i < columns_.size(); ++i) {
        const std::string& bits = nulls_[i];
        const bool is_null =
            r / 8 < bits.size() && (static_cast<unsigned char>(bits[r / 8]) >> (r % 8)) & 1u;
        tcli::TColumnValue& v = vals[i];
        const tcli::TColumn& c = columns_[i];
        switch (slots_[i]) {
          case Slot::kBool: {
            tcli::TBoolValue x;
            if (!is_null) x.__set_value(c.boolVal.values[r]);
            v.__set_boolVal(x);
            break;
          }
          case Slot::kByte: {
            tcli::TByteValue x;
            if (!is_null) x.__set_value(c.byteVal.values[r]);
            v.__set_byteVal(x);
            break;
          }
          case Slot::kI16: {
            tcli::TI16Value x;
            if (!is_null) x.__set_value(c.i16Val.values[r]);
            v.__set_i16Val(x);
            break;
          }
          case Slot::kI32: {
            tcli::TI32Value x;
            if (!is_null) x.__set_value(c.i32Val.values[r]);
            v.__set_i32Val(x);
            break;
          }
          case Slot::kI64: {
            tcli::TI64Value x;
            if (!is_null) x.__set_value(c.i64Val.values[r]);
            v.__set_i64Val(x);
            break;
          }
          case Slot::kDouble: {
            tcli::TDoubleValue x;
            if (!is_null) x.__set_value(c.doubleVal.values[r]);
            v.__set_doubleVal(x);
            break;
          }
          case Slot::kString:
          case Slot::kBinary: {
            tcli::TStringValue x;
            if (!is_null) {
              x.__set_value(slots_[i] == Slot::kString ? c.stringVal.values[r]
                                                       : c.binaryVal.values[r]);
            }
            v.__set_stringVal(x);
            break;
          }
        }
      }
    }
  }
  // Start the next batch afresh.
  columns_.assign(schema_.size(), tcli::TColumn());
  nulls_.assign(schema_.size(), std::string());
  rows_ = 0;
  bytes_ = 0;
  return out;
}

}  // namespace kitsune::backend
