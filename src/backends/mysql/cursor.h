// MysqlCursor: one statement of a session, run with the text protocol, its rows streamed from
// the server (mysql_use_result) into RowSetBuilder batches, never held whole.
//
// One result at a time: MySQL accepts no command on a connection while an unbuffered result is
// open ("Commands out of sync"). When the session runs anything else (a statement, USE, a
// catalog call) while this cursor's result is still open, the cursor gives the result up (KILL
// QUERY, then the rest is read and dropped) and its next fetch fails with SQLSTATE HY010 and a
// message saying so; it never returns rows of the later statement. FETCH_FIRST (rewind) runs the
// statement again when it is a plain query (SELECT, WITH, SHOW, ...), which also brings a given-up
// result back.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kitsune/backend/sql_backend.h"
#include "mysql/link.h"
#include "mysql/type_mapping.h"

typedef struct st_mysql_res MYSQL_RES;

namespace kitsune::backends::mysql {

class MysqlCursor final : public backend::Cursor, private StreamOwner {
 public:
  // `schema` as prepare learned it (empty when the server could not prepare the statement);
  // `plain_query`: the statement only reads, so running it again is harmless; `dml`: INSERT,
  // UPDATE, DELETE or REPLACE, whose affected rows are reported.
  MysqlCursor(std::shared_ptr<SessionLink> link, std::string sql, backend::Schema schema,
              bool has_rows, bool plain_query, bool dml);
  ~MysqlCursor() override;
  MysqlCursor(const MysqlCursor&) = delete;
  MysqlCursor& operator=(const MysqlCursor&) = delete;

  bool has_result_set() const override { return has_rows_; }
  const backend::Schema& schema() const override { return schema_; }
  Status execute() override;
  std::int64_t modified_rows() const override { return modified_rows_; }
  Result<bool> fetch(backend::RowSetBuilder& out, std::size_t max_rows,
                     std::size_t max_bytes) override;
  Status rewind() override;

 private:
  void abandon() override;
  // Sends the statement and, for a result, reads its first row.
  Status run();
  // Reads the next row into row_ (null at the end, when the result is released).
  Status advance();
  // Releases the result: read to its end when it ended, else stopped and skipped.
  void release(bool ended);
  void skip_more_results();

  std::shared_ptr<SessionLink> link_;
  const std::string sql_;
  backend::Schema schema_;
  const bool has_rows_;
  const bool plain_query_;
  const bool dml_;
  bool executed_ = false;
  bool abandoned_ = false;
  std::int64_t modified_rows_ = -1;
  MYSQL_RES* result_ = nullptr;
  char** row_ = nullptr;  // the row read ahead; valid until the next mysql_fetch_row
  std::vector<unsigned long> lengths_;
  std::vector<ValueReader> readers_;
  std::vector<Cell> cells_;
};

}  // namespace kitsune::backends::mysql
