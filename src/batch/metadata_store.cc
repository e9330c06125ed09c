// The metadata store on SQLite (sqlite3) and PostgreSQL (libpq): Kyuubi's schema, its filters
// and cleaner, one connection per store, every statement with bound parameters.
#include "metadata_store.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <set>
#include <variant>

#include "kitsune/auth/postgres_url.h"
#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "kitsune/config/keys.h"

namespace kitsune::batch {
namespace {

namespace fs = std::filesystem;
namespace k = config::keys;

constexpr std::string_view kSqlitePrefix = "jdbc:sqlite:";
constexpr std::string_view kPostgresPrefix = "jdbc:postgresql:";
constexpr int kSqliteBusyTimeoutMs = 5000;
// Two gateways creating the schema at once take turns on this (pg_advisory_xact_lock).
constexpr const char* kSchemaLockId = "7353001";

template <typename T>
std::string key_name(const config::Key<T>& key) {
  return std::string(key.name());
}

template <typename T>
Status config_error(const config::Key<T>& key, std::string why) {
  return Status::error(key_name(key) + ": " + std::move(why));
}

// A database's message on one line, with the password (if any) replaced.
std::string clean(std::string_view text, const std::string& secret) {
  std::string out = redact(one_line(text), secret);
  return out.empty() ? "no message" : out;
}

// ---- a connection ---------------------------------------------------------------------------

using Param = std::variant<std::monostate, std::string, std::int64_t>;
using Row = std::vector<std::optional<std::string>>;

class Database {
 public:
  virtual ~Database() = default;
  // How parameter n is written: '?' (SQLite: ?1) or '$' (PostgreSQL: $1).
  virtual char marker() const = 0;
  virtual std::string describe() const = 0;
  virtual Result<std::vector<Row>> query(const std::string& sql,
                                         const std::vector<Param>& params) = 0;
  // The number of rows changed. A unique violation is kError with code kDuplicate.
  virtual Result<std::int64_t> execute(const std::string& sql,
                                       const std::vector<Param>& params) = 0;
  virtual Status execute_script(const std::string& sql) = 0;
  // The columns of `table`; empty when there is no such table.
  virtual Result<std::set<std::string>> columns(const std::string& table) = 0;
  // The schema: Kyuubi's DDL for this database, and how to add submit_process.
  virtual std::string schema() const = 0;
  virtual std::string add_submit_process() const = 0;
};

// Kyuubi's table (metadata-store-schema-1.11.0), plus submit_process; <KEY> is the key column.
constexpr const char* kTableTemplate =
    "CREATE TABLE IF NOT EXISTS metadata("
    " key_id <KEY>,"
    " identifier varchar(36) NOT NULL,"
    " session_type varchar(32) NOT NULL,"
    " real_user varchar(255) NOT NULL,"
    " user_name varchar(255) NOT NULL,"
    " ip_address varchar(128),"
    " kyuubi_instance varchar(1024),"
    " state varchar(128) NOT NULL,"
    " resource varchar(1024),"
    " class_name varchar(1024),"
    " request_name varchar(1024),"
    " request_conf <TEXT>,"
    " request_args <TEXT>,"
    " create_time bigint NOT NULL,"
    " engine_type varchar(32) NOT NULL,"
    " cluster_manager varchar(128),"
    " engine_open_time bigint,"
    " engine_id varchar(128),"
    " engine_name <TEXT>,"
    " engine_url varchar(1024),"
    " engine_state varchar(32),"
    " engine_error <TEXT>,"
    " end_time bigint,"
    " priority INTEGER NOT NULL DEFAULT 10,"
    " peer_instance_closed boolean DEFAULT <FALSE>,"
    " submit_process varchar(128));"
    "CREATE UNIQUE INDEX IF NOT EXISTS metadata_unique_identifier_index"
    " ON metadata(identifier);"
    "CREATE INDEX IF NOT EXISTS metadata_user_name_index ON metadata(user_name);"
    "CREATE INDEX IF NOT EXISTS metadata_engine_type_index ON metadata(engine_type);"
    "CREATE INDEX IF NOT EXISTS metadata_create_time_index ON metadata(create_time);"
    "CREATE INDEX IF NOT EXISTS metadata_priority_create_time_index"
    " ON metadata(priority, create_time);";

std::string table_ddl(std::string_view key, std::string_view text, std::string_view false_value) {
  std::string out = kTableTemplate;
  for (auto [from, to] : {std::pair<std::string_view, std::string_view>{"<KEY>", key},
                          {"<TEXT>", text},
                          {"<FALSE>", false_value}}) {
    for (std::size_t pos; (pos = out.find(from)) != std::string::npos;)
      out.replace(pos, from.size(), to);
  }
  return out;
}

// ---- SQLite ---------------------------------------------------------------------------------

class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(std::string path) : path_(std::move(path)) {}
  ~SqliteDatabase() override { sqlite3_close(db_); }
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  Status open() {
    const int flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_URI;
    if (sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      return Status::unavailable("cannot open SQLite database " + path_ + ": " +
                                 (db_ ? sqlite3_errmsg(db_) : "no memory"));
    }
    sqlite3_busy_timeout(db_, kSqliteBusyTimeoutMs);
    // Readers do not wait for a writer; several gateways on one host may share the file.
    sqlite3_exec(db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    // A file of the server's: its rows name users and their jobs.
    if (!path_.starts_with("file:") && path_ != ":memory:") ::chmod(path_.c_str(), 0600);
    return Status::ok();
  }

  char marker() const override { return '?'; }
  std::string describe() const override { return "SQLITE " + path_; }

  Result<std::vector<Row>> query(const std::string& sql,
                                 const std::vector<Param>& params) override {
    std::vector<Row> rows;
    Status s = run(sql, params, &rows, nullptr);
    if (!s.is_ok()) return s;
    return rows;
  }

  Result<std::int64_t> execute(const std::string& sql, const std::vector<Param>& params) override {
    std::int64_t changed = 0;
    Status s = run(sql, params, nullptr, &changed);
    if (!s.is_ok()) return s;
    return changed;
  }

  Status execute_script(const std::string& sql) override {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string why = error ? error : sqlite3_errmsg(db_);
      sqlite3_free(error);
      return Status::unavailable("SQLite " + path_ + ": " + clean(why, {}));
    }
    return Status::ok();
  }

