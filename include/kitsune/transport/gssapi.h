// Kerberos for the Thrift transports: the server and client sides of SASL GSSAPI (RFC 4752)
// through Cyrus SASL, with the quality of protection (auth, auth-int, auth-conf) applied to every
// data frame when it is not auth.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kitsune/auth/authenticator.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"
#include "kitsune/transport/sasl.h"
#include "kitsune/transport/thrift_transport.h"

namespace kitsune::transport {

enum class Qop { kAuth, kAuthInt, kAuthConf };

// "auth", "auth-int" or "auth-conf" (any case), as kyuubi.authentication.sasl.qop says it.
Result<Qop> parse_qop(std::string_view text);
std::string_view to_string(Qop qop);

struct GssapiServerOptions {
  std::string principal;  // kyuubi.kinit.principal with _HOST expanded: service/host@REALM
  std::string keytab;     // kyuubi.kinit.keytab
  Qop qop = Qop::kAuth;   // kyuubi.authentication.sasl.qop: the one layer offered
  std::vector<std::string> auth_to_local;  // hadoop.security.auth_to_local
  // The largest wrapped frame the server announces it accepts (at most 16 MB, the most a GSSAPI
  // layer can say): kitsune.frontend.thrift.max.frame.size, so that no client that obeys it sends
  // a frame the transport refuses.
  std::size_t max_buffer = 0xFFFFFF;

  // Reads the keys above; `host` replaces _HOST (the server's advertised host name).
  static Result<GssapiServerOptions> from_conf(const config::Conf& conf, std::string_view host);
};

// The server side, shared by every connection of a frontend. The service and host that Cyrus SASL
// accepts as come from the principal; MIT GSSAPI reads the keytab registered at create() (a
// process-wide setting: one Kerberos identity per process).
class GssapiServer {
 public:
  virtual ~GssapiServer() = default;

  // Checks now that the keytab exists and holds the principal, so that a misconfigured server
  // fails at startup with the reason, not at the first client.
  static Result<std::shared_ptr<GssapiServer>> create(GssapiServerOptions options);

  // A mechanism for one connection's negotiation. Its steps that can block (reading the keytab
  // and the replay cache) run on a pool of the server's own and resume on the caller's strand.
  // Once complete, authorization_id() is the short user name (auth_to_local applied to the
  // client's principal) and take_security_layer() wraps frames when the QOP is not auth.
  virtual std::unique_ptr<SaslServerMechanism> new_mechanism(const auth::ClientInfo& client) = 0;
};

struct GssapiClientOptions {
  std::string service = "hive";  // the first part of the server's principal
  std::string host;              // its instance (the server's host name)
  Qop qop = Qop::kAuth;          // the strongest layer the client accepts (it takes the best)
  // The largest wrapped token the client accepts, announced to the server, which splits larger
  // replies into several frames (Java clients announce 65536); 0 or more than 16 MB: 16 MB.
  std::size_t max_buffer = 0;
};

// The client side: START GSSAPI, the token exchange, the security-layer choice; then the
// transport is in SASL framing with the negotiated layer. Uses the ticket cache in KRB5CCNAME.
// Blocks briefly in the Kerberos library (the KDC round trip for a service ticket happens in the
// first step); meant for tests and tools, not for the gateway's hot path.
awaitable<Status> sasl_client_gssapi(ThriftTransport& transport, const GssapiClientOptions& options,
                                     std::size_t max_negotiation_bytes,
                                     ThriftTransport::Clock::time_point deadline);

}  // namespace kitsune::transport
