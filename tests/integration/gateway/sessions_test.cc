// Sessions and operations the gateway closes by itself (idle timeouts), and engines that go with
// their CONNECTION session.
#include <gtest/gtest.h>

#include <set>

#include "gateway_calls.h"
#include "gateway_process.h"
#include "raw_socket.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;

// Runs `sql` synchronously and fetches its rows, but leaves the operation open.
awaitable<Result<tcli::TOperationHandle>> execute_and_leave_open(ClientSession& session,
                                                                 std::string sql) {
  tcli::TExecuteStatementReq exec;
  exec.sessionHandle = session.handle;
  exec.statement = std::move(sql);
  auto executed = co_await session.client->execute_statement(exec);
  if (!executed) co_return executed.status();
  if (Status s = status_of(executed->status); !s.is_ok()) co_return s;
  tcli::TFetchResultsReq fetch;
  fetch.operationHandle = executed->operationHandle;
  fetch.maxRows = 10;
  auto fetched = co_await session.client->fetch_results(fetch);
  if (!fetched) co_return fetched.status();
  if (Status s = status_of(fetched->status); !s.is_ok()) co_return s;
  co_return executed->operationHandle;
}

TEST(GatewaySessions, AnUnusedSessionIsClosedAfterTheIdleTimeoutAndAUsedOneIsNot) {
  GatewayOptions o;
  o.conf = {{"kyuubi.session.idle.timeout", "PT1S"}, {"kyuubi.session.check.interval", "PT0.2S"}};
  GatewayProcess gw(o);
  HeldSession unused(gw);
  HeldSession used(gw);
  unused.expect_serves();
  // Used every 300 ms for well over the idle timeout.
  const auto until = std::chrono::steady_clock::now() + 2500ms;
  while (std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(300ms);
    Status s = used.select_one_status();
    ASSERT_TRUE(s.is_ok()) << "a session in use was closed: " << s.to_string() << "\n" << gw.log();
  }
  Status s = unused.select_one_status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidHandle)
      << "expected INVALID_HANDLE for the idle session, got " << s.to_string() << "\n"
      << gw.log();
}

TEST(GatewaySessions, AFinishedOperationLeftOpenIsClosedAfterTheOperationIdleTimeout) {
  GatewayOptions o;
  o.conf = {{"kyuubi.operation.idle.timeout", "PT1S"}, {"kyuubi.session.check.interval", "PT0.2S"}};
  GatewayProcess gw(o);
  HeldSession held(gw);
  auto op = run_for(held.io(), execute_and_leave_open(held.session(), "SELECT 1"), 30s);
  ASSERT_TRUE(op.has_value() && op->is_ok())
      << (op ? op->status().to_string() : "timed out") << "\n"
      << gw.log();
  tcli::TGetOperationStatusReq req;
  req.operationHandle = op->value();
  auto before = run_for(held.io(), held.session().client->get_operation_status(req), 30s);
  ASSERT_TRUE(before.has_value() && before->is_ok()) << gw.log();
  EXPECT_EQ((*before)->operationState, tcli::TOperationState::FINISHED_STATE)
      << (*before)->status.errorMessage;
  std::this_thread::sleep_for(2500ms);
  auto after = run_for(held.io(), held.session().client->get_operation_status(req), 30s);
  ASSERT_TRUE(after.has_value() && after->is_ok()) << gw.log();
  EXPECT_EQ((*after)->status.statusCode, tcli::TStatusCode::INVALID_HANDLE_STATUS)
      << "the idle operation is still there\n"
      << gw.log();
  held.expect_serves();  // the session itself stays
}

