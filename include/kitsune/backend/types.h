// Column types and values as HiveServer2 describes them, and RowSetBuilder, which appends rows
// straight into the TColumn vectors that go on the wire.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "kitsune/tcli/tcli.h"

namespace kitsune::backend {

using TypeId = tcli::TTypeId::type;

struct ColumnType {
  TypeId id = tcli::TTypeId::STRING_TYPE;
  int precision = 0;  // DECIMAL
  int scale = 0;      // DECIMAL
  int length = 0;     // CHAR, VARCHAR

  // Hive's SQL spelling: "int", "bigint", "decimal(10,2)", "varchar(20)", "string"...
  std::string name() const;
  // The java.sql.Types code JDBC metadata uses (Types.INTEGER = 4, ...).
  int jdbc_type() const;
  // DatabaseMetaData COLUMN_SIZE, DECIMAL_DIGITS and NUM_PREC_RADIX, as Hive reports them.
  std::optional<int> column_size() const;
  std::optional<int> decimal_digits() const;
  std::optional<int> num_prec_radix() const;

  bool operator==(const ColumnType&) const = default;
};

struct ColumnDesc {
  std::string name;
  ColumnType type;
  std::string comment;
};
using Schema = std::vector<ColumnDesc>;

// The protocol version a client negotiated changes how types and rows are sent.
using ProtocolVersion = tcli::TProtocolVersion::type;

// The TTableSchema for `schema` as a client of `version` can read it: types the version does not
// know travel as STRING; positions are 1-based as Hive's are.
tcli::TTableSchema to_table_schema(const Schema& schema, ProtocolVersion version);

// A value of a materialised row (metadata results, SET, SHOW): NULL, boolean, integer, double or
// text (binary travels as text bytes).
using Value = std::variant<std::monostate, bool, std::int64_t, double, std::string>;

// Appends rows column by column into the wire representation, counting bytes as it goes so a
// batch can stop at a byte cap as well as a row cap. Which TColumn member a type uses follows
// Hive: BOOLEAN bool, TINYINT byte, SMALLINT i16, INT i32, BIGINT i64, FLOAT/DOUBLE double,
// BINARY binary, everything else string.
class RowSetBuilder {
 public:
  explicit RowSetBuilder(const Schema& schema);

  // One value per column, in column order, then end_row(). The value must suit the column: an
  // integer for the integer kinds (already range-checked by the caller), a double for FLOAT and
  // DOUBLE, text for the rest. Anything else is a bug and throws std::logic_error.
  void add_null(std::size_t column);
  void add_bool(std::size_t column, bool v);
  void add_int(std::size_t column, std::int64_t v);
  void add_double(std::size_t column, double v);
  void add_text(std::size_t column, std::string_view v);
  void add_value(std::size_t column, const Value& v);
  void end_row();

  std::size_t rows() const { return rows_; }
  std::size_t bytes() const { return bytes_; }
  const Schema& schema() const { return schema_; }

  // The batch as a TRowSet: column form for V6 and later, row form before. The builder is empty
  // afterwards and can be reused.
  tcli::TRowSet take(std::int64_t start_row_offset, ProtocolVersion version);

 private:
  enum class Slot : std::uint8_t { kBool, kByte, kI16, kI32, kI64, kDouble, kString, kBinary };
  void set_null_bit(std::size_t column);

  Schema schema_;
  std::vector<Slot> slots_;
  std::vector<tcli::TColumn> columns_;
  std::vector<std::string> nulls_;
  std::size_t rows_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace kitsune::backend
