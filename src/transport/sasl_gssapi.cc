// SASL GSSAPI through Cyrus SASL: the server mechanism (steps on a blocking pool, the principal
// mapped by auth_to_local), the client handshake, and the QOP security layer both sides install.
#include "kitsune/transport/gssapi.h"

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <sasl/sasl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "kerberos_util.h"
#include "kitsune/auth/kerberos_name.h"
#include "kitsune/common/blocking_pool.h"
#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "kitsune/config/keys.h"

namespace kitsune::transport {
namespace {

// The largest buffer a GSSAPI security layer can announce (3 bytes), on both sides, so that the
// peer's large wrapped tokens are accepted (a Java client wraps a whole write in one token).
constexpr unsigned kMaxBuffer = 0xFFFFFF;
// Blocking GSSAPI steps (keytab, replay cache) at once; more wait in the pool's queue.
constexpr std::size_t kPoolThreads = 4;

// ---- Cyrus SASL process-wide setup --------------------------------------------------------

void* mutex_alloc() {
  return new std::mutex;
}
int mutex_lock(void* m) {
  static_cast<std::mutex*>(m)->lock();
  return SASL_OK;
}
int mutex_unlock(void* m) {
  static_cast<std::mutex*>(m)->unlock();
  return SASL_OK;
}
void mutex_free(void* m) {
  delete static_cast<std::mutex*>(m);
}

// Only GSSAPI is wanted from Cyrus (PLAIN is ours), and no SASL configuration file is needed.
int get_option(void*, const char*, const char* option, const char** result, unsigned* len) {
  if (std::strcmp(option, "mech_list") == 0 || std::strcmp(option, "client_mech_list") == 0) {
    *result = "GSSAPI";
    if (len) *len = 6;
    return SASL_OK;
  }
  return SASL_FAIL;
}

// Cyrus' own messages: the reasons a login failed reach the client and the frontend's log line
// already, so these are for debugging. Levels that may carry passwords are dropped.
int log_message(void*, int level, const char* message) {
  if (!message || level > SASL_LOG_DEBUG) return SASL_OK;
  auto log = logger("sasl");
  if (level <= SASL_LOG_WARN) {
    log->debug("{}", message);
  } else {
    log->trace("{}", message);
  }
  return SASL_OK;
}

using Callback = int (*)();

template <typename F>
sasl_callback_t callback(unsigned long id, F* fn, void* context = nullptr) {
  // Cyrus' callback table stores every callback as int(*)(void), cast back by id; void(*)() is
  // the type that may stand for any function in between.
  const auto any = reinterpret_cast<void (*)()>(fn);
  return sasl_callback_t{id, reinterpret_cast<Callback>(any), context};
}

const sasl_callback_t* global_callbacks() {
  static const sasl_callback_t callbacks[] = {
      callback(SASL_CB_GETOPT, &get_option),
      callback(SASL_CB_LOG, &log_message),
      {SASL_CB_LIST_END, nullptr, nullptr},
  };
  return callbacks;
}

void set_mutexes_once() {
  static std::once_flag once;
  std::call_once(once,
                 [] { sasl_set_mutex(&mutex_alloc, &mutex_lock, &mutex_unlock, &mutex_free); });
}

Status init_server_once() {
  static std::once_flag once;
  static int rc = SASL_FAIL;
  set_mutexes_once();
  std::call_once(once, [] { rc = sasl_server_init(global_callbacks(), "kitsune"); });
  if (rc != SASL_OK) {
    return Status::error(std::string("Cyrus SASL: sasl_server_init failed: ") +
                         sasl_errstring(rc, nullptr, nullptr));
  }
  return Status::ok();
}

Status init_client_once() {
  static std::once_flag once;
  static int rc = SASL_FAIL;
  set_mutexes_once();
  std::call_once(once, [] { rc = sasl_client_init(global_callbacks()); });
  if (rc != SASL_OK) {
    return Status::error(std::string("Cyrus SASL: sasl_client_init failed: ") +
                         sasl_errstring(rc, nullptr, nullptr));
  }
  return Status::ok();
}

bool gssapi_plugin_loaded() {
  const char** mechs = sasl_global_listmech();
  for (; mechs && *mechs; ++mechs) {
    if (std::strcmp(*mechs, "GSSAPI") == 0) return true;
  }
  return false;
}

// ---- One sasl_conn_t, shared by a mechanism and the layer that outlives it ------------------

struct SaslConn {
  sasl_conn_t* conn = nullptr;
  // Per-connection callbacks: Cyrus keeps the pointer, so they live as long as the conn.
  std::vector<sasl_callback_t> callbacks;
  // The full principal the server authenticated, for the authorization check.
  std::string principal;
  // The last failure Cyrus logged for this connection: its GSSAPI plugin logs the GSS-API's
  // reason (such as "Ticket expired") rather than putting it in sasl_errdetail.
  std::string failure;

