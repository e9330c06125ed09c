// Calls the gateway tests make through the project's Hs2Client: statements, handles, engine ids.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client_session.h"
#include "gateway_process.h"
#include "kitsune/client/hs2_client.h"

namespace kitsune::testing {

using SessionConf = std::map<std::string, std::string>;

// A TStatus as a Status: ok for SUCCESS(_WITH_INFO), kInvalidHandle for INVALID_HANDLE, else an
// error carrying the server's message.
Status status_of(const tcli::TStatus& status);

// Runs `sql` synchronously on `session` over `client` (the session need not be the client's own),
// fetches up to 1000 rows and closes the operation. Each row comes back as its first column, as
// text ("NULL" for a null).
awaitable<Result<std::vector<std::string>>> query(client::Hs2Client& client,
                                                  tcli::TSessionHandle session, std::string sql);
awaitable<Result<std::vector<std::string>>> query(ClientSession& session, std::string sql);

// A new SASL PLAIN connection of `user` (password "secret"), with no session.
awaitable<Result<std::unique_ptr<client::Hs2Client>>> connect_as(std::string user, std::string host,
                                                                 int port);

// SELECT 1 on the session; an error unless it returns exactly one row "1".
awaitable<Status> select_one(ClientSession& session);

// The id of the engine that serves the session, from SET kyuubi.engine.id.
awaitable<Result<std::string>> serving_engine_id(ClientSession& session);

// Connects as `user`, opens a session with `conf`, runs SELECT 1 and closes the session.
awaitable<Status> open_select_close(std::string user, std::string host, int port,
                                    SessionConf conf = {});

// A session or operation handle the server never gave out.
tcli::TSessionHandle made_up_session_handle();
tcli::TOperationHandle made_up_operation_handle();

// A port nothing listens on right now (bound to 127.0.0.1:0 and released).
int free_port();

// The TCP ports process `pid` listens on, from /proc/<pid>/fd and /proc/net/tcp.
std::vector<int> listening_ports(pid_t pid);

// A session of alice's held open on its own connection (and io_context) across the steps of a
// test; over SASL PLAIN unless `nosasl`. Throws with the gateway's log when it cannot be opened.
class HeldSession {
 public:
  explicit HeldSession(const GatewayProcess& gw, SessionConf conf = {}, bool nosasl = false);

  ClientSession& session() { return *session_; }
  asio::io_context& io() { return io_; }

  // SELECT 1 on the held session over its own connection, as a gtest expectation.
  void expect_serves();
  // SELECT 1 on the held session over its own connection.
  Status select_one_status();

 private:
  const GatewayProcess& gw_;
  asio::io_context io_;
  std::optional<ClientSession> session_;
};

}  // namespace kitsune::testing
