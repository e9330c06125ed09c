// The share-level resolver: share level, engine type, routing user and subdomain of a session,
// and the engine space, lock path and engine name built from them as Kyuubi's EngineRef does.
#include "kitsune/routing/engine_key.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>

#include "kitsune/common/strings.h"
#include "kitsune/config/keys.h"

namespace kitsune::routing {

namespace {

constexpr std::array<std::pair<ShareLevel, std::string_view>, 5> kLevelNames = {{
    {ShareLevel::kConnection, "CONNECTION"},
    {ShareLevel::kUser, "USER"},
    {ShareLevel::kGroup, "GROUP"},
    {ShareLevel::kServerLocal, "SERVER_LOCAL"},
    {ShareLevel::kServer, "SERVER"},
}};

// Decodes one UTF-8 code point at s[i], advancing i; -1 for a malformed sequence.
std::int32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i++]);
  if (b0 < 0x80) return b0;
  int extra = 0;
  std::int32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3;
    cp = b0 & 0x07;
  } else {
    return -1;
  }
  for (int k = 0; k < extra; ++k) {
    if (i >= s.size()) return -1;
    const auto b = static_cast<unsigned char>(s[i++]);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  return cp;
}

// Kyuubi's "valid ZooKeeper sub-path": one or more characters from U+0020-U+002E, U+0030-U+007E,
// U+00A0-U+D7FF or U+F900-U+FFEF (printable, no '/'), and neither "." nor "..".
bool is_valid_path_element(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return false;
  for (std::size_t i = 0; i < s.size();) {
    const std::int32_t cp = next_code_point(s, i);
    const bool ok = (cp >= 0x20 && cp <= 0x2E) || (cp >= 0x30 && cp <= 0x7E) ||
                    (cp >= 0xA0 && cp <= 0xD7FF) || (cp >= 0xF900 && cp <= 0xFFEF);
    if (!ok) return false;
  }
  return true;
}

Status invalid_path_element(std::string_view what, std::string_view value) {
  return Status::error(std::string(what) + " '" + std::string(value) +
                       "' is not a valid ZooKeeper path element (it must be non-empty, not '.' "
                       "or '..', and made of printable characters other than '/')");
}

// The value of `key` as Conf::get reads it, except that a value set (on the key or on the
// deprecated key it falls back to) that does not parse is an error naming that key, where
// Conf::get would quietly use the default.
template <typename T>
Result<T> read(const config::Conf& conf, const config::Key<T>& key) {
  for (const config::KeyDef* def = key.def; def != nullptr;
       def = def->fallback.empty() ? nullptr : config::find_key(def->fallback)) {
    if (auto raw = conf.raw(def->name)) {
      KITSUNE_RETURN_IF_ERROR(config::validate_value(*def, *raw));
      break;
    }
  }
  return conf.get(key);
}

// Like read(), but nullopt when neither the key nor its fallback is set.
template <typename T>
Result<std::optional<T>> read_if_set(const config::Conf& conf, const config::Key<T>& key) {
  auto value = read(conf, key);
  if (!value) return std::move(value).status();
  return conf.get_if_set(key);
}

const config::Conf& conf_of(const RoutingInput& input) {
  static const config::Conf kEmpty;
  return input.session_conf != nullptr ? *input.session_conf : kEmpty;
}

