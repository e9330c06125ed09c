// kyuubi.authentication=JDBC on a SQLite file, through a real gateway.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "gateway_process.h"
#include "provider_calls.h"

namespace kitsune::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCarolPassword = "carol-pw-Vb6nS";

// users.db in a temp dir: carol, with her password in clear (SQLite has no digest function).
class UsersDatabase {
 public:
  UsersDatabase() {
    char tmpl[] = "/tmp/kitsune-jdbc-sqlite-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    path_ = dir_ + "/users.db";
    sqlite3* db = nullptr;
    const std::string sql = std::string(
                                "CREATE TABLE users(name TEXT PRIMARY KEY, password TEXT);"
                                "INSERT INTO users VALUES ('carol', '") +
                            kCarolPassword + "');";
    const bool ok = sqlite3_open(path_.c_str(), &db) == SQLITE_OK &&
                    sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    if (!ok) throw std::runtime_error("cannot write " + path_);
  }
  ~UsersDatabase() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  UsersDatabase(const UsersDatabase&) = delete;
  UsersDatabase& operator=(const UsersDatabase&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

TEST(JdbcOnSqlite, TheRightPasswordLogsInThroughTheGatewayAndAWrongOneIsRefused) {
  UsersDatabase users;
  GatewayOptions o;
  o.defaults_file =
      "kyuubi.authentication JDBC\n"
      "kyuubi.authentication.jdbc.url jdbc:sqlite:" +
      users.path() +
      "\n"
      "kyuubi.authentication.jdbc.query SELECT 1 FROM users "
      "WHERE name = ${user} AND password = ${password}\n"
      "kitsune.log.level debug\n";
  GatewayProcess gw(o);
  auto rows = login_and_query(gw, "carol", kCarolPassword, "SELECT 'in'");
  ASSERT_TRUE(rows) << rows.status().to_string() << "\n" << gw.log();
  EXPECT_EQ(*rows, std::vector<std::string>{"in"});
  const Status wrong = login(gw, "carol", "carol-wrong-Qa1");
  EXPECT_EQ(wrong.code(), StatusCode::kUnauthenticated) << wrong.to_string();
  EXPECT_NE(wrong.message().find("password does not match or no such user"), std::string::npos)
      << wrong.message();
  const Status injected = login(gw, "carol' --", "x");
  EXPECT_EQ(injected.code(), StatusCode::kUnauthenticated) << injected.to_string();
  EXPECT_FALSE(gw.engine_pids().empty()) << "no engine whose command line to check";
  expect_no_secret_leaked(gw, {kCarolPassword, "carol-wrong-Qa1"});
}

}  // namespace
}  // namespace kitsune::testing
