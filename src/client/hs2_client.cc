// Hs2Client: connect with a deadline, SASL PLAIN login, and typed calls over ThriftTransport.
#include "kitsune/client/hs2_client.h"

#include <algorithm>
#include <array>
#include <vector>

#include <boost/asio/connect.hpp>

#include "kitsune/transport/sasl.h"

namespace kitsune::client {
namespace {

using apache::thrift::TApplicationException;
using transport::MessageType;

// How much of a streamed reply is read before it is passed on.
constexpr std::size_t kStreamPiece = 256 * 1024;

}  // namespace

Hs2Client::Hs2Client(std::unique_ptr<transport::ThriftTransport> transport, std::size_t max_message)
    : transport_(std::move(transport)), thrift_config_(transport::thrift_config(max_message)) {}

awaitable<Result<std::unique_ptr<Hs2Client>>> Hs2Client::connect(ClientOptions options) {
  auto ex = co_await asio::this_coro::executor;
  const auto deadline = transport::ThriftTransport::Clock::now() + options.connect_timeout;
  const std::string where = options.host + ":" + std::to_string(options.port);

  tcp::resolver resolver(ex);
  error_code ec;
  auto endpoints = co_await resolver.async_resolve(options.host, std::to_string(options.port),
                                                   asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Status::unavailable("cannot resolve " + options.host + ": " + ec.message());

  // The timer's handler may run after this frame is gone, so what it touches is shared.
  struct Attempt {
    explicit Attempt(const asio::any_io_executor& e) : socket(e) {}
    tcp::socket socket;
    bool timed_out = false;
  };
  auto attempt = std::make_shared<Attempt>(ex);
  asio::steady_timer timer(ex);
  timer.expires_at(deadline);
  timer.async_wait([attempt](const error_code& e) {
    if (e) return;
    attempt->timed_out = true;
    error_code ignored;
    attempt->socket.close(ignored);
  });
  co_await asio::async_connect(attempt->socket, endpoints,
                               asio::redirect_error(asio::use_awaitable, ec));
  timer.cancel();
  if (attempt->timed_out) co_return Status::timed_out("connecting to " + where + " timed out");
  if (ec) co_return Status::unavailable("cannot connect to " + where + ": " + ec.message());
  tcp::socket socket = std::move(attempt->socket);

  transport::TransportLimits limits;
  limits.max_message_bytes = options.max_message_bytes;
  limits.max_frame_bytes = options.max_message_bytes;
  limits.read_timeout = options.read_timeout;
  limits.idle_timeout = options.reply_timeout;
  auto t = std::make_unique<transport::ThriftTransport>(std::move(socket), limits);
  if (options.tls) {
    Status s =
        co_await t->tls_handshake(*options.tls, /*server=*/false, options.tls_host, deadline);
    if (!s.is_ok()) co_return Status(s.code(), where + ": " + s.message());
  }
  if (options.auth == ClientAuth::kGssapi) {
    Status s = co_await transport::sasl_client_gssapi(*t, options.gssapi,
                                                      /*max_negotiation_bytes=*/65536, deadline);
    if (!s.is_ok()) {
      if (s.code() == StatusCode::kUnavailable && s.message() == "closed") {
        co_return Status::unavailable(where + " closed the connection during the SASL login");
      }
      co_return s;
    }
  } else if (options.auth == ClientAuth::kPlain) {
    Status s = co_await transport::sasl_client_plain(*t, options.user, options.password,
                                                     /*max_negotiation_bytes=*/65536, deadline);
    if (!s.is_ok()) {
      if (s.code() == StatusCode::kUnavailable && s.message() == "closed") {
        co_return Status::unavailable(where + " closed the connection during the SASL login");
      }
      co_return s;
    }
  }
  co_return std::unique_ptr<Hs2Client>(new Hs2Client(std::move(t), options.max_message_bytes));
}

void Hs2Client::close() {
  transport_->close();
}

bool Hs2Client::is_open() const {
  return transport_->is_open();
}

awaitable<Status> Hs2Client::call_streaming(std::span<const std::uint8_t> request,
                                            ReplySink& sink) {
  Status s = co_await transport_->write_message(request);
  if (!s.is_ok()) {
    close();
    co_return s;
  }
  const bool one_message_per_frame = transport_->framing() == transport::Framing::kSaslFramed &&
                                     !transport_->has_security_layer() &&
                                     transport_->pending_bytes() == 0;
  if (!one_message_per_frame) {
    auto reply = co_await transport_->read_message();
    if (!reply) {
      close();
      co_return reply.status();
    }
    Status taken = co_await sink.begin(*reply, reply->size());
    release_reply();
    co_return taken;
  }
  using Clock = transport::ThriftTransport::Clock;
  const auto& limits = transport_->limits();
  std::array<std::uint8_t, 4> header{};
  s = co_await transport_->read_exact(header, Clock::now() + limits.idle_timeout);
  if (!s.is_ok()) {
    close();
    co_return s;
  }
  const std::size_t length = (std::size_t{header[0]} << 24) | (std::size_t{header[1]} << 16) |
                             (std::size_t{header[2]} << 8) | std::size_t{header[3]};
  if (length == 0 || length > limits.max_message_bytes) {
    close();
    co_return Status(StatusCode::kResourceExhausted,
                     "a reply frame of " + std::to_string(length) +
                         " bytes is empty or over the message size limit of " +
                         std::to_string(limits.max_message_bytes));
  }
  std::vector<std::uint8_t> piece_buffer(std::min(length, kStreamPiece));
  Status taken = Status::ok();
  bool first = true;
  for (std::size_t left = length; left > 0;) {
    const std::span<std::uint8_t> piece(piece_buffer.data(), std::min(left, piece_buffer.size()));
    s = co_await transport_->read_exact(piece, Clock::now() + limits.read_timeout);
    if (!s.is_ok()) {
      close();
      co_return s;
    }
    left -= piece.size();
    if (!taken.is_ok()) continue;  // drained, so that the next call reads its own reply
    if (first) {
      taken = co_await sink.begin(piece, length);
    } else {
      taken = co_await sink.more(piece);
    }
    first = false;
  }
  co_return taken;
}

void Hs2Client::release_reply() {
  if (transport_) transport_->release_message();
}

awaitable<Result<std::span<const std::uint8_t>>> Hs2Client::call_raw(
    std::span<const std::uint8_t> request) {
  Status s = co_await transport_->write_message(request);
  if (!s.is_ok()) co_return s;
  co_return co_await transport_->read_message();
}

template <typename PArgs, typename PResult, typename Req, typename Resp>
awaitable<Result<Resp>> Hs2Client::call(const char* method, const Req& req) {
  PArgs args;
  args.req = &req;
  const std::int32_t seqid = next_seqid();
  auto bytes = encoder_.encode(method, MessageType::kCall, seqid, args);
  auto reply = co_await call_raw(bytes);
  encoder_.release();  // an idle connection holds no buffer
  if (!reply) co_return reply.status();
  auto header = transport::parse_message_header(*reply);
  if (!header) co_return header.status();
  if (header->type == MessageType::kException) {
    TApplicationException e;
    Status s = transport::decode_message(*reply, thrift_config_, nullptr, e);
    release_reply();
    if (!s.is_ok()) co_return s;
    co_return Status::error(std::string("server error in ") + method + ": " + e.what());
  }
  if (header->type != MessageType::kReply || header->name != method || header->seqid != seqid) {
    close();
    co_return Status::error(std::string("out-of-order reply to ") + method);
  }
  Resp response;
  PResult result;
  result.success = &response;
  Status s = transport::decode_message(*reply, thrift_config_, nullptr, result);
  release_reply();
  if (!s.is_ok()) co_return s;
  if (!result.__isset.success) co_return Status::error(std::string(method) + " returned no result");
  co_return response;
}

#define KITSUNE_DEFINE_CLIENT_METHOD(Method, snake)                                            \
  awaitable<Result<tcli::T##Method##Resp>> Hs2Client::snake(const tcli::T##Method##Req& req) { \
    return call<tcli::TCLIService_##Method##_pargs, tcli::TCLIService_##Method##_presult,      \
                tcli::T##Method##Req, tcli::T##Method##Resp>(#Method, req);                    \
  }
KITSUNE_TCLI_METHODS(KITSUNE_DEFINE_CLIENT_METHOD)
#undef KITSUNE_DEFINE_CLIENT_METHOD

}  // namespace kitsune::client
