// Executing a prepared SQLite statement and fetching its rows in batches.
#include "local/cursor.h"

#include <sqlite3.h>

#include "local/errors.h"

namespace kitsune::backends::local {

LocalCursor::LocalCursor(std::shared_ptr<Connection> conn, sqlite3_stmt* stmt, Lease lease,
                         bool dml)
    : conn_(std::move(conn)), stmt_(stmt), lease_(std::move(lease)), dml_(dml) {
  const int n = sqlite3_column_count(stmt_);
  schema_.resize(static_cast<std::size_t>(n));
  inferred_.resize(static_cast<std::size_t>(n));
  cells_.resize(static_cast<std::size_t>(n));
  scratch_.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    backend::ColumnDesc& c = schema_[static_cast<std::size_t>(i)];
    const char* name = sqlite3_column_name(stmt_, i);
    c.name = name != nullptr ? name : "_c" + std::to_string(i);
    const char* declared = sqlite3_column_decltype(stmt_, i);
    if (auto type = map_declared_type(declared != nullptr ? declared : "")) {
      c.type = *type;
    } else {
      // STRING until execute() has seen values.
      inferred_[static_cast<std::size_t>(i)] = true;
    }
  }
}

LocalCursor::~LocalCursor() {
  sqlite3_finalize(stmt_);
}

Status LocalCursor::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    state_ = State::kRow;
    return Status::ok();
  }
  state_ = State::kDone;
  if (rc == SQLITE_DONE) {
    if (dml_) modified_rows_ = sqlite3_changes64(conn_->handle());
    return Status::ok();
  }
  Status status = last_error(conn_->handle());
  // Ends the statement: its locks go, and it no longer keeps an interrupt pending for the rest of
  // the connection.
  sqlite3_reset(stmt_);
  return status;
}

SqlValue LocalCursor::column_value(int column) const {
  SqlValue v;
  switch (sqlite3_column_type(stmt_, column)) {
    case SQLITE_INTEGER:
      v.kind = SqlValue::Kind::kInteger;
      v.integer = sqlite3_column_int64(stmt_, column);
      break;
    case SQLITE_FLOAT:
      v.kind = SqlValue::Kind::kReal;
      v.real = sqlite3_column_double(stmt_, column);
      break;
    case SQLITE_TEXT: {
      // Read the pointer before the size, as SQLite asks.
      const unsigned char* p = sqlite3_column_text(stmt_, column);
      const auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
      v.kind = SqlValue::Kind::kText;
      if (p != nullptr) v.bytes = std::string_view(reinterpret_cast<const char*>(p), n);
      break;
    }
    case SQLITE_BLOB: {
      const void* p = sqlite3_column_blob(stmt_, column);
      const auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
      v.kind = SqlValue::Kind::kBlob;
      if (p != nullptr) v.bytes = std::string_view(static_cast<const char*>(p), n);
      break;
    }
    default:
      break;
  }
  return v;
}

Status LocalCursor::execute() {
  if (executed_) return Status::error("The statement has been executed already", "HY010");
  executed_ = true;
  KITSUNE_RETURN_IF_ERROR(step());
  for (bool inferred : inferred_) {
    if (inferred) return infer_types();
  }
  return Status::ok();
}

Status LocalCursor::infer_types() {
  // Read ahead, keeping copies of the rows, so the types are known before the first fetch and no
  // row is lost.
  std::vector<TypeInference> inference(schema_.size());
  std::size_t bytes = 0;
  while (state_ == State::kRow && buffered_.size() < kInferenceRows && bytes < kInferenceBytes) {
    BufferedRow row(schema_.size());
    for (std::size_t i = 0; i < schema_.size(); ++i) {
      const SqlValue v = column_value(static_cast<int>(i));
      row[i] = BufferedValue{v.kind, v.integer, v.real, std::string(v.bytes)};
      bytes += sizeof(BufferedValue) + v.bytes.size();
      if (inferred_[i]) inference[i].observe(v.kind);
    }
    buffered_.push_back(std::move(row));
    KITSUNE_RETURN_IF_ERROR(step());
  }
  for (std::size_t i = 0; i < schema_.size(); ++i) {
    if (inferred_[i]) schema_[i].type = inference[i].result();
  }
  return Status::ok();
}

Status LocalCursor::append_row(backend::RowSetBuilder& out, const BufferedRow* buffered) {
  // Convert the whole row first, so a value that fails leaves the batch's columns aligned.
  for (std::size_t i = 0; i < schema_.size(); ++i) {
    SqlValue v;
    if (buffered != nullptr) {
      const BufferedValue& b = (*buffered)[i];
      v = SqlValue{b.kind, b.integer, b.real, b.bytes};
    } else {
      v = column_value(static_cast<int>(i));
    }
    KITSUNE_RETURN_IF_ERROR(
        convert_value(schema_[i].type, v, schema_[i].name, scratch_[i], cells_[i]));
  }
  for (std::size_t i = 0; i < schema_.size(); ++i) {
    add_cell(out, i, cells_[i]);
  }
  out.end_row();
  return Status::ok();
}

Result<bool> LocalCursor::fetch(backend::RowSetBuilder& out, std::size_t max_rows,
                                std::size_t max_bytes) {
  if (!executed_) return Status::error("Fetch before the statement was executed", "HY010");
  std::size_t added = 0;
  while (added < max_rows && (added == 0 || out.bytes() < max_bytes)) {
    if (!buffered_.empty()) {
      KITSUNE_RETURN_IF_ERROR(append_row(out, &buffered_.front()));
      buffered_.pop_front();
    } else if (state_ == State::kRow) {
      if (sqlite3_stmt_busy(stmt_) == 0) {
        // Ended by Connection::end_interrupted_statements(): an interrupt reached it while paused.
        state_ = State::kDone;
        return sqlite_status(SQLITE_INTERRUPT, "interrupted");
      }
      KITSUNE_RETURN_IF_ERROR(append_row(out, nullptr));
      KITSUNE_RETURN_IF_ERROR(step());
    } else {
      break;
    }
    ++added;
  }
  return !buffered_.empty() || state_ == State::kRow;
}

Status LocalCursor::rewind() {
  // Without rows there is nothing to start over, and running it again would repeat its effects.
  if (!has_result_set()) return Status::ok();
  if (sqlite3_stmt_readonly(stmt_) == 0) {
    return Status::error(
        "Cannot fetch from the first row again: the statement changes the database, so it runs "
        "only once",
        "HY000");
  }
  buffered_.clear();
  sqlite3_reset(stmt_);
  state_ = State::kPrepared;
  // The types execute() inferred stay: a client has read the schema already.
  return executed_ ? step() : Status::ok();
}

}  // namespace kitsune::backends::local
