// SPNEGO (RFC 4559, HTTP `Authorization: Negotiate <token>`) through MIT GSSAPI: the acceptor the
// HTTP frontends use, and the client's first token for tools and tests.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kitsune/common/asio.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace kitsune::transport {

// One identity the acceptor answers as: a principal and the keytab holding its key, with the
// configuration keys they came from (for messages).
struct SpnegoIdentity {
  std::string principal;  // HTTP/host@REALM, _HOST already expanded
  std::string keytab;
  std::string principal_key = "kyuubi.spnego.principal";
  std::string keytab_key = "kyuubi.spnego.keytab";
};

struct SpnegoOptions {
  std::vector<SpnegoIdentity> identities;  // tried in order; at least one
  std::vector<std::string> auth_to_local;  // hadoop.security.auth_to_local

  // kyuubi.spnego.principal and .keytab; with `service_fallback` (Thrift over HTTP, as Hive's
  // servlet) also the server's own kyuubi.kinit.principal and .keytab, tried second. No
  // identity configured gives an empty list (Negotiate is then not offered); a principal
  // without its keytab is an error naming the key. `host` replaces _HOST.
  static Result<SpnegoOptions> from_conf(const config::Conf& conf, std::string_view host,
                                         bool service_fallback);
};

struct SpnegoLogin {
  std::string principal;  // the client's, as the KDC named it: alice@EXAMPLE.COM
  std::string user;       // its short name (auth_to_local)
  std::string reply;      // base64 token for `WWW-Authenticate: Negotiate <reply>`, or empty
};

class SpnegoAcceptor {
 public:
  // Checks each keytab (readable, holding its principal) and acquires the acceptor credentials
  // now, so that a misconfigured server fails at startup naming the key to fix.
  static Result<std::shared_ptr<SpnegoAcceptor>> create(SpnegoOptions options);

  virtual ~SpnegoAcceptor() = default;

  // Accepts one base64 token (a single round trip, as HTTP clients send it; a mechanism that
  // asks for another is refused). GSSAPI (the keytab and the replay cache) runs on a pool of the
  // acceptor's own; the caller resumes on its executor. kUnauthenticated says why in words a
  // client may see.
  virtual awaitable<Result<SpnegoLogin>> accept(std::string token) = 0;

  // The principals this acceptor answers as, for the startup log.
  virtual std::vector<std::string> principals() const = 0;
};

// The client's side: "Negotiate <base64 token>" for HTTP@`host`, from the caller's ticket cache
// (KRB5CCNAME). Blocks on the KDC round trip for the service ticket: for tools and tests.
Result<std::string> spnego_authorization_header(const std::string& host);

}  // namespace kitsune::transport
