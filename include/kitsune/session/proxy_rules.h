// Proxy users: who may open a session as another user, by Hadoop's rules
// (hadoop.proxyuser.<real>.users / .groups / .hosts, as DefaultImpersonationProvider reads them).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace kitsune::session {

// A client address, parsed: IPv4, or IPv6 (an IPv4-mapped IPv6 address counts as its IPv4).
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // the first 4 for IPv4

  // "10.0.0.1", "::1", "[::1]", "::ffff:10.0.0.1"; nullopt when it is not an address.
  static std::optional<IpAddress> parse(std::string_view text);
  // The address as text in its usual form ("10.0.0.1" for "::ffff:10.0.0.1", no brackets); text
  // that is not an address comes back as it is.
  static std::string normalize(std::string_view text);
  bool operator==(const IpAddress&) const = default;
};

// The value of hadoop.proxyuser.<real>.hosts (Hadoop's MachineList): comma-separated '*', IP
// addresses, CIDR ranges (IPv4 or IPv6) and host names, which match the addresses they resolve to.
class MachineList {
 public:
  // Entries that are neither '*', an address, a range nor a plausible host name are kept in
  // invalid() and match nothing.
  static MachineList parse(std::string_view text);

  bool allows_all() const { return all_; }
  const std::vector<std::string>& host_names() const { return host_names_; }
  const std::vector<std::string>& invalid() const { return invalid_; }

  // Whether `ip` is in the list. `addresses_of` resolves a host name to its addresses (it may
  // block); it is called only when no address or range matches.
  bool includes(
      std::string_view ip,
      const std::function<std::vector<std::string>(const std::string&)>& addresses_of) const;

 private:
  struct Range {
    IpAddress base;
    int prefix = 0;
  };
  bool all_ = false;
  std::vector<IpAddress> addresses_;
  std::vector<Range> ranges_;
  std::vector<std::string> host_names_;
  std::vector<std::string> invalid_;
};

// What checking a proxy user may need to ask the operating system; both may block.
struct ProxyLookups {
  // Every group of a user (the proxied one).
  std::function<std::vector<std::string>(const std::string& user)> groups_of;
  // The addresses a host name resolves to (textual).
  std::function<std::vector<std::string>(const std::string& host)> addresses_of;
};
// NSS groups (getgrouplist) and getaddrinfo.
ProxyLookups os_lookups();

// The hadoop.proxyuser.* rules of a server configuration. Read once from the server's own
// configuration: a client's session configuration never reaches it.
class ProxyRules {
 public:
  static ProxyRules from_conf(const config::Conf& server_conf);

  // Ok when `real` may act as `proxy` for a client at `client_ip`: the proxied user is in
  // .users, or one of its groups is in .groups (either '*' allows anyone), and the client's
  // address is in .hosts (absent: nobody). Otherwise Hadoop's reason, naming the rule that failed.
  // Blocks when it needs `lookups`: call it from a BlockingPool.
  Status authorize(const std::string& real, const std::string& proxy, std::string_view client_ip,
                   const ProxyLookups& lookups) const;

  // Problems found while reading the rules (invalid hosts entries), for a warning at startup.
  std::vector<std::string> problems() const;

 private:
  struct Rule {
    std::optional<std::vector<std::string>> users, groups;  // '*' stays an entry
    std::optional<MachineList> hosts;
  };
  std::map<std::string, Rule, std::less<>> rules_;  // by real user
};

// Kyuubi's message for a refused proxy user, with the reason after it.
std::string proxy_refusal(std::string_view real, std::string_view proxy, std::string_view reason);

}  // namespace kitsune::session
