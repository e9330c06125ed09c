// kitsune-server: the gateway daemon. Reads Kyuubi's configuration, serves TCLIService, routes
// sessions to engines it finds or launches, and drains on SIGTERM.
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio/signal_set.hpp>

#include "kitsune/auth/authenticator.h"
#include "kitsune/auth/token_authenticator.h"
#include "kitsune/batch/batch_manager.h"
#include "kitsune/common/asio.h"
#include "kitsune/common/blocking_pool.h"
#include "kitsune/common/io_shards.h"
#include "kitsune/common/log.h"
#include "kitsune/common/poll.h"
#include "kitsune/common/process_limits.h"
#include "kitsune/common/strings.h"
#include "kitsune/config/conf.h"
#include "kitsune/config/conf_file.h"
#include "kitsune/discovery/discovery.h"
#include "kitsune/engine/engine_manager.h"
#include "kitsune/engine/launcher.h"
#include "kitsune/engine/process_builder.h"
#include "kitsune/frontend/http_auth.h"
#include "kitsune/frontend/thrift_binary_frontend.h"
#include "kitsune/frontend/thrift_http_frontend.h"
#include "kitsune/rest/rest_frontend.h"
#include "kitsune/routing/groups.h"
#include "kitsune/session/gateway_service.h"
#include "kitsune/transport/spnego.h"

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

