// Kerberos logins through a real gateway and a real MIT KDC: each QOP as it looks on the wire,
// the short user name, the refusals (no ticket, another service's ticket, an expired ticket, a
// forged token, a principal no rule maps), and GSSAPI beside PLAIN on one port.
#include <gtest/gtest.h>

#include <regex>

#include "gateway_calls.h"
#include "kerberos_harness.h"
#include "raw_socket.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;
using transport::Qop;

constexpr auto kCallTimeout = 60s;

class KerberosLogin : public ::testing::Test {
 protected:
  void SetUp() override { realm_.emplace(realm_options()); }

  void TearDown() override {
    if (gw_) {
      const std::string log = gw_->log();
      EXPECT_EQ(log.find(kAlicePassword), std::string::npos) << "alice's password is in the log";
      EXPECT_EQ(log.find(kBobPassword), std::string::npos) << "bob's password is in the log";
    }
    gw_.reset();
    realm_.reset();
  }

  virtual KdcOptions realm_options() { return {}; }

  GatewayProcess& start_gateway(const std::string& qop,
                                const std::string& authentication = "KERBEROS",
                                GatewayOptions::Conf extra = {}) {
    GatewayOptions o;
    o.conf = kerberos_conf(*realm_, qop, authentication);
    o.conf.insert(o.conf.end(), extra.begin(), extra.end());
    gw_.emplace(o);
    return *gw_;
  }

  // Logs in with `options`, opens a session and returns it, or fails the test.
  ClientSession login(client::ClientOptions options) {
    auto session = run_for(io_, open_session_with(std::move(options)), kCallTimeout);
    if (!session || !*session) {
      ADD_FAILURE() << "login failed: "
                    << (session ? session->status().to_string() : std::string("timed out")) << "\n"
                    << gw_->log();
      throw std::runtime_error("login failed");
    }
    return std::move(session->value());
  }

  // The status of a login with `options` that is expected to fail.
  Status refused_login(client::ClientOptions options) {
    auto session = run_for(io_, open_session_with(std::move(options)), kCallTimeout);
    if (!session) return Status::timed_out("the login did not end");
    if (*session) return Status::ok();
    return session->status();
  }

  std::vector<std::string> rows(ClientSession& session, const std::string& sql) {
    auto r = run_for(io_, query(session, sql), kCallTimeout);
    if (!r || !*r) {
      ADD_FAILURE() << sql << ": " << (r ? r->status().to_string() : std::string("timed out"))
                    << "\n"
                    << gw_->log();
      return {};
    }
    return std::move(r->value());
  }

  std::string user_of(ClientSession& session) {
    auto r = run_for(io_, session_user(session), kCallTimeout);
    if (!r || !*r) return "(GetInfo failed)";
    return r->value();
  }

  // The audit line of a login of `user` over GSSAPI, once it is logged.
  bool audited(const std::string& user, const std::string& result, const std::string& reason) {
    return gw_->wait_for_log(
        std::regex("login\\t.*user=\"" + user + "\"\\tmechanism=GSSAPI\\t.*result=" + result +
                   "\\treason=\"" + reason),
        5s);
  }

  std::optional<KerberosRealm> realm_;
  std::optional<GatewayProcess> gw_;
  asio::io_context io_;
};

// The first data frame each way, after the negotiation, as the tap recorded them.
struct FirstFrames {
  std::vector<std::uint8_t> request;
  std::vector<std::uint8_t> reply;
};

FirstFrames first_frames(const WireTap& tap) {
  const auto up = split_sasl_stream(tap.to_server());
  const auto down = split_sasl_stream(tap.to_client());
  FirstFrames f;
  if (!up.frames.empty()) f.request = up.frames.front().bytes;
  if (!down.frames.empty()) f.reply = down.frames.front().bytes;
  return f;
}

