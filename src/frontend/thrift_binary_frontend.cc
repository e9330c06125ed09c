// ThriftBinaryFrontend: accept loop, transport detection from the first byte, login, and the
// per-connection call loop.
#include "kitsune/frontend/thrift_binary_frontend.h"

#include <netdb.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "dispatcher.h"
#include "kitsune/common/log.h"
#include "kitsune/frontend/http_server.h"
#include "kitsune/transport/sasl.h"
#include "kitsune/transport/thrift_codec.h"
#include "kitsune/transport/tls.h"

namespace kitsune::frontend {
namespace {

using transport::ThriftTransport;

enum class Speaks { kBinary, kSasl, kTls, kHttp, kUnknown };

Speaks classify(std::uint8_t first) {
  if (first == 0x80) return Speaks::kBinary;      // strict TBinaryProtocol version word
  if (first == 0x01) return Speaks::kSasl;        // SASL START
  if (first == 0x16) return Speaks::kTls;         // TLS handshake record
  if (std::isupper(first)) return Speaks::kHttp;  // GET, POST, HEAD, PUT, OPTIONS...
  return Speaks::kUnknown;
}

std::string byte_hex(std::uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

// A relayed reply written straight to the client's connection as it arrives: one SASL frame of
// the message's length, then the bytes as they come. With a SASL security layer the whole
// message must be wrapped at once, so then it is gathered first.
class TransportReplyStream : public ReplyStream {
 public:
  explicit TransportReplyStream(transport::ThriftTransport& t) : t_(t) {}

  void reset() {
    started_ = false;
    gathered_ = {};
  }

  awaitable<Status> begin(std::size_t length) override {
    started_ = true;
    length_ = length;
    if (t_.framing() != transport::Framing::kSaslFramed) co_return Status::ok();
    if (t_.has_security_layer()) {
      gathered_.reserve(length);
      co_return Status::ok();
    }
    const auto n = static_cast<std::uint32_t>(length);
    const std::array<std::uint8_t, 4> header{
        static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
        static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
    co_return co_await t_.write_all(header, deadline());
  }

  awaitable<Status> write(std::span<const std::uint8_t> bytes) override {
    if (t_.framing() == transport::Framing::kSaslFramed && t_.has_security_layer()) {
      gathered_.insert(gathered_.end(), bytes.begin(), bytes.end());
      if (gathered_.size() < length_) co_return Status::ok();
      Status s = co_await t_.write_message(gathered_);
      gathered_ = {};
      co_return s;
    }
    co_return co_await t_.write_all(bytes, deadline());
  }

 private:
  transport::ThriftTransport::Clock::time_point deadline() const {
    return transport::ThriftTransport::Clock::now() + t_.limits().read_timeout;
  }

  transport::ThriftTransport& t_;
  std::size_t length_ = 0;
  std::vector<std::uint8_t> gathered_;
};

}  // namespace

std::string local_host_address() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) == 0) {
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(name, nullptr, &hints, &res) == 0 && res) {
      char host[NI_MAXHOST] = {};
      const bool ok = getnameinfo(res->ai_addr, res->ai_addrlen, host, sizeof host, nullptr, 0,
                                  NI_NUMERICHOST) == 0;
      freeaddrinfo(res);
      if (ok) return host;
    }
  }
  return "127.0.0.1";
}

Result<FrontendOptions> FrontendOptions::from_conf(const config::Conf& conf) {
  namespace k = config::keys;
  FrontendOptions o;
  o.host = conf.get(k::kFrontendThriftBinaryBindHost);
  o.port = conf.get(k::kFrontendThriftBinaryBindPort);
  if (o.port < 0 || o.port > 65535) {
    return Status::error("kyuubi.frontend.thrift.binary.bind.port: " + std::to_string(o.port) +
                         " is not a port number");
  }
  auto auth = auth::read_auth_settings(conf);
  if (!auth) return auth.status();
  o.nosasl = auth->nosasl;
  auto positive = [](std::int64_t v, std::string_view key) -> Result<std::size_t> {
    if (v <= 0) return Status::error(std::string(key) + " must be positive");
    return static_cast<std::size_t>(v);
  };
  auto max_message = positive(conf.get(k::kFrontendThriftMaxMessageSize),
                              "kyuubi.frontend.thrift.max.message.size");
  if (!max_message) return max_message.status();
  auto max_frame =
      positive(conf.get(k::kFrontendThriftMaxFrameSize), "kitsune.frontend.thrift.max.frame.size");
  if (!max_frame) return max_frame.status();
  auto max_sasl = positive(conf.get(k::kFrontendSaslMaxNegotiationSize),
                           "kitsune.frontend.sasl.max.negotiation.size");
  if (!max_sasl) return max_sasl.status();
  o.limits.max_message_bytes = *max_message;
  o.limits.max_frame_bytes = *max_frame;
  o.limits.read_timeout = conf.get(k::kFrontendReadTimeout);
  o.limits.idle_timeout = conf.get(k::kFrontendConnectionIdleTimeout);
  o.login_timeout = conf.get(k::kFrontendLoginTimeout);
  o.max_sasl_negotiation_bytes = *max_sasl;
  if (o.limits.read_timeout.count() <= 0 || o.login_timeout.count() <= 0 ||
      o.limits.idle_timeout.count() <= 0) {
    return Status::error("frontend timeouts must be positive");
  }
  return o;
}

