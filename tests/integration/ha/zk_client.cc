#include "zk_client.h"

#include <stdexcept>
#include <thread>

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;

void ignore_events(zhandle_t*, int, int, const char*, void*) {}

}  // namespace

ZkClient::ZkClient(const std::string& connect_string, const std::string& digest) {
  zoo_set_debug_level(static_cast<ZooLogLevel>(0));
  zh_ = zookeeper_init(connect_string.c_str(), ignore_events, 30000, nullptr, nullptr, 0);
  if (zh_ == nullptr) throw std::runtime_error("zookeeper_init failed for " + connect_string);
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (zoo_state(zh_) != ZOO_CONNECTED_STATE) {
    if (std::chrono::steady_clock::now() > deadline) {
      zookeeper_close(zh_);
      throw std::runtime_error("no connection to ZooKeeper at " + connect_string);
    }
    std::this_thread::sleep_for(20ms);
  }
  if (!digest.empty()) {
    zoo_add_auth(zh_, "digest", digest.data(), static_cast<int>(digest.size()), nullptr, nullptr);
  }
}

ZkClient::~ZkClient() {
  if (zh_) zookeeper_close(zh_);
}

std::vector<std::string> ZkClient::children(const std::string& path) const {
  String_vector strings{};
  std::vector<std::string> out;
  if (zoo_get_children(zh_, path.c_str(), 0, &strings) != ZOK) return out;
  for (int i = 0; i < strings.count; ++i)
    out.emplace_back(strings.data[i]);
  deallocate_String_vector(&strings);
  return out;
}

bool ZkClient::exists(const std::string& path) const {
  return zoo_exists(zh_, path.c_str(), 0, nullptr) == ZOK;
}

std::optional<std::string> ZkClient::get(const std::string& path) const {
  std::string buffer(64 * 1024, '\0');
  int len = static_cast<int>(buffer.size());
  if (zoo_get(zh_, path.c_str(), 0, buffer.data(), &len, nullptr) != ZOK) return std::nullopt;
  buffer.resize(len > 0 ? static_cast<std::size_t>(len) : 0);
  return buffer;
}

int ZkClient::remove(const std::string& path) const {
  return zoo_delete(zh_, path.c_str(), -1);
}

std::vector<std::string> ZkClient::acl(const std::string& path) const {
  ACL_vector acl{};
  Stat stat{};
  std::vector<std::string> out;
  if (zoo_get_acl(zh_, path.c_str(), &acl, &stat) != ZOK) return out;
  for (int i = 0; i < acl.count; ++i) {
    out.push_back(std::string(acl.data[i].id.scheme) + ":" + acl.data[i].id.id + "=" +
                  std::to_string(acl.data[i].perms));
  }
  deallocate_ACL_vector(&acl);
  return out;
}

std::map<std::string, std::string> name_pairs(const std::string& name) {
  std::map<std::string, std::string> pairs;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find(';', start);
    if (end == std::string::npos) end = name.size();
    const std::string part = name.substr(start, end - start);
    const auto eq = part.find('=');
    if (eq != std::string::npos) pairs[part.substr(0, eq)] = part.substr(eq + 1);
    start = end + 1;
  }
  return pairs;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return condition();
}

}  // namespace kitsune::testing
