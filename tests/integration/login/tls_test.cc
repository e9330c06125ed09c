// TLS on the Thrift binary port, through a real gateway: PEM files or a PKCS12 keystore, the
// server's certificate checked by the client, client certificates, versions, and plain clients
// refused with a reason.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include <boost/asio/ssl/context.hpp>

#include "gateway_calls.h"
#include "gateway_process.h"
#include "kitsune/transport/tls.h"
#include "login_calls.h"
#include "raw_socket.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr char kKeystorePassword[] = "ks-Pw-81c2d";
constexpr char kUserPassword[] = "pw-Tls-5e0a9";

class Tls : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kitsune-tls-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    make_test_pki(dir_, kKeystorePassword);
  }
  void TearDown() override { fs::remove_all(dir_); }

  GatewayOptions::Conf pem_conf() const {
    return {{"kyuubi.frontend.thrift.binary.ssl.enabled", "true"},
            {"kitsune.frontend.ssl.certificate.path", dir_ + "/server.pem"},
            {"kitsune.frontend.ssl.private.key.path", dir_ + "/server.key"},
            {"kitsune.authentication.audit.log", dir_ + "/audit.log"}};
  }

  client::ClientOptions tls_client(const GatewayProcess& gw, const std::string& ca = "ca.pem",
                                   bool with_client_cert = false) const {
    transport::TlsClientOptions t;
    t.ca_file = dir_ + "/" + ca;
    t.host_name = "127.0.0.1";
    if (with_client_cert) {
      t.cert_file = dir_ + "/client.pem";
      t.key_file = dir_ + "/client.key";
    }
    auto context = transport::make_client_tls_context(t);
    EXPECT_TRUE(context) << context.status().message();
    client::ClientOptions o;
    o.host = gw.host();
    o.port = gw.port();
    o.user = "alice";
    o.password = kUserPassword;
    o.tls = context ? *context : nullptr;
    o.tls_host = "127.0.0.1";
    return o;
  }

  std::string dir_;
};

TEST_F(Tls, AClientThatChecksTheCertificateRunsSqlOverTls) {
  GatewayOptions o;
  o.conf = pem_conf();
  GatewayProcess gw(o);
  Status s = run_coroutine(select_one_with(tls_client(gw)));
  EXPECT_TRUE(s.is_ok()) << s.message() << "\n" << gw.log();
  EXPECT_NE(read_file(dir_ + "/audit.log")
                .find("user=\"alice\"\tmechanism=PLAIN\t"
                      "transport=binary+tls\tresult=allowed"),
            std::string::npos)
      << read_file(dir_ + "/audit.log");
  EXPECT_EQ(gw.log().find(kUserPassword), std::string::npos);
}

TEST_F(Tls, APkcs12KeystoreServesTheSameAndItsPasswordIsNeverLogged) {
  GatewayOptions o;
  o.conf = {{"kyuubi.frontend.thrift.binary.ssl.enabled", "true"},
            {"kyuubi.frontend.ssl.keystore.path", dir_ + "/server.p12"},
            {"kyuubi.frontend.ssl.keystore.type", "PKCS12"},
            {"kyuubi.frontend.ssl.keystore.password", kKeystorePassword},
            {"kitsune.log.level", "debug"}};
  GatewayProcess gw(o);
  Status s = run_coroutine(select_one_with(tls_client(gw)));
  EXPECT_TRUE(s.is_ok()) << s.message() << "\n" << gw.log();
  EXPECT_EQ(gw.log().find(kKeystorePassword), std::string::npos) << gw.log();
}

TEST_F(Tls, AClientThatTrustsAnotherCaRefusesTheServer) {
  GatewayOptions o;
  o.conf = pem_conf();
  GatewayProcess gw(o);
  Status s = run_coroutine(select_one_with(tls_client(gw, "other-ca.pem")));
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("certificate verify failed"), std::string::npos) << s.message();
  // The server says why the handshake failed, and goes on.
  EXPECT_TRUE(gw.wait_for_log(std::regex("TLS handshake failed"), 5s)) << gw.log();
  EXPECT_TRUE(run_coroutine(select_one_with(tls_client(gw))).is_ok());
}

