// Hs2Client: an asynchronous TCLIService client over NOSASL, SASL PLAIN or SASL GSSAPI, in the
// clear or in TLS, for the gateway's engine connections, the benchmark and the tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "kitsune/common/asio.h"
#include "kitsune/common/status.h"
#include "kitsune/tcli/methods.h"
#include "kitsune/tcli/tcli.h"
#include "kitsune/transport/gssapi.h"
#include "kitsune/transport/thrift_codec.h"
#include "kitsune/transport/thrift_transport.h"

namespace kitsune::client {

enum class ClientAuth { kNoSasl, kPlain, kGssapi };

struct ClientOptions {
  std::string host = "127.0.0.1";
  int port = 10009;
  ClientAuth auth = ClientAuth::kPlain;
  std::string user = "anonymous";
  std::string password = "anonymous";                // PLAIN needs a non-empty one
  transport::GssapiClientOptions gssapi;             // for kGssapi (ticket from KRB5CCNAME)
  std::shared_ptr<boost::asio::ssl::context> tls;    // TLS first, when set
  std::string tls_host;                              // SNI and the name the certificate must have
  std::chrono::milliseconds connect_timeout{15000};  // kyuubi.session.engine.login.timeout
  std::chrono::milliseconds reply_timeout{std::chrono::hours(24)};  // until a reply starts
  std::chrono::milliseconds read_timeout{60000};                    // once a reply has started
  std::size_t max_message_bytes = 1073741824;  // kyuubi.frontend.thrift.client.max.message.size
};

// Takes a reply as it arrives, for relaying it without holding it whole (see call_streaming).
class ReplySink {
 public:
  virtual ~ReplySink() = default;
  // The reply is `length` bytes and starts with `first` (its message header at least). An error
  // stops the relay: the rest of the reply is read and dropped, so the connection stays usable.
  virtual awaitable<Status> begin(std::span<const std::uint8_t> first, std::size_t length) = 0;
  // The next bytes of the reply.
  virtual awaitable<Status> more(std::span<const std::uint8_t> bytes) = 0;
};

// One connection; calls are sequential (await one before starting the next). Must be used from
// coroutines on one strand; connect() binds the socket to the caller's executor.
class Hs2Client {
 public:
  static awaitable<Result<std::unique_ptr<Hs2Client>>> connect(ClientOptions options);

  // Each method returns the server's response (whose TStatus the caller checks), or a Status for
  // a transport failure or a Thrift application exception from the server.
#define KITSUNE_DECLARE_CLIENT_METHOD(Method, snake) \
  awaitable<Result<tcli::T##Method##Resp>> snake(const tcli::T##Method##Req& req);
  KITSUNE_TCLI_METHODS(KITSUNE_DECLARE_CLIENT_METHOD)
#undef KITSUNE_DECLARE_CLIENT_METHOD

  // Sends an encoded call message as is and returns the reply message's bytes, valid until the
  // next call. For relaying without re-encoding.
  awaitable<Result<std::span<const std::uint8_t>>> call_raw(std::span<const std::uint8_t> request);
  // Done with the reply call_raw() returned: its buffer goes, so an idle connection holds none.
  void release_reply();

  // Sends an encoded call message as is and hands the reply to `sink` in pieces as it arrives,
  // never holding more than one piece, when the connection carries one message per SASL frame
  // (PLAIN, no security layer): the frame's length is the message's. Otherwise it reads the whole
  // reply and hands it over in one piece. Returns the sink's error (the connection stays usable)
  // or the connection's (it is then closed).
  awaitable<Status> call_streaming(std::span<const std::uint8_t> request, ReplySink& sink);

  void close();
  bool is_open() const;
  std::int32_t next_seqid() {
    return ++seqid_;
  }

 private:
  explicit Hs2Client(std::unique_ptr<transport::ThriftTransport> transport,
                     std::size_t max_message);

  template <typename PArgs, typename PResult, typename Req, typename Resp>
  awaitable<Result<Resp>> call(const char* method, const Req& req);

  std::unique_ptr<transport::ThriftTransport> transport_;
  transport::MessageEncoder encoder_;
  std::shared_ptr<apache::thrift::TConfiguration> thrift_config_;
  std::int32_t seqid_ = 0;
};

}  // namespace kitsune::client
