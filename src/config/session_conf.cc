// Session configuration: OpenSession normalisation and the audience filter for engine launch.
#include "kitsune/config/session_conf.h"

#include <array>

#include "kitsune/common/strings.h"

namespace kitsune::config {
namespace {

constexpr std::string_view kSetPrefix = "set:";
constexpr std::string_view kEnvPrefix = "env:";
constexpr std::array<std::string_view, 4> kStrippedPrefixes = {
    "hiveconf:", "hivevar:", "system:", "metaconf:"};
constexpr std::string_view kUserSignEnabled = "kyuubi.session.user.sign.enabled";
constexpr std::string_view kEngineEnvPrefix = "kyuubi.engineEnv.";

// Server-scoped in the key table, yet every engine needs them (KyuubiReservedKeys).
constexpr std::array<std::string_view, 12> kReservedForEngines = {
    "kyuubi.session.user",     "kyuubi.session.real.user", "kyuubi.session.connection.url",
    "kyuubi.client.ipAddress", "kyuubi.client.version",    "kyuubi.server.ipAddress",
    "kyuubi.ha.engine.ref.id", "kyuubi.ha.namespace",      "kyuubi.engine.submit.time",
    "kyuubi.engine.id",        "kyuubi.engine.name",       "kyuubi.engine.appMgrInfo",
};

// Families that configure the server, never an engine (kyuubi.config.server.only.prefixes and
// the frontend/backend/auth families).
// Server-side security settings outside Kyuubi's own names: a client can never set them, and
// engines never get them.
constexpr std::array<std::string_view, 3> kSecurityPrefixes = {
    "hadoop.proxyuser.",
    "hadoop.security.",
    "kitsune.authentication.",
};

bool is_security_key(std::string_view key) {
  for (auto prefix : kSecurityPrefixes) {
    if (key.starts_with(prefix)) return true;
  }
  return false;
}

constexpr std::array<std::string_view, 11> kServerOnlyPrefixes = {
    "kyuubi.server.",
    "kyuubi.frontend.",
    "kyuubi.backend.server.",
    "kyuubi.authentication",
    "kyuubi.kinit.",
    "kitsune.server.",
    "kitsune.frontend.",
    kEngineEnvPrefix,  // passed as environment, not as configuration
    "kyuubi.metadata.store.jdbc.datasource.",
    "kyuubi.backend.server.event.kafka.",
    "___",  // per-user defaults; the session conf already has the user's values
};

struct EngineFamily {
  std::string_view short_name;   // as in kyuubi.engine.<short_name>.
  std::string_view engine_type;  // the kyuubi.engine.type it belongs to
};
constexpr std::array<EngineFamily, 6> kEngineFamilies = {{
    {"spark", "SPARK_SQL"},
    {"flink", "FLINK_SQL"},
    {"hive", "HIVE_SQL"},
    {"trino", "TRINO"},
    {"jdbc", "JDBC"},
    {"data.agent", "DATA_AGENT"},
}};

bool is_reserved_for_engines(std::string_view key) {
  for (auto k : kReservedForEngines) {
    if (k == key) return true;
  }
  return false;
}

// The engine type an engine-specific key is for, or "" when the key is for every engine.
std::string_view engine_type_of(std::string_view key) {
  for (const auto& family : kEngineFamilies) {
    for (std::string_view base :
         {std::string_view("kyuubi.engine."), std::string_view("kyuubi.session.engine.")}) {
      if (key.size() > base.size() + family.short_name.size() && key.starts_with(base) &&
          key.substr(base.size()).starts_with(family.short_name) &&
          key[base.size() + family.short_name.size()] == '.') {
        return family.engine_type;
      }
    }
  }
  return {};
}

}  // namespace

bool matches_key_list(const std::vector<std::string>& list, std::string_view key) {
  for (const auto& raw : list) {
    std::string_view entry = trim(raw);
    if (entry.empty()) continue;
    if (entry.ends_with(".*")) {
      if (key.starts_with(entry.substr(0, entry.size() - 1))) return true;
    } else if (entry == key) {
      return true;
    }
  }
  return false;
}

Result<NormalizedSessionConf> normalize_session_conf(
    const std::map<std::string, std::string>& client_conf, const Conf& server_conf) {
  const List restrict_list = server_conf.get(keys::kSessionConfRestrictList);
  const List ignore_list = server_conf.get(keys::kSessionConfIgnoreList);
  NormalizedSessionConf out;
  for (const auto& [raw_key, value] : client_conf) {
    std::string_view key = raw_key;
    if (key.starts_with(kSetPrefix)) {
      key.remove_prefix(kSetPrefix.size());
      if (key.starts_with(kEnvPrefix)) {
        return Status::error(raw_key +
                             " is forbidden: set:env: is not allowed, environment variables can "
                             "not be set by a session");
      }
      for (auto prefix : kStrippedPrefixes) {
        if (key.starts_with(prefix)) {
          key.remove_prefix(prefix.size());
          break;
        }
      }
    }
    if (matches_key_list(restrict_list, key)) {
      return Status::error(std::string(key) +
                           " is a restrict key according to the server-side configuration, "
                           "please remove it and retry if you want to proceed");
    }
    if (const KeyDef* def = find_key(key);
        (def && def->scope == Scope::kServer) || is_security_key(key)) {
      out.dropped_server_only.emplace_back(key);
    } else if (key == kUserSignEnabled || matches_key_list(ignore_list, key)) {
      out.ignored.emplace_back(key);
    } else {
      out.entries.emplace_back(std::string(key), value);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> engine_launch_conf(const Conf& session_conf,
                                                                    std::string_view engine_type) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, value] : session_conf.entries()) {
    if (!is_reserved_for_engines(key)) {
      if (const KeyDef* def = find_key(key); def && def->scope == Scope::kServer) continue;
      bool server_only = is_security_key(key);
      for (auto prefix : kServerOnlyPrefixes)
        server_only = server_only || key.starts_with(prefix);
      if (server_only) continue;
      if (auto for_type = engine_type_of(key); !for_type.empty() && !iequals(for_type, engine_type))
        continue;
    }
    out.emplace_back(key, value);  // entries() is ordered by key
  }
  return out;
}

std::map<std::string, std::string> engine_env(const Conf& session_conf) {
  std::map<std::string, std::string> env;
  for (const auto& [key, value] : session_conf.entries()) {
    if (key.size() > kEngineEnvPrefix.size() && key.starts_with(kEngineEnvPrefix))
      env[key.substr(kEngineEnvPrefix.size())] = value;
  }
  return env;
}

}  // namespace kitsune::config
