// Declared-type mapping, type inference and value conversion for the local (SQLite) backend.
#include "local/type_mapping.h"

#include <sqlite3.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>
#include <vector>

#include "kitsune/common/strings.h"

namespace kitsune::backends::local {
namespace {

using backend::ColumnType;
using T = tcli::TTypeId;

// Hive's limits on type qualifiers.
constexpr int kMaxDecimalPrecision = 38;
constexpr int kMaxCharLength = 255;
constexpr int kMaxVarcharLength = 65535;

ColumnType simple(T::type id) {
  ColumnType t;
  t.id = id;
  return t;
}

ColumnType decimal(int precision, int scale) {
  ColumnType t = simple(T::DECIMAL_TYPE);
  t.precision = precision;
  t.scale = scale;
  return t;
}

ColumnType with_length(T::type id, int length) {
  ColumnType t = simple(id);
  t.length = length;
  return t;
}

// The integers inside "(p[,s])"; nullopt when the text there is not a list of integers.
std::optional<std::vector<int>> parse_qualifiers(std::string_view inside) {
  std::vector<int> out;
  for (const std::string& part : split(inside, ',', false)) {
    int v = 0;
    const char* end = part.data() + part.size();
    auto [p, ec] = std::from_chars(part.data(), end, v);
    if (part.empty() || ec != std::errc() || p != end) return std::nullopt;
    out.push_back(v);
  }
  return out;
}

// SQLite's column affinity rules (https://sqlite.org/datatype3.html, 3.1), applied to the whole
// declared type, with Hive's name for each affinity; NUMERIC affinity leaves the type open.
std::optional<ColumnType> by_affinity(const std::string& upper) {
  auto has = [&](std::string_view s) { return upper.find(s) != std::string::npos; };
  if (has("INT")) return simple(T::BIGINT_TYPE);
  if (has("CHAR") || has("CLOB") || has("TEXT")) return simple(T::STRING_TYPE);
  if (has("BLOB")) return simple(T::BINARY_TYPE);
  if (has("REAL") || has("FLOA") || has("DOUB")) return simple(T::DOUBLE_TYPE);
  return std::nullopt;
}

// --- messages --------------------------------------------------------------------------------

// A value as an error message shows it: quoted text, cut short.
std::string shown(const SqlValue& v) {
  constexpr std::size_t kMax = 40;
  switch (v.kind) {
    case SqlValue::Kind::kInteger:
      return std::to_string(v.integer);
    case SqlValue::Kind::kReal:
      return render_real(v.real);
    case SqlValue::Kind::kBlob:
      return "a binary value";
    case SqlValue::Kind::kNull:
      return "NULL";
    case SqlValue::Kind::kText:
      break;
  }
  std::string s;
  s.reserve(kMax + 5);
  s += '\'';
  s.append(v.bytes.substr(0, kMax));
  if (v.bytes.size() > kMax) s += "...";
  s += '\'';
  return s;
}

Status not_readable(const ColumnType& type, const SqlValue& v, std::string_view column) {
  return Status::error("Value " + shown(v) + " of column " + std::string(column) +
                           " cannot be read as " + type.name(),
                       "22018");
}

Status out_of_range(const ColumnType& type, const SqlValue& v, std::string_view column) {
  return Status::error("Value " + shown(v) + " of column " + std::string(column) +
                           " is out of range for " + type.name(),
                       "22003");
}

// --- numbers ---------------------------------------------------------------------------------

// Parses all of `s` (surrounding whitespace allowed) as a decimal integer.
std::optional<std::errc> parse_integer(std::string_view s, std::int64_t& out) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (p != s.data() + s.size()) return std::nullopt;
  return ec;
}

// Parses all of `s` (surrounding whitespace allowed) as a floating-point literal.
std::optional<std::errc> parse_real(std::string_view s, double& out) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (p != s.data() + s.size()) return std::nullopt;
  return ec;
}

Status integer_from_real(const ColumnType& type, const SqlValue& v, double d,
                         std::string_view column, std::int64_t& out) {
  if (std::isnan(d)) return not_readable(type, v, column);
  // [-2^63, 2^63): the doubles that truncate into an int64.
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) {
    return out_of_range(type, v, column);
  }
  out = static_cast<std::int64_t>(d);  // truncation toward zero, as CAST(x AS INTEGER)
  return Status::ok();
}

