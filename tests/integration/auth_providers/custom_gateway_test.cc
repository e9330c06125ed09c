// kyuubi.authentication=CUSTOM through a real gateway: the documented example provider, and the
// libraries the server refuses to start with.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "gateway_process.h"
#include "provider_calls.h"

namespace kitsune::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kDavePassword = "dave-pw-Mm3kZ";
// sha256("dave-pw-Mm3kZ"), as `printf %s dave-pw-Mm3kZ | sha256sum` prints it.
constexpr const char* kDaveDigest =
    "9b444f32246e583ccef217c639013f18378118ac5d1f1e29dba731dfa62e4249";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A users file for the example provider, in a temp dir.
class UsersFile {
 public:
  UsersFile() {
    char tmpl[] = "/tmp/kitsune-custom-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    std::ofstream(path()) << "# user:sha256hex\n"
                          << "dave:" << kDaveDigest << "\n";
  }
  ~UsersFile() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  UsersFile(const UsersFile&) = delete;
  UsersFile& operator=(const UsersFile&) = delete;
  std::string path() const { return dir_ + "/users.txt"; }
  std::string missing() const { return dir_ + "/no-such-users.txt"; }

 private:
  std::string dir_;
};

GatewayOptions custom(const std::string& library, const std::string& users_file,
                      bool expect_listening = true) {
  GatewayOptions o;
  o.expect_listening = expect_listening;
  o.conf = {{"kyuubi.authentication", "CUSTOM"},
            {"kitsune.authentication.custom.library", library},
            {"kitsune.authentication.custom.users.file", users_file},
            {"kitsune.log.level", "debug"}};
  return o;
}

TEST(CustomOnGateway, TheExampleProviderAcceptsTheRightPasswordAndRefusesAWrongOne) {
  UsersFile users;
  GatewayProcess gw(custom(EXAMPLE_PROVIDER, users.path()));
  auto rows = login_and_query(gw, "dave", kDavePassword, "SELECT 'dave is in'");
  ASSERT_TRUE(rows) << rows.status().to_string() << "\n" << gw.log();
  EXPECT_EQ(*rows, std::vector<std::string>{"dave is in"});
  for (auto [user, password] :
       {std::pair{"dave", "dave-pw-wrong-R5"}, std::pair{"erin", kDavePassword}}) {
    const Status s = login(gw, user, password);
    EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.to_string();
    EXPECT_TRUE(contains(s.message(), "unknown user or wrong password")) << s.message();
  }
  EXPECT_TRUE(contains(gw.log(), "result=refused")) << gw.log();
  EXPECT_FALSE(gw.engine_pids().empty()) << "no engine whose command line to check";
  expect_no_secret_leaked(gw, {kDavePassword, "dave-pw-wrong-R5"});
}

TEST(CustomOnGateway, ALibraryThatDoesNotExistStopsTheServerNamingTheKeyAndTheReason) {
  UsersFile users;
  GatewayProcess gw(custom("/nonexistent/kitsune/provider.so", users.path(), false));
  EXPECT_FALSE(gw.listening());
  EXPECT_EQ(gw.wait_exit(10s), 2) << gw.log();
  const std::string log = log_once_it_says(gw, "kitsune.authentication.custom.library");
  EXPECT_TRUE(contains(log,
                       "kitsune.authentication.custom.library: cannot load "
                       "/nonexistent/kitsune/provider.so: "))
      << log;
  EXPECT_TRUE(contains(log, "No such file")) << log;
}

TEST(CustomOnGateway, ALibraryWithoutTheSymbolsStopsTheServerNamingTheSymbol) {
  UsersFile users;
  GatewayProcess gw(custom(MISSING_SYMBOL_PROVIDER, users.path(), false));
  EXPECT_EQ(gw.wait_exit(10s), 2) << gw.log();
  const std::string log = log_once_it_says(gw, "does not export");
  EXPECT_TRUE(contains(log, "does not export kitsune_auth_provider_authenticate")) << log;
}

TEST(CustomOnGateway, AProviderThatFailsToStartStopsTheServerWithItsMessage) {
  UsersFile users;
  GatewayProcess gw(custom(EXAMPLE_PROVIDER, users.missing(), false));
  EXPECT_EQ(gw.wait_exit(10s), 2) << gw.log();
  const std::string log = log_once_it_says(gw, "failed to start");
  EXPECT_TRUE(contains(log, "failed to start: cannot read " + users.missing())) << log;
}

}  // namespace
}  // namespace kitsune::testing
