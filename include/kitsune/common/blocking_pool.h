// BlockingPool: a bounded set of threads for calls that block (SQLite, libldap, GSSAPI, waitpid),
// awaited from coroutines so that no I/O thread ever blocks.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>

#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/prefer.hpp>
#include "kitsune/common/asio.h"

namespace kitsune {

class BlockingPool {
 public:
  // Threads start on demand, up to max_threads, and end after idle_keepalive without work.
  BlockingPool(std::string name, std::size_t max_threads,
               std::chrono::milliseconds idle_keepalive = std::chrono::seconds(60));
  // Waits for queued and running tasks to finish, then joins every thread.
  ~BlockingPool();

  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Runs `fn` on a pool thread and resumes the awaiting coroutine on its own executor with the
  // result. An exception thrown by `fn` (a bug) is rethrown in the coroutine.
  //
  // Callers must name the lambda before the co_await (see kitsune/common/asio.h on g++ 12).
  template <typename F>
  auto run(F fn) -> awaitable<std::invoke_result_t<F&>> {
    using R = std::invoke_result_t<F&>;
    std::unique_ptr<Callable<R>> callable = std::make_unique<CallableOf<R, F>>(std::move(fn));
    return run_callable<R>(std::move(callable));
  }

  // Tasks waiting for a thread, and threads alive (for metrics and tests).
  std::size_t queued() const;
  std::size_t threads() const;

 private:
  struct TaskBase {
    virtual ~TaskBase() = default;
    virtual void run() = 0;
  };

  template <typename R>
  struct Callable {
    virtual ~Callable() = default;
    virtual R operator()() = 0;
  };
  template <typename R, typename F>
  struct CallableOf final : Callable<R> {
    explicit CallableOf(F f) : fn(std::move(f)) {}
    R operator()() override { return fn(); }
    F fn;
  };

  template <typename R>
  awaitable<R> run_callable(std::unique_ptr<Callable<R>> fn) {
    using F = std::unique_ptr<Callable<R>>;
    auto ex = co_await asio::this_coro::executor;
    if constexpr (std::is_void_v<R>) {
      auto initiation = [this, ex, &fn](auto handler) mutable {
        submit(std::make_unique<Task<decltype(handler), F, void>>(std::move(handler), std::move(fn),
                                                                  ex));
      };
      co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr)>(
          std::move(initiation), asio::use_awaitable);
    } else {
      auto initiation = [this, ex, &fn](auto handler) mutable {
        submit(
            std::make_unique<Task<decltype(handler), F, R>>(std::move(handler), std::move(fn), ex));
      };
      std::optional<R> out =
          co_await asio::async_initiate<const asio::use_awaitable_t<>&,
                                        void(std::exception_ptr, std::optional<R>)>(
              std::move(initiation), asio::use_awaitable);
      co_return std::move(*out);
    }
  }

  template <typename Handler, typename F, typename R>
  struct Task final : TaskBase {
    Task(Handler h, F f, asio::any_io_executor e)
        : handler(std::move(h)),
          fn(std::move(f)),
          ex(asio::prefer(std::move(e), asio::execution::outstanding_work.tracked)) {}
    void run() override {
      std::exception_ptr error;
      if constexpr (std::is_void_v<R>) {
        try {
          (*fn)();
        } catch (...) {
          error = std::current_exception();
        }
        asio::post(ex, [h = std::move(handler), error]() mutable { h(error); });
      } else {
        std::optional<R> out;
        try {
          out.emplace((*fn)());
        } catch (...) {
          error = std::current_exception();
        }
        asio::post(ex, [h = std::move(handler), error, out = std::move(out)]() mutable {
          h(error, std::move(out));
        });
      }
    }
    Handler handler;
    F fn;
    asio::any_io_executor ex;  // tracks outstanding work, so the io_context waits for the result
  };

  void submit(std::unique_ptr<TaskBase> task);
  void worker();

  const std::string name_;
  const std::size_t max_threads_;
  const std::chrono::milliseconds idle_keepalive_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<TaskBase>> queue_;
  std::size_t live_ = 0;  // threads are detached; the destructor waits until this is zero
  std::size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace kitsune
