// ThriftTransport: buffering, de-framing and deadlines for one connection.
#include "kitsune/transport/thrift_transport.h"

#include <algorithm>
#include <array>
#include <cstring>

#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

namespace kitsune::transport {
namespace {

constexpr std::size_t kMinRead = 16 * 1024;

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

void put_be32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

}  // namespace

struct ThriftTransport::Core {
  explicit Core(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
  ~Core() {
    tls.reset();  // it refers to the socket
  }
  tcp::socket socket;
  // Set once a TLS handshake has started: every read and write then goes through it.
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls;
  asio::steady_timer timer;
  std::uint64_t armed = 0;  // id of the current deadline; 0 when none
  std::uint64_t next_id = 0;
  bool timed_out = false;
};

ThriftTransport::ThriftTransport(tcp::socket socket, TransportLimits limits)
    : core_(std::make_shared<Core>(std::move(socket))),
      limits_(limits),
      scanner_(limits.max_message_bytes) {
  error_code ec;
  auto ep = core_->socket.remote_endpoint(ec);
  if (!ec) peer_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  core_->socket.set_option(tcp::no_delay(true), ec);
}

ThriftTransport::~ThriftTransport() {
  close();
}

void ThriftTransport::close() {
  error_code ignored;
  core_->armed = 0;
  core_->timer.cancel();
  if (core_->socket.is_open()) {
    core_->socket.shutdown(tcp::socket::shutdown_both, ignored);
    core_->socket.close(ignored);
  }
}

bool ThriftTransport::is_tls() const {
  return core_->tls != nullptr;
}

bool ThriftTransport::is_open() const {
  return core_->socket.is_open();
}

std::string ThriftTransport::peer_ip() const {
  auto colon = peer_.rfind(':');
  return colon == std::string::npos ? peer_ : peer_.substr(0, colon);
}

asio::any_io_executor ThriftTransport::get_executor() {
  return core_->socket.get_executor();
}

void ThriftTransport::expire_idle_wait(Clock::time_point deadline) {
  waiting_deadline_cap_ = deadline;
  if (!waiting_idle_ || core_->armed == 0 || core_->timer.expiry() <= deadline) return;
  arm(deadline);
}

void ThriftTransport::arm(Clock::time_point deadline) {
  auto& c = *core_;
  c.timed_out = false;
  const std::uint64_t id = ++c.next_id;
  c.armed = id;
  c.timer.expires_at(deadline);
  c.timer.async_wait([weak = std::weak_ptr<Core>(core_), id](const error_code& ec) {
    if (ec) return;
    auto core = weak.lock();
    if (!core || core->armed != id) return;
    core->timed_out = true;
    error_code ignored;
    core->socket.cancel(ignored);
  });
}

void ThriftTransport::disarm() {
  core_->armed = 0;
  core_->timer.cancel();
}

Status ThriftTransport::io_status(const error_code& ec, std::string_view what) const {
  if (core_->timed_out) {
    return Status::timed_out(std::string("deadline passed while ") + std::string(what));
  }
  if (ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::broken_pipe) {
    return Status::unavailable("closed");
  }
  return Status::unavailable(std::string(what) + ": " + ec.message());
}

void ThriftTransport::reserve_tail(std::size_t n) {
  if (cap_ - end_ >= n) return;
  const std::size_t pending = end_ - begin_;
  if (begin_ > 0 && cap_ - pending >= n) {
    std::memmove(in_.get(), in_.get() + begin_, pending);
  } else {
    // Grow by half again what is needed, so a message arriving in many pieces is not copied
    // once per piece, without doubling a 100 MB buffer.
    const std::size_t need = pending + n;
    const std::size_t new_cap = std::max({need, std::min(cap_ * 2, need + need / 2), kMinRead});
    auto fresh = std::make_unique_for_overwrite<std::uint8_t[]>(new_cap);
    if (pending) std::memcpy(fresh.get(), in_.get() + begin_, pending);
    in_ = std::move(fresh);
    cap_ = new_cap;
  }
  begin_ = 0;
  end_ = pending;
}

void ThriftTransport::compact_or_release() {
  // Empty: released, so that a connection waiting for its next message holds no buffer (tens
  // of thousands of idle sessions are two connections each). A busy one allocates again when the
  // next bytes arrive, which costs far less than the read itself.
  if (begin_ == end_) {
    begin_ = end_ = 0;
    in_.reset();
    cap_ = 0;
  }
}

void ThriftTransport::release_message() {
  begin_ += last_;
  last_ = 0;
  compact_or_release();
}

awaitable<Result<std::span<const std::uint8_t>>> ThriftTransport::read_message() {
  release_message();
  scanner_.reset();
  // The deadline starts as the idle one; once a byte of this message is here, the read one.
  bool started = end_ > begin_;
  Clock::time_point deadline =
      started ? Clock::now() + limits_.read_timeout
              : std::min(Clock::now() + limits_.idle_timeout, waiting_deadline_cap_);
  waiting_idle_ = !started;
  struct NotWaiting {
    bool& flag;
    ~NotWaiting() { flag = false; }
  } not_waiting{waiting_idle_};
  while (true) {
    auto outcome = scanner_.scan({in_.get() + begin_, end_ - begin_});
    switch (outcome) {
      case MessageScanner::Outcome::kComplete:
        last_ = scanner_.size();
        co_return std::span<const std::uint8_t>(in_.get() + begin_, last_);
      case MessageScanner::Outcome::kMalformed:
        co_return Status::error("not a Thrift message: " + scanner_.error());
      case MessageScanner::Outcome::kTooLarge:
        co_return Status(StatusCode::kResourceExhausted, scanner_.error());
      case MessageScanner::Outcome::kNeedMore:
        break;
    }
    Status s = co_await fill(scanner_.needed(), deadline);
    if (!s.is_ok()) {
      if (s.message() == "closed" && started) {
        co_return Status::unavailable("connection closed in the middle of a message");
      }
      co_return s;
    }
    if (!started) {
      started = true;
      waiting_idle_ = false;
      deadline = Clock::now() + limits_.read_timeout;
    }
  }
}

awaitable<Status> ThriftTransport::fill(std::size_t needed, Clock::time_point deadline) {
  if (framing_ == Framing::kSaslFramed) {
    const std::size_t before = end_;
    while (end_ == before) {
      Status s = co_await read_frame(deadline);
      if (!s.is_ok()) co_return s;
    }
    co_return Status::ok();
  }
  if (!pushed_back_.empty()) {
    reserve_tail(std::max(needed, pushed_back_.size()));
    std::memcpy(in_.get() + end_, pushed_back_.data(), pushed_back_.size());
    end_ += pushed_back_.size();
    pushed_back_.clear();
    co_return Status::ok();
  }
  auto& sock = core_->socket;
  if (cap_ == 0 && !core_->tls) {
    // Nothing buffered: wait until the socket is readable before allocating anything. (Under
    // TLS, decrypted bytes may already wait inside OpenSSL, so readability says nothing.)
    arm(deadline);
    error_code ec;
    co_await sock.async_wait(tcp::socket::wait_read, asio::redirect_error(asio::use_awaitable, ec));
    disarm();
    if (ec) co_return io_status(ec, "waiting for a message");
  }
  reserve_tail(std::max(needed, kMinRead));
  arm(deadline);
  error_code ec;
  const auto into = asio::buffer(in_.get() + end_, cap_ - end_);
  std::size_t n = core_->tls ? co_await core_->tls->async_read_some(
                                   into, asio::redirect_error(asio::use_awaitable, ec))
                             : co_await sock.async_read_some(
                                   into, asio::redirect_error(asio::use_awaitable, ec));
  disarm();
  end_ += n;
  if (ec && n == 0) co_return io_status(ec, "reading a message");
  co_return Status::ok();
}

awaitable<Status> ThriftTransport::read_frame(Clock::time_point deadline) {
  std::array<std::uint8_t, 4> header{};
  Status s = co_await read_exact(header, deadline);
  if (!s.is_ok()) co_return s;
  const std::uint32_t len = be32(header.data());
  if (len > limits_.max_frame_bytes) {
    co_return Status(StatusCode::kResourceExhausted, "a SASL frame of " + std::to_string(len) +
                                                         " bytes exceeds the frame limit of " +
                                                         std::to_string(limits_.max_frame_bytes));
  }
  const std::size_t pending = end_ - begin_;
  if (pending + len > limits_.max_message_bytes + limits_.max_frame_bytes) {
    co_return Status(StatusCode::kResourceExhausted,
                     "buffered message data exceeds the message size limit of " +
                         std::to_string(limits_.max_message_bytes));
  }
  std::vector<std::uint8_t> wrapped;
  std::span<std::uint8_t> target;
  if (security_) {
    wrapped.resize(len);
    target = wrapped;
  } else {
    reserve_tail(len);
    target = {in_.get() + end_, len};
  }
  s = co_await read_exact(target, deadline);
  if (!s.is_ok()) {
    if (s.message() == "closed") co_return Status::unavailable("connection closed mid-frame");
    co_return s;
  }
  if (!security_) {
    end_ += len;
    co_return Status::ok();
  }
  auto plain = security_->unwrap(wrapped);
  if (!plain) co_return plain.status();
  const std::size_t plen = plain->size();
  reserve_tail(plen);
  if (plen) std::memcpy(in_.get() + end_, plain->data(), plen);
  end_ += plen;
  co_return Status::ok();
}

awaitable<Status> ThriftTransport::write_message(std::span<const std::uint8_t> message) {
  const auto deadline = Clock::now() + limits_.read_timeout;
  if (framing_ == Framing::kUnframed) co_return co_await write_all(message, deadline);
  if (security_) {
    // The layer's output is already framed.
    auto wrapped = security_->wrap(message);
    if (!wrapped) co_return wrapped.status();
    co_return co_await write_all(*wrapped, deadline);
  }
  std::array<std::uint8_t, 4> header{};
  put_be32(header.data(), static_cast<std::uint32_t>(message.size()));
  std::array<asio::const_buffer, 2> buffers{asio::buffer(header), as_buffer(message)};
  arm(deadline);
  error_code ec;
  if (core_->tls) {
    co_await asio::async_write(*core_->tls, buffers, asio::redirect_error(asio::use_awaitable, ec));
  } else {
    co_await asio::async_write(core_->socket, buffers,
                               asio::redirect_error(asio::use_awaitable, ec));
  }
  disarm();
  if (ec) co_return io_status(ec, "writing a message");
  co_return Status::ok();
}

awaitable<Status> ThriftTransport::read_exact(std::span<std::uint8_t> out,
                                              Clock::time_point deadline) {
  // Handshakes read exactly what they need, so nothing is ever buffered ahead of them (but a
  // byte peek_byte() had to read under TLS).
  if (!pushed_back_.empty()) {
    const std::size_t n = std::min(out.size(), pushed_back_.size());
    std::memcpy(out.data(), pushed_back_.data(), n);
    pushed_back_.erase(pushed_back_.begin(), pushed_back_.begin() + static_cast<std::ptrdiff_t>(n));
    out = out.subspan(n);
    if (out.empty()) co_return Status::ok();
  }
  arm(deadline);
  error_code ec;
  if (core_->tls) {
    co_await asio::async_read(*core_->tls, as_buffer(out),
                              asio::redirect_error(asio::use_awaitable, ec));
  } else {
    co_await asio::async_read(core_->socket, as_buffer(out),
                              asio::redirect_error(asio::use_awaitable, ec));
  }
  disarm();
  if (ec) co_return io_status(ec, "reading");
  co_return Status::ok();
}

awaitable<Status> ThriftTransport::write_all(std::span<const std::uint8_t> bytes,
                                             Clock::time_point deadline) {
  arm(deadline);
  error_code ec;
  if (core_->tls) {
    co_await asio::async_write(*core_->tls, as_buffer(bytes),
                               asio::redirect_error(asio::use_awaitable, ec));
  } else {
    co_await asio::async_write(core_->socket, as_buffer(bytes),
                               asio::redirect_error(asio::use_awaitable, ec));
  }
  disarm();
  if (ec) co_return io_status(ec, "writing");
  co_return Status::ok();
}

awaitable<Result<std::uint8_t>> ThriftTransport::peek_byte(Clock::time_point deadline) {
  if (!pushed_back_.empty()) co_return pushed_back_.front();
  if (core_->tls) {
    std::array<std::uint8_t, 1> one{};
    Status s = co_await read_exact(one, deadline);
    if (!s.is_ok()) co_return s;
    pushed_back_.push_back(one[0]);
    co_return one[0];
  }
  std::uint8_t b = 0;
  arm(deadline);
  error_code ec;
  std::size_t n =
      co_await core_->socket.async_receive(asio::buffer(&b, 1), tcp::socket::message_peek,
                                           asio::redirect_error(asio::use_awaitable, ec));
  disarm();
  if (ec || n == 0) co_return io_status(ec ? ec : asio::error::eof, "waiting for the first byte");
  co_return b;
}

awaitable<void> ThriftTransport::linger(Clock::time_point deadline, std::size_t max_bytes) {
  error_code ec;
  core_->socket.shutdown(tcp::socket::shutdown_send, ec);
  std::array<std::uint8_t, 4096> sink{};
  std::size_t dropped = 0;
  while (!ec && dropped < max_bytes) {
    arm(deadline);
    // Raw bytes: the peer is not speaking TLS to us when we refuse it for that.
    const std::size_t n = co_await core_->socket.async_read_some(
        asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
    disarm();
    dropped += n;
  }
}

awaitable<Status> ThriftTransport::tls_handshake(asio::ssl::context& context, bool server,
                                                 const std::string& sni,
                                                 Clock::time_point deadline) {
  auto& c = *core_;
  c.tls = std::make_unique<asio::ssl::stream<tcp::socket&>>(c.socket, context);
  if (!server && !sni.empty()) {
    // SSL_set_tlsext_host_name, without its C cast.
    SSL_ctrl(c.tls->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(sni.c_str()));
    if (context.native_handle() &&
        (SSL_CTX_get_verify_mode(context.native_handle()) & SSL_VERIFY_PEER)) {
      c.tls->set_verify_callback(asio::ssl::host_name_verification(sni));
    }
  }
  arm(deadline);
  error_code ec;
  co_await c.tls->async_handshake(
      server ? asio::ssl::stream_base::server : asio::ssl::stream_base::client,
      asio::redirect_error(asio::use_awaitable, ec));
  disarm();
  if (!ec) co_return Status::ok();
  if (c.timed_out) co_return Status::timed_out("deadline passed during the TLS handshake");
  if (ec == asio::error::eof || ec == asio::error::connection_reset) {
    co_return Status::unavailable("closed during the TLS handshake");
  }
  std::string why = ec.message();
  if (ec.category() == asio::error::get_ssl_category()) {
    char buf[256] = {};
    ERR_error_string_n(static_cast<unsigned long>(ec.value()), buf, sizeof buf);
    why = buf;
  }
  co_return Status::unauthenticated("TLS handshake failed: " + why);
}

}  // namespace kitsune::transport
