// Result sets the engine builds itself: metadata calls (with the columns BI tools expect, as
// Hive lays them out) and the output of SET, SHOW and DESCRIBE.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kitsune/backend/sql_backend.h"

namespace kitsune::backend {

using Row = std::vector<Value>;

// A Cursor over rows computed up front; rewinds freely (FETCH_FIRST).
class MaterializedCursor final : public Cursor {
 public:
  MaterializedCursor(Schema schema, std::vector<Row> rows);
  bool has_result_set() const override { return true; }
  const Schema& schema() const override { return schema_; }
  Status execute() override { return Status::ok(); }
  std::int64_t modified_rows() const override { return -1; }
  Result<bool> fetch(RowSetBuilder& out, std::size_t max_rows, std::size_t max_bytes) override;
  Status rewind() override;

 private:
  Schema schema_;
  std::vector<Row> rows_;
  std::size_t next_ = 0;
};

std::unique_ptr<Cursor> type_info_result();
std::unique_ptr<Cursor> catalogs_result();
std::unique_ptr<Cursor> table_types_result();
std::unique_ptr<Cursor> schemas_result(const std::vector<std::string>& databases);
std::unique_ptr<Cursor> tables_result(const std::vector<TableInfo>& tables);
std::unique_ptr<Cursor> columns_result(const std::vector<ColumnInfo>& columns);
std::unique_ptr<Cursor> functions_result(const std::vector<FunctionInfo>& functions);
std::unique_ptr<Cursor> primary_keys_result(const std::vector<PrimaryKeyInfo>& keys);
std::unique_ptr<Cursor> cross_reference_result(const std::vector<ForeignKeyInfo>& keys);

// SET output: one column "set" of "key=value" lines, as Hive prints it.
std::unique_ptr<Cursor> set_result(const std::vector<std::string>& lines);
// SHOW DATABASES (column database_name) and SHOW TABLES (column tab_name).
std::unique_ptr<Cursor> show_databases_result(const std::vector<std::string>& names);
std::unique_ptr<Cursor> show_tables_result(const std::vector<std::string>& names);
// DESCRIBE: col_name, data_type, comment.
std::unique_ptr<Cursor> describe_result(const std::vector<ColumnInfo>& columns);
// Operation log lines as a one-column result (FetchResults with fetchType=1).
Schema operation_log_schema();

}  // namespace kitsune::backend
