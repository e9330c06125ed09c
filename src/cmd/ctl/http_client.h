// A small synchronous HTTP/1.1 client for kitsune-ctl's REST calls (Boost.Beast, plain or TLS):
// one connection per request, deadlines on connecting and on every read and write, and retries
// of requests that could not connect, as Kyuubi's REST client retries them.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "kitsune/common/status.h"

namespace kitsune::ctl {

// An http(s) URL, split. The path has no trailing '/' ("" for the root).
struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without IPv6 brackets
  std::string port;    // explicit, or 80 / 443
  std::string path;

  // "http://host:port/path"; a URL without a scheme is taken as http.
  static Result<Url> parse(std::string_view text);
  // scheme://host:port, with brackets around an IPv6 host.
  std::string origin() const;
};

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{30000};  // kyuubi.ctl.rest.connect.timeout
  std::chrono::milliseconds socket_timeout{120000};  // kyuubi.ctl.rest.socket.timeout
  int max_attempts = 3;                              // kyuubi.ctl.rest.request.max.attempts
  std::chrono::milliseconds attempt_wait{3000};      // kyuubi.ctl.rest.request.attempt.wait
  std::size_t max_response_bytes = 64 << 20;
};

struct HttpResponse {
  int status = 0;
  std::string reason;
  std::string body;
};

// The value of an Authorization header for the next request ("" for none), or why there is none
// (a SPNEGO token that could not be made). Called once per attempt.
using Authorizer = std::function<Result<std::string>()>;

class HttpClient {
 public:
  HttpClient(Url base, HttpOptions options, Authorizer authorizer);

  // Sends `method` to base path + `target` (which starts with '/', query included) with `body`
  // as JSON when not empty, and returns the response whatever its status. kUnavailable when the
  // server cannot be reached (after max_attempts tries to connect) or does not answer within the
  // socket timeout; kError for a response that is not HTTP. Blocks the calling thread.
  Result<HttpResponse> request(std::string_view method, const std::string& target,
                               const std::string& body = {});

  const Url& base() const { return base_; }

 private:
  Url base_;
  HttpOptions options_;
  Authorizer authorizer_;
};

// RFC 3986 percent-encoding of a query parameter value.
std::string url_encode(std::string_view text);

}  // namespace kitsune::ctl
