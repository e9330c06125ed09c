// AsyncEvent: a generation counter plus a list of timer-backed waiters.
#include "kitsune/common/async_event.h"

namespace kitsune {

std::uint64_t AsyncEvent::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

void AsyncEvent::notify_all() {
  std::list<std::shared_ptr<Waiter>> woken;
  {
    std::lock_guard lock(mu_);
    ++generation_;
    woken.swap(waiters_);
    for (auto& w : woken)
      w->notified = true;
  }
  for (auto& w : woken) {
    // Runs on the waiter's executor, so it never races the waiter itself. Setting the expiry in
    // the past both cancels a pending wait and makes a wait that has not started yet return.
    asio::post(w->timer.get_executor(), [w] { w->timer.expires_at(Clock::time_point::min()); });
  }
}

awaitable<bool> AsyncEvent::wait_until(std::uint64_t seen, Clock::time_point deadline) {
  auto ex = co_await asio::this_coro::executor;
  auto waiter = std::make_shared<Waiter>(ex);
  {
    std::lock_guard lock(mu_);
    if (generation_ != seen) co_return true;
    waiter->timer.expires_at(deadline);
    waiters_.push_back(waiter);
  }
  error_code ec;
  co_await waiter->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  std::lock_guard lock(mu_);
  if (!waiter->notified) waiters_.remove(waiter);
  co_return waiter->notified;
}

}  // namespace kitsune
