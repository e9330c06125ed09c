// SASL GSSAPI through Cyrus SASL (being written: refused at startup until then).
#include "kitsune/transport/gssapi.h"

#include "kitsune/common/strings.h"

namespace kitsune::transport {

Result<Qop> parse_qop(std::string_view text) {
  const std::string q = to_lower(std::string(trim(text)));
  if (q == "auth") return Qop::kAuth;
  if (q == "auth-int") return Qop::kAuthInt;
  if (q == "auth-conf") return Qop::kAuthConf;
  return Status::error("kyuubi.authentication.sasl.qop: '" + std::string(text) +
                       "' is not auth, auth-int or auth-conf");
}

std::string_view to_string(Qop qop) {
  switch (qop) {
    case Qop::kAuth:
      return "auth";
    case Qop::kAuthInt:
      return "auth-int";
    case Qop::kAuthConf:
      return "auth-conf";
  }
  return "auth";
}

Result<GssapiServerOptions> GssapiServerOptions::from_conf(const config::Conf&, std::string_view) {
  return Status::unsupported("kyuubi.authentication=KERBEROS is not available in this build");
}

Result<std::shared_ptr<GssapiServer>> GssapiServer::create(GssapiServerOptions) {
  return Status::unsupported("kyuubi.authentication=KERBEROS is not available in this build");
}

awaitable<Status> sasl_client_gssapi(ThriftTransport&, const GssapiClientOptions&, std::size_t,
                                     ThriftTransport::Clock::time_point) {
  co_return Status::unsupported("GSSAPI is not available in this build");
}

}  // namespace kitsune::transport
