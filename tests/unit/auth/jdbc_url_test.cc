// The JDBC password provider without a gateway: URL and query checks at startup, SQLite files,
// and a PostgreSQL URL that points at nothing.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "kitsune/auth/authenticator.h"

namespace kitsune::auth {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kQuery =
    "SELECT 1 FROM users WHERE name = ${user} AND password = ${password}";

config::Conf jdbc_conf(std::vector<std::pair<std::string, std::string>> entries) {
  config::Conf conf;
  conf.set("kyuubi.authentication", "JDBC");
  for (auto& [k, v] : entries)
    conf.set(k, v);
  return conf;
}

Result<std::shared_ptr<PasswordAuthenticator>> make(const config::Conf& conf) {
  AuthSettings settings;
  settings.password_provider = "JDBC";
  return make_password_authenticator(settings, conf);
}

// The startup error for `conf`; fails the test when the provider starts.
std::string startup_error(const config::Conf& conf) {
  auto made = make(conf);
  EXPECT_FALSE(made) << "the provider started";
  return made ? std::string() : made.status().message();
}

// One login, run to completion on an io_context of its own.
Status login(PasswordAuthenticator& provider, const std::string& user,
             const std::string& password) {
  asio::io_context io;
  Status out = Status::internal("the login did not finish");
  auto attempt = [&]() -> awaitable<void> {
    ClientInfo client;
    client.address = "127.0.0.1";
    out = co_await provider.authenticate(user, password, client);
  };
  asio::co_spawn(io, std::move(attempt), asio::detached);
  io.run();
  return out;
}

// A SQLite users table in a temp dir.
class UsersFile {
 public:
  UsersFile() {
    char tmpl[] = "/tmp/kitsune-jdbc-unit-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    path_ = dir_ + "/users.db";
    exec(
        "CREATE TABLE users(name TEXT PRIMARY KEY, password TEXT NOT NULL);"
        "INSERT INTO users VALUES ('alice', 'alice-pw-1'), ('bob', 'bob-pw-2'),"
        "  ('x''; DROP TABLE users; --', 'odd-pw-3');");
  }
  ~UsersFile() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  UsersFile(const UsersFile&) = delete;
  UsersFile& operator=(const UsersFile&) = delete;

  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }
  std::string url() const { return "jdbc:sqlite:" + path_; }

