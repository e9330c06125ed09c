// Shared-object providers (custom_provider.h, token_provider.h): loading, version, init, destroy,
// and cleaning what they write, once for both interfaces.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "kitsune/common/status.h"
#include "kitsune/common/strings.h"
#include "kitsune/config/conf.h"

namespace kitsune::auth {

// What one provider interface calls its parts. Its four functions are named <prefix>_api_version,
// <prefix>_init, <prefix>_authenticate and <prefix>_destroy; only authenticate's signature
// differs between interfaces.
struct ProviderInterface {
  std::string_view library_key;  // the key naming the shared object, first in every error
  std::string_view prefix;       // "kitsune_auth_provider"
  std::string_view header;       // "include/kitsune/auth/custom_provider.h", for a missing symbol
  std::string_view name;         // "provider interface", as in "implements version 2 of the ..."
  int version;                   // the version this server implements
};

// A provider loaded and started. Its destructor calls destroy and unloads the library, so the
// last reference must go after the last authenticate call has returned (pool tasks hold one).
class ProviderLibrary {
 public:
  using VersionFn = int (*)();
  using InitFn = int (*)(const char* const*, const char* const*, std::size_t, void**, char*,
                         std::size_t);
  using DestroyFn = void (*)(void*);

  // dlopens `path`, finds the four functions, checks the version and calls init with the conf's
  // kyuubi.authentication.custom.* and kitsune.authentication.custom.* entries. Every error
  // starts with "<library_key>: " and says what to fix. On the server's main thread.
  static Result<std::shared_ptr<ProviderLibrary>> load(const ProviderInterface& interface,
                                                       const std::string& path,
                                                       const config::Conf& conf);

  ~ProviderLibrary();
  ProviderLibrary(const ProviderLibrary&) = delete;
  ProviderLibrary& operator=(const ProviderLibrary&) = delete;

  // The state init returned, for authenticate.
  void* state() const { return state_; }
  // The interface's authenticate function, as the caller's type (which must be the one the
  // interface's header declares).
  template <typename Fn>
  Fn authenticate() const {
    return reinterpret_cast<Fn>(authenticate_);
  }

 private:
  ProviderLibrary(void* handle, void* authenticate, DestroyFn destroy)
      : handle_(handle), authenticate_(authenticate), destroy_(destroy) {}

  void* handle_;
  void* authenticate_;
  DestroyFn destroy_;
  void* state_ = nullptr;
  bool started_ = false;
};

// The size of the buffers a provider writes messages and user names into.
inline constexpr std::size_t kProviderBufferBytes = 1024;

// kitsune.authentication.custom.pool.size, or an error naming it when it is below 1.
Result<std::size_t> provider_pool_size(const config::Conf& conf);

// What a provider wrote into a buffer: up to the first NUL (or the buffer's end, for a provider
// that forgot it), each run of control characters as one space, trimmed, so that a message
// cannot forge log lines or terminal escapes.
std::string clean_message(const char* buffer, std::size_t size);

}  // namespace kitsune::auth
