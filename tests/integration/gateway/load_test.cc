// Many sessions at once: a fixed number of gateway threads, and engine launches that queue
// behind kyuubi.server.limit.engine.startup instead of failing.
#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <regex>
#include <sstream>

#include "gateway_calls.h"
#include "gateway_process.h"
#include "raw_socket.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;

// Runs all of `work` concurrently on one io_context; returns the failures, or a line per one
// that did not finish.
std::vector<std::string> failures_of(std::vector<awaitable<Status>> work,
                                     std::chrono::milliseconds timeout) {
  asio::io_context io;
  auto results = run_all_for(io, std::move(work), timeout);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (!results[i]) {
      out.push_back("#" + std::to_string(i) + ": did not finish");
    } else if (!results[i]->is_ok()) {
      out.push_back("#" + std::to_string(i) + ": " + results[i]->to_string());
    }
  }
  return out;
}

std::string first_of(const std::vector<std::string>& lines, std::size_t n = 5) {
  std::string out;
  for (std::size_t i = 0; i < lines.size() && i < n; ++i)
    out += lines[i] + "\n";
  return out;
}

// Sessions that wait for each other: each opens, runs SELECT 1, then stays open until all have
// got that far (so that all are open at once), and closes.
struct Rendezvous {
  std::size_t expected = 0;
  std::size_t arrived = 0;
  std::function<void()> when_all_arrived;

  awaitable<void> arrive_and_wait() {
    if (++arrived == expected && when_all_arrived) when_all_arrived();
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (arrived < expected) {
      timer.expires_after(10ms);
      co_await timer.async_wait(asio::use_awaitable);
    }
  }
};

awaitable<Status> open_select_meet_close(std::string user, std::string host, int port,
                                         Rendezvous& rendezvous) {
  auto session = co_await open_client_session_as(user, host, port, false);
  Status selected = session.is_ok() ? Status::ok() : session.status();
  if (session.is_ok()) selected = co_await select_one(*session);
  co_await rendezvous.arrive_and_wait();  // also on failure, so that the others are not held up
  if (!selected.is_ok()) co_return Status::error(user + ": " + selected.message());
  tcli::TCloseSessionReq close;
  close.sessionHandle = session->handle;
  auto closed = co_await session->client->close_session(close);
  if (!closed) co_return Status::error(user + ": CloseSession: " + closed.status().message());
  co_return status_of(closed->status);
}

TEST(GatewayLoad, TwoHundredConcurrentSessionsAllSucceedOnAFixedNumberOfThreads) {
  GatewayProcess gw;
  const int before = gw.thread_count();
  ASSERT_GT(before, 0);
  Rendezvous rendezvous;
  rendezvous.expected = 200;
  int while_open = -1;
  rendezvous.when_all_arrived = [&gw, &while_open] { while_open = gw.thread_count(); };
  std::vector<awaitable<Status>> work;
  for (int user = 0; user < 10; ++user) {
    for (int i = 0; i < 20; ++i) {
      work.push_back(
          open_select_meet_close("user" + std::to_string(user), gw.host(), gw.port(), rendezvous));
    }
  }
  const auto failed = failures_of(std::move(work), 60s);
  EXPECT_TRUE(failed.empty()) << failed.size() << " of 200 sessions failed, for example:\n"
                              << first_of(failed) << gw.log();
  const int after = gw.thread_count();
  std::cout << "gateway threads: " << before << " before, " << while_open
            << " with 200 sessions open, " << after << " after\n";
  EXPECT_LE(while_open, before + 8)
      << "threads before: " << before << ", with 200 sessions open: " << while_open;
  EXPECT_LE(after, before + 8) << "threads before: " << before << ", after: " << after;
  EXPECT_EQ(gw.engine_pids().size(), 10u) << "one USER engine for each of the ten users";
}

TEST(GatewayLoad, WithALaunchCapOfOneFiveUsersOpeningAtOnceAllGetTheirEngines) {
  GatewayOptions o;
  o.conf = {{"kyuubi.server.limit.engine.startup", "1"}};
  GatewayProcess gw(o);
  std::vector<awaitable<Status>> work;
  for (int user = 0; user < 5; ++user) {
    work.push_back(open_select_close("user" + std::to_string(user), gw.host(), gw.port(),
                                     {{"kyuubi.session.engine.launch.async", "false"}}));
  }
  const auto failed = failures_of(std::move(work), 60s);
  EXPECT_TRUE(failed.empty()) << failed.size() << " of 5 sessions failed:\n"
                              << first_of(failed) << gw.log();
  EXPECT_EQ(gw.engine_pids().size(), 5u) << gw.log();
  // From the gateway's lifecycle lines: never two launches under way at once.
  const std::regex launching("launching LOCAL engine "), registered("engine \\S+ registered at ");
  int under_way = 0, most = 0, launches = 0;
  std::istringstream lines(gw.log());
  for (std::string line; std::getline(lines, line);) {
    if (std::regex_search(line, launching)) {
      most = std::max(most, ++under_way);
      ++launches;
    } else if (std::regex_search(line, registered)) {
      --under_way;
    }
  }
  EXPECT_EQ(launches, 5) << gw.log();
  EXPECT_EQ(most, 1) << "launches overlapped despite kyuubi.server.limit.engine.startup=1\n"
                     << gw.log();
}

}  // namespace
}  // namespace kitsune::testing
