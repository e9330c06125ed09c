// LDAP logins through a real gateway (kyuubi.authentication=LDAP) and a real slapd, as the
// project's client sees them: a session and a query for the right password, a clear refusal for
// the wrong one, a clear and quick error while LDAP is down; no password in any log.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "client_session.h"
#include "directory.h"
#include "gateway_calls.h"
#include "gateway_process.h"
#include "raw_socket.h"
#include "slapd_process.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;
using namespace ldap_directory;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Connects over SASL PLAIN as `user` and opens a session.
awaitable<Result<ClientSession>> open_session_as(std::string host, int port, std::string user,
                                                 std::string password) {
  client::ClientOptions options;
  options.host = std::move(host);
  options.port = port;
  options.auth = client::ClientAuth::kPlain;
  options.user = std::move(user);
  options.password = std::move(password);
  auto c = co_await client::Hs2Client::connect(std::move(options));
  if (!c) co_return c.status();
  tcli::TOpenSessionReq open;
  open.client_protocol = tcli::TProtocolVersion::HIVE_CLI_SERVICE_PROTOCOL_V10;
  auto opened = co_await (*c)->open_session(open);
  if (!opened) co_return opened.status();
  if (Status s = status_of(opened->status); !s.is_ok()) co_return s;
  ClientSession session;
  session.client = std::move(c).value();
  session.handle = opened->sessionHandle;
  co_return session;
}

// Logs in, opens a session, runs SELECT 1 and closes it; the first failure.
awaitable<Status> login_and_select(std::string host, int port, std::string user,
                                   std::string password) {
  auto session =
      co_await open_session_as(std::move(host), port, std::move(user), std::move(password));
  if (!session) co_return session.status();
  if (Status s = co_await select_one(*session); !s.is_ok()) co_return s;
  tcli::TCloseSessionReq close;
  close.sessionHandle = session->handle;
  auto closed = co_await session->client->close_session(close);
  if (!closed) co_return closed.status();
  co_return status_of(closed->status);
}

// A session of `u` held open on its own connection (and io_context) across a test's steps.
class HeldSessionOf {
 public:
  HeldSessionOf(const GatewayProcess& gw, const User& u) {
    auto opened = run_for(io_, open_session_as(gw.host(), gw.port(), u.uid, u.password), 30s);
    if (!opened || !opened->is_ok()) {
      throw std::runtime_error("cannot open a session of " + u.uid + ": " +
                               (opened ? opened->status().message() : "timed out") + "\n" +
                               gw.log());
    }
    session_.emplace(std::move(*opened).value());
  }
  Status select_one_status() {
    auto r = run_for(io_, select_one(*session_), 30s);
    return r ? *r : Status::timed_out("SELECT 1 did not finish within 30 s");
  }

 private:
  asio::io_context io_;
  std::optional<ClientSession> session_;
};

class LdapGateway : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kitsune-ldap-gw-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }

  void TearDown() override {
    // Whatever happened, no password reached the server's log or its audit log.
    if (gw_) {
      const std::string log = gw_->log();
      const std::string audit = read_all(audit_path());
      for (const auto& pw : passwords()) {
        EXPECT_EQ(log.find(pw), std::string::npos) << "a password in the log:\n" << log;
        EXPECT_EQ(audit.find(pw), std::string::npos) << "a password in the audit log:\n" << audit;
      }
    }
    gw_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string audit_path() const { return dir_ + "/audit.log"; }

  // A gateway that logs users in against `url` (debug log, so that every line is checked).
  void start_gateway(const std::string& url, GatewayOptions::Conf extra = {}) {
    GatewayOptions o;
    o.conf = {{"kyuubi.authentication", "LDAP"},
              {"kyuubi.authentication.ldap.url", url},
              {"kyuubi.authentication.ldap.baseDN", kPeople},
              {"kitsune.authentication.ldap.timeout", "PT3S"},
              {"kitsune.authentication.audit.log", audit_path()},
              {"kitsune.log.level", "DEBUG"}};
    o.conf.insert(o.conf.end(), extra.begin(), extra.end());
    gw_.emplace(o);
  }

  Status login(const std::string& user, const std::string& password) {
    return run_coroutine(login_and_select(gw_->host(), gw_->port(), user, password));
  }

  void expect_login(const User& u) {
    Status s = login(u.uid, u.password);
    EXPECT_TRUE(s.is_ok()) << u.uid << ": " << s.to_string() << "\n" << gw_->log();
  }

  void expect_refused(const std::string& user, const std::string& password,
                      const std::string& words) {
    Status s = login(user, password);
    EXPECT_FALSE(s.is_ok()) << "'" << user << "' logged in";
    EXPECT_NE(s.message().find(words), std::string::npos)
        << "'" << user << "': " << s.message() << "\nexpected: " << words;
  }

  std::string dir_;
  std::optional<GatewayProcess> gw_;
};