// The values a Hive integer kind holds.
std::pair<std::int64_t, std::int64_t> integer_range(T::type id) {
  switch (id) {
    case T::TINYINT_TYPE:
      return {-128, 127};
    case T::SMALLINT_TYPE:
      return {-32768, 32767};
    case T::INT_TYPE:
      return {std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()};
    default:
      return {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()};
  }
}

Status to_integer(const ColumnType& type, const SqlValue& v, std::string_view column,
                  std::int64_t& out) {
  switch (v.kind) {
    case SqlValue::Kind::kInteger:
      out = v.integer;
      break;
    case SqlValue::Kind::kReal:
      KITSUNE_RETURN_IF_ERROR(integer_from_real(type, v, v.real, column, out));
      break;
    case SqlValue::Kind::kText: {
      if (auto ec = parse_integer(v.bytes, out)) {
        if (*ec != std::errc()) return out_of_range(type, v, column);
        break;
      }
      double d = 0;
      auto ec = parse_real(v.bytes, d);
      if (!ec) return not_readable(type, v, column);
      if (*ec != std::errc()) return out_of_range(type, v, column);
      KITSUNE_RETURN_IF_ERROR(integer_from_real(type, v, d, column, out));
      break;
    }
    case SqlValue::Kind::kBlob:
    case SqlValue::Kind::kNull:
      return not_readable(type, v, column);
  }
  const auto [lo, hi] = integer_range(type.id);
  if (out < lo || out > hi) return out_of_range(type, v, column);
  return Status::ok();
}

Status to_real(const ColumnType& type, const SqlValue& v, std::string_view column, double& out) {
  switch (v.kind) {
    case SqlValue::Kind::kInteger:
      out = static_cast<double>(v.integer);
      return Status::ok();
    case SqlValue::Kind::kReal:
      out = v.real;
      return Status::ok();
    case SqlValue::Kind::kText: {
      auto ec = parse_real(v.bytes, out);
      if (!ec) return not_readable(type, v, column);
      if (*ec != std::errc()) return out_of_range(type, v, column);
      return Status::ok();
    }
    case SqlValue::Kind::kBlob:
    case SqlValue::Kind::kNull:
      break;
  }
  return not_readable(type, v, column);
}

Status to_bool(const ColumnType& type, const SqlValue& v, std::string_view column, bool& out) {
  switch (v.kind) {
    case SqlValue::Kind::kInteger:
      out = v.integer != 0;
      return Status::ok();
    case SqlValue::Kind::kReal:
      out = v.real != 0;
      return Status::ok();
    case SqlValue::Kind::kText: {
      const std::string_view s = trim(v.bytes);
      if (iequals(s, "true")) {
        out = true;
        return Status::ok();
      }
      if (iequals(s, "false")) {
        out = false;
        return Status::ok();
      }
      break;
    }
    case SqlValue::Kind::kBlob:
    case SqlValue::Kind::kNull:
      break;
  }
  return not_readable(type, v, column);
}

// --- decimals --------------------------------------------------------------------------------

// A decimal number as digits × 10^exponent, so that text keeps every digit it has.
struct DecimalDigits {
  bool negative = false;
  std::string digits;
  std::int64_t exponent = 0;
};

// Reads [+-]digits[.digits][e[+-]digits] (surrounding whitespace allowed).
bool parse_decimal(std::string_view s, DecimalDigits& out) {
  s = trim(s);
  std::size_t i = 0;
  const auto digit = [&](std::size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) out.negative = s[i++] == '-';
  std::size_t count = 0;
  for (; digit(i); ++i, ++count) {
    out.digits += s[i];
  }
  if (i < s.size() && s[i] == '.') {
    for (++i; digit(i); ++i, ++count) {
      out.digits += s[i];
      --out.exponent;
    }
  }
  if (count == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    if (!digit(i)) return false;
    std::int64_t e = 0;
    constexpr std::int64_t kCap = 1'000'000'000'000'000;  // far beyond any precision; no overflow
    for (; digit(i); ++i) {
      e = std::min(kCap, e * 10 + (s[i] - '0'));
    }
    out.exponent += negative ? -e : e;
  }
  return i == s.size();
}