  Result<std::set<std::string>> columns(const std::string& table) override {
    auto rows = query("SELECT name FROM pragma_table_info(?1)", {Param{table}});
    if (!rows) return rows.status();
    std::set<std::string> out;
    for (const auto& row : *rows) {
      if (!row.empty() && row[0]) out.insert(to_lower(*row[0]));
    }
    return out;
  }

  std::string schema() const override {
    return table_ddl("INTEGER PRIMARY KEY AUTOINCREMENT", "mediumtext", "'0'");
  }
  std::string add_submit_process() const override {
    return "ALTER TABLE metadata ADD COLUMN submit_process varchar(128)";
  }

 private:
  Status run(const std::string& sql, const std::vector<Param>& params, std::vector<Row>* rows,
             std::int64_t* changed) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr) !=
        SQLITE_OK) {
      return failure();
    }
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int n = static_cast<int>(i + 1);
      if (const auto* text = std::get_if<std::string>(&params[i])) {
        sqlite3_bind_text(raw, n, text->data(), static_cast<int>(text->size()), SQLITE_TRANSIENT);
      } else if (const auto* number = std::get_if<std::int64_t>(&params[i])) {
        sqlite3_bind_int64(raw, n, *number);
      } else {
        sqlite3_bind_null(raw, n);
      }
    }
    while (true) {
      const int rc = sqlite3_step(raw);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return failure();
      if (!rows) continue;
      Row row;
      const int n = sqlite3_column_count(raw);
      for (int c = 0; c < n; ++c) {
        if (sqlite3_column_type(raw, c) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, c));
          row.emplace_back(std::string(text ? text : "",
                                       static_cast<std::size_t>(sqlite3_column_bytes(raw, c))));
        }
      }
      rows->push_back(std::move(row));
    }
    if (changed) *changed = sqlite3_changes(db_);
    return Status::ok();
  }

  Status failure() const {
    const int code = sqlite3_extended_errcode(db_);
    const std::string why = "SQLite " + path_ + ": " + clean(sqlite3_errmsg(db_), {});
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
      return Status::error(why, "23000", kDuplicate);
    }
    return Status::unavailable(why);
  }

  const std::string path_;
  sqlite3* db_ = nullptr;
};

