// What the process builders share: engine homes, Kyuubi's engine jars, JVM command pieces,
// secret splitting. Private to src/engine.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"
#include "kitsune/engine/process_builder.h"

namespace kitsune::engine::builder {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// A variable of the engine's environment, when set and not empty.
std::optional<std::string> env_of(const LaunchContext& ctx, const std::string& name);

// <SHORT>_HOME (SPARK_HOME, FLINK_HOME, HIVE_HOME): the environment (kyuubi.engineEnv.* included),
// else $KYUUBI_HOME/externals/kyuubi-download/target/<short>-*; else Kyuubi's error.
Result<std::filesystem::path> engine_home(const LaunchContext& ctx, std::string_view var,
                                          std::string_view short_name);

// Kyuubi's engine jar: kyuubi.session.engine.<short>.main.resource when set (a local file must
// exist; other URIs are taken as they are), else
// $KYUUBI_HOME/externals/engines/<short>/<module>_<scala>-<version>.jar, else
// $KYUUBI_HOME/externals/<module>/target/<same jar>.
Result<std::string> main_resource(const LaunchContext& ctx, const std::string& configured,
                                  std::string_view short_name, std::string_view module,
                                  std::string_view scala_version);

// $JAVA_HOME/bin/java.
Result<std::filesystem::path> java_executable(const LaunchContext& ctx);

// JVM options as a shell would split them (blanks separate, quotes group, no expansion).
std::vector<std::string> split_options(std::string_view text);

// The value of `key` among `pairs`, if present.
const std::string* find(const Pairs& pairs, std::string_view key);
// Sets `key` (replacing) or adds it when absent; `only_if_absent` keeps an existing value.
void put(Pairs& pairs, std::string key, std::string value, bool only_if_absent = false);

// A configuration line of a Java properties file (keys and values escaped as
// java.util.Properties reads them).
std::string properties_line(std::string_view key, std::string_view value);

// A Java @argfile holding `args`, each quoted so that the launcher reads it back unchanged.
std::string java_argfile(const std::vector<std::string>& args);

// The path of a private file of this launch: <private_dir>/<ref id>.<suffix>.
std::filesystem::path private_path(const LaunchRequest& request, const LaunchContext& ctx,
                                   std::string_view suffix);

// A Kerberos principal's short name (its first component), as the keytab rule compares it.
std::string principal_short_name(std::string_view principal);

// Refuses a key or value that cannot travel as one argument (NUL) or one --conf pair ('=' in
// the key).
Status check_pair(const std::string& key, const std::string& value);

// The JVM-engine command: java -Xmx<memory> <java options> -cp <classpath> <main class> --conf
// kyuubi.session.user=<user> [extra leading confs] --conf k=v... When some keys are secret, the
// main class and every --conf go to a private @argfile instead, so that no secret is on the
// command line (the JVM reads the file; `ps` shows only its name).
Result<EngineCommand> java_engine_command(const LaunchRequest& request, const LaunchContext& ctx,
                                          const config::Redactor& redactor,
                                          const std::string& memory,
                                          const std::string& java_options,
                                          const std::string& classpath, std::string_view main_class,
                                          const Pairs& leading, const Pairs& confs);

}  // namespace kitsune::engine::builder
