// SIGTERM: the gateway lets a running statement finish, closes its sessions, stops the engines it
// launched and exits 0.
#include <gtest/gtest.h>

#include <signal.h>

#include <iostream>
#include <thread>

#include "gateway_calls.h"
#include "gateway_process.h"
#include "raw_socket.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;

// About two seconds of SQLite work on an idle machine (3 million rows take 0.4 s of CPU).
constexpr const char* kSlowQuery =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 15000000) "
    "SELECT count(*) FROM c";

std::string ms_since(std::chrono::steady_clock::time_point t) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t)
          .count());
}

constexpr auto kPauseBeforeFetch = std::chrono::milliseconds(300);

struct Outcome {
  bool finished = false;                      // FINISHED_STATE, and the rows fetched
  std::string count;                          // the one row, when finished
  Status error;                               // what the client was told otherwise
  std::chrono::milliseconds after_signal{0};  // from SIGTERM to the statement's end
};

// Starts the slow query asynchronously, sends SIGTERM to `server` as soon as it has been accepted
// (GetOperationStatus long-polls, so the first poll may only answer at the end), and follows it
// to its end as a client would.
awaitable<Outcome> run_through_sigterm(ClientSession& session, pid_t server) {
  Outcome out;
  tcli::TExecuteStatementReq exec;
  exec.sessionHandle = session.handle;
  exec.statement = kSlowQuery;
  exec.__set_runAsync(true);
  auto executed = co_await session.client->execute_statement(exec);
  if (!executed) {
    out.error = executed.status();
    co_return out;
  }
  if (Status s = status_of(executed->status); !s.is_ok()) {
    out.error = s;
    co_return out;
  }
  kill(server, SIGTERM);
  const auto signalled = std::chrono::steady_clock::now();
  tcli::TGetOperationStatusReq status_req;
  status_req.operationHandle = executed->operationHandle;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    auto st = co_await session.client->get_operation_status(status_req);
    if (!st) {
      out.error = st.status();
      co_return out;
    }
    if (Status s = status_of(st->status); !s.is_ok()) {
      out.error = Status(s.code(), "GetOperationStatus " + ms_since(signalled) +
                                       " ms after SIGTERM: " + s.message());
      co_return out;
    }
    const auto state = st->operationState;
    if (state == tcli::TOperationState::FINISHED_STATE) {
      out.after_signal = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - signalled);
      // A client may take a moment before it fetches (PyHive sleeps between polls); the results
      // of a statement the gateway let finish must still be there.
      timer.expires_after(kPauseBeforeFetch);
      co_await timer.async_wait(asio::use_awaitable);
      break;
    }
    if (state != tcli::TOperationState::RUNNING_STATE &&
        state != tcli::TOperationState::PENDING_STATE &&
        state != tcli::TOperationState::INITIALIZED_STATE) {
      out.error = Status::error("the statement ended in state " + std::to_string(state) + ": " +
                                st->errorMessage);
      co_return out;
    }
    timer.expires_after(100ms);
    co_await timer.async_wait(asio::use_awaitable);
  }
  tcli::TFetchResultsReq fetch;
  fetch.operationHandle = executed->operationHandle;
  fetch.maxRows = 10;
  auto fetched = co_await session.client->fetch_results(fetch);
  if (!fetched) {
    out.error = fetched.status();
    co_return out;
  }
  if (Status s = status_of(fetched->status); !s.is_ok()) {
    out.error = Status(s.code(),
                       "FetchResults " + ms_since(signalled) + " ms after SIGTERM: " + s.message());
    co_return out;
  }
  const auto& cols = fetched->results.columns;
  if (!cols.empty() && cols[0].__isset.i64Val && cols[0].i64Val.values.size() == 1) {
    out.count = std::to_string(cols[0].i64Val.values[0]);
  }
  out.finished = true;
  tcli::TCloseOperationReq close;
  close.operationHandle = executed->operationHandle;
  (void)co_await session.client->close_operation(close);
  co_return out;
}

TEST(GatewayShutdown, SigtermLetsARunningQueryFinishThenStopsTheEnginesAndExitsZero) {
  GatewayProcess gw;
  HeldSession held(gw);
  held.expect_serves();  // the engine is up
  ASSERT_EQ(gw.engine_pids().size(), 1u) << gw.log();

  auto outcome = run_for(held.io(), run_through_sigterm(held.session(), gw.pid()), 40s);
  ASSERT_TRUE(outcome.has_value()) << "the client hung after SIGTERM\n" << gw.log();
  if (outcome->finished) {
    EXPECT_EQ(outcome->count, "15000000");
    // Evidence that SIGTERM came while the statement still ran.
    std::cout << "the statement finished " << outcome->after_signal.count()
              << " ms after SIGTERM\n";
  } else {
    // An error is acceptable when it tells the client why; a handle the gateway dropped under it,
    // or a connection cut, is not (the statement needs far less than the shutdown timeout).
    EXPECT_NE(outcome->error.code(), StatusCode::kInvalidHandle)
        << "the gateway dropped the statement it should have let finish: "
        << outcome->error.to_string() << "\n"
        << gw.log();
    EXPECT_NE(outcome->error.code(), StatusCode::kUnavailable)
        << "the connection was cut: " << outcome->error.to_string() << "\n"
        << gw.log();
    EXPECT_FALSE(outcome->error.message().empty()) << gw.log();
  }
  EXPECT_EQ(gw.wait_exit(35s), 0) << gw.log();
  EXPECT_TRUE(gw.wait_for_engine_count(0, 10s)) << "engines outlived the gateway\n" << gw.log();
}

// A synchronous ExecuteStatement holds the session's engine connection until it ends; past the
// drain deadline the gateway ends it through a connection of its own.
awaitable<Result<tcli::TStatus>> execute_synchronously(ClientSession& session, std::string sql) {
  tcli::TExecuteStatementReq exec;
  exec.sessionHandle = session.handle;
  exec.statement = std::move(sql);
  exec.__set_runAsync(false);
  auto executed = co_await session.client->execute_statement(exec);
  if (!executed) co_return executed.status();
  co_return executed->status;
}

TEST(GatewayShutdown, SigtermEndsASynchronousStatementThatOutlastsTheDrainAndExitsZero) {
  GatewayOptions options;
  options.conf = {{"kitsune.server.shutdown.timeout", "PT2S"}};
  GatewayProcess gw(options);
  HeldSession held(gw);
  held.expect_serves();
  const auto started = std::chrono::steady_clock::now();
  std::thread signaller([&] {
    std::this_thread::sleep_for(500ms);
    kill(gw.pid(), SIGTERM);
  });
  auto status = run_for(held.io(),
                        execute_synchronously(held.session(),
                                              "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
                                              "SELECT x + 1 FROM c) SELECT count(*) FROM c"),
                        30s);
  signaller.join();
  ASSERT_TRUE(status.has_value()) << "the client hung after SIGTERM\n" << gw.log();
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(status->is_ok()) << "the connection was cut: " << status->status().to_string() << "\n"
                               << gw.log();
  EXPECT_NE((*status)->statusCode, tcli::TStatusCode::SUCCESS_STATUS);
  EXPECT_FALSE((*status)->errorMessage.empty());
  std::cout << "the client was told, " << ms_since(started)
            << " ms after it started: " << (*status)->errorMessage << "\n";
  EXPECT_LT(waited, 10s) << gw.log();
  EXPECT_EQ(gw.wait_exit(15s), 0) << gw.log();
  EXPECT_TRUE(gw.wait_for_engine_count(0, 10s)) << "engines outlived the gateway\n" << gw.log();
}

}  // namespace
}  // namespace kitsune::testing