Result<FrontendSecurity> FrontendSecurity::from_conf(const config::Conf& conf,
                                                     std::string_view program,
                                                     std::string_view host) {
  FrontendSecurity out;
  auto settings = auth::read_auth_settings(conf);
  if (!settings) return settings.status();
  auto password = auth::make_frontend_authenticator(conf, program);
  if (!password) return password.status();
  out.password = std::move(password).value();
  if (settings->kerberos) {
    auto options = transport::GssapiServerOptions::from_conf(conf, host);
    if (!options) return options.status();
    auto kerberos = transport::GssapiServer::create(std::move(options).value());
    if (!kerberos) return kerberos.status();
    out.kerberos = std::move(kerberos).value();
  }
  if (transport::binary_tls_enabled(conf)) {
    auto tls = transport::make_server_tls_context(conf);
    if (!tls) return tls.status();
    out.tls = std::move(tls).value();
  }
  auto audit = auth::AuditLog::from_conf(conf);
  if (!audit) return audit.status();
  out.audit = std::move(audit).value();
  return out;
}

ThriftBinaryFrontend::ThriftBinaryFrontend(asio::io_context& io, FrontendOptions options,
                                           Hs2Service& service, FrontendSecurity security)
    : io_(io),
      options_(std::move(options)),
      service_(service),
      security_(std::move(security)),
      accept_strand_(asio::make_strand(io)),
      acceptor_(accept_strand_) {}

ThriftBinaryFrontend::ThriftBinaryFrontend(IoShards& shards, FrontendOptions options,
                                           Hs2Service& service, FrontendSecurity security)
    : ThriftBinaryFrontend(shards.main(), std::move(options), service, std::move(security)) {
  shards_ = &shards;
}

ThriftBinaryFrontend::~ThriftBinaryFrontend() = default;

Result<tcp::endpoint> ThriftBinaryFrontend::start() {
  const std::string host = options_.host.empty() ? local_host_address() : options_.host;
  error_code ec;
  tcp::resolver resolver(io_);
  auto results = resolver.resolve(host, std::to_string(options_.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return Status::error("cannot resolve bind host '" + host + "': " + ec.message());
  }
  const tcp::endpoint ep = results.begin()->endpoint();
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::unavailable("cannot listen on " + host + ":" + std::to_string(options_.port) +
                               ": " + ec.message());
  }
  auto bound = acceptor_.local_endpoint(ec);
  asio::co_spawn(accept_strand_, accept_loop(), asio::detached);
  return bound;
}

void ThriftBinaryFrontend::stop_accepting() {
  if (accepting_stopped_.exchange(true)) return;
  asio::post(accept_strand_, [this] {
    error_code ignored;
    acceptor_.close(ignored);
  });
}

void ThriftBinaryFrontend::stop(std::chrono::milliseconds grace) {
  if (stopping_.exchange(true)) return;
  stop_accepting();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  std::lock_guard lock(mu_);
  for (auto& [id, c] : connections_) {
    if (auto t = c.transport.lock()) {
      asio::post(t->get_executor(), [weak = c.transport, deadline] {
        // A connection in the middle of a call answers it first, then sees stopping_. An idle
        // one waits a little longer: the client may have sent a call that is not read yet,
        // which deserves an answer rather than a closed socket.
        if (auto live = weak.lock()) live->expire_idle_wait(deadline);
      });
    }
  }
}

awaitable<bool> ThriftBinaryFrontend::wait_closed(std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto seen = connection_closed_.generation();
    if (connection_count() == 0) co_return true;
    if (!co_await connection_closed_.wait_until(seen, deadline)) co_return connection_count() == 0;
  }
}

std::size_t ThriftBinaryFrontend::connection_count() const {
  std::lock_guard lock(mu_);
  return connections_.size();
}

awaitable<void> ThriftBinaryFrontend::accept_loop() {
  while (auto socket = co_await accept_next(acceptor_, shards_ ? shards_->next() : io_, stopping_,
                                            options_.name)) {
    const std::uint64_t id = next_connection_id();
    auto executor = socket->get_executor();
    asio::co_spawn(executor, serve(std::move(*socket), id), asio::detached);
  }
}

