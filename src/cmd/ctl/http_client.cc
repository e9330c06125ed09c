// kitsune-ctl's HTTP client: each request runs on a private io_context (so every step has a
// deadline) and the caller waits for it; requests that could not connect are tried again.
#include "http_client.h"

#include <charconv>
#include <optional>
#include <thread>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "kitsune/common/asio.h"
#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"

namespace kitsune::ctl {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using std::chrono::milliseconds;

// One try: the response, or why there is none and whether another try may do better.
struct Attempt {
  Status status;
  HttpResponse response;
  bool retry = false;
};

Attempt failed(Status status, bool retry) {
  Attempt a;
  a.status = std::move(status);
  a.retry = retry;
  return a;
}

std::string ms(milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

template <typename Stream>
awaitable<Attempt> talk(Stream& stream, beast::tcp_stream& raw, const Url& url,
                        const HttpOptions& options, http::request<http::string_body>& req) {
  error_code ec;
  raw.expires_after(options.socket_timeout);
  co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_return failed(
        Status::unavailable("Cannot send the request to " + url.origin() + ": " + ec.message()),
        false);
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.max_response_bytes);
  raw.expires_after(options.socket_timeout);
  co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec == beast::error::timeout) {
    co_return failed(
        Status::unavailable("No response from " + url.origin() + " within " +
                            ms(options.socket_timeout) + " (kyuubi.ctl.rest.socket.timeout)"),
        false);
  }
  const bool closed = ec == http::error::end_of_stream || ec == http::error::partial_message;
  if (ec && !closed && ec.category() == http::make_error_code(http::error::need_more).category()) {
    co_return failed(Status::error("The answer of " + url.origin() +
                                   " is not an HTTP response: " + ec.message()),
                     false);
  }
  if (ec) {
    co_return failed(Status::unavailable("No response from " + url.origin() + ": " + ec.message()),
                     false);
  }
  auto res = parser.release();
  Attempt done;
  done.response.status = static_cast<int>(res.result_int());
  done.response.reason = std::string(res.reason());
  done.response.body = std::move(res.body());
  raw.socket().shutdown(tcp::socket::shutdown_both, ec);
  co_return done;
}

awaitable<Attempt> exchange(const Url& url, const HttpOptions& options,
                            http::request<http::string_body>& req, ssl::context* tls) {
  auto ex = co_await asio::this_coro::executor;
  error_code ec;
  tcp::resolver resolver(ex);
  auto endpoints = co_await resolver.async_resolve(url.host, url.port,
                                                   asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_return failed(Status::unavailable("Cannot resolve " + url.host + ": " + ec.message()), true);
  }
  beast::tcp_stream stream(ex);
  stream.expires_after(options.connect_timeout);
  co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec == beast::error::timeout) {
    co_return failed(
        Status::unavailable("No connection to " + url.origin() + " within " +
                            ms(options.connect_timeout) + " (kyuubi.ctl.rest.connect.timeout)"),
        true);
  }
  if (ec) {
    co_return failed(Status::unavailable("Cannot connect to " + url.origin() + ": " + ec.message()),
                     true);
  }
  if (tls == nullptr) co_return co_await talk(stream, stream, url, options, req);

  beast::ssl_stream<beast::tcp_stream> secure(std::move(stream), *tls);
  // SSL_set_tlsext_host_name, without its C cast.
  SSL_ctrl(secure.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
           const_cast<char*>(url.host.c_str()));
  secure.set_verify_callback(ssl::host_name_verification(url.host));
  beast::tcp_stream& raw = secure.next_layer();
  raw.expires_after(options.connect_timeout);
  co_await secure.async_handshake(ssl::stream_base::client,
                                  asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_return failed(
        Status::unavailable("TLS handshake with " + url.origin() + " failed: " + ec.message()),
        false);
  }
  co_return co_await talk(secure, raw, url, options, req);
}

