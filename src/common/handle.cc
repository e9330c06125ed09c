// Handle creation, conversion and secret comparison.
#include "kitsune/common/handle.h"

#include "kitsune/common/random.h"
#include "kitsune/common/strings.h"

namespace kitsune {

Handle Handle::random() {
  Handle h;
  random_bytes(h.guid);
  random_bytes(h.secret);
  return h;
}

std::optional<Handle> Handle::from_bytes(std::string_view guid, std::string_view secret) {
  if (guid.size() != 16 || secret.size() != 16) return std::nullopt;
  Handle h;
  std::copy(guid.begin(), guid.end(), h.guid.begin());
  std::copy(secret.begin(), secret.end(), h.secret.begin());
  return h;
}

std::string Handle::guid_bytes() const {
  return std::string(guid.begin(), guid.end());
}

std::string Handle::secret_bytes() const {
  return std::string(secret.begin(), secret.end());
}

std::string Handle::id() const {
  return uuid_string(guid);
}

bool Handle::secret_matches(const Handle& other) const {
  return constant_time_equals(
      std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size()),
      std::string_view(reinterpret_cast<const char*>(other.secret.data()), other.secret.size()));
}

std::optional<std::string> Handle::key_from_id(std::string_view id) {
  std::string digits;
  for (char c : id) {
    if (c == '-') continue;
    digits.push_back(c);
  }
  if (digits.size() != 32) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < 32; i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = nibble(digits[i]);
    const int lo = nibble(digits[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

}  // namespace kitsune
