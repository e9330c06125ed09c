// The one way Kitsune includes Boost.Asio: <utility> first (Boost 1.74 with g++ 12 needs it for
// coroutines), then the parts every layer uses, and short aliases.
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
