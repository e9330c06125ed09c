// Hive column types for MySQL and MariaDB columns, and result values (text protocol) converted
// into them.
//
// The mapping (TTypeId with its qualifiers):
//   TINYINT(1), BOOLEAN, BIT(1)           BOOLEAN (Connector/J's tinyInt1isBit; with
//                                         tinyInt1isBit=false TINYINT(1) stays TINYINT)
//   TINYINT                               TINYINT; UNSIGNED: SMALLINT
//   SMALLINT                              SMALLINT; UNSIGNED: INT
//   MEDIUMINT, INT                        INT; INT UNSIGNED: BIGINT
//   BIGINT                                BIGINT; UNSIGNED: DECIMAL(20,0), exact beyond int64
//   BIT(n > 1)                            BIGINT (the bits as an unsigned number)
//   FLOAT, DOUBLE                         FLOAT, DOUBLE
//   DECIMAL(p,s)                          DECIMAL(p,s)
//   CHAR(n), VARCHAR(n)                   CHAR(n), VARCHAR(n) (n in characters; STRING beyond
//                                         Hive's limits of 255 and 65535)
//   TEXT types, ENUM, SET, JSON, TIME     STRING (TIME may exceed 24 hours, so not a Hive type)
//   DATE                                  DATE
//   DATETIME, TIMESTAMP                   TIMESTAMP ('YYYY-MM-DD HH:MM:SS[.ffffff]')
//   YEAR                                  INT
//   BINARY, VARBINARY, BLOB types,        BINARY (raw bytes); a string column is binary when
//   GEOMETRY                              its charset is 63 (binary)
// MySQL's zero dates ('0000-00-00', '0000-00-00 00:00:00') read as NULL, as Connector/J's
// zeroDateTimeBehavior=CONVERT_TO_NULL does: no Hive client can parse them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "kitsune/backend/types.h"
#include "kitsune/common/status.h"

typedef struct st_mysql_field MYSQL_FIELD;

namespace kitsune::backends::mysql {

struct TypeOptions {
  bool tiny_int1_is_bit = true;
};

// The Hive type of a result column.
backend::ColumnType map_field(const MYSQL_FIELD& field, const TypeOptions& options);

// The Hive type of a table column, from information_schema.COLUMNS: DATA_TYPE ("int"),
// COLUMN_TYPE ("int(10) unsigned"), CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE.
backend::ColumnType map_column_type(std::string_view data_type, std::string_view column_type,
                                    std::optional<std::int64_t> char_max_length,
                                    std::optional<std::int64_t> precision,
                                    std::optional<std::int64_t> scale, const TypeOptions& options);

// How the text of a result column's values becomes the value of its Hive type.
enum class ValueReader : std::uint8_t {
  kText,      // as sent (strings, decimals, binary bytes)
  kTemporal,  // as sent, zero dates as NULL
  kInt,       // decimal digits
  kBool,      // decimal digits, non-zero is true
  kDouble,    // a floating-point number
  kBitInt,    // BIT: big-endian bytes
  kBitBool,   // BIT(1): one byte
};

ValueReader reader_for(const MYSQL_FIELD& field, const backend::ColumnType& type);

// A value converted for its column, ready for RowSetBuilder; text borrows the row's bytes.
struct Cell {
  enum class Kind : std::uint8_t { kNull, kBool, kInt, kDouble, kText };
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::int64_t integer = 0;
  double real = 0;
  std::string_view text;
};

// Converts one value (`data` of `length` bytes, null for SQL NULL). Fails, naming `name`, with
// SQLSTATE 22018 when the text does not read as the type.
Status convert_value(ValueReader reader, const char* data, unsigned long length,
                     std::string_view name, Cell& out);

// Appends a converted cell to `column` of `out`.
void add_cell(backend::RowSetBuilder& out, std::size_t column, const Cell& cell);

}  // namespace kitsune::backends::mysql