// ---- PostgreSQL -----------------------------------------------------------------------------

void ignore_notice(void*, const char*) {}

using PgResult = std::unique_ptr<PGresult, void (*)(PGresult*)>;

class PostgresDatabase final : public Database {
 public:
  explicit PostgresDatabase(auth::PostgresSettings settings) : settings_(std::move(settings)) {}
  ~PostgresDatabase() override {
    if (conn_) PQfinish(conn_);
  }
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;

  char marker() const override { return '$'; }
  std::string describe() const override { return "POSTGRESQL " + settings_.describe(); }

  Status connect() {
    if (conn_) PQfinish(conn_);
    std::vector<const char*> keywords;
    std::vector<const char*> values;
    for (const auto& [keyword, value] : settings_.params) {
      keywords.push_back(keyword.c_str());
      values.push_back(value.c_str());
    }
    keywords.push_back(nullptr);
    values.push_back(nullptr);
    conn_ = PQconnectdbParams(keywords.data(), values.data(), 0);
    if (conn_ == nullptr) return Status::unavailable("cannot reach the metadata store: no memory");
    if (PQstatus(conn_) != CONNECTION_OK) {
      return Status::unavailable("cannot reach the metadata store (" + settings_.describe() +
                                 "): " + clean(PQerrorMessage(conn_), settings_.password));
    }
    PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
    return Status::ok();
  }

