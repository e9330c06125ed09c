// Tests of BlockingPool: work runs off the I/O thread, results and exceptions come back to the
// awaiting coroutine, threads are bounded, start on demand and end when idle.
#include "kitsune/common/blocking_pool.h"

#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "coroutine_runner.h"

namespace kitsune {
namespace {

using namespace std::chrono_literals;
using testing::CoroutineRunner;

// The functional tests below await the pool from coroutines on the io_context's own executor.
// Production awaits it from strands; DestroysEachCopyOfTheAwaitingExecutorExactlyOnce (at the
// end) checks what happens to such an executor.

TEST(BlockingPool, StartsNoThreadUntilThereIsWork) {
  BlockingPool pool("idle", 4);
  EXPECT_EQ(pool.threads(), 0u);
  EXPECT_EQ(pool.queued(), 0u);
}

TEST(BlockingPool, RunsTheCallOnAnotherThreadAndResumesOnTheCallersExecutor) {
  asio::io_context io;
  CoroutineRunner runner(io);
  BlockingPool pool("other", 2);
  std::thread::id worker;
  std::thread::id resumed;
  runner.spawn(io.get_executor(), [&]() -> awaitable<void> {
    worker = co_await pool.run([] { return std::this_thread::get_id(); });
    resumed = std::this_thread::get_id();
  });
  runner.run();
  EXPECT_NE(worker, std::thread::id());
  EXPECT_NE(worker, std::this_thread::get_id());
  EXPECT_EQ(resumed, std::this_thread::get_id());
}

TEST(BlockingPool, ReturnsValuesIncludingMoveOnlyOnes) {
  asio::io_context io;
  CoroutineRunner runner(io);
  BlockingPool pool("values", 2);
  int n = 0;
  std::string s;
  std::unique_ptr<int> p;
  runner.spawn(io.get_executor(), [&]() -> awaitable<void> {
    n = co_await pool.run([] { return 6 * 7; });
    s = co_await pool.run([] { return std::string("from the pool"); });
    p = co_await pool.run([] { return std::make_unique<int>(5); });
  });
  runner.run();
  EXPECT_EQ(n, 42);
  EXPECT_EQ(s, "from the pool");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 5);
}

TEST(BlockingPool, RunsVoidCalls) {
  asio::io_context io;
  CoroutineRunner runner(io);
  BlockingPool pool("void", 2);
  std::atomic<int> calls{0};
  bool after = false;
  runner.spawn(io.get_executor(), [&]() -> awaitable<void> {
    co_await pool.run([&] { ++calls; });
    co_await pool.run([&] { ++calls; });
    after = true;
  });
  runner.run();
  EXPECT_EQ(calls.load(), 2);
  EXPECT_TRUE(after);
}

TEST(BlockingPool, RethrowsAnExceptionInTheAwaitingCoroutine) {
  asio::io_context io;
  CoroutineRunner runner(io);
  BlockingPool pool("throws", 2);
  std::string caught_value;
  std::string caught_void;
  runner.spawn(io.get_executor(), [&]() -> awaitable<void> {
    try {
      (void)co_await pool.run([]() -> int { throw std::runtime_error("value task failed"); });
    } catch (const std::runtime_error& e) {
      caught_value = e.what();
    }
    try {
      co_await pool.run([] { throw std::logic_error("void task failed"); });
    } catch (const std::logic_error& e) {
      caught_void = e.what();
    }
  });
  runner.run();
  EXPECT_EQ(caught_value, "value task failed");
  EXPECT_EQ(caught_void, "void task failed");
}

TEST(BlockingPool, AQuickTaskIsNotStuckBehindALongOne) {
  asio::io_context io;
  CoroutineRunner runner(io);
  BlockingPool pool("quick", 2);
  // The long task blocks until the quick one has come back to its coroutine: if the quick task
  // waited for the long one's thread, neither would finish and the watchdog would fire.
  std::promise<void> release;
  auto released = release.get_future().share();
  bool long_done = false;
  bool quick_done = false;
  runner.spawn(io.get_executor(), [&]() -> awaitable<void> {
    // Named and moved: g++ 12 destroys a lambda expression with non-trivial captures twice when
    // it appears inside a co_await expression.
    auto wait_for_release = [released] { released.wait(); };
    co_await pool.run(std::move(wait_for_release));
    long_done = true;
  });
  runner.spawn(io.get_executor(), [&]() -> awaitable<void> {
    co_await pool.run([] {});
    quick_done = true;
    EXPECT_FALSE(long_done);
    release.set_value();
  });
  runner.run();
  EXPECT_TRUE(quick_done);
  EXPECT_TRUE(long_done);
}

TEST(BlockingPool, NeverRunsMoreThanMaxThreadsAtOnce) {
  asio::io_context io;
  CoroutineRunner runner(io);
  BlockingPool pool("bounded", 2);
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  std::atomic<std::size_t> most_threads{0};
  std::latch both_first(2);  // the first two tasks only end once both run at the same time
  int done = 0;
  for (int i = 0; i < 6; ++i) {
    runner.spawn(io.get_executor(), [&, i]() -> awaitable<void> {
      auto task = [&, i] {
        const int now = ++running;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::size_t t = pool.threads();
        std::size_t seen_t = most_threads.load();
        while (t > seen_t && !most_threads.compare_exchange_weak(seen_t, t)) {
        }
        if (i < 2) both_first.arrive_and_wait();
        --running;
      };
      co_await pool.run(std::move(task));
      ++done;
    });
  }
  runner.run();
  EXPECT_EQ(done, 6);
  EXPECT_EQ(most.load(), 2);
  EXPECT_LE(most_threads.load(), 2u);
}

TEST(BlockingPool, ThreadsEndAfterTheIdleKeepalive) {
  asio::io_context io;
  CoroutineRunner runner(io);
  BlockingPool pool("keepalive", 3, 20ms);
  std::size_t during = 0;
  runner.spawn(io.get_executor(), [&]() -> awaitable<void> {
    during = co_await pool.run([&] { return pool.threads(); });
  });
  runner.run();
  EXPECT_GE(during, 1u);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (pool.threads() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(pool.threads(), 0u);
}

TEST(BlockingPool, StartsThreadsAgainAfterTheyEnded) {
  asio::io_context io;
  BlockingPool pool("restart", 1, 1ms);
  for (int round = 0; round < 2; ++round) {
    CoroutineRunner runner(io);
    int v = 0;
    runner.spawn(io.get_executor(), [&]() -> awaitable<void> {
      auto task = [round] { return round + 1; };
      v = co_await pool.run(std::move(task));
    });
    runner.run();
    EXPECT_EQ(v, round + 1);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (pool.threads() != 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    EXPECT_EQ(pool.threads(), 0u);
  }
}

// An io_context executor that counts its live copies. It is small enough for any_io_executor to
// keep in place, so every copy and destruction of an any_io_executor holding it shows here; its
// destructor is trivial apart from the count, so destroying one twice is harmless.
struct CountingExecutor : asio::io_context::executor_type {
  explicit CountingExecutor(const asio::io_context::executor_type& e) noexcept
      : asio::io_context::executor_type(e) {
    ++live;
  }
  CountingExecutor(const CountingExecutor& o) noexcept : asio::io_context::executor_type(o) {
    ++live;
  }
  CountingExecutor(CountingExecutor&& o) noexcept : asio::io_context::executor_type(o) { ++live; }
  CountingExecutor& operator=(const CountingExecutor&) noexcept = default;
  CountingExecutor& operator=(CountingExecutor&&) noexcept = default;
  ~CountingExecutor() { --live; }
  static inline std::atomic<int> live{0};
};

TEST(BlockingPool, DestroysEachCopyOfTheAwaitingExecutorExactlyOnce) {
  // A strand, the executor of every production connection, lives behind a shared_ptr inside
  // any_io_executor: one destruction too many frees it while the coroutine still runs on it.
  CountingExecutor::live = 0;
  {
    asio::io_context io;
    BlockingPool pool("count", 1);
    CoroutineRunner runner(io);
    int value = 0;
    bool after_void = false;
    runner.spawn(asio::any_io_executor(CountingExecutor(io.get_executor())),
                 [&]() -> awaitable<void> {
                   co_await pool.run([] {});
                   after_void = true;
                   value = co_await pool.run([] { return 1; });
                 });
    runner.run();
    EXPECT_TRUE(after_void);
    EXPECT_EQ(value, 1);
  }
  const int balance = CountingExecutor::live.load();
  // g++ 12 destroyed a lambda written inside co_await twice; each copy must die exactly once.
  EXPECT_EQ(balance, 0);
}

}  // namespace
}  // namespace kitsune
