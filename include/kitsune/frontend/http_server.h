// HttpServer: an HTTP/1.1 listener (Boost.Beast) for the Thrift HTTP and REST frontends: one
// coroutine per connection, keep-alive, TLS, bounded heads and bodies, a deadline on every read.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include "kitsune/common/asio.h"
#include "kitsune/common/async_event.h"
#include "kitsune/common/io_shards.h"
#include "kitsune/common/status.h"

namespace boost::asio::ssl {
class context;
}

namespace kitsune::frontend {

namespace http = boost::beast::http;

// One request, read whole (its body within the server's limit).
struct HttpRequest {
  http::request<http::string_body> message;
  std::string path;                          // percent-decoded, without the query
  std::map<std::string, std::string> query;  // decoded; the last of a repeated name wins
  std::uint64_t connection_id = 0;
  std::string peer;     // "ip:port" of the socket's peer
  std::string peer_ip;  // its address
  bool tls = false;

  // The value of header `name` (any case), or "" when absent.
  std::string header(std::string_view name) const;
  // Query parameter `name`, or `fallback`.
  std::string param(const std::string& name, std::string fallback = {}) const;
};

struct HttpResponse {
  http::status status = http::status::ok;
  std::string content_type;  // empty: no Content-Type
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Set-Cookie, ...)
  bool close = false;  // close the connection after this response

  static HttpResponse text(http::status status, std::string body);
  // {"message": <message>}, Kyuubi's error body.
  static HttpResponse error(http::status status, std::string_view message);
  static HttpResponse json(http::status status, std::string body);
};

// Answers one request. Awaited on the connection's strand; an exception is a bug and becomes 500.
using HttpHandler = std::function<awaitable<HttpResponse>(HttpRequest&)>;

struct HttpServerOptions {
  std::string name = "http";  // for log lines
  std::string host;           // empty: the address the host name resolves to
  int port = 0;               // 0: the operating system picks
  std::size_t max_header_bytes = 6144;
  std::uint64_t max_body_bytes = 104857600;
  std::chrono::milliseconds idle_timeout{30 * 60 * 1000};  // between requests
  std::chrono::milliseconds read_timeout{60000};           // a request once begun; every write
  std::shared_ptr<boost::asio::ssl::context> tls;          // null: plain HTTP
};

class HttpServer {
 public:
  // Listens on shards.main() and puts each connection on the next shard. `handler` must stay
  // valid until wait_closed() has returned true.
  HttpServer(IoShards& shards, HttpServerOptions options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens (failing here when the address is taken), then accepts.
  Result<tcp::endpoint> start();
  // Stops accepting; open connections go on. Any thread.
  void stop_accepting();
  // Stops accepting and closes every connection: idle ones now, one in the middle of a request
  // once its response is written. Any thread.
  void stop();
  // Waits until every connection has closed, or the deadline; true when they have.
  awaitable<bool> wait_closed(std::chrono::steady_clock::time_point deadline);
  std::size_t connection_count() const;

 private:
  struct Connection;
  awaitable<void> accept_loop();
  awaitable<void> serve(tcp::socket socket, std::uint64_t id);
  template <typename Stream>
  awaitable<void> serve_requests(Stream& stream, const std::shared_ptr<Connection>& connection,
                                 std::uint64_t connection_id, const std::string& peer,
                                 const std::string& peer_ip);
  void forget(std::uint64_t id);

  IoShards& shards_;
  HttpServerOptions options_;
  HttpHandler handler_;
  asio::strand<asio::io_context::executor_type> accept_strand_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> accepting_stopped_{false};
  mutable std::mutex mu_;
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> connections_;
  AsyncEvent connection_closed_;
};

// A connection id no other frontend of this process hands out (sessions remember the connection
// that opened them).
std::uint64_t next_connection_id();

// The next connection on `acceptor` (every frontend's accept loop), its socket on a strand of its
// own over `io`, so that its coroutine and timers never run concurrently. A failed accept (out of
// file descriptors and the like) is logged for `name` and retried after 100 ms, keeping the
// listener. Empty once `stopping` is set or the acceptor has closed.
awaitable<std::optional<tcp::socket>> accept_next(tcp::acceptor& acceptor, asio::io_context& io,
                                                  const std::atomic<bool>& stopping,
                                                  std::string_view name);

// Percent-decoding of a URL component ('+' stays '+'); nullopt when an escape is malformed.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace kitsune::frontend