// Adds one to a string of decimal digits ("" counts as 0).
void increment(std::string& digits) {
  for (std::size_t k = digits.size(); k-- > 0;) {
    if (digits[k] != '9') {
      ++digits[k];
      return;
    }
    digits[k] = '0';
  }
  digits.insert(digits.begin(), '1');
}

// Writes `d` rounded half-up to `scale` fraction digits, as Hive prints a decimal(precision,
// scale); false when it needs more than precision - scale integer digits.
bool format_decimal(DecimalDigits d, int precision, int scale, std::string& out) {
  const std::size_t first = d.digits.find_first_not_of('0');
  d.digits.erase(0, first == std::string::npos ? d.digits.size() : first);
  const auto len = static_cast<std::int64_t>(d.digits.size());
  const std::int64_t integer_digits = len + d.exponent;
  // Rounding adds at most one digit; checking here keeps what follows small.
  if (!d.digits.empty() && integer_digits > precision - scale) return false;
  // The digits of value × 10^scale.
  const std::int64_t keep = integer_digits + scale;
  std::string kept;
  if (d.digits.empty() || keep < 0) {
    // Zero, or less than half a unit of the last place.
  } else if (keep >= len) {
    kept = d.digits + std::string(static_cast<std::size_t>(keep - len), '0');
  } else {
    kept = d.digits.substr(0, static_cast<std::size_t>(keep));
    if (d.digits[static_cast<std::size_t>(keep)] >= '5') increment(kept);
  }
  const auto uscale = static_cast<std::size_t>(scale);
  if (kept.size() < uscale + 1) kept.insert(0, uscale + 1 - kept.size(), '0');
  std::string_view integer(kept.data(), kept.size() - uscale);
  while (integer.size() > 1 && integer.front() == '0') {
    integer.remove_prefix(1);
  }
  const std::size_t significant = integer == "0" ? 0 : integer.size();
  if (significant > static_cast<std::size_t>(precision - scale)) return false;
  const bool zero = kept.find_first_not_of('0') == std::string::npos;
  out.clear();
  if (d.negative && !zero) out += '-';
  out += integer;
  if (scale > 0) {
    out += '.';
    out.append(kept, kept.size() - uscale, uscale);
  }
  return true;
}

Status to_decimal(const ColumnType& type, const SqlValue& v, std::string_view column,
                  std::string& out) {
  DecimalDigits d;
  switch (v.kind) {
    case SqlValue::Kind::kInteger: {
      d.negative = v.integer < 0;
      const std::uint64_t magnitude = d.negative ? 0 - static_cast<std::uint64_t>(v.integer)
                                                 : static_cast<std::uint64_t>(v.integer);
      d.digits = std::to_string(magnitude);
      break;
    }
    case SqlValue::Kind::kReal: {
      if (std::isnan(v.real)) return not_readable(type, v, column);
      if (std::isinf(v.real)) return out_of_range(type, v, column);
      // The shortest text that reads back as the same double: what the user most likely wrote.
      char buf[64];
      auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v.real);
      if (ec != std::errc() ||
          !parse_decimal(std::string_view(buf, static_cast<std::size_t>(p - buf)), d)) {
        return not_readable(type, v, column);
      }
      break;
    }
    case SqlValue::Kind::kText:
      if (!parse_decimal(v.bytes, d)) return not_readable(type, v, column);
      break;
    case SqlValue::Kind::kBlob:
    case SqlValue::Kind::kNull:
      return not_readable(type, v, column);
  }
  if (!format_decimal(std::move(d), type.precision, type.scale, out)) {
    return out_of_range(type, v, column);
  }
  return Status::ok();
}

// --- dates and timestamps --------------------------------------------------------------------

struct DateTime {
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  std::string fraction;  // digits after the seconds' point, as given
};

// Julian day numbers in milliseconds, as SQLite's date functions compute them (date.c:
// computeJD/computeYMD/computeHMS), so that a number in a DATE or TIMESTAMP column reads as
// SQLite's own date(x) would read it.
constexpr std::int64_t kMaxJulianMs = 464269060799999;  // 9999-12-31 23:59:59.999

