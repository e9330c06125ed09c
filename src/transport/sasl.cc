// SASL negotiation over Thrift: message framing, server and client handshakes, PLAIN.
#include "kitsune/transport/sasl.h"

#include <array>

namespace kitsune::transport {
namespace {

constexpr std::size_t kHeader = 5;

std::string as_text(std::span<const std::uint8_t> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

class PlainMechanism final : public SaslServerMechanism {
 public:
  PlainMechanism(std::shared_ptr<auth::PasswordAuthenticator> authenticator,
                 auth::ClientInfo client)
      : authenticator_(std::move(authenticator)), client_(std::move(client)) {}

  std::string_view name() const override { return "PLAIN"; }
  const std::string& authorization_id() const override { return user_; }
  std::string attempted_user() const override { return attempted_; }

  awaitable<Step> evaluate(std::span<const std::uint8_t> response) override {
    // [authzid] NUL authcid NUL passwd
    const std::string text = as_text(response);
    const auto first = text.find('\0');
    const auto second = first == std::string::npos ? std::string::npos : text.find('\0', first + 1);
    if (first == std::string::npos || second == std::string::npos ||
        text.find('\0', second + 1) != std::string::npos) {
      co_return failed("Error validating the login: malformed PLAIN response");
    }
    const std::string authzid = text.substr(0, first);
    std::string user = text.substr(first + 1, second - first - 1);
    attempted_ = user;
    std::string password = text.substr(second + 1);
    if (user.empty()) co_return failed("Error validating the login: no user name provided");
    if (password.empty()) co_return failed("Error validating the login: no password provided");
    if (!authzid.empty() && authzid != user) {
      co_return failed("Error validating the login: authorization id '" + authzid +
                       "' differs from user '" + user +
                       "'; use hive.server2.proxy.user to act as another user");
    }
    Status s = co_await authenticator_->authenticate(user, password, client_);
    // The password is not needed past this point.
    std::fill(password.begin(), password.end(), '\0');
    if (!s.is_ok()) co_return failed("Error validating the login: " + s.message());
    user_ = std::move(user);
    co_return Step{Step::Kind::kComplete, {}, {}};
  }

 private:
  static Step failed(std::string why) { return Step{Step::Kind::kFailed, {}, std::move(why)}; }

  std::shared_ptr<auth::PasswordAuthenticator> authenticator_;
  auth::ClientInfo client_;
  std::string user_;
  std::string attempted_;
};

awaitable<void> send_quietly(ThriftTransport& t, SaslStatus status, std::string_view payload,
                             ThriftTransport::Clock::time_point deadline) {
  auto bytes = encode_sasl_message(status, payload);
  (void)co_await t.write_all(bytes, deadline);
}

// Tells the client why its negotiation bytes were refused, when they (not the connection) were
// the problem.
awaitable<void> refuse_bad_bytes(ThriftTransport& t, const Status& why,
                                 ThriftTransport::Clock::time_point deadline) {
  if (why.code() == StatusCode::kError || why.code() == StatusCode::kResourceExhausted) {
    co_await send_quietly(t, SaslStatus::kError, why.message(), deadline);
  }
}

}  // namespace

std::unique_ptr<SaslServerMechanism> make_plain_mechanism(
    std::shared_ptr<auth::PasswordAuthenticator> authenticator, auth::ClientInfo client) {
  return std::make_unique<PlainMechanism>(std::move(authenticator), std::move(client));
}

std::vector<std::uint8_t> encode_sasl_message(SaslStatus status, std::string_view payload) {
  std::vector<std::uint8_t> out(kHeader + payload.size());
  out[0] = static_cast<std::uint8_t>(status);
  const auto n = static_cast<std::uint32_t>(payload.size());
  out[1] = static_cast<std::uint8_t>(n >> 24);
  out[2] = static_cast<std::uint8_t>(n >> 16);
  out[3] = static_cast<std::uint8_t>(n >> 8);
  out[4] = static_cast<std::uint8_t>(n);
  std::copy(payload.begin(), payload.end(), out.begin() + kHeader);
  return out;
}

awaitable<Result<SaslMessage>> read_sasl_message(ThriftTransport& transport,
                                                 std::size_t max_payload,
                                                 ThriftTransport::Clock::time_point deadline) {
  std::array<std::uint8_t, kHeader> header{};
  Status s = co_await transport.read_exact(header, deadline);
  if (!s.is_ok()) co_return s;
  const std::uint8_t status = header[0];
  if (status < 1 || status > 5) {
    co_return Status::error("invalid SASL status byte " + std::to_string(status));
  }
  const auto len = static_cast<std::int32_t>((std::uint32_t{header[1]} << 24) |
                                             (std::uint32_t{header[2]} << 16) |
                                             (std::uint32_t{header[3]} << 8) | header[4]);
  if (len < 0) co_return Status::error("Invalid payload header length: " + std::to_string(len));
  if (static_cast<std::size_t>(len) > max_payload) {
    co_return Status(StatusCode::kResourceExhausted,
                     "Invalid payload header length: a SASL negotiation message of " +
                         std::to_string(len) + " bytes exceeds the limit of " +
                         std::to_string(max_payload));
  }
  SaslMessage msg{static_cast<SaslStatus>(status), std::vector<std::uint8_t>(len)};
  if (len > 0) {
    s = co_await transport.read_exact(msg.payload, deadline);
    if (!s.is_ok()) co_return s;
  }
  co_return msg;
}

awaitable<Result<SaslIdentity>> sasl_server_handshake(ThriftTransport& transport,
                                                      const SaslMechanismFactory& mechanisms,
                                                      std::size_t max_negotiation_bytes,
                                                      ThriftTransport::Clock::time_point deadline,
                                                      SaslAttempt* attempt) {
  SaslAttempt ignored;
  if (!attempt) attempt = &ignored;
  auto start = co_await read_sasl_message(transport, max_negotiation_bytes, deadline);
  if (!start) {
    co_await refuse_bad_bytes(transport, start.status(), deadline);
    co_return start.status();
  }
  if (start->status != SaslStatus::kStart) {
    const std::string why =
        "Expecting START status, received " + std::to_string(static_cast<int>(start->status));
    co_await send_quietly(transport, SaslStatus::kError, why, deadline);
    co_return Status::error(why);
  }
  const std::string mechanism_name = as_text(start->payload);
  attempt->mechanism = mechanism_name;
  auto mechanism = mechanisms(mechanism_name);
  if (!mechanism) {
    const std::string why = "Unsupported mechanism type " + mechanism_name;
    co_await send_quietly(transport, SaslStatus::kBad, why, deadline);
    co_return Status::unauthenticated(why);
  }
  while (true) {
    auto msg = co_await read_sasl_message(transport, max_negotiation_bytes, deadline);
    if (!msg) {
      co_await refuse_bad_bytes(transport, msg.status(), deadline);
      co_return msg.status();
    }
    if (msg->status == SaslStatus::kBad || msg->status == SaslStatus::kError) {
      co_return Status::unauthenticated("client ended the SASL negotiation: " +
                                        as_text(msg->payload));
    }
    if (msg->status != SaslStatus::kOk && msg->status != SaslStatus::kComplete) {
      const std::string why = "Expecting OK or COMPLETE status, received " +
                              std::to_string(static_cast<int>(msg->status));
      co_await send_quietly(transport, SaslStatus::kError, why, deadline);
      co_return Status::error(why);
    }
    auto step = co_await mechanism->evaluate(msg->payload);
    attempt->user = mechanism->attempted_user();
    if (step.kind == SaslServerMechanism::Step::Kind::kFailed) {
      co_await send_quietly(transport, SaslStatus::kBad, step.error, deadline);
      co_return Status::unauthenticated(step.error);
    }
    const bool done = step.kind == SaslServerMechanism::Step::Kind::kComplete;
    auto reply =
        encode_sasl_message(done ? SaslStatus::kComplete : SaslStatus::kOk,
                            std::string_view(reinterpret_cast<const char*>(step.challenge.data()),
                                             step.challenge.size()));
    Status s = co_await transport.write_all(reply, deadline);
    if (!s.is_ok()) co_return s;
    if (done) {
      attempt->user = mechanism->authorization_id();
      transport.set_framing(Framing::kSaslFramed);
      transport.set_security_layer(mechanism->take_security_layer());
      co_return SaslIdentity{std::string(mechanism->name()), mechanism->authorization_id()};
    }
  }
}

awaitable<Status> sasl_client_plain(ThriftTransport& transport, const std::string& user,
                                    const std::string& password, std::size_t max_negotiation_bytes,
                                    ThriftTransport::Clock::time_point deadline) {
  auto start = encode_sasl_message(SaslStatus::kStart, "PLAIN");
  std::string response;
  response.reserve(user.size() + password.size() + 2);
  response += '\0';
  response += user;
  response += '\0';
  response += password;
  auto initial = encode_sasl_message(SaslStatus::kComplete, response);
  std::fill(response.begin(), response.end(), '\0');
  start.insert(start.end(), initial.begin(), initial.end());
  std::fill(initial.begin(), initial.end(), 0);
  Status s = co_await transport.write_all(start, deadline);
  std::fill(start.begin(), start.end(), 0);
  if (!s.is_ok()) co_return s;
  auto reply = co_await read_sasl_message(transport, max_negotiation_bytes, deadline);
  if (!reply) co_return reply.status();
  switch (reply->status) {
    case SaslStatus::kComplete:
      transport.set_framing(Framing::kSaslFramed);
      co_return Status::ok();
    case SaslStatus::kBad:
    case SaslStatus::kError:
      co_return Status::unauthenticated("server refused the login: " + as_text(reply->payload));
    default:
      co_return Status::error("unexpected SASL status " +
                              std::to_string(static_cast<int>(reply->status)) +
                              " from the server during PLAIN");
  }
}

}  // namespace kitsune::transport
