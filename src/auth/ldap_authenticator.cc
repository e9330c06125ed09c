// The LDAP password provider (OpenLDAP's libldap, on a BlockingPool of its own): bind flow,
// filters, TLS, the login cache, and the pure helpers of kitsune/auth/ldap.h.
#include "kitsune/auth/ldap.h"

#include <ldap.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "kitsune/common/blocking_pool.h"
#include "kitsune/common/log.h"
#include "kitsune/common/random.h"
#include "kitsune/common/strings.h"
#include "providers.h"

namespace kitsune::auth {
namespace {

std::string replace_all(std::string_view text, std::string_view what, std::string_view with) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    const auto at = text.find(what, pos);
    out.append(text.substr(pos, at == std::string_view::npos ? std::string_view::npos : at - pos));
    if (at == std::string_view::npos) break;
    out.append(with);
    pos = at + what.size();
  }
  return out;
}

// Overwrites memory that held a secret, in a way the compiler may not drop.
void scrub(std::string& s) {
  volatile char* p = s.data();
  for (std::size_t i = 0; i < s.size(); ++i)
    p[i] = 0;
  s.clear();
}

// Characters that let a name be read as (part of) a DN, or cut a C string short.
bool has_dn_syntax(std::string_view name) {
  return name.find_first_of(std::string_view(",=+<>#;\\\"\0", 10)) != std::string_view::npos;
}

}  // namespace

