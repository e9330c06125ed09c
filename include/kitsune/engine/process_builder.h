// Process builders: the command line, environment and private files that start an external
// engine (Kyuubi's Spark, Flink, Trino and Hive engines) exactly as Kyuubi's process builders do.
// Pure functions of their inputs, so that the command lines can be checked against Kyuubi's.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"
#include "kitsune/engine/launcher.h"

namespace kitsune::engine {

// What a builder knows besides the request: the world outside the configuration.
struct LaunchContext {
  // The engine's whole environment: the server's own plus kyuubi.engineEnv.* (those win).
  std::map<std::string, std::string> env;
  // $KYUUBI_HOME: where Kyuubi's engine jars are looked up (externals/engines/<short>/).
  std::filesystem::path kyuubi_home;
  // The Kyuubi version in engine jar names (kyuubi-spark-sql-engine_2.12-<version>.jar).
  std::string kyuubi_version;
  // The log file the engine will write (kyuubi.engine.engineLog.path for Spark).
  std::filesystem::path log_path;
  // Where private files (secrets) go: a directory only the server's user can read.
  std::filesystem::path private_dir;
};

// A file written (mode 0600) before the engine starts and removed once it has exited: how
// secrets reach an engine without its command line.
struct PrivateFile {
  std::filesystem::path path;
  std::string content;
};

struct EngineCommand {
  std::filesystem::path executable;
  std::vector<std::string> args;           // after argv[0]
  std::map<std::string, std::string> env;  // the whole environment of the process
  std::vector<PrivateFile> private_files;  // written before, removed after
  std::vector<std::string> secret_keys;    // keys whose values went to private files
};

// The file name prefix of an engine type's log in its working dir (kyuubi-spark-sql-engine.log).
std::string_view engine_log_prefix(std::string_view engine_type);

// SPARK_SQL: $SPARK_HOME/bin/spark-submit --class ...SparkSQLEngine --conf spark.<k>=<v>...
// [--proxy-user <user>] <engine jar>. Secret keys go to a --properties-file (with
// spark-defaults.conf's entries, which that option would otherwise hide).
Result<EngineCommand> build_spark_command(const LaunchRequest& request, const LaunchContext& ctx,
                                          const config::Redactor& redactor);
// FLINK_SQL: `flink run-application -t yarn-application ...` when flink.execution.target is
// yarn-application, else a JVM running ...FlinkSQLEngine on this host.
Result<EngineCommand> build_flink_command(const LaunchRequest& request, const LaunchContext& ctx,
                                          const config::Redactor& redactor);
// TRINO: a JVM running ...TrinoSqlEngine; needs the Trino connection URL and catalog.
Result<EngineCommand> build_trino_command(const LaunchRequest& request, const LaunchContext& ctx,
                                          const config::Redactor& redactor);
// HIVE_SQL (deploy mode LOCAL): a JVM running ...HiveSQLEngine.
Result<EngineCommand> build_hive_command(const LaunchRequest& request, const LaunchContext& ctx,
                                         const config::Redactor& redactor);

// The command as a shell would read it, values of secret keys redacted (as Kyuubi logs it).
std::string describe_command(const EngineCommand& command, const config::Redactor& redactor);

struct ExternalLauncherOptions {
  std::filesystem::path kyuubi_home;  // $KYUUBI_HOME unless the environment says otherwise
  std::string kyuubi_version;         // of the engine jars
  // When set, every launch fails with it (these engines register in ZooKeeper by themselves, so
  // without ZooKeeper the gateway could never find them).
  std::string unavailable;
};

// A launcher of one external engine type (SPARK_SQL, FLINK_SQL, TRINO, HIVE_SQL) on this host:
// builds the command with the matching builder and starts it in the request's work dir. Null
// for any other type.
std::unique_ptr<Launcher> make_external_launcher(asio::io_context& io, std::string engine_type,
                                                 ExternalLauncherOptions options);

}  // namespace kitsune::engine
