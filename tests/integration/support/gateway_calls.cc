// Statement and handle helpers for the gateway tests.
#include "gateway_calls.h"
#include "os_helpers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "raw_socket.h"

namespace kitsune::testing {
namespace {

bool succeeded(const tcli::TStatus& s) {
  return s.statusCode == tcli::TStatusCode::SUCCESS_STATUS ||
         s.statusCode == tcli::TStatusCode::SUCCESS_WITH_INFO_STATUS;
}

bool is_null(const std::string& nulls, std::size_t row) {
  return row / 8 < nulls.size() && ((static_cast<unsigned char>(nulls[row / 8]) >> (row % 8)) & 1);
}

template <typename Column>
void append_text(const Column& column, std::vector<std::string>& out) {
  for (std::size_t i = 0; i < column.values.size(); ++i) {
    if (is_null(column.nulls, i)) {
      out.push_back("NULL");
    } else if constexpr (std::is_same_v<std::decay_t<decltype(column.values[i])>, std::string>) {
      out.push_back(column.values[i]);
    } else {
      out.push_back(std::to_string(column.values[i]));
    }
  }
}

std::vector<std::string> first_column(const tcli::TRowSet& rows) {
  std::vector<std::string> out;
  if (rows.columns.empty()) return out;
  const tcli::TColumn& c = rows.columns[0];
  if (c.__isset.boolVal) append_text(c.boolVal, out);
  if (c.__isset.byteVal) append_text(c.byteVal, out);
  if (c.__isset.i16Val) append_text(c.i16Val, out);
  if (c.__isset.i32Val) append_text(c.i32Val, out);
  if (c.__isset.i64Val) append_text(c.i64Val, out);
  if (c.__isset.doubleVal) append_text(c.doubleVal, out);
  if (c.__isset.stringVal) append_text(c.stringVal, out);
  if (c.__isset.binaryVal) append_text(c.binaryVal, out);
  return out;
}

std::string random_bytes(std::size_t n) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string out(n, '\0');
  for (auto& b : out)
    b = static_cast<char>(rng());
  return out;
}

}  // namespace

Status status_of(const tcli::TStatus& status) {
  if (succeeded(status)) return Status::ok();
  if (status.statusCode == tcli::TStatusCode::INVALID_HANDLE_STATUS) {
    return Status::invalid_handle(status.errorMessage);
  }
  return Status::error(status.errorMessage, status.sqlState, status.errorCode);
}

awaitable<Result<std::vector<std::string>>> query(client::Hs2Client& client,
                                                  tcli::TSessionHandle session, std::string sql) {
  tcli::TExecuteStatementReq exec;
  exec.sessionHandle = session;
  exec.statement = std::move(sql);
  auto executed = co_await client.execute_statement(exec);
  if (!executed) co_return executed.status();
  if (Status s = status_of(executed->status); !s.is_ok()) co_return s;
  std::vector<std::string> rows;
  if (executed->operationHandle.hasResultSet) {
    tcli::TFetchResultsReq fetch;
    fetch.operationHandle = executed->operationHandle;
    fetch.orientation = tcli::TFetchOrientation::FETCH_NEXT;
    fetch.maxRows = 1000;
    auto fetched = co_await client.fetch_results(fetch);
    if (!fetched) co_return fetched.status();
    if (Status s = status_of(fetched->status); !s.is_ok()) co_return s;
    rows = first_column(fetched->results);
  }
  tcli::TCloseOperationReq close;
  close.operationHandle = executed->operationHandle;
  auto closed = co_await client.close_operation(close);
  if (!closed) co_return closed.status();
  if (Status s = status_of(closed->status); !s.is_ok()) co_return s;
  co_return rows;
}

awaitable<Result<std::unique_ptr<client::Hs2Client>>> connect_as(std::string user, std::string host,
                                                                 int port) {
  client::ClientOptions options;
  options.host = std::move(host);
  options.port = port;
  options.user = std::move(user);
  options.password = "secret";
  co_return co_await client::Hs2Client::connect(options);
}

awaitable<Result<std::vector<std::string>>> query(ClientSession& session, std::string sql) {
  co_return co_await query(*session.client, session.handle, std::move(sql));
}

