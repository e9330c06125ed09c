// Sessions of several users on one io_context for the access tests: open (with a proxy user or
// any session configuration), close, disconnect, and what the session says about its user.
#pragma once

#include <chrono>
#include <optional>
#include <regex>
#include <string>

#include "gateway_calls.h"
#include "gateway_process.h"

namespace kitsune::testing {

class Sessions {
 public:
  explicit Sessions(const GatewayProcess& gw) : gw_(gw) {}

  // Connects as `user` (SASL PLAIN) and opens a session with `conf`; the server's refusal comes
  // back as an error carrying its message.
  Result<ClientSession> open(const std::string& user, SessionConf conf = {});
  // The refusal message of an OpenSession that must fail (a gtest failure if it succeeds).
  std::string refusal(const std::string& user, SessionConf conf = {});
  // CloseSession; the session's connection stays.
  Status close(ClientSession& session);
  // SELECT 1.
  Status select_one(ClientSession& session);
  // GetInfo CLI_USER_NAME: the user the engine session runs as.
  Result<std::string> user_name(ClientSession& session);
  // The value of `SET key` in the session ("key=value", or "key is undefined").
  Result<std::string> set_value(ClientSession& session, const std::string& key);

  // Keeps opening sessions of `user` until one opens or `timeout` passes (a count the server
  // gives back after a disconnect or an idle timeout takes a moment).
  Result<ClientSession> open_within(const std::string& user, std::chrono::milliseconds timeout,
                                    SessionConf conf = {});

  asio::io_context& io() { return io_; }

 private:
  template <typename T>
  T run(awaitable<T> work);

  const GatewayProcess& gw_;
  asio::io_context io_;
};

// Whether the server's log has a line matching `pattern` within a few seconds.
bool log_has(const GatewayProcess& gw, const std::string& pattern);

}  // namespace kitsune::testing
