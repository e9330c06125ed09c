// SASL over Thrift (TSaslTransport): the negotiation messages, the server and client handshakes,
// and the mechanism interface that PLAIN implements now and GSSAPI plugs into later.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kitsune/auth/authenticator.h"
#include "kitsune/common/asio.h"
#include "kitsune/common/status.h"
#include "kitsune/transport/thrift_transport.h"

namespace kitsune::transport {

// The status byte that opens every negotiation message.
enum class SaslStatus : std::uint8_t { kStart = 1, kOk = 2, kBad = 3, kError = 4, kComplete = 5 };

struct SaslMessage {
  SaslStatus status;
  std::vector<std::uint8_t> payload;
};

// One server-side SASL mechanism instance, for one connection's negotiation.
class SaslServerMechanism {
 public:
  struct Step {
    enum class Kind { kContinue, kComplete, kFailed } kind;
    std::vector<std::uint8_t> challenge;  // sent with OK or COMPLETE
    std::string error;                    // sent with BAD when failed
  };
  virtual ~SaslServerMechanism() = default;
  virtual std::string_view name() const = 0;
  // Evaluates the client's next response. May await (a password check can block elsewhere).
  virtual awaitable<Step> evaluate(std::span<const std::uint8_t> response) = 0;
  // The authenticated user, once complete.
  virtual const std::string& authorization_id() const = 0;
  // Who the client said it was, as far as the negotiation got (for the audit log of a failure);
  // empty when it never said.
  virtual std::string attempted_user() const { return {}; }
  // The QOP wrapping negotiated, if any (none for PLAIN).
  virtual std::unique_ptr<SecurityLayer> take_security_layer() { return nullptr; }
};

// Makes the mechanism a client asked for, or returns nullptr when this server does not offer it.
using SaslMechanismFactory =
    std::function<std::unique_ptr<SaslServerMechanism>(std::string_view mechanism)>;

// PLAIN (RFC 4616) checked by a password provider. Refuses an empty user or password before the
// provider is asked, and an authorization id that differs from the user (impersonation goes
// through hive.server2.proxy.user, where the configuration can say no).
std::unique_ptr<SaslServerMechanism> make_plain_mechanism(
    std::shared_ptr<auth::PasswordAuthenticator> authenticator, auth::ClientInfo client);

struct SaslIdentity {
  std::string mechanism;
  std::string user;
};

// How far a negotiation got, for the audit log: the mechanism asked for and the user claimed.
struct SaslAttempt {
  std::string mechanism;
  std::string user;
};

// Runs the server side of the negotiation on a fresh connection (the client's first byte was
// START). On success the transport is switched to SASL framing (and wrapping, if negotiated).
// On failure the client has been sent BAD or ERROR with the reason, when it could be.
// `attempt`, when given, is filled in as the negotiation goes, success or not.
awaitable<Result<SaslIdentity>> sasl_server_handshake(ThriftTransport& transport,
                                                      const SaslMechanismFactory& mechanisms,
                                                      std::size_t max_negotiation_bytes,
                                                      ThriftTransport::Clock::time_point deadline,
                                                      SaslAttempt* attempt = nullptr);

// Runs the client side of PLAIN (as the Java client does: START, then COMPLETE with the initial
// response) and switches the transport to SASL framing.
awaitable<Status> sasl_client_plain(ThriftTransport& transport, const std::string& user,
                                    const std::string& password, std::size_t max_negotiation_bytes,
                                    ThriftTransport::Clock::time_point deadline);

// Negotiation message framing, exposed for tests and for refusing a client in its own framing.
std::vector<std::uint8_t> encode_sasl_message(SaslStatus status, std::string_view payload);
awaitable<Result<SaslMessage>> read_sasl_message(ThriftTransport& transport,
                                                 std::size_t max_payload,
                                                 ThriftTransport::Clock::time_point deadline);

}  // namespace kitsune::transport
