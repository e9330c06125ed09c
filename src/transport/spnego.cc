// SPNEGO through MIT GSSAPI: acceptor credentials from each configured keytab (not the
// process-wide acceptor identity SASL GSSAPI registers), one token per request accepted on a pool.
#include "kitsune/transport/spnego.h"

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>

#include <utility>

#include "kerberos_util.h"
#include "kitsune/auth/kerberos_name.h"
#include "kitsune/common/blocking_pool.h"
#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "kitsune/config/keys.h"

namespace kitsune::transport {
namespace {

namespace k = config::keys;

// Logins being accepted at once (each reads the keytab and the replay cache); more wait.
constexpr std::size_t kPoolThreads = 4;
// The largest token taken: a Kerberos ticket with a large PAC is a few KB; the HTTP header limit
// bounds it before this does.
constexpr std::size_t kMaxTokenBytes = 64 * 1024;

// "*" as the principal: any principal the keytab holds (Hadoop's convention for HTTP/*).
bool any_principal(const std::string& principal) {
  return principal == "*";
}

struct Credential {
  std::string principal;
  gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
};

class SpnegoAcceptorImpl final : public SpnegoAcceptor {
 public:
  SpnegoAcceptorImpl(std::vector<Credential> credentials, auth::AuthToLocal rules)
      : credentials_(std::move(credentials)), rules_(std::move(rules)) {}

  ~SpnegoAcceptorImpl() override {
    pool_.reset();  // no accept runs past this point
    for (auto& c : credentials_) {
      OM_uint32 minor = 0;
      if (c.cred != GSS_C_NO_CREDENTIAL) gss_release_cred(&minor, &c.cred);
    }
  }

  std::vector<std::string> principals() const override {
    std::vector<std::string> out;
    for (const auto& c : credentials_)
      out.push_back(c.principal);
    return out;
  }

  awaitable<Result<SpnegoLogin>> accept(std::string token) override {
    auto decoded = base64_decode(token);
    if (!decoded || decoded->empty()) {
      co_return Status::unauthenticated("Negotiate: the token is not base64");
    }
    if (decoded->size() > kMaxTokenBytes) {
      co_return Status::unauthenticated("Negotiate: the token is larger than " +
                                        std::to_string(kMaxTokenBytes) + " bytes");
    }
    auto work = [this, bytes = std::move(decoded).value()]() { return accept_now(bytes); };
    co_return co_await pool_->run(std::move(work));
  }

 private:
  // On a pool thread: each credential in turn until one accepts the token.
  Result<SpnegoLogin> accept_now(const std::string& bytes) const {
    std::string why;
    for (const auto& c : credentials_) {
      gss_ctx_id_t context = GSS_C_NO_CONTEXT;
      gss_buffer_desc input{bytes.size(), const_cast<char*>(bytes.data())};
      gss_buffer_desc output = GSS_C_EMPTY_BUFFER;
      gss_name_t source = GSS_C_NO_NAME;
      OM_uint32 minor = 0;
      const OM_uint32 major =
          gss_accept_sec_context(&minor, &context, c.cred, &input, GSS_C_NO_CHANNEL_BINDINGS,
                                 &source, nullptr, &output, nullptr, nullptr, nullptr);
      SpnegoLogin login;
      if (major == GSS_S_COMPLETE) {
        login.principal = display_name(source);
        if (output.length > 0) {
          login.reply = base64_encode(
              std::string_view(static_cast<const char*>(output.value), output.length));
        }
      } else if (!GSS_ERROR(major)) {
        why = "the client's mechanism asks for another round trip, which HTTP logins do not have";
      } else {
        if (!why.empty()) why += "; ";
        why += "as " + c.principal + ": " + gss_error_message(major, minor);
      }
      OM_uint32 ignored = 0;
      gss_release_buffer(&ignored, &output);
      if (source != GSS_C_NO_NAME) gss_release_name(&ignored, &source);
      if (context != GSS_C_NO_CONTEXT) gss_delete_sec_context(&ignored, &context, GSS_C_NO_BUFFER);
      if (major != GSS_S_COMPLETE) continue;
      if (login.principal.empty()) {
        return Status::unauthenticated("Negotiate: GSSAPI gave no name for the client");
      }
      auto user = rules_.short_name(login.principal);
      if (!user) return user.status();
      login.user = std::move(user).value();
      return login;
    }
    return Status::unauthenticated("Kerberos (SPNEGO) login refused: " + why);
  }

