// HttpServer: accept loop, the per-connection request loop (plain or TLS), limits and shutdown.
#include "kitsune/frontend/http_server.h"

#include <algorithm>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <nlohmann/json.hpp>

#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "kitsune/frontend/thrift_binary_frontend.h"

namespace kitsune::frontend {

namespace beast = boost::beast;

std::uint64_t next_connection_id() {
  static std::atomic<std::uint64_t> next{1};
  return next++;
}

awaitable<std::optional<tcp::socket>> accept_next(tcp::acceptor& acceptor, asio::io_context& io,
                                                  const std::atomic<bool>& stopping,
                                                  std::string_view name) {
  asio::steady_timer backoff(co_await asio::this_coro::executor);
  while (!stopping) {
    tcp::socket socket(asio::make_strand(io));
    error_code ec;
    co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) co_return std::optional<tcp::socket>(std::move(socket));
    if (stopping || ec == asio::error::operation_aborted || !acceptor.is_open()) break;
    logger("frontend")->warn("{}: accept failed: {}", name, ec.message());
    backoff.expires_after(std::chrono::milliseconds(100));
    co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return std::nullopt;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int hi = hex(text[i + 1]);
    const int lo = hex(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::string HttpRequest::header(std::string_view name) const {
  auto it = message.find(beast::string_view(name.data(), name.size()));
  if (it == message.end()) return {};
  return std::string(it->value());
}

std::string HttpRequest::param(const std::string& name, std::string fallback) const {
  auto it = query.find(name);
  return it == query.end() ? fallback : it->second;
}

HttpResponse HttpResponse::text(http::status status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::error(http::status status, std::string_view message) {
  nlohmann::json body = {{"message", std::string(message)}};
  return json(status, body.dump());
}

HttpResponse HttpResponse::json(http::status status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

namespace {

// Splits the target into a decoded path and query parameters; false when it does not decode.
bool parse_target(std::string_view target, HttpRequest& req) {
  const auto q = target.find('?');
  auto path = percent_decode(target.substr(0, q));
  if (!path) return false;
  req.path = std::move(*path);
  if (q == std::string_view::npos) return true;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    std::string name(pair.substr(0, eq));
    std::string value(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    for (auto* s : {&name, &value})
      std::replace(s->begin(), s->end(), '+', ' ');
    auto n = percent_decode(name);
    auto v = percent_decode(value);
    if (!n || !v) return false;
    req.query[*n] = std::move(*v);
  }
  return true;
}

template <typename Stream>
beast::tcp_stream& lowest(Stream& stream) {
  return beast::get_lowest_layer(stream);
}

}  // namespace

struct HttpServer::Connection {
  asio::any_io_executor executor;
  std::function<void()> close;  // closes the socket; on `executor` only
  bool busy = false;            // a request is being read or answered (on `executor`)
};

HttpServer::HttpServer(IoShards& shards, HttpServerOptions options, HttpHandler handler)
    : shards_(shards),
      options_(std::move(options)),
      handler_(std::move(handler)),
      accept_strand_(asio::make_strand(shards.main())),
      acceptor_(accept_strand_) {}

HttpServer::~HttpServer() = default;

Result<tcp::endpoint> HttpServer::start() {
  const std::string host = options_.host.empty() ? local_host_address() : options_.host;
  error_code ec;
  tcp::resolver resolver(shards_.main());
  auto results = resolver.resolve(host, std::to_string(options_.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return Status::error(options_.name + ": cannot resolve bind host '" + host +
                         "': " + ec.message());
  }
  const tcp::endpoint ep = results.begin()->endpoint();
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::unavailable(options_.name + ": cannot listen on " + host + ":" +
                               std::to_string(options_.port) + ": " + ec.message());
  }
  auto bound = acceptor_.local_endpoint(ec);
  asio::co_spawn(accept_strand_, accept_loop(), asio::detached);
  return bound;
}

void HttpServer::stop_accepting() {
  if (accepting_stopped_.exchange(true)) return;
  asio::post(accept_strand_, [this] {
    error_code ignored;
    acceptor_.close(ignored);
  });
}

void HttpServer::stop() {
  if (stopping_.exchange(true)) return;
  stop_accepting();
  std::lock_guard lock(mu_);
  for (auto& [id, weak] : connections_) {
    auto c = weak.lock();
    if (!c) continue;
    asio::post(c->executor, [weak_c = std::weak_ptr<Connection>(c)] {
      auto live = weak_c.lock();
      // One in the middle of a request closes after writing its response (it sees stopping_).
      if (live && !live->busy && live->close) live->close();
    });
  }
}

awaitable<bool> HttpServer::wait_closed(std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto seen = connection_closed_.generation();
    if (connection_count() == 0) co_return true;
    if (!co_await connection_closed_.wait_until(seen, deadline)) co_return connection_count() == 0;
  }
}

std::size_t HttpServer::connection_count() const {
  std::lock_guard lock(mu_);
  return connections_.size();
}

void HttpServer::forget(std::uint64_t id) {
  {
    std::lock_guard lock(mu_);
    connections_.erase(id);
  }
  connection_closed_.notify_all();
}

awaitable<void> HttpServer::accept_loop() {
  while (auto socket = co_await accept_next(acceptor_, shards_.next(), stopping_, options_.name)) {
    const std::uint64_t id = next_connection_id();
    auto executor = socket->get_executor();
    asio::co_spawn(executor, serve(std::move(*socket), id), asio::detached);
  }
}

awaitable<void> HttpServer::serve(tcp::socket socket, std::uint64_t id) {
  auto log = logger("frontend");
  auto connection = std::make_shared<Connection>();
  connection->executor = socket.get_executor();
  {
    std::lock_guard lock(mu_);
    connections_.emplace(id, connection);
  }
  error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  const std::string peer_ip = ec ? std::string("?") : remote.address().to_string();
  const std::string peer = peer_ip + ":" + (ec ? std::string("?") : std::to_string(remote.port()));
  log->debug("[C{}] {}: connection from {}", id, options_.name, peer);
  try {
    if (options_.tls) {
      beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)),
                                                  *options_.tls);
      connection->close = [&stream] {
        error_code ignored;
        beast::get_lowest_layer(stream).socket().close(ignored);
      };
      lowest(stream).expires_after(options_.read_timeout);
      co_await stream.async_handshake(asio::ssl::stream_base::server,
                                      asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        log->info("[C{}] {}: TLS handshake with {} failed: {}", id, options_.name, peer,
                  ec.message());
      } else {
        co_await serve_requests(stream, connection, id, peer, peer_ip);
        lowest(stream).expires_after(std::chrono::seconds(2));
        co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
      }
    } else {
      beast::tcp_stream stream(std::move(socket));
      connection->close = [&stream] {
        error_code ignored;
        stream.socket().close(ignored);
      };
      co_await serve_requests(stream, connection, id, peer, peer_ip);
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  } catch (const std::exception& e) {
    log->error("[C{}] {}: connection failed: {}", id, options_.name, e.what());
  }
  connection->close = nullptr;
  log->debug("[C{}] {}: connection from {} closed", id, options_.name, peer);
  forget(id);
}

template <typename Stream>
awaitable<void> HttpServer::serve_requests(Stream& stream,
                                           const std::shared_ptr<Connection>& connection,
                                           std::uint64_t connection_id, const std::string& peer,
                                           const std::string& peer_ip) {
  auto log = logger("frontend");
  beast::flat_buffer buffer;
  error_code ec;
  // Writes a response the loop makes itself (refusals); the connection closes after it.
  auto refuse = [&](http::status status, std::string why) -> awaitable<void> {
    log->info("[C{}] {}: {} from {}: {}", connection_id, options_.name, static_cast<int>(status),
              peer, why);
    http::response<http::string_body> res{status, 11};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::connection, "close");
    res.body() = nlohmann::json{{"message", why}}.dump();
    res.prepare_payload();
    lowest(stream).expires_after(options_.read_timeout);
    error_code wec;
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, wec));
  };

  while (!stopping_) {
    connection->busy = false;
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
    parser.body_limit(options_.max_body_bytes);
    lowest(stream).expires_after(options_.idle_timeout);
    co_await http::async_read_header(stream, buffer, parser,
                                     asio::redirect_error(asio::use_awaitable, ec));
    connection->busy = true;
    if (ec) {
      if (ec == http::error::header_limit) {
        co_await refuse(http::status::request_header_fields_too_large,
                        "the request head is larger than " +
                            std::to_string(options_.max_header_bytes) + " bytes");
      } else if (ec != http::error::end_of_stream && ec != beast::error::timeout &&
                 ec != asio::error::eof && ec != asio::error::operation_aborted &&
                 ec != asio::error::connection_reset && ec != asio::error::bad_descriptor &&
                 buffer.size() > 0) {
        co_await refuse(http::status::bad_request, "not an HTTP request: " + ec.message());
      }
      break;
    }
    if (parser.content_length() && *parser.content_length() > options_.max_body_bytes) {
      co_await refuse(http::status::payload_too_large,
                      "the request body of " + std::to_string(*parser.content_length()) +
                          " bytes is larger than the limit of " +
                          std::to_string(options_.max_body_bytes));
      break;
    }
    const auto& head = parser.get();
    if (beast::iequals(head[http::field::expect], "100-continue")) {
      http::response<http::empty_body> cont{http::status::continue_, head.version()};
      lowest(stream).expires_after(options_.read_timeout);
      co_await http::async_write(stream, cont, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
    }
    lowest(stream).expires_after(options_.read_timeout);
    co_await http::async_read(stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == http::error::body_limit) {
        co_await refuse(http::status::payload_too_large,
                        "the request body is larger than the limit of " +
                            std::to_string(options_.max_body_bytes) + " bytes");
      } else if (ec != beast::error::timeout && ec != asio::error::eof &&
                 ec != http::error::end_of_stream && ec != http::error::partial_message) {
        co_await refuse(http::status::bad_request,
                        "the request could not be read: " + ec.message());
      }
      break;
    }

    HttpRequest req;
    req.message = parser.release();
    req.connection_id = connection_id;
    req.peer = peer;
    req.peer_ip = peer_ip;
    req.tls = options_.tls != nullptr;
    const bool keep_alive = req.message.keep_alive();
    const unsigned version = req.message.version();
    HttpResponse out;
    const auto target = req.message.target();
    if (!parse_target(std::string_view(target.data(), target.size()), req)) {
      out = HttpResponse::error(http::status::bad_request, "the request target does not decode");
    } else {
      try {
        out = co_await handler_(req);
      } catch (const std::exception& e) {
        log->error("[C{}] {}: {} {} failed: {}", connection_id, options_.name,
                   std::string(req.message.method_string()), req.path, e.what());
        out = HttpResponse::error(http::status::internal_server_error,
                                  std::string("internal error: ") + e.what());
      }
    }
    http::response<http::string_body> res{out.status, version};
    res.set(http::field::server, "Kitsune");
    if (!out.content_type.empty()) res.set(http::field::content_type, out.content_type);
    for (const auto& [name, value] : out.headers)
      res.insert(name, value);
    res.body() = std::move(out.body);
    const bool again = keep_alive && !out.close && !stopping_;
    res.keep_alive(again);
    res.prepare_payload();
    lowest(stream).expires_after(options_.read_timeout);
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !again) break;
  }
  connection->busy = false;
}

}  // namespace kitsune::frontend
