// The statements an engine answers itself (SET, USE, SHOW, DESCRIBE, CREATE/DROP DATABASE)
// recognised in a client's SQL, and Hive's ${var} substitution.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "kitsune/common/status.h"

namespace kitsune::backend {

struct Statement {
  enum class Kind {
    kSql,             // anything else: the backend runs it
    kSetAll,          // SET, SET -v
    kSetShow,         // SET key
    kSetAssign,       // SET key=value
    kUse,             // USE db
    kShowDatabases,   // SHOW DATABASES|SCHEMAS [LIKE 'pattern']
    kShowTables,      // SHOW TABLES [IN|FROM db] [[LIKE] 'pattern']
    kDescribe,        // DESCRIBE|DESC [EXTENDED|FORMATTED] [db.]table
    kCreateDatabase,  // CREATE DATABASE|SCHEMA [IF NOT EXISTS] name [COMMENT '...']
    kDropDatabase,    // DROP DATABASE|SCHEMA [IF EXISTS] name [RESTRICT|CASCADE]
  };
  Kind kind = Kind::kSql;
  std::string text;      // the statement to run (kSql), without a trailing ';'
  std::string key;       // SET
  std::string value;     // SET key=value
  std::string database;  // USE, SHOW TABLES IN, DESCRIBE db.t, CREATE/DROP DATABASE
  std::string table;     // DESCRIBE
  std::string pattern;   // SHOW ... LIKE; Hive's '*' and '|' wildcards
  bool if_exists = false;
  bool if_not_exists = false;
  bool cascade = false;

  // Whether the statement produces rows, known before it runs.
  bool has_result_set() const;
};

// Recognises an engine statement, or returns kSql with the text to run. Fails only on an engine
// statement that is malformed or asks for something the engine does not do (with SQLSTATE 42000
// or 0A000).
Result<Statement> parse_statement(std::string_view sql);

// Hive's variable substitution: ${hivevar:x}, ${hiveconf:x} and ${x} (a variable first, then a
// configuration key) are replaced when `lookup` knows them; anything else is left as written.
// lookup(namespace, name) gets namespace "hivevar", "hiveconf" or "" for a bare ${x}.
std::string substitute_variables(
    std::string_view sql,
    const std::function<std::optional<std::string>(std::string_view, std::string_view)>& lookup);

// Whether `name` matches a SHOW ... LIKE pattern ('*' any run, '|' alternatives, no case).
bool show_pattern_matches(std::string_view pattern, std::string_view name);

}  // namespace kitsune::backend
