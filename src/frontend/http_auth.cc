// HttpAuthenticator: the cookie (HMAC-SHA256, compared in constant time, expiring), Basic, and
// the refusals of schemes this server is not configured for.
#include "kitsune/frontend/http_auth.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "kitsune/common/random.h"
#include "kitsune/common/strings.h"

namespace kitsune::frontend {

namespace k = config::keys;

namespace {

std::int64_t now_epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Cookie values may not hold ';', ',', spaces or quotes: user names are percent-encoded.
std::string cookie_escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '@' || c == '/') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// The value of cookie `name` in a Cookie header ("a=1; b=2"), if present.
std::optional<std::string> find_cookie(std::string_view header, std::string_view name) {
  for (const auto& part : split(header, ';')) {
    std::string_view p = trim(part);
    const auto eq = p.find('=');
    if (eq == std::string_view::npos) continue;
    if (trim(p.substr(0, eq)) != name) continue;
    std::string_view v = trim(p.substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return std::string(v);
  }
  return std::nullopt;
}

}  // namespace

HttpAuthOptions HttpAuthOptions::from_conf(const config::Conf& conf, bool tls) {
  HttpAuthOptions o;
  o.transport = tls ? "https" : "http";
  o.use_cookie = conf.get(k::kFrontendThriftHttpCookieAuthEnabled);
  o.cookie_max_age = std::chrono::seconds(conf.get(k::kFrontendThriftHttpCookieMaxAge));
  o.cookie_domain = conf.get(k::kFrontendThriftHttpCookieDomain);
  o.cookie_path = conf.get(k::kFrontendThriftHttpCookiePath);
  o.cookie_http_only = conf.get(k::kFrontendThriftHttpCookieIsHttponly);
  o.cookie_secure = tls;
  auto settings = auth::read_auth_settings(conf);
  if (settings) {
    o.kerberos = settings->kerberos;
    o.anonymous_allowed = settings->nosasl || settings->password_provider == "NONE";
  }
  return o;
}

HttpAuthenticator::HttpAuthenticator(HttpAuthOptions options, HttpAuthProviders providers)
    : options_(std::move(options)), providers_(std::move(providers)), secret_(random_array<32>()) {}

std::string HttpAuthenticator::signature(const std::string& payload) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac, &length);
  return hex(std::span<const std::uint8_t>(mac, length));
}

std::string HttpAuthenticator::make_cookie_value(const std::string& user) const {
  const auto nonce = random_array<8>();
  const std::int64_t expires =
      now_epoch_ms() +
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.cookie_max_age).count();
  const std::string payload =
      "cu=" + cookie_escape(user) + "&rn=" + hex(nonce) + "&exp=" + std::to_string(expires);
  return payload + "&s=" + signature(payload);
}

