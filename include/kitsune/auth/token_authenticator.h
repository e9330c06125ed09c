// TokenAuthenticator: HTTP Bearer tokens, checked by a shared object implementing
// kitsune/auth/token_provider.h (kitsune.authentication.custom.bearer.library).
#pragma once

#include <memory>
#include <string>

#include "kitsune/auth/authenticator.h"
#include "kitsune/common/asio.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace kitsune::auth {

// Says whom a Bearer token identifies. Awaited on the caller's strand: the provider runs on a
// BlockingPool of the authenticator's own (kitsune.authentication.custom.pool.size threads) and
// the caller resumes on its own executor. Thread-safe; shared by every HTTP frontend.
class TokenAuthenticator {
 public:
  virtual ~TokenAuthenticator() = default;

  // `token` is the credentials of "Authorization: Bearer <token>", without the scheme and the
  // spaces around them. Returns the user name the provider gives (non-empty, no control
  // character), or kUnauthenticated with a message the client may be shown (an empty or
  // malformed token is refused here, without asking the provider; the token itself never
  // appears in a message or a log line), or kUnavailable when the provider cannot tell now
  // (said as such, so that an admin can tell it from a bad token: HTTP 503, not 401).
  virtual awaitable<Result<std::string>> authenticate(const std::string& token,
                                                      const ClientInfo& client) = 0;
};

// The token authenticator `conf` asks for, loaded and started now, at startup:
//  - null when kitsune.authentication.custom.bearer.library is unset (Bearer is not accepted);
//  - an error naming the key and the reason when kyuubi.authentication's first password method
//    is not CUSTOM (Kyuubi's condition for Bearer), when the library cannot be loaded, is built
//    for another interface version, lacks a function, or its init fails, or when
//    kitsune.authentication.custom.pool.size is below 1. The server then refuses to start.
// The provider is destroyed and unloaded when the last reference goes, after the calls in flight.
Result<std::shared_ptr<TokenAuthenticator>> make_token_authenticator(const config::Conf& conf);

}  // namespace kitsune::auth
