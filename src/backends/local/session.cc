// A local-backend session: databases as SQLite files, statements prepared with on-demand
// attachment of the databases they name, and catalog calls across databases.
#include "local/session.h"

#include <sqlite3.h>

#include <climits>
#include <optional>
#include <utility>

#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "local/cursor.h"
#include "local/errors.h"
#include "local/sql_text.h"

namespace kitsune::backends::local {
namespace {

// Each attempt attaches one more database or rewrites one qualifier; a statement naming more
// databases than this is beyond what a session can attach anyway.
constexpr int kMaxPrepareAttempts = 32;

Status no_such_database(const std::string& name) {
  return Status::error("Database does not exist: " + name, "42000");
}

// A database a statement names that this connection does not have, from SQLite's message.
struct MissingDatabase {
  std::string database;
  std::string table;  // empty when the message names only the database
};

std::optional<MissingDatabase> missing_database(std::string_view message) {
  constexpr std::string_view kNoTable = "no such table: ";
  constexpr std::string_view kUnknown = "unknown database ";
  if (message.starts_with(kNoTable)) {
    message.remove_prefix(kNoTable.size());
    const std::size_t dot = message.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    return MissingDatabase{std::string(message.substr(0, dot)),
                           std::string(message.substr(dot + 1))};
  }
  if (message.starts_with(kUnknown)) {
    message.remove_prefix(kUnknown.size());
    // This message shows the name as written, quotes and all.
    if (message.size() >= 2 && ((message.front() == '"' && message.back() == '"') ||
                                (message.front() == '`' && message.back() == '`') ||
                                (message.front() == '\'' && message.back() == '\'') ||
                                (message.front() == '[' && message.back() == ']'))) {
      message = message.substr(1, message.size() - 2);
    }
    return MissingDatabase{std::string(message), ""};
  }
  return std::nullopt;
}

// The database names `sql` may use as qualifiers, lower-case as attachments are named.
std::vector<std::string> qualifier_names(std::string_view sql) {
  std::vector<std::string> out;
  map_qualifiers(sql, [&](const Qualifier& q) {
    out.push_back(to_lower(q.name));
    return std::nullopt;
  });
  return out;
}

bool is_dml(std::string_view sql) {
  const std::string keyword = statement_keyword(sql);
  return keyword == "INSERT" || keyword == "UPDATE" || keyword == "DELETE" || keyword == "REPLACE";
}

}  // namespace

Result<std::shared_ptr<Connection>> LocalSession::connect(const DataDir& dir,
                                                          const std::string& name) {
  // Only default may come into being by being opened; another database that is gone stays gone.
  const auto mode =
      name == kDefaultDatabase ? Connection::Mode::kReadWriteCreate : Connection::Mode::kReadWrite;
  return Connection::open(dir.file_of(name), name, mode, dir.busy_timeout());
}

Result<std::unique_ptr<LocalSession>> LocalSession::open(std::shared_ptr<const DataDir> dir,
                                                         const std::string& database,
                                                         std::string user) {
  Result<std::string> name =
      normalize_database_name(database.empty() ? kDefaultDatabase : database);
  if (!name) return std::move(name).status();
  if (!dir->exists(*name)) return no_such_database(*name);
  Result<std::shared_ptr<Connection>> conn = connect(*dir, *name);
  if (!conn) return std::move(conn).status();
  return std::unique_ptr<LocalSession>(
      new LocalSession(std::move(dir), std::move(*conn), std::move(user)));
}

std::string LocalSession::current_database() const {
  return conn_->database();
}

void LocalSession::switch_to(std::shared_ptr<Connection> conn) {
  std::shared_ptr<Connection> old;
  {
    std::lock_guard lock(mu_);
    old = std::exchange(conn_, std::move(conn));
    std::erase_if(retired_, [](const std::weak_ptr<Connection>& w) { return w.expired(); });
    retired_.push_back(old);
  }
  // `old` closes here, outside the lock, unless cursors still hold it.
}

Status LocalSession::use_database(const std::string& name) {
  Result<std::string> normalized = normalize_database_name(name);
  if (!normalized) return std::move(normalized).status();
  if (*normalized == conn_->database()) return Status::ok();
  if (!dir_->exists(*normalized)) return no_such_database(*normalized);
  // A transaction belongs to the connection; switching would leave it open and out of reach.
  if (sqlite3_get_autocommit(conn_->handle()) == 0) {
    return Status::error(
        "Cannot change the database inside a transaction: COMMIT or ROLLBACK first", "25000");
  }
  Result<std::shared_ptr<Connection>> conn = connect(*dir_, *normalized);
  if (!conn) return std::move(conn).status();
  switch_to(std::move(*conn));
  logger("backend")->debug("session of {} now uses database {}", user_, *normalized);
  return Status::ok();
}

Result<std::vector<std::string>> LocalSession::databases() {
  return dir_->list();
}

Status LocalSession::create_database(const std::string& name, bool if_not_exists) {
  Result<std::string> normalized = normalize_database_name(name);
  if (!normalized) return std::move(normalized).status();
  const std::string& db = *normalized;
  if (is_reserved_database_name(db)) {
    return Status::error("Database name " + db + " is reserved: SQLite uses it for its own schema",
                         "42000");
  }
  Status exists = Status::error("Database " + db + " already exists", "42000");
  if (dir_->exists(db)) return if_not_exists ? Status::ok() : exists;
  Result<bool> created = dir_->create(db);
  if (!created) return std::move(created).status();
  if (!*created) return if_not_exists ? Status::ok() : exists;
  // Opening it once puts the new file in WAL mode.
  Result<std::shared_ptr<Connection>> conn = connect(*dir_, db);
  if (!conn) {
    (void)dir_->remove(db);
    return std::move(conn).status();
  }
  logger("backend")->info("database {} created by {}", db, user_);
  return Status::ok();
}

Status LocalSession::drop_database(const std::string& name, bool if_exists, bool cascade) {
  Result<std::string> normalized = normalize_database_name(name);
  if (!normalized) return std::move(normalized).status();
  const std::string db = *normalized;
  if (db == kDefaultDatabase) return Status::error("Can not drop default database", "42000");
  if (!dir_->exists(db)) return if_exists ? Status::ok() : no_such_database(db);
  if (!cascade) {
    std::size_t objects = 0;
    KITSUNE_RETURN_IF_ERROR(read_catalog(db, [&](CatalogReader& reader) {
      Result<std::vector<backend::TableInfo>> tables = reader.tables("");
      if (!tables) return std::move(tables).status();
      objects = tables->size();
      return Status::ok();
    }));
    if (objects > 0) {
      return Status::error("Database " + db + " is not empty. One or more tables exist.", "42000");
    }
  }
  if (conn_->database() == db) {
    // Hive leaves a session whose database is dropped in default.
    if (sqlite3_get_autocommit(conn_->handle()) == 0) {
      return Status::error(
          "Cannot drop the current database inside a transaction: COMMIT or ROLLBACK first",
          "25000");
    }
    Result<std::shared_ptr<Connection>> conn = connect(*dir_, std::string(kDefaultDatabase));
    if (!conn) return std::move(conn).status();
    switch_to(std::move(*conn));
  }
  KITSUNE_RETURN_IF_ERROR(conn_->detach(db));
  KITSUNE_RETURN_IF_ERROR(dir_->remove(db));
  logger("backend")->info("database {} dropped by {}", db, user_);
  return Status::ok();
}

Result<std::unique_ptr<backend::Cursor>> LocalSession::prepare(const std::string& sql) {
  const std::shared_ptr<Connection> conn = conn_;
  sqlite3* db = conn->handle();
  const std::string& current = conn->database();
  std::string text = rewrite_hive_types(rewrite_default_qualifier(sql, current));
  if (text.size() > static_cast<std::size_t>(INT_MAX)) {
    return Status::error("The statement is too long", "54000");
  }

  // Every attached database the text names stays attached while the statement is prepared, so
  // that attaching the tenth one it needs never evicts the first; and while its cursor lives
  // (more than it uses when a table and a database share a name, never fewer).
  std::vector<std::string> named = qualifier_names(text);
  Lease pinned(conn, named);
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  bool ended_interrupted = false;
  for (int attempt = 0;; ++attempt) {
    conn->clear_refusal();
    const int rc =
        sqlite3_prepare_v3(db, text.data(), static_cast<int>(text.size()), 0, &stmt, &tail);
    if (rc == SQLITE_OK) break;
    Status error = last_error(db);
    if (!conn->refusal().empty()) {
      return Status::error(conn->refusal(), "42000", error.error_code());
    }
    if (error.code() == StatusCode::kCancelled && !ended_interrupted) {
      // An interrupt left pending by a cursor paused mid-result, not one aimed at this prepare.
      conn->end_interrupted_statements();
      ended_interrupted = true;
      continue;
    }
    std::optional<MissingDatabase> missing = missing_database(error.message());
    if (!missing || attempt >= kMaxPrepareAttempts) return error;
    Result<std::string> name = normalize_database_name(missing->database);
    if (!name) return error;
    if (*name == current) {
      // The current database is `main` here; its own name qualifies nothing in SQLite.
      std::string rewritten =
          map_qualifiers(text, [&](const Qualifier& q) -> std::optional<std::string> {
            if (!iequals(q.name, missing->database)) return std::nullopt;
            if (!missing->table.empty() && !iequals(q.member, missing->table)) return std::nullopt;
            return "main";
          });
      if (rewritten == text) return error;
      text = std::move(rewritten);
      continue;
    }
    if (conn->attached(*name) || !dir_->exists(*name)) return error;
    KITSUNE_RETURN_IF_ERROR(conn->attach(*name, dir_->file_of(*name)));
    named.push_back(*name);
    pinned = Lease(conn, named);
  }
  if (stmt == nullptr) return Status::error("The statement is empty", "42000");
  const std::string_view rest(tail, static_cast<std::size_t>(text.data() + text.size() - tail));
  if (!is_blank(rest)) {
    sqlite3_finalize(stmt);
    return Status::error("only one statement per call is supported", "42000");
  }

  Lease lease(conn, named);
  return std::unique_ptr<backend::Cursor>(
      std::make_unique<LocalCursor>(conn, stmt, std::move(lease), is_dml(text)));
}

void LocalSession::interrupt() {
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(mu_);
    live.push_back(conn_);
    for (const std::weak_ptr<Connection>& w : retired_) {
      if (std::shared_ptr<Connection> c = w.lock()) live.push_back(std::move(c));
    }
  }
  // Holding a reference keeps each handle open until sqlite3_interrupt() has returned.
  for (const std::shared_ptr<Connection>& c : live) {
    sqlite3_interrupt(c->handle());
  }
}

