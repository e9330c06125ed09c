// MysqlBackend: the server's identity and keywords, learnt on a first connection, and a
// connection per session.
#include "mysql/mysql_backend.h"

#include <algorithm>
#include <string_view>

#include "kitsune/backend/keywords.h"
#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "mysql/connection.h"
#include "mysql/session.h"

namespace kitsune::backends::mysql {
namespace {

namespace k = config::keys;

// MySQL's reserved words beyond SQL-92, for servers without information_schema.KEYWORDS
// (MySQL before 8.0, MariaDB before 10.6); Connector/J reports the same kind of list.
constexpr std::string_view kFallbackKeywords =
    "ACCESSIBLE,ANALYZE,ASENSITIVE,BEFORE,BIGINT,BINARY,BLOB,CALL,CHANGE,CONDITION,DATABASE,"
    "DATABASES,DAY_HOUR,DAY_MICROSECOND,DAY_MINUTE,DAY_SECOND,DELAYED,DETERMINISTIC,DISTINCTROW,"
    "DIV,DUAL,EACH,ELSEIF,ENCLOSED,ESCAPED,EXIT,EXPLAIN,FLOAT4,FLOAT8,FORCE,FULLTEXT,HIGH_PRIORITY,"
    "HOUR_MICROSECOND,HOUR_MINUTE,HOUR_SECOND,IF,IGNORE,INFILE,INOUT,INT1,INT2,INT3,INT4,INT8,"
    "ITERATE,KEYS,KILL,LEAVE,LIMIT,LINEAR,LINES,LOAD,LOCALTIME,LOCALTIMESTAMP,LOCK,LONG,"
    "LONGBLOB,LONGTEXT,LOOP,LOW_PRIORITY,MASTER_SSL_VERIFY_SERVER_CERT,MEDIUMBLOB,MEDIUMINT,"
    "MEDIUMTEXT,MIDDLEINT,MINUTE_MICROSECOND,MINUTE_SECOND,MOD,MODIFIES,NO_WRITE_TO_BINLOG,"
    "OPTIMIZE,OPTIONALLY,OUT,OUTFILE,PURGE,RANGE,READS,READ_WRITE,REGEXP,RELEASE,RENAME,REPEAT,"
    "REPLACE,REQUIRE,RESIGNAL,RETURN,RLIKE,SCHEMAS,SECOND_MICROSECOND,SENSITIVE,SEPARATOR,SHOW,"
    "SIGNAL,SPATIAL,SPECIFIC,SQLEXCEPTION,SQL_BIG_RESULT,SQL_CALC_FOUND_ROWS,SQL_SMALL_RESULT,"
    "SSL,STARTING,STRAIGHT_JOIN,TERMINATED,TINYBLOB,TINYINT,TINYTEXT,TRIGGER,UNDO,UNLOCK,"
    "UNSIGNED,USE,UTC_DATE,UTC_TIME,UTC_TIMESTAMP,VARBINARY,VARCHARACTER,WHILE,XOR,YEAR_MONTH,"
    "ZEROFILL";

// The server's keywords beyond SQL-92, upper-case, sorted, comma-separated.
std::string server_keywords(Connection& conn) {
  Result<std::vector<TextRow>> rows =
      conn.select("SELECT WORD FROM information_schema.KEYWORDS", {});
  if (!rows) return std::string(kFallbackKeywords);
  std::vector<std::string> words;
  for (const TextRow& row : *rows) {
    if (row[0]) words.push_back(*row[0]);
  }
  return backend::keywords_beyond_sql92(std::move(words));
}

// "10.11.6" of "10.11.6-MariaDB-0+deb12u1" (or of MySQL 5's "5.5.5-10.11.6-MariaDB" prefix).
std::string version_number(std::string info) {
  if (info.starts_with("5.5.5-") && info.find("MariaDB") != std::string::npos) info.erase(0, 6);
  return info.substr(0, info.find('-'));
}

class MysqlBackend final : public backend::SqlBackend {
 public:
  MysqlBackend(std::shared_ptr<const ConnectionSettings> settings, std::string dbms_name,
               std::string version, std::string keywords, std::string session_init_sql)
      : settings_(std::move(settings)),
        dbms_name_(std::move(dbms_name)),
        version_(std::move(version)),
        keywords_(std::move(keywords)),
        session_init_sql_(std::move(session_init_sql)) {}

  std::string_view name() const override { return "mysql"; }
  std::string dbms_name() const override { return dbms_name_; }
  std::string dbms_version() const override { return version_; }
  std::string keywords() const override { return keywords_; }

  Result<std::unique_ptr<backend::SqlSession>> open_session(
      const backend::SessionOptions& options) override {
    Result<std::unique_ptr<MysqlSession>> session = MysqlSession::open(
        settings_, options.database, options.user, session_init_sql_, dbms_name_ == "MariaDB");
    if (!session) return std::move(session).status();
    return std::unique_ptr<backend::SqlSession>(std::move(*session));
  }

 private:
  const std::shared_ptr<const ConnectionSettings> settings_;
  const std::string dbms_name_;
  const std::string version_;
  const std::string keywords_;
  const std::string session_init_sql_;
};

}  // namespace

Result<std::unique_ptr<backend::SqlBackend>> make_mysql_backend(const config::Conf& conf) {
  Result<ConnectionSettings> parsed = connection_settings_from(conf);
  if (!parsed) return std::move(parsed).status();
  auto settings = std::make_shared<const ConnectionSettings>(std::move(*parsed));
  Result<std::unique_ptr<Connection>> conn = Connection::open(settings, settings->database);
  if (!conn) return std::move(conn).status();
  const std::string init_sql(trim(conf.get(k::kEngineJdbcInitializeSql)));
  if (!init_sql.empty()) {
    Status s = (*conn)->run(init_sql);
    if (!s.is_ok()) {
      return Status::error("kyuubi.engine.jdbc.initialize.sql failed: " + s.message(),
                           s.sql_state(), s.error_code());
    }
  }
  const std::string info = (*conn)->server_info();
  const std::string dbms_name = info.find("MariaDB") != std::string::npos ? "MariaDB" : "MySQL";
  const std::string version = version_number(info);
  std::string keywords = server_keywords(**conn);
  logger("backend")->info("mysql backend on {} {} at {}", dbms_name, version,
                          settings->describe(settings->database));
  return std::unique_ptr<backend::SqlBackend>(
      std::make_unique<MysqlBackend>(settings, dbms_name, version, std::move(keywords),
                                     conf.get(k::kEngineJdbcSessionInitializeSql)));
}

}  // namespace kitsune::backends::mysql
