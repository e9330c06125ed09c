// ZooKeeperOptions: Kyuubi's kyuubi.ha.* keys, and the retry policies of its Curator client.
#include <algorithm>
#include <random>

#include "kitsune/common/strings.h"
#include "kitsune/config/keys.h"
#include "kitsune/discovery/discovery.h"

namespace kitsune::discovery {
namespace {

namespace k = config::keys;
using std::chrono::milliseconds;

Result<ZooKeeperOptions::RetryPolicy> parse_policy(const std::string& text) {
  using P = ZooKeeperOptions::RetryPolicy;
  const std::string t = to_upper(std::string(trim(text)));
  if (t == "ONE_TIME") return P::kOneTime;
  if (t == "N_TIME") return P::kNTime;
  if (t == "EXPONENTIAL_BACKOFF") return P::kExponentialBackoff;
  if (t == "BOUNDED_EXPONENTIAL_BACKOFF") return P::kBoundedExponentialBackoff;
  if (t == "UNTIL_ELAPSED") return P::kUntilElapsed;
  return Status::error("kyuubi.ha.zookeeper.connection.retry.policy: unknown policy '" + text +
                       "'");
}

Status positive(std::string_view key, std::int64_t value) {
  if (value > 0) return Status::ok();
  return Status::error(std::string(key) + ": " + std::to_string(value) + " is not positive");
}

// A random multiplier in [1, 2^(attempt+1)], as Curator's exponential backoff draws it.
std::int64_t backoff_factor(int attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const int shift = std::clamp(attempt + 1, 1, 29);
  std::uniform_int_distribution<std::int64_t> pick(1, std::int64_t{1} << shift);
  return pick(rng);
}

}  // namespace

Result<ZooKeeperOptions> ZooKeeperOptions::from_conf(const config::Conf& conf, bool for_engine) {
  ZooKeeperOptions o;
  o.addresses = std::string(trim(conf.get(k::kHaAddresses)));
  if (o.addresses.empty()) return Status::error("kyuubi.ha.addresses is empty");
  const std::string client_class = conf.get(k::kHaClientClass);
  if (!client_class.ends_with("ZookeeperDiscoveryClient")) {
    return Status::unsupported("kyuubi.ha.client.class=" + client_class +
                               ": Kitsune discovers through ZooKeeper only "
                               "(org.apache.kyuubi.ha.client.zookeeper.ZookeeperDiscoveryClient)");
  }
  o.session_timeout = milliseconds(conf.get(k::kHaZookeeperSessionTimeout));
  o.connection_timeout = milliseconds(conf.get(k::kHaZookeeperConnectionTimeout));
  o.base_retry_wait = milliseconds(conf.get(k::kHaZookeeperConnectionBaseRetryWait));
  o.max_retry_wait = milliseconds(conf.get(k::kHaZookeeperConnectionMaxRetryWait));
  o.max_retries = conf.get(k::kHaZookeeperConnectionMaxRetries);
  o.node_creation_timeout = conf.get(k::kHaZookeeperNodeCreationTimeout);
  KITSUNE_RETURN_IF_ERROR(
      positive(k::kHaZookeeperSessionTimeout.name(), o.session_timeout.count()));
  KITSUNE_RETURN_IF_ERROR(
      positive(k::kHaZookeeperConnectionTimeout.name(), o.connection_timeout.count()));
  KITSUNE_RETURN_IF_ERROR(
      positive(k::kHaZookeeperNodeCreationTimeout.name(), o.node_creation_timeout.count()));
  if (o.base_retry_wait.count() < 0 || o.max_retry_wait.count() < 0 || o.max_retries < 0) {
    return Status::error(
        "kyuubi.ha.zookeeper.connection.*: retry waits and counts must not be "
        "negative");
  }
  auto policy = parse_policy(conf.get(k::kHaZookeeperConnectionRetryPolicy));
  if (!policy) return policy.status();
  o.retry_policy = *policy;

  const auto& auth_key = for_engine ? k::kHaZookeeperEngineAuthType : k::kHaZookeeperAuthType;
  const std::string auth = to_upper(conf.get(auth_key));
  if (auth == "KERBEROS") {
    return Status::unsupported(
        std::string(auth_key.name()) +
        "=KERBEROS: the ZooKeeper C client of this build (Debian's libzookeeper-mt) has no SASL "
        "support; use DIGEST or NONE");
  }
  if (auth == "DIGEST") {
    o.digest = conf.get(k::kHaZookeeperAuthDigest);
    const auto colon = o.digest.find(':');
    if (colon == std::string::npos || colon == 0) {
      return Status::error(std::string(auth_key.name()) +
                           "=DIGEST needs kyuubi.ha.zookeeper.auth.digest as user:password");
    }
  }
  return o;
}

std::optional<milliseconds> ZooKeeperOptions::retry_wait(int attempt, milliseconds elapsed) const {
  switch (retry_policy) {
    case RetryPolicy::kOneTime:
      if (attempt >= 1) return std::nullopt;
      return base_retry_wait;
    case RetryPolicy::kNTime:
      if (attempt >= max_retries) return std::nullopt;
      return base_retry_wait;
    case RetryPolicy::kExponentialBackoff:
      if (attempt >= max_retries) return std::nullopt;
      return base_retry_wait * backoff_factor(attempt);
    case RetryPolicy::kBoundedExponentialBackoff:
      if (attempt >= max_retries) return std::nullopt;
      return std::min(max_retry_wait, base_retry_wait * backoff_factor(attempt));
    case RetryPolicy::kUntilElapsed:
      if (elapsed >= max_retry_wait) return std::nullopt;
      return base_retry_wait;
  }
  return std::nullopt;
}

}  // namespace kitsune::discovery
