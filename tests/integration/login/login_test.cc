// Bad bytes during the login, through a real gateway: an unknown mechanism, a truncated
// negotiation, data before the negotiation completes, a login that never finishes. Each is
// refused with a clear message, no session is created, the attempt is in the audit log, and the
// gateway keeps serving everyone else.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <thread>

#include "gateway_calls.h"
#include "gateway_process.h"
#include "kitsune/transport/thrift_codec.h"
#include "login_calls.h"
#include "raw_socket.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr char kPassword[] = "pw-Audit-3f9c1e";

class Login : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kitsune-login-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    audit_path_ = dir_ + "/audit.log";
    GatewayOptions o;
    o.conf = {{"kyuubi.frontend.login.timeout", "PT2S"},
              {"kitsune.authentication.audit.log", audit_path_}};
    gw_.emplace(o);
  }
  void TearDown() override {
    // Whatever happened, no password reached a log.
    if (gw_) {
      EXPECT_EQ(gw_->log().find(kPassword), std::string::npos) << gw_->log();
    }
    EXPECT_EQ(audit().find(kPassword), std::string::npos) << audit();
    gw_.reset();
    fs::remove_all(dir_);
  }

  std::string audit() const { return read_file(audit_path_); }

  // Waits for an audit line matching `re`.
  bool wait_for_audit(const std::regex& re, std::chrono::milliseconds timeout = 5s) const {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      if (std::regex_search(audit(), re)) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  // The gateway still logs a user in and serves a session, and opened no other session.
  void expect_serves_others_and_opened_nothing() {
    EXPECT_EQ(gw_->log().find("] opened for"), std::string::npos)
        << "a session was opened by a failed login\n"
        << gw_->log();
    client::ClientOptions ok;
    ok.host = gw_->host();
    ok.port = gw_->port();
    ok.user = "bob";
    ok.password = kPassword;
    Status s = run_coroutine(select_one_with(ok));
    EXPECT_TRUE(s.is_ok()) << s.message() << "\n" << gw_->log();
  }

  std::string dir_;
  std::string audit_path_;
  std::optional<GatewayProcess> gw_;
};

std::string payload_of(const std::vector<std::uint8_t>& reply) {
  return reply.size() > 5 ? std::string(reply.begin() + 5, reply.end()) : std::string();
}

TEST_F(Login, AnUnknownMechanismIsRefusedWithBadAndItsName) {
  RawSocket s(gw_->host(), gw_->port());
  s.send(sasl_message(1, "DIGEST-MD5"));
  bool closed = false;
  auto reply = s.read_until_closed(5s, &closed);
  EXPECT_TRUE(closed);
  ASSERT_GE(reply.size(), 5u);
  EXPECT_EQ(reply[0], 3) << "BAD";
  EXPECT_EQ(payload_of(reply), "Unsupported mechanism type DIGEST-MD5");
  EXPECT_TRUE(wait_for_audit(std::regex(
      "login\tclient=127\\.0\\.0\\.1:\\d+\tuser=\"\"\tmechanism=DIGEST-MD5\ttransport=binary\t"
      "result=refused\treason=\"Unsupported mechanism type DIGEST-MD5\"")))
      << audit();
  expect_serves_others_and_opened_nothing();
}

TEST_F(Login, ATruncatedNegotiationMessageIsRefusedWhenTheClientGoes) {
  {
    RawSocket s(gw_->host(), gw_->port());
    auto start = sasl_message(1, "PLAIN");
    // An OK message that announces 100 bytes and brings 10.
    auto partial = be32(100);
    partial.insert(partial.begin(), 2);
    partial.insert(partial.end(), 10, 'x');
    start.insert(start.end(), partial.begin(), partial.end());
    s.send(start);
  }  // the client goes away mid-message
  EXPECT_TRUE(wait_for_audit(std::regex(
      "mechanism=PLAIN\ttransport=binary\tresult=refused\treason=\"closed the connection during "
      "the SASL negotiation\"")))
      << audit();
  expect_serves_others_and_opened_nothing();
}

TEST_F(Login, DataBeforeTheNegotiationCompletesIsRefusedWithError) {
  tcli::TOpenSessionReq req;
  req.client_protocol = tcli::TProtocolVersion::HIVE_CLI_SERVICE_PROTOCOL_V10;
  tcli::TCLIService_OpenSession_pargs args;
  args.req = &req;
  transport::MessageEncoder encoder;
  auto message = encoder.encode("OpenSession", transport::MessageType::kCall, 1, args);
  // START PLAIN, then at once a data frame where the PLAIN response should be.
  auto bytes = sasl_message(1, "PLAIN");
  auto frame = be32(static_cast<std::uint32_t>(message.size()));
  bytes.insert(bytes.end(), frame.begin(), frame.end());
  bytes.insert(bytes.end(), message.begin(), message.end());
  RawSocket s(gw_->host(), gw_->port());
  s.send(bytes);
  bool closed = false;
  auto reply = s.read_until_closed(5s, &closed);
  EXPECT_TRUE(closed);
  ASSERT_GE(reply.size(), 5u);
  EXPECT_EQ(reply[0], 4) << "ERROR";
  EXPECT_EQ(payload_of(reply), "invalid SASL status byte 0");
  EXPECT_TRUE(wait_for_audit(
      std::regex("mechanism=PLAIN\t.*result=refused\treason=\"invalid SASL status byte 0\"")))
      << audit();
  expect_serves_others_and_opened_nothing();
}

