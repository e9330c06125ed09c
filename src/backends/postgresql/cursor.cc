// Executing a statement on a session's connection and streaming its rows in single-row mode.
#include "postgresql/cursor.h"

#include <algorithm>
#include <utility>

#include "kitsune/common/log.h"
#include "postgresql/errors.h"
#include "postgresql/sql_text.h"

namespace kitsune::backends::postgresql {
namespace {

Status abandoned() {
  return Status::error(
      "The rest of this result is gone: the session ran another statement or catalog call on "
      "its connection before the result was fetched to the end. Fetch a result to the end "
      "before the next statement of the session, or run the query again.",
      "24000");
}

// Rows changed, for the commands that change rows; -1 otherwise.
std::int64_t changed_rows(const PGresult* result) {
  const std::string tag = PQcmdStatus(const_cast<PGresult*>(result));
  if (!tag.starts_with("INSERT") && !tag.starts_with("UPDATE") && !tag.starts_with("DELETE") &&
      !tag.starts_with("MERGE")) {
    return -1;
  }
  const char* n = PQcmdTuples(const_cast<PGresult*>(result));
  return n != nullptr && *n != '\0' ? std::stoll(n) : -1;
}

}  // namespace

PgCursor::PgCursor(std::shared_ptr<Connection> conn, std::string sql, const PGresult* described,
                   std::size_t read_ahead)
    : conn_(std::move(conn)),
      sql_(std::move(sql)),
      plain_(is_plain_query(sql_)),
      read_ahead_(read_ahead) {
  has_result_set_ = described != nullptr && PQnfields(described) > 0;
  if (has_result_set_) set_schema(described);
}

PgCursor::~PgCursor() {
  // The connection must be free for the session's next command; nothing is kept.
  if (streaming_) stop_streaming();
}

void PgCursor::stop_streaming() {
  if (plain_ && !in_transaction_) conn_->cancel();
  drain();
  end_stream();
}

void PgCursor::set_schema(const PGresult* result) {
  const int n = PQnfields(result);
  schema_.assign(static_cast<std::size_t>(n), {});
  kinds_.assign(static_cast<std::size_t>(n), ValueKind::kText);
  for (int i = 0; i < n; ++i) {
    const MappedType mapped = map_type(PQftype(result, i), PQfmod(result, i));
    backend::ColumnDesc& c = schema_[static_cast<std::size_t>(i)];
    const char* name = PQfname(result, i);
    c.name = name != nullptr ? name : "_c" + std::to_string(i);
    c.type = mapped.type;
    kinds_[static_cast<std::size_t>(i)] = mapped.kind;
  }
}

void PgCursor::end_stream() {
  streaming_ = false;
  conn_->release(this);
}

void PgCursor::drain() {
  while (PGresult* r = PQgetResult(conn_->handle())) {
    const ExecStatusType status = PQresultStatus(r);
    PQclear(r);
    if (status == PGRES_COPY_IN) {
      PQputCopyEnd(conn_->handle(), "COPY FROM STDIN is not supported here");
    } else if (status == PGRES_COPY_OUT) {
      char* buffer = nullptr;
      while (PQgetCopyData(conn_->handle(), &buffer, 0) > 0)
        PQfreemem(buffer);
    }
  }
}

void PgCursor::read_next() {
  PGconn* pg = conn_->handle();
  PgResult result(PQgetResult(pg));
  if (!result) {
    end_stream();
    return;
  }
  switch (PQresultStatus(result.get())) {
    case PGRES_SINGLE_TUPLE:
      rows_.push_back(std::move(result));
      return;
    case PGRES_TUPLES_OK:
      // No rows at all: the columns as they came back are still the truth.
      if (has_result_set_ && PQnfields(result.get()) > 0) set_schema(result.get());
      modified_rows_ = changed_rows(result.get());
      break;
    case PGRES_COMMAND_OK:
      modified_rows_ = changed_rows(result.get());
      break;
    case PGRES_COPY_IN:
    case PGRES_COPY_OUT:
      end_ = Status::unsupported(
          "COPY ... FROM STDIN / TO STDOUT is not supported here; use INSERT or SELECT");
      break;
    default:
      if (end_.is_ok()) end_ = result_status(result.get(), pg);
      break;
  }
  result.reset();
  drain();
  end_stream();
}

Status PgCursor::execute() {
  if (executed_) return Status::error("The statement has been executed already", "HY010");
  executed_ = true;
  // Counted before the claim: an interrupt while another result gives the connection up may
  // have cancelled that one instead of this statement.
  const std::uint64_t interrupts = conn_->interrupts();
  KITSUNE_RETURN_IF_ERROR(conn_->claim(this));
  PGconn* pg = conn_->handle();
  in_transaction_ = PQtransactionStatus(pg) != PQTRANS_IDLE;
  if (PQsendQueryParams(pg, sql_.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) == 0) {
    return connection_status(pg, "cannot send the statement");
  }
  if (has_result_set_ && PQsetSingleRowMode(pg) == 0) {
    logger("backend")->warn("single-row mode refused; the result arrives whole");
  }
  streaming_ = true;
  conn_->hold(this);
  // An interrupt that came while the statement was on its way found nothing to cancel.
  if (conn_->interrupts() != interrupts) conn_->cancel();

  if (!has_result_set_) {
    while (streaming_)
      read_next();
    // A statement described without rows that returned some anyway had them dropped.
    rows_.clear();
    return std::exchange(end_, Status::ok());
  }
  // Until the first row (or the end), as the engine expects of execute().
  read_next();
  if (!rows_.empty()) {
    // The columns as they came back are the truth (a table may have changed since prepare).
    set_schema(rows_.front().get());
  }
  if (rows_.empty() && !streaming_ && !end_.is_ok()) return std::exchange(end_, Status::ok());
  return Status::ok();
}

Status PgCursor::append_row(backend::RowSetBuilder& out, const PGresult* row) {
  const int n = std::min(PQnfields(row), static_cast<int>(schema_.size()));
  for (int i = 0; i < n; ++i) {
    const std::size_t c = static_cast<std::size_t>(i);
    if (PQgetisnull(row, 0, i) != 0) {
      out.add_null(c);
      continue;
    }
    KITSUNE_RETURN_IF_ERROR(append_value(out, c, kinds_[c], PQgetvalue(row, 0, i),
                                         PQgetlength(row, 0, i), schema_[c].name, scratch_));
  }
  out.end_row();
  return Status::ok();
}

Result<bool> PgCursor::fetch(backend::RowSetBuilder& out, std::size_t max_rows,
                             std::size_t max_bytes) {
  if (!executed_) return Status::error("Fetch before the statement was executed", "HY010");
  std::size_t added = 0;
  while (added < max_rows && (added == 0 || out.bytes() < max_bytes)) {
    if (rows_.empty()) {
      if (!streaming_) break;
      read_next();
      continue;
    }
    KITSUNE_RETURN_IF_ERROR(append_row(out, rows_.front().get()));
    rows_.pop_front();
    ++added;
  }
  // Looking one result ahead tells whether rows remain, and frees the connection at the end.
  if (rows_.empty() && streaming_) read_next();
  if (rows_.empty() && !streaming_ && !end_.is_ok()) {
    // The failure comes after the rows before it, on the next fetch when this one has rows.
    if (added == 0) return end_;
    return true;
  }
  return !rows_.empty() || streaming_;
}

void PgCursor::give_up() {
  if (!streaming_) return;
  while (streaming_ && rows_.size() < read_ahead_)
    read_next();
  if (!streaming_) return;  // the result ended within the rows kept
  stop_streaming();
  end_ = abandoned();
  logger("backend")->debug(
      "a streaming result was abandoned after {} kept rows: the session ran another command",
      rows_.size());
}

Status PgCursor::rewind() {
  // Without rows there is nothing to start over, and running it again would repeat its effects.
  if (!has_result_set_) return Status::ok();
  if (!plain_) {
    return Status::error(
        "Cannot fetch from the first row again: the statement is not a plain query "
        "(SELECT, VALUES, TABLE, SHOW), so running it again could repeat what it changed",
        "HY000");
  }
  if (streaming_) stop_streaming();
  rows_.clear();
  end_ = Status::ok();
  executed_ = false;
  return execute();
}

}  // namespace kitsune::backends::postgresql
