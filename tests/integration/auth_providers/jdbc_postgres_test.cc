// kyuubi.authentication=JDBC on a real PostgreSQL 15: logins through a real gateway, SQL in the
// credentials, an outage and a restart, and the refusals at startup.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "gateway_process.h"
#include "postgres_process.h"
#include "provider_calls.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kDbUser = "kitsune_auth";
constexpr const char* kDbPassword = "db-pw-Zx81qv";
constexpr const char* kAlicePassword = "alice-pw-Hq7mT";
constexpr const char* kBobPassword = "bob-pw-4Lr9e";
constexpr const char* kWrongPassword = "wrong-pw-Pp3d";
// The stored digest is compared in the database, as a real deployment would.
constexpr const char* kQuery =
    "SELECT 1 FROM users WHERE name = ${user} "
    "AND pw_sha256 = encode(sha256(convert_to(${password}, 'UTF8')), 'hex')";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class JdbcOnPostgres : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_.emplace();
    pg_->sql("CREATE DATABASE authdb");
    pg_->sql(std::string("CREATE TABLE users (name text PRIMARY KEY, pw_sha256 text NOT NULL);"
                         "INSERT INTO users VALUES"
                         " ('alice', encode(sha256(convert_to('") +
                 kAlicePassword +
                 "', 'UTF8')), 'hex')),"
                 " ('bob', encode(sha256(convert_to('" +
                 kBobPassword +
                 "', 'UTF8')), 'hex'));"
                 "CREATE ROLE " +
                 kDbUser + " LOGIN PASSWORD '" + kDbPassword +
                 "';"
                 "GRANT SELECT ON users TO " +
                 kDbUser + ";",
             "authdb");
  }

  // A gateway whose JDBC provider reads authdb; the database password goes in the defaults
  // file, not on the command line.
  GatewayOptions options(const std::string& db_password = kDbPassword) const {
    GatewayOptions o;
    o.defaults_file =
        "kyuubi.authentication JDBC\n"
        "kyuubi.authentication.jdbc.url jdbc:postgresql://127.0.0.1:" +
        std::to_string(pg_->port()) +
        "/authdb?connectTimeout=3\n"
        "kyuubi.authentication.jdbc.user " +
        std::string(kDbUser) +
        "\n"
        "kyuubi.authentication.jdbc.password " +
        db_password +
        "\n"
        "kyuubi.authentication.jdbc.query " +
        kQuery +
        "\n"
        "kyuubi.authentication.jdbc.driver.class org.postgresql.Driver\n"
        "kitsune.log.level debug\n";
    return o;
  }

  std::string users_rows() const {
    return pg_->sql("SELECT name FROM users ORDER BY name", "authdb");
  }

  std::optional<PostgresProcess> pg_;
};

TEST_F(JdbcOnPostgres, TheRightPasswordLogsInThroughTheGatewayAndRunsAQuery) {
  GatewayProcess gw(options());
  auto rows = login_and_query(gw, "alice", kAlicePassword, "SELECT 6 * 7");
  ASSERT_TRUE(rows) << rows.status().to_string() << "\n" << gw.log();
  EXPECT_EQ(*rows, std::vector<std::string>{"42"});
  EXPECT_TRUE(login(gw, "bob", kBobPassword).is_ok()) << gw.log();
  EXPECT_TRUE(contains(gw.log(), "user=\"alice\"\tmechanism=PLAIN")) << gw.log();
  EXPECT_FALSE(gw.engine_pids().empty()) << "no engine whose command line to check";
  expect_no_secret_leaked(gw, {kDbPassword, kAlicePassword, kBobPassword});
}

TEST_F(JdbcOnPostgres, AWrongPasswordOrAnUnknownUserIsRefusedWithAClearMessage) {
  GatewayProcess gw(options());
  for (auto [user, password] :
       {std::pair{"alice", kWrongPassword}, std::pair{"alice", kBobPassword},
        std::pair{"mallory", kAlicePassword}}) {
    const Status s = login(gw, user, password);
    EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << user << ": " << s.to_string();
    EXPECT_TRUE(contains(s.message(), "password does not match or no such user")) << s.message();
  }
  EXPECT_TRUE(contains(gw.log(), "result=refused")) << gw.log();
  EXPECT_TRUE(login(gw, "alice", kAlicePassword).is_ok()) << "still serves after refusals";
  expect_no_secret_leaked(gw, {kDbPassword, kAlicePassword, kBobPassword, kWrongPassword});
}

TEST_F(JdbcOnPostgres, SqlInTheUserNameOrPasswordIsRefusedAndTheUsersTableIsIntact) {
  GatewayProcess gw(options());
  const std::string before = users_rows();
  ASSERT_EQ(before, "alice\nbob\n");
  for (const std::string attack : {"' OR '1'='1", "x'; DROP TABLE users; --", "alice' --",
                                   "') OR 1=1 --", "$1", "alice'); DELETE FROM users; --"}) {
    const Status as_user = login(gw, attack, kAlicePassword);
    EXPECT_EQ(as_user.code(), StatusCode::kUnauthenticated)
        << attack << ": " << as_user.to_string();
    EXPECT_TRUE(contains(as_user.message(), "password does not match or no such user"))
        << attack << ": " << as_user.message();
    const Status as_password = login(gw, "alice", attack);
    EXPECT_EQ(as_password.code(), StatusCode::kUnauthenticated)
        << attack << ": " << as_password.to_string();
  }
  EXPECT_EQ(users_rows(), before);
  EXPECT_TRUE(login(gw, "alice", kAlicePassword).is_ok()) << gw.log();
  expect_no_secret_leaked(gw, {kDbPassword, kAlicePassword});
}