  std::vector<Credential> credentials_;
  auth::AuthToLocal rules_;
  std::unique_ptr<BlockingPool> pool_ = std::make_unique<BlockingPool>("spnego", kPoolThreads);
};

// Acceptor credentials for `identity` from its own keytab.
Result<Credential> acquire(const SpnegoIdentity& identity) {
  Credential out;
  out.principal = identity.principal;
  gss_name_t name = GSS_C_NO_NAME;
  OM_uint32 minor = 0;
  if (!any_principal(identity.principal)) {
    gss_buffer_desc text{identity.principal.size(), const_cast<char*>(identity.principal.data())};
    const OM_uint32 major = gss_import_name(&minor, &text, GSS_KRB5_NT_PRINCIPAL_NAME, &name);
    if (GSS_ERROR(major)) {
      return Status::error(identity.principal_key + ": '" + identity.principal +
                           "': " + gss_error_message(major, minor));
    }
  }
  const std::string keytab = keytab_name(identity.keytab);
  gss_key_value_element_desc element{"keytab", keytab.c_str()};
  gss_key_value_set_desc store{1, &element};
  const OM_uint32 major = gss_acquire_cred_from(&minor, name, GSS_C_INDEFINITE, GSS_C_NO_OID_SET,
                                                GSS_C_ACCEPT, &store, &out.cred, nullptr, nullptr);
  OM_uint32 ignored = 0;
  if (name != GSS_C_NO_NAME) gss_release_name(&ignored, &name);
  if (GSS_ERROR(major)) {
    return Status::error(identity.keytab_key + ": no acceptor credentials for " +
                         identity.principal + " from '" + identity.keytab +
                         "': " + gss_error_message(major, minor));
  }
  return out;
}

}  // namespace

Result<SpnegoOptions> SpnegoOptions::from_conf(const config::Conf& conf, std::string_view host,
                                               bool service_fallback) {
  SpnegoOptions o;
  o.auth_to_local = conf.get(k::kAuthToLocal);
  auto add = [&](const config::Key<std::string>& principal_key,
                 const config::Key<std::string>& keytab_key) -> Status {
    const std::string principal(trim(conf.get(principal_key)));
    const std::string keytab(trim(conf.get(keytab_key)));
    if (principal.empty() && keytab.empty()) return Status::ok();
    if (principal.empty() || keytab.empty()) {
      const auto& missing = principal.empty() ? principal_key : keytab_key;
      const auto& given = principal.empty() ? keytab_key : principal_key;
      return Status::error(std::string(missing.name()) + " is needed with " +
                           std::string(given.name()));
    }
    SpnegoIdentity id;
    id.principal = auth::expand_host(principal, host);
    id.keytab = keytab;
    id.principal_key = principal_key.name();
    id.keytab_key = keytab_key.name();
    for (const auto& existing : o.identities) {
      if (existing.principal == id.principal && existing.keytab == id.keytab) return Status::ok();
    }
    o.identities.push_back(std::move(id));
    return Status::ok();
  };
  Status s = add(k::kSpnegoPrincipal, k::kSpnegoKeytab);
  if (!s.is_ok()) return s;
  if (service_fallback) {
    s = add(k::kKinitPrincipal, k::kKinitKeytab);
    if (!s.is_ok()) return s;
  }
  return o;
}

Result<std::shared_ptr<SpnegoAcceptor>> SpnegoAcceptor::create(SpnegoOptions options) {
  if (options.identities.empty()) {
    return Status::error("Negotiate needs kyuubi.spnego.principal and kyuubi.spnego.keytab");
  }
  const std::string realm = auth::default_realm();
  std::vector<Credential> credentials;
  auto release = [&credentials] {
    for (auto& c : credentials) {
      OM_uint32 minor = 0;
      gss_release_cred(&minor, &c.cred);
    }
  };
  for (auto identity : options.identities) {
    if (!any_principal(identity.principal)) {
      auto name = auth::KerberosName::parse(identity.principal);
      if (!name) {
        release();
        return Status::error(identity.principal_key + ": " + name.status().message());
      }
      if (name->realm.empty()) {
        if (realm.empty()) {
          release();
          return Status::error(identity.principal_key + ": '" + identity.principal +
                               "' has no realm and the Kerberos configuration (KRB5_CONFIG) "
                               "names no default realm");
        }
        name->realm = realm;
      }
      identity.principal = name->str();
      Status s = check_keytab(identity.keytab, identity.principal, identity.keytab_key,
                              identity.principal_key);
      if (!s.is_ok()) {
        release();
        return s;
      }
    }
    auto credential = acquire(identity);
    if (!credential) {
      release();
      return credential.status();
    }
    credentials.push_back(std::move(credential).value());
  }
  auto rules = auth::AuthToLocal::parse(options.auth_to_local, realm);
  if (!rules) {
    release();
    return rules.status();
  }
  return std::shared_ptr<SpnegoAcceptor>(
      std::make_shared<SpnegoAcceptorImpl>(std::move(credentials), std::move(rules).value()));
}

Result<std::string> spnego_authorization_header(const std::string& host) {
  std::string service = "HTTP@" + host;
  gss_buffer_desc name_buffer{service.size(), service.data()};
  OM_uint32 minor = 0;
  gss_name_t target = GSS_C_NO_NAME;
  OM_uint32 major = gss_import_name(&minor, &name_buffer, GSS_C_NT_HOSTBASED_SERVICE, &target);
  if (GSS_ERROR(major)) {
    return Status::error("SPNEGO: bad service name " + service + ": " +
                         gss_error_message(major, minor));
  }
  static char kSpnegoOid[] = "\x2b\x06\x01\x05\x05\x02";  // 1.3.6.1.5.5.2
  gss_OID_desc spnego{6, kSpnegoOid};
  gss_ctx_id_t context = GSS_C_NO_CONTEXT;
  gss_buffer_desc token = GSS_C_EMPTY_BUFFER;
  major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &context, target, &spnego,
                               GSS_C_MUTUAL_FLAG, 0, GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER,
                               nullptr, &token, nullptr, nullptr);
  std::string header;
  std::string why;
  if (GSS_ERROR(major)) {
    why = gss_error_message(major, minor);
  } else {
    header = "Negotiate " +
             base64_encode(std::string_view(static_cast<const char*>(token.value), token.length));
  }
  OM_uint32 ignored = 0;
  gss_release_buffer(&ignored, &token);
  if (context != GSS_C_NO_CONTEXT) gss_delete_sec_context(&ignored, &context, GSS_C_NO_BUFFER);
  gss_release_name(&ignored, &target);
  if (header.empty()) return Status::error("SPNEGO for " + service + " failed: " + why);
  return header;
}

}  // namespace kitsune::transport
