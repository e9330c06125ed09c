// kitsune-server: the gateway daemon. Reads Kyuubi's configuration, serves TCLIService, routes
// sessions to engines it finds or launches, and drains on SIGTERM.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include <boost/asio/signal_set.hpp>

#include "kitsune/auth/authenticator.h"
#include "kitsune/common/asio.h"
#include "kitsune/common/blocking_pool.h"
#include "kitsune/common/io_shards.h"
#include "kitsune/common/log.h"
#include "kitsune/common/process_limits.h"
#include "kitsune/common/strings.h"
#include "kitsune/config/conf.h"
#include "kitsune/config/conf_file.h"
#include "kitsune/discovery/discovery.h"
#include "kitsune/engine/engine_manager.h"
#include "kitsune/engine/launcher.h"
#include "kitsune/frontend/thrift_binary_frontend.h"
#include "kitsune/routing/groups.h"
#include "kitsune/session/gateway_service.h"

namespace {

using namespace kitsune;
namespace fs = std::filesystem;
namespace k = config::keys;

constexpr const char* kUsage =
    "usage: kitsune-server [--conf-dir DIR] [--conf key=value]...\n"
    "\n"
    "The Kitsune gateway: HiveServer2 (TCLIService) clients connect to it; it routes each\n"
    "session to an engine by share level, launching engines as needed.\n"
    "\n"
    "  --conf-dir DIR   directory of kyuubi-defaults.conf (default: $KYUUBI_CONF_DIR, else\n"
    "                   the conf/ directory of the installation)\n"
    "  --conf k=v       a configuration entry; wins over the file\n"
    "  --version        print the version\n";

fs::path executable_dir() {
  std::error_code ec;
  auto self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return fs::current_path();
  return self.parent_path();
}

int run(const std::vector<std::string>& args) {
  std::vector<std::string> rest;
  auto overrides = config::Conf::from_args(args, &rest);
  std::optional<fs::path> conf_dir;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const std::string& a = rest[i];
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (a == "--version") {
      std::cout << "kitsune-server " << KITSUNE_VERSION << " (Kyuubi " << KITSUNE_KYUUBI_VERSION
                << " compatible)\n";
      return 0;
    }
    if (a == "--conf-dir" && i + 1 < rest.size()) {
      conf_dir = fs::path(rest[++i]);
    } else if (a.starts_with("--conf-dir=")) {
      conf_dir = fs::path(a.substr(11));
    } else {
      std::cerr << "kitsune-server: unexpected argument '" << a << "'\n" << kUsage;
      return 2;
    }
  }
  if (!overrides) {
    std::cerr << "kitsune-server: " << overrides.status().message() << "\n" << kUsage;
    return 2;
  }
  const fs::path bin_dir = executable_dir();
  if (!conf_dir) conf_dir = config::default_conf_dir(bin_dir);
  auto loaded = config::load_server_config(conf_dir, *overrides);
  if (!loaded) {
    std::cerr << "kitsune-server: invalid configuration: " << loaded.status().message() << "\n";
    return 2;
  }
  auto server_config = std::make_shared<config::ServerConfig>(std::move(loaded).value());
  config::Conf& conf = server_config->conf;
  init_logging(to_lower(conf.get(k::kLogLevel)));
  auto log = logger("server");
  log->info("kitsune-server {} starting; configuration from {}", KITSUNE_VERSION,
            server_config->conf_dir.string());
  for (const auto& w : server_config->warnings)
    log->warn("{}", w);

  for (const auto& p : conf.get(k::kFrontendProtocols)) {
    if (p != "THRIFT_BINARY") {
      log->warn("kyuubi.frontend.protocols lists {}, which this build of Kitsune does not serve",
                p);
    }
  }
  if (!conf.get(k::kHaAddresses).empty()) {
    log->error(
        "kyuubi.ha.addresses is set, but ZooKeeper discovery is not in this build of Kitsune yet; "
        "unset it to use the embedded discovery (one gateway)");
    return 2;
  }

  auto options = frontend::FrontendOptions::from_conf(conf);
  if (!options) {
    log->error("{}", options.status().message());
    return 2;
  }
  options->name = "gateway";
  auto authenticator = auth::make_frontend_authenticator(conf, "kitsune-server");
  if (!authenticator) {
    log->error("{}", authenticator.status().message());
    return 2;
  }

