// A gateway configured for KERBEROS checks its identity at startup: a keytab that is missing or
// lacks the principal, no principal, a bad QOP or a bad auth_to_local rule stop it with exit
// status 2 and the key to fix; _HOST becomes the advertised host.
#include <gtest/gtest.h>

#include <regex>

#include "gateway_calls.h"
#include "kerberos_harness.h"
#include "raw_socket.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;

class KerberosStartup : public ::testing::Test {
 protected:
  // Starts a gateway with `conf` that must refuse to start, saying `why`.
  void refused_start(const GatewayOptions::Conf& conf, const std::string& why) {
    GatewayOptions o;
    o.conf = conf;
    o.expect_listening = false;
    GatewayProcess gw(o);
    auto status = gw.wait_exit(20s);
    EXPECT_TRUE(status.has_value()) << "the server kept running:\n" << gw.log();
    EXPECT_EQ(status.value_or(-1), 2) << gw.log();
    EXPECT_FALSE(gw.listening());
    // The process may be reaped before its last lines are read.
    EXPECT_TRUE(gw.wait_for_log(std::regex(escaped(why)), 5s)) << "expected: " << why << "\n"
                                                               << gw.log();
  }

  static std::string escaped(const std::string& text) {
    static const std::string special = R"(\^$.|?*+()[]{})";
    std::string out;
    for (char c : text) {
      if (special.find(c) != std::string::npos) out += '\\';
      out += c;
    }
    return out;
  }

  static void set(GatewayOptions::Conf& conf, const std::string& key, const std::string& value) {
    for (auto& [k, v] : conf) {
      if (k == key) {
        v = value;
        return;
      }
    }
    conf.emplace_back(key, value);
  }

  KerberosRealm realm_;
};

TEST_F(KerberosStartup, AKeytabWithoutThePrincipalStopsTheServerNamingTheKey) {
  auto conf = kerberos_conf(realm_, "auth");
  set(conf, "kyuubi.kinit.keytab", realm_.other_keytab());
  refused_start(conf, "kyuubi.kinit.keytab: the keytab '" + realm_.other_keytab() +
                          "' holds no key of hive/localhost@EXAMPLE.TEST");
}

TEST_F(KerberosStartup, AMissingKeytabStopsTheServerNamingTheKey) {
  auto conf = kerberos_conf(realm_, "auth");
  set(conf, "kyuubi.kinit.keytab", realm_.kdc().dir() + "/no-such.keytab");
  refused_start(conf, "kyuubi.kinit.keytab: cannot read the keytab");
}

TEST_F(KerberosStartup, KerberosWithoutAPrincipalStopsTheServerNamingTheKey) {
  refused_start({{"kyuubi.authentication", "KERBEROS"}, {"kyuubi.kinit.keytab", realm_.keytab()}},
                "kyuubi.authentication=KERBEROS needs kyuubi.kinit.principal");
}

TEST_F(KerberosStartup, APrincipalWithoutAHostStopsTheServer) {
  auto conf = kerberos_conf(realm_, "auth");
  set(conf, "kyuubi.kinit.principal", "hive@EXAMPLE.TEST");
  refused_start(conf, "kyuubi.kinit.principal: 'hive@EXAMPLE.TEST' must be service/host@REALM");
}

TEST_F(KerberosStartup, AnUnknownQopStopsTheServerNamingTheKey) {
  refused_start(kerberos_conf(realm_, "privacy"), "kyuubi.authentication.sasl.qop: 'privacy'");
}

TEST_F(KerberosStartup, ARuleThatDoesNotParseStopsTheServerNamingTheKey) {
  auto conf = kerberos_conf(realm_, "auth");
  set(conf, "hadoop.security.auth_to_local", "RULE:[1:$1](alice");
  refused_start(conf, "hadoop.security.auth_to_local: invalid rule: RULE:[1:$1](alice");
}

TEST_F(KerberosStartup, TheHostPlaceholderBecomesTheAdvertisedHost) {
  auto conf = kerberos_conf(realm_, "auth");
  set(conf, "kyuubi.kinit.principal", "hive/_HOST@EXAMPLE.TEST");
  set(conf, "kyuubi.frontend.advertised.host", "LocalHost");
  GatewayOptions o;
  o.conf = conf;
  GatewayProcess gw(o);
  EXPECT_TRUE(gw.wait_for_log(std::regex("GSSAPI as hive/localhost@EXAMPLE.TEST"), 5s)) << gw.log();
  asio::io_context io;
  auto session = run_for(
      io, open_session_with(gssapi_options(gw.host(), gw.port(), transport::Qop::kAuth)), 60s);
  ASSERT_TRUE(session && *session)
      << (session ? session->status().to_string() : "timed out") << "\n"
      << gw.log();
  auto user = run_for(io, session_user(session->value()), 60s);
  ASSERT_TRUE(user && *user);
  EXPECT_EQ(user->value(), "alice");
}

}  // namespace
}  // namespace kitsune::testing