std::int64_t julian_ms(const DateTime& t) {
  int y = t.year;
  int m = t.month;
  if (m <= 2) {
    --y;
    m += 12;
  }
  const int a = y / 100;
  const int b = 2 - a + (a / 4);
  const int x1 = 36525 * (y + 4716) / 100;
  const int x2 = 306001 * (m + 1) / 10000;
  const auto days = static_cast<std::int64_t>((x1 + x2 + t.day + b - 1524.5) * 86400000);
  return days + t.hour * 3600000LL + t.minute * 60000LL + t.second * 1000LL;
}

DateTime from_julian_ms(std::int64_t jd) {
  DateTime t;
  const int z = static_cast<int>((jd + 43200000) / 86400000);
  int a = static_cast<int>((z - 1867216.25) / 36524.25);
  a = z + 1 + a - (a / 4);
  const int b = a + 1524;
  const int c = static_cast<int>((b - 122.1) / 365.25);
  const int d = (36525 * (c & 32767)) / 100;
  const int e = static_cast<int>((b - d) / 30.6001);
  const int x1 = static_cast<int>(30.6001 * e);
  t.day = b - d - x1;
  t.month = e < 14 ? e - 1 : e - 13;
  t.year = t.month > 2 ? c - 4716 : c - 4715;
  const int day_ms = static_cast<int>((jd + 43200000) % 86400000);
  t.hour = day_ms / 3600000;
  t.minute = day_ms / 60000 % 60;
  t.second = day_ms / 1000 % 60;
  const int milli = day_ms % 1000;
  t.fraction = {static_cast<char>('0' + milli / 100), static_cast<char>('0' + milli / 10 % 10),
                static_cast<char>('0' + milli % 10)};
  return t;
}

// Reads exactly `n` digits at s[pos].
bool digits_at(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const char c = s[pos + k];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

// The time-value text formats of SQLite's date functions that carry a date: YYYY-MM-DD, then
// optionally [T ]HH:MM[:SS[.fraction]], then optionally a zone (Z or [+-]HH:MM), which is applied
// so the result is in UTC as SQLite's functions give it. False when `s` is anything else, or a
// zone moves it outside the years 0000-9999 (`range_error` set).
bool parse_datetime(std::string_view s, DateTime& t, bool& range_error) {
  s = trim(s);
  std::size_t pos = 0;
  auto expect = [&](char c) {
    if (pos < s.size() && s[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  };
  if (!digits_at(s, pos, 4, t.year) || !expect('-') || !digits_at(s, pos, 2, t.month) ||
      !expect('-') || !digits_at(s, pos, 2, t.day)) {
    return false;
  }
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31) return false;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
    std::size_t after = pos + 1;
    while (after < s.size() && s[after] == ' ') {
      ++after;
    }
    pos = after;
    if (!digits_at(s, pos, 2, t.hour) || !expect(':') || !digits_at(s, pos, 2, t.minute)) {
      return false;
    }
    if (expect(':')) {
      if (!digits_at(s, pos, 2, t.second)) return false;
      if (expect('.')) {
        const std::size_t start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          ++pos;
        }
        if (pos == start) return false;
        t.fraction = std::string(s.substr(start, pos - start));
      }
    }
    if (t.hour > 23 || t.minute > 59 || t.second > 59) return false;
  }
  while (pos < s.size() && s[pos] == ' ') {
    ++pos;
  }
  if (pos == s.size()) return true;
  if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) return true;
  if (s[pos] != '+' && s[pos] != '-') return false;
  const int sign = s[pos++] == '-' ? -1 : 1;
  int zh = 0;
  int zm = 0;
  if (!digits_at(s, pos, 2, zh) || !expect(':') || !digits_at(s, pos, 2, zm) || pos != s.size() ||
      zh > 14 || zm > 59) {
    return false;
  }
  // Local time at offset +hh:mm is UTC plus that offset.
  const std::int64_t jd = julian_ms(t) - sign * (zh * 3600000LL + zm * 60000LL);
  if (jd < 0 || jd > kMaxJulianMs) {
    range_error = true;
    return false;
  }
  std::string fraction = std::move(t.fraction);
  t = from_julian_ms(jd);
  t.fraction = std::move(fraction);
  range_error = t.year > 9999 || t.year < 0;
  return !range_error;
}