Result<std::vector<std::string>> LocalSession::matching_databases(
    const std::string& pattern) const {
  Result<std::vector<std::string>> all = dir_->list();
  if (!all || pattern.empty()) return all;
  std::vector<std::string> out;
  for (std::string& name : *all) {
    if (like_match(pattern, name)) out.push_back(std::move(name));
  }
  return out;
}

Status LocalSession::read_catalog(const std::string& name,
                                  const std::function<Status(CatalogReader&)>& fn) {
  // The current database is read on the session's connection, so an open transaction's changes
  // show; others on a short-lived read-only connection, never an attachment, so that catalog calls
  // cannot run into the attachment limit.
  if (name == conn_->database()) {
    CatalogReader reader(conn_->handle(), name);
    Status status = fn(reader);
    if (status.code() != StatusCode::kCancelled) return status;
    // See prepare(): an interrupt left pending by a paused cursor.
    conn_->end_interrupted_statements();
    return fn(reader);
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(dir_->file_of(name), ec)) return Status::ok();
  Result<std::shared_ptr<Connection>> conn = Connection::open(
      dir_->file_of(name), name, Connection::Mode::kReadOnly, dir_->busy_timeout());
  if (!conn) {
    // Dropped by another session since it was listed.
    if ((conn.status().error_code() & 0xff) == SQLITE_CANTOPEN) return Status::ok();
    return std::move(conn).status();
  }
  CatalogReader reader((*conn)->handle(), name);
  return fn(reader);
}