  void exec(const std::string& sql) const {
    sqlite3* db = nullptr;
    char* error = nullptr;
    if (sqlite3_open(path_.c_str(), &db) != SQLITE_OK ||
        sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string why = error ? error : sqlite3_errmsg(db);
      sqlite3_free(error);
      sqlite3_close(db);
      throw std::runtime_error("sqlite: " + why);
    }
    sqlite3_close(db);
  }
  int users() const {
    sqlite3* db = nullptr;
    sqlite3_stmt* stmt = nullptr;
    int n = -1;
    if (sqlite3_open(path_.c_str(), &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM users", -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      n = sqlite3_column_int(stmt, 0);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
  }

 private:
  std::string dir_;
  std::string path_;
};

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("bind failed");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// ---- startup checks -----------------------------------------------------------------------

TEST(JdbcProvider, AnUnsetUrlStopsStartupNamingTheKey) {
  const std::string error =
      startup_error(jdbc_conf({{"kyuubi.authentication.jdbc.query", kQuery}}));
  EXPECT_TRUE(contains(error, "kyuubi.authentication.jdbc.url")) << error;
}

TEST(JdbcProvider, AnUnsupportedUrlStopsStartupNamingTheKeyButNotTheRestOfTheUrl) {
  const std::string error = startup_error(
      jdbc_conf({{"kyuubi.authentication.jdbc.url", "jdbc:mysql://root:hunter2-url@db:3306/auth"},
                 {"kyuubi.authentication.jdbc.query", kQuery}}));
  EXPECT_TRUE(contains(error, "kyuubi.authentication.jdbc.url")) << error;
  EXPECT_TRUE(contains(error, "jdbc:mysql:")) << error;
  EXPECT_TRUE(contains(error, "jdbc:postgresql://")) << "says what is supported: " << error;
  EXPECT_FALSE(contains(error, "hunter2-url")) << error;
}

TEST(JdbcProvider, AQueryThatIsNotASelectStopsStartupNamingTheKey) {
  UsersFile users;
  for (const char* query : {"DELETE FROM users WHERE name = ${user}", "selection ${user}",
                            "WITH u AS (SELECT 1) SELECT ${user}"}) {
    const std::string error =
        startup_error(jdbc_conf({{"kyuubi.authentication.jdbc.url", users.url()},
                                 {"kyuubi.authentication.jdbc.query", query}}));
    EXPECT_TRUE(contains(error, "kyuubi.authentication.jdbc.query")) << query << ": " << error;
    EXPECT_TRUE(contains(error, "SELECT")) << query << ": " << error;
  }
}

TEST(JdbcProvider, AnUnsetQueryStopsStartupNamingTheKey) {
  UsersFile users;
  const std::string error =
      startup_error(jdbc_conf({{"kyuubi.authentication.jdbc.url", users.url()}}));
  EXPECT_TRUE(contains(error, "kyuubi.authentication.jdbc.query")) << error;
}

TEST(JdbcProvider, AQueryWithoutPlaceholdersStopsStartup) {
  UsersFile users;
  const std::string error =
      startup_error(jdbc_conf({{"kyuubi.authentication.jdbc.url", users.url()},
                               {"kyuubi.authentication.jdbc.query", "SELECT 1 FROM users"}}));
  EXPECT_TRUE(contains(error, "kyuubi.authentication.jdbc.query")) << error;
  EXPECT_TRUE(contains(error, "placeholder")) << error;
}

TEST(JdbcProvider, AnUnknownPlaceholderStopsStartupNamingIt) {
  UsersFile users;
  const std::string error = startup_error(jdbc_conf(
      {{"kyuubi.authentication.jdbc.url", users.url()},
       {"kyuubi.authentication.jdbc.query", "SELECT 1 FROM users WHERE name = ${username}"}}));
  EXPECT_TRUE(contains(error, "kyuubi.authentication.jdbc.query")) << error;
  EXPECT_TRUE(contains(error, "${username}")) << error;
}

TEST(JdbcProvider, PostgresUrlsWithABadPortEscapeOrParameterStopStartupNamingTheKey) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"jdbc:postgresql://127.0.0.1:99999/auth", "99999"},
      {"jdbc:postgresql://127.0.0.1:pg/auth", "'pg'"},
      {"jdbc:postgresql://127.0.0.1:5432/a%zzb", "escape"},
      {"jdbc:postgresql://127.0.0.1:5432/auth?loggerLevel=OFF", "loggerLevel"},
      {"jdbc:postgresql://127.0.0.1:5432/auth?targetServerType=somewhere", "somewhere"},
      {"jdbc:postgresql://[::1/auth", "IPv6"},
      {"jdbc:postgresql://127.0.0.1:5432", "database"},
  };
  for (const auto& [url, named] : cases) {
    const std::string error = startup_error(jdbc_conf(
        {{"kyuubi.authentication.jdbc.url", url}, {"kyuubi.authentication.jdbc.query", kQuery}}));
    EXPECT_TRUE(contains(error, "kyuubi.authentication.jdbc.url")) << url << ": " << error;
    EXPECT_TRUE(contains(error, named)) << url << ": " << error;
  }
}

TEST(JdbcProvider, PgjdbcAndLibpqParametersAreAcceptedAtStartup) {
  for (const char* url :
       {"jdbc:postgresql://db.example:5433/auth?sslmode=disable&connectTimeout=3",
        "jdbc:postgresql://db.example/auth?ssl=true&ApplicationName=kitsune&tcpKeepAlive=true",
        "jdbc:postgresql://a:1,b:2/auth?targetServerType=primary&connect_timeout=2",
        "jdbc:postgresql:auth", "jdbc:postgresql://[::1]:5432/auth?user=x&password=y%2Bz"}) {
    auto made = make(jdbc_conf(
        {{"kyuubi.authentication.jdbc.url", url}, {"kyuubi.authentication.jdbc.query", kQuery}}));
    EXPECT_TRUE(made) << url << ": " << made.status().message();
  }
}

