// Shared-object providers: dlopen, the four functions, the version check, init with the custom
// entries, and destroy at the end; plus cleaning what a provider writes.
#include "provider_library.h"

#include <dlfcn.h>
#include <string.h>

#include <array>
#include <vector>

namespace kitsune::auth {
namespace {

namespace k = config::keys;

constexpr std::string_view kKyuubiPrefix = "kyuubi.authentication.custom.";
constexpr std::string_view kKitsunePrefix = "kitsune.authentication.custom.";

// Looks a function up; the error names it, so that a provider's author knows what is missing.
Result<void*> find_symbol(void* handle, const ProviderInterface& interface, const std::string& path,
                          std::string_view function) {
  const std::string symbol = std::string(interface.prefix) + "_" + std::string(function);
  dlerror();
  void* address = dlsym(handle, symbol.c_str());
  if (address == nullptr) {
    return Status::error(std::string(interface.library_key) + ": " + path + " does not export " +
                         symbol + " (see " + std::string(interface.header) + ")");
  }
  return address;
}

}  // namespace

Result<std::shared_ptr<ProviderLibrary>> ProviderLibrary::load(const ProviderInterface& interface,
                                                               const std::string& path,
                                                               const config::Conf& conf) {
  const std::string key(interface.library_key);
  dlerror();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return Status::error(key + ": cannot load " + path + ": " + (why ? why : "unknown error"));
  }
  // Closes the library on every early return below.
  std::unique_ptr<void, int (*)(void*)> loaded(handle, dlclose);

  // In the order a provider's author would write them, so that the first missing one is named.
  void* found[4] = {};
  constexpr std::string_view kFunctions[4] = {"api_version", "init", "authenticate", "destroy"};
  for (std::size_t i = 0; i < 4; ++i) {
    auto address = find_symbol(handle, interface, path, kFunctions[i]);
    if (!address) return address.status();
    found[i] = *address;
  }
  const auto version = reinterpret_cast<VersionFn>(found[0]);
  const auto init = reinterpret_cast<InitFn>(found[1]);
  const auto destroy = reinterpret_cast<DestroyFn>(found[3]);

  const int got = version();
  if (got != interface.version) {
    return Status::error(
        key + ": " + path + " implements version " + std::to_string(got) + " of the " +
        std::string(interface.name) + " (" + std::string(interface.prefix) +
        "_api_version); this server needs version " + std::to_string(interface.version));
  }

  std::shared_ptr<ProviderLibrary> library(
      new ProviderLibrary(loaded.release(), found[2], destroy));

  // The provider's own entries, full names, in the conf's (sorted) order.
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [name, value] : conf.entries()) {
    if (name.starts_with(kKyuubiPrefix) || name.starts_with(kKitsunePrefix)) {
      keys.push_back(name.c_str());
      values.push_back(value.c_str());
    }
  }
  std::array<char, kProviderBufferBytes> error{};
  void* state = nullptr;
  const int rc = init(keys.data(), values.data(), keys.size(), &state, error.data(), error.size());
  if (rc != 0) {
    std::string why = clean_message(error.data(), error.size());
    if (why.empty()) {
      why = "its " + std::string(interface.prefix) + "_init returned " + std::to_string(rc);
    }
    return Status::error(key + ": " + path + " failed to start: " + why);
  }
  library->state_ = state;
  library->started_ = true;
  return library;
}

ProviderLibrary::~ProviderLibrary() {
  if (started_) destroy_(state_);
  dlclose(handle_);
}

Result<std::size_t> provider_pool_size(const config::Conf& conf) {
  const std::int32_t threads = conf.get(k::kAuthenticationCustomPoolSize);
  if (threads < 1) {
    return Status::error(std::string(k::kAuthenticationCustomPoolSize.name()) +
                         " must be at least 1");
  }
  return static_cast<std::size_t>(threads);
}

std::string clean_message(const char* buffer, std::size_t size) {
  const std::size_t n = strnlen(buffer, size);
  std::string out;
  out.reserve(n);
  bool pending_space = false;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(buffer[i]);
    if (c < 0x20 || c == 0x7f) {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty()) out += ' ';
    pending_space = false;
    out += static_cast<char>(c);
  }
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

}  // namespace kitsune::auth