Result<std::vector<backend::TableInfo>> LocalSession::tables(const std::string& schema_pattern,
                                                             const std::string& table_pattern) {
  Result<std::vector<std::string>> dbs = matching_databases(schema_pattern);
  if (!dbs) return std::move(dbs).status();
  std::vector<backend::TableInfo> out;
  for (const std::string& db : *dbs) {
    KITSUNE_RETURN_IF_ERROR(read_catalog(db, [&](CatalogReader& reader) {
      Result<std::vector<backend::TableInfo>> found = reader.tables(table_pattern);
      if (!found) return std::move(found).status();
      std::move(found->begin(), found->end(), std::back_inserter(out));
      return Status::ok();
    }));
  }
  return out;
}

Result<std::vector<backend::ColumnInfo>> LocalSession::columns(const std::string& schema_pattern,
                                                               const std::string& table_pattern,
                                                               const std::string& column_pattern) {
  Result<std::vector<std::string>> dbs = matching_databases(schema_pattern);
  if (!dbs) return std::move(dbs).status();
  std::vector<backend::ColumnInfo> out;
  for (const std::string& db : *dbs) {
    KITSUNE_RETURN_IF_ERROR(read_catalog(db, [&](CatalogReader& reader) {
      Result<std::vector<backend::ColumnInfo>> found =
          reader.columns(table_pattern, column_pattern);
      if (!found) return std::move(found).status();
      std::move(found->begin(), found->end(), std::back_inserter(out));
      return Status::ok();
    }));
  }
  return out;
}

