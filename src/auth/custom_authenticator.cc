// The CUSTOM password provider: a shared object implementing kitsune/auth/custom_provider.h,
// loaded once at startup (provider_library.h) and called on a BlockingPool of its own.
#include "providers.h"

#include <array>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "kitsune/auth/custom_provider.h"
#include "kitsune/common/blocking_pool.h"
#include "kitsune/common/log.h"
#include "provider_library.h"

namespace kitsune::auth {
namespace {

namespace k = config::keys;

// The loader calls these three through its own types: they must be the header's.
static_assert(std::is_same_v<kitsune_auth_provider_api_version_fn, ProviderLibrary::VersionFn>);
static_assert(std::is_same_v<kitsune_auth_provider_init_fn, ProviderLibrary::InitFn>);
static_assert(std::is_same_v<kitsune_auth_provider_destroy_fn, ProviderLibrary::DestroyFn>);

// Runs on a pool thread.
Status check(const ProviderLibrary& library, const std::string& user, const std::string& password,
             const std::string& address) {
  std::array<char, kProviderBufferBytes> message{};
  const int rc = library.authenticate<kitsune_auth_provider_authenticate_fn>()(
      library.state(), user.c_str(), password.c_str(), address.c_str(), message.data(),
      message.size());
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

class CustomAuthenticator final : public PasswordAuthenticator {
 public:
  CustomAuthenticator(std::shared_ptr<const ProviderLibrary> library, std::size_t threads)
      : library_(std::move(library)),
        pool_(std::make_unique<BlockingPool>("custom-auth", threads)) {}
  ~CustomAuthenticator() override {
    // Drain the calls in flight before the library can go.
    pool_.reset();
  }

  std::string_view name() const override { return "CUSTOM"; }

  awaitable<Status> authenticate(const std::string& user, const std::string& password,
                                 const ClientInfo& client) override {
    auto call = [library = library_, user, password = std::string(password),
                 address = client.address]() mutable {
      Status s = check(*library, user, password, address);
      wipe(password);
      return s;
    };
    co_return co_await pool_->run(std::move(call));
  }

 private:
  std::shared_ptr<const ProviderLibrary> library_;
  std::unique_ptr<BlockingPool> pool_;
};

}  // namespace

Result<std::shared_ptr<PasswordAuthenticator>> make_custom_authenticator(const config::Conf& conf) {
  const std::string_view key = k::kAuthenticationCustomLibrary.name();
  const std::string path = conf.get(k::kAuthenticationCustomLibrary);
  if (path.empty()) {
    return Status::error(std::string(key) +
                         " is not set: kyuubi.authentication=CUSTOM needs the path of a shared "
                         "object implementing include/kitsune/auth/custom_provider.h");
  }
  auto threads = provider_pool_size(conf);
  if (!threads) return threads.status();
  const ProviderInterface interface {
    key, "kitsune_auth_provider", "include/kitsune/auth/custom_provider.h", "provider interface",
        KITSUNE_AUTH_PROVIDER_API_VERSION
  };
  auto library = ProviderLibrary::load(interface, path, conf);
  if (!library) return library.status();
  logger("auth")->info("CUSTOM password provider {} loaded ({} threads)", path, *threads);
  return std::shared_ptr<PasswordAuthenticator>(
      std::make_shared<CustomAuthenticator>(std::move(*library), *threads));
}

}  // namespace kitsune::auth