  SaslConn() = default;
  SaslConn(const SaslConn&) = delete;
  SaslConn& operator=(const SaslConn&) = delete;
  ~SaslConn() {
    if (conn) sasl_dispose(&conn);
  }

  std::string detail() const {
    const char* d = conn ? sasl_errdetail(conn) : nullptr;
    std::string out = d ? d : "unknown SASL error";
    if (!failure.empty() && out.find(failure) == std::string::npos) out += ": " + failure;
    return out;
  }
  unsigned ssf() const {
    const void* value = nullptr;
    if (sasl_getprop(conn, SASL_SSF, &value) != SASL_OK || !value) return 0;
    return *static_cast<const sasl_ssf_t*>(value);
  }
};

// SASL_CB_LOG of one connection: keeps its failures for the message, logs the rest.
int log_connection_message(void* context, int level, const char* message) {
  if (message && level <= SASL_LOG_FAIL) static_cast<SaslConn*>(context)->failure = message;
  return log_message(nullptr, level, message);
}

sasl_security_properties_t security_properties(sasl_ssf_t min_ssf, sasl_ssf_t max_ssf) {
  sasl_security_properties_t props{};
  props.min_ssf = min_ssf;
  props.max_ssf = max_ssf;
  props.maxbufsize = kMaxBuffer;
  props.security_flags = SASL_SEC_NOANONYMOUS | SASL_SEC_NOPLAINTEXT;
  return props;
}

// Wraps and unwraps data frames with the negotiated GSSAPI layer. Used on one strand at a time.
class CyrusSecurityLayer final : public SecurityLayer {
 public:
  explicit CyrusSecurityLayer(std::shared_ptr<SaslConn> conn) : conn_(std::move(conn)) {}

  Result<std::vector<std::uint8_t>> wrap(std::span<const std::uint8_t> plain) override {
    const char* out = nullptr;
    unsigned out_len = 0;
    if (plain.size() > 0x7FFFFFFF) return Status::error("a message too large to wrap");
    // sasl_encode splits input larger than the peer's buffer into several framed tokens.
    const int rc = sasl_encode(conn_->conn, reinterpret_cast<const char*>(plain.data()),
                               static_cast<unsigned>(plain.size()), &out, &out_len);
    if (rc != SASL_OK) return Status::error("SASL wrap failed: " + conn_->detail());
    return std::vector<std::uint8_t>(reinterpret_cast<const std::uint8_t*>(out),
                                     reinterpret_cast<const std::uint8_t*>(out) + out_len);
  }

  Result<std::vector<std::uint8_t>> unwrap(std::span<const std::uint8_t> token) override {
    // Cyrus decodes a byte stream of framed tokens: give it the frame back whole.
    framed_.resize(4 + token.size());
    const auto n = static_cast<std::uint32_t>(token.size());
    framed_[0] = static_cast<std::uint8_t>(n >> 24);
    framed_[1] = static_cast<std::uint8_t>(n >> 16);
    framed_[2] = static_cast<std::uint8_t>(n >> 8);
    framed_[3] = static_cast<std::uint8_t>(n);
    if (!token.empty()) std::memcpy(framed_.data() + 4, token.data(), token.size());
    const char* out = nullptr;
    unsigned out_len = 0;
    const int rc = sasl_decode(conn_->conn, reinterpret_cast<const char*>(framed_.data()),
                               static_cast<unsigned>(framed_.size()), &out, &out_len);
    framed_.clear();
    if (rc != SASL_OK) return Status::error("SASL unwrap failed: " + conn_->detail());
    if (!out || out_len == 0) return std::vector<std::uint8_t>();
    return std::vector<std::uint8_t>(reinterpret_cast<const std::uint8_t*>(out),
                                     reinterpret_cast<const std::uint8_t*>(out) + out_len);
  }

