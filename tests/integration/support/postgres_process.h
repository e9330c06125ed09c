// PostgresProcess: a real PostgreSQL 15 for a test, its cluster in a temp dir, listening on
// 127.0.0.1 at a port the OS picked and on a Unix socket in that dir. It can be stopped and
// started again on the same port with the same data, as an outage looks to its clients.
#pragma once

#include <sys/types.h>

#include <string>

namespace kitsune::testing {

// The output of a psql run.
struct SqlResult {
  int exit_code = -1;  // 0 when every statement succeeded
  std::string out;     // rows, unaligned, '|' between columns, one line each
  std::string err;
};

class PostgresProcess {
 public:
  // initdb (superuser "postgres", trusted on the Unix socket; TCP logins need a password,
  // scram-sha-256) and start; waits up to 30 s until it answers, throws with its log otherwise.
  // As root, the cluster belongs to the unprivileged user "postgres" (or "nobody") and the
  // server runs as that user, since PostgreSQL refuses to run as root.
  PostgresProcess();
  // Stops it (fast shutdown, then SIGKILL) and removes the temp dir.
  ~PostgresProcess();
  PostgresProcess(const PostgresProcess&) = delete;
  PostgresProcess& operator=(const PostgresProcess&) = delete;

  std::string host() const { return "127.0.0.1"; }
  int port() const { return port_; }
  // The directory of the Unix socket (libpq's host= for socket connections).
  const std::string& socket_dir() const { return dir_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  // Fast shutdown (SIGINT: sessions are ended), waiting up to 20 s; the data and the port stay.
  void stop();
  // Starts it again after stop(), on the same port with the same data, and waits for it.
  void start();

  // Runs `sql` (any number of statements, stopping at the first error) with psql as the
  // superuser over the Unix socket. The SQL goes through a file, never the command line, so
  // passwords in it stay out of `ps`.
  SqlResult run_sql(const std::string& sql, const std::string& database = "postgres") const;
  // run_sql that throws (with psql's stderr) unless it succeeds; returns the rows.
  std::string sql(const std::string& sql, const std::string& database = "postgres") const;

  // What the server has logged so far.
  std::string log() const;

 private:
  void launch();
  bool answers() const;

  std::string dir_;
  std::string data_dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  uid_t uid_ = 0;  // whom the cluster belongs to
  gid_t gid_ = 0;
};

}  // namespace kitsune::testing
