// PostgreSQL type OIDs and typmods as Hive types, and text values as Hive values.
#include "postgresql/type_mapping.h"

#include <charconv>
#include <cstdlib>

namespace kitsune::backends::postgresql {
namespace {

using tcli::TTypeId;

// pg_type OIDs of the built-in types (src/include/catalog/pg_type.dat); stable across versions.
enum : Oid {
  kBool = 16,
  kBytea = 17,
  kInt8 = 20,
  kInt2 = 21,
  kInt4 = 23,
  kOid = 26,
  kFloat4 = 700,
  kFloat8 = 701,
  kBpchar = 1042,
  kVarchar = 1043,
  kDate = 1082,
  kTimestamp = 1114,
  kNumeric = 1700,
};

// varlena typmods carry a 4-byte header.
constexpr int kVarHeader = 4;
constexpr int kMaxDecimalPrecision = 38;
constexpr int kMaxChar = 255;
constexpr int kMaxVarchar = 65535;

MappedType simple(TTypeId::type id, ValueKind kind) {
  MappedType m;
  m.type.id = id;
  m.kind = kind;
  return m;
}

MappedType text() {
  return simple(TTypeId::STRING_TYPE, ValueKind::kText);
}

MappedType sized(TTypeId::type id, int length) {
  MappedType m = simple(id, ValueKind::kText);
  m.type.length = length;
  return m;
}

MappedType numeric(int typmod) {
  MappedType m = simple(TTypeId::DECIMAL_TYPE, ValueKind::kText);
  if (typmod < kVarHeader) {
    m.type.precision = kMaxDecimalPrecision;
    m.type.scale = 18;
    return m;
  }
  const int packed = typmod - kVarHeader;
  const int precision = (packed >> 16) & 0xffff;
  // PostgreSQL 15 allows scales from -1000 to 1000, stored as an 11-bit signed field.
  const int scale = ((packed & 0x7ff) ^ 1024) - 1024;
  if (precision < 1 || precision > kMaxDecimalPrecision || scale < 0 || scale > precision) {
    return text();
  }
  m.type.precision = precision;
  m.type.scale = scale;
  return m;
}

Status not_readable(std::string_view column, std::string_view what) {
  return Status::error("Column " + std::string(column) + ": cannot read '" +
                           std::string(what.substr(0, 64)) + "' as its type",
                       "22018");
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

MappedType map_type(Oid oid, int typmod) {
  switch (oid) {
    case kBool:
      return simple(TTypeId::BOOLEAN_TYPE, ValueKind::kBool);
    case kInt2:
      return simple(TTypeId::SMALLINT_TYPE, ValueKind::kInt);
    case kInt4:
      return simple(TTypeId::INT_TYPE, ValueKind::kInt);
    case kInt8:
    case kOid:
      return simple(TTypeId::BIGINT_TYPE, ValueKind::kInt);
    case kFloat4:
      return simple(TTypeId::FLOAT_TYPE, ValueKind::kDouble);
    case kFloat8:
      return simple(TTypeId::DOUBLE_TYPE, ValueKind::kDouble);
    case kNumeric:
      return numeric(typmod);
    case kVarchar: {
      const int n = typmod - kVarHeader;
      if (typmod < kVarHeader || n > kMaxVarchar) return text();
      return sized(TTypeId::VARCHAR_TYPE, n);
    }
    case kBpchar: {
      const int n = typmod - kVarHeader;
      if (typmod < kVarHeader || n > kMaxVarchar) return text();
      return sized(n <= kMaxChar ? TTypeId::CHAR_TYPE : TTypeId::VARCHAR_TYPE, n);
    }
    case kDate:
      return simple(TTypeId::DATE_TYPE, ValueKind::kText);
    case kTimestamp:
      return simple(TTypeId::TIMESTAMP_TYPE, ValueKind::kText);
    case kBytea:
      return simple(TTypeId::BINARY_TYPE, ValueKind::kBytea);
    default:
      return text();
  }
}

Result<std::string> decode_bytea(std::string_view in) {
  std::string out;
  if (in.starts_with("\\x")) {
    in.remove_prefix(2);
    if (in.size() % 2 != 0) return Status::error("odd-length hex bytea", "22018");
    out.reserve(in.size() / 2);
    for (std::size_t i = 0; i < in.size(); i += 2) {
      const int hi = hex_value(in[i]);
      const int lo = hex_value(in[i + 1]);
      if (hi < 0 || lo < 0) return Status::error("bad hex digit in bytea", "22018");
      out += static_cast<char>(hi * 16 + lo);
    }
    return out;
  }
  // The escape format: \\ for a backslash, \ooo (octal) for other bytes, the rest as is.
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out += in[i];
    } else if (i + 1 < in.size() && in[i + 1] == '\\') {
      out += '\\';
      ++i;
    } else if (i + 3 < in.size()) {
      const int a = in[i + 1] - '0';
      const int b = in[i + 2] - '0';
      const int c = in[i + 3] - '0';
      if (a < 0 || a > 3 || b < 0 || b > 7 || c < 0 || c > 7) {
        return Status::error("bad escape in bytea", "22018");
      }
      out += static_cast<char>(a * 64 + b * 8 + c);
      i += 3;
    } else {
      return Status::error("bad escape in bytea", "22018");
    }
  }
  return out;
}

Status append_value(backend::RowSetBuilder& out, std::size_t column, ValueKind kind,
                    const char* value, int length, std::string_view column_name,
                    std::string& scratch) {
  const std::string_view v(value, static_cast<std::size_t>(length));
  switch (kind) {
    case ValueKind::kBool:
      if (v != "t" && v != "f") return not_readable(column_name, v);
      out.add_bool(column, v == "t");
      return Status::ok();
    case ValueKind::kInt: {
      std::int64_t n = 0;
      const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size()) return not_readable(column_name, v);
      out.add_int(column, n);
      return Status::ok();
    }
    case ValueKind::kDouble: {
      // strtod reads PostgreSQL's NaN, Infinity and -Infinity too; the value is NUL-terminated.
      char* end = nullptr;
      const double d = std::strtod(value, &end);
      if (end != value + length || length == 0) return not_readable(column_name, v);
      out.add_double(column, d);
      return Status::ok();
    }
    case ValueKind::kBytea: {
      Result<std::string> bytes = decode_bytea(v);
      if (!bytes) return not_readable(column_name, v);
      scratch = std::move(*bytes);
      out.add_text(column, scratch);
      return Status::ok();
    }
    case ValueKind::kText:
      out.add_text(column, v);
      return Status::ok();
  }
  return Status::internal("unknown value kind");
}

}  // namespace kitsune::backends::postgresql
