// Helpers of the Kerberos tests: a realm with alice, hive/localhost and other/localhost, a gateway
// that authenticates with it, logins through the project's client with Cyrus SASL GSSAPI, and a
// relay that records the bytes of one connection so that a test can see what went on the wire.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "client_session.h"
#include "gateway_process.h"
#include "kdc_process.h"
#include "kitsune/client/hs2_client.h"

namespace kitsune::testing {

// Passwords of the test users: they must never show up in a gateway log.
inline constexpr const char* kAlicePassword = "alice-Kpw-7Qz";
inline constexpr const char* kBobPassword = "bob-Kpw-9Xy";

// A KDC with alice (password kAlicePassword), hive/localhost and other/localhost, a keytab of
// hive/localhost, KRB5_CONFIG pointing at the realm, and KRB5CCNAME at a cache of alice's.
class KerberosRealm {
 public:
  explicit KerberosRealm(KdcOptions options = {});

  KdcProcess& kdc() { return *kdc_; }
  const std::string& keytab() const { return keytab_; }
  // A keytab that holds other/localhost only.
  const std::string& other_keytab() const { return other_keytab_; }
  const std::string& alice_ccache() const { return alice_ccache_; }

  // KRB5CCNAME of this process (the client's ticket cache) from now on.
  static void use_ccache(const std::string& ccache);

 private:
  std::optional<KdcProcess> kdc_;
  std::string keytab_;
  std::string other_keytab_;
  std::string alice_ccache_;
};

// The gateway's conf for KERBEROS (or `authentication`) at `qop` with this realm's keytab.
GatewayOptions::Conf kerberos_conf(const KerberosRealm& realm, const std::string& qop,
                                   const std::string& authentication = "KERBEROS");

// Client options for GSSAPI to hive/localhost at `qop` on host:port.
client::ClientOptions gssapi_options(const std::string& host, int port, transport::Qop qop);

// Connects with `options` and opens a session.
awaitable<Result<ClientSession>> open_session_with(client::ClientOptions options);

// GetInfo(CLI_USER_NAME) on the session: the user the session runs as.
awaitable<Result<std::string>> session_user(ClientSession& session);

// The first GSSAPI token (a Kerberos AP-REQ) of a login to `service`@`host` with the ticket cache
// in KRB5CCNAME, made with the GSS-API directly so that a test can send it later, or a failure.
Result<std::string> initial_gssapi_token(const std::string& service, const std::string& host);

// One negotiation message or data frame seen on the wire.
struct WireUnit {
  std::uint8_t status = 0;  // SASL status byte for negotiation messages, 0 for data frames
  std::vector<std::uint8_t> bytes;
};

// A byte stream of one direction split into its SASL negotiation messages (up to and including
// the COMPLETE one) and then the data frames after it.
struct WireSplit {
  std::vector<WireUnit> negotiation;
  std::vector<WireUnit> frames;
};
WireSplit split_sasl_stream(const std::vector<std::uint8_t>& bytes);

bool contains(const std::vector<std::uint8_t>& haystack, const std::string& needle);

// Relays connections from 127.0.0.1:port() to an upstream, one at a time, and records every byte
// in each direction.
class WireTap {
 public:
  WireTap(std::string upstream_host, int upstream_port);
  ~WireTap();
  WireTap(const WireTap&) = delete;
  WireTap& operator=(const WireTap&) = delete;

  int port() const { return port_; }
  std::vector<std::uint8_t> to_server() const;
  std::vector<std::uint8_t> to_client() const;

 private:
  void serve();
  void relay(int client, int server);

  std::string upstream_host_;
  int upstream_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::vector<std::uint8_t> to_server_;
  std::vector<std::uint8_t> to_client_;
  std::thread thread_;
};

}  // namespace kitsune::testing