TEST_F(Login, ALoginThatNeverFinishesIsClosedAtTheLoginDeadline) {
  RawSocket s(gw_->host(), gw_->port());
  const auto began = std::chrono::steady_clock::now();
  s.send(sasl_message(1, "PLAIN"));  // and then nothing
  bool closed = false;
  s.read_until_closed(10s, &closed);
  const auto took = std::chrono::steady_clock::now() - began;
  EXPECT_TRUE(closed);
  EXPECT_GE(took, 1500ms);
  EXPECT_LE(took, 6s);
  EXPECT_TRUE(
      wait_for_audit(std::regex("mechanism=PLAIN\t.*result=refused\treason=\"the login "
                                "did not finish within the login timeout")))
      << audit();
  expect_serves_others_and_opened_nothing();
}

TEST_F(Login, AConnectionThatSaysNothingIsClosedAtTheLoginDeadline) {
  RawSocket s(gw_->host(), gw_->port());
  bool closed = false;
  s.read_until_closed(10s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(wait_for_audit(
      std::regex("result=refused\treason=\"sent nothing within the login timeout\"")))
      << audit();
  expect_serves_others_and_opened_nothing();
}

TEST_F(Login, AGoodLoginIsAuditedWithItsUserAndMechanismAndNoPassword) {
  client::ClientOptions o;
  o.host = gw_->host();
  o.port = gw_->port();
  o.user = "carol";
  o.password = kPassword;
  Status s = run_coroutine(select_one_with(o));
  ASSERT_TRUE(s.is_ok()) << s.message() << "\n" << gw_->log();
  EXPECT_TRUE(wait_for_audit(std::regex(
      "^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} login\tclient=127\\.0\\.0\\.1:"
      "\\d+\tuser=\"carol\"\tmechanism=PLAIN\ttransport=binary\tresult=allowed\t"
      "reason=\"authenticated\"$",
      std::regex::multiline)))
      << audit();
}

TEST_F(Login, AUserNameCannotForgeAnAuditLine) {
  // An empty password is refused before any provider, and the user name is written escaped.
  RawSocket s(gw_->host(), gw_->port());
  auto bytes = sasl_message(1, "PLAIN");
  static constexpr char kResponse[] = "\0eve\nlogin\tresult=allowed\0";  // empty password
  auto response = sasl_message(2, std::string(kResponse, sizeof kResponse - 1));
  bytes.insert(bytes.end(), response.begin(), response.end());
  s.send(bytes);
  bool closed = false;
  auto reply = s.read_until_closed(5s, &closed);
  ASSERT_GE(reply.size(), 5u);
  EXPECT_EQ(reply[0], 3) << "BAD";
  EXPECT_EQ(payload_of(reply), "Error validating the login: no password provided");
  EXPECT_TRUE(wait_for_audit(std::regex(
      "user=\"eve\\\\x0alogin\\\\x09result=allowed\"\tmechanism=PLAIN\ttransport=binary\t"
      "result=refused\treason=\"Error validating the login: no password provided\"")))
      << audit();
  std::smatch m;
  const std::string text = audit();
  EXPECT_FALSE(
      std::regex_search(text, m, std::regex("^login\tresult=allowed", std::regex::multiline)))
      << text;
  expect_serves_others_and_opened_nothing();
}

TEST_F(Login, TheAuditLogGoesToTheServerLogWhenNoFileIsSet) {
  GatewayOptions o;
  GatewayProcess plain(o);
  client::ClientOptions c;
  c.host = plain.host();
  c.port = plain.port();
  c.user = "dave";
  c.password = kPassword;
  Status s = run_coroutine(select_one_with(c));
  ASSERT_TRUE(s.is_ok()) << s.message();
  EXPECT_TRUE(plain.wait_for_log(std::regex("\\[audit\\] login\tclient=127\\.0\\.0\\.1:\\d+\t"
                                            "user=\"dave\"\tmechanism=PLAIN\t.*result=allowed"),
                                 5s))
      << plain.log();
  EXPECT_EQ(plain.log().find(kPassword), std::string::npos);
}

}  // namespace
}  // namespace kitsune::testing
