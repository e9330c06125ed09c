// poll_until: a coroutine's wait for a condition nobody announces (a count reaching zero).
#pragma once

#include <chrono>
#include <functional>

#include "kitsune/common/asio.h"

namespace kitsune {

// Checks `done` now and then every `period` on the caller's executor; returns once it holds.
awaitable<void> poll_until(std::function<bool()> done, std::chrono::milliseconds period);

}  // namespace kitsune
