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
#include <utility>
#include <vector>

#include "kitsune/auth/audit_log.h"
#include "kitsune/auth/authenticator.h"
#include "kitsune/auth/token_authenticator.h"
#include "kitsune/common/asio.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"
#include "kitsune/frontend/http_server.h"
#include "kitsune/transport/spnego.h"

namespace kitsune::frontend {

struct HttpAuthOptions {
  std::string transport = "http";  // for the audit log: http, https, rest
  bool use_cookie = true;          // kyuubi.frontend.thrift.http.cookie.auth.enabled
  std::chrono::seconds cookie_max_age{86400};
  std::string cookie_domain;
  std::string cookie_path;
  bool cookie_http_only = true;
  bool cookie_secure = false;  // set on TLS ports
  // kyuubi.authentication lists KERBEROS: Negotiate is offered (with an acceptor).
  bool kerberos = false;
  // NOSASL alone or NONE first: a request without credentials is "anonymous".
  bool anonymous_allowed = false;

  static HttpAuthOptions from_conf(const config::Conf& conf, bool tls);
};

struct HttpIdentity {
  std::string user;
  std::string mechanism;  // COOKIE, BASIC, NEGOTIATE, BEARER, NONE
  // Headers for the response: Set-Cookie with a new cookie, WWW-Authenticate with the server's
  // SPNEGO reply token (mutual authentication).
  std::vector<std::pair<std::string, std::string>> response_headers;
};

// What checks each scheme; a null one is not offered.
struct HttpAuthProviders {
  std::shared_ptr<auth::PasswordAuthenticator> password;  // Basic
  std::shared_ptr<transport::SpnegoAcceptor> spnego;      // Negotiate
  std::shared_ptr<auth::TokenAuthenticator> bearer;       // Bearer
  std::shared_ptr<auth::AuditLog> audit;                  // the audit lines
  // Why Negotiate is not offered though KERBEROS is listed (the keys to set), for the 401.
  std::string spnego_missing;
};

class HttpAuthenticator {
 public:
  // Without a password provider, Basic is accepted only when anonymous logins are.
  HttpAuthenticator(HttpAuthOptions options, HttpAuthProviders providers);

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

  awaitable<Result<HttpIdentity>> basic(const HttpRequest& req, const std::string& credentials);
  awaitable<Result<HttpIdentity>> negotiate(const HttpRequest& req, std::string credentials);
  awaitable<Result<HttpIdentity>> bearer(const HttpRequest& req, const std::string& credentials);

  HttpAuthOptions options_;
  HttpAuthProviders providers_;
  std::array<std::uint8_t, 32> secret_;
};

// The name of the authentication cookie.
inline constexpr const char* kAuthCookieName = "hive.server2.auth";

}  // namespace kitsune::frontend