// RFC 4121 wrap token: TOK_ID 05 04, then flags where 0x02 means sealed (encrypted).
bool is_wrap_token(const std::vector<std::uint8_t>& frame) {
  return frame.size() > 16 && frame[0] == 0x05 && frame[1] == 0x04;
}
bool is_sealed(const std::vector<std::uint8_t>& frame) {
  return is_wrap_token(frame) && (frame[2] & 0x02) != 0;
}
bool is_plain_thrift(const std::vector<std::uint8_t>& frame) {
  return frame.size() > 4 && frame[0] == 0x80 && frame[1] == 0x01;
}

const std::string kMarker = "kitsune-wire-marker-42";

TEST_F(KerberosLogin, AClientWithATicketLogsInAtAuthAsItsShortNameWithFramesInTheClear) {
  auto& gw = start_gateway("auth");
  WireTap tap(gw.host(), gw.port());
  auto session = login(gssapi_options("127.0.0.1", tap.port(), Qop::kAuth));
  EXPECT_EQ(rows(session, "SELECT '" + kMarker + "'"), std::vector<std::string>{kMarker});
  EXPECT_EQ(user_of(session), "alice");
  EXPECT_TRUE(audited("alice", "allowed", "authenticated\"")) << gw.log();
  const auto f = first_frames(tap);
  EXPECT_TRUE(is_plain_thrift(f.request)) << "at auth a request frame is a Thrift message";
  EXPECT_TRUE(is_plain_thrift(f.reply));
  EXPECT_TRUE(contains(tap.to_server(), kMarker));
}

TEST_F(KerberosLogin, AClientWithATicketLogsInAtAuthIntWithSignedButReadableFrames) {
  auto& gw = start_gateway("auth-int");
  WireTap tap(gw.host(), gw.port());
  auto session = login(gssapi_options("127.0.0.1", tap.port(), Qop::kAuthInt));
  EXPECT_EQ(rows(session, "SELECT '" + kMarker + "'"), std::vector<std::string>{kMarker});
  EXPECT_EQ(user_of(session), "alice");
  EXPECT_TRUE(audited("alice", "allowed", "authenticated, frames wrapped")) << gw.log();
  const auto f = first_frames(tap);
  EXPECT_TRUE(is_wrap_token(f.request) && !is_sealed(f.request))
      << "at auth-int a request frame is an unsealed wrap token";
  EXPECT_TRUE(is_wrap_token(f.reply) && !is_sealed(f.reply));
  // Integrity protects the bytes without hiding them.
  EXPECT_TRUE(contains(tap.to_server(), kMarker));
  EXPECT_TRUE(contains(tap.to_client(), kMarker));
}

TEST_F(KerberosLogin, AClientWithATicketLogsInAtAuthConfWithSealedFrames) {
  auto& gw = start_gateway("auth-conf");
  WireTap tap(gw.host(), gw.port());
  auto session = login(gssapi_options("127.0.0.1", tap.port(), Qop::kAuthConf));
  EXPECT_EQ(rows(session, "SELECT '" + kMarker + "'"), std::vector<std::string>{kMarker});
  EXPECT_EQ(user_of(session), "alice");
  EXPECT_TRUE(audited("alice", "allowed", "authenticated, frames wrapped")) << gw.log();
  const auto f = first_frames(tap);
  EXPECT_TRUE(is_sealed(f.request)) << "at auth-conf a request frame is a sealed wrap token";
  EXPECT_TRUE(is_sealed(f.reply));
  EXPECT_FALSE(contains(tap.to_server(), kMarker)) << "the statement went in the clear";
  EXPECT_FALSE(contains(tap.to_client(), kMarker)) << "the result came back in the clear";
}

