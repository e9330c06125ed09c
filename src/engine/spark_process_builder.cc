// SPARK_SQL: spark-submit of Kyuubi's Spark SQL engine jar, with Kyuubi's --conf mapping,
// application tags, proxy user and keytab rules; and the spark-submit of a Spark batch job.
#include <chrono>
#include <ctime>
#include <fstream>
#include <regex>
#include <sstream>

#include "kitsune/common/strings.h"
#include "kitsune/config/conf_file.h"
#include "kitsune/config/keys.h"
#include "kitsune/engine/spark_batch.h"
#include "process_builder_common.h"

namespace kitsune::engine {
namespace {

namespace fs = std::filesystem;
namespace k = config::keys;
using builder::find;
using builder::Pairs;
using builder::put;

constexpr std::string_view kSparkMainClass = "org.apache.kyuubi.engine.spark.SparkSQLEngine";
constexpr std::string_view kTagKey = "kyuubi-unique-tag";

// Scala binary version of the Spark at `home`: SPARK_SCALA_VERSION, else the version in
// jars/spark-core_<v>-*.jar, else 2.12.
std::string scala_version(const LaunchContext& ctx, const fs::path& home) {
  if (auto v = builder::env_of(ctx, "SPARK_SCALA_VERSION")) return *v;
  static const std::regex core(R"(spark-core_(\d+\.\d+)-.*\.jar)");
  std::error_code ec;
  for (fs::directory_iterator it(home / "jars", ec), end; !ec && it != end; it.increment(ec)) {
    std::smatch m;
    const std::string name = it->path().filename().string();
    if (std::regex_match(name, m, core)) return m[1];
  }
  return "2.12";
}

// spark-defaults.conf's entries and its text (empty when there is none).
struct SparkDefaults {
  Pairs entries;
  std::string text;
};

Result<SparkDefaults> read_spark_defaults(const LaunchContext& ctx, const fs::path& home) {
  fs::path dir = home / "conf";
  if (auto d = builder::env_of(ctx, "SPARK_CONF_DIR")) dir = *d;
  const fs::path file = dir / "spark-defaults.conf";
  std::ifstream in(file, std::ios::binary);
  if (!in) return SparkDefaults{};
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = config::parse_properties(text.str());
  if (!parsed) return Status::error(file.string() + ": " + parsed.status().message());
  return SparkDefaults{std::move(parsed).value(), text.str()};
}

// The key an engine conf entry has on the spark-submit line.
std::string spark_key(const std::string& key) {
  if (key.starts_with("spark.")) return key;
  if (key.starts_with("hadoop.")) return "spark.hadoop." + key;
  return "spark." + key;
}

// {{YEAR}}, {{MONTH}}, {{DAY}} in spark.kubernetes.file.upload.path, as Kyuubi expands them.
std::string expand_date(std::string text) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char year[16], month[16], day[16];
  std::snprintf(year, sizeof year, "%04d", tm.tm_year + 1900);
  std::snprintf(month, sizeof month, "%02d", tm.tm_mon + 1);
  std::snprintf(day, sizeof day, "%02d", tm.tm_mday);
  for (auto [from, to] : {std::pair<std::string_view, std::string_view>{"{{YEAR}}", year},
                          {"{{MONTH}}", month},
                          {"{{DAY}}", day}}) {
    for (std::size_t pos; (pos = text.find(from)) != std::string::npos;)
      text.replace(pos, from.size(), to);
  }
  return text;
}

}  // namespace

