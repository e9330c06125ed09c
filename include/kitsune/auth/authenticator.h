// Authenticators: the providers that say yes or no to a client's credentials.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kitsune/common/asio.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace kitsune::auth {

// Who is asking, for decisions and for the log line of the attempt.
struct ClientInfo {
  std::string address;  // peer IP address
  std::uint64_t connection_id = 0;
};

// Verifies a user name and password (SASL PLAIN, later HTTP Basic). Awaited on an I/O thread:
// an implementation that blocks (LDAP, JDBC) must run that work on a BlockingPool. Returns ok,
// or kUnauthenticated with a message that may be shown to the client (never the password).
class PasswordAuthenticator {
 public:
  virtual ~PasswordAuthenticator() = default;
  virtual std::string_view name() const = 0;
  virtual awaitable<Status> authenticate(const std::string& user, const std::string& password,
                                         const ClientInfo& client) = 0;
};

// What kyuubi.authentication asks for.
struct AuthSettings {
  bool nosasl = false;            // raw Thrift, no SASL at all
  bool kerberos = false;          // SASL GSSAPI
  std::string password_provider;  // "NONE", "LDAP", "JDBC", "CUSTOM", or "" for none
};

// Reads kyuubi.authentication. NOSASL cannot be combined with anything else.
Result<AuthSettings> read_auth_settings(const config::Conf& conf);

// The password provider the settings name. Providers this build does not have yet fail here, at
// startup, with a message that says so.
Result<std::shared_ptr<PasswordAuthenticator>> make_password_authenticator(
    const AuthSettings& settings, const config::Conf& conf);

// The password authenticator a Thrift frontend needs for `conf`: null for NOSASL, an error (for
// the startup log) when kyuubi.authentication is invalid or names what `program` cannot do yet.
Result<std::shared_ptr<PasswordAuthenticator>> make_frontend_authenticator(
    const config::Conf& conf, std::string_view program);

}  // namespace kitsune::auth
