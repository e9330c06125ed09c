// Proxy-user rules: parsing hadoop.proxyuser.* and Hadoop's ACL and MachineList matching.
#include "kitsune/session/proxy_rules.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "kitsune/common/asio.h"
#include "kitsune/common/strings.h"
#include "kitsune/routing/groups.h"

namespace kitsune::session {
namespace {

constexpr std::string_view kPrefix = "hadoop.proxyuser.";
constexpr std::string_view kUsers = ".users";
constexpr std::string_view kGroups = ".groups";
constexpr std::string_view kHosts = ".hosts";
constexpr std::string_view kWildcard = "*";

// Hadoop's getTrimmedStringCollection: split on ',', trim, drop empty entries.
std::vector<std::string> trimmed_list(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& part : split(text, ',')) {
    auto entry = trim(part);
    if (!entry.empty()) out.emplace_back(entry);
  }
  return out;
}

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Hadoop's AccessControlList: the whole value '*' allows everyone.
bool is_wildcard(const std::optional<std::vector<std::string>>& list) {
  return list && list->size() == 1 && list->front() == kWildcard;
}

bool plausible_host_name(std::string_view s) {
  bool only_digits_and_dots = true;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '-' && c != '.' && c != '_') return false;
    if (!std::isdigit(u) && c != '.') only_digits_and_dots = false;
  }
  // "10.0.0.300" is a mistyped address, not a name.
  return !s.empty() && !only_digits_and_dots;
}

bool prefix_matches(const IpAddress& a, const IpAddress& base, int prefix) {
  if (a.v6 != base.v6) return false;
  const int whole = prefix / 8, rest = prefix % 8;
  for (int i = 0; i < whole; ++i) {
    if (a.bytes[static_cast<std::size_t>(i)] != base.bytes[static_cast<std::size_t>(i)])
      return false;
  }
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  const auto i = static_cast<std::size_t>(whole);
  return (a.bytes[i] & mask) == (base.bytes[i] & mask);
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  error_code ec;
  auto address = asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  IpAddress out;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  if (address.is_v4()) {
    const auto b = address.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), out.bytes.begin());
  } else {
    out.v6 = true;
    const auto b = address.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), out.bytes.begin());
  }
  return out;
}

std::string IpAddress::normalize(std::string_view text) {
  auto ip = parse(text);
  if (!ip) return std::string(text);
  if (!ip->v6) {
    asio::ip::address_v4::bytes_type b;
    std::copy_n(ip->bytes.begin(), b.size(), b.begin());
    return asio::ip::address_v4(b).to_string();
  }
  return asio::ip::address_v6(ip->bytes).to_string();
}

MachineList MachineList::parse(std::string_view text) {
  MachineList out;
  for (auto& entry : trimmed_list(text)) {
    if (entry == kWildcard) {
      out.all_ = true;
    } else if (auto slash = entry.find('/'); slash != std::string::npos) {
      auto base = IpAddress::parse(std::string_view(entry).substr(0, slash));
      auto bits = std::string_view(entry).substr(slash + 1);
      const int max = base && base->v6 ? 128 : 32;
      int prefix = -1;
      if (!bits.empty() && bits.size() <= 3 &&
          std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        prefix = std::stoi(std::string(bits));
      }
      if (base && prefix >= 0 && prefix <= max) {
        out.ranges_.push_back(Range{*base, prefix});
      } else {
        out.invalid_.push_back(std::move(entry));
      }
    } else if (auto ip = IpAddress::parse(entry)) {
      out.addresses_.push_back(*ip);
    } else if (plausible_host_name(entry)) {
      out.host_names_.push_back(std::move(entry));
    } else {
      out.invalid_.push_back(std::move(entry));
    }
  }
  return out;
}

