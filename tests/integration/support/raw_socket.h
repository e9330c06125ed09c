// RawSocket and small helpers for tests that speak bytes to a server directly, plus a way to
// run a coroutine to completion from a test.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kitsune/common/asio.h"

namespace kitsune::testing {

// A blocking TCP client socket.
class RawSocket {
 public:
  RawSocket(const std::string& host, int port);
  ~RawSocket();
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  // Sends everything; false if the peer has gone.
  bool send(const std::vector<std::uint8_t>& bytes);
  bool send(const std::string& bytes);
  // Reads what arrives until the peer closes or the timeout passes. closed tells which.
  std::vector<std::uint8_t> read_until_closed(std::chrono::milliseconds timeout, bool* closed);
  // Reads exactly n bytes, or fewer if the peer closes or the timeout passes.
  std::vector<std::uint8_t> read_exactly(std::size_t n, std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
};

std::vector<std::uint8_t> be32(std::uint32_t v);
std::vector<std::uint8_t> sasl_message(std::uint8_t status, const std::string& payload);
// A SASL PLAIN login the way PyHive sends it, then returns nothing: the caller reads the reply.
std::vector<std::uint8_t> plain_login(const std::string& user, const std::string& password);

// Runs a coroutine on a private io_context until it finishes and returns its value.
template <typename T>
T run_coroutine(awaitable<T> coroutine) {
  asio::io_context io;
  std::optional<T> out;
  std::exception_ptr error;
  // co_spawn keeps the function object alive in the spawned frame, so capturing is safe.
  asio::co_spawn(
      io,
      [&out, c = std::move(coroutine)]() mutable -> awaitable<void> {
        out.emplace(co_await std::move(c));
      },
      [&error](std::exception_ptr e) { error = e; });
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

// Runs coroutines concurrently on `io` until all finish or `timeout` passes. `io` may be used
// again afterwards, so that clients connected in one call keep their sockets for the next. An
// entry is nullopt when its coroutine had not finished in time (it is left suspended on `io`).
template <typename T>
std::vector<std::optional<T>> run_all_for(asio::io_context& io,
                                          std::vector<awaitable<T>> coroutines,
                                          std::chrono::milliseconds timeout) {
  struct Progress {
    std::exception_ptr error;
    std::size_t done = 0;
  };
  auto progress = std::make_shared<Progress>();
  // A cell per coroutine, owned by its frame too: one left behind may still finish later.
  std::vector<std::shared_ptr<std::optional<T>>> cells;
  for (auto& coroutine : coroutines) {
    auto cell = std::make_shared<std::optional<T>>();
    cells.push_back(cell);
    asio::co_spawn(
        io,
        [cell, c = std::move(coroutine)]() mutable -> awaitable<void> {
          cell->emplace(co_await std::move(c));
        },
        [progress](std::exception_ptr e) {
          if (e && !progress->error) progress->error = e;
          ++progress->done;
        });
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (progress->done < cells.size() && std::chrono::steady_clock::now() < deadline) {
    if (io.stopped()) io.restart();
    io.run_one_until(deadline);
  }
  if (progress->error) std::rethrow_exception(progress->error);
  std::vector<std::optional<T>> out;
  for (auto& cell : cells)
    out.push_back(std::move(*cell));
  return out;
}

// One coroutine on `io`, as run_all_for.
template <typename T>
std::optional<T> run_for(asio::io_context& io, awaitable<T> coroutine,
                         std::chrono::milliseconds timeout) {
  std::vector<awaitable<T>> one;
  one.push_back(std::move(coroutine));
  return std::move(run_all_for(io, std::move(one), timeout).front());
}

}  // namespace kitsune::testing
