// RawSocket and small helpers for tests that speak bytes to a server directly, plus a way to
// run a coroutine to completion from a test.
#pragma once

#include <chrono>
#include <cstdint>
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

}  // namespace kitsune::testing
