// PgCursor: one statement of a session, from prepare to its last row, with its rows streamed in
// libpq's single-row mode so that the engine never holds more than a fetch batch of them.
//
// A streaming result holds the session's only connection. When the session runs anything else
// on it (another statement, a catalog call, USE) before the result was read to the end, the
// cursor gives the connection up: it keeps up to kyuubi.engine.jdbc.fetch.size more rows, so a
// result that was nearly read still completes, and ends the rest (cancelled on the server for a
// plain query outside a transaction block, where that changes nothing else; read and dropped
// otherwise, so that a data-modifying statement still commits and an open transaction is not
// aborted). Its next fetch past the kept rows then fails with SQLSTATE 24000 and says why; a
// FETCH_FIRST runs a plain query again. Rows are never silently lost or mixed with another
// statement's.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "kitsune/backend/sql_backend.h"
#include "postgresql/connection.h"
#include "postgresql/type_mapping.h"

namespace kitsune::backends::postgresql {

class PgCursor final : public backend::Cursor, public Stream {
 public:
  // `sql` was prepared on `conn` as one statement and described: `described` holds its columns
  // (null or no fields: no result set). `read_ahead` is kyuubi.engine.jdbc.fetch.size.
  PgCursor(std::shared_ptr<Connection> conn, std::string sql, const PGresult* described,
           std::size_t read_ahead);
  ~PgCursor() override;
  PgCursor(const PgCursor&) = delete;
  PgCursor& operator=(const PgCursor&) = delete;

  bool has_result_set() const override { return has_result_set_; }
  const backend::Schema& schema() const override { return schema_; }
  Status execute() override;
  std::int64_t modified_rows() const override { return modified_rows_; }
  Result<bool> fetch(backend::RowSetBuilder& out, std::size_t max_rows,
                     std::size_t max_bytes) override;
  Status rewind() override;

  void give_up() override;

 private:
  void set_schema(const PGresult* result);
  // Reads the next result of the statement. A row goes to rows_; the end of the result, or its
  // failure (kept in end_), ends the stream and frees the connection.
  void read_next();
  // Reads and drops what is left of the result, up to the end of the statement.
  void drain();
  void end_stream();
  // Ends the stream now: cancelled on the server for a plain query outside a transaction block,
  // read to the end and dropped otherwise.
  void stop_streaming();
  Status append_row(backend::RowSetBuilder& out, const PGresult* row);

  std::shared_ptr<Connection> conn_;
  const std::string sql_;
  const bool plain_;
  const std::size_t read_ahead_;
  bool has_result_set_ = false;
  backend::Schema schema_;
  std::vector<ValueKind> kinds_;
  bool executed_ = false;
  bool streaming_ = false;       // the connection still has rows of ours coming
  bool in_transaction_ = false;  // a transaction block was open when the statement started
  std::deque<PgResult> rows_;    // single-row results read but not fetched yet
  Status end_;                   // how the rows end, when not simply at the last one
  std::int64_t modified_rows_ = -1;
  std::string scratch_;
};

}  // namespace kitsune::backends::postgresql