Result<EngineCommand> build_spark_command(const LaunchRequest& request, const LaunchContext& ctx,
                                          const config::Redactor& redactor) {
  auto home = builder::engine_home(ctx, "SPARK_HOME", "spark");
  if (!home) return home.status();
  auto defaults = read_spark_defaults(ctx, *home);
  if (!defaults) return defaults.status();
  Pairs confs = request.conf;
  const std::string* configured_jar = find(confs, k::kEngineSparkMainResource.name());
  auto jar = builder::main_resource(ctx, configured_jar ? *configured_jar : std::string(), "spark",
                                    "kyuubi-spark-sql-engine", scala_version(ctx, *home));
  if (!jar) return jar.status();

  // Where the engine runs decides how it is tagged: from the session, else spark-defaults.conf.
  auto setting = [&](std::string_view key) -> std::string {
    if (const std::string* v = find(confs, key)) return *v;
    for (auto it = defaults->entries.rbegin(); it != defaults->entries.rend(); ++it) {
      if (it->first == key) return it->second;
    }
    return {};
  };
  const bool wait_completion = [&] {
    const std::string* v = find(confs, k::kSessionEngineStartupWaitCompletion.name());
    return !v || !iequals(trim(*v), "false");
  }();
  std::string master = setting("spark.master");
  const std::string deploy_mode = setting("spark.submit.deployMode");
  const auto k8s_host = builder::env_of(ctx, "KUBERNETES_SERVICE_HOST");
  const auto k8s_port = builder::env_of(ctx, "KUBERNETES_SERVICE_PORT");
  if (master.empty() && k8s_host && k8s_port) {
    master = "k8s://https://" + *k8s_host + ":" + *k8s_port;
    put(confs, "spark.master", master);
  }
  const bool yarn = master.starts_with("yarn");
  const bool k8s = master.starts_with("k8s");

  put(confs, "kyuubi.engine.engineLog.path", ctx.log_path.string());
  put(confs, "spark.app.name", request.engine_name, /*only_if_absent=*/true);
  if (yarn || !k8s) {
    const std::string* tags = find(confs, "spark.yarn.tags");
    const std::string ours = "KYUUBI," + request.ref_id;
    put(confs, "spark.yarn.tags", tags && !trim(*tags).empty() ? *tags + "," + ours : ours);
  }
  if (k8s || !yarn) {
    put(confs, "spark.kubernetes.driver.label." + std::string(kTagKey), request.ref_id);
  }
  if (yarn) {
    put(confs, "spark.yarn.maxAppAttempts", "1", /*only_if_absent=*/true);
    put(confs, "spark.yarn.submit.waitAppCompletion", wait_completion ? "true" : "false");
  }
  if (k8s) {
    put(confs, "spark.kubernetes.submission.waitAppCompletion", wait_completion ? "true" : "false");
    put(confs, "spark.kubernetes.executor.podNamePrefix", "kyuubi-" + request.ref_id,
        /*only_if_absent=*/true);
    if (deploy_mode == "cluster") {
      put(confs, "spark.kubernetes.driver.pod.name", "kyuubi-" + request.ref_id + "-driver",
          /*only_if_absent=*/true);
    }
    if (const std::string* upload = find(confs, "spark.kubernetes.file.upload.path")) {
      put(confs, "spark.kubernetes.file.upload.path", expand_date(*upload));
    }
    put(confs, "spark.kubernetes.driverEnv.SPARK_USER_NAME", request.user);
    put(confs, "spark.executorEnv.SPARK_USER_NAME", request.user);
  }
  std::sort(confs.begin(), confs.end());

  EngineCommand command;
  command.executable = *home / "bin" / "spark-submit";
  command.env = ctx.env;
  command.args = {"--class", std::string(kSparkMainClass)};
  std::string secret_properties;
  for (const auto& [key, value] : confs) {
    KITSUNE_RETURN_IF_ERROR(builder::check_pair(key, value));
    const std::string name = spark_key(key);
    if (redactor.is_secret(key) || redactor.is_secret(name)) {
      command.secret_keys.push_back(name);
      secret_properties += builder::properties_line(name, value);
      continue;
    }
    command.args.push_back("--conf");
    command.args.push_back(name + "=" + value);
  }
  if (!secret_properties.empty()) {
    // --properties-file replaces spark-defaults.conf, so its entries come along (first: the
    // secrets after them win, as --conf would).
    PrivateFile file{builder::private_path(request, ctx, "spark.properties"),
                     defaults->text + "\n" + secret_properties};
    command.args.push_back("--properties-file");
    command.args.push_back(file.path.string());
    command.private_files.push_back(std::move(file));
  }

  // A keytab whose principal is the user itself needs no proxy; else doAs impersonates.
  const std::string* principal = find(confs, "spark.kerberos.principal");
  const std::string* keytab = find(confs, "spark.kerberos.keytab");
  const bool own_keytab = principal && keytab && !principal->empty() && !keytab->empty() &&
                          builder::principal_short_name(*principal) == request.user;
  if (!own_keytab && request.do_as) {
    command.args.push_back("--proxy-user");
    command.args.push_back(request.user);
  }
  command.args.push_back(*jar);
  return command;
}

