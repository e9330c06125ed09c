// MySQL result fields and information_schema column types as Hive types; text values as cells.
#include "mysql/type_mapping.h"

#include <mysql.h>

#include <charconv>
#include <string>

#include "kitsune/common/strings.h"

namespace kitsune::backends::mysql {
namespace {

using backend::ColumnType;
using T = tcli::TTypeId;

constexpr unsigned int kBinaryCharset = 63;
constexpr int kMaxChar = 255;
constexpr int kMaxVarchar = 65535;

ColumnType of(T::type id) {
  ColumnType t;
  t.id = id;
  return t;
}

ColumnType decimal(int precision, int scale) {
  ColumnType t = of(T::DECIMAL_TYPE);
  t.precision = precision < 1 ? 1 : precision;
  t.scale = scale < 0 ? 0 : scale;
  return t;
}

// CHAR(n) / VARCHAR(n) within Hive's limits, else STRING.
ColumnType sized(T::type id, std::int64_t chars) {
  const int max = id == T::CHAR_TYPE ? kMaxChar : kMaxVarchar;
  if (chars < 1 || chars > max) return of(T::STRING_TYPE);
  ColumnType t = of(id);
  t.length = static_cast<int>(chars);
  return t;
}

unsigned int max_bytes_per_char(unsigned int charset) {
  const MARIADB_CHARSET_INFO* info = mariadb_get_charset_by_nr(charset);
  return info != nullptr && info->char_maxlen > 0 ? info->char_maxlen : 1;
}

}  // namespace

ColumnType map_field(const MYSQL_FIELD& f, const TypeOptions& options) {
  const bool is_unsigned = (f.flags & UNSIGNED_FLAG) != 0;
  const bool binary = f.charsetnr == kBinaryCharset;
  switch (f.type) {
    case MYSQL_TYPE_TINY:
      if (f.length == 1 && options.tiny_int1_is_bit) return of(T::BOOLEAN_TYPE);
      return of(is_unsigned ? T::SMALLINT_TYPE : T::TINYINT_TYPE);
    case MYSQL_TYPE_SHORT:
      return of(is_unsigned ? T::INT_TYPE : T::SMALLINT_TYPE);
    case MYSQL_TYPE_INT24:
      return of(T::INT_TYPE);
    case MYSQL_TYPE_LONG:
      return of(is_unsigned ? T::BIGINT_TYPE : T::INT_TYPE);
    case MYSQL_TYPE_LONGLONG:
      return is_unsigned ? decimal(20, 0) : of(T::BIGINT_TYPE);
    case MYSQL_TYPE_FLOAT:
      return of(T::FLOAT_TYPE);
    case MYSQL_TYPE_DOUBLE:
      return of(T::DOUBLE_TYPE);
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL: {
      // The display length counts the sign (unless unsigned) and the point (when s > 0).
      const int scale = static_cast<int>(f.decimals);
      const int precision =
          static_cast<int>(f.length) - (scale > 0 ? 1 : 0) - (is_unsigned ? 0 : 1);
      return decimal(precision, scale);
    }
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE:
      return of(T::DATE_TYPE);
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP:
    case MYSQL_TYPE_DATETIME2:
    case MYSQL_TYPE_TIMESTAMP2:
      return of(T::TIMESTAMP_TYPE);
    case MYSQL_TYPE_YEAR:
      return of(T::INT_TYPE);
    case MYSQL_TYPE_BIT:
      return f.length == 1 ? of(T::BOOLEAN_TYPE) : of(T::BIGINT_TYPE);
    case MYSQL_TYPE_STRING:
      if ((f.flags & (ENUM_FLAG | SET_FLAG)) != 0) return of(T::STRING_TYPE);
      if (binary) return of(T::BINARY_TYPE);
      return sized(T::CHAR_TYPE, f.length / max_bytes_per_char(f.charsetnr));
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_VARCHAR:
      if (binary) return of(T::BINARY_TYPE);
      return sized(T::VARCHAR_TYPE, f.length / max_bytes_per_char(f.charsetnr));
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
      return of(binary ? T::BINARY_TYPE : T::STRING_TYPE);
    case MYSQL_TYPE_GEOMETRY:
      return of(T::BINARY_TYPE);
    default:  // TIME, ENUM, SET, JSON, NULL and anything newer
      return of(T::STRING_TYPE);
  }
}

ColumnType map_column_type(std::string_view data_type, std::string_view column_type,
                           std::optional<std::int64_t> char_max_length,
                           std::optional<std::int64_t> precision, std::optional<std::int64_t> scale,
                           const TypeOptions& options) {
  const std::string dt = to_lower(trim(data_type));
  const std::string ct = to_lower(trim(column_type));
  const bool is_unsigned = ct.find("unsigned") != std::string::npos;
  if (dt == "tinyint") {
    if (ct.starts_with("tinyint(1)") && options.tiny_int1_is_bit) return of(T::BOOLEAN_TYPE);
    return of(is_unsigned ? T::SMALLINT_TYPE : T::TINYINT_TYPE);
  }
  if (dt == "bool" || dt == "boolean") return of(T::BOOLEAN_TYPE);
  if (dt == "smallint") return of(is_unsigned ? T::INT_TYPE : T::SMALLINT_TYPE);
  if (dt == "mediumint") return of(T::INT_TYPE);
  if (dt == "int" || dt == "integer") return of(is_unsigned ? T::BIGINT_TYPE : T::INT_TYPE);
  if (dt == "bigint") return is_unsigned ? decimal(20, 0) : of(T::BIGINT_TYPE);
  if (dt == "float") return of(T::FLOAT_TYPE);
  if (dt == "double" || dt == "real" || dt == "double precision") return of(T::DOUBLE_TYPE);
  if (dt == "decimal" || dt == "numeric" || dt == "dec" || dt == "fixed") {
    return decimal(static_cast<int>(precision.value_or(10)), static_cast<int>(scale.value_or(0)));
  }
  if (dt == "date") return of(T::DATE_TYPE);
  if (dt == "datetime" || dt == "timestamp") return of(T::TIMESTAMP_TYPE);
  if (dt == "year") return of(T::INT_TYPE);
  if (dt == "bit") return ct == "bit(1)" ? of(T::BOOLEAN_TYPE) : of(T::BIGINT_TYPE);
  if (dt == "char") return sized(T::CHAR_TYPE, char_max_length.value_or(0));
  if (dt == "varchar") return sized(T::VARCHAR_TYPE, char_max_length.value_or(0));
  if (dt == "binary" || dt == "varbinary" || dt == "tinyblob" || dt == "blob" ||
      dt == "mediumblob" || dt == "longblob" || dt == "geometry" || dt == "point" ||
      dt == "linestring" || dt == "polygon" || dt == "multipoint" || dt == "multilinestring" ||
      dt == "multipolygon" || dt == "geometrycollection") {
    return of(T::BINARY_TYPE);
  }
  return of(T::STRING_TYPE);  // text types, enum, set, json, time, MariaDB's inet6 and uuid
}

ValueReader reader_for(const MYSQL_FIELD& f, const ColumnType& type) {
  if (f.type == MYSQL_TYPE_BIT) {
    return type.id == T::BOOLEAN_TYPE ? ValueReader::kBitBool : ValueReader::kBitInt;
  }
  switch (type.id) {
    case T::BOOLEAN_TYPE:
      return ValueReader::kBool;
    case T::TINYINT_TYPE:
    case T::SMALLINT_TYPE:
    case T::INT_TYPE:
    case T::BIGINT_TYPE:
      return ValueReader::kInt;
    case T::FLOAT_TYPE:
    case T::DOUBLE_TYPE:
      return ValueReader::kDouble;
    case T::DATE_TYPE:
    case T::TIMESTAMP_TYPE:
      return ValueReader::kTemporal;
    default:
      return ValueReader::kText;
  }
}

Status convert_value(ValueReader reader, const char* data, unsigned long length,
                     std::string_view name, Cell& out) {
  out = Cell{};
  if (data == nullptr) return Status::ok();
  const std::string_view text(data, length);
  const auto unreadable = [&](std::string_view as) {
    return Status::error("Cannot read value '" + std::string(text.substr(0, 64)) + "' of column " +
                             std::string(name) + " as " + std::string(as),
                         "22018");
  };
  switch (reader) {
    case ValueReader::kText:
      out.kind = Cell::Kind::kText;
      out.text = text;
      return Status::ok();
    case ValueReader::kTemporal:
      // A zero date has no year: '0000-00-00' and '0000-00-00 00:00:00[.000]'.
      if (text.starts_with("0000-00-00")) return Status::ok();
      out.kind = Cell::Kind::kText;
      out.text = text;
      return Status::ok();
    case ValueReader::kInt:
    case ValueReader::kBool: {
      std::int64_t v = 0;
      const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || p != text.data() + text.size()) return unreadable("an integer");
      if (reader == ValueReader::kBool) {
        out.kind = Cell::Kind::kBool;
        out.boolean = v != 0;
      } else {
        out.kind = Cell::Kind::kInt;
        out.integer = v;
      }
      return Status::ok();
    }
    case ValueReader::kDouble: {
      double v = 0;
      const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || p != text.data() + text.size()) return unreadable("a number");
      out.kind = Cell::Kind::kDouble;
      out.real = v;
      return Status::ok();
    }
    case ValueReader::kBitInt:
    case ValueReader::kBitBool: {
      std::uint64_t v = 0;
      for (char c : text) {
        v = (v << 8) | static_cast<unsigned char>(c);
      }
      if (reader == ValueReader::kBitBool) {
        out.kind = Cell::Kind::kBool;
        out.boolean = v != 0;
      } else {
        out.kind = Cell::Kind::kInt;
        out.integer = static_cast<std::int64_t>(v);
      }
      return Status::ok();
    }
  }
  return Status::internal("unknown value reader");
}

void add_cell(backend::RowSetBuilder& out, std::size_t column, const Cell& cell) {
  switch (cell.kind) {
    case Cell::Kind::kNull:
      out.add_null(column);
      break;
    case Cell::Kind::kBool:
      out.add_bool(column, cell.boolean);
      break;
    case Cell::Kind::kInt:
      out.add_int(column, cell.integer);
      break;
    case Cell::Kind::kDouble:
      out.add_double(column, cell.real);
      break;
    case Cell::Kind::kText:
      out.add_text(column, cell.text);
      break;
  }
}

}  // namespace kitsune::backends::mysql