  Result<std::vector<Row>> query(const std::string& sql,
                                 const std::vector<Param>& params) override {
    // A read may be tried again on a fresh connection (the server restarted since the last one).
    for (int attempt = 0;; ++attempt) {
      KITSUNE_RETURN_IF_ERROR(ensure_connected());
      PgResult result = exec(sql, params);
      const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
      if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        std::vector<Row> rows;
        const int n = PQntuples(result.get());
        const int cols = PQnfields(result.get());
        for (int r = 0; r < n; ++r) {
          Row row;
          for (int c = 0; c < cols; ++c) {
            if (PQgetisnull(result.get(), r, c)) {
              row.emplace_back(std::nullopt);
            } else {
              row.emplace_back(
                  std::string(PQgetvalue(result.get(), r, c),
                              static_cast<std::size_t>(PQgetlength(result.get(), r, c))));
            }
          }
          rows.push_back(std::move(row));
        }
        return rows;
      }
      if (attempt == 0 && PQstatus(conn_) == CONNECTION_BAD) continue;
      return failure(result.get());
    }
  }

  Result<std::int64_t> execute(const std::string& sql, const std::vector<Param>& params) override {
    KITSUNE_RETURN_IF_ERROR(ensure_connected());
    // Not repeated on failure: a write whose answer was lost may have happened.
    PgResult result = exec(sql, params);
    const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      const char* n = PQcmdTuples(result.get());
      return n && *n ? std::stoll(n) : 0;
    }
    return failure(result.get());
  }

  Status execute_script(const std::string& sql) override {
    KITSUNE_RETURN_IF_ERROR(ensure_connected());
    PgResult result(PQexec(conn_, sql.c_str()), PQclear);
    const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Status::ok();
    Status s = failure(result.get());
    // A failed script leaves its transaction aborted.
    PgResult rollback(PQexec(conn_, "ROLLBACK"), PQclear);
    return s;
  }

  Result<std::set<std::string>> columns(const std::string& table) override {
    auto rows = query(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_name = $1 AND table_schema = current_schema()",
        {Param{table}});
    if (!rows) return rows.status();
    std::set<std::string> out;
    for (const auto& row : *rows) {
      if (!row.empty() && row[0]) out.insert(to_lower(*row[0]));
    }
    return out;
  }

  std::string schema() const override {
    return std::string("BEGIN; SELECT pg_advisory_xact_lock(") + kSchemaLockId + ");" +
           table_ddl("bigserial PRIMARY KEY", "text", "FALSE") + "COMMIT;";
  }
  std::string add_submit_process() const override {
    return "ALTER TABLE metadata ADD COLUMN IF NOT EXISTS submit_process varchar(128)";
  }

 private:
  Status ensure_connected() {
    if (conn_ && PQstatus(conn_) == CONNECTION_OK) return Status::ok();
    return connect();
  }

  PgResult exec(const std::string& sql, const std::vector<Param>& params) {
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (const auto* text = std::get_if<std::string>(&params[i])) {
        texts[i] = *text;
      } else if (const auto* number = std::get_if<std::int64_t>(&params[i])) {
        texts[i] = std::to_string(*number);
      } else {
        continue;
      }
      values[i] = texts[i].c_str();
    }
    return PgResult(PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                                 values.data(), nullptr, nullptr, 0),
                    PQclear);
  }

  Status failure(PGresult* result) const {
    const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const std::string why = "the metadata store (" + settings_.describe() + "): " +
                            clean(primary ? primary : PQerrorMessage(conn_), settings_.password);
    if (state && std::string_view(state) == "23505") {
      return Status::error(why, "23000", kDuplicate);
    }
    return Status::unavailable(why);
  }

  const auth::PostgresSettings settings_;
  PGconn* conn_ = nullptr;
};

// ---- the store ------------------------------------------------------------------------------

constexpr const char* kColumns =
    "identifier, session_type, real_user, user_name, ip_address, kyuubi_instance, state, "
    "resource, class_name, request_name, request_conf, request_args, create_time, engine_type, "
    "cluster_manager, engine_open_time, engine_id, engine_name, engine_url, engine_state, "
    "engine_error, end_time, priority, peer_instance_closed";
constexpr std::size_t kColumnCount = 24;

Param text_or_null(const std::string& s) {
  if (s.empty()) return Param{};
  return Param{s};
}

std::int64_t to_int(const std::optional<std::string>& v) {
  if (!v || v->empty()) return 0;
  try {
    return std::stoll(*v);
  } catch (const std::exception&) {
    return 0;
  }
}

bool to_bool(const std::optional<std::string>& v) {
  if (!v) return false;
  return *v == "1" || *v == "t" || iequals(*v, "true");
}

// Builds a statement's text and its parameters together, numbering the markers.
class Statement {
 public:
  explicit Statement(char marker) : marker_(marker) {}
  Statement& sql(std::string_view text) {
    text_ += text;
    return *this;
  }
  Statement& param(Param p) {
    params_.push_back(std::move(p));
    text_ += marker_;
    text_ += std::to_string(params_.size());
    return *this;
  }
  const std::string& text() const { return text_; }
  const std::vector<Param>& params() const { return params_; }

 private:
  char marker_;
  std::string text_;
  std::vector<Param> params_;
};