  fs::path engine_exe = conf.get(k::kEngineLocalExecutable);
  if (engine_exe.empty()) engine_exe = bin_dir / "kitsune-engine";
  if (access(engine_exe.c_str(), X_OK) != 0) {
    log->warn("the LOCAL engine {} is not executable; LOCAL sessions will fail",
              engine_exe.string());
  }
  fs::path work_root;
  if (const char* w = std::getenv("KYUUBI_WORK_DIR_ROOT"); w && *w) {
    work_root = w;
  } else {
    work_root = bin_dir.parent_path() / "work";
  }

  // Client connections are spread over one shard per core; each stays on its shard with its
  // sessions and their engine connections. The rest lives on the main shard.
  IoShards shards(IoShards::default_count(8));
  asio::io_context& io = shards.main();
  BlockingPool blocking("blocking", 4);
  auto discovery = discovery::make_embedded_discovery();

  std::vector<std::unique_ptr<engine::Launcher>> launchers;
  launchers.push_back(
      engine::make_local_launcher(io, engine_exe, conf.get(k::kEngineLocalBindHost)));
  engine::EngineManagerOptions engine_options;
  engine_options.work_dir_root = work_root;
  engine_options.max_concurrent_launches =
      conf.get_if_set(k::kServerLimitEngineStartup).value_or(0);
  engine_options.redactor = std::make_shared<config::Redactor>(conf.get(k::kServerRedactionRegex));
  // Nobody else can find engines registered in the embedded discovery: they go with us.
  engine_options.engines_die_with_server = discovery->kind() == "embedded";
  engine::EngineManager engines(io, engine_options, *discovery, std::move(launchers));

  session::GatewayOptions gateway_options;
  gateway_options.version = KITSUNE_KYUUBI_VERSION;
  gateway_options.server_user = routing::process_user_name();
  gateway_options.server_conf = conf;
  gateway_options.conf_for_user = [server_config](std::string_view user) {
    return server_config->for_user(user);
  };
  const std::string bind_host =
      options->host.empty() ? frontend::local_host_address() : options->host;
  gateway_options.server_ip = bind_host;
  session::GatewayService service(io, gateway_options, engines, blocking);
  frontend::ThriftBinaryFrontend frontend(shards, *options, service, *authenticator);
  auto bound = frontend.start();
  if (!bound) {
    log->error("{}", bound.status().message());
    return 1;
  }
  std::string advertised = conf.get(k::kFrontendAdvertisedHost);
  if (advertised.empty()) advertised = bind_host;
  // The service learns its public address only now that the port is bound.
  const std::string url = advertised + ":" + std::to_string(bound->port());
  service.set_connection_url(url);
  service.start();
  log->info("kitsune-server listening on {}:{} ({}), {} discovery, engines from {}",
            bound->address().to_string(), bound->port(),
            options->nosasl ? "NOSASL" : "SASL " + std::string((*authenticator)->name()),
            discovery->kind(), engine_exe.string());
  std::cout << bound->address().to_string() << ":" << bound->port() << std::endl;

  asio::signal_set signals(io, SIGINT, SIGTERM);
  std::atomic<bool> stopping{false};
  const auto drain_timeout = conf.get(k::kServerShutdownTimeout);
  auto shutdown = [&](const std::string& why) {
    if (stopping.exchange(true)) return;
    log->info("stopping ({}): no new connections; draining for up to {} ms", why,
              drain_timeout.count());
    frontend.stop_accepting();
    service.stop_accepting();
    auto drain = [&]() -> awaitable<void> {
      co_await service.drain(session::GatewayService::Clock::now() + drain_timeout);
      co_await service.close_all();
      frontend.stop();
      co_await engines.shutdown(/*all=*/engine_options.engines_die_with_server);
      // Idle connections close after a short grace, answering a call that was on its way.
      co_await frontend.wait_closed(std::chrono::steady_clock::now() + std::chrono::seconds(3));
      shards.stop();
    };
    asio::co_spawn(io, std::move(drain), asio::detached);
  };
  signals.async_wait([&](const error_code& ec, int signo) {
    if (!ec) shutdown(signo == SIGTERM ? "SIGTERM" : "SIGINT");
  });

  shards.run();
  log->info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  kitsune::raise_open_files_to_hard_limit();
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return run(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kitsune-server: fatal: %s\n", e.what());
    return 1;
  }
}
