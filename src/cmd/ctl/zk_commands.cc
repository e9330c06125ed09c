// kitsune-ctl's ZooKeeper commands, as kyuubi-ctl's: the server nodes of a namespace, a user's
// engine nodes under the engine spaces routing names, copies of server nodes in another
// namespace, and deletions of single nodes.
#include "zk_commands.h"

#include <algorithm>
#include <charconv>
#include <iostream>

#include <nlohmann/json.hpp>

#include "kitsune/common/asio.h"
#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "kitsune/config/keys.h"
#include "kitsune/discovery/discovery.h"
#include "kitsune/routing/engine_key.h"
#include "table.h"

namespace kitsune::ctl {

namespace {

namespace k = config::keys;
using discovery::Discovery;
using discovery::ServiceNode;

std::string trim_slashes(std::string_view s) {
  s = trim(s);
  while (!s.empty() && s.front() == '/')
    s.remove_prefix(1);
  while (!s.empty() && s.back() == '/')
    s.remove_suffix(1);
  return std::string(s);
}

// Whether `s` can be one element of a ZooKeeper path: a user or subdomain with '/' would point
// somewhere else.
bool is_path_element(std::string_view s) {
  return !s.empty() && s != "." && s != ".." && s.find('/') == std::string_view::npos;
}

// One node found, with where it was found.
struct Found {
  std::string space;      // the path of its parent, e.g. /kyuubi or an engine space
  std::string subdomain;  // engines: the last element of the space
  ServiceNode node;
};

// A user's engines: the path above the subdomains, and what the path was made of.
struct EngineScope {
  std::string user;
  std::string engine_type;
  std::string share_level;
  std::string user_path;                 // /<ns>_<version>_<LEVEL>_<TYPE>/<user>
  std::optional<std::string> subdomain;  // one subdomain, or every one under user_path
};

// What a command works on, checked before anything connects.
struct Plan {
  Action action = Action::kNone;
  Resource resource = Resource::kNone;
  std::string quorum;       // the ZooKeeper the command reads and changes
  std::string ns;           // the namespace, without slashes
  std::string conf_ns;      // create server: kyuubi.ha.namespace, the namespace copied from
  std::string conf_quorum;  // create server: kyuubi.ha.addresses, the ZooKeeper copied from
  std::string host;         // get, delete: the node's address
  int port = 0;
  std::optional<EngineScope> engine;
  discovery::ZooKeeperOptions zk;
  bool json = false;
};

Outcome plan_command(const CtlOptions& o, const config::Conf& conf, Plan& plan) {
  plan.action = o.action;
  plan.resource = o.resource;
  plan.json = o.json;
  if (o.action == Action::kCreate && o.resource == Resource::kEngine) {
    return Outcome::usage(
        "Only Kyuubi server instances can be exposed to another domain (create server); "
        "engines register themselves");
  }
  plan.conf_quorum = std::string(trim(conf.get(k::kHaAddresses)));
  plan.quorum = o.zk_quorum ? std::string(trim(*o.zk_quorum)) : plan.conf_quorum;
  if (plan.quorum.empty()) {
    return Outcome::usage(
        "Zookeeper quorum is not specified and no default value to load: pass --zk-quorum or set "
        "kyuubi.ha.addresses in kyuubi-defaults.conf");
  }
  if (plan.conf_quorum.empty()) plan.conf_quorum = plan.quorum;
  plan.conf_ns = trim_slashes(conf.get(k::kHaNamespace));
  plan.ns = o.ns ? trim_slashes(*o.ns) : plan.conf_ns;
  if (plan.ns.empty()) {
    return Outcome::usage(
        "Zookeeper namespace is not specified and no default value to load: pass --namespace or "
        "set kyuubi.ha.namespace");
  }
  if (o.action == Action::kCreate && plan.ns == plan.conf_ns) {
    return Outcome::usage(
        "Only support expose Kyuubi server instance to another domain: a namespace other than the "
        "default namespace [" +
        plan.conf_ns + "] should be given with --namespace");
  }

  if (o.resource == Resource::kEngine) {
    if (!o.user || o.user->empty()) {
      return Outcome::usage("Must specify user name for engine, please use -u or --user.");
    }
    if (!is_path_element(*o.user)) {
      return Outcome::usage("The user name '" + *o.user +
                            "' is not a valid ZooKeeper path element");
    }
    EngineScope scope;
    scope.user = *o.user;
    scope.engine_type = to_upper(trim(o.engine_type ? *o.engine_type : conf.get(k::kEngineType)));
    auto level = routing::parse_share_level(o.engine_share_level ? *o.engine_share_level
                                                                 : conf.get(k::kEngineShareLevel));
    if (!level) return Outcome::usage(level.status().message());
    scope.share_level = std::string(routing::to_string(*level));
    if (o.engine_subdomain && !o.engine_subdomain->empty()) {
      scope.subdomain = *o.engine_subdomain;
    } else if (auto sd = conf.get_if_set(k::kEngineShareLevelSubdomain); sd && !sd->empty()) {
      scope.subdomain = to_lower(*sd);
    } else if (o.action == Action::kDelete) {
      scope.subdomain = "default";
    }
    if (scope.subdomain && !is_path_element(*scope.subdomain)) {
      return Outcome::usage("The subdomain '" + *scope.subdomain +
                            "' is not a valid ZooKeeper path element");
    }
    // The engine space as the gateway names it; its last element is the subdomain (CONNECTION:
    // the ref id), which kyuubi-ctl takes verbatim from -es.
    routing::EngineKey key;
    key.server_space = plan.ns;
    key.version = o.version ? *o.version : std::string(KITSUNE_KYUUBI_VERSION);
    key.level = *level;
    key.engine_type = scope.engine_type;
    key.session_user = scope.user;
    key.routing_user = scope.user;
    key.subdomain = "default";
    key.ref_id = "default";
    const std::string space = key.engine_space();
    scope.user_path = space.substr(0, space.rfind('/'));
    plan.engine = std::move(scope);
  }

  if (o.action == Action::kGet || o.action == Action::kDelete) {
    if (!o.host || o.host->empty()) return Outcome::usage("Must specify host for service");
    if (!o.port || o.port->empty()) return Outcome::usage("Must specify port for service");
    int port = 0;
    const auto [ptr, ec] = std::from_chars(o.port->data(), o.port->data() + o.port->size(), port);
    if (ec != std::errc() || ptr != o.port->data() + o.port->size()) {
      return Outcome::usage("Specified port is not a valid integer number: " + *o.port);
    }
    if (port <= 0) return Outcome::usage("Specified port should be a positive number");
    plan.host = *o.host;
    plan.port = port;
  }

  config::Conf zk_conf = conf;
  zk_conf.set(std::string(k::kHaAddresses.name()), plan.quorum);
  auto zk = discovery::ZooKeeperOptions::from_conf(zk_conf, /*for_engine=*/false);
  if (!zk) return Outcome::usage(zk.status().message());
  plan.zk = std::move(zk).value();
  return Outcome::ok();
}

// A failed discovery call: unreachable while the store cannot be reached, else a failure.
Outcome failure(const Discovery& d, const Status& status) {
  if (!d.available()) return Outcome::unreachable(status.message());
  return Outcome::failed(status.message());
}

// The nodes of `space` (sorted by name), at host:port only when `plan` names one.
awaitable<Result<std::vector<Found>>> nodes_in(Discovery& d, const Plan& plan,
                                               const std::string& space,
                                               const std::string& subdomain) {
  auto listed = co_await d.get_nodes(space);
  if (!listed) co_return std::move(listed).status();
  std::vector<Found> found;
  for (auto& node : *listed) {
    if (plan.port != 0 && (node.host != plan.host || node.port != plan.port)) continue;
    found.push_back(Found{space, subdomain, std::move(node)});
  }
  std::sort(found.begin(), found.end(),
            [](const Found& a, const Found& b) { return a.node.name < b.node.name; });
  co_return found;
}

// The engine nodes of the plan's scope: under its subdomain, or under each one there is.
awaitable<Result<std::vector<Found>>> engine_nodes(Discovery& d, const Plan& plan) {
  const EngineScope& scope = *plan.engine;
  std::vector<std::string> subdomains;
  if (scope.subdomain) {
    subdomains.push_back(*scope.subdomain);
  } else {
    auto children = co_await d.get_children(scope.user_path);
    if (!children) co_return std::move(children).status();
    subdomains = std::move(children).value();
    std::sort(subdomains.begin(), subdomains.end());
  }
  std::vector<Found> all;
  for (const auto& subdomain : subdomains) {
    const std::string space = scope.user_path + "/" + subdomain;
    auto found = co_await nodes_in(d, plan, space, subdomain);
    if (!found) co_return std::move(found).status();
    for (auto& f : *found)
      all.push_back(std::move(f));
  }
  co_return all;
}

// The plan's engine nodes, or its server nodes. (Not a conditional expression of two co_awaits:
// g++ 12 destroys its result twice.)
awaitable<Result<std::vector<Found>>> find_nodes(Discovery& d, const Plan& plan) {
  if (plan.engine) co_return co_await engine_nodes(d, plan);
  const std::string root = "/" + plan.ns;
  const std::string no_subdomain;
  co_return co_await nodes_in(d, plan, root, no_subdomain);
}

nlohmann::json to_json(const Found& f, const std::optional<EngineScope>& engine) {
  nlohmann::json j = {{"nodeName", f.node.name},
                      {"namespace", f.space},
                      {"instance", f.node.address()},
                      {"host", f.node.host},
                      {"port", f.node.port},
                      {"version", f.node.version},
                      {"attributes", f.node.attributes}};
  if (engine) {
    j["refId"] = f.node.ref_id;
    j["user"] = engine->user;
    j["engineType"] = engine->engine_type;
    j["sharelevel"] = engine->share_level;
    j["subdomain"] = f.subdomain;
  }
  return j;
}

void print_nodes(const Plan& plan, std::string_view title, const std::vector<Found>& nodes) {
  const bool engines = plan.engine.has_value();
  if (plan.json) {
    nlohmann::json array = nlohmann::json::array();
    for (const auto& f : nodes)
      array.push_back(to_json(f, plan.engine));
    std::cout << array.dump(2) << "\n";
    return;
  }
  Row header = {"Namespace", "Host", "Port", "Version"};
  if (engines) header.emplace_back("Ref Id");
  std::vector<Row> rows;
  for (const auto& f : nodes) {
    Row row = {f.space, f.node.host, std::to_string(f.node.port), f.node.version};
    if (engines) row.push_back(f.node.ref_id);
    rows.push_back(std::move(row));
  }
  std::cout << render_table(title, header, rows) << std::flush;
}

std::string what(const Plan& plan) {
  if (plan.engine) {
    return "engine node of user " + plan.engine->user + " at " + plan.host + ":" +
           std::to_string(plan.port) + " under " + plan.engine->user_path +
           (plan.engine->subdomain ? "/" + *plan.engine->subdomain : "");
  }
  return "server node at " + plan.host + ":" + std::to_string(plan.port) + " in /" + plan.ns;
}

awaitable<Outcome> list_or_get(Discovery& d, const Plan& plan) {
  auto found = co_await find_nodes(d, plan);
  if (!found) co_return failure(d, found.status());
  // A get that finds nothing prints nothing: stdout stays empty for a script that failed.
  if (plan.action == Action::kGet && found->empty()) co_return Outcome::failed("No " + what(plan));
  print_nodes(plan, "Zookeeper service nodes", *found);
  co_return Outcome::ok();
}

awaitable<Outcome> remove(Discovery& d, const Plan& plan) {
  auto found = co_await find_nodes(d, plan);
  if (!found) co_return failure(d, found.status());
  if (found->empty()) co_return Outcome::failed("No " + what(plan));
  std::vector<Found> deleted;
  std::string errors;
  for (auto& f : *found) {
    logger("ctl")->info("deleting {}/{}", f.space, f.node.name);
    Status removed = co_await d.remove_node(f.space, f.node.name);
    if (!removed) {
      errors += "Failed to delete zookeeper service node " + f.space + "/" + f.node.name + ": " +
                removed.message() + "\n";
      if (!d.available()) co_return Outcome::unreachable(errors);
      continue;
    }
    deleted.push_back(std::move(f));
  }
  print_nodes(plan, "Deleted zookeeper service nodes", deleted);
  if (!errors.empty()) co_return Outcome::failed(errors);
  co_return Outcome::ok();
}

// Copies the servers of the configured namespace into the asked one, as persistent nodes that
// outlive this process (kyuubi-ctl's "external" nodes).
awaitable<Outcome> expose(Discovery& from, Discovery& to, const Plan& plan) {
  const std::string from_space = "/" + plan.conf_ns;
  const std::string to_space = "/" + plan.ns;
  const std::string no_subdomain;
  auto servers = co_await nodes_in(from, plan, from_space, no_subdomain);
  if (!servers) co_return failure(from, servers.status());
  std::vector<Found> created;
  for (const auto& f : *servers) {
    ServiceNode copy;
    copy.host = f.node.host;
    copy.port = f.node.port;
    copy.version = f.node.version;
    copy.data = f.node.data;
    logger("ctl")->info("exposing server instance {} with version {} from {} to {}", copy.address(),
                        copy.version, from_space, to_space);
    auto made = co_await to.create_persistent_node(to_space, std::move(copy));
    if (!made) {
      print_nodes(plan, "Created zookeeper service nodes", created);
      co_return failure(to, made.status());
    }
    created.push_back(Found{to_space, "", std::move(made).value()});
  }
  if (servers->empty()) {
    co_return Outcome::failed("No server nodes in " + from_space + " to expose");
  }
  print_nodes(plan, "Created zookeeper service nodes", created);
  co_return Outcome::ok();
}

awaitable<Outcome> run(asio::io_context& io, const Plan& plan) {
  std::unique_ptr<Discovery> d = discovery::make_zookeeper_discovery(io, plan.zk);
  Outcome out;
  if (plan.action == Action::kCreate) {
    if (plan.conf_quorum == plan.quorum) {
      out = co_await expose(*d, *d, plan);
    } else {
      discovery::ZooKeeperOptions from_options = plan.zk;
      from_options.addresses = plan.conf_quorum;
      std::unique_ptr<Discovery> from = discovery::make_zookeeper_discovery(io, from_options);
      out = co_await expose(*from, *d, plan);
    }
  } else if (plan.action == Action::kDelete) {
    out = co_await remove(*d, plan);
  } else {
    out = co_await list_or_get(*d, plan);
  }
  co_return out;
}

}  // namespace

Outcome run_zookeeper_command(const CtlOptions& options, const config::Conf& conf) {
  Plan plan;
  if (Outcome planned = plan_command(options, conf, plan); planned.code != ExitCode::kOk) {
    return planned;
  }
  logger("ctl")->debug("ZooKeeper {} (namespace /{})", plan.quorum, plan.ns);
  asio::io_context io;
  std::optional<Outcome> outcome;
  asio::co_spawn(io, run(io, plan), [&](const std::exception_ptr& e, Outcome out) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        out = Outcome::failed(std::string("internal error: ") + ex.what());
      }
    }
    outcome = std::move(out);
    io.stop();
  });
  io.run();
  return outcome.value_or(Outcome::failed("internal error: the command did not finish"));
}

}  // namespace kitsune::ctl