void where(Statement& st, const MetadataFilter& f) {
  st.sql(" WHERE 1 = 1");
  if (!f.session_type.empty()) st.sql(" AND session_type = ").param(f.session_type);
  if (!f.engine_type.empty()) st.sql(" AND UPPER(engine_type) = ").param(to_upper(f.engine_type));
  if (!f.user_name.empty()) st.sql(" AND user_name = ").param(f.user_name);
  if (!f.states.empty()) {
    st.sql(" AND state IN (");
    for (std::size_t i = 0; i < f.states.size(); ++i) {
      if (i) st.sql(", ");
      st.param(to_upper(f.states[i]));
    }
    st.sql(")");
  }
  if (!f.request_name.empty()) st.sql(" AND request_name = ").param(f.request_name);
  if (!f.kyuubi_instance.empty()) st.sql(" AND kyuubi_instance = ").param(f.kyuubi_instance);
  if (f.create_time > 0) st.sql(" AND create_time >= ").param(f.create_time);
  if (f.end_time > 0) st.sql(" AND end_time > 0 AND end_time <= ").param(f.end_time);
  if (f.peer_instance_closed) {
    st.sql(" AND peer_instance_closed = ").param(std::int64_t{*f.peer_instance_closed ? 1 : 0});
  }
}

class SqlMetadataStore final : public MetadataStore {
 public:
  SqlMetadataStore(std::unique_ptr<Database> db, bool has_submit_process)
      : db_(std::move(db)), has_submit_process_(has_submit_process) {
    columns_ = kColumns;
    if (has_submit_process_) columns_ += ", submit_process";
  }

  std::string describe() const override { return db_->describe(); }
  bool has_submit_process() const override { return has_submit_process_; }

  Status insert(const Metadata& m) override {
    Statement st(db_->marker());
    st.sql("INSERT INTO metadata (" + columns_ + ") VALUES (");
    st.param(m.identifier).sql(", ").param(m.session_type).sql(", ").param(m.real_user);
    st.sql(", ").param(m.user_name).sql(", ").param(text_or_null(m.ip_address));
    st.sql(", ").param(text_or_null(m.kyuubi_instance)).sql(", ").param(m.state);
    st.sql(", ").param(text_or_null(m.resource)).sql(", ").param(text_or_null(m.class_name));
    st.sql(", ").param(text_or_null(m.request_name)).sql(", ").param(text_or_null(m.request_conf));
    st.sql(", ").param(text_or_null(m.request_args)).sql(", ").param(m.create_time);
    st.sql(", ").param(m.engine_type).sql(", ").param(text_or_null(m.cluster_manager));
    st.sql(", ").param(m.engine_open_time).sql(", ").param(text_or_null(m.engine_id));
    st.sql(", ").param(text_or_null(m.engine_name)).sql(", ").param(text_or_null(m.engine_url));
    st.sql(", ").param(text_or_null(m.engine_state)).sql(", ").param(text_or_null(m.engine_error));
    st.sql(", ").param(m.end_time).sql(", ").param(std::int64_t{m.priority});
    st.sql(", ").param(std::int64_t{m.peer_instance_closed ? 1 : 0});
    if (has_submit_process_) st.sql(", ").param(text_or_null(m.submit_process));
    st.sql(")");
    std::lock_guard lock(mu_);
    auto done = db_->execute(st.text(), st.params());
    if (!done) return done.status();
    return Status::ok();
  }

  Result<std::optional<Metadata>> get(const std::string& identifier) override {
    Statement st(db_->marker());
    st.sql("SELECT " + columns_ + " FROM metadata WHERE identifier = ").param(identifier);
    std::lock_guard lock(mu_);
    auto rows = db_->query(st.text(), st.params());
    if (!rows) return rows.status();
    if (rows->empty()) return std::optional<Metadata>{};
    return std::optional<Metadata>{from_row(rows->front())};
  }

  Result<std::vector<Metadata>> list(const MetadataFilter& filter, int from, int size,
                                     bool desc) override {
    Statement st(db_->marker());
    st.sql("SELECT " + columns_ + " FROM metadata");
    where(st, filter);
    st.sql(desc ? " ORDER BY key_id DESC" : " ORDER BY key_id ASC");
    st.sql(" LIMIT ").param(std::int64_t{std::max(size, 0)});
    st.sql(" OFFSET ").param(std::int64_t{std::max(from, 0)});
    std::lock_guard lock(mu_);
    auto rows = db_->query(st.text(), st.params());
    if (!rows) return rows.status();
    std::vector<Metadata> out;
    out.reserve(rows->size());
    for (const auto& row : *rows)
      out.push_back(from_row(row));
    return out;
  }

