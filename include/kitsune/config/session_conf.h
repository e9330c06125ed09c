// Session configuration: what a client may set at OpenSession, and what reaches an engine.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace kitsune::config {

// Whether `key` is in `list`: an entry equals it, or an entry "prefix.*" names a prefix of it.
bool matches_key_list(const std::vector<std::string>& list, std::string_view key);

struct NormalizedSessionConf {
  // Normalized keys, in client order; includes use:database / use:catalog as they are.
  std::vector<std::pair<std::string, std::string>> entries;
  // Server-only keys the client sent (normalized); dropped, the caller warns.
  std::vector<std::string> dropped_server_only;
  // Keys in kyuubi.session.conf.ignore.list (and kyuubi.session.user.sign.enabled); dropped.
  std::vector<std::string> ignored;
};

// Kyuubi's OpenSession normalisation (SessionManager.validateKey): "set:hiveconf:", "set:hivevar:",
// "set:system:", "set:metaconf:" and "set:" prefixes are stripped; then a key in the server's
// kyuubi.session.conf.restrict.list fails the whole session, a server-only key is dropped, a key
// in kyuubi.session.conf.ignore.list is dropped. Fails also on "set:env:" keys.
Result<NormalizedSessionConf> normalize_session_conf(
    const std::map<std::string, std::string>& client_conf, const Conf& server_conf);

// The entries of a session's configuration passed to an engine it launches (Kyuubi's
// getEngineConf): server-only keys and prefixes dropped except the reserved keys engines need,
// engine-specific kyuubi.engine.<x>. / kyuubi.session.engine.<x>. keys only for engine type <x>,
// per-user keys and kyuubi.engineEnv.* never; everything else (other kyuubi.*, kitsune.* that
// are not server-only, spark.*, hive.*, ...) kept. Sorted by key. `engine_type` as
// kyuubi.engine.type spells it (SPARK_SQL, FLINK_SQL, HIVE_SQL, TRINO, JDBC, LOCAL; any case).
std::vector<std::pair<std::string, std::string>> engine_launch_conf(const Conf& session_conf,
                                                                    std::string_view engine_type);

// The environment an engine gets on top of the server's: kyuubi.engineEnv.<VAR>=<value>.
std::map<std::string, std::string> engine_env(const Conf& session_conf);

}  // namespace kitsune::config
