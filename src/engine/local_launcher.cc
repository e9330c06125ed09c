// The LOCAL launcher: kitsune-engine with the request's conf pairs on its command line, secret
// ones passed privately through the environment, in the request's working dir.
#include "kitsune/engine/launcher.h"

#include <unistd.h>

#include <map>

#include "engine_process.h"
#include "kitsune/common/log.h"
#include "kitsune/config/keys.h"
#include "kitsune/engine/process_builder.h"

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace kitsune::engine {
namespace {

namespace fs = std::filesystem;
namespace k = config::keys;
using namespace std::string_view_literals;

// kitsune-engine reads this at startup, adds its "key=value" lines to its conf and unsets it.
constexpr std::string_view kSecretConfEnv = "KITSUNE_ENGINE_SECRET_CONF";

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct Command {
  Pairs args;     // on the command line
  Pairs secrets;  // in kSecretConfEnv
};

const config::Redactor& redactor_of(const LaunchRequest& request) {
  static const config::Redactor fallback{std::string(k::kServerRedactionRegex.def->default_value)};
  return request.redactor ? *request.redactor : fallback;
}

// The request's pairs plus the launch contract's own keys (unless the request set them), split
// into what may be seen by anyone on this host and what may not.
Command command_of(const LaunchRequest& request, const std::string& bind_host) {
  Pairs pairs = request.conf;
  auto add_default = [&pairs](std::string_view key, const std::string& value) {
    for (const auto& [k, v] : pairs) {
      if (k == key) return;
    }
    pairs.emplace_back(std::string(key), value);
  };
  if (!bind_host.empty()) add_default(k::kFrontendThriftBinaryBindHost.name(), bind_host);
  add_default(k::kFrontendThriftBinaryBindPort.name(), "0");
  add_default(k::kSessionUser.name(), request.user);
  add_default(k::kHaEngineRefId.name(), request.ref_id);
  add_default(k::kEngineName.name(), request.engine_name);

  const config::Redactor& redactor = redactor_of(request);
  Command command;
  for (auto& pair : pairs) {
    (redactor.is_secret(pair.first) ? command.secrets : command.args).push_back(std::move(pair));
  }
  return command;
}

// Quotes an argument for a shell when it needs it, so that a logged command reads unambiguously.
std::string shell_quote(std::string_view arg) {
  const bool plain = !arg.empty() && arg.find_first_not_of(
                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789_-./:=,@%+") == std::string_view::npos;
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

Status check_pair(const std::string& key, const std::string& value) {
  if (key.empty() || key.find('=') != std::string::npos) {
    return Status::error("cannot launch the engine: bad configuration key '" + key + "'");
  }
  if (key.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
    return Status::error("cannot launch the engine: the value of " + key +
                         " contains a NUL character");
  }
  return Status::ok();
}

// The server's environment, the request's additions and the secret conf.
Result<std::vector<std::string>> environment_of(const LaunchRequest& request,
                                                const Pairs& secrets) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view entry(*e);
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  env.erase(std::string(kSecretConfEnv));
  for (const auto& [name, value] : request.env) {
    if (name == kSecretConfEnv) {
      // It would inject configuration past every filter of the gateway.
      logger("engine")->warn("engine environment variable {} is reserved; dropped", name);
      continue;
    }
    if (name.empty() || name.find_first_of("=\0"sv) != std::string::npos ||
        value.find('\0') != std::string::npos) {
      return Status::error("cannot launch the engine: bad environment variable '" + name + "'");
    }
    env[name] = value;
  }
  if (!secrets.empty()) {
    std::string text;
    for (const auto& [key, value] : secrets) {
      if (key.find('\n') != std::string::npos || value.find('\n') != std::string::npos) {
        return Status::error("cannot launch the engine: the value of " + key +
                             " contains a line break, which a secret passed to a LOCAL engine "
                             "cannot have");
      }
      text += key + "=" + value + "\n";
    }
    env[std::string(kSecretConfEnv)] = std::move(text);
  }
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [name, value] : env)
    out.push_back(name + "=" + value);
  return out;
}

class LocalLauncher final : public Launcher {
 public:
  LocalLauncher(asio::io_context& io, fs::path executable, std::string bind_host,
                std::string engine_type)
      : io_(io),
        executable_(std::move(executable)),
        bind_host_(std::move(bind_host)),
        engine_type_(std::move(engine_type)) {}

  std::string_view engine_type() const override { return engine_type_; }

  Result<std::shared_ptr<EngineProcess>> launch(const LaunchRequest& request) override {
    Command command = command_of(request, bind_host_);
    ProcessSpec spec;
    for (const auto& [key, value] : command.args) {
      KITSUNE_RETURN_IF_ERROR(check_pair(key, value));
      spec.args.push_back("--conf");
      spec.args.push_back(key + "=" + value);
    }
    for (const auto& [key, value] : command.secrets) {
      KITSUNE_RETURN_IF_ERROR(check_pair(key, value));
    }
    auto env = environment_of(request, command.secrets);
    if (!env) return env.status();
    spec.env = std::move(env).value();
    spec.executable = executable_;
    spec.work_dir = request.work_dir;
    spec.log_prefix = std::string(engine_log_prefix(engine_type_));
    spec.log_timeout = request.log_timeout;
    spec.destroy_timeout = request.destroy_timeout;
    spec.max_log_lines = request.max_log_lines;
    spec.error_max_size = request.error_max_size;
    spec.die_with_parent = request.die_with_parent;
    logger("engine")->info("launching a {} engine for {} (ref id {}): {}", engine_type_,
                           request.user, request.ref_id, describe(request));
    return start_engine_process(io_, std::move(spec));
  }

  std::string describe(const LaunchRequest& request) const override {
    const Command command = command_of(request, bind_host_);
    std::string out = shell_quote(executable_.string());
    for (const auto& [key, value] : command.args) {
      out += " --conf ";
      out += shell_quote(key + "=" + value);
    }
    if (!command.secrets.empty()) {
      out += " (and " + std::to_string(command.secrets.size()) + " secret key" +
             (command.secrets.size() == 1 ? "" : "s") + " passed privately:";
      for (const auto& [key, value] : command.secrets) {
        out += " " + key + "=" + std::string(config::Redactor::kRedacted);
      }
      out += ")";
    }
    return out;
  }

 private:
  asio::io_context& io_;
  const fs::path executable_;
  const std::string bind_host_;
  const std::string engine_type_;
};

}  // namespace

std::unique_ptr<Launcher> make_local_launcher(asio::io_context& io,
                                              std::filesystem::path executable,
                                              std::string bind_host, std::string engine_type) {
  return std::make_unique<LocalLauncher>(io, std::move(executable), std::move(bind_host),
                                         std::move(engine_type));
}

}  // namespace kitsune::engine