 private:
  std::shared_ptr<SaslConn> conn_;
  std::vector<std::uint8_t> framed_;
};

// The client's full principal. Cyrus' GSSAPI plugin strips the default realm from the name it
// authenticated, and its canonicalization appends the user realm given to sasl_server_new (the
// default realm) back, so SASL_AUTHUSER is the full principal; a plugin that reports the GSS peer
// name is asked first.
std::string peer_principal(sasl_conn_t* conn) {
  const void* value = nullptr;
  if (sasl_getprop(conn, SASL_GSS_PEER_NAME, &value) == SASL_OK && value) {
    std::string name = display_name(static_cast<gss_name_t>(const_cast<void*>(value)));
    if (!name.empty()) return name;
  }
  value = nullptr;
  if (sasl_getprop(conn, SASL_AUTHUSER, &value) == SASL_OK && value) {
    return static_cast<const char*>(value);
  }
  return {};
}

// SASL_CB_CANON_USER: hands Cyrus the name NUL-terminated in its own buffer. Without it, Cyrus'
// internal canonicalization searches the client's raw authorization id (which hive-driver sends,
// unterminated, at the end of its last token) with strchr, reading past the end of the token.
// Cyrus still appends the user realm afterwards.
int copy_user_name(sasl_conn_t*, void*, const char* in, unsigned inlen, unsigned, const char*,
                   char* out, unsigned out_max, unsigned* out_len) {
  if (inlen >= out_max) return SASL_BUFOVER;
  if (inlen) std::memcpy(out, in, inlen);
  out[inlen] = '\0';
  *out_len = inlen;
  return SASL_OK;
}

// SASL_CB_PROXY_POLICY: the client may name itself as authorization id (hive-driver sends its
// user name there), never somebody else; acting as another user goes through
// hive.server2.proxy.user, where the configuration can say no.
int authorize(sasl_conn_t* conn, void* context, const char* requested, unsigned requested_len,
              const char* authenticated, unsigned authenticated_len, const char*, unsigned,
              propctx*) {
  auto* self = static_cast<SaslConn*>(context);
  const std::string have(authenticated ? authenticated : "", authenticated_len);
  self->principal = have;
  if (!requested || requested_len == 0) return SASL_OK;
  // Both names went through the same canonicalization (the default realm appended).
  const std::string_view want(requested, requested_len);
  if (want == have) return SASL_OK;
  const std::string why = "authorization id '" + std::string(want) +
                          "' is not the authenticated principal '" + have +
                          "'; use hive.server2.proxy.user to act as another user";
  sasl_seterror(conn, SASL_NOLOG, "%s", why.c_str());
  return SASL_BADAUTH;
}

// ---- The server ---------------------------------------------------------------------------

struct ServerParams {
  std::string service;  // the principal's first component
  std::string host;     // its instance
  std::string realm;
  std::string default_realm;  // of the Kerberos configuration: Cyrus' user realm
  sasl_ssf_t min_ssf = 0;
  sasl_ssf_t max_ssf = 0;
  unsigned max_buffer = kMaxBuffer;
  auth::AuthToLocal auth_to_local;
};

// What one step on the pool produced.
struct StepOutcome {
  int rc = SASL_FAIL;
  std::vector<std::uint8_t> out;
  std::string error;      // when failed
  std::string principal;  // once known
  std::string user;       // the short name, when complete
  unsigned ssf = 0;
};

StepOutcome run_server_step(const ServerParams& params, SaslConn& c,
                            const std::vector<std::uint8_t>& in) {
  StepOutcome o;
  const char* out = nullptr;
  unsigned out_len = 0;
  if (!c.conn) {
    c.callbacks = {callback(SASL_CB_CANON_USER, &copy_user_name),
                   callback(SASL_CB_PROXY_POLICY, &authorize, &c),
                   callback(SASL_CB_LOG, &log_connection_message, &c),
                   {SASL_CB_LIST_END, nullptr, nullptr}};
    const char* user_realm = params.default_realm.empty() ? nullptr : params.default_realm.c_str();
    o.rc = sasl_server_new(params.service.c_str(), params.host.c_str(), user_realm, nullptr,
                           nullptr, c.callbacks.data(), 0, &c.conn);
    if (o.rc != SASL_OK) {
      o.error = std::string("GSSAPI: cannot start a SASL server: ") +
                sasl_errstring(o.rc, nullptr, nullptr);
      return o;
    }
    auto props = security_properties(params.min_ssf, params.max_ssf);
    props.maxbufsize = params.max_buffer;
    sasl_setprop(c.conn, SASL_SEC_PROPS, &props);
    o.rc = sasl_server_start(c.conn, "GSSAPI", reinterpret_cast<const char*>(in.data()),
                             static_cast<unsigned>(in.size()), &out, &out_len);
  } else {
    o.rc = sasl_server_step(c.conn, reinterpret_cast<const char*>(in.data()),
                            static_cast<unsigned>(in.size()), &out, &out_len);
  }
  if (out && out_len) {
    o.out.assign(reinterpret_cast<const std::uint8_t*>(out),
                 reinterpret_cast<const std::uint8_t*>(out) + out_len);
  }
  if (o.rc == SASL_CONTINUE) return o;
  if (o.rc != SASL_OK) {
    o.principal = c.principal;
    o.error = "GSSAPI login refused: " + c.detail();
    return o;
  }
  o.principal = peer_principal(c.conn);
  c.principal = o.principal;
  o.ssf = c.ssf();
  if (o.principal.empty()) {
    o.rc = SASL_FAIL;
    o.error = "GSSAPI login refused: the client's principal is unknown";
    return o;
  }
  auto user = params.auth_to_local.short_name(o.principal);
  if (!user) {
    o.rc = SASL_FAIL;
    o.error = "GSSAPI login refused: " + user.status().message();
    return o;
  }
  o.user = std::move(user).value();
  return o;
}

class GssapiMechanism final : public SaslServerMechanism {
 public:
  GssapiMechanism(std::shared_ptr<const ServerParams> params, std::shared_ptr<BlockingPool> pool,
                  auth::ClientInfo client)
      : params_(std::move(params)),
        pool_(std::move(pool)),
        client_(std::move(client)),
        conn_(std::make_shared<SaslConn>()) {}