awaitable<Status> select_one(ClientSession& session) {
  auto rows = co_await query(session, "SELECT 1");
  if (!rows) co_return rows.status();
  if (*rows != std::vector<std::string>{"1"}) {
    co_return Status::error("SELECT 1 returned " + std::to_string(rows->size()) + " rows" +
                            (rows->empty() ? std::string() : ", the first " + rows->front()));
  }
  co_return Status::ok();
}

awaitable<Result<std::string>> serving_engine_id(ClientSession& session) {
  auto rows = co_await query(session, "SET kyuubi.engine.id");
  if (!rows) co_return rows.status();
  const std::string prefix = "kyuubi.engine.id=";
  if (rows->size() != 1 || !rows->front().starts_with(prefix) ||
      rows->front().size() == prefix.size()) {
    co_return Status::error("SET kyuubi.engine.id returned " +
                            (rows->empty() ? std::string("no rows") : "'" + rows->front() + "'"));
  }
  co_return rows->front().substr(prefix.size());
}

awaitable<Status> open_select_close(std::string user, std::string host, int port,
                                    SessionConf conf) {
  auto session = co_await open_client_session_as(user, host, port, false, std::move(conf));
  if (!session) co_return Status::error(user + ": " + session.status().message());
  Status selected = co_await select_one(*session);
  if (!selected.is_ok()) co_return Status::error(user + ": " + selected.message());
  tcli::TCloseSessionReq close;
  close.sessionHandle = session->handle;
  auto closed = co_await session->client->close_session(close);
  if (!closed) co_return Status::error(user + ": CloseSession: " + closed.status().message());
  Status s = status_of(closed->status);
  if (!s.is_ok()) co_return Status::error(user + ": CloseSession: " + s.message());
  co_return Status::ok();
}

tcli::TSessionHandle made_up_session_handle() {
  tcli::TSessionHandle h;
  h.sessionId.guid = random_bytes(16);
  h.sessionId.secret = random_bytes(16);
  return h;
}

tcli::TOperationHandle made_up_operation_handle() {
  tcli::TOperationHandle h;
  h.operationId.guid = random_bytes(16);
  h.operationId.secret = random_bytes(16);
  h.operationType = tcli::TOperationType::EXECUTE_STATEMENT;
  h.hasResultSet = true;
  return h;
}

int free_port() {
  return pick_loopback_port();
}

std::vector<int> listening_ports(pid_t pid) {
  namespace fs = std::filesystem;
  std::set<std::string> inodes;
  std::error_code ec;
  for (const auto& fd : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    std::error_code link_ec;
    const std::string target = fs::read_symlink(fd.path(), link_ec).string();
    if (!link_ec && target.starts_with("socket:[") && target.ends_with("]")) {
      inodes.insert(target.substr(8, target.size() - 9));
    }
  }
  std::vector<int> ports;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      std::istringstream fields(line);
      std::string sl, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> sl >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode;
      if (state != "0A" || !inodes.count(inode)) continue;  // 0A: LISTEN
      ports.push_back(std::stoi(local.substr(local.rfind(':') + 1), nullptr, 16));
    }
  }
  return ports;
}

HeldSession::HeldSession(const GatewayProcess& gw, SessionConf conf, bool nosasl) : gw_(gw) {
  auto opened = run_for(io_, open_client_session(gw.host(), gw.port(), nosasl, std::move(conf)),
                        std::chrono::seconds(30));
  if (!opened || !opened->is_ok()) {
    throw std::runtime_error(
        "cannot open a session: " + (opened ? opened->status().to_string() : "timed out") + "\n" +
        gw.log());
  }
  session_.emplace(std::move(opened->value()));
}

Status HeldSession::select_one_status() {
  auto s = run_for(io_, select_one(*session_), std::chrono::seconds(30));
  if (!s) return Status::timed_out("SELECT 1 did not finish within 30 s");
  return *s;
}

void HeldSession::expect_serves() {
  Status s = select_one_status();
  EXPECT_TRUE(s.is_ok()) << s.to_string() << "\n" << gw_.log();
}

}  // namespace kitsune::testing
