// The one way Kitsune includes Boost.Asio: <utility> first (Boost 1.74 with g++ 12 needs it for
// coroutines), then the parts every layer uses, and short aliases.
//
// A g++ 12 bug every coroutine here must respect: a lambda with captures (or a braced aggregate
// with members that own memory) created inside an expression that contains co_await is destroyed
// twice. Name it in a statement of its own and pass it with std::move:
//     auto job = [session] { ... };              // not: co_await pool.run([session] { ... });
//     auto r = co_await pool.run(std::move(job));
// scripts/check_coroutine_temporaries.py (a CTest test) looks for the lambda form.
#pragma once

#include <cstdint>
#include <span>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kitsune {

namespace asio = boost::asio;
using asio::awaitable;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// Boost 1.74's asio::buffer predates std::span.
inline asio::const_buffer as_buffer(std::span<const std::uint8_t> s) {
  return asio::const_buffer(s.data(), s.size());
}
inline asio::mutable_buffer as_buffer(std::span<std::uint8_t> s) {
  return asio::mutable_buffer(s.data(), s.size());
}

}  // namespace kitsune
