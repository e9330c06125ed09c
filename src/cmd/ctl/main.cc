// kitsune-ctl: Kitsune's kyuubi-ctl. Reads the arguments and Kyuubi's configuration, runs one
// command against ZooKeeper or the REST API, and exits with a code scripts can use.
#include <csignal>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "kitsune/common/log.h"
#include "kitsune/config/conf.h"
#include "kitsune/config/conf_file.h"
#include "options.h"
#include "rest_commands.h"
#include "zk_commands.h"

namespace {

using namespace kitsune;
using namespace kitsune::ctl;
namespace fs = std::filesystem;

fs::path executable_dir() {
  std::error_code ec;
  auto self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return fs::current_path();
  return self.parent_path();
}

bool supported(Action action, Resource resource) {
  switch (resource) {
    case Resource::kServer:
      return action == Action::kCreate || action == Action::kGet || action == Action::kDelete ||
             action == Action::kList;
    case Resource::kEngine:
      return action == Action::kGet || action == Action::kDelete || action == Action::kList;
    case Resource::kBatch:
      return action != Action::kNone;
    case Resource::kSession:
      return action == Action::kList;
    case Resource::kNone:
      break;
  }
  return false;
}

int finish(const Outcome& outcome, const CtlOptions& o) {
  if (outcome.code != ExitCode::kOk || !outcome.message.empty()) {
    std::string message = outcome.message;
    while (!message.empty() && message.back() == '\n')
      message.pop_back();
    std::cerr << "kitsune-ctl: " << message << "\n";
    if (outcome.code == ExitCode::kUsage) std::cerr << "\n" << usage(o.action, o.resource);
  }
  return static_cast<int>(outcome.code);
}

int run(const std::vector<std::string>& args) {
  CtlOptions o;
  // -v/--version takes a value (the Kyuubi version of engine spaces); alone it asks for ours.
  if (args.size() == 1 && (args[0] == "--version" || args[0] == "-v")) {
    std::cout << "kitsune-ctl " KITSUNE_VERSION " (Kyuubi " KITSUNE_KYUUBI_VERSION " compatible)\n";
    return 0;
  }
  if (Outcome parsed = parse_args(args, o); parsed.code != ExitCode::kOk) return finish(parsed, o);
  if (o.help) {
    std::cout << usage(o.action, o.resource);
    return 0;
  }
  if (o.action == Action::kNone) {
    return finish(Outcome::usage("Must specify action command: [create|get|delete|list|log|"
                                 "submit]."),
                  o);
  }
  if (o.resource == Resource::kNone) {
    return finish(Outcome::usage("Must specify the resource: [server|engine|batch|session]."), o);
  }
  if (!supported(o.action, o.resource)) {
    Outcome refused = Outcome::usage("'" + std::string(to_string(o.action)) + " " +
                                     std::string(to_string(o.resource)) + "' is not a command");
    o.resource = Resource::kNone;  // show the action's commands
    return finish(refused, o);
  }
  init_logging(o.verbose ? "debug" : "warn");

  config::Conf overrides;
  for (const auto& [key, value] : o.conf)
    overrides.set(key, value);
  std::optional<fs::path> flag;
  if (o.conf_dir) flag = fs::path(*o.conf_dir);
  const auto conf_dir = config::resolve_conf_dir(flag, executable_dir());
  auto loaded = config::load_server_config(conf_dir, overrides);
  if (!loaded) {
    return finish(Outcome::usage("invalid configuration: " + loaded.status().message()), o);
  }
  auto log = logger("ctl");
  log->debug("configuration from {}", loaded->conf_dir.empty() ? std::string("built-in defaults")
                                                               : loaded->conf_dir.string());
  for (const auto& warning : loaded->warnings)
    log->debug("{}", warning);

  const config::Conf& conf = loaded->conf;
  const bool zookeeper = o.resource == Resource::kServer || o.resource == Resource::kEngine;
  return finish(zookeeper ? run_zookeeper_command(o, conf) : run_rest_command(o, conf), o);
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i)
    args.emplace_back(argv[i]);
  try {
    return run(args);
  } catch (const std::exception& e) {
    std::cerr << "kitsune-ctl: internal error: " << e.what() << "\n";
    return 1;
  }
}