  std::string_view name() const override { return "GSSAPI"; }
  const std::string& authorization_id() const override { return user_; }
  std::string attempted_user() const override { return principal_; }

  awaitable<Step> evaluate(std::span<const std::uint8_t> response) override {
    if (done_) co_return Step{Step::Kind::kFailed, {}, "GSSAPI: the negotiation is over"};
    auto step = [params = params_, conn = conn_,
                 in = std::vector<std::uint8_t>(response.begin(), response.end())] {
      return run_server_step(*params, *conn, in);
    };
    StepOutcome o = co_await pool_->run(std::move(step));
    if (!o.principal.empty()) principal_ = o.principal;
    if (o.rc == SASL_CONTINUE) co_return Step{Step::Kind::kContinue, std::move(o.out), {}};
    done_ = true;
    if (o.rc != SASL_OK) {
      logger("auth")->debug("[C{}] {}", client_.connection_id, o.error);
      co_return Step{Step::Kind::kFailed, {}, std::move(o.error)};
    }
    user_ = std::move(o.user);
    ssf_ = o.ssf;
    logger("auth")->debug("[C{}] GSSAPI principal {} is user {} (security layer ssf {})",
                          client_.connection_id, principal_, user_, ssf_);
    co_return Step{Step::Kind::kComplete, std::move(o.out), {}};
  }

  std::unique_ptr<SecurityLayer> take_security_layer() override {
    if (ssf_ == 0 || user_.empty()) return nullptr;
    return std::make_unique<CyrusSecurityLayer>(conn_);
  }

 private:
  std::shared_ptr<const ServerParams> params_;
  std::shared_ptr<BlockingPool> pool_;
  auth::ClientInfo client_;
  std::shared_ptr<SaslConn> conn_;
  std::string user_;
  std::string principal_;
  unsigned ssf_ = 0;
  bool done_ = false;
};

class GssapiServerImpl final : public GssapiServer {
 public:
  explicit GssapiServerImpl(std::shared_ptr<const ServerParams> params)
      : params_(std::move(params)), pool_(std::make_shared<BlockingPool>("gssapi", kPoolThreads)) {}

  std::unique_ptr<SaslServerMechanism> new_mechanism(const auth::ClientInfo& client) override {
    return std::make_unique<GssapiMechanism>(params_, pool_, client);
  }

