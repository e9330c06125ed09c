// Connecting with Connector/C, per-thread library setup, catalog queries as prepared statements,
// and KILL QUERY from a second connection.
#include "mysql/connection.h"

#include <mysql.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "kitsune/common/log.h"
#include "mysql/errors.h"

namespace kitsune::backends::mysql {
namespace {

// Connector/C's per-thread state lives as long as the thread: the engine's pool threads end
// when idle, and each ends its share here.
struct ThreadSetup {
  ThreadSetup() { mysql_thread_init(); }
  ~ThreadSetup() { mysql_thread_end(); }
};

// How long a killer keeps repeating KILL QUERY for a statement that has not ended, and how long
// it waits between two.
constexpr int kKillAttempts = 50;
constexpr auto kKillRetry = std::chrono::milliseconds(100);
// A killer's own connection waits at most this long for the server.
constexpr unsigned int kKillerTimeoutS = 10;

// A catalog value longer than this is read again whole with mysql_stmt_fetch_column.
constexpr unsigned long kInitialBuffer = 256;

}  // namespace

void prepare_thread() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (mysql_library_init(0, nullptr, nullptr) != 0) {
      logger("backend")->error("mysql_library_init failed");
    }
  });
  thread_local ThreadSetup setup;
}

Result<std::unique_ptr<Connection>> Connection::open(
    std::shared_ptr<const ConnectionSettings> settings, const std::string& database) {
  prepare_thread();
  const ConnectionSettings& s = *settings;
  MYSQL* m = mysql_init(nullptr);
  if (m == nullptr) return Status::internal("mysql_init failed: out of memory");
  // Always TCP, as Connector/J: Connector/C would take "localhost" for the Unix socket.
  unsigned int protocol = MYSQL_PROTOCOL_TCP;
  mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &protocol);
  if (s.connect_timeout_s > 0) {
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &s.connect_timeout_s);
  }
  if (s.socket_timeout_s > 0) {
    mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &s.socket_timeout_s);
    mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &s.socket_timeout_s);
  }
  mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, s.charset.c_str());
  // A server must never read the engine's files (LOAD DATA LOCAL).
  unsigned int no_local_infile = 0;
  mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &no_local_infile);
  if (s.ssl_mode >= SslMode::kRequired) {
    my_bool on = 1;
    mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
    my_bool verify = s.ssl_mode >= SslMode::kVerifyCa ? 1 : 0;
    mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
  }
  if (!s.ssl_ca.empty()) mysql_optionsv(m, MYSQL_OPT_SSL_CA, s.ssl_ca.c_str());
  if (s.compress) mysql_optionsv(m, MYSQL_OPT_COMPRESS, nullptr);
  const unsigned long flags = s.found_rows ? CLIENT_FOUND_ROWS : 0;
  if (mysql_real_connect(m, s.host.c_str(), s.user.c_str(), s.password.c_str(),
                         database.empty() ? nullptr : database.c_str(), s.port, nullptr,
                         flags) == nullptr) {
    Status why = last_error(m, s.password);
    mysql_close(m);
    return Status(
        why.code(),
        "cannot connect to " + s.product + " at " + s.describe(database) + ": " + why.message(),
        why.sql_state(), why.error_code());
  }
  return std::unique_ptr<Connection>(new Connection(std::move(settings), m));
}

Connection::~Connection() {
  mysql_close(mysql_);
}

unsigned long Connection::thread_id() const {
  return mysql_thread_id(mysql_);
}

std::string Connection::server_info() const {
  const char* info = mysql_get_server_info(mysql_);
  return info != nullptr ? info : "";
}

Status Connection::error() const {
  return last_error(mysql_, settings_->password);
}

Status Connection::run(std::string_view sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return error();
  while (true) {
    if (mysql_field_count(mysql_) > 0) {
      MYSQL_RES* res = mysql_use_result(mysql_);
      if (res == nullptr) return error();
      // Reads the remaining rows; an error among them shows in mysql_errno.
      mysql_free_result(res);
      if (mysql_errno(mysql_) != 0) return error();
    }
    const int next = mysql_next_result(mysql_);
    if (next < 0) return Status::ok();
    if (next > 0) return error();
  }
}

