// Hive column types for PostgreSQL types (OID and typmod), and PostgreSQL's text values
// converted into what a Hive client reads for them.
//
// Mapping (the TTypeId and qualifiers a client sees):
//   bool BOOLEAN; int2 SMALLINT; int4 INT; int8 and oid BIGINT; float4 FLOAT; float8 DOUBLE;
//   numeric(p,s) DECIMAL(p,s) (values as PostgreSQL prints them); numeric without a typmod
//   DECIMAL(38,18), its values passed unchanged (not rounded to that scale); numeric with
//   p > 38 or a negative scale STRING; varchar(n) VARCHAR(n) (n <= 65535, else STRING);
//   bpchar(n) CHAR(n) (n <= 255; VARCHAR(n) up to 65535; else STRING); varchar and bpchar
//   without a length, text, name, "char" STRING; date DATE; timestamp TIMESTAMP
//   ('YYYY-MM-DD HH:MM:SS[.ffffff]'); timestamptz STRING, with the session's UTC offset
//   ('2024-01-02 03:04:05+00'), so the instant stays exact (Hive's TIMESTAMP has no zone);
//   time, timetz, interval, uuid, json, jsonb, xml, money, arrays, enums, ranges and every other
//   type STRING in PostgreSQL's text form; bytea BINARY with the raw bytes (hex or escape
//   output decoded). Domains are reported by the server as their base type in results; the
//   catalog maps a domain column by its base type.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "kitsune/backend/types.h"
#include "kitsune/common/status.h"

namespace kitsune::backends::postgresql {

// How a column's text values become Hive values.
enum class ValueKind : std::uint8_t { kBool, kInt, kDouble, kText, kBytea };

struct MappedType {
  backend::ColumnType type;
  ValueKind kind = ValueKind::kText;
};

// The Hive type of a PostgreSQL column of type `oid` with modifier `typmod` (-1: none).
MappedType map_type(Oid oid, int typmod);

// Appends the text value `value` (PQgetvalue: NUL-terminated, `length` bytes) of a column of
// `kind` to column `column` of `out`. Failures name `column_name` with SQLSTATE 22018.
// `scratch` holds decoded bytea bytes until the next call with it.
Status append_value(backend::RowSetBuilder& out, std::size_t column, ValueKind kind,
                    const char* value, int length, std::string_view column_name,
                    std::string& scratch);

// PostgreSQL's bytea output (hex "\x..." or the escape format) as raw bytes.
Result<std::string> decode_bytea(std::string_view text);

}  // namespace kitsune::backends::postgresql
