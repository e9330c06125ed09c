// Random bytes from the operating system's CSPRNG, for handles, secrets and ids.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace kitsune {

// Fills `out` from getrandom(2); aborts the process if the kernel cannot provide randomness,
// since every handle secret depends on it.
void random_bytes(std::span<std::uint8_t> out);

template <std::size_t N>
std::array<std::uint8_t, N> random_array() {
  std::array<std::uint8_t, N> a{};
  random_bytes(a);
  return a;
}

// A random version-4 UUID in its usual text form.
std::string random_uuid();

}  // namespace kitsune