Status to_datetime(const ColumnType& type, const SqlValue& v, std::string_view column,
                   std::string& out) {
  DateTime t;
  bool range_error = false;
  switch (v.kind) {
    case SqlValue::Kind::kText:
      if (!parse_datetime(v.bytes, t, range_error)) {
        if (range_error) {
          return Status::error("Value " + shown(v) + " of column " + std::string(column) +
                                   " is outside the years 0000-9999",
                               "22008");
        }
        return not_readable(type, v, column);
      }
      break;
    case SqlValue::Kind::kInteger:
    case SqlValue::Kind::kReal: {
      // A number is a Julian day number, as SQLite's date functions read it.
      const double day =
          v.kind == SqlValue::Kind::kInteger ? static_cast<double>(v.integer) : v.real;
      const double ms = day * 86400000.0 + 0.5;
      if (!(ms >= 0 && ms <= static_cast<double>(kMaxJulianMs))) {
        return Status::error("Value " + shown(v) + " of column " + std::string(column) +
                                 " is not a Julian day number between the years 0000 and 9999",
                             "22008");
      }
      t = from_julian_ms(static_cast<std::int64_t>(ms));
      if (t.year < 0) {
        return Status::error("Value " + shown(v) + " of column " + std::string(column) +
                                 " is outside the years 0000-9999",
                             "22008");
      }
      break;
    }
    case SqlValue::Kind::kBlob:
    case SqlValue::Kind::kNull:
      return not_readable(type, v, column);
  }
  char buf[32];
  if (type.id == T::DATE_TYPE) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", t.year, t.month, t.day);
    out = buf;
    return Status::ok();
  }
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", t.year, t.month, t.day, t.hour,
                t.minute, t.second);
  out = buf;
  // Nanoseconds at most, printed without trailing zeros, as Hive prints a timestamp.
  std::string_view fraction(t.fraction);
  fraction = fraction.substr(0, 9);
  while (!fraction.empty() && fraction.back() == '0') {
    fraction.remove_suffix(1);
  }
  if (!fraction.empty()) {
    out += '.';
    out += fraction;
  }
  return Status::ok();
}

// Text and binary columns: the value's bytes; numbers as SQLite renders them as text.
std::string_view as_text(const SqlValue& v, std::string& scratch) {
  switch (v.kind) {
    case SqlValue::Kind::kInteger:
      scratch = std::to_string(v.integer);
      return scratch;
    case SqlValue::Kind::kReal:
      scratch = render_real(v.real);
      return scratch;
    case SqlValue::Kind::kText:
    case SqlValue::Kind::kBlob:
      return v.bytes;
    case SqlValue::Kind::kNull:
      break;
  }
  return {};
}

}  // namespace

std::optional<ColumnType> map_declared_type(std::string_view declared) {
  const std::string upper = to_upper(trim(declared));
  if (upper.empty()) return std::nullopt;
  // The name, with runs of whitespace as one space ("DOUBLE  PRECISION"), and the "(p[,s])".
  const std::size_t open = upper.find('(');
  std::string name;
  for (char c : trim(std::string_view(upper).substr(0, open))) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space && !name.empty() && name.back() == ' ') continue;
    name += space ? ' ' : c;
  }
  std::optional<std::vector<int>> args = std::vector<int>{};
  if (open != std::string::npos) {
    const std::size_t close = upper.find(')', open);
    if (close == std::string::npos || !trim(std::string_view(upper).substr(close + 1)).empty()) {
      args.reset();
    } else {
      args = parse_qualifiers(std::string_view(upper).substr(open + 1, close - open - 1));
    }
  }

  if (name == "BOOLEAN" || name == "BOOL") return simple(T::BOOLEAN_TYPE);
  if (name == "TINYINT") return simple(T::TINYINT_TYPE);
  if (name == "SMALLINT") return simple(T::SMALLINT_TYPE);
  if (name == "INT" || name == "MEDIUMINT") return simple(T::INT_TYPE);
  if (name == "INTEGER" || name == "BIGINT" || name == "INT8" || name == "LONG") {
    return simple(T::BIGINT_TYPE);
  }
  if (name == "FLOAT") return simple(T::FLOAT_TYPE);
  if (name == "REAL" || name == "DOUBLE" || name == "DOUBLE PRECISION") {
    return simple(T::DOUBLE_TYPE);
  }
  if (name == "STRING" || name == "TEXT" || name == "CLOB") return simple(T::STRING_TYPE);
  if (name == "BINARY" || name == "BLOB" || name == "VARBINARY") return simple(T::BINARY_TYPE);
  if (name == "DATE") return simple(T::DATE_TYPE);
  if (name == "TIMESTAMP" || name == "DATETIME") return simple(T::TIMESTAMP_TYPE);
  // The parameterised types are Hive types only with qualifiers Hive accepts; otherwise SQLite's
  // affinity decides, as for any other name.
  if (args && (name == "DECIMAL" || name == "NUMERIC")) {
    const int precision = args->empty() ? 10 : (*args)[0];
    const int scale = args->size() < 2 ? 0 : (*args)[1];
    if (args->size() <= 2 && precision >= 1 && precision <= kMaxDecimalPrecision && scale >= 0 &&
        scale <= precision) {
      return decimal(precision, scale);
    }
  }
  if (args && args->size() == 1 && (*args)[0] >= 1) {
    if (name == "CHAR" && (*args)[0] <= kMaxCharLength) {
      return with_length(T::CHAR_TYPE, (*args)[0]);
    }
    if (name == "VARCHAR" && (*args)[0] <= kMaxVarcharLength) {
      return with_length(T::VARCHAR_TYPE, (*args)[0]);
    }
  }
  return by_affinity(upper);
}