TEST_F(Tls, APlainSaslClientOnTheTlsPortIsToldToUseTls) {
  GatewayOptions o;
  o.conf = pem_conf();
  GatewayProcess gw(o);
  client::ClientOptions plain;
  plain.host = gw.host();
  plain.port = gw.port();
  plain.user = "alice";
  plain.password = kUserPassword;
  Status s = run_coroutine(select_one_with(plain));
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("this port requires TLS"), std::string::npos) << s.message();
  EXPECT_TRUE(gw.wait_for_log(std::regex("where a TLS handshake was expected"), 5s)) << gw.log();
  // A NOSASL client's bytes get the connection closed, and the log says why.
  RawSocket raw(gw.host(), gw.port());
  raw.send(std::vector<std::uint8_t>{0x80, 0x01, 0x00, 0x01, 0, 0, 0, 0});
  bool closed = false;
  raw.read_until_closed(5s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(gw.wait_for_log(std::regex("sent 0x80 where a TLS handshake was expected"), 5s));
  EXPECT_TRUE(run_coroutine(select_one_with(tls_client(gw))).is_ok());
}

TEST_F(Tls, ClientCertificatesAreRequiredWhenAClientCaIsSet) {
  GatewayOptions o;
  o.conf = pem_conf();
  o.conf.emplace_back("kitsune.frontend.ssl.client.ca.path", dir_ + "/ca.pem");
  GatewayProcess gw(o);
  Status without = run_coroutine(select_one_with(tls_client(gw)));
  EXPECT_FALSE(without.is_ok());
  Status with = run_coroutine(select_one_with(tls_client(gw, "ca.pem", true)));
  EXPECT_TRUE(with.is_ok()) << with.message() << "\n" << gw.log();
}

TEST_F(Tls, TheMinimumVersionRefusesOlderClients) {
  GatewayOptions o;
  o.conf = pem_conf();
  o.conf.emplace_back("kitsune.frontend.ssl.min.version", "TLSv1.3");
  GatewayProcess gw(o);
  auto options = tls_client(gw);
  SSL_CTX_set_max_proto_version(options.tls->native_handle(), TLS1_2_VERSION);
  Status old = run_coroutine(select_one_with(options));
  ASSERT_FALSE(old.is_ok());
  EXPECT_TRUE(gw.wait_for_log(std::regex("TLS handshake failed: .*(protocol|version)"), 5s))
      << gw.log();
  EXPECT_TRUE(run_coroutine(select_one_with(tls_client(gw))).is_ok());
}

TEST_F(Tls, MisconfiguredTlsStopsTheServerAtStartupNamingTheKey) {
  struct Case {
    GatewayOptions::Conf conf;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{{"kyuubi.frontend.thrift.binary.ssl.enabled", "true"}},
       "kyuubi.frontend.thrift.binary.ssl.enabled needs a certificate"},
      {{{"kyuubi.frontend.thrift.binary.ssl.enabled", "true"},
        {"kitsune.frontend.ssl.certificate.path", dir_ + "/missing.pem"}},
       "kitsune.frontend.ssl.certificate.path: cannot read"},
      {{{"kyuubi.frontend.thrift.binary.ssl.enabled", "true"},
        {"kitsune.frontend.ssl.certificate.path", dir_ + "/server.pem"},
        {"kitsune.frontend.ssl.private.key.path", dir_ + "/client.key"}},
       "does not match its certificate"},
      {{{"kyuubi.frontend.thrift.binary.ssl.enabled", "true"},
        {"kyuubi.frontend.ssl.keystore.path", dir_ + "/server.p12"},
        {"kyuubi.frontend.ssl.keystore.password", "wrong"}},
       "wrong password"},
      {{{"kyuubi.frontend.thrift.binary.ssl.enabled", "true"},
        {"kyuubi.frontend.ssl.keystore.path", dir_ + "/server.p12"},
        {"kyuubi.frontend.ssl.keystore.type", "JKS"}},
       "Kitsune reads PKCS12 keystores only"},
  };
  for (const auto& c : cases) {
    GatewayOptions o;
    o.conf = c.conf;
    o.expect_listening = false;
    GatewayProcess gw(o);
    EXPECT_EQ(gw.wait_exit(20s), 2) << gw.log();
    EXPECT_NE(gw.log().find(c.says), std::string::npos) << c.says << "\n" << gw.log();
  }
}

}  // namespace
}  // namespace kitsune::testing
