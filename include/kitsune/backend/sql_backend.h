// SqlBackend: what an engine's database driver (local SQLite now; PostgreSQL and MySQL later)
// provides to the engine's TCLIService implementation.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kitsune/backend/types.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace kitsune::backend {

// A statement of a session, from prepare to its last row.
//
// Threading: every call but the session's interrupt() comes from one thread at a time (the
// engine serialises a session's work), and all of them block; the engine runs them on its
// blocking pool.
class Cursor {
 public:
  virtual ~Cursor() = default;

  // Whether the statement returns rows; known as soon as it is prepared.
  virtual bool has_result_set() const = 0;
  // The result columns; valid after prepare (types may be refined by execute()).
  virtual const Schema& schema() const = 0;
  // Runs the statement until its first row is ready (or until it ends, for statements without
  // rows). Errors carry the SQLSTATE the client should see.
  virtual Status execute() = 0;
  // Rows changed by DML, or -1 when the statement is not DML.
  virtual std::int64_t modified_rows() const = 0;
  // Appends up to max_rows rows to `out`, stopping early once out.bytes() reaches max_bytes
  // (always at least one row when any is left). Returns whether rows remain.
  virtual Result<bool> fetch(RowSetBuilder& out, std::size_t max_rows, std::size_t max_bytes) = 0;
  // Starts over from the first row (FETCH_FIRST after rows were fetched).
  virtual Status rewind() = 0;
};

struct TableInfo {
  std::string schema;
  std::string name;
  std::string type;  // "TABLE" or "VIEW"
  std::string remarks;
};

struct ColumnInfo {
  std::string schema;
  std::string table;
  std::string name;
  ColumnType type;
  int ordinal = 0;  // 1-based
  bool nullable = true;
  std::optional<std::string> default_value;
  bool auto_increment = false;
  std::string comment;
};

struct PrimaryKeyInfo {
  std::string schema;
  std::string table;
  std::string column;
  int key_seq = 0;  // 1-based position in the key
  std::optional<std::string> pk_name;
};

struct ForeignKeyInfo {
  std::string pk_schema, pk_table, pk_column;
  std::string fk_schema, fk_table, fk_column;
  int key_seq = 0;
  int update_rule = 3;  // DatabaseMetaData.importedKeyNoAction
  int delete_rule = 3;
  std::optional<std::string> fk_name;
  std::optional<std::string> pk_name;
};

struct FunctionInfo {
  std::string name;
  std::string remarks;
  int type = 1;  // DatabaseMetaData.functionNoTable
};

// One HiveServer2 session's connection to the database.
class SqlSession {
 public:
  virtual ~SqlSession() = default;

  // Hive database names map to the backend's schemas; "default" always exists.
  virtual std::string current_database() const = 0;
  virtual Status use_database(const std::string& name) = 0;
  virtual Result<std::vector<std::string>> databases() = 0;
  virtual Status create_database(const std::string& name, bool if_not_exists) = 0;
  virtual Status drop_database(const std::string& name, bool if_exists, bool cascade) = 0;

  // Parses `sql` (one statement) without running it.
  virtual Result<std::unique_ptr<Cursor>> prepare(const std::string& sql) = 0;

  // Stops whatever statement of this session is running; it fails with a cancelled status.
  // Called from any thread.
  virtual void interrupt() = 0;

  // Catalog queries. Patterns are JDBC patterns (kitsune::like_match); an empty pattern matches
  // everything. `schema` and `table` in primary_keys/cross_reference are exact names; an empty
  // schema means the current database.
  virtual Result<std::vector<TableInfo>> tables(const std::string& schema_pattern,
                                                const std::string& table_pattern) = 0;
  virtual Result<std::vector<ColumnInfo>> columns(const std::string& schema_pattern,
                                                  const std::string& table_pattern,
                                                  const std::string& column_pattern) = 0;
  virtual Result<std::vector<PrimaryKeyInfo>> primary_keys(const std::string& schema,
                                                           const std::string& table) = 0;
  virtual Result<std::vector<ForeignKeyInfo>> cross_reference(const std::string& parent_schema,
                                                              const std::string& parent_table,
                                                              const std::string& foreign_schema,
                                                              const std::string& foreign_table) = 0;
  virtual Result<std::vector<FunctionInfo>> functions(const std::string& function_pattern) = 0;
};

struct SessionOptions {
  std::string user;
  std::string database = "default";
};

// A database driver; one per engine process, used from many threads.
class SqlBackend {
 public:
  virtual ~SqlBackend() = default;
  virtual std::string_view name() const = 0;  // "local", "postgresql", "mysql"
  virtual std::string dbms_name() const = 0;
  virtual std::string dbms_version() const = 0;
  // Comma-separated keywords of the dialect beyond SQL-92 (ODBC SQL_KEYWORDS).
  virtual std::string keywords() const = 0;
  // Blocking: opens what a session needs (a database connection).
  virtual Result<std::unique_ptr<SqlSession>> open_session(const SessionOptions& options) = 0;
};

}  // namespace kitsune::backend
