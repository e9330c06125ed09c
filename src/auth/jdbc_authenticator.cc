// The JDBC password provider: kyuubi.authentication.jdbc.query, a SELECT whose ${user} and
// ${password} are bound as parameters, run on PostgreSQL (libpq) or SQLite off the event loop.
#include "providers.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "kitsune/auth/postgres_url.h"
#include "kitsune/common/blocking_pool.h"
#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"

namespace kitsune::auth {
namespace {

namespace k = config::keys;

constexpr std::string_view kPostgresPrefix = "jdbc:postgresql:";
constexpr std::string_view kSqlitePrefix = "jdbc:sqlite:";
constexpr const char* kUnreachable = "the JDBC authentication database is unreachable: ";
constexpr const char* kQueryFailed = "the JDBC authentication query failed: ";
constexpr const char* kRefused = "password does not match or no such user";
// Parameters go to PostgreSQL as varchar, as pgjdbc's setString sends them, so that a query
// written for Kyuubi compares and converts the same way.
constexpr Oid kVarcharOid = 1043;
// libpq waits this long for a server that does not answer, unless the URL says otherwise.
// SQLite waits this long for a writer's lock before the login is said to be unavailable.
constexpr int kSqliteBusyTimeoutMs = 5000;

template <typename T>
std::string key_name(const config::Key<T>& key) {
  return std::string(key.name());
}

// A startup error that names the key to fix.
template <typename T>
Status config_error(const config::Key<T>& key, std::string why) {
  return Status::error(key_name(key) + ": " + std::move(why));
}

// A database's message on one line: each run of control characters and spaces as one space,
// every secret replaced, so that neither a password nor a forged log line gets through.
std::string clean(std::string_view text, std::initializer_list<const std::string*> secrets) {
  std::string out = one_line(text);
  for (const std::string* secret : secrets)
    out = redact(std::move(out), *secret);
  return out.empty() ? "no message" : out;
}

// ---- the query ----------------------------------------------------------------------------

enum class Placeholder { kUser, kPassword };

// kyuubi.authentication.jdbc.query with each placeholder replaced by a parameter marker.
struct BoundQuery {
  std::string sql;
  std::vector<Placeholder> params;  // what parameter n + 1 takes
};

// Reads the query as Kyuubi does (a SELECT; placeholders ${user} and ${password}, any other
// ${...} refused) and numbers each distinct placeholder once, so that one used twice is one
// parameter: marker '$' gives $1, $2 (PostgreSQL), '?' gives ?1, ?2 (SQLite). The values never
// enter the SQL text.
Result<BoundQuery> bind_query(std::string_view query, char marker) {
  const auto& def = k::kAuthenticationJdbcQuery;
  const std::string_view q = trim(query);
  if (q.empty()) {
    return Status::error(key_name(def) +
                         " is not set: the JDBC provider needs a SELECT with ${user} and "
                         "${password} placeholders");
  }
  constexpr std::string_view kSelect = "select";
  const bool select =
      istarts_with(q, kSelect) &&
      (q.size() == kSelect.size() ||
       !(std::isalnum(static_cast<unsigned char>(q[kSelect.size()])) || q[kSelect.size()] == '_'));
  if (!select) return config_error(def, "the query must start with SELECT");
  BoundQuery out;
  std::size_t pos = 0;
  while (pos < q.size()) {
    const auto open = q.find("${", pos);
    const auto close = open == std::string_view::npos ? open : q.find('}', open + 2);
    if (open == std::string_view::npos || close == std::string_view::npos) {
      out.sql.append(q.substr(pos));
      break;
    }
    const std::string_view name = q.substr(open + 2, close - open - 2);
    Placeholder p;
    if (name == "user") {
      p = Placeholder::kUser;
    } else if (name == "password") {
      p = Placeholder::kPassword;
    } else {
      return config_error(def, "unsupported placeholder ${" + std::string(name) +
                                   "} (only ${user} and ${password} are)");
    }
    auto found = std::find(out.params.begin(), out.params.end(), p);
    if (found == out.params.end()) found = out.params.insert(out.params.end(), p);
    out.sql.append(q.substr(pos, open - pos));
    out.sql += marker;
    out.sql += std::to_string(found - out.params.begin() + 1);
    pos = close + 1;
  }
  if (out.params.empty()) {
    return config_error(def, "the query has neither a ${user} nor a ${password} placeholder");
  }
  return out;
}

const std::string& value_of(Placeholder p, const std::string& user, const std::string& password) {
  return p == Placeholder::kUser ? user : password;
}

// ---- idle connections ---------------------------------------------------------------------

// The connections no pool thread is using. At most one per pool thread exists, since a thread
// takes one for the length of a query: in effect each thread keeps its own.
template <typename Connection>
class IdleConnections {
 public:
  std::unique_ptr<Connection> take() {
    std::lock_guard lock(mu_);
    if (idle_.empty()) return nullptr;
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return c;
  }
  void give(std::unique_ptr<Connection> c) {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(c));
  }
  void clear() {
    std::vector<std::unique_ptr<Connection>> gone;
    std::lock_guard lock(mu_);
    gone.swap(idle_);
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

// Where the query runs. check() is called on pool threads, several at once.
class Backend {
 public:
  virtual ~Backend() = default;
  // ok when the query returns a row; kUnauthenticated when it returns none; kUnavailable when
  // the database cannot answer.
  virtual Status check(const std::string& user, const std::string& password) = 0;
};

// ---- PostgreSQL ---------------------------------------------------------------------------

struct PgConnection {
  explicit PgConnection(PGconn* c) : conn(c) {}
  ~PgConnection() { PQfinish(conn); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  PGconn* conn;
};

// Drops NOTICEs: libpq would print them on the server's stderr, and a query may say anything.
void ignore_notice(void*, const char*) {}

class PostgresBackend final : public Backend {
 public:
  PostgresBackend(PostgresSettings settings, BoundQuery query)
      : settings_(std::move(settings)), query_(std::move(query)) {
    types_.assign(query_.params.size(), kVarcharOid);
  }

  Status check(const std::string& user, const std::string& password) override {
    std::vector<const char*> values;
    for (Placeholder p : query_.params)
      values.push_back(value_of(p, user, password).c_str());
    // A pooled connection may have died since its last use (the server restarted, or closed
    // it): then the others are as old, so they go too, and one fresh connection gets the query.
    for (bool fresh = false;;) {
      std::unique_ptr<PgConnection> c = idle_.take();
      if (!c) {
        auto made = connect();
        if (!made) return made.status();
        c = std::move(made).value();
        fresh = true;
      }
      std::unique_ptr<PGresult, void (*)(PGresult*)> result(
          PQexecParams(c->conn, query_.sql.c_str(), static_cast<int>(values.size()), types_.data(),
                       values.data(), nullptr, nullptr, 0),
          PQclear);
      const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
      if (status == PGRES_TUPLES_OK) {
        const bool found = PQntuples(result.get()) > 0;
        idle_.give(std::move(c));
        return found ? Status::ok() : Status::unauthenticated(kRefused);
      }
      const char* primary =
          result ? PQresultErrorField(result.get(), PG_DIAG_MESSAGE_PRIMARY) : nullptr;
      const std::string why =
          clean(primary ? primary : PQerrorMessage(c->conn), {&password, &settings_.password});
      if (PQstatus(c->conn) == CONNECTION_BAD) {
        c.reset();
        if (fresh) return Status::unavailable(kUnreachable + why);
        idle_.clear();
        continue;
      }
      idle_.give(std::move(c));
      if (status == PGRES_COMMAND_OK) {
        return Status::unavailable(std::string(kQueryFailed) + "it returned no result set");
      }
      return Status::unavailable(kQueryFailed + why);
    }
  }

 private:
  Result<std::unique_ptr<PgConnection>> connect() {
    std::vector<const char*> keywords;
    std::vector<const char*> values;
    for (const auto& [keyword, value] : settings_.params) {
      keywords.push_back(keyword.c_str());
      values.push_back(value.c_str());
    }
    keywords.push_back(nullptr);
    values.push_back(nullptr);
    // expand_dbname 0: a database name is a name, never a connection string.
    auto c = std::make_unique<PgConnection>(PQconnectdbParams(keywords.data(), values.data(), 0));
    if (c->conn == nullptr) return Status::unavailable(std::string(kUnreachable) + "no memory");
    if (PQstatus(c->conn) != CONNECTION_OK) {
      return Status::unavailable(kUnreachable +
                                 clean(PQerrorMessage(c->conn), {&settings_.password}));
    }
    PQsetNoticeProcessor(c->conn, ignore_notice, nullptr);
    logger("auth")->debug("JDBC authentication: connected to PostgreSQL ({})",
                          settings_.describe());
    return c;
  }

  const PostgresSettings settings_;
  const BoundQuery query_;
  std::vector<Oid> types_;
  IdleConnections<PgConnection> idle_;
};

// ---- SQLite -------------------------------------------------------------------------------

struct SqliteConnection {
  SqliteConnection() = default;
  ~SqliteConnection() {
    sqlite3_finalize(stmt);
    sqlite3_close(db);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  sqlite3* db = nullptr;
  sqlite3_stmt* stmt = nullptr;
};

// Why open_sqlite failed: the file (blamed on the URL at startup, "unreachable" at a login) or
// the query (blamed on the query key at startup, "query failed" at a login).
struct SqliteFailure {
  bool opening;
  std::string message;
};

// Opens the file read-only and prepares the query.
std::variant<std::unique_ptr<SqliteConnection>, SqliteFailure> open_sqlite(
    const std::string& path, const BoundQuery& query) {
  auto c = std::make_unique<SqliteConnection>();
  const int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  if (sqlite3_open_v2(path.c_str(), &c->db, flags, nullptr) != SQLITE_OK) {
    return SqliteFailure{true, c->db ? sqlite3_errmsg(c->db) : "no memory"};
  }
  sqlite3_busy_timeout(c->db, kSqliteBusyTimeoutMs);
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(c->db, query.sql.c_str(), static_cast<int>(query.sql.size() + 1), &c->stmt,
                         &tail) != SQLITE_OK ||
      c->stmt == nullptr) {
    // Opening a missing or non-database file succeeds; reading its schema here is what fails.
    const int code = sqlite3_errcode(c->db);
    const bool file = code == SQLITE_CANTOPEN || code == SQLITE_NOTADB;
    return SqliteFailure{file, sqlite3_errmsg(c->db)};
  }
  if (tail != nullptr && !trim(tail).empty()) {
    return SqliteFailure{false, "the query must be a single statement"};
  }
  if (sqlite3_bind_parameter_count(c->stmt) != static_cast<int>(query.params.size())) {
    return SqliteFailure{false, "the query has parameters other than ${user} and ${password}"};
  }
  return c;
}

class SqliteBackend final : public Backend {
 public:
  SqliteBackend(std::string path, BoundQuery query, std::unique_ptr<SqliteConnection> first)
      : path_(std::move(path)), query_(std::move(query)) {
    idle_.give(std::move(first));
  }

  Status check(const std::string& user, const std::string& password) override {
    std::unique_ptr<SqliteConnection> c = idle_.take();
    if (!c) {
      auto opened = open_sqlite(path_, query_);
      if (auto* failed = std::get_if<SqliteFailure>(&opened)) {
        const std::string why = clean(failed->message, {&password});
        return Status::unavailable((failed->opening ? kUnreachable : kQueryFailed) + why);
      }
      c = std::move(std::get<0>(opened));
    }
    for (std::size_t i = 0; i < query_.params.size(); ++i) {
      const std::string& v = value_of(query_.params[i], user, password);
      // SQLITE_STATIC: the value outlives the step; the bindings are cleared before returning.
      sqlite3_bind_text(c->stmt, static_cast<int>(i + 1), v.data(), static_cast<int>(v.size()),
                        SQLITE_STATIC);
    }
    const int rc = sqlite3_step(c->stmt);
    sqlite3_reset(c->stmt);
    sqlite3_clear_bindings(c->stmt);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
      idle_.give(std::move(c));
      return rc == SQLITE_ROW ? Status::ok() : Status::unauthenticated(kRefused);
    }
    // A connection that failed is not trusted again: the next login opens a new one.
    const std::string why = clean(sqlite3_errmsg(c->db), {&password});
    return Status::unavailable(kQueryFailed + why);
  }

 private:
  const std::string path_;
  const BoundQuery query_;
  IdleConnections<SqliteConnection> idle_;
};

// jdbc:sqlite:<path> (a file name, or a file: URI). The file must exist and hold what the query
// reads now: a typo fails at startup rather than at every login.
Result<std::shared_ptr<Backend>> make_sqlite_backend(std::string_view url,
                                                     const config::Conf& conf) {
  const auto& def = k::kAuthenticationJdbcUrl;
  std::string path(url.substr(kSqlitePrefix.size()));
  if (!path.starts_with("file:")) {
    if (auto q = path.find('?'); q != std::string::npos) {
      // Not repeated: a parameter may be a secret (SQLCipher's password).
      logger("auth")->warn("{}: the parameters after '?' are ignored for SQLite", key_name(def));
      path.resize(q);
    }
  }
  if (path.empty() || path == ":memory:" || path.starts_with(":resource:")) {
    return config_error(def, "jdbc:sqlite: needs the path of a database file");
  }
  auto query = bind_query(conf.get(k::kAuthenticationJdbcQuery), '?');
  if (!query) return query.status();
  auto opened = open_sqlite(path, *query);
  if (auto* failed = std::get_if<SqliteFailure>(&opened)) {
    if (failed->opening) {
      return config_error(def,
                          "cannot open SQLite database " + path + " read-only: " + failed->message);
    }
    return config_error(k::kAuthenticationJdbcQuery, failed->message);
  }
  logger("auth")->info("JDBC password provider on SQLite {} (read-only)", path);
  return std::shared_ptr<Backend>(std::make_shared<SqliteBackend>(
      std::move(path), std::move(query).value(), std::move(std::get<0>(opened))));
}

Result<std::shared_ptr<Backend>> make_postgres_backend(std::string_view url,
                                                       const config::Conf& conf) {
  PostgresUrlOptions url_options{key_name(k::kAuthenticationJdbcUrl),
                                 conf.get(k::kAuthenticationJdbcUser),
                                 conf.get(k::kAuthenticationJdbcPassword)};
  auto settings = parse_postgresql_jdbc_url(url, url_options);
  if (!settings) return settings.status();
  auto query = bind_query(conf.get(k::kAuthenticationJdbcQuery), '$');
  if (!query) return query.status();
  logger("auth")->info("JDBC password provider on PostgreSQL ({})", settings->describe());
  return std::shared_ptr<Backend>(
      std::make_shared<PostgresBackend>(std::move(settings).value(), std::move(query).value()));
}

// The backend the URL names, checked now.
Result<std::shared_ptr<Backend>> make_backend(const config::Conf& conf) {
  const auto& def = k::kAuthenticationJdbcUrl;
  const std::string url(trim(conf.get(def)));
  if (url.empty()) {
    return Status::error(key_name(def) +
                         " is not set: kyuubi.authentication=JDBC needs "
                         "jdbc:postgresql://host:port/database or jdbc:sqlite:<path>");
  }
  if (istarts_with(url, kPostgresPrefix)) return make_postgres_backend(url, conf);
  if (istarts_with(url, kSqlitePrefix)) return make_sqlite_backend(url, conf);
  // Only the scheme is repeated (up to the second ':' or the first '/'): the rest of a URL may
  // hold a password.
  std::size_t end = url.find('/');
  if (auto colon = url.find(':'); colon != std::string::npos) {
    if (colon = url.find(':', colon + 1); colon != std::string::npos) {
      end = std::min(end, colon + 1);
    }
  }
  return config_error(def, "unsupported URL '" + url.substr(0, std::min(end, url.size())) +
                               "...': Kitsune's JDBC provider speaks "
                               "jdbc:postgresql://host:port/database and jdbc:sqlite:<path>");
}

class JdbcAuthenticator final : public PasswordAuthenticator {
 public:
  JdbcAuthenticator(std::shared_ptr<Backend> backend, std::size_t threads)
      : backend_(std::move(backend)), pool_(std::make_unique<BlockingPool>("jdbc-auth", threads)) {}

  std::string_view name() const override { return "JDBC"; }

  awaitable<Status> authenticate(const std::string& user, const std::string& password,
                                 const ClientInfo&) override {
    auto check = [backend = backend_, user, password = std::string(password)]() mutable {
      Status s = backend->check(user, password);
      wipe(password);
      return s;
    };
    co_return co_await pool_->run(std::move(check));
  }

 private:
  std::shared_ptr<Backend> backend_;
  std::unique_ptr<BlockingPool> pool_;  // last: drained first, while the backend still exists
};

}  // namespace

Result<std::shared_ptr<PasswordAuthenticator>> make_jdbc_authenticator(const config::Conf& conf) {
  const std::int32_t threads = conf.get(k::kAuthenticationJdbcPoolSize);
  if (threads < 1) return config_error(k::kAuthenticationJdbcPoolSize, "must be at least 1");
  auto backend = make_backend(conf);
  if (!backend) return backend.status();
  return std::shared_ptr<PasswordAuthenticator>(std::make_shared<JdbcAuthenticator>(
      std::move(backend).value(), static_cast<std::size_t>(threads)));
}

}  // namespace kitsune::auth
