// LocalBackend: SQLite's identity and keywords, and sessions on the data directory.
#include "local/local_backend.h"

#include <sqlite3.h>

#include <algorithm>
#include <string_view>

#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "local/data_dir.h"
#include "local/session.h"

namespace kitsune::backends::local {
namespace {

// The ODBC reserved keywords (SQL-92), which ODBC's SQL_KEYWORDS leaves out by definition; each
// between spaces.
constexpr std::string_view kSql92Reserved =
    " ABSOLUTE ACTION ADA ADD ALL ALLOCATE ALTER AND ANY ARE AS ASC ASSERTION AT AUTHORIZATION "
    "AVG BEGIN BETWEEN BIT BIT_LENGTH BOTH BY CASCADE CASCADED CASE CAST CATALOG CHAR "
    "CHAR_LENGTH CHARACTER CHARACTER_LENGTH CHECK CLOSE COALESCE COLLATE COLLATION COLUMN "
    "COMMIT CONNECT CONNECTION CONSTRAINT CONSTRAINTS CONTINUE CONVERT CORRESPONDING COUNT "
    "CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER CURSOR "
    "DATE DAY DEALLOCATE DEC DECIMAL DECLARE DEFAULT DEFERRABLE DEFERRED DELETE DESC DESCRIBE "
    "DESCRIPTOR DIAGNOSTICS DISCONNECT DISTINCT DOMAIN DOUBLE DROP ELSE END END-EXEC ESCAPE "
    "EXCEPT EXCEPTION EXEC EXECUTE EXISTS EXTERNAL EXTRACT FALSE FETCH FIRST FLOAT FOR "
    "FOREIGN FORTRAN FOUND FROM FULL GET GLOBAL GO GOTO GRANT GROUP HAVING HOUR IDENTITY "
    "IMMEDIATE IN INCLUDE INDEX INDICATOR INITIALLY INNER INPUT INSENSITIVE INSERT INT "
    "INTEGER INTERSECT INTERVAL INTO IS ISOLATION JOIN KEY LANGUAGE LAST LEADING LEFT LEVEL "
    "LIKE LOCAL LOWER MATCH MAX MIN MINUTE MODULE MONTH NAMES NATIONAL NATURAL NCHAR NEXT NO "
    "NONE NOT NULL NULLIF NUMERIC OCTET_LENGTH OF ON ONLY OPEN OPTION OR ORDER OUTER OUTPUT "
    "OVERLAPS PAD PARTIAL PASCAL POSITION PRECISION PREPARE PRESERVE PRIMARY PRIOR PRIVILEGES "
    "PROCEDURE PUBLIC READ REAL REFERENCES RELATIVE RESTRICT REVOKE RIGHT ROLLBACK ROWS "
    "SCHEMA SCROLL SECOND SECTION SELECT SESSION SESSION_USER SET SIZE SMALLINT SOME SPACE "
    "SQL SQLCA SQLCODE SQLERROR SQLSTATE SQLWARNING SUBSTRING SUM SYSTEM_USER TABLE TEMPORARY "
    "THEN TIME TIMESTAMP TIMEZONE_HOUR TIMEZONE_MINUTE TO TRAILING TRANSACTION TRANSLATE "
    "TRANSLATION TRIM TRUE UNION UNIQUE UNKNOWN UPDATE UPPER USAGE USER USING VALUE VALUES "
    "VARCHAR VARYING VIEW WHEN WHENEVER WHERE WITH WORK WRITE YEAR ZONE ";

bool is_sql92_reserved(const std::string& word) {
  return kSql92Reserved.find(" " + word + " ") != std::string_view::npos;
}

// SQLite's keywords beyond SQL-92, upper-case, sorted, comma-separated.
std::string sqlite_keywords() {
  std::vector<std::string> words;
  for (int i = 0; i < sqlite3_keyword_count(); ++i) {
    const char* name = nullptr;
    int size = 0;
    if (sqlite3_keyword_name(i, &name, &size) != SQLITE_OK) continue;
    std::string word = to_upper(std::string_view(name, static_cast<std::size_t>(size)));
    if (!is_sql92_reserved(word)) words.push_back(std::move(word));
  }
  std::sort(words.begin(), words.end());
  return join(words, ",");
}

class LocalBackend final : public backend::SqlBackend {
 public:
  explicit LocalBackend(DataDir dir)
      : dir_(std::make_shared<const DataDir>(std::move(dir))), keywords_(sqlite_keywords()) {}

  std::string_view name() const override { return "local"; }
  std::string dbms_name() const override { return "SQLite"; }
  std::string dbms_version() const override { return sqlite3_libversion(); }
  std::string keywords() const override { return keywords_; }

  Result<std::unique_ptr<backend::SqlSession>> open_session(
      const backend::SessionOptions& options) override {
    Result<std::unique_ptr<LocalSession>> session =
        LocalSession::open(dir_, options.database, options.user);
    if (!session) return std::move(session).status();
    return std::unique_ptr<backend::SqlSession>(std::move(*session));
  }

 private:
  const std::shared_ptr<const DataDir> dir_;
  const std::string keywords_;
};

}  // namespace

Result<std::unique_ptr<backend::SqlBackend>> make_local_backend(const config::Conf& conf) {
  Result<DataDir> dir = DataDir::open(conf.get(config::keys::kEngineLocalDataDir),
                                      conf.get(config::keys::kEngineLocalBusyTimeout));
  if (!dir) return std::move(dir).status();
  logger("backend")->info("local backend on SQLite {} in {}", sqlite3_libversion(),
                          dir->root().string());
  return std::unique_ptr<backend::SqlBackend>(std::make_unique<LocalBackend>(std::move(*dir)));
}

}  // namespace kitsune::backends::local
