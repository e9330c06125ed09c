// kitsune-engine: a TCLIService server over a SqlBackend, launched by the gateway (or by hand)
// with Kyuubi's engine contract: --conf pairs in, its bound address out, gone when idle.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>
#include <vector>

#include <boost/asio/signal_set.hpp>

#include "kitsune/backend/backend_service.h"
#include "kitsune/backends/backends.h"
#include "kitsune/common/asio.h"
#include "kitsune/common/log.h"
#include "kitsune/common/poll.h"
#include "kitsune/common/process_limits.h"
#include "kitsune/common/random.h"
#include "kitsune/common/strings.h"
#include "kitsune/config/conf.h"
#include "kitsune/discovery/discovery.h"
#include "kitsune/frontend/thrift_binary_frontend.h"

namespace {

using namespace kitsune;
namespace k = config::keys;

constexpr const char* kUsage =
    "usage: kitsune-engine [--conf key=value]...\n"
    "\n"
    "Serves HiveServer2 (TCLIService) over the local SQLite backend, or a JDBC backend.\n"
    "Keys are Kyuubi's, for example:\n"
    "  --conf kyuubi.frontend.thrift.binary.bind.host=127.0.0.1\n"
    "  --conf kyuubi.frontend.thrift.binary.bind.port=10009   (default: any free port)\n"
    "  --conf kyuubi.authentication=NONE|NOSASL\n"
    "  --conf kyuubi.session.engine.idle.timeout=PT30M\n"
    "  --conf kitsune.engine.local.data.dir=local_data\n"
    "  --conf kyuubi.ha.addresses=zk1:2181 --conf kyuubi.ha.namespace=/space\n"
    "It prints host:port on stdout once it listens; with kyuubi.ha.addresses it also registers\n"
    "there (under kyuubi.ha.namespace, with kyuubi.ha.engine.ref.id), as Kyuubi's engines do.\n";

// Secret conf values come from the launcher through this variable, not the command line that any
// local user can read (ps, /proc/<pid>/cmdline): "key=value" lines.
constexpr const char* kSecretConfEnv = "KITSUNE_ENGINE_SECRET_CONF";

// Takes the secret conf out of the environment, so that neither this process's children nor a
// reader of /proc/<pid>/environ (which shows the initial block) see it.
std::string take_secret_conf() {
  char* value = std::getenv(kSecretConfEnv);
  if (value == nullptr) return {};
  std::string text(value);
  volatile char* bytes = value;
  for (std::size_t i = 0; i < text.size(); ++i)
    bytes[i] = '\0';
  unsetenv(kSecretConfEnv);
  return text;
}

Status add_secret_conf(const std::string& text, config::Conf& conf) {
  // Not split(): it trims, and a password may begin or end with a blank.
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::error(std::string("malformed entry in ") + kSecretConfEnv +
                           " (expected key=value lines)");
    }
    conf.set(line.substr(0, eq), line.substr(eq + 1));
  }
  return Status::ok();
}

// Kyuubi's Spark SQL engine reads its settings as spark.kyuubi.<key> (spark-submit only passes
// spark.* keys); kitsune-engine does the same when started in its place, so that the command line
// of a Spark engine works for it too. A kyuubi.<key> given directly wins.
void adopt_spark_kyuubi_conf(config::Conf& conf) {
  constexpr std::string_view kPrefix = "spark.kyuubi.";
  std::vector<std::pair<std::string, std::string>> adopted;
  for (const auto& [key, value] : conf.entries()) {
    if (key.size() > kPrefix.size() && key.starts_with(kPrefix)) {
      std::string plain = key.substr(std::string_view("spark.").size());
      if (!conf.contains(plain)) adopted.emplace_back(std::move(plain), value);
    }
  }
  for (auto& [key, value] : adopted)
    conf.set(std::move(key), std::move(value));
}

