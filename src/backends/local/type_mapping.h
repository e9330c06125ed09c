// Hive column types for SQLite declared types, type inference for undeclared columns, and SQLite
// values converted into the Hive type of their column.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kitsune/backend/types.h"
#include "kitsune/common/status.h"

namespace kitsune::backends::local {

// The Hive type of a column declared as `declared` (sqlite3_column_decltype, or the type column of
// pragma_table_xinfo): Hive's own spellings first, then SQLite's affinity rules. nullopt when the
// declaration leaves the type open (no declared type, or NUMERIC affinity): queries infer it from
// the values, catalog calls report STRING.
std::optional<backend::ColumnType> map_declared_type(std::string_view declared);

// One SQLite value, borrowed: text and blob bytes belong to SQLite (until the next step) or to a
// buffered row.
struct SqlValue {
  enum class Kind : std::uint8_t { kNull, kInteger, kReal, kText, kBlob };
  Kind kind = Kind::kNull;
  std::int64_t integer = 0;
  double real = 0;
  std::string_view bytes;  // kText, kBlob
};

// Chooses the type of a column without a declared type from the values seen: all non-null values
// integers → BIGINT; all numeric → DOUBLE; all blobs → BINARY; otherwise, or none, STRING.
class TypeInference {
 public:
  void observe(SqlValue::Kind kind);
  backend::ColumnType result() const;

 private:
  bool any_ = false;
  bool all_integer_ = true;
  bool all_numeric_ = true;
  bool all_blob_ = true;
};

// A value converted for its column, ready for RowSetBuilder.
struct Cell {
  enum class Kind : std::uint8_t { kNull, kBool, kInt, kDouble, kText };
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::int64_t integer = 0;
  double real = 0;
  std::string_view text;  // kText: the source bytes or `scratch` of convert_value
};

// Converts `value` into `type`. Text the conversion produces lives in `scratch` (reused across
// calls by the caller), so `out` stays valid until the next conversion into the same scratch or
// until the source value goes. Failures name `column` and carry SQLSTATE 22003 (out of the type's
// range), 22018 (not readable as the type) or 22008 (a date outside 0000-9999).
Status convert_value(const backend::ColumnType& type, const SqlValue& value,
                     std::string_view column, std::string& scratch, Cell& out);

// Appends a converted cell to column `column` of `builder`.
void add_cell(backend::RowSetBuilder& builder, std::size_t column, const Cell& cell);

// A REAL as SQLite renders it as text ("%!.15g": 2.0 → "2.0", 1e20 → "1.0e+20").
std::string render_real(double v);

}  // namespace kitsune::backends::local
