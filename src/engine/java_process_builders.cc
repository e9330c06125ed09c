// FLINK_SQL, TRINO and HIVE_SQL: Kyuubi's JVM engines (and Flink's yarn-application submit), with
// the class paths, main classes and --conf pairs Kyuubi's process builders give them.
#include <algorithm>

#include "kitsune/common/strings.h"
#include "kitsune/config/keys.h"
#include "process_builder_common.h"

namespace kitsune::engine {
namespace {

namespace fs = std::filesystem;
namespace k = config::keys;
using builder::env_of;
using builder::find;
using builder::Pairs;
using builder::put;

constexpr std::string_view kScalaVersion = "2.12";

template <typename T>
std::string value_or_default(const Pairs& confs, const config::Key<T>& key) {
  if (const std::string* v = find(confs, key.name())) return *v;
  return std::string(key.def->default_value);
}

// Joins the non-empty parts with ':'.
std::string class_path(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += ':';
    out += p;
  }
  return out;
}

// The jars of $FLINK_HOME/opt the engine needs (the SQL client and gateway), sorted.
std::vector<std::string> flink_opt_jars(const fs::path& home) {
  std::vector<std::string> jars;
  std::error_code ec;
  for (fs::directory_iterator it(home / "opt", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if ((name.starts_with("flink-sql-client") || name.starts_with("flink-sql-gateway")) &&
        name.ends_with(".jar")) {
      jars.push_back(it->path().string());
    }
  }
  std::sort(jars.begin(), jars.end());
  return jars;
}

// The jar's directory with "/*", the class path form of "every jar beside it".
std::string jar_dir_glob(const std::string& jar) {
  const fs::path dir = fs::path(jar).parent_path();
  return (dir.empty() ? fs::path(".") : dir).string() + "/*";
}

// Kyuubi's rule for Hive engines: kyuubi.engine.principal and .keytab both or neither, and the
// principal must be the user the engine runs for.
Status check_engine_keytab(const LaunchRequest& request, const Pairs& confs) {
  const std::string* principal = find(confs, k::kEnginePrincipal.name());
  const std::string* keytab = find(confs, k::kEngineKeytab.name());
  const bool has_principal = principal && !principal->empty();
  const bool has_keytab = keytab && !keytab->empty();
  if (has_principal != has_keytab) {
    return Status::error(
        "kyuubi.engine.principal and kyuubi.engine.keytab must be set together or not at all");
  }
  if (has_principal && builder::principal_short_name(*principal) != request.user) {
    return Status::error("the engine principal " + *principal + " is not the user " + request.user +
                         " the engine is launched for");
  }
  return Status::ok();
}

Result<EngineCommand> flink_yarn_application(const LaunchRequest& request, const LaunchContext& ctx,
                                             const config::Redactor& redactor, const fs::path& home,
                                             const std::string& jar, Pairs confs) {
  std::vector<std::string> ship = flink_opt_jars(home);
  for (auto& extra : split(value_or_default(confs, k::kEngineFlinkApplicationJars), ','))
    ship.push_back(std::move(extra));
  if (auto hive_conf = env_of(ctx, "HIVE_CONF_DIR")) {
    ship.push_back((fs::path(*hive_conf) / "hive-site.xml").string());
  }
  std::string app_name = request.engine_name;
  if (const std::string* v = find(confs, "flink.yarn.application.name")) {
    app_name = *v;
  } else if (const std::string* n = find(confs, "flink.app.name")) {
    app_name = *n;
  }
  std::string tags = "KYUUBI," + request.ref_id;
  if (const std::string* v = find(confs, "flink.yarn.tags"); v && !trim(*v).empty()) {
    tags = *v + "," + tags;
  }

  EngineCommand command;
  command.executable = home / "bin" / "flink";
  command.env = ctx.env;
  command.args = {"run-application",
                  "-t",
                  "yarn-application",
                  "-Dyarn.ship-files=" + join(ship, ";"),
                  "-Dyarn.application.name=" + app_name,
                  "-Dyarn.tags=" + tags,
                  "-Dcontainerized.master.env.FLINK_CONF_DIR=."};
  if (env_of(ctx, "HIVE_CONF_DIR")) {
    command.args.push_back("-Dcontainerized.master.env.HIVE_CONF_DIR=.");
  }
  for (const auto& [key, value] : confs) {
    if (!key.starts_with("flink.") || key == "flink.yarn.tags" ||
        key == "flink.yarn.application.name") {
      continue;
    }
    KITSUNE_RETURN_IF_ERROR(builder::check_pair(key, value));
    if (redactor.is_secret(key)) {
      // Flink's CLI has no file for dynamic properties: a secret here cannot be kept off the
      // command line, so it is refused rather than exposed.
      return Status::error("cannot launch the FLINK_SQL engine in yarn-application mode: " + key +
                           " is a secret and would be on the flink command line");
    }
    command.args.push_back("-D" + key.substr(6) + "=" + value);
  }
  command.args.insert(command.args.end(), {"-c", "org.apache.kyuubi.engine.flink.FlinkSQLEngine",
                                           jar, "--conf", "kyuubi.session.user=" + request.user});
  for (const auto& [key, value] : confs) {
    if (!key.starts_with("kyuubi.") || key == "kyuubi.session.user") continue;
    KITSUNE_RETURN_IF_ERROR(builder::check_pair(key, value));
    if (redactor.is_secret(key)) {
      return Status::error("cannot launch the FLINK_SQL engine in yarn-application mode: " + key +
                           " is a secret and would be on the flink command line");
    }
    command.args.push_back("--conf");
    command.args.push_back(key + "=" + value);
  }
  return command;
}

}  // namespace

Result<EngineCommand> build_flink_command(const LaunchRequest& request, const LaunchContext& ctx,
                                          const config::Redactor& redactor) {
  auto home = builder::engine_home(ctx, "FLINK_HOME", "flink");
  if (!home) return home.status();
  Pairs confs = request.conf;
  put(confs, "flink.app.name", request.engine_name, /*only_if_absent=*/true);
  std::sort(confs.begin(), confs.end());
  const std::string* configured = find(confs, k::kEngineFlinkMainResource.name());
  auto jar = builder::main_resource(ctx, configured ? *configured : std::string(), "flink",
                                    "kyuubi-flink-sql-engine", kScalaVersion);
  if (!jar) return jar.status();

  LaunchContext engine_ctx = ctx;
  const std::string conf_dir = env_of(ctx, "FLINK_CONF_DIR").value_or((*home / "conf").string());
  engine_ctx.env["FLINK_CONF_DIR"] = conf_dir;
  const std::string* do_as = find(confs, k::kEngineFlinkDoAsEnabled.name());
  if (do_as && iequals(trim(*do_as), "true")) engine_ctx.env["HADOOP_PROXY_USER"] = request.user;

  const std::string* target = find(confs, "flink.execution.target");
  if (target && trim(*target) == "yarn-application") {
    return flink_yarn_application(request, engine_ctx, redactor, *home, *jar, std::move(confs));
  }
  std::vector<std::string> parts{*jar};
  for (auto& j : flink_opt_jars(*home))
    parts.push_back(std::move(j));
  parts.push_back((*home / "lib" / "*").string());
  parts.push_back(conf_dir);
  for (const char* var : {"HADOOP_CONF_DIR", "YARN_CONF_DIR", "HBASE_CONF_DIR", "HIVE_CONF_DIR"})
    parts.push_back(env_of(ctx, var).value_or(""));
  parts.push_back(value_or_default(confs, k::kEngineFlinkExtraClasspath));
  parts.push_back(env_of(ctx, "FLINK_HADOOP_CLASSPATH").value_or(""));
  return builder::java_engine_command(
      request, engine_ctx, redactor, value_or_default(confs, k::kEngineFlinkMemory),
      value_or_default(confs, k::kEngineFlinkJavaOptions), class_path(parts),
      "org.apache.kyuubi.engine.flink.FlinkSQLEngine", {}, confs);
}

Result<EngineCommand> build_trino_command(const LaunchRequest& request, const LaunchContext& ctx,
                                          const config::Redactor& redactor) {
  Pairs confs = request.conf;
  std::sort(confs.begin(), confs.end());
  for (const auto* key : {&k::kEngineTrinoConnectionUrl, &k::kEngineTrinoConnectionCatalog}) {
    const std::string* v = find(confs, key->name());
    if (!v || trim(*v).empty()) {
      return Status::error("the TRINO engine needs " + std::string(key->name()));
    }
  }
  const std::string* configured = find(confs, k::kEngineTrinoMainResource.name());
  auto jar = builder::main_resource(ctx, configured ? *configured : std::string(), "trino",
                                    "kyuubi-trino-engine", kScalaVersion);
  if (!jar) return jar.status();
  const std::string cp = class_path(
      {*jar, jar_dir_glob(*jar), value_or_default(confs, k::kEngineTrinoExtraClasspath)});
  return builder::java_engine_command(request, ctx, redactor,
                                      value_or_default(confs, k::kEngineTrinoMemory),
                                      value_or_default(confs, k::kEngineTrinoJavaOptions), cp,
                                      "org.apache.kyuubi.engine.trino.TrinoSqlEngine", {}, confs);
}

Result<EngineCommand> build_hive_command(const LaunchRequest& request, const LaunchContext& ctx,
                                         const config::Redactor& redactor) {
  Pairs confs = request.conf;
  put(confs, "hive.engine.name", request.engine_name, /*only_if_absent=*/true);
  std::sort(confs.begin(), confs.end());
  const std::string mode = to_upper(trim(value_or_default(confs, k::kEngineHiveDeployMode)));
  if (mode != "LOCAL") {
    return Status::unsupported("kyuubi.engine.hive.deploy.mode=" + mode +
                               " is not supported by Kitsune; use LOCAL");
  }
  KITSUNE_RETURN_IF_ERROR(check_engine_keytab(request, confs));
  auto home = builder::engine_home(ctx, "HIVE_HOME", "hive");
  if (!home) return home.status();
  const std::string* configured = find(confs, k::kEngineHiveMainResource.name());
  auto jar = builder::main_resource(ctx, configured ? *configured : std::string(), "hive",
                                    "kyuubi-hive-sql-engine", kScalaVersion);
  if (!jar) return jar.status();
  const std::string cp = class_path({
      *jar,
      env_of(ctx, "HIVE_CONF_DIR").value_or((*home / "conf").string()),
      env_of(ctx, "HADOOP_CONF_DIR").value_or(""),
      env_of(ctx, "YARN_CONF_DIR").value_or(""),
      (*home / "lib" / "*").string(),
      env_of(ctx, "HIVE_HADOOP_CLASSPATH").value_or(""),
      value_or_default(confs, k::kEngineHiveExtraClasspath),
  });
  const Pairs leading{{"kyuubi.engine.id", request.ref_id}};
  return builder::java_engine_command(
      request, ctx, redactor, value_or_default(confs, k::kEngineHiveMemory),
      value_or_default(confs, k::kEngineHiveJavaOptions), cp,
      "org.apache.kyuubi.engine.hive.HiveSQLEngine", leading, confs);
}

}  // namespace kitsune::engine