TEST(GatewaySessions, ConcurrentConnectionSessionsOfOneUserAllGetAWorkingEngine) {
  GatewayProcess gw;
  asio::io_context io;
  std::vector<awaitable<Result<ClientSession>>> opening;
  for (int i = 0; i < 6; ++i) {
    opening.push_back(open_client_session(gw.host(), gw.port(), false,
                                          {{"kyuubi.engine.share.level", "CONNECTION"}}));
  }
  auto sessions = run_all_for(io, std::move(opening), 30s);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    auto& s = sessions[i];
    ASSERT_TRUE(s.has_value()) << "OpenSession #" << i << " did not finish\n" << gw.log();
    ASSERT_TRUE(s->is_ok()) << "#" << i << ": " << s->status().to_string() << "\n" << gw.log();
    auto id = run_for(io, serving_engine_id(s->value()), 30s);
    ASSERT_TRUE(id.has_value()) << "#" << i << ": SET kyuubi.engine.id did not finish\n"
                                << gw.log();
    EXPECT_TRUE(id->is_ok()) << "#" << i << ": " << id->status().to_string() << "\n" << gw.log();
    if (id->is_ok()) ids.insert(id->value());
  }
  EXPECT_EQ(ids.size(), 6u) << "each CONNECTION session has an engine of its own";
}

TEST(GatewaySessions, AConnectionEngineIsGoneAfterItsSessionCloses) {
  GatewayProcess gw;
  HeldSession held(gw, {{"kyuubi.engine.share.level", "CONNECTION"},
                        {"kyuubi.session.engine.launch.async", "false"}});
  EXPECT_FALSE(held.session().server_configuration["kyuubi.engine.id"].empty())
      << "OpenSession with kyuubi.session.engine.launch.async=false names no kyuubi.engine.id";
  held.expect_serves();
  const auto engines = gw.engine_pids();
  ASSERT_EQ(engines.size(), 1u) << gw.log();
  const auto ports = listening_ports(engines.front());
  ASSERT_EQ(ports.size(), 1u) << "the engine should listen on one port";

  tcli::TCloseSessionReq close;
  close.sessionHandle = held.session().handle;
  auto closed = run_for(held.io(), held.session().client->close_session(close), 30s);
  ASSERT_TRUE(closed.has_value() && closed->is_ok()) << gw.log();
  EXPECT_TRUE(status_of((*closed)->status).is_ok()) << (*closed)->status.errorMessage;

  EXPECT_TRUE(gw.wait_for_engine_count(0, 10s)) << "the CONNECTION engine outlived its session\n"
                                                << gw.log();
  EXPECT_THROW(RawSocket("127.0.0.1", ports.front()), std::runtime_error)
      << "the engine's port still accepts connections";
}

// A result of 1,000 rows of about 600 bytes: its FetchResults reply (600 KB) is relayed in several
// pieces.
constexpr const char* kWideRows =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000) "
    "SELECT printf('%d-', x) || hex(zeroblob(300)) FROM c";

void expect_wide_rows(const Result<std::vector<std::string>>& rows, const GatewayProcess& gw) {
  ASSERT_TRUE(rows.is_ok()) << rows.status().to_string() << "\n" << gw.log();
  ASSERT_EQ(rows->size(), 1000u);
  for (std::size_t i = 0; i < rows->size(); ++i) {
    ASSERT_EQ((*rows)[i], std::to_string(i + 1) + "-" + std::string(600, '0')) << "row " << i;
  }
}

// alice's own client on a new connection: not the one that opened the session.
awaitable<Result<std::vector<std::string>>> wide_rows_from_a_new_connection(
    std::string host, int port, tcli::TSessionHandle session) {
  auto c = co_await connect_as("alice", host, port);
  if (!c) co_return c.status();
  co_return co_await query(**c, session, kWideRows);
}

TEST(GatewayRelay, ALargeReplyArrivesWholeOnTheSessionsConnectionAndOnAnother) {
  GatewayProcess gw;
  HeldSession held(gw);
  // On the connection that opened the session: streamed to it as it arrives.
  auto own = run_for(held.io(), query(held.session(), kWideRows), 60s);
  ASSERT_TRUE(own.has_value()) << "the query did not finish\n" << gw.log();
  expect_wide_rows(*own, gw);
  // On another connection of the same user: gathered on the session's strand, then written.
  asio::io_context io;
  auto other = run_for(
      io, wide_rows_from_a_new_connection(gw.host(), gw.port(), held.session().handle), 60s);
  ASSERT_TRUE(other.has_value()) << "the query did not finish\n" << gw.log();
  expect_wide_rows(*other, gw);
  // And the session's own connection still works afterwards.
  held.expect_serves();
}

}  // namespace
}  // namespace kitsune::testing
