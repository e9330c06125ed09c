// Running a statement with the text protocol and streaming its rows in batches.
#include "mysql/cursor.h"

#include <mysql.h>

#include <cstring>

#include "mysql/errors.h"

namespace kitsune::backends::mysql {

MysqlCursor::MysqlCursor(std::shared_ptr<SessionLink> link, std::string sql, backend::Schema schema,
                         bool has_rows, bool plain_query, bool dml)
    : link_(std::move(link)),
      sql_(std::move(sql)),
      schema_(std::move(schema)),
      has_rows_(has_rows),
      plain_query_(plain_query),
      dml_(dml) {}

MysqlCursor::~MysqlCursor() {
  prepare_thread();
  release(false);
}

void MysqlCursor::abandon() {
  release(false);
  abandoned_ = true;
}

void MysqlCursor::release(bool ended) {
  if (result_ == nullptr) return;
  if (link_->streaming == this) link_->streaming = nullptr;
  // Rows may remain on the server: stop the statement rather than read what nobody will see.
  if (!ended) link_->interrupter->kill_now();
  mysql_free_result(result_);  // reads and drops whatever is left
  result_ = nullptr;
  row_ = nullptr;
  skip_more_results();
}

void MysqlCursor::skip_more_results() {
  MYSQL* m = link_->conn->handle();
  // A CALL ends with a status result after its own; nothing else may come before it is read.
  while (mysql_more_results(m)) {
    if (mysql_next_result(m) != 0) break;
    if (MYSQL_RES* extra = mysql_use_result(m)) mysql_free_result(extra);
  }
}

Status MysqlCursor::execute() {
  if (executed_) return Status::error("The statement has been executed already", "HY010");
  executed_ = true;
  return run();
}

Status MysqlCursor::run() {
  prepare_thread();
  link_->claim(this);
  MYSQL* m = link_->conn->handle();
  Interrupter& interrupter = *link_->interrupter;
  interrupter.begin();
  if (mysql_real_query(m, sql_.data(), sql_.size()) != 0) {
    Status error = link_->conn->error();
    interrupter.end();
    return error;
  }
  MYSQL_RES* res = mysql_field_count(m) > 0 ? mysql_use_result(m) : nullptr;
  interrupter.end();
  if (mysql_field_count(m) > 0 && res == nullptr) return link_->conn->error();
  if (res == nullptr) {
    modified_rows_ = dml_ ? static_cast<std::int64_t>(mysql_affected_rows(m)) : -1;
    skip_more_results();
    return Status::ok();
  }
  result_ = res;
  link_->streaming = this;
  if (!has_rows_) {
    // Rows nobody asked for (a statement the server could not prepare, guessed wrong).
    release(false);
    return Status::ok();
  }
  // The columns as the statement produced them (prepare may not have known them).
  const unsigned int n = mysql_num_fields(res);
  const MYSQL_FIELD* fields = mysql_fetch_fields(res);
  schema_.assign(n, backend::ColumnDesc{});
  readers_.resize(n);
  cells_.resize(n);
  lengths_.resize(n);
  for (unsigned int i = 0; i < n; ++i) {
    schema_[i].name = std::string(fields[i].name, fields[i].name_length);
    schema_[i].type = map_field(fields[i], link_->types);
    readers_[i] = reader_for(fields[i], schema_[i].type);
  }
  return advance();
}

Status MysqlCursor::advance() {
  Interrupter& interrupter = *link_->interrupter;
  interrupter.begin();
  row_ = mysql_fetch_row(result_);
  interrupter.end();
  if (row_ != nullptr) {
    const unsigned long* lengths = mysql_fetch_lengths(result_);
    std::memcpy(lengths_.data(), lengths, lengths_.size() * sizeof(unsigned long));
    return Status::ok();
  }
  MYSQL* m = link_->conn->handle();
  Status status = mysql_errno(m) != 0 ? link_->conn->error() : Status::ok();
  release(true);
  return status;
}

Result<bool> MysqlCursor::fetch(backend::RowSetBuilder& out, std::size_t max_rows,
                                std::size_t max_bytes) {
  if (!executed_) return Status::error("Fetch before the statement was executed", "HY010");
  if (abandoned_) {
    return Status::error(
        "The rest of this result is no longer available: the session ran another statement or "
        "call while it was open, and MySQL allows one open result per connection (fetch from "
        "the first row again to re-run a query)",
        "HY010");
  }
  prepare_thread();
  std::size_t added = 0;
  while (row_ != nullptr && added < max_rows && (added == 0 || out.bytes() < max_bytes)) {
    // Convert the whole row first, so that a value that fails leaves the columns aligned.
    for (std::size_t i = 0; i < schema_.size(); ++i) {
      KITSUNE_RETURN_IF_ERROR(
          convert_value(readers_[i], row_[i], lengths_[i], schema_[i].name, cells_[i]));
    }
    for (std::size_t i = 0; i < schema_.size(); ++i) {
      add_cell(out, i, cells_[i]);
    }
    out.end_row();
    ++added;
    KITSUNE_RETURN_IF_ERROR(advance());
  }
  return row_ != nullptr;
}

Status MysqlCursor::rewind() {
  if (!has_rows_ || !executed_) return Status::ok();
  if (!plain_query_) {
    return Status::error(
        "Cannot fetch from the first row again: only a plain query (SELECT, WITH, SHOW, ...) "
        "runs a second time, and this statement may change the database",
        "HY000");
  }
  prepare_thread();
  release(false);
  abandoned_ = false;
  return run();
}

}  // namespace kitsune::backends::mysql
