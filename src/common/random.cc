// CSPRNG access through getrandom(2).
#include "kitsune/common/random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "kitsune/common/strings.h"

namespace kitsune {

void random_bytes(std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::perror("getrandom");
      std::abort();
    }
    done += static_cast<std::size_t>(n);
  }
}

std::string random_uuid() {
  auto b = random_array<16>();
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  return uuid_string(b);
}

}  // namespace kitsune