std::optional<std::string> HttpAuthenticator::verify_cookie_value(const std::string& value) const {
  const auto s = value.rfind("&s=");
  if (s == std::string::npos) return std::nullopt;
  const std::string payload = value.substr(0, s);
  if (!constant_time_equals(value.substr(s + 3), signature(payload))) return std::nullopt;
  std::optional<std::string> user;
  std::optional<std::int64_t> expires;
  for (const auto& field : split(payload, '&')) {
    if (field.starts_with("cu=")) {
      user = percent_decode(std::string_view(field).substr(3));
    } else if (field.starts_with("exp=")) {
      try {
        expires = std::stoll(field.substr(4));
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }
  }
  if (!user || !expires || *expires <= now_epoch_ms()) return std::nullopt;
  return user;
}

void HttpAuthenticator::audit(const HttpRequest& req, const std::string& user,
                              const std::string& mechanism, bool allowed,
                              const std::string& reason) const {
  if (!providers_.audit) return;
  auth::LoginAttempt a;
  a.client = req.peer;
  a.user = user;
  a.mechanism = mechanism;
  a.transport = options_.transport;
  a.allowed = allowed;
  a.reason = reason;
  providers_.audit->record(a);
}

awaitable<Result<HttpIdentity>> HttpAuthenticator::basic(const HttpRequest& req,
                                                         const std::string& credentials) {
  auto decoded = base64_decode(credentials);
  const auto colon = decoded ? decoded->find(':') : std::string::npos;
  if (!decoded || colon == std::string::npos) {
    audit(req, "", "BASIC", false, "malformed Basic credentials");
    co_return Status::unauthenticated("Malformed Basic credentials");
  }
  const std::string user = decoded->substr(0, colon);
  const std::string password = decoded->substr(colon + 1);
  if (user.empty()) {
    audit(req, user, "BASIC", false, "empty user name");
    co_return Status::unauthenticated("Basic credentials without a user name");
  }
  if (providers_.password) {
    if (password.empty()) {
      audit(req, user, "BASIC", false, "empty password");
      co_return Status::unauthenticated("Error validating the login: empty password");
    }
    auth::ClientInfo client{req.peer_ip, req.connection_id};
    Status checked = co_await providers_.password->authenticate(user, password, client);
    if (!checked.is_ok()) {
      audit(req, user, "BASIC", false, checked.message());
      co_return checked;
    }
  } else if (!options_.anonymous_allowed) {
    audit(req, user, "BASIC", false, "no password provider is configured");
    co_return Status::unauthenticated(
        "Basic authentication is not offered: kyuubi.authentication names no password provider");
  }
  co_return HttpIdentity{user, "BASIC", {}};
}

awaitable<Result<HttpIdentity>> HttpAuthenticator::negotiate(const HttpRequest& req,
                                                             std::string credentials) {
  if (!providers_.spnego) {
    const std::string why = !options_.kerberos ? "kyuubi.authentication does not list KERBEROS"
                                               : providers_.spnego_missing;
    audit(req, "", "NEGOTIATE", false, "Negotiate is not offered: " + why);
    co_return Status::unauthenticated("Negotiate (SPNEGO) is not offered by this server: " + why);
  }
  // hive-driver writes "Negotiate : <token>": a colon and spaces before the token are skipped.
  std::size_t start = 0;
  while (start < credentials.size() && (credentials[start] == ':' || credentials[start] == ' ')) {
    ++start;
  }
  credentials.erase(0, start);
  auto login = co_await providers_.spnego->accept(std::move(credentials));
  if (!login) {
    audit(req, "", "NEGOTIATE", false, login.status().message());
    co_return login.status();
  }
  HttpIdentity identity{login->user, "NEGOTIATE", {}};
  if (!login->reply.empty()) {
    identity.response_headers.emplace_back("WWW-Authenticate", "Negotiate " + login->reply);
  }
  co_return identity;
}

awaitable<Result<HttpIdentity>> HttpAuthenticator::bearer(const HttpRequest& req,
                                                          const std::string& credentials) {
  if (!providers_.bearer) {
    audit(req, "", "BEARER", false, "no token provider");
    co_return Status::unauthenticated(
        "Bearer tokens are not accepted: kitsune.authentication.custom.bearer.library is unset");
  }
  // The token is a secret: it reaches neither the audit line nor the log.
  auth::ClientInfo client{req.peer_ip, req.connection_id};
  Result<std::string> user = co_await providers_.bearer->authenticate(credentials, client);
  if (!user) {
    audit(req, "", "BEARER", false, user.status().message());
    co_return user.status();
  }
  co_return HttpIdentity{*user, "BEARER", {}};
}

awaitable<Result<HttpIdentity>> HttpAuthenticator::authenticate(const HttpRequest& req) {
  if (options_.use_cookie) {
    if (auto cookie = find_cookie(req.header("Cookie"), kAuthCookieName)) {
      if (auto user = verify_cookie_value(*cookie)) {
        co_return HttpIdentity{*user, "COOKIE", {}};
      }
      // A forged or expired cookie is not an error by itself: credentials may follow.
    }
  }
  const std::string authorization(trim(req.header("Authorization")));
  const auto space = authorization.find(' ');
  const std::string scheme = authorization.substr(0, space);
  std::string credentials =
      space == std::string::npos ? std::string() : std::string(trim(authorization.substr(space)));

  Result<HttpIdentity> identity = Status::unauthenticated("");
  if (authorization.empty()) {
    if (!options_.anonymous_allowed) {
      audit(req, "", "HTTP", false, "no credentials");
      co_return Status::unauthenticated(
          providers_.spnego ? "Authentication required: send Negotiate (Kerberos) credentials"
                            : "Authentication required: send Basic credentials");
    }
    identity = HttpIdentity{"anonymous", "NONE", {}};
  } else if (iequals(scheme, "Basic")) {
    identity = co_await basic(req, credentials);
  } else if (iequals(scheme, "Negotiate")) {
    identity = co_await negotiate(req, std::move(credentials));
  } else if (iequals(scheme, "Bearer")) {
    identity = co_await bearer(req, credentials);
  } else {
    audit(req, "", scheme, false, "unknown scheme");
    co_return Status::unauthenticated("Unsupported authentication scheme '" + scheme + "'");
  }
  if (!identity) co_return identity.status();

  audit(req, identity->user, identity->mechanism, true, "");
  if (options_.use_cookie) {
    std::string c = std::string(kAuthCookieName) + "=" + make_cookie_value(identity->user) +
                    "; Max-Age=" + std::to_string(options_.cookie_max_age.count());
    if (!options_.cookie_domain.empty()) c += "; Domain=" + options_.cookie_domain;
    if (!options_.cookie_path.empty()) c += "; Path=" + options_.cookie_path;
    if (options_.cookie_http_only) c += "; HttpOnly";
    if (options_.cookie_secure) c += "; Secure";
    identity->response_headers.emplace_back("Set-Cookie", std::move(c));
  }
  co_return identity;
}

HttpResponse HttpAuthenticator::unauthorized(const Status& why, bool json) const {
  const bool unavailable = why.code() == StatusCode::kUnavailable;
  const auto status = unavailable ? http::status::service_unavailable : http::status::unauthorized;
  HttpResponse r = json ? HttpResponse::error(status, why.message())
                        : HttpResponse::text(status, "Authentication Error: " + why.message());
  if (!unavailable) {
    // Each scheme offered, so that a client (curl --negotiate) knows which to answer with.
    if (providers_.spnego) r.headers.emplace_back("WWW-Authenticate", "Negotiate");
    if (providers_.bearer) r.headers.emplace_back("WWW-Authenticate", "Bearer");
    if (providers_.password || !providers_.spnego) {
      r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"kyuubi\"");
    }
  }
  return r;
}

}  // namespace kitsune::frontend
