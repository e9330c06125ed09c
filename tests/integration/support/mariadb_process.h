// MariadbProcess: a real MariaDB 10.11 for a test, its data in a temp dir, listening on 127.0.0.1
// at a port the OS picked and on a Unix socket in that dir. Passwords are checked (no
// --skip-grant-tables); root logs in without one over the socket only, for the test's own SQL.
#pragma once

#include <sys/types.h>

#include <string>

namespace kitsune::testing {

// The output of a mariadb client run.
struct MariadbResult {
  int exit_code = -1;  // 0 when every statement succeeded
  std::string out;     // rows, tab-separated, one line each, no header
  std::string err;
};

class MariadbProcess {
 public:
  // mariadb-install-db and mariadbd; waits up to 60 s until it answers, throws with its log
  // otherwise. Runs as the current user (with --user=root when that is root).
  MariadbProcess();
  // Stops it (SIGTERM, then SIGKILL) and removes the temp dir.
  ~MariadbProcess();
  MariadbProcess(const MariadbProcess&) = delete;
  MariadbProcess& operator=(const MariadbProcess&) = delete;

  std::string host() const { return "127.0.0.1"; }
  int port() const { return port_; }
  const std::string& socket_path() const { return socket_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  // Shuts it down (SIGTERM), waiting up to 30 s; the data and the port stay.
  void stop();
  // Starts it again after stop(), on the same port with the same data, and waits for it.
  void start();

  // Runs `sql` (statements separated by ';', stopping at the first error) with the mariadb
  // client as root over the Unix socket. The SQL goes through stdin from a file, never the
  // command line, so that passwords in it stay out of `ps`.
  MariadbResult run_sql(const std::string& sql) const;
  // run_sql that throws (with the client's stderr) unless it succeeds; returns the rows.
  std::string sql(const std::string& sql) const;

  // What the server has logged so far.
  std::string log() const;

 private:
  void launch();
  bool answers() const;

  std::string dir_;
  std::string data_dir_;
  std::string socket_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace kitsune::testing