  Result<std::int64_t> count(const MetadataFilter& filter) override {
    Statement st(db_->marker());
    st.sql("SELECT COUNT(*) FROM metadata");
    where(st, filter);
    std::lock_guard lock(mu_);
    auto rows = db_->query(st.text(), st.params());
    if (!rows) return rows.status();
    if (rows->empty() || rows->front().empty()) return std::int64_t{0};
    return to_int(rows->front()[0]);
  }

  Result<bool> update(const std::string& identifier, const MetadataUpdate& u,
                      bool unless_ended) override {
    if (u.empty()) return true;
    Statement st(db_->marker());
    st.sql("UPDATE metadata SET ");
    bool first = true;
    auto set = [&](const char* column, Param value) {
      st.sql(first ? "" : ", ").sql(column).sql(" = ").param(std::move(value));
      first = false;
    };
    if (u.state) set("state", *u.state);
    if (u.cluster_manager) set("cluster_manager", text_or_null(*u.cluster_manager));
    if (u.engine_open_time) set("engine_open_time", *u.engine_open_time);
    if (u.engine_id) set("engine_id", text_or_null(*u.engine_id));
    if (u.engine_name) set("engine_name", text_or_null(*u.engine_name));
    if (u.engine_url) set("engine_url", text_or_null(*u.engine_url));
    if (u.engine_state) set("engine_state", text_or_null(*u.engine_state));
    if (u.engine_error) set("engine_error", text_or_null(*u.engine_error));
    if (u.end_time) set("end_time", *u.end_time);
    if (u.peer_instance_closed) {
      set("peer_instance_closed", std::int64_t{*u.peer_instance_closed ? 1 : 0});
    }
    if (u.submit_process && has_submit_process_) {
      set("submit_process", text_or_null(*u.submit_process));
    }
    if (first) return true;  // only submit_process, which this table cannot hold
    st.sql(" WHERE identifier = ").param(identifier);
    if (unless_ended) {
      st.sql(" AND state IN (");
      const auto& states = active_states();
      for (std::size_t i = 0; i < states.size(); ++i) {
        if (i) st.sql(", ");
        st.param(states[i]);
      }
      st.sql(")");
    }
    std::lock_guard lock(mu_);
    auto changed = db_->execute(st.text(), st.params());
    if (!changed) return changed.status();
    return *changed > 0;
  }

  Result<std::vector<Metadata>> clean(std::int64_t end_before, int limit) override {
    MetadataFilter filter;
    filter.states = {"FINISHED", "TIMEOUT", "CANCELED", "CLOSED", "ERROR"};
    Statement select(db_->marker());
    select.sql("SELECT " + columns_ + " FROM metadata");
    where(select, filter);
    select.sql(" AND end_time > 0 AND end_time < ").param(end_before);
    select.sql(" ORDER BY key_id ASC LIMIT ").param(std::int64_t{std::max(limit, 1)});
    std::lock_guard lock(mu_);
    auto rows = db_->query(select.text(), select.params());
    if (!rows) return rows.status();
    std::vector<Metadata> out;
    if (rows->empty()) return out;
    Statement del(db_->marker());
    del.sql("DELETE FROM metadata WHERE identifier IN (");
    for (std::size_t i = 0; i < rows->size(); ++i) {
      out.push_back(from_row((*rows)[i]));
      if (i) del.sql(", ");
      del.param(out.back().identifier);
    }
    del.sql(")");
    auto deleted = db_->execute(del.text(), del.params());
    if (!deleted) return deleted.status();
    return out;
  }

