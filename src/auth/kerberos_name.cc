// Kerberos principal names and auth_to_local rules (being written).
#include "kitsune/auth/kerberos_name.h"

namespace kitsune::auth {

struct AuthToLocal::Rule {};

AuthToLocal::AuthToLocal() = default;
AuthToLocal::~AuthToLocal() = default;
AuthToLocal::AuthToLocal(AuthToLocal&&) noexcept = default;
AuthToLocal& AuthToLocal::operator=(AuthToLocal&&) noexcept = default;
AuthToLocal::AuthToLocal(const AuthToLocal&) = default;
AuthToLocal& AuthToLocal::operator=(const AuthToLocal&) = default;

Result<KerberosName> KerberosName::parse(std::string_view) {
  return Status::unsupported("Kerberos names are not available yet");
}
std::string KerberosName::str() const {
  return primary;
}
std::string expand_host(std::string_view principal, std::string_view) {
  return std::string(principal);
}
std::string default_realm() {
  return {};
}
Result<AuthToLocal> AuthToLocal::parse(const std::vector<std::string>&, std::string) {
  return Status::unsupported("auth_to_local is not available yet");
}
Result<std::string> AuthToLocal::short_name(std::string_view) const {
  return Status::unsupported("auth_to_local is not available yet");
}

}  // namespace kitsune::auth
