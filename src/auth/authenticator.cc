// kyuubi.authentication parsing, the NONE provider, and the provider factory.
#include "kitsune/auth/authenticator.h"

#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "providers.h"

namespace kitsune::auth {
namespace {

// NONE: Hive's and Kyuubi's default. SASL PLAIN still runs (and still refuses an empty user or
// password, before any provider is asked), but any password is accepted.
class NoneAuthenticator final : public PasswordAuthenticator {
 public:
  std::string_view name() const override { return "NONE"; }
  awaitable<Status> authenticate(const std::string&, const std::string&,
                                 const ClientInfo&) override {
    co_return Status::ok();
  }
};

}  // namespace

Result<AuthSettings> read_auth_settings(const config::Conf& conf) {
  AuthSettings s;
  auto methods = conf.get(config::keys::kAuthentication);
  if (methods.empty()) methods.push_back("NONE");
  for (const auto& listed : methods) {
    const std::string m = to_upper(std::string(trim(listed)));
    if (m == "NOSASL") {
      s.nosasl = true;
    } else if (m == "KERBEROS") {
      s.kerberos = true;
    } else if (m == "NONE" || m == "LDAP" || m == "JDBC" || m == "CUSTOM") {
      // Kyuubi uses the first password provider listed.
      if (s.password_provider.empty()) s.password_provider = m;
    } else {
      return Status::error("kyuubi.authentication: unknown method '" + m + "'");
    }
  }
  if (s.nosasl && (s.kerberos || !s.password_provider.empty())) {
    return Status::error("kyuubi.authentication: NOSASL cannot be combined with other methods");
  }
  return s;
}

Result<std::shared_ptr<PasswordAuthenticator>> make_password_authenticator(
    const AuthSettings& settings, const config::Conf& conf) {
  const std::string& p = settings.password_provider;
  if (p.empty()) return Status::error("kyuubi.authentication names no password provider");
  if (p == "NONE") {
    return std::shared_ptr<PasswordAuthenticator>(std::make_shared<NoneAuthenticator>());
  }
  if (p == "LDAP") return make_ldap_authenticator(conf);
  if (p == "JDBC") return make_jdbc_authenticator(conf);
  if (p == "CUSTOM") return make_custom_authenticator(conf);
  return Status::error("kyuubi.authentication: unknown password provider '" + p + "'");
}

Result<std::shared_ptr<PasswordAuthenticator>> make_frontend_authenticator(
    const config::Conf& conf, std::string_view program) {
  auto settings = read_auth_settings(conf);
  if (!settings) return settings.status();
  if (settings->nosasl || settings->password_provider.empty()) {
    return std::shared_ptr<PasswordAuthenticator>();
  }
  auto made = make_password_authenticator(*settings, conf);
  if (!made) {
    return Status(made.status().code(), std::string(program) + ": " + made.status().message());
  }
  return made;
}

}  // namespace kitsune::auth