TEST_F(KerberosLogin, ALargeResultAtAuthConfArrivesInManyFramesNoLargerThanTheClientsBuffer) {
  auto& gw = start_gateway("auth-conf");
  WireTap tap(gw.host(), gw.port());
  auto options = gssapi_options("127.0.0.1", tap.port(), Qop::kAuthConf);
  options.gssapi.max_buffer = 65536;  // what Java clients announce
  auto session = login(options);
  // 1000 rows of 2000 characters: about 2 MB in one FetchResults reply.
  auto result = rows(session,
                     "WITH RECURSIVE t(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM t WHERE x < "
                     "1000) SELECT printf('%02000d', x) FROM t");
  ASSERT_EQ(result.size(), 1000u);
  EXPECT_EQ(result.front(), std::string(1999, '0') + "1");
  EXPECT_EQ(result.back(), std::string(1996, '0') + "1000");
  const auto down = split_sasl_stream(tap.to_client());
  std::size_t largest = 0;
  for (const auto& frame : down.frames) {
    largest = std::max(largest, frame.bytes.size());
    EXPECT_TRUE(is_sealed(frame.bytes));
  }
  EXPECT_GT(down.frames.size(), 30u) << "a 2 MB reply should span many 64 KB frames";
  EXPECT_LE(largest, 65536u);
  EXPECT_EQ(rows(session, "SELECT 1"), std::vector<std::string>{"1"});
}

TEST_F(KerberosLogin, ALargeRequestAtAuthConfIsSplitToTheServersFrameLimit) {
  auto& gw =
      start_gateway("auth-conf", "KERBEROS", {{"kitsune.frontend.thrift.max.frame.size", "65536"}});
  WireTap tap(gw.host(), gw.port());
  auto session = login(gssapi_options("127.0.0.1", tap.port(), Qop::kAuthConf));
  const std::string text(300000, 'k');
  EXPECT_EQ(rows(session, "SELECT length('" + text + "')"), std::vector<std::string>{"300000"});
  const auto up = split_sasl_stream(tap.to_server());
  std::size_t largest = 0;
  for (const auto& frame : up.frames)
    largest = std::max(largest, frame.bytes.size());
  EXPECT_GT(up.frames.size(), 4u);
  EXPECT_LE(largest, 65536u) << "the client sent a frame larger than the server announced";
}

TEST_F(KerberosLogin, ManyClientsLogInAtOnce) {
  auto& gw = start_gateway("auth-conf");
  auto one = [](std::string host, int port) -> awaitable<Status> {
    auto session = co_await open_session_with(gssapi_options(host, port, Qop::kAuthConf));
    if (!session) co_return session.status();
    auto r = co_await query(*session, "SELECT 7");
    if (!r) co_return r.status();
    if (*r != std::vector<std::string>{"7"}) co_return Status::error("wrong result");
    co_return Status::ok();
  };
  std::vector<awaitable<Status>> logins;
  for (int i = 0; i < 12; ++i)
    logins.push_back(one(gw.host(), gw.port()));
  auto results = run_all_for(io_, std::move(logins), 120s);
  for (const auto& r : results) {
    ASSERT_TRUE(r.has_value()) << "a login did not finish\n" << gw.log();
    EXPECT_TRUE(r->is_ok()) << r->to_string() << "\n" << gw.log();
  }
}

TEST_F(KerberosLogin, AClientThatOnlyAcceptsAuthIsRefusedByAnAuthConfServer) {
  auto& gw = start_gateway("auth-conf");
  Status s = refused_login(gssapi_options(gw.host(), gw.port(), Qop::kAuth));
  ASSERT_FALSE(s.is_ok()) << "a client without a security layer logged in at auth-conf";
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.to_string();
  EXPECT_NE(s.message().find("GSSAPI"), std::string::npos) << s.message();
  EXPECT_TRUE(gw.wait_for_log(std::regex("login failed"), 5s)) << gw.log();
}