void ThriftBinaryFrontend::audit(const CallContext& ctx, std::string user, std::string mechanism,
                                 bool allowed, std::string reason) const {
  if (!security_.audit) return;
  auth::LoginAttempt a;
  a.client = ctx.peer;
  a.user = std::move(user);
  a.mechanism = std::move(mechanism);
  a.transport = security_.tls ? "binary+tls" : "binary";
  a.allowed = allowed;
  a.reason = std::move(reason);
  security_.audit->record(a);
}

awaitable<bool> ThriftBinaryFrontend::login(ThriftTransport& transport, CallContext& ctx) {
  auto log = logger("frontend");
  const std::uint64_t id = ctx.connection_id;
  const auto deadline = ThriftTransport::Clock::now() + options_.login_timeout;
  // A refused client may have pipelined its next message; it gets a second to read why.
  auto linger_deadline = [deadline] {
    return std::min(deadline, ThriftTransport::Clock::now() + std::chrono::seconds(1));
  };
  auto refuse = [&](std::string why) {
    log->warn("[C{}] {} {}; closing", id, ctx.peer, why);
    audit(ctx, "", "", false, std::move(why));
  };

  auto first = co_await transport.peek_byte(deadline);
  if (!first) {
    if (first.status().code() == StatusCode::kTimedOut) {
      refuse("sent nothing within the login timeout");
    } else {
      log->debug("[C{}] {} closed before speaking", id, ctx.peer);
    }
    co_return false;
  }
  Speaks speaks = classify(*first);

  if (security_.tls) {
    if (speaks != Speaks::kTls) {
      const std::string why =
          "this port requires TLS (kyuubi.frontend.thrift.binary.ssl.enabled); connect with TLS";
      // Answer in the client's own framing where it has one, so that it can show the reason.
      if (speaks == Speaks::kSasl) {
        auto refusal = transport::encode_sasl_message(transport::SaslStatus::kError, why);
        (void)co_await transport.write_all(refusal, deadline);
      } else if (speaks == Speaks::kHttp) {
        const std::string body = why + "\n";
        const std::string refusal =
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            "Content-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body;
        (void)co_await transport.write_all(
            {reinterpret_cast<const std::uint8_t*>(refusal.data()), refusal.size()}, deadline);
      }
      refuse("sent " + byte_hex(*first) + " where a TLS handshake was expected: " + why);
      co_await transport.linger(linger_deadline());
      co_return false;
    }
    Status handshake =
        co_await transport.tls_handshake(*security_.tls, /*server=*/true, "", deadline);
    if (!handshake.is_ok()) {
      if (handshake.code() == StatusCode::kUnavailable) {
        log->debug("[C{}] {} {}", id, ctx.peer, handshake.message());
      } else {
        refuse(handshake.message());
      }
      co_return false;
    }
    first = co_await transport.peek_byte(deadline);
    if (!first) {
      if (first.status().code() == StatusCode::kTimedOut) {
        refuse("sent nothing after the TLS handshake within the login timeout");
      }
      co_return false;
    }
    speaks = classify(*first);
  }

  const std::string expected = options_.nosasl ? "unframed Thrift (NOSASL)" : "SASL";
  switch (speaks) {
    case Speaks::kBinary:
      if (!options_.nosasl) {
        refuse(
            "speaks unframed Thrift (a NOSASL client) but this server expects SASL "
            "(kyuubi.authentication is not NOSASL)");
        co_return false;
      }
      ctx.mechanism = "NOSASL";
      // The user comes with OpenSession; no authentication happens.
      audit(ctx, "", "NOSASL", true, "no authentication (kyuubi.authentication=NOSASL)");
      co_return true;
    case Speaks::kSasl:
      if (options_.nosasl) {
        auto refusal = transport::encode_sasl_message(
            transport::SaslStatus::kError,
            "this server uses NOSASL (kyuubi.authentication=NOSASL); connect without SASL");
        (void)co_await transport.write_all(refusal, deadline);
        refuse(
            "speaks SASL but this server expects unframed Thrift (kyuubi.authentication=NOSASL)");
        co_await transport.linger(linger_deadline());
        co_return false;
      }
      break;
    case Speaks::kTls:
      refuse("speaks TLS, which is not enabled on this port");
      co_return false;
    case Speaks::kHttp: {
      const std::string body = "This port speaks HiveServer2 Thrift binary, not HTTP.\n";
      const std::string refusal =
          "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n"
          "Content-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body;
      (void)co_await transport.write_all(
          {reinterpret_cast<const std::uint8_t*>(refusal.data()), refusal.size()}, deadline);
      refuse("speaks HTTP on the Thrift binary port");
      co_return false;
    }
    case Speaks::kUnknown:
      refuse("sent " + byte_hex(*first) + " as its first byte, which is neither " + expected +
             " nor any known protocol");
      co_return false;
  }

  auth::ClientInfo client{ctx.peer_ip, id};
  auto password = security_.password;
  auto kerberos = security_.kerberos;
  transport::SaslMechanismFactory mechanisms =
      [password, kerberos,
       client](std::string_view name) -> std::unique_ptr<transport::SaslServerMechanism> {
    if (name == "PLAIN" && password) return transport::make_plain_mechanism(password, client);
    if (name == "GSSAPI" && kerberos) return kerberos->new_mechanism(client);
    return nullptr;
  };
  transport::SaslAttempt attempt;
  auto identity = co_await transport::sasl_server_handshake(
      transport, mechanisms, options_.max_sasl_negotiation_bytes, deadline, &attempt);
  if (!identity) {
    const Status& s = identity.status();
    std::string why = s.message();
    if (s.code() == StatusCode::kTimedOut) {
      why = "the login did not finish within the login timeout (" + why + ")";
    } else if (s.code() == StatusCode::kUnavailable && why == "closed") {
      why = "closed the connection during the SASL negotiation";
    }
    log->warn("[C{}] {} login failed: {}{}", id, ctx.peer, why,
              attempt.user.empty() ? "" : " (user " + attempt.user + ")");
    audit(ctx, attempt.user, attempt.mechanism, false, why);
    co_return false;
  }
  ctx.principal = identity->user;
  ctx.mechanism = identity->mechanism;
  log->debug("[C{}] {} authenticated as {} with {}", id, ctx.peer, ctx.principal, ctx.mechanism);
  audit(ctx, ctx.principal, ctx.mechanism, true,
        transport.has_security_layer() ? "authenticated, frames wrapped" : "authenticated");
  co_return true;
}

