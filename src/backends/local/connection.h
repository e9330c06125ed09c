// Connection: one sqlite3 connection of a session, and the databases attached to it on demand
// with the count of open statements that use each.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kitsune/common/status.h"

struct sqlite3;

namespace kitsune::backends::local {

// Owns a sqlite3 handle. Shared by a session and the cursors prepared on it, so a cursor outlives
// a USE that moves its session to another connection. Every call but handle()/interrupt use comes
// from the session's thread (the engine serialises a session's work).
class Connection {
 public:
  enum class Mode {
    kReadWrite,        // the database must exist
    kReadWriteCreate,  // created when missing ("default")
    kReadOnly,         // catalog reads of other databases
  };

  // Opens `file` as `main` for Hive database `database`: WAL journal mode (unless read-only), the
  // busy timeout, extended result codes, and an authorizer that keeps ATTACH and DETACH to the
  // engine (user SQL that tries them fails with refusal()).
  static Result<std::shared_ptr<Connection>> open(const std::filesystem::path& file,
                                                  std::string database, Mode mode,
                                                  std::chrono::milliseconds busy_timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* handle() const { return db_; }
  // The Hive database that is `main` here.
  const std::string& database() const { return database_; }

  // Why the authorizer refused the statement last prepared, or "" when it did not.
  const std::string& refusal() const { return refusal_; }
  void clear_refusal() { refusal_.clear(); }

  // SQLite keeps an interrupt pending until no statement of the connection is active: one aimed at
  // a statement that has ended stays pending while another cursor sits paused mid-result, and
  // fails every new statement. This ends the paused ones (the interrupt would fail them at their
  // next step anyway; their cursors then report cancelled), so that new statements run.
  void end_interrupted_statements();

  // Runs SQL of the engine's own (PRAGMA and the like), discarding any rows.
  Status exec(const std::string& sql);
  // Puts `schema` ("main" or an attached name) in WAL mode. Switching needs the file to itself,
  // and SQLite answers BUSY at once (no busy handler) when another process switches the same
  // new file at that moment; so BUSY is retried until the busy timeout.
  Status use_wal(std::string_view schema);
  void set_busy_timeout(std::chrono::milliseconds t) { busy_timeout_ = t; }

  bool attached(std::string_view name) const;
  // Attaches `file` as `name` (a normalized database name). At SQLite's limit (10 here) it first
  // detaches the least recently used attachment that no open statement uses; fails with SQLSTATE
  // 54000 when every one is in use.
  Status attach(const std::string& name, const std::filesystem::path& file);
  // Detaches `name` when attached; fails while an open statement uses it.
  Status detach(std::string_view name);

  // Counts a use of each attached database among `names` by an open statement, so that none is
  // detached under it; returns the names counted, to give back to release().
  std::vector<std::string> lease(const std::vector<std::string>& names);
  void release(const std::vector<std::string>& names);

 private:
  struct Attachment {
    std::string name;
    int leases = 0;
    std::uint64_t last_used = 0;
  };

  Connection(sqlite3* db, std::string database) : db_(db), database_(std::move(database)) {}
  static int authorize(void* self, int action, const char* arg1, const char* arg2,
                       const char* db_name, const char* trigger);
  Status run_attachment_statement(const std::string& sql, const std::string* bind_file);
  Status evict_one(const std::string& for_name);

  sqlite3* db_;
  std::chrono::milliseconds busy_timeout_{0};  // also bounds use_wal()'s retries
  const std::string database_;
  std::vector<Attachment> attachments_;
  std::uint64_t clock_ = 0;
  bool engine_statement_ = false;  // the engine's own ATTACH/DETACH is being prepared
  std::string refusal_;
};

// The attached databases an open statement uses, counted on its connection until this goes.
class Lease {
 public:
  Lease() = default;
  Lease(std::shared_ptr<Connection> conn, const std::vector<std::string>& names)
      : conn_(std::move(conn)), names_(conn_->lease(names)) {}
  ~Lease() {
    if (conn_) conn_->release(names_);
  }
  Lease(Lease&& other) noexcept = default;
  Lease& operator=(Lease&& other) noexcept {
    if (this != &other) {
      if (conn_) conn_->release(names_);
      conn_ = std::move(other.conn_);
      names_ = std::move(other.names_);
    }
    return *this;
  }

  const std::vector<std::string>& names() const { return names_; }

 private:
  std::shared_ptr<Connection> conn_;
  std::vector<std::string> names_;
};

}  // namespace kitsune::backends::local
