// Handle: the 16-byte public id and 16-byte secret of a session or operation handle.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace kitsune {

// Both halves come from the CSPRNG. The guid names the object; the secret proves the caller got
// the handle from us, and is compared in constant time.
struct Handle {
  std::array<std::uint8_t, 16> guid{};
  std::array<std::uint8_t, 16> secret{};

  static Handle random();
  // From the wire's binary fields; nullopt unless both are exactly 16 bytes.
  static std::optional<Handle> from_bytes(std::string_view guid, std::string_view secret);

  std::string guid_bytes() const;
  std::string secret_bytes() const;
  // The guid as a UUID string (what logs and GetQueryId show); never the secret.
  std::string id() const;
  // Constant-time check of the secret.
  bool secret_matches(const Handle& other) const;
  // The map key of a UUID string as id() writes it (dashes optional, any case); nullopt when it
  // is not one.
  static std::optional<std::string> key_from_id(std::string_view id);
  // Map key: the guid bytes.
  std::string key() const { return guid_bytes(); }
};

}  // namespace kitsune
