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

}  // namespace kitsune
