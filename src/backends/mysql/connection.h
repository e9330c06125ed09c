// Connection: one MariaDB Connector/C connection (MYSQL*), its library and per-thread setup, the
// few statement shapes the backend runs on it, and the Interrupter that stops its statements
// from other threads with KILL QUERY on a second connection.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kitsune/common/status.h"
#include "mysql/connection_settings.h"

typedef struct st_mysql MYSQL;

namespace kitsune::backends::mysql {

// Initialises Connector/C once per process (mysql_library_init) and for the calling thread
// (mysql_thread_init, with mysql_thread_end when the thread ends). Every entry point of the
// backend calls it first: the engine calls it from pool threads that come and go.
void prepare_thread();

// A row of a catalog query: each value as text, nullopt for NULL.
using TextRow = std::vector<std::optional<std::string>>;

class Connection {
 public:
  // Connects to `database` ("" for none) with `settings`. Fails with "cannot connect to MySQL at
  // host:port/db as user: <the server's reason>".
  static Result<std::unique_ptr<Connection>> open(
      std::shared_ptr<const ConnectionSettings> settings, const std::string& database);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  MYSQL* handle() const { return mysql_; }
  const ConnectionSettings& settings() const { return *settings_; }
  const std::shared_ptr<const ConnectionSettings>& shared_settings() const { return settings_; }
  // The server's id of this connection (mysql_thread_id), which KILL QUERY names.
  unsigned long thread_id() const;
  // The server's version string ("10.11.6-MariaDB-0+deb12u1").
  std::string server_info() const;

  // The Status of the last failed call on the connection.
  Status error() const;

  // Runs `sql` with the text protocol, reading and dropping whatever rows it returns.
  Status run(std::string_view sql);
  // Runs a query as a prepared statement with text parameters (never spliced into the SQL) and
  // returns every row as text. For catalog queries, whose results are small.
  Result<std::vector<TextRow>> select(std::string_view sql, const std::vector<std::string>& params);

 private:
  Connection(std::shared_ptr<const ConnectionSettings> settings, MYSQL* mysql)
      : settings_(std::move(settings)), mysql_(mysql) {}

  std::shared_ptr<const ConnectionSettings> settings_;
  MYSQL* mysql_;
};

// Stops the statement running on one connection from any thread: KILL QUERY <thread id> sent on
// a short-lived second connection. Shared by a session and its cursors.
//
// A KILL is only sent while the statement that was running when interrupt() was called still
// runs (begin()/end() bracket each blocking call), and end() waits for a KILL in flight, so a
// late KILL never reaches a later statement: at worst it reaches the idle connection, where the
// server drops it when the next command starts.
class Interrupter {
 public:
  Interrupter(std::shared_ptr<const ConnectionSettings> settings, unsigned long thread_id)
      : settings_(std::move(settings)), thread_id_(thread_id) {}

  // Around every blocking call on the connection (session thread).
  void begin();
  void end();
  // Asks for the current statement to stop; returns at once (the KILL goes from a thread of its
  // own). Called from any thread.
  void interrupt();
  // Sends KILL QUERY now and waits until the server has taken it (session thread): stops a
  // statement whose result is dropped before its end, so that nobody reads the rest.
  void kill_now();

 private:
  // Runs on the killer thread: repeats KILL QUERY while statement `target` still runs, since a
  // KILL that reaches the server before the statement does is dropped.
  static void kill_loop(std::shared_ptr<Interrupter> self, std::uint64_t target);
  Status send_kill(Connection& killer);

  const std::shared_ptr<const ConnectionSettings> settings_;
  const unsigned long thread_id_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t statement_ = 0;  // bumped by begin()
  bool busy_ = false;
  bool killing_ = false;  // a killer thread is at work
  std::weak_ptr<Interrupter> self_;

  friend std::shared_ptr<Interrupter> make_interrupter(std::shared_ptr<const ConnectionSettings>,
                                                       unsigned long);
};

std::shared_ptr<Interrupter> make_interrupter(std::shared_ptr<const ConnectionSettings> settings,
                                              unsigned long thread_id);

// A backquoted identifier (`a``b`).
std::string quote_identifier(std::string_view name);

}  // namespace kitsune::backends::mysql
