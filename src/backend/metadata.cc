// Metadata result layouts (Hive's Get*Operation columns) and the engine commands' results.
#include "metadata.h"

#include "kitsune/common/strings.h"

namespace kitsune::backend {
namespace {

using T = tcli::TTypeId;

ColumnDesc col(std::string name, TypeId id) {
  return ColumnDesc{std::move(name), ColumnType{id}, {}};
}
ColumnDesc str(std::string name) {
  return col(std::move(name), T::STRING_TYPE);
}
ColumnDesc i32(std::string name) {
  return col(std::move(name), T::INT_TYPE);
}
ColumnDesc i16(std::string name) {
  return col(std::move(name), T::SMALLINT_TYPE);
}

Value opt_int(const std::optional<int>& v) {
  return v ? Value{static_cast<std::int64_t>(*v)} : Value{};
}
Value opt_str(const std::optional<std::string>& v) {
  return v ? Value{*v} : Value{};
}
Value text(std::string s) {
  return Value{std::move(s)};
}
Value integer(std::int64_t v) {
  return Value{v};
}

std::unique_ptr<Cursor> make(Schema schema, std::vector<Row> rows) {
  return std::make_unique<MaterializedCursor>(std::move(schema), std::move(rows));
}

}  // namespace

MaterializedCursor::MaterializedCursor(Schema schema, std::vector<Row> rows)
    : schema_(std::move(schema)), rows_(std::move(rows)) {}

Result<bool> MaterializedCursor::fetch(RowSetBuilder& out, std::size_t max_rows,
                                       std::size_t max_bytes) {
  std::size_t taken = 0;
  while (next_ < rows_.size() && taken < max_rows && (taken == 0 || out.bytes() < max_bytes)) {
    const Row& row = rows_[next_++];
    for (std::size_t c = 0; c < row.size(); ++c)
      out.add_value(c, row[c]);
    out.end_row();
    ++taken;
  }
  return next_ < rows_.size();
}

Status MaterializedCursor::rewind() {
  next_ = 0;
  return Status::ok();
}

std::unique_ptr<Cursor> type_info_result() {
  Schema schema{str("TYPE_NAME"),
                i32("DATA_TYPE"),
                i32("PRECISION"),
                str("LITERAL_PREFIX"),
                str("LITERAL_SUFFIX"),
                str("CREATE_PARAMS"),
                i16("NULLABLE"),
                col("CASE_SENSITIVE", T::BOOLEAN_TYPE),
                i16("SEARCHABLE"),
                col("UNSIGNED_ATTRIBUTE", T::BOOLEAN_TYPE),
                col("FIXED_PREC_SCALE", T::BOOLEAN_TYPE),
                col("AUTO_INCREMENT", T::BOOLEAN_TYPE),
                str("LOCAL_TYPE_NAME"),
                i16("MINIMUM_SCALE"),
                i16("MAXIMUM_SCALE"),
                i32("SQL_DATA_TYPE"),
                i32("SQL_DATETIME_SUB"),
                i32("NUM_PREC_RADIX")};
  struct Entry {
    const char* name;
    ColumnType type;
    bool case_sensitive;
    const char* prefix;
    const char* create_params;
  };
  // The types the engine reads and writes, with their largest sizes.
  const Entry entries[] = {
      {"BOOLEAN", {T::BOOLEAN_TYPE}, false, nullptr, nullptr},
      {"TINYINT", {T::TINYINT_TYPE}, false, nullptr, nullptr},
      {"SMALLINT", {T::SMALLINT_TYPE}, false, nullptr, nullptr},
      {"INT", {T::INT_TYPE}, false, nullptr, nullptr},
      {"BIGINT", {T::BIGINT_TYPE}, false, nullptr, nullptr},
      {"FLOAT", {T::FLOAT_TYPE}, false, nullptr, nullptr},
      {"DOUBLE", {T::DOUBLE_TYPE}, false, nullptr, nullptr},
      {"DECIMAL", {T::DECIMAL_TYPE, 38, 38}, false, nullptr, "precision,scale"},
      {"STRING", {T::STRING_TYPE}, true, "'", nullptr},
      {"VARCHAR", {T::VARCHAR_TYPE, 0, 0, 65535}, true, "'", "max_length"},
      {"CHAR", {T::CHAR_TYPE, 0, 0, 255}, true, "'", "length"},
      {"DATE", {T::DATE_TYPE}, false, "'", nullptr},
      {"TIMESTAMP", {T::TIMESTAMP_TYPE}, false, "'", nullptr},
      {"BINARY", {T::BINARY_TYPE}, false, nullptr, nullptr},
  };
  std::vector<Row> rows;
  for (const auto& e : entries) {
    const bool numeric = e.type.num_prec_radix().has_value();
    rows.push_back(Row{
        text(e.name),
        integer(e.type.jdbc_type()),
        opt_int(e.type.column_size()),
        e.prefix ? text(e.prefix) : Value{},
        e.prefix ? text(e.prefix) : Value{},
        e.create_params ? text(e.create_params) : Value{},
        integer(1),  // typeNullable
        Value{e.case_sensitive},
        integer(3),  // typeSearchable
        Value{!numeric},
        Value{false},
        Value{false},
        Value{},
        integer(0),
        integer(e.type.id == T::DECIMAL_TYPE ? 38 : 0),
        Value{},
        Value{},
        opt_int(e.type.num_prec_radix()),
    });
  }
  return make(std::move(schema), std::move(rows));
}

std::unique_ptr<Cursor> catalogs_result() {
  // Like Hive: no catalogs.
  return make(Schema{str("TABLE_CAT")}, {});
}

std::unique_ptr<Cursor> table_types_result() {
  return make(Schema{str("TABLE_TYPE")}, {Row{text("TABLE")}, Row{text("VIEW")}});
}

std::unique_ptr<Cursor> schemas_result(const std::vector<std::string>& databases) {
  std::vector<Row> rows;
  for (const auto& db : databases)
    rows.push_back(Row{text(db), text("")});
  return make(Schema{str("TABLE_SCHEM"), str("TABLE_CATALOG")}, std::move(rows));
}

std::unique_ptr<Cursor> tables_result(const std::vector<TableInfo>& tables) {
  Schema schema{str("TABLE_CAT"),     str("TABLE_SCHEM"), str("TABLE_NAME"),
                str("TABLE_TYPE"),    str("REMARKS"),     str("TYPE_CAT"),
                str("TYPE_SCHEM"),    str("TYPE_NAME"),   str("SELF_REFERENCING_COL_NAME"),
                str("REF_GENERATION")};
  std::vector<Row> rows;
  for (const auto& t : tables) {
    rows.push_back(Row{text(""), text(t.schema), text(t.name), text(t.type), text(t.remarks),
                       Value{}, Value{}, Value{}, Value{}, Value{}});
  }
  return make(std::move(schema), std::move(rows));
}

std::unique_ptr<Cursor> columns_result(const std::vector<ColumnInfo>& columns) {
  Schema schema{str("TABLE_CAT"),        str("TABLE_SCHEM"),
                str("TABLE_NAME"),       str("COLUMN_NAME"),
                i32("DATA_TYPE"),        str("TYPE_NAME"),
                i32("COLUMN_SIZE"),      col("BUFFER_LENGTH", T::TINYINT_TYPE),
                i32("DECIMAL_DIGITS"),   i32("NUM_PREC_RADIX"),
                i32("NULLABLE"),         str("REMARKS"),
                str("COLUMN_DEF"),       i32("SQL_DATA_TYPE"),
                i32("SQL_DATETIME_SUB"), i32("CHAR_OCTET_LENGTH"),
                i32("ORDINAL_POSITION"), str("IS_NULLABLE"),
                str("SCOPE_CATALOG"),    str("SCOPE_SCHEMA"),
                str("SCOPE_TABLE"),      i16("SOURCE_DATA_TYPE"),
                str("IS_AUTO_INCREMENT")};
  std::vector<Row> rows;
  for (const auto& c : columns) {
    rows.push_back(Row{
        Value{},  // Hive leaves TABLE_CAT null here
        text(c.schema),
        text(c.table),
        text(c.name),
        integer(c.type.jdbc_type()),
        text(to_upper(c.type.name())),
        opt_int(c.type.column_size()),
        Value{},
        opt_int(c.type.decimal_digits()),
        opt_int(c.type.num_prec_radix()),
        integer(c.nullable ? 1 : 0),  // columnNullable / columnNoNulls
        c.comment.empty() ? Value{} : text(c.comment),
        opt_str(c.default_value),
        Value{},
        Value{},
        Value{},
        integer(c.ordinal),
        text(c.nullable ? "YES" : "NO"),
        Value{},
        Value{},
        Value{},
        Value{},
        text(c.auto_increment ? "YES" : "NO"),
    });
  }
  return make(std::move(schema), std::move(rows));
}

std::unique_ptr<Cursor> functions_result(const std::vector<FunctionInfo>& functions) {
  Schema schema{str("FUNCTION_CAT"), str("FUNCTION_SCHEM"), str("FUNCTION_NAME"),
                str("REMARKS"),      i32("FUNCTION_TYPE"),  str("SPECIFIC_NAME")};
  std::vector<Row> rows;
  for (const auto& f : functions) {
    rows.push_back(
        Row{Value{}, Value{}, text(f.name), text(f.remarks), integer(f.type), text(f.name)});
  }
  return make(std::move(schema), std::move(rows));
}

std::unique_ptr<Cursor> primary_keys_result(const std::vector<PrimaryKeyInfo>& keys) {
  // KEQ_SEQ is Hive's spelling, which its clients read.
  Schema schema{str("TABLE_CAT"),   str("TABLE_SCHEM"), str("TABLE_NAME"),
                str("COLUMN_NAME"), i32("KEQ_SEQ"),     str("PK_NAME")};
  std::vector<Row> rows;
  for (const auto& k : keys) {
    rows.push_back(Row{Value{}, text(k.schema), text(k.table), text(k.column), integer(k.key_seq),
                       opt_str(k.pk_name)});
  }
  return make(std::move(schema), std::move(rows));
}

std::unique_ptr<Cursor> cross_reference_result(const std::vector<ForeignKeyInfo>& keys) {
  Schema schema{str("PKTABLE_CAT"), str("PKTABLE_SCHEM"), str("PKTABLE_NAME"), str("PKCOLUMN_NAME"),
                str("FKTABLE_CAT"), str("FKTABLE_SCHEM"), str("FKTABLE_NAME"), str("FKCOLUMN_NAME"),
                i32("KEQ_SEQ"),     i32("UPDATE_RULE"),   i32("DELETE_RULE"),  str("FK_NAME"),
                str("PK_NAME"),     i32("DEFERRABILITY")};
  std::vector<Row> rows;
  for (const auto& k : keys) {
    rows.push_back(Row{Value{}, text(k.pk_schema), text(k.pk_table), text(k.pk_column), Value{},
                       text(k.fk_schema), text(k.fk_table), text(k.fk_column), integer(k.key_seq),
                       integer(k.update_rule), integer(k.delete_rule), opt_str(k.fk_name),
                       opt_str(k.pk_name), integer(7)});  // importedKeyNotDeferrable
  }
  return make(std::move(schema), std::move(rows));
}

std::unique_ptr<Cursor> set_result(const std::vector<std::string>& lines) {
  std::vector<Row> rows;
  for (const auto& l : lines)
    rows.push_back(Row{text(l)});
  return make(Schema{str("set")}, std::move(rows));
}

std::unique_ptr<Cursor> show_databases_result(const std::vector<std::string>& names) {
  std::vector<Row> rows;
  for (const auto& n : names)
    rows.push_back(Row{text(n)});
  return make(Schema{str("database_name")}, std::move(rows));
}

std::unique_ptr<Cursor> show_tables_result(const std::vector<std::string>& names) {
  std::vector<Row> rows;
  for (const auto& n : names)
    rows.push_back(Row{text(n)});
  return make(Schema{str("tab_name")}, std::move(rows));
}

std::unique_ptr<Cursor> describe_result(const std::vector<ColumnInfo>& columns) {
  std::vector<Row> rows;
  for (const auto& c : columns)
    rows.push_back(Row{text(c.name), text(c.type.name()), text(c.comment)});
  return make(Schema{str("col_name"), str("data_type"), str("comment")}, std::move(rows));
}

Schema operation_log_schema() {
  return Schema{str("operation_log")};
}

}  // namespace kitsune::backend