TEST(JdbcProvider, APoolSizeBelowOneStopsStartupNamingTheKey) {
  UsersFile users;
  const std::string error =
      startup_error(jdbc_conf({{"kyuubi.authentication.jdbc.url", users.url()},
                               {"kyuubi.authentication.jdbc.query", kQuery},
                               {"kitsune.authentication.jdbc.pool.size", "0"}}));
  EXPECT_TRUE(contains(error, "kitsune.authentication.jdbc.pool.size")) << error;
}

// ---- PostgreSQL that cannot be reached -----------------------------------------------------

TEST(JdbcProvider, APostgresServerNobodyListensOnIsUnavailableQuicklyWithoutAnyPassword) {
  const int port = free_port();
  auto made = make(jdbc_conf({{"kyuubi.authentication.jdbc.url",
                               "jdbc:postgresql://127.0.0.1:" + std::to_string(port) + "/auth"},
                              {"kyuubi.authentication.jdbc.user", "auth_reader"},
                              {"kyuubi.authentication.jdbc.password", "db-secret-Tq4"},
                              {"kyuubi.authentication.jdbc.query", kQuery}}));
  ASSERT_TRUE(made) << made.status().message();
  const auto start = std::chrono::steady_clock::now();
  const Status s = login(**made, "alice", "alice-secret-W2");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.to_string();
  EXPECT_TRUE(contains(s.message(), "the JDBC authentication database is unreachable: "))
      << s.message();
  EXPECT_TRUE(contains(s.message(), std::to_string(port))) << "names the port: " << s.message();
  EXPECT_FALSE(contains(s.message(), "db-secret-Tq4")) << s.message();
  EXPECT_FALSE(contains(s.message(), "alice-secret-W2")) << s.message();
}

TEST(JdbcProvider, EveryHostOfAPostgresUrlIsTried) {
  const int first = free_port();
  const int second = free_port();
  auto made = make(jdbc_conf(
      {{"kyuubi.authentication.jdbc.url", "jdbc:postgresql://127.0.0.1:" + std::to_string(first) +
                                              ",[::1]:" + std::to_string(second) + "/auth"},
       {"kyuubi.authentication.jdbc.query", kQuery}}));
  ASSERT_TRUE(made) << made.status().message();
  const Status s = login(**made, "alice", "alice-pw-1");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.to_string();
  EXPECT_TRUE(contains(s.message(), std::to_string(first))) << s.message();
  EXPECT_TRUE(contains(s.message(), std::to_string(second))) << s.message();
}

// ---- SQLite --------------------------------------------------------------------------------

TEST(JdbcProvider, SqliteAcceptsTheRightPasswordAndRefusesAWrongOneOrAnUnknownUser) {
  UsersFile users;
  auto made = make(jdbc_conf({{"kyuubi.authentication.jdbc.url", users.url()},
                              {"kyuubi.authentication.jdbc.query", kQuery}}));
  ASSERT_TRUE(made) << made.status().message();
  EXPECT_TRUE(login(**made, "alice", "alice-pw-1").is_ok());
  EXPECT_TRUE(login(**made, "bob", "bob-pw-2").is_ok());
  for (auto [user, password] : {std::pair{"alice", "bob-pw-2"}, std::pair{"carol", "alice-pw-1"},
                                std::pair{"ALICE", "alice-pw-1"}}) {
    const Status s = login(**made, user, password);
    EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << user << ": " << s.to_string();
    EXPECT_EQ(s.message(), "password does not match or no such user");
  }
}

TEST(JdbcProvider, SqliteBindsTheValuesSoSqlInThemIsOnlyText) {
  UsersFile users;
  auto made = make(jdbc_conf({{"kyuubi.authentication.jdbc.url", users.url()},
                              {"kyuubi.authentication.jdbc.query", kQuery}}));
  ASSERT_TRUE(made) << made.status().message();
  for (const char* attack : {"' OR '1'='1", "x'; DROP TABLE users; --", "alice' --", "') OR 1=1 --",
                             "?1", "$1", "${user}"}) {
    EXPECT_EQ(login(**made, attack, "anything").code(), StatusCode::kUnauthenticated) << attack;
    EXPECT_EQ(login(**made, "alice", attack).code(), StatusCode::kUnauthenticated) << attack;
  }
  EXPECT_EQ(users.users(), 3);
  // A user whose name is SQL is just a name.
  EXPECT_TRUE(login(**made, "x'; DROP TABLE users; --", "odd-pw-3").is_ok());
}

