// HttpAuthenticator: who sends an HTTP request (Thrift over HTTP, REST): the signed
// hive.server2.auth cookie, Basic through the password provider, Negotiate and Bearer where
// configured; every login attempt in the audit log.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "kitsune/auth/audit_log.h"
#include "kitsune/auth/authenticator.h"
#include "kitsune/common/asio.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"
#include "kitsune/frontend/http_server.h"

namespace kitsune::frontend {

struct HttpAuthOptions {
  std::string transport = "http";  // for the audit log: http, https, rest
  bool use_cookie = true;          // kyuubi.frontend.thrift.http.cookie.auth.enabled
  std::chrono::seconds cookie_max_age{86400};
  std::string cookie_domain;
  std::string cookie_path;
  bool cookie_http_only = true;
  bool cookie_secure = false;  // set on TLS ports
  // kyuubi.authentication lists KERBEROS: Negotiate is the scheme asked for on a 401.
  bool kerberos = false;
  // NOSASL alone or NONE first: a request without credentials is "anonymous".
  bool anonymous_allowed = false;

  static HttpAuthOptions from_conf(const config::Conf& conf, bool tls);
};

struct HttpIdentity {
  std::string user;
  std::string mechanism;   // COOKIE, BASIC, NEGOTIATE, BEARER, NONE
  std::string set_cookie;  // a Set-Cookie header value to send back, or ""
};

class HttpAuthenticator {
 public:
  // `password` checks Basic credentials (null: Basic is accepted only when anonymous logins
  // are); `audit` may be null.
  HttpAuthenticator(HttpAuthOptions options, std::shared_ptr<auth::PasswordAuthenticator> password,
                    std::shared_ptr<auth::AuditLog> audit);

  // The identity of `req`, or kUnauthenticated with what the client may be told (never a
  // password), or kUnavailable when the provider cannot be reached.
  awaitable<Result<HttpIdentity>> authenticate(const HttpRequest& req);

  // A 401 response for `why`, with WWW-Authenticate as the configuration asks.
  HttpResponse unauthorized(const Status& why, bool json) const;

  // The cookie value for `user`, and the user of a cookie value when its signature holds and it
  // has not expired (for tests and for the REST frontend).
  std::string make_cookie_value(const std::string& user) const;
  std::optional<std::string> verify_cookie_value(const std::string& value) const;

 private:
  void audit(const HttpRequest& req, const std::string& user, const std::string& mechanism,
             bool allowed, const std::string& reason) const;
  std::string signature(const std::string& payload) const;

  HttpAuthOptions options_;
  std::shared_ptr<auth::PasswordAuthenticator> password_;
  std::shared_ptr<auth::AuditLog> audit_;
  std::array<std::uint8_t, 32> secret_;
};

// The name of the authentication cookie.
inline constexpr const char* kAuthCookieName = "hive.server2.auth";

}  // namespace kitsune::frontend
