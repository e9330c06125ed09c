// Service node names and data: building a node name as Kyuubi does, and parsing one back.
#include "kitsune/discovery/discovery.h"

#include <charconv>

#include "kitsune/common/strings.h"

namespace kitsune::discovery {

namespace {

constexpr std::string_view kServerUri = "serverUri";
constexpr std::string_view kVersion = "version";
constexpr std::string_view kRefId = "refId";
constexpr std::string_view kSequence = "sequence";
constexpr std::string_view kEngineId = "kyuubi.engine.id";
constexpr std::string_view kHiveHost = "hive.server2.thrift.bind.host";
constexpr std::string_view kHivePort = "hive.server2.thrift.port";

// "a=1;b=2;..." as pairs split on the first '='; pieces without '=' are skipped.
std::map<std::string, std::string, std::less<>> parse_pairs(std::string_view text) {
  std::map<std::string, std::string, std::less<>> pairs;
  for (const auto& part : split(text, ';')) {
    const auto eq = part.find('=');
    if (eq == std::string::npos) continue;
    pairs[std::string(trim(std::string_view(part).substr(0, eq)))] =
        std::string(trim(std::string_view(part).substr(eq + 1)));
  }
  return pairs;
}

Result<int> parse_port(std::string_view text, std::string_view where) {
  const auto t = trim(text);
  int port = -1;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), port);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size() || port < 0 || port > 65535) {
    return Status::error("Invalid port '" + std::string(t) + "' in service node " +
                         std::string(where));
  }
  return port;
}

// "host:port", split at the last ':'.
Status parse_host_port(std::string_view text, std::string_view where, ServiceNode& node) {
  const auto t = trim(text);
  const auto colon = t.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::error("Invalid address '" + std::string(t) + "' in service node " +
                         std::string(where) + ": expected host:port");
  }
  auto port = parse_port(t.substr(colon + 1), where);
  if (!port) return std::move(port).status();
  node.host = std::string(t.substr(0, colon));
  node.port = *port;
  return Status::ok();
}

}  // namespace

std::string ServiceNode::engine_id() const {
  const auto it = attributes.find(std::string(kEngineId));
  return it == attributes.end() ? std::string() : it->second;
}

std::string node_name_prefix(const ServiceNode& node) {
  std::string name = std::string(kServerUri) + "=" + node.address() + ";" + std::string(kVersion) +
                     "=" + node.version + ";";
  for (const auto& [key, value] : node.attributes) {
    name += key + "=" + value + ";";
  }
  if (!node.ref_id.empty()) name += std::string(kRefId) + "=" + node.ref_id + ";";
  return name + std::string(kSequence) + "=";
}

std::string namespace_space(std::string_view ns) {
  while (!ns.empty() && ns.front() == '/')
    ns.remove_prefix(1);
  while (!ns.empty() && ns.back() == '/')
    ns.remove_suffix(1);
  return "/" + std::string(ns);
}

Result<ServiceNode> parse_node(std::string_view name, std::string_view data) {
  ServiceNode node;
  node.name = std::string(name);
  node.data = std::string(data);
  for (auto& [key, value] : parse_pairs(name)) {
    if (key == kVersion) {
      node.version = std::move(value);
    } else if (key == kRefId) {
      node.ref_id = std::move(value);
    } else if (key != kServerUri && key != kSequence) {
      node.attributes.emplace(key, std::move(value));
    }
  }

  const auto payload = trim(data);
  if (payload.empty()) {
    // No data: the address in the name is all there is.
    const auto pairs = parse_pairs(name);
    const auto uri = pairs.find(kServerUri);
    if (uri == pairs.end()) {
      return Status::error("Service node " + std::string(name) + " has neither data nor serverUri");
    }
    KITSUNE_RETURN_IF_ERROR(parse_host_port(uri->second, name, node));
  } else if (payload.find('=') != std::string_view::npos) {
    // HIVE-11581 style: the published configuration of a server.
    const auto pairs = parse_pairs(payload);
    const auto host = pairs.find(kHiveHost);
    const auto port = pairs.find(kHivePort);
    if (host == pairs.end() || host->second.empty() || port == pairs.end()) {
      return Status::error("Service node " + std::string(name) + " has data without " +
                           std::string(kHiveHost) + " and " + std::string(kHivePort));
    }
    auto p = parse_port(port->second, name);
    if (!p) return std::move(p).status();
    node.host = host->second;
    node.port = *p;
  } else {
    KITSUNE_RETURN_IF_ERROR(parse_host_port(payload, name, node));
  }
  return node;
}

}  // namespace kitsune::discovery