TEST(JdbcProvider, SqliteQueryMayUseAPlaceholderTwice) {
  UsersFile users;
  auto made =
      make(jdbc_conf({{"kyuubi.authentication.jdbc.url", users.url()},
                      {"kyuubi.authentication.jdbc.query",
                       "  select 1 FROM users WHERE name = ${user} AND password = ${password} "
                       "AND substr(${password}, 1, length(${user})) = ${user}"}}));
  ASSERT_TRUE(made) << made.status().message();
  EXPECT_TRUE(login(**made, "alice", "alice-pw-1").is_ok());
  EXPECT_EQ(login(**made, "alice", "bob-pw-2").code(), StatusCode::kUnauthenticated);
}

TEST(JdbcProvider, SqliteFileIsOpenedReadOnlySoAMissingOneIsNotCreated) {
  UsersFile users;
  const std::string missing = users.dir() + "/missing.db";
  const std::string error =
      startup_error(jdbc_conf({{"kyuubi.authentication.jdbc.url", "jdbc:sqlite:" + missing},
                               {"kyuubi.authentication.jdbc.query", kQuery}}));
  EXPECT_TRUE(contains(error, "kyuubi.authentication.jdbc.url")) << error;
  EXPECT_TRUE(contains(error, missing)) << error;
  EXPECT_FALSE(fs::exists(missing));
}

TEST(JdbcProvider, SqliteFileThatIsNotADatabaseStopsStartupNamingTheUrlKey) {
  UsersFile users;
  const std::string junk = users.dir() + "/junk.db";
  std::ofstream(junk) << "this is not a database, but it is long enough to have a header....";
  const std::string error =
      startup_error(jdbc_conf({{"kyuubi.authentication.jdbc.url", "jdbc:sqlite:" + junk},
                               {"kyuubi.authentication.jdbc.query", kQuery}}));
  EXPECT_TRUE(contains(error, "kyuubi.authentication.jdbc.url")) << error;
  EXPECT_TRUE(contains(error, "not a database")) << error;
}

TEST(JdbcProvider, SqliteQueryOnAMissingTableOrWithTwoStatementsStopsStartupNamingTheQueryKey) {
  UsersFile users;
  for (const char* query : {"SELECT 1 FROM people WHERE name = ${user}",
                            "SELECT 1 FROM users WHERE name = ${user}; DELETE FROM users",
                            "SELECT 1 FROM users WHERE name = ${user} AND password = ?"}) {
    const std::string error =
        startup_error(jdbc_conf({{"kyuubi.authentication.jdbc.url", users.url()},
                                 {"kyuubi.authentication.jdbc.query", query}}));
    EXPECT_TRUE(contains(error, "kyuubi.authentication.jdbc.query")) << query << ": " << error;
  }
}

TEST(JdbcProvider, SqliteAnswersManyLoginsAtOnceFromItsPool) {
  UsersFile users;
  auto made = make(jdbc_conf({{"kyuubi.authentication.jdbc.url", users.url()},
                              {"kyuubi.authentication.jdbc.query", kQuery},
                              {"kitsune.authentication.jdbc.pool.size", "3"}}));
  ASSERT_TRUE(made) << made.status().message();
  asio::io_context io;
  int accepted = 0;
  int refused = 0;
  for (int i = 0; i < 60; ++i) {
    auto attempt = [&, i]() -> awaitable<void> {
      ClientInfo client;
      const std::string user = "alice";
      const std::string password = i % 2 == 0 ? "alice-pw-1" : "wrong";
      Status s = co_await (*made)->authenticate(user, password, client);
      ++(s.is_ok() ? accepted : refused);
    };
    asio::co_spawn(io, std::move(attempt), asio::detached);
  }
  io.run();
  EXPECT_EQ(accepted, 30);
  EXPECT_EQ(refused, 30);
}

}  // namespace
}  // namespace kitsune::auth