std::string trim_slashes(std::string_view s) {
  while (!s.empty() && s.front() == '/')
    s.remove_prefix(1);
  while (!s.empty() && s.back() == '/')
    s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

std::string_view to_string(ShareLevel level) {
  for (const auto& [l, name] : kLevelNames) {
    if (l == level) return name;
  }
  return "USER";
}

Result<ShareLevel> parse_share_level(std::string_view text) {
  const auto t = trim(text);
  for (const auto& [level, name] : kLevelNames) {
    if (iequals(t, name)) return level;
  }
  return Status::error(std::string(config::keys::kEngineShareLevel.name()) + ": '" +
                       std::string(t) +
                       "' is not a share level (CONNECTION, USER, GROUP, SERVER_LOCAL or SERVER)");
}

Result<ShareLevel> share_level_of(const config::Conf& session_conf) {
  auto text = read(session_conf, config::keys::kEngineShareLevel);
  if (!text) return std::move(text).status();
  return parse_share_level(*text);
}

std::string EngineKey::engine_space() const {
  const std::string parent = "/" + server_space + "_" + version + "_" +
                             std::string(to_string(level)) + "_" + engine_type + "/" +
                             routing_user + "/";
  switch (level) {
    case ShareLevel::kConnection:
      return parent + ref_id;
    case ShareLevel::kServerLocal:
      assert(!subdomain.empty());
      return parent + local_host_ip + "_" + subdomain;
    case ShareLevel::kUser:
    case ShareLevel::kGroup:
    case ShareLevel::kServer:
      break;
  }
  assert(!subdomain.empty());
  return parent + subdomain;
}

std::string EngineKey::lock_path() const {
  if (level == ShareLevel::kConnection) return {};
  assert(!subdomain.empty());
  std::string path = "/" + server_space + "_" + version + "_" + std::string(to_string(level)) +
                     "_" + engine_type + "_lock/" + routing_user + "/";
  if (level == ShareLevel::kServerLocal) path += local_host_ip + "_";
  return path + subdomain;
}

std::string EngineKey::engine_name() const {
  std::string name =
      "kyuubi_" + std::string(to_string(level)) + "_" + engine_type + "_" + routing_user + "_";
  if (level == ShareLevel::kConnection) return name + ref_id;
  assert(!subdomain.empty());
  if (level == ShareLevel::kServerLocal) name += local_host_ip + "_";
  return name + subdomain + "_" + ref_id;
}

std::string EngineKey::pool_sequence_path() const {
  if (!pool) return {};
  return "/" + server_space + "_" + version + "_" + std::string(to_string(level)) + "_" +
         engine_type + "_seqNum/" + routing_user + "/" + pool->name;
}

Result<EngineKey> resolve_engine_key(const RoutingInput& input) {
  namespace keys = config::keys;
  const config::Conf& conf = conf_of(input);
  EngineKey key;

  auto space = read(conf, keys::kHaNamespace);
  if (!space) return std::move(space).status();
  key.server_space = trim_slashes(trim(*space));
  if (key.server_space.empty()) {
    return Status::error(std::string(keys::kHaNamespace.name()) + ": the namespace is empty");
  }
  key.version = input.version;

  auto level = share_level_of(conf);
  if (!level) return std::move(level).status();
  key.level = *level;

  auto type = read(conf, keys::kEngineType);
  if (!type) return std::move(type).status();
  key.engine_type = to_upper(trim(*type));

  key.session_user = input.session_user;
  switch (key.level) {
    case ShareLevel::kServer:
    case ShareLevel::kServerLocal:
      key.routing_user = input.server_user;
      break;
    case ShareLevel::kGroup:
      // Kyuubi's group provider falls back to the user name when a user has no group.
      key.routing_user = input.primary_group.empty() ? input.session_user : input.primary_group;
      break;
    case ShareLevel::kUser:
    case ShareLevel::kConnection:
      key.routing_user = input.session_user;
      break;
  }
  // Kyuubi does not check this, but a user name with a '/' would nest one space inside another.
  if (!is_valid_path_element(key.routing_user)) {
    return invalid_path_element("The user or group name", key.routing_user);
  }
  key.ref_id = input.session_id;
  if (key.level == ShareLevel::kServerLocal) key.local_host_ip = input.local_host_ip;

  auto subdomain = read_if_set(conf, keys::kEngineShareLevelSubdomain);
  if (!subdomain) return std::move(subdomain).status();
  if (*subdomain) {
    **subdomain = to_lower(**subdomain);
    if (!is_valid_path_element(**subdomain)) {
      return invalid_path_element(keys::kEngineShareLevelSubdomain.name(), **subdomain);
    }
  }

  auto pool_size = read(conf, keys::kEnginePoolSize);
  if (!pool_size) return std::move(pool_size).status();
  auto ignore_subdomain = read(conf, keys::kEnginePoolIgnoreSubdomain);
  if (!ignore_subdomain) return std::move(ignore_subdomain).status();

  if (*pool_size > 0 && (!*subdomain || *ignore_subdomain)) {
    auto name = read(conf, keys::kEnginePoolName);
    if (!name) return std::move(name).status();
    auto policy = read(conf, keys::kEnginePoolSelectPolicy);
    if (!policy) return std::move(policy).status();
    EnginePool pool;
    pool.name = to_lower(*name);
    if (!is_valid_path_element(pool.name)) {
      return invalid_path_element(keys::kEnginePoolName.name(), pool.name);
    }
    pool.size = std::max(1, std::min(*pool_size, input.pool_size_threshold));
    pool.policy = iequals(*policy, "POLLING") ? PoolPolicy::kPolling : PoolPolicy::kRandom;
    key.pool = std::move(pool);
  } else if (*subdomain) {
    key.subdomain = std::move(**subdomain);
  } else {
    key.subdomain = "default";
  }
  return key;
}

EngineKey with_pool_member(EngineKey key, int n) {
  if (!key.pool) return key;
  assert(n >= 0 && n < key.pool->size);
  key.subdomain = key.pool->name + "-" + std::to_string(n);
  key.pool.reset();
  return key;
}

}  // namespace kitsune::routing
