// PostgresBackend: the startup check (connect, kyuubi.engine.jdbc.initialize.sql, the server's
// version and keywords) and sessions with a connection each.
#include "postgresql/postgresql_backend.h"

#include <algorithm>
#include <string_view>

#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "postgresql/connection.h"
#include "postgresql/session.h"

namespace kitsune::backends::postgresql {
namespace {

namespace k = config::keys;

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

// The server's keywords (pg_get_keywords) beyond SQL-92, upper-case, sorted, comma-separated.
Result<std::string> server_keywords(Connection& conn) {
  Result<PgResult> r = conn.exec("SELECT upper(word) FROM pg_catalog.pg_get_keywords() ORDER BY 1");
  if (!r) return std::move(r).status();
  std::vector<std::string> words;
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    std::string word = PQgetvalue(r->get(), i, 0);
    if (kSql92Reserved.find(" " + word + " ") == std::string_view::npos) {
      words.push_back(std::move(word));
    }
  }
  return join(words, ",");
}

class PostgresBackend final : public backend::SqlBackend {
 public:
  PostgresBackend(SessionSettings settings, std::string version, std::string keywords)
      : settings_(std::move(settings)),
        version_(std::move(version)),
        keywords_(std::move(keywords)) {}

  std::string_view name() const override { return "postgresql"; }
  std::string dbms_name() const override { return "PostgreSQL"; }
  std::string dbms_version() const override { return version_; }
  std::string keywords() const override { return keywords_; }

  Result<std::unique_ptr<backend::SqlSession>> open_session(
      const backend::SessionOptions& options) override {
    Result<std::unique_ptr<PgSession>> session = PgSession::open(settings_, options);
    if (!session) return std::move(session).status();
    return std::unique_ptr<backend::SqlSession>(std::move(*session));
  }

 private:
  const SessionSettings settings_;
  const std::string version_;
  const std::string keywords_;
};

}  // namespace

Result<std::unique_ptr<backend::SqlBackend>> make_postgresql_backend(const config::Conf& conf) {
  Result<ConnectionSettings> connection = parse_connection_settings(conf);
  if (!connection) return std::move(connection).status();
  SessionSettings settings;
  settings.connection = std::move(*connection);
  settings.initialize_sql = conf.get(k::kEngineJdbcSessionInitializeSql);
  settings.fetch_size = static_cast<std::size_t>(std::max(conf.get(k::kEngineJdbcFetchSize), 1));

  Result<std::shared_ptr<Connection>> conn = Connection::open(settings.connection);
  if (!conn) return std::move(conn).status();
  if (const std::string sql = conf.get(k::kEngineJdbcInitializeSql); !trim(sql).empty()) {
    Status s = (*conn)->exec_script(sql);
    if (!s.is_ok()) {
      return Status(s.code(),
                    "kyuubi.engine.jdbc.initialize.sql failed on PostgreSQL at " +
                        (*conn)->where() + ": " + s.message(),
                    s.sql_state());
    }
  }
  const char* server_version = PQparameterStatus((*conn)->handle(), "server_version");
  std::string version = server_version != nullptr ? server_version : "";
  // "15.4 (Debian 15.4-1)": the number alone, as DatabaseMetaData reports it.
  version = version.substr(0, version.find(' '));
  Result<std::string> keywords = server_keywords(**conn);
  if (!keywords) return std::move(keywords).status();
  logger("backend")->info("postgresql backend on PostgreSQL {} at {}", version, (*conn)->where());
  return std::unique_ptr<backend::SqlBackend>(std::make_unique<PostgresBackend>(
      std::move(settings), std::move(version), std::move(*keywords)));
}

}  // namespace kitsune::backends::postgresql
