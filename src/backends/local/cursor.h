// LocalCursor: one prepared SQLite statement of a session, from execute to its last row,
// streaming rows into RowSetBuilder batches.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "kitsune/backend/sql_backend.h"
#include "local/connection.h"
#include "local/type_mapping.h"

struct sqlite3_stmt;

namespace kitsune::backends::local {

class LocalCursor final : public backend::Cursor {
 public:
  // How far execute() reads ahead to infer the types of columns without a declared type: the first
  // batch a client gets at the defaults of kyuubi.server.thrift.resultset.default.fetch.size and
  // kitsune.engine.fetch.max.bytes.
  static constexpr std::size_t kInferenceRows = 1000;
  static constexpr std::size_t kInferenceBytes = 8 << 20;

  // Takes `stmt`, prepared on `conn`; `lease` keeps the attached databases it uses attached.
  // `dml` says whether the statement is an INSERT, UPDATE, DELETE or REPLACE.
  LocalCursor(std::shared_ptr<Connection> conn, sqlite3_stmt* stmt, Lease lease, bool dml);
  ~LocalCursor() override;
  LocalCursor(const LocalCursor&) = delete;
  LocalCursor& operator=(const LocalCursor&) = delete;

  bool has_result_set() const override { return !schema_.empty(); }
  const backend::Schema& schema() const override { return schema_; }
  Status execute() override;
  std::int64_t modified_rows() const override { return modified_rows_; }
  Result<bool> fetch(backend::RowSetBuilder& out, std::size_t max_rows,
                     std::size_t max_bytes) override;
  Status rewind() override;

 private:
  enum class State {
    kPrepared,  // not stepped yet
    kRow,       // the statement holds a row not yet fetched
    kDone,      // no row left in the statement (buffered rows may remain)
  };

  // A value copied out of the statement while reading ahead for type inference.
  struct BufferedValue {
    SqlValue::Kind kind = SqlValue::Kind::kNull;
    std::int64_t integer = 0;
    double real = 0;
    std::string bytes;
  };
  using BufferedRow = std::vector<BufferedValue>;

  Status step();
  Status infer_types();
  SqlValue column_value(int column) const;
  // Converts one row (`buffered`, or the statement's when null) and appends it to `out`; nothing
  // is appended when a value fails to convert.
  Status append_row(backend::RowSetBuilder& out, const BufferedRow* buffered);

  std::shared_ptr<Connection> conn_;
  sqlite3_stmt* stmt_;
  Lease lease_;
  const bool dml_;
  backend::Schema schema_;
  std::vector<bool> inferred_;  // columns whose type execute() infers from values
  State state_ = State::kPrepared;
  bool executed_ = false;
  std::int64_t modified_rows_ = -1;
  std::deque<BufferedRow> buffered_;  // rows read ahead by execute(), fetched before the rest
  std::vector<Cell> cells_;           // per column, reused for every row
  std::vector<std::string> scratch_;  // per column, text the conversions produce
};

}  // namespace kitsune::backends::local
