// The Bearer token provider: a shared object implementing kitsune/auth/token_provider.h, loaded
// once at startup (provider_library.h) and called on a BlockingPool of its own.
#include "kitsune/auth/token_authenticator.h"

#include <array>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>

#include "kitsune/auth/token_provider.h"
#include "kitsune/common/blocking_pool.h"
#include "kitsune/common/log.h"
#include "provider_library.h"

namespace kitsune::auth {
namespace {

namespace k = config::keys;

// The loader calls these three through its own types: they must be the header's.
static_assert(std::is_same_v<kitsune_token_provider_api_version_fn, ProviderLibrary::VersionFn>);
static_assert(std::is_same_v<kitsune_token_provider_init_fn, ProviderLibrary::InitFn>);
static_assert(std::is_same_v<kitsune_token_provider_destroy_fn, ProviderLibrary::DestroyFn>);

bool has_control_character(std::string_view s) {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Runs on a pool thread. Messages never hold the token: the provider's are scrubbed of it, and
// Kitsune's own name the client's address at most.
Result<std::string> check(const ProviderLibrary& library, const std::string& token,
                          const std::string& address) {
  std::array<char, kProviderBufferBytes> user{};
  std::array<char, kProviderBufferBytes> message{};
  const int rc = library.authenticate<kitsune_token_provider_authenticate_fn>()(
      library.state(), token.c_str(), address.c_str(), user.data(), user.size(), message.data(),
      message.size());
  const std::string text = redact(clean_message(message.data(), message.size()), token);
  if (rc == KITSUNE_TOKEN_ACCEPTED) {
    const std::size_t n = strnlen(user.data(), user.size());
    const std::string_view name(user.data(), n);
    const char* wrong = nullptr;
    if (n == user.size()) {
      wrong = "a user name that does not fit its buffer";
    } else if (n == 0) {
      wrong = "no user name";
    } else if (has_control_character(name)) {
      wrong = "a user name with control characters";
    }
    if (wrong == nullptr) return std::string(name);
    // A provider's bug, which only its admin can fix: say so in the server log too.
    logger("auth")->warn("the Bearer token provider accepted a token from {} but returned {}",
                         address, wrong);
    return Status::unauthenticated(
        std::string("the Bearer token provider accepted the token but returned ") + wrong);
  }
  if (rc == KITSUNE_TOKEN_REFUSED) {
    return Status::unauthenticated(text.empty() ? "the Bearer token was refused" : text);
  }
  std::string why = "the Bearer token provider is unavailable";
  if (rc != KITSUNE_TOKEN_UNAVAILABLE) why += " (it returned " + std::to_string(rc) + ")";
  if (!text.empty()) why += ": " + text;
  return Status::unavailable(std::move(why));
}

class ProviderTokenAuthenticator final : public TokenAuthenticator {
 public:
  ProviderTokenAuthenticator(std::shared_ptr<const ProviderLibrary> library, std::size_t threads)
      : library_(std::move(library)),
        pool_(std::make_unique<BlockingPool>("token-auth", threads)) {}
  ~ProviderTokenAuthenticator() override {
    // Drain the calls in flight before the library can go.
    pool_.reset();
  }

  awaitable<Result<std::string>> authenticate(const std::string& token,
                                              const ClientInfo& client) override {
    if (token.empty()) co_return Status::unauthenticated("empty Bearer token");
    // No HTTP header holds one; a NUL would also cut what the provider sees.
    if (has_control_character(token)) {
      co_return Status::unauthenticated("malformed Bearer token: control characters");
    }
    auto call = [library = library_, token = std::string(token),
                 address = client.address]() mutable {
      Result<std::string> r = check(*library, token, address);
      wipe(token);
      return r;
    };
    co_return co_await pool_->run(std::move(call));
  }

 private:
  std::shared_ptr<const ProviderLibrary> library_;
  std::unique_ptr<BlockingPool> pool_;
};

}  // namespace

Result<std::shared_ptr<TokenAuthenticator>> make_token_authenticator(const config::Conf& conf) {
  const std::string_view key = k::kAuthenticationCustomBearerLibrary.name();
  const std::string path = conf.get(k::kAuthenticationCustomBearerLibrary);
  if (path.empty()) return std::shared_ptr<TokenAuthenticator>();

  // Kyuubi offers Bearer only when its HTTP Basic method is CUSTOM; a library set under any
  // other configuration would be silently ignored there, which hides a mistake.
  auto settings = read_auth_settings(conf);
  if (!settings) return settings.status();
  if (settings->password_provider != "CUSTOM") {
    const std::string first =
        settings->password_provider.empty() ? "no password method" : settings->password_provider;
    return Status::error(std::string(key) +
                         " is set, but Bearer tokens are accepted only when CUSTOM is the first "
                         "password method in kyuubi.authentication (here: " +
                         first + ")");
  }

  auto threads = provider_pool_size(conf);
  if (!threads) return threads.status();
  const ProviderInterface interface {
    key, "kitsune_token_provider", "include/kitsune/auth/token_provider.h",
        "token provider interface", KITSUNE_TOKEN_PROVIDER_API_VERSION
  };
  auto library = ProviderLibrary::load(interface, path, conf);
  if (!library) return library.status();
  logger("auth")->info("Bearer token provider {} loaded ({} threads)", path, *threads);
  return std::shared_ptr<TokenAuthenticator>(
      std::make_shared<ProviderTokenAuthenticator>(std::move(*library), *threads));
}

}  // namespace kitsune::auth