awaitable<void> ThriftBinaryFrontend::serve(tcp::socket socket, std::uint64_t id) {
  auto log = logger("frontend");
  auto transport = std::make_shared<ThriftTransport>(std::move(socket), options_.limits);
  {
    std::lock_guard lock(mu_);
    connections_.emplace(id, Connection{transport});
  }
  if (stopping_) transport->close();

  CallContext ctx;
  ctx.connection_id = id;
  ctx.peer = transport->peer();
  ctx.peer_ip = transport->peer_ip();
  bool ready = false;
  try {
    log->debug("[C{}] {} connected", id, ctx.peer);
    ready = co_await login(*transport, ctx);

    Dispatcher dispatcher(service_, options_.limits.max_message_bytes);
    TransportReplyStream relay(*transport);
    transport::MessageEncoder encoder;
    while (ready) {
      auto message = co_await transport->read_message();
      if (!message) {
        const Status& s = message.status();
        if (s.code() == StatusCode::kUnavailable && s.message() == "closed") {
          log->debug("[C{}] {} disconnected", id, ctx.peer);
        } else if (stopping_) {
          // stop() ended the wait of this idle connection.
          log->info("[C{}] {} closed: the server is stopping", id, ctx.peer);
        } else if (s.code() == StatusCode::kTimedOut) {
          log->info("[C{}] {} closed: {}", id, ctx.peer, s.message());
        } else {
          log->warn("[C{}] {} closing the connection: {}", id, ctx.peer, s.message());
        }
        break;
      }
      relay.reset();
      auto reply = co_await dispatcher.dispatch(ctx, *message, encoder, relay);
      if (!reply) {
        log->warn("[C{}] {} closing the connection: {}", id, ctx.peer, reply.status().message());
        break;
      }
      if (reply->empty()) {
        if (stopping_) break;
        continue;
      }
      Status written = co_await transport->write_message(*reply);
      encoder.release();
      if (stopping_) break;
      if (!written.is_ok()) {
        log->info("[C{}] {} closed while writing a reply: {}", id, ctx.peer, written.message());
        break;
      }
    }
  } catch (const std::exception& e) {
    // A bug: it costs this connection only.
    log->error("[C{}] {} internal error, closing the connection: {}", id, ctx.peer, e.what());
  }
  transport->close();
  if (ready) {
    try {
      co_await service_.on_disconnect(ctx);
    } catch (const std::exception& e) {
      log->error("[C{}] internal error while cleaning up: {}", id, e.what());
    }
  }
  {
    std::lock_guard lock(mu_);
    connections_.erase(id);
  }
  connection_closed_.notify_all();
}

}  // namespace kitsune::frontend
