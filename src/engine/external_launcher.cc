// The launcher of Kyuubi's external engines (SPARK_SQL, FLINK_SQL, TRINO, HIVE_SQL): a process
// builder's command, started in the user's work dir with its log, its secrets in private files.
#include <unistd.h>

#include "engine_process.h"
#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "kitsune/config/keys.h"
#include "kitsune/engine/process_builder.h"

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace kitsune::engine {
namespace {

namespace fs = std::filesystem;
namespace k = config::keys;

using Builder = Result<EngineCommand> (*)(const LaunchRequest&, const LaunchContext&,
                                          const config::Redactor&);

// The variable kitsune-engine reads its secrets from: an external engine has no use for it, and
// it must not inject configuration past the gateway's filters.
constexpr std::string_view kSecretConfEnv = "KITSUNE_ENGINE_SECRET_CONF";

// Quotes an argument for a shell when it needs it, so that a logged command reads unambiguously.
std::string shell_quote(std::string_view arg) {
  const bool plain = !arg.empty() && arg.find_first_not_of(
                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789_-./:=,@%+*") == std::string_view::npos;
  if (plain) return std::string(arg);
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

const config::Redactor& redactor_of(const LaunchRequest& request) {
  static const config::Redactor fallback{std::string(k::kServerRedactionRegex.def->default_value)};
  return request.redactor ? *request.redactor : fallback;
}

std::map<std::string, std::string> environment_of(const LaunchRequest& request) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view entry(*e);
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  for (const auto& [name, value] : request.env)
    env[name] = value;
  env.erase(std::string(kSecretConfEnv));
  return env;
}

Status check_environment(const std::map<std::string, std::string>& env) {
  for (const auto& [name, value] : env) {
    if (name.empty() || name.find('=') != std::string::npos ||
        name.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
      return Status::error("cannot launch the engine: bad environment variable '" + name + "'");
    }
  }
  return Status::ok();
}

class ExternalLauncher final : public Launcher {
 public:
  ExternalLauncher(asio::io_context& io, std::string type, Builder builder,
                   ExternalLauncherOptions options)
      : io_(io), type_(std::move(type)), builder_(builder), options_(std::move(options)) {}

  std::string_view engine_type() const override { return type_; }

  Result<std::shared_ptr<EngineProcess>> launch(const LaunchRequest& request) override {
    if (!options_.unavailable.empty()) return Status::unavailable(options_.unavailable);
    const config::Redactor& redactor = redactor_of(request);
    LaunchContext ctx = context_of(request);
    // Fails early, before a log file exists, when the command cannot be built at all.
    if (auto probe = builder_(request, ctx, redactor); !probe) return probe.status();

    ProcessSpec spec;
    spec.work_dir = request.work_dir;
    spec.log_prefix = std::string(engine_log_prefix(type_));
    spec.log_timeout = request.log_timeout;
    spec.destroy_timeout = request.destroy_timeout;
    spec.max_log_lines = request.max_log_lines;
    spec.error_max_size = request.error_max_size;
    spec.die_with_parent = request.die_with_parent;
    auto complete = [this, request, ctx](const fs::path& log_path, ProcessSpec& out) -> Status {
      LaunchContext with_log = ctx;
      with_log.log_path = log_path;
      const config::Redactor& r = redactor_of(request);
      auto command = builder_(request, with_log, r);
      if (!command) return command.status();
      KITSUNE_RETURN_IF_ERROR(check_environment(command->env));
      logger("engine")->info("launching a {} engine for {} (ref id {}): {}", type_, request.user,
                             request.ref_id, describe_command(*command, r));
      out.executable = command->executable;
      out.args = std::move(command->args);
      out.env.clear();
      for (const auto& [name, value] : command->env)
        out.env.push_back(name + "=" + value);
      out.private_files = std::move(command->private_files);
      return Status::ok();
    };
    spec.complete = std::move(complete);
    return start_engine_process(io_, std::move(spec));
  }

  std::string describe(const LaunchRequest& request) const override {
    const config::Redactor& redactor = redactor_of(request);
    LaunchContext ctx = context_of(request);
    ctx.log_path = request.work_dir / (std::string(engine_log_prefix(type_)) + ".<N>");
    auto command = builder_(request, ctx, redactor);
    if (!command)
      return "(cannot build the " + type_ + " command: " + command.status().message() + ")";
    return describe_command(*command, redactor);
  }

 private:
  LaunchContext context_of(const LaunchRequest& request) const {
    LaunchContext ctx;
    ctx.env = environment_of(request);
    ctx.kyuubi_home = options_.kyuubi_home;
    if (auto it = ctx.env.find("KYUUBI_HOME"); it != ctx.env.end() && !it->second.empty()) {
      ctx.kyuubi_home = it->second;
    }
    ctx.kyuubi_version = options_.kyuubi_version;
    ctx.private_dir = request.work_dir / ".kitsune-private";
    return ctx;
  }

  asio::io_context& io_;
  const std::string type_;
  const Builder builder_;
  const ExternalLauncherOptions options_;
};

}  // namespace

std::string_view engine_log_prefix(std::string_view engine_type) {
  if (engine_type == "SPARK_SQL") return "kyuubi-spark-sql-engine.log";
  if (engine_type == "FLINK_SQL") return "kyuubi-flink-sql-engine.log";
  if (engine_type == "TRINO") return "kyuubi-trino-engine.log";
  if (engine_type == "HIVE_SQL") return "kyuubi-hive-sql-engine.log";
  if (engine_type == "JDBC") return "kyuubi-jdbc-engine.log";
  return "kitsune-engine.log";
}

std::string describe_command(const EngineCommand& command, const config::Redactor& redactor) {
  // Redacts "key=value" (also "-Dkey=value") arguments whose key is secret, as Kyuubi does.
  auto redact = [&redactor](const std::string& arg) -> std::string {
    const auto eq = arg.find('=');
    if (eq == std::string::npos) return arg;
    std::string_view key(arg.data(), eq);
    if (key.starts_with("-D")) key.remove_prefix(2);
    if (!redactor.is_secret(key)) return arg;
    return arg.substr(0, eq + 1) + std::string(config::Redactor::kRedacted);
  };
  std::string out = shell_quote(command.executable.string());
  for (const auto& arg : command.args) {
    out += ' ';
    out += shell_quote(redact(arg));
  }
  if (!command.secret_keys.empty()) {
    out += " (secrets passed in a private file: " + join(command.secret_keys, ", ") + ")";
  }
  return out;
}

std::unique_ptr<Launcher> make_external_launcher(asio::io_context& io, std::string engine_type,
                                                 ExternalLauncherOptions options) {
  Builder builder = nullptr;
  if (engine_type == "SPARK_SQL") builder = &build_spark_command;
  if (engine_type == "FLINK_SQL") builder = &build_flink_command;
  if (engine_type == "TRINO") builder = &build_trino_command;
  if (engine_type == "HIVE_SQL") builder = &build_hive_command;
  if (!builder) return nullptr;
  return std::make_unique<ExternalLauncher>(io, std::move(engine_type), builder,
                                            std::move(options));
}

}  // namespace kitsune::engine