TEST_F(KerberosLogin, AClientWithoutATicketIsRefusedWithAClearMessage) {
  auto& gw = start_gateway("auth");
  KerberosRealm::use_ccache(realm_->kdc().new_ccache());  // an empty cache
  Status s = refused_login(gssapi_options(gw.host(), gw.port(), Qop::kAuth));
  ASSERT_FALSE(s.is_ok()) << "a client without a ticket logged in";
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.to_string();
  EXPECT_NE(s.message().find("No Kerberos credentials available"), std::string::npos)
      << s.message();
}

TEST_F(KerberosLogin, AForgedGssapiTokenIsRefusedWithBadAndTheServerKeepsServing) {
  auto& gw = start_gateway("auth");
  {
    RawSocket raw(gw.host(), gw.port());
    // The framing of a Kerberos AP-REQ (RFC 1964: application tag, the krb5 OID, token id 01 00),
    // with garbage where the ticket should be.
    const std::vector<std::uint8_t> header{0x60, 0x13, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                           0xf7, 0x12, 0x01, 0x02, 0x02, 0x01, 0x00};
    std::string forged(header.begin(), header.end());
    forged += "not-a-real-ap-req";
    auto bytes = sasl_message(1, "GSSAPI");
    auto token = sasl_message(2, forged);
    bytes.insert(bytes.end(), token.begin(), token.end());
    ASSERT_TRUE(raw.send(bytes));
    bool closed = false;
    auto reply = raw.read_until_closed(10s, &closed);
    ASSERT_GE(reply.size(), 5u) << gw.log();
    EXPECT_EQ(reply[0], 3) << "expected BAD";
    const std::string message(reply.begin() + 5, reply.end());
    EXPECT_NE(message.find("GSSAPI login refused"), std::string::npos) << message;
  }
  auto session = login(gssapi_options(gw.host(), gw.port(), Qop::kAuth));
  EXPECT_EQ(rows(session, "SELECT 1"), std::vector<std::string>{"1"});
}

TEST_F(KerberosLogin, ATicketForAnotherServiceIsRefused) {
  auto& gw = start_gateway("auth");
  auto options = gssapi_options(gw.host(), gw.port(), Qop::kAuth);
  options.gssapi.service = "other";  // other/localhost: a real principal, not the server's
  Status s = refused_login(options);
  ASSERT_FALSE(s.is_ok()) << "a ticket for other/localhost was accepted by hive/localhost";
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.to_string();
  EXPECT_NE(s.message().find("server refused the login: GSSAPI login refused"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("other/localhost@EXAMPLE.TEST"), std::string::npos) << s.message();
  EXPECT_TRUE(gw.wait_for_log(std::regex("mechanism=GSSAPI.*result=refused"), 5s)) << gw.log();
}

TEST_F(KerberosLogin, AuthToLocalRulesGiveTheSessionUser) {
  auto& gw = start_gateway(
      "auth", "KERBEROS",
      {{"hadoop.security.auth_to_local", "RULE:[1:$1@$0](alice@EXAMPLE\\.TEST)s/.*/analyst/"}});
  auto session = login(gssapi_options(gw.host(), gw.port(), Qop::kAuth));
  EXPECT_EQ(user_of(session), "analyst");
  EXPECT_TRUE(audited("analyst", "allowed", "authenticated")) << gw.log();
}

TEST_F(KerberosLogin, APrincipalThatNoRuleMapsIsRefused) {
  auto& gw = start_gateway("auth", "KERBEROS",
                           {{"hadoop.security.auth_to_local", "RULE:[2:$1@$0](.*)s/.*/svc/"}});
  Status s = refused_login(gssapi_options(gw.host(), gw.port(), Qop::kAuth));
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("No rules applied to alice@EXAMPLE.TEST"), std::string::npos)
      << s.message();
  EXPECT_TRUE(audited("alice@EXAMPLE.TEST", "refused", "GSSAPI login refused")) << gw.log();
}