 private:
  Metadata from_row(const Row& r) const {
    auto text = [&r](std::size_t i) { return i < r.size() && r[i] ? *r[i] : std::string(); };
    auto opt = [&r](std::size_t i) { return i < r.size() ? r[i] : std::optional<std::string>{}; };
    Metadata m;
    m.identifier = text(0);
    m.session_type = text(1);
    m.real_user = text(2);
    m.user_name = text(3);
    m.ip_address = text(4);
    m.kyuubi_instance = text(5);
    m.state = text(6);
    m.resource = text(7);
    m.class_name = text(8);
    m.request_name = text(9);
    m.request_conf = text(10);
    m.request_args = text(11);
    m.create_time = to_int(opt(12));
    m.engine_type = text(13);
    m.cluster_manager = text(14);
    m.engine_open_time = to_int(opt(15));
    m.engine_id = text(16);
    m.engine_name = text(17);
    m.engine_url = text(18);
    m.engine_state = text(19);
    m.engine_error = text(20);
    m.end_time = to_int(opt(21));
    m.priority = static_cast<int>(to_int(opt(22)));
    m.peer_instance_closed = to_bool(opt(23));
    if (has_submit_process_) m.submit_process = text(kColumnCount);
    return m;
  }

  std::unique_ptr<Database> db_;
  const bool has_submit_process_;
  std::string columns_;
  std::mutex mu_;  // one connection: one statement at a time
};

// The schema, when asked for; then whether the table is there and has submit_process.
Result<bool> prepare_schema(Database& db, bool init) {
  if (init) {
    Status created = db.execute_script(db.schema());
    if (!created.is_ok()) {
      return Status(created.code(), "cannot create the metadata table in " + db.describe() + " (" +
                                        key_name(k::kMetadataStoreJdbcDatabaseSchemaInit) +
                                        "): " + created.message());
    }
  }
  auto columns = db.columns("metadata");
  if (!columns) return columns.status();
  if (columns->empty()) {
    return Status::error("the metadata store " + db.describe() + " has no table `metadata`: set " +
                         key_name(k::kMetadataStoreJdbcDatabaseSchemaInit) + "=true to create it");
  }
  for (const char* needed : {"identifier", "state", "kyuubi_instance", "peer_instance_closed"}) {
    if (!columns->contains(needed)) {
      return Status::error("the table `metadata` of " + db.describe() + " lacks column " + needed +
                           ": it is not Kyuubi's metadata table");
    }
  }
  if (columns->contains("submit_process")) return true;
  if (!init) {
    logger("batch")->warn(
        "the table `metadata` of {} has no submit_process column (and {} is off): Spark batches "
        "running when this gateway stops cannot be followed again after a restart",
        db.describe(), key_name(k::kMetadataStoreJdbcDatabaseSchemaInit));
    return false;
  }
  Status added = db.execute_script(db.add_submit_process());
  if (!added.is_ok()) return added;
  return true;
}

Result<std::unique_ptr<Database>> open_sqlite(std::string_view url, const StoreOptions& options) {
  const auto& def = k::kMetadataStoreJdbcUrl;
  std::string path(url.substr(kSqlitePrefix.size()));
  for (std::size_t pos; (pos = path.find("{{KYUUBI_HOME}}")) != std::string::npos;)
    path.replace(pos, 15, options.kyuubi_home.string());
  if (!path.starts_with("file:")) {
    if (auto q = path.find('?'); q != std::string::npos) {
      logger("batch")->warn("{}: the parameters after '?' are ignored for SQLite", key_name(def));
      path.resize(q);
    }
  }
  if (path.empty()) return config_error(def, "jdbc:sqlite: needs the path of a database file");
  if (!path.starts_with("file:") && path != ":memory:") {
    const fs::path parent = fs::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty() && !fs::exists(parent, ec)) {
      fs::create_directories(parent, ec);
      if (ec) {
        return config_error(def,
                            "cannot create the directory " + parent.string() + ": " + ec.message());
      }
    }
  }
  auto db = std::make_unique<SqliteDatabase>(path);
  Status opened = db->open();
  if (!opened.is_ok()) return config_error(def, opened.message());
  return std::unique_ptr<Database>(std::move(db));
}

