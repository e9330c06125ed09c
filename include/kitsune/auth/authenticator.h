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

// Verifies a user name and password (SASL PLAIN, later HTTP Basic). Awaited on the caller's
// strand: an implementation that blocks (LDAP, JDBC, CUSTOM) runs that work on a BlockingPool of
// its own and resumes the caller on its executor. Returns ok, or kUnauthenticated with a message
// that may be shown to the client (never the password), or kUnavailable when the backing service
// cannot be reached (said as such, so that an admin can tell it from a wrong password).
// Callers have already refused an empty user or password.
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

// Reads kyuubi.authentication (a list, upper-cased like Kyuubi). NOSASL cannot be combined with
// anything else; KERBEROS with a password provider offers GSSAPI and PLAIN on one port; the first
// password provider listed is the one used.
Result<AuthSettings> read_auth_settings(const config::Conf& conf);

// The password provider the settings name, built and checked now (a bad URL, a missing library
// or a query without placeholders fail here, at startup, with the key to fix).
Result<std::shared_ptr<PasswordAuthenticator>> make_password_authenticator(
    const AuthSettings& settings, const config::Conf& conf);

// The password authenticator a Thrift frontend needs for `conf`: null when no password mechanism
// is offered (NOSASL, or KERBEROS alone), an error (for the startup log) when
// kyuubi.authentication is invalid or names what `program` cannot do.
Result<std::shared_ptr<PasswordAuthenticator>> make_frontend_authenticator(
    const config::Conf& conf, std::string_view program);

}  // namespace kitsune::auth