TEST_F(KerberosLogin, KerberosBesideNoneOnOnePortAcceptsGssapiAndPlain) {
  auto& gw = start_gateway("auth", "KERBEROS,NONE");
  auto kerberos = login(gssapi_options(gw.host(), gw.port(), Qop::kAuth));
  EXPECT_EQ(user_of(kerberos), "alice");
  client::ClientOptions plain;
  plain.host = gw.host();
  plain.port = gw.port();
  plain.auth = client::ClientAuth::kPlain;
  plain.user = "bob";
  plain.password = kBobPassword;
  auto password = login(plain);
  EXPECT_EQ(user_of(password), "bob");
  EXPECT_EQ(rows(kerberos, "SELECT 1"), std::vector<std::string>{"1"});
  EXPECT_EQ(rows(password, "SELECT 2"), std::vector<std::string>{"2"});
}

TEST_F(KerberosLogin, KerberosAloneDoesNotOfferPlain) {
  auto& gw = start_gateway("auth");
  client::ClientOptions plain;
  plain.host = gw.host();
  plain.port = gw.port();
  plain.auth = client::ClientAuth::kPlain;
  plain.user = "bob";
  plain.password = kBobPassword;
  Status s = refused_login(plain);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("Unsupported mechanism type PLAIN"), std::string::npos) << s.message();
}

// Tickets that live 4 seconds, and servers that forgive 1 second past their end.
class KerberosExpiry : public KerberosLogin {
 protected:
  KdcOptions realm_options() override {
    KdcOptions o;
    o.clockskew = 1s;
    return o;
  }
};

TEST_F(KerberosExpiry, AClientWhoseTicketHasExpiredCannotLogIn) {
  auto& gw = start_gateway("auth");
  auto& kdc = realm_->kdc();
  const std::string cache = kdc.new_ccache();
  const auto got = std::chrono::steady_clock::now();
  auto r = kdc.kinit("alice", kAlicePassword, cache, "4s");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = kdc.kvno("hive/localhost@EXAMPLE.TEST", cache);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  KerberosRealm::use_ccache(cache);
  // Still valid: it works.
  auto session = login(gssapi_options(gw.host(), gw.port(), Qop::kAuth));
  session.client->close();
  std::this_thread::sleep_until(got + 7s);

  // The client library itself will not use it.
  Status s = refused_login(gssapi_options(gw.host(), gw.port(), Qop::kAuth));
  ASSERT_FALSE(s.is_ok()) << "an expired ticket was used";
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.to_string();
  EXPECT_NE(s.message().find("expired"), std::string::npos) << s.message();
}

TEST_F(KerberosExpiry, AnExpiredTicketPresentedToTheServerIsRefused) {
  auto& gw = start_gateway("auth");
  auto& kdc = realm_->kdc();
  const std::string cache = kdc.new_ccache();
  const auto got = std::chrono::steady_clock::now();
  auto r = kdc.kinit("alice", kAlicePassword, cache, "4s");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  KerberosRealm::use_ccache(cache);
  // The AP-REQ is made while the ticket is valid and presented once it no longer is, as a client
  // with a wrong clock, or one replaying what it captured, would.
  auto token = initial_gssapi_token("hive", "localhost");
  ASSERT_TRUE(token) << token.status().message();
  std::this_thread::sleep_until(got + 7s);
  RawSocket raw(gw.host(), gw.port());
  auto bytes = sasl_message(1, "GSSAPI");
  auto first = sasl_message(2, *token);
  bytes.insert(bytes.end(), first.begin(), first.end());
  ASSERT_TRUE(raw.send(bytes));
  bool closed = false;
  auto reply = raw.read_until_closed(10s, &closed);
  ASSERT_GE(reply.size(), 5u) << gw.log();
  EXPECT_EQ(reply[0], 3) << "expected BAD";
  const std::string message(reply.begin() + 5, reply.end());
  EXPECT_NE(message.find("GSSAPI login refused"), std::string::npos) << message;
  EXPECT_NE(message.find("expired"), std::string::npos) << message;
}

}  // namespace
}  // namespace kitsune::testing
