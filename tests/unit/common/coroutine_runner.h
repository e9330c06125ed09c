// CoroutineRunner: runs test coroutines on an io_context in the test thread until every one has
// ended, with a watchdog so that a test that would hang fails instead.
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <utility>

#include <gtest/gtest.h>

#include "kitsune/common/asio.h"

namespace kitsune::testing {

class CoroutineRunner {
 public:
  explicit CoroutineRunner(asio::io_context& io,
                           std::chrono::milliseconds limit = std::chrono::seconds(10))
      : io_(io), watchdog_(io), limit_(limit) {}

  // Starts `f()` (a callable returning awaitable<void>) on `ex` when run() is called.
  template <typename F>
  void spawn(const asio::any_io_executor& ex, F&& f) {
    ++left_;
    asio::co_spawn(ex, std::forward<F>(f), [this](std::exception_ptr e) {
      if (e && !error_) error_ = e;
      if (--left_ == 0) io_.stop();
    });
  }

  // Starts `f()` on a strand of its own.
  template <typename F>
  void spawn(F&& f) {
    spawn(asio::make_strand(io_), std::forward<F>(f));
  }

  // Runs the io_context in this thread until every spawned coroutine has ended; rethrows the
  // first exception one of them let out; fails the test if the watchdog fired first.
  void run() {
    fired_ = false;
    watchdog_.expires_after(limit_);
    watchdog_.async_wait([this](const error_code& ec) {
      if (ec) return;
      fired_ = true;
      io_.stop();
    });
    io_.restart();
    io_.run();
    watchdog_.cancel();
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
    if (fired_) ADD_FAILURE() << left_ << " coroutine(s) still running when the watchdog fired";
  }

  bool timed_out() const { return fired_; }

 private:
  asio::io_context& io_;
  asio::steady_timer watchdog_;
  std::chrono::milliseconds limit_;
  std::size_t left_ = 0;
  std::exception_ptr error_;
  bool fired_ = false;
};

}  // namespace kitsune::testing
