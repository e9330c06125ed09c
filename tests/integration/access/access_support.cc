// Sessions helpers for the access tests, on the project's own client.
#include "access_support.h"

#include <gtest/gtest.h>

#include <thread>

#include "raw_socket.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;

constexpr auto kCallTimeout = 60s;

awaitable<Result<std::string>> get_user_name(ClientSession& session) {
  tcli::TGetInfoReq req;
  req.sessionHandle = session.handle;
  req.infoType = tcli::TGetInfoType::CLI_USER_NAME;
  auto resp = co_await session.client->get_info(req);
  if (!resp) co_return resp.status();
  if (Status s = status_of(resp->status); !s.is_ok()) co_return s;
  co_return resp->infoValue.stringValue;
}

awaitable<Result<std::string>> get_set_value(ClientSession& session, std::string key) {
  auto rows = co_await query(session, "SET " + key);
  if (!rows) co_return rows.status();
  if (rows->size() != 1) {
    co_return Status::error("SET " + key + " returned " + std::to_string(rows->size()) + " rows");
  }
  co_return rows->front();
}

awaitable<Status> close_session(ClientSession& session) {
  tcli::TCloseSessionReq req;
  req.sessionHandle = session.handle;
  auto resp = co_await session.client->close_session(req);
  if (!resp) co_return resp.status();
  co_return status_of(resp->status);
}

}  // namespace

template <typename T>
T Sessions::run(awaitable<T> work) {
  auto out = run_for(io_, std::move(work), kCallTimeout);
  if (!out) return Status::timed_out("the call did not finish in time\n" + gw_.log());
  return std::move(*out);
}

Result<ClientSession> Sessions::open(const std::string& user, SessionConf conf) {
  return run(open_client_session_as(user, gw_.host(), gw_.port(), false, std::move(conf)));
}

std::string Sessions::refusal(const std::string& user, SessionConf conf) {
  auto s = open(user, std::move(conf));
  EXPECT_FALSE(s.is_ok()) << user << "'s session was opened";
  return s ? std::string() : s.status().message();
}

Status Sessions::close(ClientSession& session) {
  return run(close_session(session));
}

Status Sessions::select_one(ClientSession& session) {
  return run(testing::select_one(session));
}

Result<std::string> Sessions::user_name(ClientSession& session) {
  return run(get_user_name(session));
}

Result<std::string> Sessions::set_value(ClientSession& session, const std::string& key) {
  return run(get_set_value(session, key));
}

Result<ClientSession> Sessions::open_within(const std::string& user,
                                            std::chrono::milliseconds timeout, SessionConf conf) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto s = open(user, conf);
    if (s || std::chrono::steady_clock::now() >= until) return s;
    std::this_thread::sleep_for(100ms);
  }
}

bool log_has(const GatewayProcess& gw, const std::string& pattern) {
  return gw.wait_for_log(std::regex(pattern), 5s);
}

}  // namespace kitsune::testing
