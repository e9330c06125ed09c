// The CUSTOM password provider: a shared object implementing kitsune/auth/custom_provider.h,
// loaded once at startup and called on a BlockingPool of its own.
#include "providers.h"

#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "kitsune/auth/custom_provider.h"
#include "kitsune/common/blocking_pool.h"
#include "kitsune/common/log.h"

namespace kitsune::auth {
namespace {

namespace k = config::keys;

constexpr std::size_t kMessageBytes = 1024;
constexpr std::string_view kKyuubiPrefix = "kyuubi.authentication.custom.";
constexpr std::string_view kKitsunePrefix = "kitsune.authentication.custom.";

// What a provider wrote into a buffer: up to the first NUL (or the buffer's end, for a provider
// that forgot it), each run of control characters as one space, trimmed, so that a message
// cannot forge log lines or terminal escapes.
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

// The loaded library and the provider's state; destroy and dlclose when the last user goes,
// which is after the pool (whose tasks hold a reference) has drained.
class Library {
 public:
  Library(void* handle, kitsune_auth_provider_authenticate_fn authenticate,
          kitsune_auth_provider_destroy_fn destroy)
      : handle_(handle), authenticate_(authenticate), destroy_(destroy) {}
  ~Library() {
    if (started_) destroy_(state_);
    dlclose(handle_);
  }
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  void started(void* state) {
    state_ = state;
    started_ = true;
  }

  // Runs on a pool thread.
  Status check(const std::string& user, const std::string& password,
               const std::string& address) const {
    std::array<char, kMessageBytes> message{};
    const int rc = authenticate_(state_, user.c_str(), password.c_str(), address.c_str(),
                                 message.data(), message.size());
    const std::string text = clean_message(message.data(), message.size());
    if (rc == KITSUNE_AUTH_ACCEPTED) return Status::ok();
    if (rc == KITSUNE_AUTH_REFUSED) {
      return Status::unauthenticated(text.empty() ? "refused by the CUSTOM authentication provider"
                                                  : text);
    }
    std::string why = "the CUSTOM authentication provider is unavailable";
    if (rc != KITSUNE_AUTH_UNAVAILABLE) why += " (it returned " + std::to_string(rc) + ")";
    if (!text.empty()) why += ": " + text;
    return Status::unavailable(std::move(why));
  }

 private:
  void* handle_;
  kitsune_auth_provider_authenticate_fn authenticate_;
  kitsune_auth_provider_destroy_fn destroy_;
  void* state_ = nullptr;
  bool started_ = false;
};

class CustomAuthenticator final : public PasswordAuthenticator {
 public:
  CustomAuthenticator(std::shared_ptr<Library> library, std::size_t threads)
      : library_(std::move(library)),
        pool_(std::make_unique<BlockingPool>("custom-auth", threads)) {}
  ~CustomAuthenticator() override {
    // Drain the calls in flight before the library can go.
    pool_.reset();
  }

  std::string_view name() const override { return "CUSTOM"; }

  awaitable<Status> authenticate(const std::string& user, const std::string& password,
                                 const ClientInfo& client) override {
    auto check = [library = library_, user, password = std::string(password),
                  address = client.address]() mutable {
      Status s = library->check(user, password, address);
      std::fill(password.begin(), password.end(), '\0');
      return s;
    };
    co_return co_await pool_->run(std::move(check));
  }

 private:
  std::shared_ptr<Library> library_;
  std::unique_ptr<BlockingPool> pool_;
};

// Looks a symbol up; the error names it, so that a provider's author knows what is missing.
template <typename Fn>
Status find_symbol(void* handle, const std::string& path, const char* symbol, Fn* out) {
  dlerror();
  void* address = dlsym(handle, symbol);
  if (address == nullptr) {
    return Status::error(std::string(k::kAuthenticationCustomLibrary.name()) + ": " + path +
                         " does not export " + symbol +
                         " (see include/kitsune/auth/custom_provider.h)");
  }
  *out = reinterpret_cast<Fn>(address);
  return Status::ok();
}

}  // namespace

Result<std::shared_ptr<PasswordAuthenticator>> make_custom_authenticator(const config::Conf& conf) {
  const std::string key(k::kAuthenticationCustomLibrary.name());
  const std::string path = conf.get(k::kAuthenticationCustomLibrary);
  if (path.empty()) {
    return Status::error(key +
                         " is not set: kyuubi.authentication=CUSTOM needs the path of a shared "
                         "object implementing include/kitsune/auth/custom_provider.h");
  }
  const std::int32_t threads = conf.get(k::kAuthenticationCustomPoolSize);
  if (threads < 1) {
    return Status::error(std::string(k::kAuthenticationCustomPoolSize.name()) +
                         " must be at least 1");
  }

  dlerror();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return Status::error(key + ": cannot load " + path + ": " + (why ? why : "unknown error"));
  }
  // Closes the library on every early return below.
  std::unique_ptr<void, int (*)(void*)> loaded(handle, dlclose);

  kitsune_auth_provider_api_version_fn version = nullptr;
  kitsune_auth_provider_init_fn init = nullptr;
  kitsune_auth_provider_authenticate_fn authenticate = nullptr;
  kitsune_auth_provider_destroy_fn destroy = nullptr;
  KITSUNE_RETURN_IF_ERROR(find_symbol(handle, path, "kitsune_auth_provider_api_version", &version));
  KITSUNE_RETURN_IF_ERROR(find_symbol(handle, path, "kitsune_auth_provider_init", &init));
  KITSUNE_RETURN_IF_ERROR(
      find_symbol(handle, path, "kitsune_auth_provider_authenticate", &authenticate));
  KITSUNE_RETURN_IF_ERROR(find_symbol(handle, path, "kitsune_auth_provider_destroy", &destroy));

  const int got = version();
  if (got != KITSUNE_AUTH_PROVIDER_API_VERSION) {
    return Status::error(key + ": " + path + " implements version " + std::to_string(got) +
                         " of the provider interface (kitsune_auth_provider_api_version); this "
                         "server needs version " +
                         std::to_string(KITSUNE_AUTH_PROVIDER_API_VERSION));
  }

  auto library = std::make_shared<Library>(loaded.release(), authenticate, destroy);

  // The provider's own entries, full names, in the conf's (sorted) order.
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [name, value] : conf.entries()) {
    if (name.starts_with(kKyuubiPrefix) || name.starts_with(kKitsunePrefix)) {
      keys.push_back(name.c_str());
      values.push_back(value.c_str());
    }
  }
  std::array<char, kMessageBytes> error{};
  void* state = nullptr;
  const int rc = init(keys.data(), values.data(), keys.size(), &state, error.data(), error.size());
  if (rc != 0) {
    std::string why = clean_message(error.data(), error.size());
    if (why.empty()) why = "its kitsune_auth_provider_init returned " + std::to_string(rc);
    return Status::error(key + ": " + path + " failed to start: " + why);
  }
  library->started(state);
  logger("auth")->info("CUSTOM password provider {} loaded ({} threads)", path, threads);
  return std::shared_ptr<PasswordAuthenticator>(
      std::make_shared<CustomAuthenticator>(std::move(library), static_cast<std::size_t>(threads)));
}

}  // namespace kitsune::auth
