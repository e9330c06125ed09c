// ThriftTransport: owns one TCP connection and moves whole Thrift messages over it, unframed
// (NOSASL) or in SASL frames, in the clear or in TLS, with a deadline on every read and write.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "kitsune/common/asio.h"
#include "kitsune/common/status.h"
#include "kitsune/transport/message_scanner.h"

namespace boost::asio::ssl {
class context;
}

namespace kitsune::transport {

struct TransportLimits {
  std::size_t max_message_bytes = 104857600;      // kyuubi.frontend.thrift.max.message.size
  std::size_t max_frame_bytes = 16384000;         // Thrift's default frame cap
  std::chrono::milliseconds read_timeout{60000};  // a message in progress, and every write
  std::chrono::milliseconds idle_timeout{6 * 3600 * 1000};  // waiting for the next message
};

// QOP wrapping of SASL frames (GSSAPI auth-int/auth-conf). PLAIN has none.
class SecurityLayer {
 public:
  virtual ~SecurityLayer() = default;
  // The bytes to put on the socket for `plain`: one or more complete frames, each a 4-byte
  // big-endian length and a wrapped token (a layer may split input larger than the peer's
  // maximum buffer; readers treat frames as a byte stream). This is what Cyrus SASL's
  // sasl_encode produces.
  virtual Result<std::vector<std::uint8_t>> wrap(std::span<const std::uint8_t> plain) = 0;
  // The plain bytes of one received frame, given its token (the bytes after the length).
  virtual Result<std::vector<std::uint8_t>> unwrap(std::span<const std::uint8_t> token) = 0;
};

enum class Framing {
  kUnframed,    // NOSASL: messages back to back on the socket
  kSaslFramed,  // after a SASL handshake: 4-byte big-endian length, then the bytes
};

// Not thread-safe: one coroutine at a time uses it, on the strand its socket belongs to. The
// socket's executor must be a strand (or a single-threaded io_context) because deadline timers
// act on it.
class ThriftTransport {
 public:
  using Clock = std::chrono::steady_clock;

  ThriftTransport(tcp::socket socket, TransportLimits limits);
  ~ThriftTransport();
  ThriftTransport(const ThriftTransport&) = delete;
  ThriftTransport& operator=(const ThriftTransport&) = delete;

  void set_framing(Framing framing) { framing_ = framing; }
  Framing framing() const { return framing_; }
  void set_security_layer(std::unique_ptr<SecurityLayer> layer) { security_ = std::move(layer); }
  bool has_security_layer() const { return security_ != nullptr; }
  // Bytes received beyond the message read_message() last returned (pipelined data).
  std::size_t pending_bytes() const { return end_ - begin_ - last_; }
  const TransportLimits& limits() const { return limits_; }

  // The next complete message. The bytes stay valid until the next read_message() call.
  // A peer that closes between messages yields kUnavailable with message "closed"; a deadline
  // yields kTimedOut; bytes that are not a Thrift message yield kError; a message over the size
  // limit yields kResourceExhausted. After any failure the transport is unusable.
  awaitable<Result<std::span<const std::uint8_t>>> read_message();
  // Done with the message read_message() returned: its bytes go, and with them the buffer when
  // nothing else is pending, so that an idle connection holds none.
  void release_message();

  // Writes one message (framed when the framing says so) within the read timeout.
  awaitable<Status> write_message(std::span<const std::uint8_t> message);

  // Handshake helpers: exact raw reads and writes that must finish by `deadline`.
  awaitable<Status> read_exact(std::span<std::uint8_t> out, Clock::time_point deadline);
  awaitable<Status> write_all(std::span<const std::uint8_t> bytes, Clock::time_point deadline);
  // Waits for the first byte and returns it without consuming it; kUnavailable "closed" on EOF.
  // Under TLS (which cannot peek) the byte is read and kept for the next read.
  awaitable<Result<std::uint8_t>> peek_byte(Clock::time_point deadline);

  // Runs the TLS handshake, as the server or as a client (then `sni` names the server, and is
  // checked against its certificate when the context verifies). From then on every byte goes
  // through TLS. kUnauthenticated with OpenSSL's reason when the peer's TLS is refused.
  awaitable<Status> tls_handshake(boost::asio::ssl::context& context, bool server,
                                  const std::string& sni, Clock::time_point deadline);
  bool is_tls() const;

  // Brings the deadline of a read that waits for the next message forward to `deadline`, when
  // it is later: the wait then ends as timed out unless a message starts before. Only from the
  // socket's strand.
  void expire_idle_wait(Clock::time_point deadline);

  // After a refusal has been written: stops sending, then reads and drops what the client still
  // sends (up to `max_bytes`, until it closes or `deadline`), so that a client that pipelined
  // more bytes reads the refusal instead of a reset. The caller closes afterwards.
  awaitable<void> linger(Clock::time_point deadline, std::size_t max_bytes = 65536);

  // Closes the socket; pending operations end with an error. Safe to call more than once, but
  // only from the socket's strand.
  void close();
  bool is_open() const;
  // "ip:port" of the peer, captured when the transport was made.
  const std::string& peer() const { return peer_; }
  std::string peer_ip() const;
  asio::any_io_executor get_executor();

 private:
  struct Core;

  // Reads at least one more byte of message data into in_ (de-framing when framed).
  awaitable<Status> fill(std::size_t needed, Clock::time_point deadline);
  awaitable<Status> read_frame(Clock::time_point deadline);
  void arm(Clock::time_point deadline);
  void disarm();
  Status io_status(const error_code& ec, std::string_view what) const;
  void compact_or_release();
  // Makes room for n more bytes at end_, keeping [begin_, end_).
  void reserve_tail(std::size_t n);

  std::shared_ptr<Core> core_;
  TransportLimits limits_;
  Framing framing_ = Framing::kUnframed;
  std::unique_ptr<SecurityLayer> security_;
  // Bytes read before any framing applied (peek_byte() under TLS), handed out first.
  std::vector<std::uint8_t> pushed_back_;
  std::string peer_;
  MessageScanner scanner_;
  // Received message bytes (de-framed): [begin_, end_) is unconsumed; last_ is the size of the
  // message handed out by the previous read_message(). Allocated only while a message is in
  // flight or pipelined bytes wait, and released when large, so idle connections stay small.
  std::unique_ptr<std::uint8_t[]> in_;
  std::size_t cap_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::size_t last_ = 0;
  // read_message() is waiting for the first byte of a message, and the latest that wait may
  // last (see expire_idle_wait()).
  bool waiting_idle_ = false;
  Clock::time_point waiting_deadline_cap_ = Clock::time_point::max();
};

}  // namespace kitsune::transport