Result<std::vector<backend::PrimaryKeyInfo>> LocalSession::primary_keys(const std::string& schema,
                                                                        const std::string& table) {
  std::vector<backend::PrimaryKeyInfo> out;
  Result<std::string> db = normalize_database_name(schema.empty() ? conn_->database() : schema);
  // An impossible or unknown database has no tables, so no keys.
  if (!db || !dir_->exists(*db)) return out;
  KITSUNE_RETURN_IF_ERROR(read_catalog(*db, [&](CatalogReader& reader) {
    Result<std::vector<backend::PrimaryKeyInfo>> found = reader.primary_keys(table);
    if (!found) return std::move(found).status();
    out = std::move(*found);
    return Status::ok();
  }));
  return out;
}

Result<std::vector<backend::ForeignKeyInfo>> LocalSession::cross_reference(
    const std::string& parent_schema, const std::string& parent_table,
    const std::string& foreign_schema, const std::string& foreign_table) {
  std::vector<backend::ForeignKeyInfo> out;
  // SQLite's foreign keys never leave their database, so an unnamed foreign schema is the parent's
  // (JDBC getExportedKeys names only the parent), else the current database.
  const std::string& named = !foreign_schema.empty()  ? foreign_schema
                             : !parent_schema.empty() ? parent_schema
                                                      : conn_->database();
  Result<std::string> db = normalize_database_name(named);
  if (!db || !dir_->exists(*db)) return out;
  if (!parent_schema.empty() && !iequals(parent_schema, *db)) return out;
  KITSUNE_RETURN_IF_ERROR(read_catalog(*db, [&](CatalogReader& reader) {
    Result<std::vector<backend::ForeignKeyInfo>> found =
        reader.foreign_keys(foreign_table, parent_table);
    if (!found) return std::move(found).status();
    out = std::move(*found);
    return Status::ok();
  }));
  return out;
}

Result<std::vector<backend::FunctionInfo>> LocalSession::functions(
    const std::string& function_pattern) {
  Result<std::vector<backend::FunctionInfo>> found =
      list_functions(conn_->handle(), function_pattern);
  if (found.is_ok() || found.status().code() != StatusCode::kCancelled) return found;
  // See prepare(): an interrupt left pending by a paused cursor.
  conn_->end_interrupted_statements();
  return list_functions(conn_->handle(), function_pattern);
}

}  // namespace kitsune::backends::local