namespace ldap {

// --- Escaping and names ------------------------------------------------------------------------

std::string escape_filter_value(std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '*' || c == '(' || c == ')' || c == '\\' || c == '\0') {
      const auto b = static_cast<unsigned char>(c);
      out += '\\';
      out += kHex[b >> 4];
      out += kHex[b & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_dn_value(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 8);
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    const bool special = c == ',' || c == '=' || c == '+' || c == '<' || c == '>' || c == '#' ||
                         c == ';' || c == '\\' || c == '"';
    const bool edge_space = c == ' ' && (i == 0 || i + 1 == value.size());
    if (c == '\0') {
      out += "\\00";
    } else if (special || edge_space) {
      // '#' only matters first, but escaping it anywhere is allowed and simpler to check.
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::vector<std::string>> parse_url_list(std::string_view text) {
  static constexpr std::string_view kKey = "kyuubi.authentication.ldap.url";
  std::vector<std::string> urls;
  std::string current;
  auto take = [&]() -> Status {
    if (current.empty()) return Status::ok();
    LDAPURLDesc* desc = nullptr;
    const int rc = ldap_url_parse(current.c_str(), &desc);
    std::string scheme = desc != nullptr && desc->lud_scheme ? to_lower(desc->lud_scheme) : "";
    if (desc != nullptr) ldap_free_urldesc(desc);
    if (rc != LDAP_URL_SUCCESS || (scheme != "ldap" && scheme != "ldaps")) {
      return Status::error(std::string(kKey) + ": '" + current +
                           "' is not an LDAP URL (ldap://host:port or ldaps://host:port)");
    }
    urls.push_back(std::move(current));
    current.clear();
    return Status::ok();
  };
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      KITSUNE_RETURN_IF_ERROR(take());
    } else {
      current += c;
    }
  }
  KITSUNE_RETURN_IF_ERROR(take());
  if (urls.empty()) {
    return Status::error(std::string(kKey) + " is required for kyuubi.authentication=LDAP");
  }
  return urls;
}

Result<std::vector<std::string>> parse_dn_patterns(std::string_view text, std::string_view key) {
  std::vector<std::string> out;
  for (auto& pattern : split(text, ':')) {
    if (pattern.find("%s") == std::string::npos || pattern.find(',') == std::string::npos ||
        pattern.find('=') == std::string::npos) {
      return Status::error(std::string(key) + ": '" + pattern +
                           "' is not a DN pattern (such as uid=%s,ou=people,dc=example,dc=com)");
    }
    out.push_back(std::move(pattern));
  }
  return out;
}

std::vector<std::string> candidate_bind_names(const BindNaming& naming, std::string_view user) {
  if (user.empty()) return {};
  if (!naming.domain.empty()) {
    // Active Directory style: the bind name is a user principal name, never a DN.
    if (has_dn_syntax(user)) return {};
    if (user.find('@') != std::string_view::npos) return {std::string(user)};
    return {std::string(user) + "@" + naming.domain};
  }
  const std::string escaped = escape_dn_value(user);
  std::vector<std::string> out;
  for (const auto& pattern : naming.dn_patterns) {
    out.push_back(replace_all(pattern, "%s", escaped));
  }
  if (out.empty() && !naming.base_dn.empty()) {
    out.push_back(naming.guid_key + "=" + escaped + "," + naming.base_dn);
  }
  return out;
}

std::string short_user_name(std::string_view user) {
  const auto at = user.find('@');
  return to_lower(at == std::string_view::npos ? user : user.substr(0, at));
}

std::optional<std::string> first_rdn_value(std::string_view dn) {
  LDAPDN parsed = nullptr;
  const std::string text(dn);
  if (text.empty() || ldap_str2dn(text.c_str(), &parsed, LDAP_DN_FORMAT_LDAP) != LDAP_SUCCESS ||
      parsed == nullptr || parsed[0] == nullptr || parsed[0][0] == nullptr) {
    if (parsed != nullptr) ldap_dnfree(parsed);
    return std::nullopt;
  }
  const berval& v = parsed[0][0]->la_value;
  std::string out(v.bv_val, v.bv_len);
  ldap_dnfree(parsed);
  return out;
}

namespace {

std::optional<std::string> normalized_dn(std::string_view dn) {
  const std::string text(dn);
  char* out = nullptr;
  if (text.empty() ||
      ldap_dn_normalize(text.c_str(), LDAP_DN_FORMAT_LDAP, &out, LDAP_DN_FORMAT_LDAPV3) !=
          LDAP_SUCCESS ||
      out == nullptr) {
    if (out != nullptr) ldap_memfree(out);
    return std::nullopt;
  }
  std::string n = to_lower(out);
  ldap_memfree(out);
  return n;
}

}  // namespace

bool same_dn(std::string_view a, std::string_view b) {
  auto na = normalized_dn(a);
  auto nb = normalized_dn(b);
  return na && nb && *na == *nb;
}

std::vector<std::string> pattern_bases(const std::vector<std::string>& patterns) {
  std::vector<std::string> out;
  for (const auto& p : patterns) {
    // The first unescaped comma ends the first RDN.
    std::size_t i = 0;
    for (; i < p.size(); ++i) {
      if (p[i] == '\\') {
        ++i;
      } else if (p[i] == ',') {
        break;
      }
    }
    if (i < p.size()) out.push_back(p.substr(i + 1));
  }
  return out;
}

// --- SHA-256 and the login cache ---------------------------------------------------------------

namespace {

constexpr std::array<std::uint32_t, 64> kSha256K = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr std::uint32_t rotr(std::uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

}  // namespace

std::array<std::uint8_t, 32> sha256(std::string_view data) {
  std::array<std::uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::string msg(data);
  const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
  msg.push_back(static_cast<char>(0x80));
  while (msg.size() % 64 != 56)
    msg.push_back('\0');
  for (int i = 7; i >= 0; --i)
    msg.push_back(static_cast<char>((bits >> (i * 8)) & 0xff));
  for (std::size_t off = 0; off < msg.size(); off += 64) {
    std::array<std::uint32_t, 64> w{};
    for (int i = 0; i < 16; ++i) {
      const auto* p = reinterpret_cast<const unsigned char*>(msg.data() + off + 4 * i);
      w[i] = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
             (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
    }
    for (int i = 16; i < 64; ++i) {
      const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    auto [a, b, c, d, e, f, g, hh] = h;
    for (int i = 0; i < 64; ++i) {
      const std::uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const std::uint32_t ch = (e & f) ^ (~e & g);
      const std::uint32_t t1 = hh + s1 + ch + kSha256K[i] + w[i];
      const std::uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      const std::uint32_t t2 = s0 + maj;
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
  scrub(msg);
  std::array<std::uint8_t, 32> out{};
  for (int i = 0; i < 8; ++i) {
    out[4 * i] = static_cast<std::uint8_t>(h[i] >> 24);
    out[4 * i + 1] = static_cast<std::uint8_t>(h[i] >> 16);
    out[4 * i + 2] = static_cast<std::uint8_t>(h[i] >> 8);
    out[4 * i + 3] = static_cast<std::uint8_t>(h[i]);
  }
  return out;
}

LoginCache::LoginCache(std::chrono::milliseconds ttl, std::size_t max_entries)
    : ttl_(ttl), max_entries_(max_entries == 0 ? 1 : max_entries), salt_(random_array<16>()) {}

std::array<std::uint8_t, 32> LoginCache::hash_of(const std::string& user,
                                                 std::string_view password) const {
  std::string input(reinterpret_cast<const char*>(salt_.data()), salt_.size());
  input += user;
  input += '\0';
  input += password;
  auto out = sha256(input);
  scrub(input);
  return out;
}

bool LoginCache::contains(const std::string& user, std::string_view password,
                          Clock::time_point now) const {
  const auto hash = hash_of(user, password);
  std::lock_guard lock(mu_);
  auto it = entries_.find(user);
  if (it == entries_.end() || it->second.expires <= now) return false;
  const std::string_view a(reinterpret_cast<const char*>(hash.data()), hash.size());
  const std::string_view b(reinterpret_cast<const char*>(it->second.hash.data()), hash.size());
  return constant_time_equals(a, b);
}

void LoginCache::remember(const std::string& user, std::string_view password,
                          Clock::time_point now) {
  Entry entry{hash_of(user, password), now + ttl_};
  std::lock_guard lock(mu_);
  auto it = entries_.find(user);
  if (it != entries_.end()) {
    it->second = entry;
    return;
  }
  if (entries_.size() >= max_entries_) {
    std::erase_if(entries_, [now](const auto& kv) { return kv.second.expires <= now; });
  }
  if (entries_.size() >= max_entries_) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(), [](auto& x, auto& y) {
      return x.second.expires < y.second.expires;
    });
    entries_.erase(oldest);
  }
  entries_.emplace(user, entry);
}

void LoginCache::forget(const std::string& user) {
  std::lock_guard lock(mu_);
  entries_.erase(user);
}

std::size_t LoginCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace ldap

// --- The provider ------------------------------------------------------------------------------

namespace {

namespace k = config::keys;
using ldap::escape_filter_value;

struct Settings {
  std::vector<std::string> urls;
  ldap::BindNaming naming;
  std::vector<std::string> group_dn_patterns;
  std::vector<std::string> user_filter;   // lower-cased short names
  std::vector<std::string> group_filter;  // lower-cased group names
  std::string group_membership_key;
  std::string user_membership_key;
  std::string group_class_key;
  std::string custom_query;
  std::string bind_dn;
  std::string bind_pw;  // a secret: never in a log line or a message
  bool start_tls = false;
  bool tls_verify = true;
  std::string ca_file;
  std::chrono::milliseconds timeout{10000};

  bool service_account() const { return !bind_dn.empty(); }
  // Where user entries are searched: the bases of the DN patterns, else the base DN.
  std::vector<std::string> user_bases() const {
    auto bases = ldap::pattern_bases(naming.dn_patterns);
    if (bases.empty() && !naming.base_dn.empty()) bases.push_back(naming.base_dn);
    return bases;
  }
  std::vector<std::string> group_bases() const {
    auto bases = ldap::pattern_bases(group_dn_patterns);
    if (bases.empty() && !naming.base_dn.empty()) bases.push_back(naming.base_dn);
    return bases;
  }
};

// How one server's attempt ended.
enum class Verdict {
  kAccepted,
  kRefused,       // wrong password or no such user: the client learns no more than that
  kFiltered,      // the password was right but a filter says no
  kServerFailed,  // cannot connect, timed out, TLS failed, or the server misbehaved: next URL
};

struct Outcome {
  Verdict verdict;
  std::string why;            // for the log (kRefused) or the client (kFiltered, kServerFailed)
  bool connectivity = false;  // kServerFailed because the server could not be reached at all
};

Outcome accepted() {
  return {Verdict::kAccepted, {}};
}
Outcome refused(std::string why) {
  return {Verdict::kRefused, std::move(why)};
}
Outcome filtered(std::string why) {
  return {Verdict::kFiltered, std::move(why)};
}

// Result codes that mean the server cannot be used right now.
bool is_connectivity_error(int rc) {
  return rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT || rc == LDAP_CONNECT_ERROR ||
         rc == LDAP_UNAVAILABLE || rc == LDAP_BUSY || rc == LDAP_LOCAL_ERROR;
}

// Bind results that only say "not with these credentials".
bool is_credentials_refusal(int rc) {
  return rc == LDAP_INVALID_CREDENTIALS || rc == LDAP_INVALID_DN_SYNTAX ||
         rc == LDAP_NO_SUCH_OBJECT || rc == LDAP_UNWILLING_TO_PERFORM ||
         rc == LDAP_INAPPROPRIATE_AUTH || rc == LDAP_INSUFFICIENT_ACCESS ||
         rc == LDAP_CONSTRAINT_VIOLATION;
}

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

struct Entry {
  std::string dn;
  std::vector<std::string> values;  // of the one attribute asked for, if any
};

// Shuts down the sockets of LDAP calls that outlive their deadline. libldap bounds the connect
// and the wait for each answer, but not a TLS handshake (Debian builds it without non-blocking
// TLS): a server that accepts the connection and never speaks would hold a pool thread forever.
// One thread per provider, asleep unless a call is in flight.
class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;

  // One connection's socket and the deadline of its call in flight, if any.
  struct Slot {
    int fd = -1;
    std::optional<Clock::time_point> deadline;
    bool fired = false;
  };

  Watchdog() : thread_([this] { run(); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void add(Slot* slot) {
    std::lock_guard lock(mu_);
    slots_.insert(slot);
  }
  void remove(Slot* slot) {
    std::lock_guard lock(mu_);
    slots_.erase(slot);
  }
  // Under the lock, so that a socket is never shut down after libldap closed (and maybe reused)
  // its descriptor: libldap calls the connection callbacks before it closes.
  void set_fd(Slot* slot, int fd) {
    std::lock_guard lock(mu_);
    slot->fd = fd;
  }
  // A call starts: its socket is shut down if it has not returned by then.
  void arm(Slot* slot, std::chrono::milliseconds budget) {
    {
      std::lock_guard lock(mu_);
      slot->deadline = Clock::now() + budget;
      slot->fired = false;
    }
    cv_.notify_all();
  }
  // The call returned; whether the watchdog cut it short.
  bool disarm(Slot* slot) {
    std::lock_guard lock(mu_);
    slot->deadline.reset();
    return slot->fired;
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      std::optional<Clock::time_point> next;
      const auto now = Clock::now();
      for (Slot* slot : slots_) {
        if (!slot->deadline) continue;
        if (*slot->deadline <= now) {
          if (slot->fd >= 0) ::shutdown(slot->fd, SHUT_RDWR);
          slot->fired = true;
          slot->deadline.reset();
        } else if (!next || *slot->deadline < *next) {
          next = slot->deadline;
        }
      }
      if (next) {
        cv_.wait_until(lock, *next);
      } else {
        cv_.wait(lock);
      }
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::set<Slot*> slots_;
  bool stopping_ = false;
  std::thread thread_;  // last: it starts once the members above exist
};

// One handle to one server, used by one login on one pool thread.
class Connection {
 public:
  Connection(const Settings& settings, Watchdog& watchdog, std::string url,
             std::uint64_t connection_id)
      : s_(settings),
        watchdog_(watchdog),
        url_(std::move(url)),
        id_(connection_id),
        log_(logger("auth")) {
    callbacks_.lc_add = &Connection::on_connect;
    callbacks_.lc_del = &Connection::on_close;
    callbacks_.lc_arg = this;
    watchdog_.add(&slot_);
  }
  ~Connection() {
    watchdog_.remove(&slot_);
    if (ld_ != nullptr) ldap_unbind_ext_s(ld_, nullptr, nullptr);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const std::string& url() const { return url_; }

  // Creates the handle with its timeouts and TLS settings, and runs StartTLS when asked. libldap
  // connects on the first request, so most connection failures come from the first bind.
  int open() {
    int rc = ldap_initialize(&ld_, url_.c_str());
    if (rc != LDAP_SUCCESS) return rc;
    const int version = LDAP_VERSION3;
    const timeval tv = to_timeval(s_.timeout);
    if ((rc = ldap_set_option(ld_, LDAP_OPT_PROTOCOL_VERSION, &version)) != LDAP_SUCCESS ||
        (rc = ldap_set_option(ld_, LDAP_OPT_REFERRALS, LDAP_OPT_OFF)) != LDAP_SUCCESS ||
        (rc = ldap_set_option(ld_, LDAP_OPT_NETWORK_TIMEOUT, &tv)) != LDAP_SUCCESS ||
        (rc = ldap_set_option(ld_, LDAP_OPT_TIMEOUT, &tv)) != LDAP_SUCCESS ||
        (rc = ldap_set_option(ld_, LDAP_OPT_CONNECT_CB, &callbacks_)) != LDAP_SUCCESS) {
      return rc;
    }
    if (uses_tls()) {
      if (!s_.ca_file.empty() && (rc = ldap_set_option(ld_, LDAP_OPT_X_TLS_CACERTFILE,
                                                       s_.ca_file.c_str())) != LDAP_SUCCESS) {
        return rc;
      }
      const int require = s_.tls_verify ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_NEVER;
      const int min_version = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
      const int not_server = 0;
      // NEWCTX last: it builds this handle's TLS context from the options above.
      if ((rc = ldap_set_option(ld_, LDAP_OPT_X_TLS_REQUIRE_CERT, &require)) != LDAP_SUCCESS ||
          (rc = ldap_set_option(ld_, LDAP_OPT_X_TLS_PROTOCOL_MIN, &min_version)) != LDAP_SUCCESS ||
          (rc = ldap_set_option(ld_, LDAP_OPT_X_TLS_NEWCTX, &not_server)) != LDAP_SUCCESS) {
        return rc;
      }
    }
    if (start_tls()) {
      log_->debug("[C{}] LDAP {}: StartTLS", id_, url_);
      rc = guarded([&] { return ldap_start_tls_s(ld_, nullptr, nullptr); });
      if (rc != LDAP_SUCCESS) {
        // A refused StartTLS must not fall back to a clear-text bind.
        return rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT ? rc : LDAP_CONNECT_ERROR;
      }
    }
    return LDAP_SUCCESS;
  }

  // A simple bind. Callers never pass an empty password: that would be an unauthenticated bind
  // (RFC 4513 5.1.2), which proves nothing.
  int bind(const std::string& dn, std::string_view password) {
    if (password.empty()) return LDAP_INAPPROPRIATE_AUTH;
    berval cred{static_cast<ber_len_t>(password.size()), const_cast<char*>(password.data())};
    return guarded([&] {
      return ldap_sasl_bind_s(ld_, dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
    });
  }

  // Entries under `base` matching `filter` (at most `limit`, 0: the server's limit), each with
  // the values of `attribute` (none asked for when empty). A missing base is no entry; a size
  // limit keeps the entries received.
  int search(const std::string& base, int scope, const std::string& filter,
             const std::string& attribute, int limit, std::vector<Entry>* out) {
    std::string attr = attribute.empty() ? std::string(LDAP_NO_ATTRS) : attribute;
    char* attrs[] = {attr.data(), nullptr};
    timeval tv = to_timeval(s_.timeout);
    LDAPMessage* res = nullptr;
    log_->debug("[C{}] LDAP {}: search {} under '{}'", id_, url_, filter, base);
    int rc = guarded([&] {
      return ldap_search_ext_s(ld_, base.c_str(), scope, filter.c_str(), attrs, 0, nullptr, nullptr,
                               &tv, limit, &res);
    });
    if (rc == LDAP_SUCCESS || rc == LDAP_SIZELIMIT_EXCEEDED) {
      for (LDAPMessage* e = ldap_first_entry(ld_, res); e != nullptr; e = ldap_next_entry(ld_, e)) {
        Entry entry;
        if (char* dn = ldap_get_dn(ld_, e)) {
          entry.dn = dn;
          ldap_memfree(dn);
        }
        if (!attribute.empty()) {
          if (berval** values = ldap_get_values_len(ld_, e, attribute.c_str())) {
            for (berval** v = values; *v != nullptr; ++v)
              entry.values.emplace_back((*v)->bv_val, (*v)->bv_len);
            ldap_value_free_len(values);
          }
        }
        out->push_back(std::move(entry));
      }
      rc = LDAP_SUCCESS;
    } else if (rc == LDAP_NO_SUCH_OBJECT) {
      rc = LDAP_SUCCESS;
    }
    if (res != nullptr) ldap_msgfree(res);
    return rc;
  }

  // What went wrong, for logs and messages (never a secret): ldap_err2string, the diagnostic
  // message when it says something, and a hint where libldap says too little.
  std::string error_text(int rc) const {
    std::string text = ldap_err2string(rc);
    if (rc == LDAP_TIMEOUT) {
      // After the watchdog, libldap's own diagnostic is about the socket it lost.
      return text + " (no answer within kitsune.authentication.ldap.timeout, " +
             std::to_string(s_.timeout.count()) + " ms)";
    }
    char* diag = nullptr;
    if (ld_ != nullptr && ldap_get_option(ld_, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag) == 0 &&
        diag != nullptr) {
      const std::string_view d(diag);
      if (!d.empty() && d != "(unknown error code)") text += " (" + std::string(d) + ")";
      ldap_memfree(diag);
    }
    if (uses_tls() && (rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR)) {
      text +=
          " (or the TLS handshake failed: is the server's certificate issued for its host "
          "name and trusted by " +
          (s_.ca_file.empty() ? std::string("the system's CAs")
                              : "kitsune.authentication.ldap.tls.ca.file=" + s_.ca_file) +
          "?)";
    }
    return text;
  }

 private:
  bool uses_tls() const { return istarts_with(url_, "ldaps://") || start_tls(); }
  bool start_tls() const { return s_.start_tls && !istarts_with(url_, "ldaps://"); }

  // Runs one blocking libldap call under the watchdog: the connect and the answer each have the
  // timeout, so a call that has to connect first gets twice that.
  template <typename F>
  int guarded(F call) {
    const bool connected = [&] {
      int fd = -1;
      return ldap_get_option(ld_, LDAP_OPT_DESC, &fd) == LDAP_OPT_SUCCESS && fd >= 0;
    }();
    watchdog_.arm(&slot_, connected ? s_.timeout : 2 * s_.timeout);
    const int rc = call();
    const bool fired = watchdog_.disarm(&slot_);
    return fired && rc != LDAP_SUCCESS ? LDAP_TIMEOUT : rc;
  }

  static int on_connect(LDAP*, Sockbuf* sb, LDAPURLDesc*, sockaddr*, ldap_conncb* ctx) {
    auto* self = static_cast<Connection*>(ctx->lc_arg);
    int fd = -1;
    if (sb != nullptr && ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd) == 1) {
      self->watchdog_.set_fd(&self->slot_, fd);
    }
    return 0;
  }
  static void on_close(LDAP*, Sockbuf*, ldap_conncb* ctx) {
    auto* self = static_cast<Connection*>(ctx->lc_arg);
    self->watchdog_.set_fd(&self->slot_, -1);
  }

  const Settings& s_;
  Watchdog& watchdog_;
  std::string url_;
  std::uint64_t id_;
  std::shared_ptr<spdlog::logger> log_;
  Watchdog::Slot slot_;
  ldap_conncb callbacks_{};
  LDAP* ld_ = nullptr;
};

// A search that failed on the server: the server is not usable for this login.
Outcome search_failed(const Connection& c, int rc) {
  return {Verdict::kServerFailed, c.url() + ": search failed: " + c.error_text(rc),
          is_connectivity_error(rc)};
}

// The DN of the user's entry: each DN pattern read as is, else a search for <guidKey>=<user>
// under the base DN. Exactly one entry, or none (nullopt).
struct FoundDn {
  int rc = LDAP_SUCCESS;
  std::optional<std::string> dn;
};

FoundDn find_user_dn(Connection& c, const Settings& s, const std::string& user) {
  FoundDn found;
  const std::string escaped = ldap::escape_dn_value(user);
  for (const auto& pattern : s.naming.dn_patterns) {
    std::vector<Entry> entries;
    const std::string dn = replace_all(pattern, "%s", escaped);
    found.rc = c.search(dn, LDAP_SCOPE_BASE, "(objectClass=*)", "", 2, &entries);
    if (found.rc != LDAP_SUCCESS) return found;
    if (entries.size() == 1) {
      found.dn = entries[0].dn;
      return found;
    }
  }
  if (!s.naming.dn_patterns.empty() || s.naming.base_dn.empty()) return found;
  const std::string filter =
      "(&(|(objectClass=person)(objectClass=user)(objectClass=posixAccount))(" + s.naming.guid_key +
      "=" + escape_filter_value(user) + "))";
  std::vector<Entry> entries;
  found.rc = c.search(s.naming.base_dn, LDAP_SCOPE_SUBTREE, filter, "", 2, &entries);
  if (found.rc == LDAP_SUCCESS && entries.size() == 1) found.dn = entries[0].dn;
  return found;
}

// The name a user is looked up by (<guidKey>=<name>): without the @domain part when a domain
// forms the bind names.
std::string lookup_name(const Settings& s, const std::string& user) {
  if (s.naming.domain.empty()) return user;
  return user.substr(0, user.find('@'));
}

bool listed(const std::vector<std::string>& list, const std::string& lower_name) {
  return std::find(list.begin(), list.end(), lower_name) != list.end();
}

// userFilter, groupFilter and customLDAPQuery, as Kyuubi applies them: the custom query alone
// when it is set, else the user filter and then the group filter. `user_dn` is the user's entry
// when the bind already named it.
Outcome check_filters(Connection& c, const Settings& s, const std::string& user,
                      std::optional<std::string> user_dn) {
  const std::string name = lookup_name(s, user);
  const bool needs_dn = !s.custom_query.empty() || !s.group_filter.empty();
  if (needs_dn && !user_dn) {
    FoundDn found = find_user_dn(c, s, name);
    if (found.rc != LDAP_SUCCESS) return search_failed(c, found.rc);
    if (!found.dn) {
      return filtered("no single entry for the user under " + join(s.user_bases(), " or ") +
                      ", which the filters need");
    }
    user_dn = found.dn;
  }

  if (!s.custom_query.empty()) {
    const std::string query = replace_all(s.custom_query, "%s", escape_filter_value(name));
    std::vector<Entry> entries;
    const int rc =
        c.search(s.naming.base_dn, LDAP_SCOPE_SUBTREE, query, s.group_membership_key, 0, &entries);
    if (rc != LDAP_SUCCESS) return search_failed(c, rc);
    for (const auto& e : entries) {
      if (ldap::same_dn(e.dn, *user_dn)) return accepted();
      // A group among the results admits its members.
      for (const auto& member : e.values) {
        if (ldap::same_dn(member, *user_dn)) return accepted();
      }
    }
    return filtered(
        "the user is not among the results of kyuubi.authentication.ldap.customLDAPQuery");
  }

  if (!s.user_filter.empty() && !listed(s.user_filter, ldap::short_user_name(user))) {
    return filtered("the user is not allowed by kyuubi.authentication.ldap.userFilter");
  }

  if (!s.group_filter.empty()) {
    std::vector<std::string> groups;
    if (!s.user_membership_key.empty()) {
      std::vector<Entry> entries;
      const int rc = c.search(*user_dn, LDAP_SCOPE_BASE, "(objectClass=*)", s.user_membership_key,
                              1, &entries);
      if (rc != LDAP_SUCCESS) return search_failed(c, rc);
      for (auto& e : entries)
        groups.insert(groups.end(), e.values.begin(), e.values.end());
    } else {
      const std::string m = s.group_membership_key;
      const std::string filter = "(&(objectClass=" + s.group_class_key + ")(|(" + m + "=" +
                                 escape_filter_value(*user_dn) + ")(" + m + "=" +
                                 escape_filter_value(name) + ")))";
      for (const auto& base : s.group_bases()) {
        std::vector<Entry> entries;
        const int rc = c.search(base, LDAP_SCOPE_SUBTREE, filter, "", 0, &entries);
        if (rc != LDAP_SUCCESS) return search_failed(c, rc);
        for (auto& e : entries)
          groups.push_back(std::move(e.dn));
      }
    }
    for (const auto& group : groups) {
      auto short_name = ldap::first_rdn_value(group);
      if (short_name && listed(s.group_filter, to_lower(*short_name))) return accepted();
    }
    return filtered(
        "the user is not a member of any group in kyuubi.authentication.ldap.groupFilter");
  }
  return accepted();
}

// One login against one server.
Outcome login_on(const Settings& s, Watchdog& watchdog, const std::string& url,
                 const std::string& user, const std::string& password, std::uint64_t id) {
  auto log = logger("auth");
  Connection c(s, watchdog, url, id);
  int rc = c.open();
  if (rc != LDAP_SUCCESS) {
    const bool start_tls = s.start_tls && !istarts_with(url, "ldaps://");
    return {Verdict::kServerFailed,
            url + ": " + (start_tls ? "StartTLS failed: " : "") + c.error_text(rc),
            is_connectivity_error(rc)};
  }

  if (s.service_account()) {
    // Search, then bind as what was found (Hive's and Kyuubi's binddn flow).
    log->debug("[C{}] LDAP {}: binding as the service account {}", id, url, s.bind_dn);
    rc = c.bind(s.bind_dn, s.bind_pw);
    if (rc != LDAP_SUCCESS) {
      return {Verdict::kServerFailed,
              url + ": the service account (kyuubi.authentication.ldap.binddn) cannot bind: " +
                  c.error_text(rc),
              is_connectivity_error(rc)};
    }
    FoundDn found = find_user_dn(c, s, lookup_name(s, user));
    if (found.rc != LDAP_SUCCESS) return search_failed(c, found.rc);
    if (!found.dn) return refused("no single entry for the user");
    // The filters run with the service account's rights; their verdict is only told once the
    // password is known to be right, so that it cannot reveal who exists.
    Outcome verdict = check_filters(c, s, user, found.dn);
    if (verdict.verdict == Verdict::kServerFailed) return verdict;
    log->debug("[C{}] LDAP {}: binding as {}", id, url, *found.dn);
    rc = c.bind(*found.dn, password);
    if (rc == LDAP_SUCCESS) return verdict;
    if (is_credentials_refusal(rc))
      return refused("bind as " + *found.dn + ": " + c.error_text(rc));
    return {Verdict::kServerFailed, url + ": bind failed: " + c.error_text(rc),
            is_connectivity_error(rc)};
  }

  const auto candidates = ldap::candidate_bind_names(s.naming, user);
  if (candidates.empty()) return refused("no bind name can be formed from this user name");
  std::optional<std::string> bound;
  std::string last;
  for (const auto& name : candidates) {
    log->debug("[C{}] LDAP {}: binding as {}", id, url, name);
    rc = c.bind(name, password);
    if (rc == LDAP_SUCCESS) {
      bound = name;
      break;
    }
    if (!is_credentials_refusal(rc)) {
      return {Verdict::kServerFailed, url + ": bind failed: " + c.error_text(rc),
              is_connectivity_error(rc)};
    }
    last = "bind as " + name + ": " + c.error_text(rc);
    log->debug("[C{}] LDAP {}: {}", id, url, last);
  }
  if (!bound) return refused(last);
  // A user@domain bind name is no DN: the filters look the entry up when they need it.
  std::optional<std::string> user_dn;
  if (s.naming.domain.empty()) user_dn = bound;
  return check_filters(c, s, user, user_dn);
}

// The whole login, URL after URL, on a pool thread.
Status login(const Settings& s, Watchdog& watchdog, const std::string& user,
             const std::string& password, std::uint64_t id) {
  auto log = logger("auth");
  std::vector<std::string> failures;
  bool unreachable = true;
  for (const auto& url : s.urls) {
    Outcome o = login_on(s, watchdog, url, user, password, id);
    switch (o.verdict) {
      case Verdict::kAccepted:
        log->debug("[C{}] LDAP {}: '{}' logged in", id, url, user);
        return Status::ok();
      case Verdict::kRefused:
        log->info("[C{}] LDAP {}: login of '{}' refused: {}", id, url, user, o.why);
        // The same words whether the user exists or not.
        return Status::unauthenticated("Error validating LDAP user '" + user +
                                       "': wrong user name or password");
      case Verdict::kFiltered:
        log->info("[C{}] LDAP {}: login of '{}' refused: {}", id, url, user, o.why);
        return Status::unauthenticated("Error validating LDAP user '" + user + "': " + o.why);
      case Verdict::kServerFailed:
        log->warn("[C{}] LDAP {}", id, o.why);
        failures.push_back(std::move(o.why));
        unreachable = unreachable && o.connectivity;
        break;
    }
  }
  return Status::unavailable("LDAP server(s) " + join(s.urls, " ") +
                             (unreachable ? " unreachable: " : " failed: ") + join(failures, "; "));
}

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

class LdapAuthenticator final : public PasswordAuthenticator {
 public:
  LdapAuthenticator(std::shared_ptr<const Settings> settings, std::size_t pool_size,
                    std::unique_ptr<ldap::LoginCache> cache)
      : settings_(std::move(settings)),
        cache_(std::move(cache)),
        watchdog_(std::make_shared<Watchdog>()),
        pool_(std::make_unique<BlockingPool>("ldap", pool_size)) {}

  std::string_view name() const override { return "LDAP"; }

  awaitable<Status> authenticate(const std::string& user, const std::string& password,
                                 const ClientInfo& client) override {
    // Refused here as well as in SASL PLAIN: an empty password makes a simple bind an
    // unauthenticated one, which every server accepts (RFC 4513 5.1.2).
    if (is_blank(user) || user.find('\0') != std::string::npos) {
      co_return Status::unauthenticated("Error validating LDAP user: no valid user name provided");
    }
    if (is_blank(password) || password.find('\0') != std::string::npos) {
      co_return Status::unauthenticated("Error validating LDAP user '" + user +
                                        "': an empty or blank password is never a login");
    }
    const std::uint64_t id = client.connection_id;
    if (cache_ && cache_->contains(user, password)) {
      logger("auth")->debug("[C{}] LDAP: '{}' logged in (cached)", id, user);
      co_return Status::ok();
    }
    auto job = [settings = settings_, watchdog = watchdog_, user = std::string(user),
                password = std::string(password), id]() mutable {
      Status s = login(*settings, *watchdog, user, password, id);
      scrub(password);
      return s;
    };
    Status s = co_await pool_->run(std::move(job));
    if (cache_) {
      if (s.is_ok()) {
        cache_->remember(user, password);
      } else if (s.code() == StatusCode::kUnauthenticated) {
        cache_->forget(user);
      }
    }
    co_return s;
  }

 private:
  std::shared_ptr<const Settings> settings_;
  std::unique_ptr<ldap::LoginCache> cache_;
  std::shared_ptr<Watchdog> watchdog_;
  // Last, so that it goes first: its destructor waits for the logins in flight.
  std::unique_ptr<BlockingPool> pool_;
};

// An attribute type or object class name: a descriptor or a numeric OID.
bool is_attribute_name(std::string_view name) {
  if (name.empty()) return false;
  if (std::isdigit(static_cast<unsigned char>(name[0]))) {
    return std::all_of(name.begin(), name.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
    });
  }
  return std::isalpha(static_cast<unsigned char>(name[0])) &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
         });
}

// A search filter's outer shape: parenthesised, balanced (escapes are \xx, never a bare paren).
bool looks_like_filter(std::string_view f) {
  if (f.size() < 3 || f.front() != '(' || f.back() != ')') return false;
  int depth = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '(') ++depth;
    if (f[i] == ')' && --depth < 0) return false;
    if (depth == 0 && i + 1 != f.size()) return false;
  }
  return depth == 0;
}

std::vector<std::string> lower_list(const std::vector<std::string>& list) {
  std::vector<std::string> out;
  for (const auto& v : list)
    out.push_back(to_lower(v));
  return out;
}

Result<std::shared_ptr<const Settings>> read_settings(const config::Conf& conf) {
  auto s = std::make_shared<Settings>();
  auto urls = ldap::parse_url_list(conf.get(k::kAuthenticationLdapUrl));
  if (!urls) return urls.status();
  s->urls = std::move(urls).value();
  s->naming.base_dn = std::string(trim(conf.get(k::kAuthenticationLdapBaseDn)));
  s->naming.guid_key = std::string(trim(conf.get(k::kAuthenticationLdapGuidKey)));
  s->naming.domain = std::string(trim(conf.get(k::kAuthenticationLdapDomain)));
  auto users = ldap::parse_dn_patterns(conf.get(k::kAuthenticationLdapUserDnPattern),
                                       k::kAuthenticationLdapUserDnPattern.name());
  if (!users) return users.status();
  s->naming.dn_patterns = std::move(users).value();
  auto groups = ldap::parse_dn_patterns(conf.get(k::kAuthenticationLdapGroupDnPattern),
                                        k::kAuthenticationLdapGroupDnPattern.name());
  if (!groups) return groups.status();
  s->group_dn_patterns = std::move(groups).value();
  s->user_filter = lower_list(conf.get(k::kAuthenticationLdapUserFilter));
  s->group_filter = lower_list(conf.get(k::kAuthenticationLdapGroupFilter));
  s->group_membership_key = std::string(trim(conf.get(k::kAuthenticationLdapGroupMembershipKey)));
  s->user_membership_key = std::string(trim(conf.get(k::kAuthenticationLdapUserMembershipKey)));
  s->group_class_key = std::string(trim(conf.get(k::kAuthenticationLdapGroupClassKey)));
  s->custom_query = std::string(trim(conf.get(k::kAuthenticationLdapCustomQuery)));
  s->bind_dn = std::string(trim(conf.get(k::kAuthenticationLdapBindDn)));
  s->bind_pw = conf.get(k::kAuthenticationLdapBindPw);
  s->start_tls = conf.get(k::kAuthenticationLdapStartTls);
  s->tls_verify = conf.get(k::kAuthenticationLdapTlsVerify);
  s->ca_file = std::string(trim(conf.get(k::kAuthenticationLdapCaFile)));
  s->timeout = conf.get(k::kAuthenticationLdapTimeout);

  const auto key = [](const auto& k) { return std::string(k.name()); };
  for (const auto* def : {&k::kAuthenticationLdapGuidKey, &k::kAuthenticationLdapGroupMembershipKey,
                          &k::kAuthenticationLdapGroupClassKey}) {
    const std::string value = std::string(trim(conf.get(*def)));
    if (!is_attribute_name(value)) {
      return Status::error(key(*def) + ": '" + value + "' is not an attribute or class name");
    }
  }
  if (!s->user_membership_key.empty() && !is_attribute_name(s->user_membership_key)) {
    return Status::error(key(k::kAuthenticationLdapUserMembershipKey) + ": '" +
                         s->user_membership_key + "' is not an attribute name");
  }
  if (s->naming.base_dn.empty() && s->naming.dn_patterns.empty() && s->naming.domain.empty()) {
    return Status::error("kyuubi.authentication=LDAP needs " + key(k::kAuthenticationLdapBaseDn) +
                         ", " + key(k::kAuthenticationLdapUserDnPattern) + " or " +
                         key(k::kAuthenticationLdapDomain) + " to form the name a user binds as");
  }
  if (s->bind_dn.empty() != s->bind_pw.empty()) {
    return Status::error(key(k::kAuthenticationLdapBindDn) + " and " +
                         key(k::kAuthenticationLdapBindPw) + " go together: set both or neither");
  }
  const bool can_find_users = !s->naming.base_dn.empty() || !s->naming.dn_patterns.empty();
  if (s->service_account() && !can_find_users) {
    return Status::error(key(k::kAuthenticationLdapBindDn) + " needs " +
                         key(k::kAuthenticationLdapBaseDn) + " or " +
                         key(k::kAuthenticationLdapUserDnPattern) + " to search for users");
  }
  if (!s->group_filter.empty() &&
      (!can_find_users || (s->user_membership_key.empty() && s->group_bases().empty()))) {
    return Status::error(
        key(k::kAuthenticationLdapGroupFilter) + " needs " + key(k::kAuthenticationLdapBaseDn) +
        " (or " + key(k::kAuthenticationLdapUserDnPattern) + " and " +
        key(k::kAuthenticationLdapGroupDnPattern) + ") to find users and their groups");
  }
  if (!s->custom_query.empty()) {
    if (!looks_like_filter(s->custom_query)) {
      return Status::error(key(k::kAuthenticationLdapCustomQuery) + ": '" + s->custom_query +
                           "' is not an LDAP search filter such as (&(objectClass=person)(...))");
    }
    if (s->naming.base_dn.empty()) {
      return Status::error(key(k::kAuthenticationLdapCustomQuery) + " needs " +
                           key(k::kAuthenticationLdapBaseDn) + ", the base it searches under");
    }
  }
  if (!s->ca_file.empty() && access(s->ca_file.c_str(), R_OK) != 0) {
    return Status::error(key(k::kAuthenticationLdapCaFile) + ": cannot read '" + s->ca_file +
                         "': " + std::strerror(errno));
  }
  if (s->timeout.count() <= 0) {
    return Status::error(key(k::kAuthenticationLdapTimeout) + " must be more than zero");
  }
  return std::shared_ptr<const Settings>(std::move(s));
}

}  // namespace

Result<std::shared_ptr<PasswordAuthenticator>> make_ldap_authenticator(const config::Conf& conf) {
  auto settings = read_settings(conf);
  if (!settings) return settings.status();
  const auto pool_size = conf.get(k::kAuthenticationLdapPoolSize);
  if (pool_size < 1) {
    return Status::error(std::string(k::kAuthenticationLdapPoolSize.name()) +
                         " must be at least 1");
  }
  const auto ttl = conf.get(k::kAuthenticationLdapCacheTtl);
  const auto max_entries = conf.get(k::kAuthenticationLdapCacheMaxEntries);
  if (ttl.count() < 0) {
    return Status::error(std::string(k::kAuthenticationLdapCacheTtl.name()) +
                         " cannot be negative");
  }
  std::unique_ptr<ldap::LoginCache> cache;
  if (ttl.count() > 0) {
    if (max_entries < 1) {
      return Status::error(std::string(k::kAuthenticationLdapCacheMaxEntries.name()) +
                           " must be at least 1 when the cache is on");
    }
    cache = std::make_unique<ldap::LoginCache>(ttl, static_cast<std::size_t>(max_entries));
  }
  // libldap sets itself up (reading ldap.conf) on first use; do that now, on one thread.
  int debug_level = 0;
  ldap_get_option(nullptr, LDAP_OPT_DEBUG_LEVEL, &debug_level);

  const Settings& s = **settings;
  const bool tls = s.start_tls || std::any_of(s.urls.begin(), s.urls.end(), [](const auto& u) {
                     return istarts_with(u, "ldaps://");
                   });
  std::string tls_text = "no TLS";
  if (tls) {
    tls_text = std::string(s.start_tls ? "StartTLS on ldap://, " : "") +
               (s.tls_verify ? "certificates checked" : "certificates NOT checked") +
               (s.ca_file.empty() ? "" : " against " + s.ca_file);
  }
  logger("auth")->info(
      "LDAP authentication: {} ({}; {}; timeout {} ms per server; {} thread(s); cache {})",
      join(s.urls, " "),
      s.service_account() ? "search as " + s.bind_dn + ", then bind" : "bind as the user", tls_text,
      s.timeout.count(), pool_size,
      cache ? std::to_string(ttl.count()) + " ms" : std::string("off"));
  return std::shared_ptr<PasswordAuthenticator>(std::make_shared<LdapAuthenticator>(
      std::move(settings).value(), static_cast<std::size_t>(pool_size), std::move(cache)));
}

}  // namespace kitsune::auth
