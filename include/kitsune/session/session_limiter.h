// SessionLimiter: Kyuubi's limits on open sessions per user, per client IP address and per
// user:address pair, and its deny lists (kyuubi.server.limit.connections.*).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace kitsune::session {

struct SessionLimits {
  // Zero or less: no limit.
  int per_user = 0;
  int per_ipaddress = 0;
  int per_user_ipaddress = 0;
  std::set<std::string> unlimited_users;  // the numeric limits do not apply to them
  std::set<std::string> deny_users;       // always refused (wins over unlimited_users)
  std::set<std::string> deny_ips;         // always refused

  static SessionLimits from_conf(const config::Conf& server_conf);
  // Whether anything is limited or denied at all.
  bool any() const;
};

// Thread-safe: sessions open and close on many strands at once.
class SessionLimiter : public std::enable_shared_from_this<SessionLimiter> {
 public:
  // What one admitted session counts against; releasing it (or destroying it) gives the counts
  // back exactly once.
  class Ticket {
   public:
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() { release(); }
    // Idempotent; may race with itself on other threads.
    void release();

   private:
    friend class SessionLimiter;
    Ticket(std::shared_ptr<SessionLimiter> limiter, std::vector<std::string> keys)
        : limiter_(std::move(limiter)), keys_(std::move(keys)) {}
    std::mutex mu_;
    std::shared_ptr<SessionLimiter> limiter_;  // null once released
    std::vector<std::string> keys_;            // the counters this ticket incremented
  };

  static std::shared_ptr<SessionLimiter> create(SessionLimits limits);

  // Admits one more session of `user` from `ip`, or refuses it with Kyuubi's message (deny lists
  // first, then the user:address, user and address limits; nothing is counted on refusal).
  // Blank user or address: the limits keyed by it do not apply.
  Result<std::unique_ptr<Ticket>> acquire(const std::string& user, const std::string& ip);

  // Open sessions counted against each limit.
  int count_of_user(const std::string& user) const;
  int count_of_ipaddress(const std::string& ip) const;
  int count_of_user_ipaddress(const std::string& user, const std::string& ip) const;

  SessionLimits limits() const;
  // Takes the user and address lists of `from` (POST /admin/refresh/...); counts stay.
  void refresh_lists(const SessionLimits& from);

 private:
  explicit SessionLimiter(SessionLimits limits) : limits_(std::move(limits)) {}
  void release(const std::vector<std::string>& keys);
  int count(const std::string& key) const;

  SessionLimits limits_;  // the lists change on refresh: under mu_
  mutable std::mutex mu_;
  std::map<std::string, int, std::less<>> counts_;  // only keys with a count above zero
};

}  // namespace kitsune::session