Attempt run_once(const Url& url, const HttpOptions& options,
                 http::request<http::string_body>& req) {
  std::optional<ssl::context> tls;
  if (url.scheme == "https") {
    tls.emplace(ssl::context::tls_client);
    tls->set_default_verify_paths();
    tls->set_verify_mode(ssl::verify_peer);
  }
  asio::io_context io;
  Attempt attempt = failed(Status::internal("the request did not finish"), false);
  asio::co_spawn(io, exchange(url, options, req, tls ? &*tls : nullptr),
                 [&](const std::exception_ptr& e, Attempt a) {
                   if (e) {
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& ex) {
                       a = failed(Status::internal(ex.what()), false);
                     }
                   }
                   attempt = std::move(a);
                 });
  io.run();
  return attempt;
}

}  // namespace

Result<Url> Url::parse(std::string_view text) {
  Url url;
  std::string_view rest = trim(text);
  if (const auto scheme_end = rest.find("://"); scheme_end != std::string_view::npos) {
    url.scheme = to_lower(rest.substr(0, scheme_end));
    rest.remove_prefix(scheme_end + 3);
  } else {
    url.scheme = "http";
  }
  if (url.scheme != "http" && url.scheme != "https") {
    return Status::error("Unsupported URL scheme '" + url.scheme + "' in " + std::string(text) +
                         ": expected http or https");
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);  // credentials in a URL are not used
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return Status::error("Bad URL " + std::string(text));
    url.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':') {
      port = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) return Status::error("Bad URL " + std::string(text) + ": no host");
  if (port.empty()) {
    url.port = url.scheme == "https" ? "443" : "80";
  } else {
    int p = 0;
    const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || ptr != port.data() + port.size() || p <= 0 || p > 65535) {
      return Status::error("Bad URL " + std::string(text) + ": invalid port '" + std::string(port) +
                           "'");
    }
    url.port = std::string(port);
  }
  while (!path.empty() && path.back() == '/')
    path.remove_suffix(1);
  url.path = std::string(path);
  return url;
}

std::string Url::origin() const {
  const bool v6 = host.find(':') != std::string::npos;
  return scheme + "://" + (v6 ? "[" + host + "]" : host) + ":" + port;
}

HttpClient::HttpClient(Url base, HttpOptions options, Authorizer authorizer)
    : base_(std::move(base)), options_(options), authorizer_(std::move(authorizer)) {}

Result<HttpResponse> HttpClient::request(std::string_view method, const std::string& target,
                                         const std::string& body) {
  const http::verb verb = http::string_to_verb(std::string(method));
  const int attempts = std::max(1, options_.max_attempts);
  Status last;
  for (int n = 1; n <= attempts; ++n) {
    http::request<http::string_body> req(verb, base_.path + target, 11);
    const bool v6 = base_.host.find(':') != std::string::npos;
    const bool default_port = base_.port == (base_.scheme == "https" ? "443" : "80");
    req.set(http::field::host,
            (v6 ? "[" + base_.host + "]" : base_.host) + (default_port ? "" : ":" + base_.port));
    req.set(http::field::user_agent, "kitsune-ctl/" KITSUNE_VERSION);
    req.set(http::field::accept, "application/json");
    req.set(http::field::connection, "close");
    if (authorizer_) {
      auto authorization = authorizer_();
      if (!authorization) return std::move(authorization).status();
      if (!authorization->empty()) req.set(http::field::authorization, *authorization);
    }
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    logger("ctl")->debug("{} {}{} (attempt {} of {})", method, base_.origin(),
                         std::string(req.target()), n, attempts);
    Attempt attempt = run_once(base_, options_, req);
    if (attempt.status.is_ok()) {
      logger("ctl")->debug("{} {} {}", attempt.response.status, attempt.response.reason,
                           attempt.response.body.size());
      return std::move(attempt.response);
    }
    if (!attempt.retry) return attempt.status;
    last = attempt.status;
    if (n < attempts) {
      logger("ctl")->info("{}; trying again in {}", last.message(), ms(options_.attempt_wait));
      std::this_thread::sleep_for(options_.attempt_wait);
    }
  }
  return Status::unavailable(last.message() + " (" + std::to_string(attempts) +
                             (attempts == 1 ? " attempt" : " attempts") +
                             ", kyuubi.ctl.rest.request.max.attempts)");
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace kitsune::ctl