TEST_F(LdapGateway, AUserLogsInWithTheirLdapPasswordAndRunsAQuery) {
  SlapdProcess slapd(options());
  start_gateway(slapd.url());
  expect_login(kAlice);
  expect_login(kWeird);
  expect_refused(kAlice.uid, kBob.password,
                 "Error validating LDAP user 'alice': wrong user name or password");
  expect_refused("mallory", kBob.password,
                 "Error validating LDAP user 'mallory': wrong user name or password");
  expect_refused("*", kAlice.password, "Error validating LDAP user '*': wrong user name");
  // SASL PLAIN refuses an empty password before the provider; the provider would too.
  expect_refused(kAlice.uid, "", "no password provided");
  // What the operator sees: the refusal, for whom, and why.
  const std::string log = gw_->log();
  EXPECT_NE(log.find("login failed: Error validating the login: Error validating LDAP user "
                     "'alice': wrong user name or password (user alice)"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("binding as uid=alice," + kPeople), std::string::npos) << log;
  EXPECT_NE(read_all(audit_path()).find("alice"), std::string::npos) << read_all(audit_path());
}

TEST_F(LdapGateway, AGroupFilterRefusalTellsTheClientWhy) {
  SlapdProcess slapd(options());
  start_gateway(slapd.url(), {{"kyuubi.authentication.ldap.groupFilter", "analysts"},
                              {"kyuubi.authentication.ldap.groupDNPattern", "cn=%s," + kGroups},
                              {"kyuubi.authentication.ldap.binddn", kServiceDn},
                              {"kyuubi.authentication.ldap.bindpw", kServicePassword}});
  expect_login(kAlice);
  expect_refused(kCarol.uid, kCarol.password,
                 "Error validating LDAP user 'carol': the user is not a member of any group in "
                 "kyuubi.authentication.ldap.groupFilter");
  expect_refused(kCarol.uid, kAlice.password, "wrong user name or password");
}

TEST_F(LdapGateway, LdapDownIsAClearErrorWithinSecondsAndTheGatewayKeepsServing) {
  SlapdProcess slapd(options());
  start_gateway(slapd.url());
  HeldSessionOf held(*gw_, kAlice);
  slapd.kill();
  const auto start = Clock::now();
  expect_refused(kBob.uid, kBob.password,
                 "LDAP server(s) " + slapd.url() + " unreachable: " + slapd.url() +
                     ": bind failed: Can't contact LDAP server");
  EXPECT_LT(Clock::now() - start, 5s);
  // The session opened before the outage still runs queries.
  EXPECT_TRUE(held.select_one_status().is_ok()) << gw_->log();
  slapd.start();
  expect_login(kBob);
  EXPECT_TRUE(held.select_one_status().is_ok()) << gw_->log();
}

TEST_F(LdapGateway, LdapsWithTheServersCaFileLogsIn) {
  SlapdProcess slapd(options(/*tls=*/true));
  start_gateway(slapd.ldaps_url(), {{"kitsune.authentication.ldap.tls.ca.file", slapd.ca_file()}});
  expect_login(kAlice);
  expect_refused(kAlice.uid, kBob.password, "wrong user name or password");
}

TEST_F(LdapGateway, TheServerRefusesToStartWithoutAnLdapUrl) {
  GatewayOptions o;
  o.conf = {{"kyuubi.authentication", "LDAP"}, {"kyuubi.authentication.ldap.baseDN", kPeople}};
  o.expect_listening = false;
  GatewayProcess gw(o);
  auto status = gw.wait_exit(20s);
  ASSERT_TRUE(status.has_value()) << gw.log();
  EXPECT_NE(*status, 0);
  EXPECT_NE(gw.log().find("kyuubi.authentication.ldap.url is required"), std::string::npos)
      << gw.log();
}

}  // namespace
}  // namespace kitsune::testing