// The canonical name of `ip` (reverse lookup), or `ip` itself when it has none.
std::string canonical_host_name(const std::string& ip) {
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* res = nullptr;
  if (getaddrinfo(ip.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) return ip;
  char host[NI_MAXHOST] = {};
  const bool named =
      getnameinfo(res->ai_addr, res->ai_addrlen, host, sizeof host, nullptr, 0, NI_NAMEREQD) == 0;
  freeaddrinfo(res);
  return named ? std::string(host) : ip;
}

// The host this server publishes (Kyuubi's rule): kyuubi.frontend.advertised.host; else the
// configured bind host, verbatim; else the local address found, by name or as an IP address
// (kyuubi.frontend.connection.url.use.hostname).
std::string advertised_host(const config::Conf& conf, const std::string& configured_bind_host,
                            const std::string& local_ip) {
  std::string host = conf.get(k::kFrontendAdvertisedHost);
  if (!host.empty()) return host;
  if (!configured_bind_host.empty()) return configured_bind_host;
  return conf.get(k::kFrontendConnectionUrlUseHostname) ? canonical_host_name(local_ip) : local_ip;
}

// The data of this server's node: host:port, or with kyuubi.ha.zookeeper.publish.configs the
// hive.server2.* settings a Hive JDBC driver reads (HIVE-11581).
std::string server_node_data(const config::Conf& conf, const std::string& host, int port) {
  if (!conf.get(k::kHaZookeeperPublishConfigs)) return host + ":" + std::to_string(port);
  const std::string auth = join(conf.get(k::kAuthentication), ",");
  std::string data =
      "hive.server2.thrift.bind.host=" + host +
      ";hive.server2.transport.mode=binary;hive.server2.thrift.port=" + std::to_string(port) +
      ";hive.server2.thrift.sasl.qop=" + conf.get(k::kAuthenticationSaslQop) +
      ";hive.server2.authentication=" + auth;
  if (auth == "KERBEROS") {
    data += ";hive.server2.authentication.kerberos.principal=" + conf.get(k::kKinitPrincipal);
  }
  return data;
}

bool auth_settings_nosasl(const config::Conf& conf) {
  auto settings = auth::read_auth_settings(conf);
  return settings && settings->nosasl;
}

// What checks each scheme on an HTTP frontend. Negotiate needs KERBEROS in kyuubi.authentication
// and a principal with its keytab: kyuubi.spnego.*, and for Thrift over HTTP also the server's
// kyuubi.kinit.* (as Hive's servlet). Fails, for the startup log, when a configured keytab does
// not hold its principal.
Result<frontend::HttpAuthProviders> http_auth_providers(
    const config::Conf& conf, std::string_view host, bool thrift_http,
    std::shared_ptr<auth::PasswordAuthenticator> password,
    std::shared_ptr<auth::TokenAuthenticator> bearer, std::shared_ptr<auth::AuditLog> audit) {
  frontend::HttpAuthProviders providers;
  providers.password = std::move(password);
  providers.bearer = std::move(bearer);
  providers.audit = std::move(audit);
  auto settings = auth::read_auth_settings(conf);
  if (!settings || !settings->kerberos) return providers;
  auto spnego = transport::SpnegoOptions::from_conf(conf, host, thrift_http);
  if (!spnego) return spnego.status();
  if (spnego->identities.empty()) {
    providers.spnego_missing = "kyuubi.spnego.principal and kyuubi.spnego.keytab are unset";
    logger("auth")->warn("{}: Negotiate is not offered: {}",
                         thrift_http ? "Thrift over HTTP" : "REST", providers.spnego_missing);
    return providers;
  }
  auto acceptor = transport::SpnegoAcceptor::create(std::move(spnego).value());
  if (!acceptor) return acceptor.status();
  logger("auth")->info("{}: Negotiate (SPNEGO) as {}", thrift_http ? "Thrift over HTTP" : "REST",
                       join((*acceptor)->principals(), ", "));
  providers.spnego = std::move(acceptor).value();
  return providers;
}

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

  bool serve_binary = false, serve_http = false, serve_rest = false;
  for (const auto& p : conf.get(k::kFrontendProtocols)) {
    const std::string protocol = to_upper(trim(p));
    if (protocol == "THRIFT_BINARY") {
      serve_binary = true;
    } else if (protocol == "THRIFT_HTTP") {
      serve_http = true;
    } else if (protocol == "REST") {
      serve_rest = true;
    } else {
      log->warn("kyuubi.frontend.protocols lists {}, which Kitsune does not serve", p);
    }
  }
  if (!serve_binary && !serve_http && !serve_rest) {
    log->error(
        "kyuubi.frontend.protocols names no frontend Kitsune serves (THRIFT_BINARY, "
        "THRIFT_HTTP, REST)");
    return 2;
  }
  std::optional<discovery::ZooKeeperOptions> zookeeper;
  if (!conf.get(k::kHaAddresses).empty()) {
    auto zk = discovery::ZooKeeperOptions::from_conf(conf, /*for_engine=*/false);
    if (!zk) {
      log->error("{}", zk.status().message());
      return 2;
    }
    zookeeper = std::move(zk).value();
  }

  auto options = frontend::FrontendOptions::from_conf(conf);
  if (!options) {
    log->error("{}", options.status().message());
    return 2;
  }
  options->name = "gateway";
  const std::string bind_host =
      options->host.empty() ? frontend::local_host_address() : options->host;
  const std::string advertised = advertised_host(conf, options->host, bind_host);
  auto security = frontend::FrontendSecurity::from_conf(conf, "kitsune-server", advertised);
  if (!security) {
    log->error("{}", security.status().message());
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
  std::unique_ptr<discovery::Discovery> discovery =
      zookeeper ? discovery::make_zookeeper_discovery(io, *zookeeper)
                : discovery::make_embedded_discovery();

  // kitsune-engine serves LOCAL and JDBC; Kyuubi's own engines are started as Kyuubi starts them.
  std::vector<std::unique_ptr<engine::Launcher>> launchers;
  for (const char* type : {"LOCAL", "JDBC"}) {
    launchers.push_back(
        engine::make_local_launcher(io, engine_exe, conf.get(k::kEngineLocalBindHost), type));
  }
  engine::ExternalLauncherOptions external;
  external.kyuubi_home = bin_dir.parent_path();
  if (const char* home = std::getenv("KYUUBI_HOME"); home && *home) external.kyuubi_home = home;
  external.kyuubi_version = KITSUNE_KYUUBI_VERSION;
  if (!zookeeper) {
    external.unavailable =
        "this engine type registers itself in ZooKeeper, and this server has none: set "
        "kyuubi.ha.addresses";
  }
  for (const char* type : {"SPARK_SQL", "FLINK_SQL", "TRINO", "HIVE_SQL"})
    launchers.push_back(engine::make_external_launcher(io, type, external));
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
  // POST /admin/refresh/user_defaults_conf swaps the configuration users' defaults come from.
  auto config_mu = std::make_shared<std::mutex>();
  auto current_config = std::make_shared<std::shared_ptr<config::ServerConfig>>(server_config);
  gateway_options.conf_for_user = [config_mu, current_config](std::string_view user) {
    std::shared_ptr<config::ServerConfig> c;
    {
      std::lock_guard lock(*config_mu);
      c = *current_config;
    }
    return c->for_user(user);
  };
  gateway_options.server_ip = bind_host;
  session::GatewayService service(io, gateway_options, engines, blocking);
  const std::string mechanisms =
      options->nosasl
          ? "NOSASL"
          : "SASL" + std::string(security->kerberos ? " GSSAPI" : "") +
                (security->password ? " PLAIN (" + std::string(security->password->name()) + ")"
                                    : "") +
                (security->tls ? ", TLS" : "");
  auto password = security->password;
  auto audit = security->audit;
  // Bearer tokens on both HTTP frontends, one provider and one pool for the two.
  auto bearer_provider = auth::make_token_authenticator(conf);
  if (!bearer_provider) {
    log->error("{}", bearer_provider.status().message());
    return 2;
  }
  std::shared_ptr<auth::TokenAuthenticator> bearer = std::move(bearer_provider).value();
  frontend::ThriftBinaryFrontend frontend(shards, *options, service, std::move(security).value());
  std::string address_lines;
  tcp::endpoint bound;
  if (serve_binary) {
    auto b = frontend.start();
    if (!b) {
      log->error("{}", b.status().message());
      return 1;
    }
    bound = *b;
    address_lines += bound.address().to_string() + ":" + std::to_string(bound.port()) + "\n";
  }

  std::unique_ptr<frontend::ThriftHttpFrontend> http_frontend;
  if (serve_http) {
    auto http_options = frontend::ThriftHttpOptions::from_conf(conf);
    if (!http_options) {
      log->error("{}", http_options.status().message());
      return 2;
    }
    const bool tls = http_options->server.tls != nullptr;
    auto http_auth_options = frontend::HttpAuthOptions::from_conf(conf, tls);
    // Hive's servlet wants a user name even with NONE (the password is not checked); only NOSASL
    // lets a request without credentials in.
    http_auth_options.anonymous_allowed = auth_settings_nosasl(conf);
    auto http_providers = http_auth_providers(conf, advertised, true, password, bearer, audit);
    if (!http_providers) {
      log->error("{}", http_providers.status().message());
      return 2;
    }
    auto http_auth = std::make_shared<frontend::HttpAuthenticator>(
        http_auth_options, std::move(http_providers).value());
    http_frontend = std::make_unique<frontend::ThriftHttpFrontend>(
        shards, std::move(http_options).value(), service, http_auth);
    auto b = http_frontend->start();
    if (!b) {
      log->error("{}", b.status().message());
      return 1;
    }
    log->info("Thrift over HTTP{} on {}:{}/{}", tls ? "S" : "", b->address().to_string(), b->port(),
              conf.get(k::kFrontendThriftHttpPath));
    address_lines +=
        "thrift-http " + b->address().to_string() + ":" + std::to_string(b->port()) + "\n";
    if (!serve_binary) bound = *b;
  }

  std::unique_ptr<batch::BatchManager> batches;
  std::unique_ptr<rest::RestFrontend> rest_frontend;
  if (serve_rest) {
    auto rest_options = rest::RestOptions::from_conf(conf);
    if (!rest_options) {
      log->error("{}", rest_options.status().message());
      return 2;
    }
    rest_options->version = KITSUNE_KYUUBI_VERSION;
    rest::RestDependencies deps;
    deps.gateway = &service;
    deps.discovery = discovery.get();
    deps.server_conf = conf;
    deps.server_version = KITSUNE_KYUUBI_VERSION;
    deps.refresh = [&service, config_mu, current_config, conf_dir = server_config->conf_dir,
                    overrides = *overrides, &log](const std::string& what) -> Result<std::string> {
      static const std::set<std::string> kKnown = {"user_defaults_conf", "unlimited_users",
                                                   "deny_users",         "deny_ips",
                                                   "hadoop_conf",        "kubernetes_conf"};
      if (!kKnown.contains(what)) return Status::not_found("Nothing to refresh named " + what);
      if (what == "hadoop_conf" || what == "kubernetes_conf") {
        return Status::unsupported("Kitsune reads no Hadoop or Kubernetes configuration files");
      }
      auto reloaded = config::load_server_config(
          conf_dir.empty() ? std::nullopt : std::optional<fs::path>(conf_dir), overrides);
      if (!reloaded) return reloaded.status();
      auto fresh = std::make_shared<config::ServerConfig>(std::move(reloaded).value());
      if (what == "user_defaults_conf") {
        std::lock_guard lock(*config_mu);
        // Only the per-user defaults change: the server's own keys are read at startup.
        auto next = std::make_shared<config::ServerConfig>(**current_config);
        next->user_defaults = fresh->user_defaults;
        *current_config = next;
        log->info("refreshed the per-user defaults of {} user(s)", next->user_defaults.size());
        return std::string("Refresh the user defaults conf successfully.");
      }
      service.refresh_limits(fresh->conf);
      log->info("refreshed {}", what);
      return "Refresh the " + what + " successfully.";
    };

    auto rest_auth_options = frontend::HttpAuthOptions::from_conf(conf, false);
    rest_auth_options.transport = "rest";
    auto rest_providers = http_auth_providers(conf, advertised, false, password, bearer, audit);
    if (!rest_providers) {
      log->error("{}", rest_providers.status().message());
      return 2;
    }
    auto rest_auth = std::make_shared<frontend::HttpAuthenticator>(
        rest_auth_options, std::move(rest_providers).value());
    // The batch manager is named after the bound port (kyuubi_instance): batch requests that
    // come before it is set get 503.
    rest_frontend = std::make_unique<rest::RestFrontend>(shards, std::move(rest_options).value(),
                                                         deps, rest_auth);
    auto b = rest_frontend->start();
    if (!b) {
      log->error("{}", b.status().message());
      return 1;
    }
    const std::string instance = advertised + ":" + std::to_string(b->port());
    rest_frontend->set_instance(instance);
    batch::BatchEnvironment env;
    env.instance = instance;
    env.work_dir_root = work_root.string();
    env.sql_service = &service;
    env.pool = &blocking;
    auto created = batch::BatchManager::create(io, conf, env);
    if (!created) {
      log->error("{}", created.status().message());
      return 2;
    }
    batches = std::move(created).value();
    rest_frontend->set_batches(batches.get());
    log->info("REST API on http://{}:{}/api/v1", b->address().to_string(), b->port());
    address_lines += "rest " + b->address().to_string() + ":" + std::to_string(b->port()) + "\n";
    if (!serve_binary && !serve_http) bound = *b;
  }

  // The service learns its public address only now that the port is bound.
  const std::string url = advertised + ":" + std::to_string(bound.port());
  service.set_connection_url(url);
  service.start();
  if (batches) {
    auto start_batches = [&]() -> awaitable<void> {
      Status started = co_await batches->start();
      if (!started.is_ok()) log->error("batches: {}", started.message());
    };
    asio::co_spawn(io, start_batches, asio::detached);
  }
  log->info("kitsune-server listening on {}:{} ({}), {} discovery, engines from {}",
            bound.address().to_string(), bound.port(), mechanisms, discovery->kind(),
            engine_exe.string());
  // One write, so that whoever reads the first line has the others too.
  std::cout << address_lines << std::flush;

  asio::signal_set signals(io, SIGINT, SIGTERM);
  std::atomic<bool> stopping{false};
  int exit_code = 0;
  const auto drain_timeout = conf.get(k::kServerShutdownTimeout);
  // This server's node in ZooKeeper, once registered (only touched on the main shard).
  const std::string server_space = discovery::namespace_space(conf.get(k::kHaNamespace));
  std::string server_node;
  auto shutdown = [&](const std::string& why) {
    if (stopping.exchange(true)) return;
    log->info("stopping ({}): no new connections; draining for up to {} ms", why,
              drain_timeout.count());
    frontend.stop_accepting();
    if (http_frontend) http_frontend->stop_accepting();
    if (rest_frontend) rest_frontend->stop_accepting();
    service.stop_accepting();
    auto drain = [&]() -> awaitable<void> {
      if (!server_node.empty() && discovery->available()) {
        // Out of discovery first, so that clients stop picking this server. (Unreachable, the
        // node goes when its session does.)
        Status removed = co_await discovery->remove_node(server_space, server_node);
        if (!removed.is_ok()) log->debug("deregistering: {}", removed.message());
      }
      co_await service.drain(session::GatewayService::Clock::now() + drain_timeout);
      co_await service.close_all();
      // After the sessions: a SQL batch waiting on one sees it closed, and lets go at once.
      if (batches) co_await batches->stop();
      frontend.stop();
      if (http_frontend) http_frontend->stop();
      if (rest_frontend) rest_frontend->stop();
      co_await engines.shutdown(/*all=*/engine_options.engines_die_with_server);
      // Idle connections close after a short grace, answering a call that was on its way.
      const auto closed_by = std::chrono::steady_clock::now() + std::chrono::seconds(3);
      co_await frontend.wait_closed(closed_by);
      if (http_frontend) co_await http_frontend->wait_closed(closed_by);
      if (rest_frontend) co_await rest_frontend->wait_closed(closed_by);
      shards.stop();
    };
    asio::co_spawn(io, std::move(drain), asio::detached);
  };
  signals.async_wait([&](const error_code& ec, int signo) {
    if (!ec) shutdown(signo == SIGTERM ? "SIGTERM" : "SIGINT");
  });

  // Decommissioned (an admin deleted this server's node): no longer advertised, it serves the
  // sessions it has and stops once they are closed, as Kyuubi does.
  auto decommission = [&]() -> awaitable<void> {
    log->warn(
        "this server's node was deleted from ZooKeeper: it stops once its {} session(s) "
        "are closed",
        service.session_count());
    server_node.clear();
    std::function<bool()> drained = [&] { return stopping.load() || service.session_count() == 0; };
    co_await poll_until(std::move(drained), std::chrono::seconds(1));
    shutdown("its node was deleted from ZooKeeper");
  };
  auto on_removed = [&] { asio::co_spawn(io, decommission, asio::detached); };
  auto publish = [&]() -> awaitable<void> {
    discovery::ServiceNode node;
    node.host = advertised;
    node.port = bound.port();
    node.version = KITSUNE_KYUUBI_VERSION;
    node.data = server_node_data(conf, advertised, bound.port());
    auto registered = co_await discovery->register_node(server_space, node, on_removed);
    if (!registered) {
      log->error("{}", registered.status().message());
      exit_code = 1;
      shutdown("it could not register in ZooKeeper");
      co_return;
    }
    if (stopping.load()) co_return;
    server_node = registered->name;
    log->info("registered in ZooKeeper at {} as {}/{}", zookeeper->addresses, server_space,
              server_node);
  };
  if (zookeeper) asio::co_spawn(io, publish, asio::detached);

  shards.run();
  log->info("stopped");
  return exit_code;
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