Result<std::vector<TextRow>> Connection::select(std::string_view sql,
                                                const std::vector<std::string>& params) {
  struct StmtCloser {
    void operator()(MYSQL_STMT* s) const { mysql_stmt_close(s); }
  };
  std::unique_ptr<MYSQL_STMT, StmtCloser> stmt(mysql_stmt_init(mysql_));
  if (!stmt) return error();
  const std::string& password = settings_->password;
  if (mysql_stmt_prepare(stmt.get(), sql.data(), sql.size()) != 0) {
    return last_stmt_error(stmt.get(), password);
  }
  if (mysql_stmt_param_count(stmt.get()) != params.size()) {
    return Status::internal("catalog query expects " +
                            std::to_string(mysql_stmt_param_count(stmt.get())) + " parameters");
  }
  std::vector<MYSQL_BIND> in(params.size());
  std::vector<unsigned long> in_lengths(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    std::memset(&in[i], 0, sizeof(MYSQL_BIND));
    in_lengths[i] = static_cast<unsigned long>(params[i].size());
    in[i].buffer_type = MYSQL_TYPE_STRING;
    in[i].buffer = const_cast<char*>(params[i].data());
    in[i].buffer_length = in_lengths[i];
    in[i].length = &in_lengths[i];
  }
  if (!params.empty() && mysql_stmt_bind_param(stmt.get(), in.data()) != 0) {
    return last_stmt_error(stmt.get(), password);
  }
  if (mysql_stmt_execute(stmt.get()) != 0) return last_stmt_error(stmt.get(), password);
  const unsigned int columns = mysql_stmt_field_count(stmt.get());
  std::vector<TextRow> rows;
  if (columns == 0) return rows;
  std::vector<MYSQL_BIND> out(columns);
  std::vector<std::string> buffers(columns, std::string(kInitialBuffer, '\0'));
  std::vector<unsigned long> lengths(columns);
  std::vector<my_bool> nulls(columns);
  std::vector<my_bool> errors(columns);
  for (unsigned int i = 0; i < columns; ++i) {
    std::memset(&out[i], 0, sizeof(MYSQL_BIND));
    out[i].buffer_type = MYSQL_TYPE_STRING;
    out[i].buffer = buffers[i].data();
    out[i].buffer_length = kInitialBuffer;
    out[i].length = &lengths[i];
    out[i].is_null = &nulls[i];
    out[i].error = &errors[i];
  }
  if (mysql_stmt_bind_result(stmt.get(), out.data()) != 0) {
    return last_stmt_error(stmt.get(), password);
  }
  while (true) {
    const int rc = mysql_stmt_fetch(stmt.get());
    if (rc == MYSQL_NO_DATA) break;
    if (rc == 1) return last_stmt_error(stmt.get(), password);
    TextRow row(columns);
    for (unsigned int i = 0; i < columns; ++i) {
      if (nulls[i]) continue;
      if (lengths[i] <= kInitialBuffer) {
        row[i] = std::string(buffers[i].data(), lengths[i]);
        continue;
      }
      // Truncated (MYSQL_DATA_TRUNCATED): read this value again whole.
      std::string whole(lengths[i], '\0');
      MYSQL_BIND again;
      std::memset(&again, 0, sizeof(again));
      unsigned long length = 0;
      again.buffer_type = MYSQL_TYPE_STRING;
      again.buffer = whole.data();
      again.buffer_length = lengths[i];
      again.length = &length;
      if (mysql_stmt_fetch_column(stmt.get(), &again, i, 0) != 0) {
        return last_stmt_error(stmt.get(), password);
      }
      row[i] = std::move(whole);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// ---- Interrupter ----

std::shared_ptr<Interrupter> make_interrupter(std::shared_ptr<const ConnectionSettings> settings,
                                              unsigned long thread_id) {
  auto out = std::make_shared<Interrupter>(std::move(settings), thread_id);
  out->self_ = out;
  return out;
}

void Interrupter::begin() {
  std::lock_guard lock(mu_);
  ++statement_;
  busy_ = true;
}

void Interrupter::end() {
  // Waits here while a KILL is being sent, so that it lands before the next statement starts.
  std::lock_guard lock(mu_);
  busy_ = false;
  cv_.notify_all();
}

void Interrupter::interrupt() {
  std::uint64_t target = 0;
  {
    std::lock_guard lock(mu_);
    if (!busy_ || killing_) return;
    target = statement_;
    killing_ = true;
  }
  std::shared_ptr<Interrupter> self = self_.lock();
  if (!self) return;
  std::thread(kill_loop, std::move(self), target).detach();
}

Status Interrupter::send_kill(Connection& killer) {
  const std::string sql = "KILL QUERY " + std::to_string(thread_id_);
  Status s = killer.run(sql);
  // 1094: the connection is gone already; nothing left to stop.
  if (!s.is_ok() && s.error_code() != 1094) return s;
  return Status::ok();
}

namespace {

// The settings of a killer's connection: the session's, with short timeouts, since a session
// waits for a KILL in flight before its next statement.
std::shared_ptr<const ConnectionSettings> killer_settings(const ConnectionSettings& session) {
  ConnectionSettings s = session;
  if (s.connect_timeout_s == 0 || s.connect_timeout_s > kKillerTimeoutS) {
    s.connect_timeout_s = kKillerTimeoutS;
  }
  if (s.socket_timeout_s == 0 || s.socket_timeout_s > kKillerTimeoutS) {
    s.socket_timeout_s = kKillerTimeoutS;
  }
  return std::make_shared<const ConnectionSettings>(std::move(s));
}

}  // namespace

void Interrupter::kill_loop(std::shared_ptr<Interrupter> self, std::uint64_t target) {
  prepare_thread();
  Result<std::unique_ptr<Connection>> opened =
      Connection::open(killer_settings(*self->settings_), "");
  std::unique_ptr<Connection> killer;
  if (opened) {
    killer = std::move(*opened);
  } else {
    logger("backend")->warn("cannot interrupt the statement of connection {}: {}", self->thread_id_,
                            opened.status().message());
  }
  std::unique_lock lock(self->mu_);
  for (int i = 0; killer && i < kKillAttempts && self->busy_ && self->statement_ == target; ++i) {
    Status s = self->send_kill(*killer);
    if (!s.is_ok()) {
      logger("backend")->warn("KILL QUERY {} failed: {}", self->thread_id_, s.message());
      break;
    }
    self->cv_.wait_for(lock, kKillRetry,
                       [&] { return !self->busy_ || self->statement_ != target; });
  }
  self->killing_ = false;
  lock.unlock();
  killer.reset();  // its connection closes outside the lock
}

void Interrupter::kill_now() {
  Result<std::unique_ptr<Connection>> killer = Connection::open(killer_settings(*settings_), "");
  if (!killer) {
    logger("backend")->warn("cannot stop the statement of connection {}: {}", thread_id_,
                            killer.status().message());
    return;
  }
  Status s = send_kill(**killer);
  if (!s.is_ok()) logger("backend")->warn("KILL QUERY {} failed: {}", thread_id_, s.message());
}

std::string quote_identifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  out += '`';
  return out;
}

}  // namespace kitsune::backends::mysql