bool MachineList::includes(
    std::string_view ip,
    const std::function<std::vector<std::string>(const std::string&)>& addresses_of) const {
  if (all_) return true;
  auto client = IpAddress::parse(ip);
  if (!client) return false;
  if (std::find(addresses_.begin(), addresses_.end(), *client) != addresses_.end()) return true;
  for (const auto& range : ranges_) {
    if (prefix_matches(*client, range.base, range.prefix)) return true;
  }
  if (!addresses_of) return false;
  for (const auto& host : host_names_) {
    for (const auto& text : addresses_of(host)) {
      if (auto resolved = IpAddress::parse(text); resolved && *resolved == *client) return true;
    }
  }
  return false;
}

ProxyLookups os_lookups() {
  ProxyLookups lookups;
  lookups.groups_of = [](const std::string& user) { return routing::groups_of(user); };
  lookups.addresses_of = [](const std::string& host) {
    std::vector<std::string> out;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return out;
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owned(found, &::freeaddrinfo);
    for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
      char text[NI_MAXHOST];
      if (::getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) ==
          0) {
        out.emplace_back(text);
      }
    }
    return out;
  };
  return lookups;
}

ProxyRules ProxyRules::from_conf(const config::Conf& server_conf) {
  ProxyRules out;
  for (const auto& [key, value] : server_conf.entries()) {
    std::string_view k = key;
    if (!k.starts_with(kPrefix)) continue;
    k.remove_prefix(kPrefix.size());
    for (auto suffix : {kUsers, kGroups, kHosts}) {
      if (k.size() <= suffix.size() || !k.ends_with(suffix)) continue;
      Rule& rule = out.rules_[std::string(k.substr(0, k.size() - suffix.size()))];
      if (suffix == kUsers) rule.users = trimmed_list(value);
      if (suffix == kGroups) rule.groups = trimmed_list(value);
      if (suffix == kHosts) rule.hosts = MachineList::parse(value);
      break;
    }
  }
  return out;
}

Status ProxyRules::authorize(const std::string& real, const std::string& proxy,
                             std::string_view client_ip, const ProxyLookups& lookups) const {
  const std::string key = std::string(kPrefix) + real;
  auto it = rules_.find(real);
  const Rule* rule = it == rules_.end() ? nullptr : &it->second;
  const std::string not_allowed = "User: " + real + " is not allowed to impersonate " + proxy;
  if (rule == nullptr || (!rule->users && !rule->groups)) {
    return Status::error(proxy_refusal(
        real, proxy, not_allowed + " (neither " + key + ".users nor " + key + ".groups is set)"));
  }
  bool allowed = is_wildcard(rule->users) || is_wildcard(rule->groups) ||
                 (rule->users && contains(*rule->users, proxy));
  if (!allowed && rule->groups && !rule->groups->empty() && lookups.groups_of) {
    for (const auto& group : lookups.groups_of(proxy)) {
      if (contains(*rule->groups, group)) {
        allowed = true;
        break;
      }
    }
  }
  if (!allowed) {
    return Status::error(proxy_refusal(
        real, proxy, not_allowed + " (in neither " + key + ".users nor " + key + ".groups)"));
  }
  const std::string from =
      "Unauthorized connection for super-user: " + real + " from IP " + std::string(client_ip);
  if (!rule->hosts) {
    return Status::error(proxy_refusal(real, proxy, from + " (" + key + ".hosts is not set)"));
  }
  if (!rule->hosts->includes(client_ip, lookups.addresses_of)) {
    return Status::error(proxy_refusal(real, proxy, from + " (not in " + key + ".hosts)"));
  }
  return Status::ok();
}

std::vector<std::string> ProxyRules::problems() const {
  std::vector<std::string> out;
  for (const auto& [real, rule] : rules_) {
    if (!rule.hosts) continue;
    for (const auto& entry : rule.hosts->invalid()) {
      out.push_back(std::string(kPrefix) + real + ".hosts: '" + entry +
                    "' is not an address, a CIDR range or a host name; it matches nothing");
    }
  }
  return out;
}

std::string proxy_refusal(std::string_view real, std::string_view proxy, std::string_view reason) {
  return "Failed to validate proxy privilege of " + std::string(real) + " for " +
         std::string(proxy) + ": " + std::string(reason);
}

}  // namespace kitsune::session