void TypeInference::observe(SqlValue::Kind kind) {
  if (kind == SqlValue::Kind::kNull) return;
  any_ = true;
  all_integer_ = all_integer_ && kind == SqlValue::Kind::kInteger;
  all_numeric_ =
      all_numeric_ && (kind == SqlValue::Kind::kInteger || kind == SqlValue::Kind::kReal);
  all_blob_ = all_blob_ && kind == SqlValue::Kind::kBlob;
}

ColumnType TypeInference::result() const {
  if (!any_) return simple(T::STRING_TYPE);
  if (all_integer_) return simple(T::BIGINT_TYPE);
  if (all_numeric_) return simple(T::DOUBLE_TYPE);
  if (all_blob_) return simple(T::BINARY_TYPE);
  return simple(T::STRING_TYPE);
}

Status convert_value(const ColumnType& type, const SqlValue& value, std::string_view column,
                     std::string& scratch, Cell& out) {
  out = Cell{};
  if (value.kind == SqlValue::Kind::kNull) return Status::ok();
  switch (type.id) {
    case T::BOOLEAN_TYPE:
      out.kind = Cell::Kind::kBool;
      return to_bool(type, value, column, out.boolean);
    case T::TINYINT_TYPE:
    case T::SMALLINT_TYPE:
    case T::INT_TYPE:
    case T::BIGINT_TYPE:
      out.kind = Cell::Kind::kInt;
      return to_integer(type, value, column, out.integer);
    case T::FLOAT_TYPE:
    case T::DOUBLE_TYPE:
      out.kind = Cell::Kind::kDouble;
      return to_real(type, value, column, out.real);
    case T::DECIMAL_TYPE:
      out.kind = Cell::Kind::kText;
      KITSUNE_RETURN_IF_ERROR(to_decimal(type, value, column, scratch));
      out.text = scratch;
      return Status::ok();
    case T::DATE_TYPE:
    case T::TIMESTAMP_TYPE:
      out.kind = Cell::Kind::kText;
      KITSUNE_RETURN_IF_ERROR(to_datetime(type, value, column, scratch));
      out.text = scratch;
      return Status::ok();
    default:
      // STRING, CHAR, VARCHAR, BINARY: the bytes as stored.
      out.kind = Cell::Kind::kText;
      out.text = as_text(value, scratch);
      return Status::ok();
  }
}

void add_cell(backend::RowSetBuilder& builder, std::size_t column, const Cell& cell) {
  switch (cell.kind) {
    case Cell::Kind::kNull:
      builder.add_null(column);
      return;
    case Cell::Kind::kBool:
      builder.add_bool(column, cell.boolean);
      return;
    case Cell::Kind::kInt:
      builder.add_int(column, cell.integer);
      return;
    case Cell::Kind::kDouble:
      builder.add_double(column, cell.real);
      return;
    case Cell::Kind::kText:
      builder.add_text(column, cell.text);
      return;
  }
}

std::string render_real(double v) {
  char buf[64];
  sqlite3_snprintf(sizeof buf, buf, "%!.15g", v);
  return buf;
}

}  // namespace kitsune::backends::local