Result<std::unique_ptr<Database>> open_postgres(std::string_view url, const config::Conf& conf) {
  auth::PostgresUrlOptions url_options{key_name(k::kMetadataStoreJdbcUrl),
                                       conf.get(k::kMetadataStoreJdbcUser),
                                       conf.get(k::kMetadataStoreJdbcPassword)};
  auto settings = auth::parse_postgresql_jdbc_url(url, url_options);
  if (!settings) return settings.status();
  auto db = std::make_unique<PostgresDatabase>(std::move(settings).value());
  Status connected = db->connect();
  if (!connected.is_ok()) return config_error(k::kMetadataStoreJdbcUrl, connected.message());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace

bool MetadataUpdate::empty() const {
  return !state && !cluster_manager && !engine_open_time && !engine_id && !engine_name &&
         !engine_url && !engine_state && !engine_error && !end_time && !peer_instance_closed &&
         !submit_process;
}

bool is_terminal_state(const std::string& state) {
  static const std::set<std::string, std::less<>> terminal = {"FINISHED", "TIMEOUT", "CANCELED",
                                                              "CLOSED", "ERROR"};
  return terminal.contains(to_upper(state));
}

const std::vector<std::string>& active_states() {
  static const std::vector<std::string> states = {"INITIALIZED", "PENDING", "RUNNING", "COMPILED",
                                                  "UNKNOWN"};
  return states;
}

Result<std::unique_ptr<MetadataStore>> open_metadata_store(const config::Conf& conf,
                                                           const StoreOptions& options) {
  const std::string type = to_upper(trim(conf.get(k::kMetadataStoreJdbcDatabaseType)));
  if (type == "MYSQL" || type == "CUSTOM") {
    return config_error(k::kMetadataStoreJdbcDatabaseType,
                        type +
                            " is not supported by Kitsune: use SQLITE (one gateway) or "
                            "POSTGRESQL (several gateways sharing batches)");
  }
  if (type != "SQLITE" && type != "POSTGRESQL") {
    return config_error(k::kMetadataStoreJdbcDatabaseType,
                        "unknown database type '" + type + "' (SQLITE or POSTGRESQL)");
  }
  const std::string url(trim(conf.get(k::kMetadataStoreJdbcUrl)));
  const bool sqlite_url = istarts_with(url, kSqlitePrefix);
  const bool postgres_url = istarts_with(url, kPostgresPrefix);
  if (!sqlite_url && !postgres_url) {
    // Only the scheme is repeated: the rest of a URL may hold a password.
    const auto colon = url.find(':', url.find(':') == std::string::npos ? 0 : url.find(':') + 1);
    return config_error(k::kMetadataStoreJdbcUrl,
                        "unsupported URL '" + url.substr(0, std::min(colon, url.size())) +
                            "...': use jdbc:sqlite:<file> or jdbc:postgresql://host:port/db");
  }
  // The type defaults to SQLITE; a PostgreSQL URL with the default type is taken as meant.
  if (conf.contains(k::kMetadataStoreJdbcDatabaseType.name()) &&
      ((type == "SQLITE" && !sqlite_url) || (type == "POSTGRESQL" && !postgres_url))) {
    return config_error(
        k::kMetadataStoreJdbcUrl,
        "the URL does not match " + key_name(k::kMetadataStoreJdbcDatabaseType) + "=" + type);
  }
  auto db = sqlite_url ? open_sqlite(url, options) : open_postgres(url, conf);
  if (!db) return db.status();
  auto has_column = prepare_schema(**db, conf.get(k::kMetadataStoreJdbcDatabaseSchemaInit));
  if (!has_column) return has_column.status();
  return std::unique_ptr<MetadataStore>(
      std::make_unique<SqlMetadataStore>(std::move(db).value(), *has_column));
}

}  // namespace kitsune::batch
