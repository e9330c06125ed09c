// Tests of AsyncEvent: generation-based wake-ups, deadlines, and notification from other threads.
#include "kitsune/common/async_event.h"

#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "coroutine_runner.h"

namespace kitsune {
namespace {

using namespace std::chrono_literals;
using Clock = AsyncEvent::Clock;
using testing::CoroutineRunner;

TEST(AsyncEvent, NotifyBeforeWaitWithAStaleGenerationReturnsAtOnce) {
  asio::io_context io;
  CoroutineRunner runner(io);
  AsyncEvent event;
  const std::uint64_t seen = event.generation();
  event.notify_all();
  EXPECT_EQ(event.generation(), seen + 1);

  bool notified = false;
  Clock::duration took{};
  runner.spawn([&]() -> awaitable<void> {
    const auto start = Clock::now();
    notified = co_await event.wait_until(seen, start + 10s);
    took = Clock::now() - start;
  });
  runner.run();
  EXPECT_TRUE(notified);
  EXPECT_LT(took, 1s);
}

TEST(AsyncEvent, WaitReturnsFalseWhenTheDeadlinePassesFirst) {
  asio::io_context io;
  CoroutineRunner runner(io);
  AsyncEvent event;
  bool notified = true;
  Clock::duration took{};
  runner.spawn([&]() -> awaitable<void> {
    const auto start = Clock::now();
    notified = co_await event.wait_until(event.generation(), start + 30ms);
    took = Clock::now() - start;
  });
  runner.run();
  EXPECT_FALSE(notified);
  EXPECT_GE(took, 30ms);
  EXPECT_LT(took, 2s);
}

TEST(AsyncEvent, ANotifyBeforeTheGenerationWasReadDoesNotWakeTheWaiter) {
  asio::io_context io;
  CoroutineRunner runner(io);
  AsyncEvent event;
  event.notify_all();
  bool notified = true;
  runner.spawn([&]() -> awaitable<void> {
    notified = co_await event.wait_until(event.generation(), Clock::now() + 20ms);
  });
  runner.run();
  EXPECT_FALSE(notified);
}

TEST(AsyncEvent, NotifyWakesEveryWaiterAlreadySuspended) {
  asio::io_context io;
  CoroutineRunner runner(io);
  AsyncEvent event;
  int woken = 0;
  Clock::duration longest{};
  const auto start = Clock::now();
  // The waiters are spawned first, so on this single thread each runs up to its suspension
  // before the notifier runs.
  for (int i = 0; i < 3; ++i) {
    runner.spawn([&]() -> awaitable<void> {
      const std::uint64_t seen = event.generation();
      if (co_await event.wait_until(seen, Clock::now() + 10s)) ++woken;
      longest = std::max(longest, Clock::now() - start);
    });
  }
  runner.spawn([&]() -> awaitable<void> {
    event.notify_all();
    co_return;
  });
  runner.run();
  EXPECT_EQ(woken, 3);
  EXPECT_LT(longest, 1s);
}

TEST(AsyncEvent, NotifyFromAnotherThreadWakesACoroutineOnAStrand) {
  asio::io_context io;
  CoroutineRunner runner(io);
  AsyncEvent event;
  std::promise<void> about_to_wait;
  std::thread notifier([&event, ready = about_to_wait.get_future()]() mutable {
    ready.wait();
    event.notify_all();
  });
  bool notified = false;
  Clock::duration took{};
  runner.spawn(asio::make_strand(io), [&]() -> awaitable<void> {
    const auto start = Clock::now();
    const std::uint64_t seen = event.generation();
    about_to_wait.set_value();
    notified = co_await event.wait_until(seen, start + 10s);
    took = Clock::now() - start;
  });
  runner.run();
  notifier.join();
  EXPECT_TRUE(notified);
  EXPECT_LT(took, 5s);
}

TEST(AsyncEvent, AWaiterCanWaitAgainAfterBeingWoken) {
  asio::io_context io;
  CoroutineRunner runner(io);
  AsyncEvent event;
  bool first = false;
  bool second = true;
  runner.spawn([&]() -> awaitable<void> {
    const std::uint64_t seen = event.generation();
    event.notify_all();
    first = co_await event.wait_until(seen, Clock::now() + 10s);
    second = co_await event.wait_until(event.generation(), Clock::now() + 20ms);
  });
  runner.run();
  EXPECT_TRUE(first);
  EXPECT_FALSE(second);
}

}  // namespace
}  // namespace kitsune
