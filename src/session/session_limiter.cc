// SessionLimiter: deny lists and counted limits, checked and counted under one mutex so that a
// refused session leaves no count behind.
#include "kitsune/session/session_limiter.h"

#include "kitsune/common/strings.h"

namespace kitsune::session {
namespace {

namespace k = config::keys;

// Counter keys per limit, so that a user named like an address never shares its counter.
std::string user_key(const std::string& user) {
  return "user " + user;
}
std::string ip_key(const std::string& ip) {
  return "ip " + ip;
}
std::string user_ip_key(const std::string& user, const std::string& ip) {
  return "user:ip " + user + ":" + ip;
}

std::set<std::string> trimmed_set(const config::List& list) {
  std::set<std::string> out;
  for (const auto& entry : list) {
    auto t = trim(entry);
    if (!t.empty()) out.emplace(t);
  }
  return out;
}

bool blank(const std::string& s) {
  return trim(s).empty();
}

}  // namespace

SessionLimits SessionLimits::from_conf(const config::Conf& server_conf) {
  SessionLimits out;
  out.per_user = server_conf.get_if_set(k::kServerLimitConnectionsPerUser).value_or(0);
  out.per_ipaddress = server_conf.get_if_set(k::kServerLimitConnectionsPerIpaddress).value_or(0);
  out.per_user_ipaddress =
      server_conf.get_if_set(k::kServerLimitConnectionsPerUserIpaddress).value_or(0);
  out.unlimited_users = trimmed_set(server_conf.get(k::kServerLimitConnectionsUserUnlimitedList));
  out.deny_users = trimmed_set(server_conf.get(k::kServerLimitConnectionsUserDenyList));
  out.deny_ips = trimmed_set(server_conf.get(k::kServerLimitConnectionsIpDenyList));
  return out;
}

bool SessionLimits::any() const {
  return per_user > 0 || per_ipaddress > 0 || per_user_ipaddress > 0 || !deny_users.empty() ||
         !deny_ips.empty();
}

void SessionLimiter::Ticket::release() {
  std::shared_ptr<SessionLimiter> limiter;
  {
    std::lock_guard lock(mu_);
    limiter = std::move(limiter_);
    limiter_.reset();
  }
  if (limiter) limiter->release(keys_);
}

SessionLimits SessionLimiter::limits() const {
  std::lock_guard lock(mu_);
  return limits_;
}

void SessionLimiter::refresh_lists(const SessionLimits& from) {
  std::lock_guard lock(mu_);
  limits_.unlimited_users = from.unlimited_users;
  limits_.deny_users = from.deny_users;
  limits_.deny_ips = from.deny_ips;
}

std::shared_ptr<SessionLimiter> SessionLimiter::create(SessionLimits limits) {
  return std::shared_ptr<SessionLimiter>(new SessionLimiter(std::move(limits)));
}

Result<std::unique_ptr<SessionLimiter::Ticket>> SessionLimiter::acquire(const std::string& user,
                                                                        const std::string& ip) {
  // The lists may be refreshed under us: decide on a copy taken under the lock.
  SessionLimits l;
  {
    std::lock_guard lock(mu_);
    l = limits_;
  }
  // Kyuubi's order and words (SessionLimiterWithAccessControlListImpl, SessionLimiterImpl).
  if (!blank(user) && l.deny_users.contains(user)) {
    return Status::error(
        "Connection denied because the user is in the deny user list. (user: " + user + ")");
  }
  if (!blank(ip) && l.deny_ips.contains(ip)) {
    return Status::error(
        "Connection denied because the client ip is in the deny ip list. (ipAddress: " + ip + ")");
  }
  std::vector<std::string> keys;
  if (!l.unlimited_users.contains(user)) {
    struct Check {
      int limit;
      std::string key;
      std::string refusal;
    };
    std::vector<Check> checks;
    if (l.per_user_ipaddress > 0 && !blank(user) && !blank(ip)) {
      const std::string n = std::to_string(l.per_user_ipaddress);
      checks.push_back({l.per_user_ipaddress, user_ip_key(user, ip),
                        "Connection limit per user:ipaddress reached (user:ipaddress: " + user +
                            ":" + ip + " limit: " + n + ")"});
    }
    if (l.per_user > 0 && !blank(user)) {
      const std::string n = std::to_string(l.per_user);
      checks.push_back({l.per_user, user_key(user),
                        "Connection limit per user reached (user: " + user + " limit: " + n + ")"});
    }
    if (l.per_ipaddress > 0 && !blank(ip)) {
      const std::string n = std::to_string(l.per_ipaddress);
      checks.push_back(
          {l.per_ipaddress, ip_key(ip),
           "Connection limit per ipaddress reached (ipaddress: " + ip + " limit: " + n + ")"});
    }
    std::lock_guard lock(mu_);
    for (const auto& check : checks) {
      auto it = counts_.find(check.key);
      if (it != counts_.end() && it->second >= check.limit) return Status::error(check.refusal);
    }
    for (auto& check : checks) {
      ++counts_[check.key];
      keys.push_back(std::move(check.key));
    }
  }
  return std::unique_ptr<Ticket>(new Ticket(shared_from_this(), std::move(keys)));
}

void SessionLimiter::release(const std::vector<std::string>& keys) {
  std::lock_guard lock(mu_);
  for (const auto& key : keys) {
    auto it = counts_.find(key);
    if (it == counts_.end()) continue;
    if (--it->second <= 0) counts_.erase(it);
  }
}

int SessionLimiter::count(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = counts_.find(key);
  return it == counts_.end() ? 0 : it->second;
}

int SessionLimiter::count_of_user(const std::string& user) const {
  return count(user_key(user));
}

int SessionLimiter::count_of_ipaddress(const std::string& ip) const {
  return count(ip_key(ip));
}

int SessionLimiter::count_of_user_ipaddress(const std::string& user, const std::string& ip) const {
  return count(user_ip_key(user, ip));
}

}  // namespace kitsune::session