 private:
  std::shared_ptr<const ServerParams> params_;
  std::shared_ptr<BlockingPool> pool_;
};

// ---- The client ---------------------------------------------------------------------------

// SASL_CB_USER: no authorization id (the server takes the authenticated principal).
int no_authorization_id(void*, int, const char** result, unsigned* len) {
  *result = "";
  if (len) *len = 0;
  return SASL_OK;
}

std::string_view as_text(const std::vector<std::uint8_t>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string_view as_text(const char* data, unsigned len) {
  return data ? std::string_view(data, len) : std::string_view();
}

}  // namespace

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

Result<GssapiServerOptions> GssapiServerOptions::from_conf(const config::Conf& conf,
                                                           std::string_view host) {
  namespace k = config::keys;
  GssapiServerOptions o;
  const std::string principal = std::string(trim(conf.get(k::kKinitPrincipal)));
  if (principal.empty()) {
    return Status::error(
        "kyuubi.authentication=KERBEROS needs kyuubi.kinit.principal (the "
        "server's principal, such as hive/_HOST@EXAMPLE.COM)");
  }
  o.principal = auth::expand_host(principal, host);
  o.keytab = std::string(trim(conf.get(k::kKinitKeytab)));
  if (o.keytab.empty()) {
    return Status::error(
        "kyuubi.authentication=KERBEROS needs kyuubi.kinit.keytab (the keytab "
        "of " +
        o.principal + ")");
  }
  auto qop = parse_qop(conf.get(k::kAuthenticationSaslQop));
  if (!qop) return qop.status();
  o.qop = *qop;
  o.auth_to_local = conf.get(k::kAuthToLocal);
  const std::int64_t frame = conf.get(k::kFrontendThriftMaxFrameSize);
  if (frame > 0) o.max_buffer = std::min<std::size_t>(static_cast<std::size_t>(frame), kMaxBuffer);
  return o;
}

Result<std::shared_ptr<GssapiServer>> GssapiServer::create(GssapiServerOptions options) {
  auto name = auth::KerberosName::parse(options.principal);
  if (!name) return Status::error("kyuubi.kinit.principal: " + name.status().message());
  if (name->instance.empty()) {
    return Status::error("kyuubi.kinit.principal: '" + options.principal +
                         "' must be service/host@REALM (the host clients connect to)");
  }
  auto params = std::make_shared<ServerParams>();
  params->service = name->primary;
  params->host = name->instance;
  const std::string realm = auth::default_realm();
  params->realm = name->realm.empty() ? realm : name->realm;
  params->default_realm = realm.empty() ? params->realm : realm;
  if (params->realm.empty()) {
    return Status::error("kyuubi.kinit.principal: '" + options.principal +
                         "' has no realm and the Kerberos configuration (KRB5_CONFIG) names no "
                         "default realm");
  }
  auth::KerberosName full = *name;
  full.realm = params->realm;
  Status s =
      check_keytab(options.keytab, full.str(), "kyuubi.kinit.keytab", "kyuubi.kinit.principal");
  if (!s.is_ok()) return s;
  auto rules = auth::AuthToLocal::parse(options.auth_to_local, realm);
  if (!rules) return rules.status();
  params->auth_to_local = std::move(rules).value();
  // The announced size counts the wrapped token without its 4-byte length, as the frame limit.
  params->max_buffer =
      static_cast<unsigned>(std::clamp<std::size_t>(options.max_buffer, 1024, kMaxBuffer));
  switch (options.qop) {
    case Qop::kAuth:
      params->min_ssf = 0;
      params->max_ssf = 0;
      break;
    case Qop::kAuthInt:
      params->min_ssf = 1;
      params->max_ssf = 1;
      break;
    case Qop::kAuthConf:
      // Above integrity (1): only privacy qualifies, whatever strength the enctype gives it.
      params->min_ssf = 2;
      params->max_ssf = 0xFFFFFFFF;
      break;
  }
  s = init_server_once();
  if (!s.is_ok()) return s;
  if (!gssapi_plugin_loaded()) {
    return Status::error(
        "kyuubi.authentication=KERBEROS: Cyrus SASL has no GSSAPI plugin "
        "(install libsasl2-modules-gssapi-mit)");
  }
  // MIT's acceptor reads the keytab registered here (process-wide; one per server).
  const std::string path = keytab_name(options.keytab);
  if (GSS_ERROR(krb5_gss_register_acceptor_identity(path.c_str()))) {
    return Status::error("kyuubi.kinit.keytab: GSSAPI refused the keytab '" + options.keytab + "'");
  }
  logger("auth")->info(
      "Kerberos: GSSAPI as {} (keytab {}), QOP {}, auth_to_local {}", full.str(), options.keytab,
      to_string(options.qop),
      options.auth_to_local.empty() ? std::string("(none)") : join(options.auth_to_local, " "));
  return std::shared_ptr<GssapiServer>(std::make_shared<GssapiServerImpl>(std::move(params)));
}

awaitable<Status> sasl_client_gssapi(ThriftTransport& transport, const GssapiClientOptions& options,
                                     std::size_t max_negotiation_bytes,
                                     ThriftTransport::Clock::time_point deadline) {
  Status s = init_client_once();
  if (!s.is_ok()) co_return s;
  auto conn = std::make_shared<SaslConn>();
  conn->callbacks = {callback(SASL_CB_USER, &no_authorization_id),
                     callback(SASL_CB_LOG, &log_connection_message, conn.get()),
                     {SASL_CB_LIST_END, nullptr, nullptr}};
  int rc = sasl_client_new(options.service.c_str(), options.host.c_str(), nullptr, nullptr,
                           conn->callbacks.data(), 0, &conn->conn);
  if (rc != SASL_OK) {
    co_return Status::error(std::string("GSSAPI: cannot start a SASL client: ") +
                            sasl_errstring(rc, nullptr, nullptr));
  }
  sasl_ssf_t max_ssf = 0;
  if (options.qop == Qop::kAuthInt) max_ssf = 1;
  if (options.qop == Qop::kAuthConf) max_ssf = 0xFFFFFFFF;
  auto props = security_properties(0, max_ssf);
  props.maxbufsize = static_cast<unsigned>(
      std::min<std::size_t>(options.max_buffer == 0 ? kMaxBuffer : options.max_buffer, kMaxBuffer));
  sasl_setprop(conn->conn, SASL_SEC_PROPS, &props);

  const char* out = nullptr;
  unsigned out_len = 0;
  const char* chosen = nullptr;
  // The first step asks the KDC for a service ticket: a short blocking call, tolerated here.
  rc = sasl_client_start(conn->conn, "GSSAPI", nullptr, &out, &out_len, &chosen);
  if (rc != SASL_OK && rc != SASL_CONTINUE) {
    co_return Status::unauthenticated("GSSAPI: " + conn->detail());
  }
  bool complete = rc == SASL_OK;
  auto bytes = encode_sasl_message(SaslStatus::kStart, "GSSAPI");
  auto initial = encode_sasl_message(complete ? SaslStatus::kComplete : SaslStatus::kOk,
                                     as_text(out, out_len));
  bytes.insert(bytes.end(), initial.begin(), initial.end());
  s = co_await transport.write_all(bytes, deadline);
  if (!s.is_ok()) co_return s;

  while (true) {
    auto reply = co_await read_sasl_message(transport, max_negotiation_bytes, deadline);
    if (!reply) co_return reply.status();
    if (reply->status == SaslStatus::kBad || reply->status == SaslStatus::kError) {
      co_return Status::unauthenticated("server refused the login: " +
                                        std::string(as_text(reply->payload)));
    }
    if (reply->status != SaslStatus::kOk && reply->status != SaslStatus::kComplete) {
      co_return Status::error("unexpected SASL status " +
                              std::to_string(static_cast<int>(reply->status)) +
                              " from the server during GSSAPI");
    }
    const bool server_done = reply->status == SaslStatus::kComplete;
    if (server_done && complete && reply->payload.empty()) break;
    if (complete) {
      co_return Status::error("GSSAPI: the server sent more after the negotiation completed");
    }
    rc = sasl_client_step(conn->conn, reinterpret_cast<const char*>(reply->payload.data()),
                          static_cast<unsigned>(reply->payload.size()), nullptr, &out, &out_len);
    if (rc != SASL_OK && rc != SASL_CONTINUE) {
      const std::string why = "GSSAPI: " + conn->detail();
      // Tell the server why, as Java's TSaslTransport does, unless it is done already.
      if (!server_done) {
        auto bad = encode_sasl_message(SaslStatus::kBad, why);
        (void)co_await transport.write_all(bad, deadline);
      }
      co_return Status::unauthenticated(why);
    }
    complete = rc == SASL_OK;
    if (server_done) {
      if (!complete) co_return Status::error("GSSAPI: the server completed before the client");
      break;
    }
    auto next = encode_sasl_message(complete ? SaslStatus::kComplete : SaslStatus::kOk,
                                    as_text(out, out_len));
    s = co_await transport.write_all(next, deadline);
    if (!s.is_ok()) co_return s;
  }
  transport.set_framing(Framing::kSaslFramed);
  if (conn->ssf() > 0) transport.set_security_layer(std::make_unique<CyrusSecurityLayer>(conn));
  co_return Status::ok();
}

}  // namespace kitsune::transport
