// ZkClient: the ZooKeeper C client's synchronous calls, to look at (and meddle with) what the
// gateways keep in ZooKeeper, as an admin or a Hive JDBC driver would.
#pragma once

#include <zookeeper/zookeeper.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kitsune::testing {

class ZkClient {
 public:
  // Connects (waiting up to 30 s); throws when it cannot. With `digest` ("user:password") it
  // authenticates with it.
  explicit ZkClient(const std::string& connect_string, const std::string& digest = "");
  ~ZkClient();
  ZkClient(const ZkClient&) = delete;
  ZkClient& operator=(const ZkClient&) = delete;

  // The children of `path` (empty when it does not exist).
  std::vector<std::string> children(const std::string& path) const;
  bool exists(const std::string& path) const;
  // The data of `path`, nullopt when it does not exist.
  std::optional<std::string> get(const std::string& path) const;
  // zoo_delete's return code.
  int remove(const std::string& path) const;
  // The ACL of `path` as "scheme:id=perms" entries (empty when it does not exist).
  std::vector<std::string> acl(const std::string& path) const;

 private:
  zhandle_t* zh_ = nullptr;
};

// "a=1;b=2" as pairs, each split at its first '='.
std::map<std::string, std::string> name_pairs(const std::string& name);

// Polls `condition` every 100 ms until it holds or `timeout` passes; returns its last value.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

}  // namespace kitsune::testing
