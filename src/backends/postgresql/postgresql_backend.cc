// PostgresBackend: the startup check (connect, kyuubi.engine.jdbc.initialize.sql, the server's
// version and keywords) and sessions with a connection each.
#include "postgresql/postgresql_backend.h"

#include <algorithm>
#include <string_view>

#include "kitsune/backend/keywords.h"
#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "postgresql/connection.h"
#include "postgresql/session.h"

namespace kitsune::backends::postgresql {
namespace {

namespace k = config::keys;

// The server's keywords (pg_get_keywords) beyond SQL-92, upper-case, sorted, comma-separated.
Result<std::string> server_keywords(Connection& conn) {
  Result<PgResult> r = conn.exec("SELECT upper(word) FROM pg_catalog.pg_get_keywords() ORDER BY 1");
  if (!r) return std::move(r).status();
  std::vector<std::string> words;
  for (int i = 0; i < PQntuples(r->get()); ++i)
    words.emplace_back(PQgetvalue(r->get(), i, 0));
  return backend::keywords_beyond_sql92(std::move(words));
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