int run(const std::vector<std::string>& args, const std::string& secret_conf) {
  std::vector<std::string> rest;
  auto parsed = config::Conf::from_args(args, &rest);
  for (const auto& a : rest) {
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (a == "--version") {
      std::cout << "kitsune-engine " << KITSUNE_VERSION << "\n";
      return 0;
    }
  }
  if (!parsed) {
    std::cerr << "kitsune-engine: " << parsed.status().message() << "\n" << kUsage;
    return 2;
  }
  if (!rest.empty()) {
    std::cerr << "kitsune-engine: unexpected argument '" << rest.front() << "'\n" << kUsage;
    return 2;
  }
  config::Conf conf = std::move(parsed).value();
  adopt_spark_kyuubi_conf(conf);
  if (Status added = add_secret_conf(secret_conf, conf); !added.is_ok()) {
    std::cerr << "kitsune-engine: " << added.message() << "\n";
    return 2;
  }
  std::vector<std::string> unknown;
  if (Status valid = conf.validate(&unknown); !valid.is_ok()) {
    std::cerr << "kitsune-engine: invalid configuration: " << valid.message() << "\n";
    return 2;
  }
  init_logging(to_lower(conf.get(k::kLogLevel)));
  auto log = logger("engine");
  for (const auto& key : unknown)
    log->warn("unknown configuration key {} (ignored)", key);

  // An engine listens on a port of the system's choosing unless told otherwise.
  if (!conf.contains(k::kFrontendThriftBinaryBindPort.name()) &&
      !conf.contains(k::kFrontendBindPort.name())) {
    conf.set(std::string(k::kFrontendThriftBinaryBindPort.name()), "0");
  }
  auto options = frontend::FrontendOptions::from_conf(conf);
  if (!options) {
    log->error("{}", options.status().message());
    return 2;
  }
  options->name = "engine";
  auto security = frontend::FrontendSecurity::from_conf(
      conf, "kitsune-engine",
      options->host.empty() ? frontend::local_host_address() : options->host);
  if (!security) {
    log->error("{}", security.status().message());
    return 2;
  }

  std::optional<discovery::ZooKeeperOptions> zookeeper;
  if (!conf.get(k::kHaAddresses).empty()) {
    auto zk = discovery::ZooKeeperOptions::from_conf(conf, /*for_engine=*/true);
    if (!zk) {
      log->error("{}", zk.status().message());
      return 2;
    }
    zookeeper = std::move(zk).value();
  }

  auto backend = backends::make_backend(conf);
  if (!backend) {
    log->error("cannot start the backend: {}", backend.status().message());
    return 1;
  }

  backend::EngineIdentity identity;
  identity.id = conf.get(k::kEngineId);
  if (identity.id.empty()) identity.id = conf.get(k::kHaEngineRefId);
  if (identity.id.empty()) identity.id = "kitsune-" + random_uuid();
  identity.name = conf.get(k::kEngineName);
  if (identity.name.empty()) identity.name = "kitsune-engine";
  // Reserved keys a client can read back with SET.
  conf.set(std::string(k::kEngineId.name()), identity.id);
  conf.set(std::string(k::kEngineName.name()), identity.name);

  asio::io_context io;
  backend::BackendService service(io, conf, **backend, identity);
  frontend::ThriftBinaryFrontend frontend(io, *options, service, std::move(security).value());
  auto bound = frontend.start();
  if (!bound) {
    log->error("{}", bound.status().message());
    return 1;
  }
  const std::string address = bound->address().to_string() + ":" + std::to_string(bound->port());
  log->info("kitsune-engine {} ({} backend, {}) listening on {} with {}", identity.id,
            (*backend)->name(), (*backend)->dbms_name() + " " + (*backend)->dbms_version(), address,
            options->nosasl ? "NOSASL" : "SASL PLAIN");
  std::cout << address << std::endl;

  asio::signal_set signals(io, SIGINT, SIGTERM);
  std::atomic<bool> stopping{false};
  int exit_code = 0;
  std::unique_ptr<discovery::Discovery> registry;  // ZooKeeper, when kyuubi.ha.addresses is set
  auto shutdown = [&](const std::string& why) {
    if (stopping.exchange(true)) return;
    log->info("stopping: {}", why);
    error_code ignored;
    signals.cancel(ignored);
    frontend.stop();
    asio::co_spawn(
        io,
        [&]() -> awaitable<void> {
          // Sessions closed means statements interrupted and database handles released; what
          // is left on the loop (closing sockets, timers) needs no more turns.
          co_await service.close_all();
          io.stop();
        },
        asio::detached);
  };
  signals.async_wait([&](const error_code& ec, int signo) {
    if (!ec) shutdown(signo == SIGTERM ? "SIGTERM" : "SIGINT");
  });
  service.start([&] { asio::post(io, [&] { shutdown("idle timeout"); }); });

  if (zookeeper) registry = discovery::make_zookeeper_discovery(io, *zookeeper);
  // Deleted by someone else (kyuubi-ctl delete engine, or a gateway that found it broken):
  // no longer found, it serves the sessions it has and ends once they are closed.
  auto retire = [&]() -> awaitable<void> {
    log->warn(
        "this engine's node was deleted from ZooKeeper: it stops once its sessions are "
        "closed");
    std::function<bool()> drained = [&] { return stopping.load() || service.session_count() == 0; };
    co_await poll_until(std::move(drained), std::chrono::seconds(1));
    shutdown("its node was deleted from ZooKeeper");
  };
  // Discovery's calls are awaited on a strand; this io_context has several threads.
  auto strand = asio::make_strand(io);
  auto on_removed = [&] { asio::co_spawn(strand, retire, asio::detached); };
  auto publish = [&]() -> awaitable<void> {
    discovery::ServiceNode node;
    node.host = conf.get(k::kFrontendAdvertisedHost);
    if (node.host.empty()) node.host = options->host;
    if (node.host.empty()) node.host = bound->address().to_string();
    node.port = bound->port();
    node.version = KITSUNE_KYUUBI_VERSION;
    node.ref_id = conf.get(k::kHaEngineRefId);
    node.attributes["kyuubi.engine.id"] = identity.id;
    const std::string space = discovery::namespace_space(conf.get(k::kHaNamespace));
    auto registered = co_await registry->register_node(space, node, on_removed);
    if (!registered) {
      log->error("{}", registered.status().message());
      exit_code = 1;
      shutdown("it could not register in ZooKeeper");
      co_return;
    }
    log->info("registered in ZooKeeper at {} as {}/{}", zookeeper->addresses, space,
              registered->name);
  };
  if (registry) asio::co_spawn(strand, publish, asio::detached);

  // Asio threads: the engine's heavy work runs on its blocking pool, so a few suffice.
  const unsigned n = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < n; ++i)
    threads.emplace_back([&] { io.run(); });
  io.run();
  for (auto& t : threads)
    t.join();
  registry.reset();  // closes its ZooKeeper session: the engine's node goes with it
  log->info("stopped");
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  kitsune::raise_open_files_to_hard_limit();
  const std::string secret_conf = take_secret_conf();
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return run(args, secret_conf);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kitsune-engine: fatal: %s\n", e.what());
    return 1;
  }
}