Result<EngineCommand> build_spark_batch_command(const SparkBatchRequest& request,
                                                const LaunchContext& ctx,
                                                const config::Redactor& redactor) {
  auto home = builder::engine_home(ctx, "SPARK_HOME", "spark");
  if (!home) return home.status();
  auto defaults = read_spark_defaults(ctx, *home);
  if (!defaults) return defaults.status();
  if (request.resource.empty()) return Status::error("a Spark batch needs a resource");
  for (const std::string* text : {&request.resource, &request.class_name, &request.user}) {
    if (text->find('\0') != std::string::npos) {
      return Status::error("cannot submit the batch: an argument contains a NUL character");
    }
  }
  for (const auto& arg : request.args) {
    if (arg.find('\0') != std::string::npos) {
      return Status::error("cannot submit the batch: an argument contains a NUL character");
    }
  }
  Pairs confs;
  for (const auto& [key, value] : request.conf)
    put(confs, key, value);

  // Where the application runs decides how it is tagged: the batch's conf, else
  // spark-defaults.conf (Kyuubi's clusterManager()).
  auto setting = [&](std::string_view key) -> std::string {
    if (const std::string* v = find(confs, key)) return *v;
    for (auto it = defaults->entries.rbegin(); it != defaults->entries.rend(); ++it) {
      if (it->first == key) return it->second;
    }
    return {};
  };
  std::string master = setting("spark.master");
  const std::string deploy_mode = setting("spark.submit.deployMode");
  const auto k8s_host = builder::env_of(ctx, "KUBERNETES_SERVICE_HOST");
  const auto k8s_port = builder::env_of(ctx, "KUBERNETES_SERVICE_PORT");
  if (master.empty() && k8s_host && k8s_port) {
    master = "k8s://https://" + *k8s_host + ":" + *k8s_port;
    put(confs, "spark.master", master);
  }
  const bool yarn = master.starts_with("yarn");
  const bool k8s = master.starts_with("k8s");
  if (yarn || !k8s) {
    const std::string* tags = find(confs, "spark.yarn.tags");
    const std::string ours = "KYUUBI," + request.batch_id;
    put(confs, "spark.yarn.tags", tags && !trim(*tags).empty() ? *tags + "," + ours : ours);
  }
  if (k8s || !yarn) {
    put(confs, "spark.kubernetes.driver.label." + std::string(kTagKey), request.batch_id);
  }
  if (k8s) {
    put(confs, "spark.kubernetes.executor.podNamePrefix", "kyuubi-" + request.batch_id,
        /*only_if_absent=*/true);
    if (deploy_mode == "cluster") {
      put(confs, "spark.kubernetes.driver.pod.name", "kyuubi-" + request.batch_id + "-driver",
          /*only_if_absent=*/true);
    }
    if (const std::string* upload = find(confs, "spark.kubernetes.file.upload.path")) {
      put(confs, "spark.kubernetes.file.upload.path", expand_date(*upload));
    }
  }
  // The batch's name wins over a spark.app.name in its conf, as in Kyuubi.
  if (!request.name.empty()) put(confs, "spark.app.name", request.name);
  put(confs, "kyuubi.engine.engineLog.path", ctx.log_path.string());
  std::sort(confs.begin(), confs.end());

  EngineCommand command;
  command.executable = *home / "bin" / "spark-submit";
  command.env = ctx.env;
  if (!request.class_name.empty()) command.args = {"--class", request.class_name};
  std::string secret_properties;
  for (const auto& [key, value] : confs) {
    KITSUNE_RETURN_IF_ERROR(builder::check_pair(key, value));
    const std::string name = spark_key(key);
    if (redactor.is_secret(key) || redactor.is_secret(name)) {
      command.secret_keys.push_back(name);
      secret_properties += builder::properties_line(name, value);
      continue;
    }
    command.args.push_back("--conf");
    command.args.push_back(name + "=" + value);
  }
  if (!secret_properties.empty()) {
    PrivateFile file{ctx.private_dir / (request.batch_id + ".spark.properties"),
                     defaults->text + "\n" + secret_properties};
    command.args.push_back("--properties-file");
    command.args.push_back(file.path.string());
    command.private_files.push_back(std::move(file));
  }
  const std::string* principal = find(confs, "spark.kerberos.principal");
  const std::string* keytab = find(confs, "spark.kerberos.keytab");
  const bool own_keytab = principal && keytab && !principal->empty() && !keytab->empty() &&
                          builder::principal_short_name(*principal) == request.user;
  if (!own_keytab && request.do_as) {
    command.args.push_back("--proxy-user");
    command.args.push_back(request.user);
  }
  command.args.push_back(request.resource);
  for (const auto& arg : request.args)
    command.args.push_back(arg);
  return command;
}

}  // namespace kitsune::engine
