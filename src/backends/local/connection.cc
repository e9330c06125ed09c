// Opening SQLite connections, and attaching databases to them on demand within SQLite's limit.
#include "local/connection.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <thread>

#include "kitsune/common/log.h"
#include "local/errors.h"

namespace kitsune::backends::local {
namespace {

std::string quote_name(std::string_view name) {
  return "\"" + std::string(name) + "\"";
}

}  // namespace

Result<std::shared_ptr<Connection>> Connection::open(const std::filesystem::path& file,
                                                     std::string database, Mode mode,
                                                     std::chrono::milliseconds busy_timeout) {
  // NOMUTEX: a session's calls never overlap, except sqlite3_interrupt(), which needs no mutex.
  int flags = SQLITE_OPEN_NOMUTEX;
  switch (mode) {
    case Mode::kReadWrite:
      flags |= SQLITE_OPEN_READWRITE;
      break;
    case Mode::kReadWriteCreate:
      flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      break;
    case Mode::kReadOnly:
      flags |= SQLITE_OPEN_READONLY;
      break;
  }
  sqlite3* db = nullptr;
  // The path is absolute (DataDir made it so), so SQLite never reads it as a "file:" URI.
  const int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status status = db != nullptr ? last_error(db) : sqlite_status(rc, sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    return Status(status.code(), "Cannot open database " + database + ": " + status.message(),
                  status.sql_state(), status.error_code());
  }
  std::shared_ptr<Connection> conn(new Connection(db, std::move(database)));
  sqlite3_extended_result_codes(db, 1);
  const auto ms = std::clamp<std::chrono::milliseconds::rep>(busy_timeout.count(), 0, INT_MAX);
  sqlite3_busy_timeout(db, static_cast<int>(ms));
  conn->set_busy_timeout(std::chrono::milliseconds(ms));
  sqlite3_set_authorizer(db, &Connection::authorize, conn.get());
  if (mode != Mode::kReadOnly) {
    // WAL lets readers of other sessions go on while one writes. The mode is stored in the file;
    // asking again is cheap.
    KITSUNE_RETURN_IF_ERROR(conn->use_wal("main"));
  }
  return conn;
}

Connection::~Connection() {
  sqlite3_close_v2(db_);
}

int Connection::authorize(void* self, int action, const char* /*arg1*/, const char* /*arg2*/,
                          const char* /*db_name*/, const char* /*trigger*/) {
  auto* conn = static_cast<Connection*>(self);
  if ((action == SQLITE_ATTACH || action == SQLITE_DETACH) && !conn->engine_statement_) {
    // The engine owns the attachment table: it attaches databases named in queries and detaches
    // them to stay within SQLite's limit. A user's own ATTACH could also reach any file.
    conn->refusal_ =
        "ATTACH and DETACH are not available: query another database as <database>.<table>, and "
        "the engine attaches it";
    return SQLITE_DENY;
  }
  return SQLITE_OK;
}

void Connection::end_interrupted_statements() {
  for (sqlite3_stmt* stmt = sqlite3_next_stmt(db_, nullptr); stmt != nullptr;
       stmt = sqlite3_next_stmt(db_, stmt)) {
    if (sqlite3_stmt_busy(stmt) != 0) sqlite3_reset(stmt);
  }
}

Status Connection::exec(const std::string& sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  sqlite3_free(error);
  return rc == SQLITE_OK ? Status::ok() : last_error(db_);
}

Status Connection::use_wal(std::string_view schema) {
  const std::string sql = "PRAGMA " + quote_name(schema) + ".journal_mode=WAL";
  const auto deadline = std::chrono::steady_clock::now() + busy_timeout_;
  for (;;) {
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) return Status::ok();
    // Runs on the engine's blocking pool, never on an I/O thread, so a short sleep is fine.
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) {
      return last_error(db_);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool Connection::attached(std::string_view name) const {
  return std::any_of(attachments_.begin(), attachments_.end(),
                     [&](const Attachment& a) { return a.name == name; });
}

Status Connection::run_attachment_statement(const std::string& sql, const std::string* bind_file) {
  sqlite3_stmt* stmt = nullptr;
  engine_statement_ = true;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
  engine_statement_ = false;
  if (rc == SQLITE_OK && bind_file != nullptr) {
    rc = sqlite3_bind_text(stmt, 1, bind_file->c_str(), -1, SQLITE_TRANSIENT);
  }
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  Status status = rc == SQLITE_DONE || rc == SQLITE_OK ? Status::ok() : last_error(db_);
  sqlite3_finalize(stmt);
  return status;
}

Status Connection::evict_one(const std::string& for_name) {
  std::vector<Attachment*> idle;
  for (Attachment& a : attachments_) {
    if (a.leases == 0) idle.push_back(&a);
  }
  std::sort(idle.begin(), idle.end(),
            [](const Attachment* a, const Attachment* b) { return a->last_used < b->last_used; });
  for (Attachment* a : idle) {
    // DETACH still fails while the database is in a transaction of this connection.
    const std::string name = a->name;
    if (run_attachment_statement("DETACH DATABASE " + quote_name(name), nullptr).is_ok()) {
      std::erase_if(attachments_, [&](const Attachment& x) { return x.name == name; });
      logger("backend")->debug("detached database {} to make room for {}", name, for_name);
      return Status::ok();
    }
  }
  return Status::error("Cannot query database " + for_name + ": all " +
                           std::to_string(attachments_.size()) +
                           " other databases a session can use at once are in use by its open "
                           "statements or transaction; close some of them first",
                       "54000");
}

Status Connection::attach(const std::string& name, const std::filesystem::path& file) {
  const int limit = sqlite3_limit(db_, SQLITE_LIMIT_ATTACHED, -1);
  if (static_cast<int>(attachments_.size()) >= limit) {
    KITSUNE_RETURN_IF_ERROR(evict_one(name));
  }
  const std::string path = file.string();
  KITSUNE_RETURN_IF_ERROR(
      run_attachment_statement("ATTACH DATABASE ?1 AS " + quote_name(name), &path));
  attachments_.push_back(Attachment{name, 0, ++clock_});
  logger("backend")->debug("attached database {}", name);
  // Files the engine created are in WAL mode already; this covers any placed here by hand.
  if (Status s = use_wal(name); !s.is_ok()) {
    logger("backend")->warn("database {} stays in its journal mode: {}", name, s.message());
  }
  return Status::ok();
}

Status Connection::detach(std::string_view name) {
  auto it = std::find_if(attachments_.begin(), attachments_.end(),
                         [&](const Attachment& a) { return a.name == name; });
  if (it == attachments_.end()) return Status::ok();
  if (it->leases > 0) {
    return Status::error(
        "Database " + std::string(name) + " is in use by an open statement of this session",
        "HY000");
  }
  KITSUNE_RETURN_IF_ERROR(run_attachment_statement("DETACH DATABASE " + quote_name(name), nullptr));
  attachments_.erase(it);
  return Status::ok();
}

std::vector<std::string> Connection::lease(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const std::string& name : names) {
    for (Attachment& a : attachments_) {
      if (a.name == name && std::find(out.begin(), out.end(), name) == out.end()) {
        ++a.leases;
        a.last_used = ++clock_;
        out.push_back(name);
      }
    }
  }
  return out;
}

void Connection::release(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    for (Attachment& a : attachments_) {
      if (a.name == name && a.leases > 0) --a.leases;
    }
  }
}

}  // namespace kitsune::backends::local
