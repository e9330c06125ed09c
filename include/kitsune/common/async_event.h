// AsyncEvent: lets coroutines wait, with a deadline, for something another thread announces.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>

#include "kitsune/common/asio.h"

namespace kitsune {

// A broadcast signal with a generation counter, the coroutine counterpart of a condition
// variable. A waiter reads generation() before it checks the state it cares about, then waits
// with that generation: a notify_all() that happened in between makes the wait return at once,
// so no wake-up is lost.
//
// notify_all() may be called from any thread. wait_until() must be awaited from a coroutine that
// runs on a strand (or a single-threaded io_context): the wake-up is posted to the waiter's
// executor and must not run concurrently with it.
class AsyncEvent {
 public:
  using Clock = std::chrono::steady_clock;

  std::uint64_t generation() const;

  // Wakes every waiter registered now.
  void notify_all();

  // Returns true when notified (or when the generation already moved past `seen`), false when
  // the deadline passed first.
  awaitable<bool> wait_until(std::uint64_t seen, Clock::time_point deadline);

 private:
  struct Waiter {
    explicit Waiter(const asio::any_io_executor& ex) : timer(ex) {}
    asio::steady_timer timer;
    bool notified = false;
  };

  mutable std::mutex mu_;
  std::uint64_t generation_ = 0;
  std::list<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace kitsune
