#include "kitsune/common/poll.h"

namespace kitsune {

awaitable<void> poll_until(std::function<bool()> done, std::chrono::milliseconds period) {
  asio::steady_timer tick(co_await asio::this_coro::executor);
  while (!done()) {
    tick.expires_after(period);
    error_code ignored;
    co_await tick.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

}  // namespace kitsune
