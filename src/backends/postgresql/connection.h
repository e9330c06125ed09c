// Connection: one libpq connection (a session's, or the backend's startup check), who holds it
// while a result streams, and the thread-safe cancel that interrupt() uses.
#pragma once

#include <libpq-fe.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kitsune/common/status.h"
#include "postgresql/connection_settings.h"

namespace kitsune::backends::postgresql {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// A statement whose rows are still arriving (single-row mode) and so holds the connection: no
// other command can be sent until its result has been read to the end.
class Stream {
 public:
  virtual ~Stream() = default;
  // Frees the connection for another command of the session: keeps a bounded number of rows
  // (so a result that was nearly read survives), ends the rest, and makes its next fetch past
  // them fail with a clear error. Called on the session's thread.
  virtual void give_up() = 0;
};

class Connection {
 public:
  // Connects (blocking, up to connect_timeout). Fails with "cannot connect to PostgreSQL at
  // <where>: <the server's reason>", never naming the password.
  static Result<std::shared_ptr<Connection>> open(const ConnectionSettings& settings);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  PGconn* handle() const { return conn_; }
  const std::string& where() const { return where_; }

  // Makes the connection ready for a new command of `claimant` (null: the session itself, for
  // catalog and database calls): the stream that holds it gives it up first. Fails when the
  // connection is lost. Session thread only, as everything here but cancel().
  Status claim(const Stream* claimant);
  // `stream` holds the connection until it releases it.
  void hold(Stream* stream) { stream_ = stream; }
  void release(const Stream* stream) {
    if (stream_ == stream) stream_ = nullptr;
  }

  // Claims the connection and runs one statement with text parameters ($1, $2...). Returns the
  // result of a statement that returned rows or a command status; the error otherwise.
  Result<PgResult> exec(const std::string& sql, const std::vector<std::string>& params = {});
  // Claims the connection and runs `sql` with the simple protocol: several ';'-separated
  // statements, stopping at the first error.
  Status exec_script(const std::string& sql);

  // Asks the server to cancel what this connection runs now (PQcancel). Any thread.
  void cancel();
  // Counts interrupts, so that a statement sent just after one can tell it came too early to
  // reach the server. Any thread.
  void note_interrupt() { interrupts_.fetch_add(1); }
  std::uint64_t interrupts() const { return interrupts_.load(); }

 private:
  Connection(PGconn* conn, PGcancel* cancel, std::string where)
      : conn_(conn), cancel_(cancel), where_(std::move(where)) {}

  PGconn* conn_;
  PGcancel* cancel_;
  const std::string where_;
  Stream* stream_ = nullptr;
  std::atomic<std::uint64_t> interrupts_{0};
};

}  // namespace kitsune::backends::postgresql