TEST_F(JdbcOnPostgres, AStoppedDatabaseIsReportedUnreachableQuicklyAndLoginsWorkAfterItsRestart) {
  GatewayProcess gw(options());
  // Pooled connections exist before the outage, so the stale ones are met too.
  ASSERT_TRUE(login(gw, "alice", kAlicePassword).is_ok()) << gw.log();
  ASSERT_TRUE(login(gw, "bob", kBobPassword).is_ok()) << gw.log();
  pg_->stop();
  for (int i = 0; i < 2; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const Status s = login(gw, "alice", kAlicePassword);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_LT(took, 10s) << "a login while the database is down took "
                         << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                         << " ms";
    EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.to_string();
    EXPECT_TRUE(contains(s.message(), "the JDBC authentication database is unreachable: "))
        << s.message();
    EXPECT_TRUE(contains(s.message(), std::to_string(pg_->port()))) << s.message();
  }
  pg_->start();
  auto rows = login_and_query(gw, "alice", kAlicePassword);
  ASSERT_TRUE(rows) << rows.status().to_string() << "\n" << gw.log();
  EXPECT_EQ(*rows, std::vector<std::string>{"1"});
  EXPECT_EQ(login(gw, "alice", kWrongPassword).code(), StatusCode::kUnauthenticated);
  expect_no_secret_leaked(gw, {kDbPassword, kAlicePassword, kBobPassword, kWrongPassword});
}

TEST_F(JdbcOnPostgres, ARestartBetweenTwoLoginsGoesUnnoticed) {
  GatewayProcess gw(options());
  ASSERT_TRUE(login(gw, "alice", kAlicePassword).is_ok()) << gw.log();
  // The pooled connection dies with the server; the next login must not fail for it.
  pg_->stop();
  pg_->start();
  const Status s = login(gw, "alice", kAlicePassword);
  EXPECT_TRUE(s.is_ok()) << s.to_string() << "\n" << gw.log();
  EXPECT_EQ(login(gw, "bob", kAlicePassword).code(), StatusCode::kUnauthenticated);
}

TEST_F(JdbcOnPostgres, AWrongDatabasePasswordIsReportedWithPostgresReasonButWithoutThePassword) {
  const std::string wrong_db_password = "db-pw-wrong-J2x";
  GatewayProcess gw(options(wrong_db_password));
  const Status s = login(gw, "alice", kAlicePassword);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.to_string();
  EXPECT_TRUE(contains(s.message(), "the JDBC authentication database is unreachable: "))
      << s.message();
  EXPECT_TRUE(contains(s.message(), "password authentication failed for user \"kitsune_auth\""))
      << s.message();
  expect_no_secret_leaked(gw, {wrong_db_password, kDbPassword, kAlicePassword});
}

// ---- refusals at startup (no database needed) ----------------------------------------------

GatewayOptions refused(const std::string& url, const std::string& query) {
  GatewayOptions o;
  o.expect_listening = false;
  o.defaults_file =
      "kyuubi.authentication JDBC\n"
      "kyuubi.authentication.jdbc.url " +
      url +
      "\n"
      "kyuubi.authentication.jdbc.password db-pw-startup-K8\n"
      "kyuubi.authentication.jdbc.query " +
      query + "\n";
  return o;
}

TEST(JdbcStartup, AnUnsupportedUrlStopsTheServerNamingTheKey) {
  GatewayProcess gw(refused("jdbc:mysql://127.0.0.1:3306/auth", kQuery));
  EXPECT_FALSE(gw.listening());
  EXPECT_EQ(gw.wait_exit(10s), 2) << gw.log();
  const std::string log = log_once_it_says(gw, "kyuubi.authentication.jdbc.url");
  EXPECT_TRUE(contains(log, "kyuubi.authentication.jdbc.url: unsupported URL 'jdbc:mysql:...'"))
      << log;
  expect_no_secret_leaked(gw, {"db-pw-startup-K8"});
}

TEST(JdbcStartup, AMalformedPostgresUrlStopsTheServerNamingTheKey) {
  GatewayProcess gw(refused("jdbc:postgresql://127.0.0.1:70000/auth", kQuery));
  EXPECT_EQ(gw.wait_exit(10s), 2) << gw.log();
  const std::string log = log_once_it_says(gw, "kyuubi.authentication.jdbc.url");
  EXPECT_TRUE(contains(log, "kyuubi.authentication.jdbc.url: bad port '70000'")) << log;
}

TEST(JdbcStartup, AQueryThatIsNotASelectStopsTheServerNamingTheKey) {
  GatewayProcess gw(
      refused("jdbc:postgresql://127.0.0.1:5432/auth", "DELETE FROM users WHERE name = ${user}"));
  EXPECT_EQ(gw.wait_exit(10s), 2) << gw.log();
  const std::string log = log_once_it_says(gw, "kyuubi.authentication.jdbc.query");
  EXPECT_TRUE(contains(log, "kyuubi.authentication.jdbc.query: the query must start with SELECT"))
      << log;
}

TEST(JdbcStartup, AQueryWithAnUnknownPlaceholderStopsTheServerNamingIt) {
  GatewayProcess gw(refused("jdbc:postgresql://127.0.0.1:5432/auth",
                            "SELECT 1 FROM users WHERE name = ${username}"));
  EXPECT_EQ(gw.wait_exit(10s), 2) << gw.log();
  const std::string log = log_once_it_says(gw, "kyuubi.authentication.jdbc.query");
  EXPECT_TRUE(contains(log, "unsupported placeholder ${username}")) << log;
}

}  // namespace
}  // namespace kitsune::testing
