// open_client_session: connect, log in, open a session.
#include "client_session.h"

namespace kitsune::testing {

awaitable<Result<ClientSession>> open_client_session(
    std::string host, int port, bool nosasl, std::map<std::string, std::string> configuration) {
  co_return co_await open_client_session_as("alice", std::move(host), port, nosasl,
                                            std::move(configuration));
}

awaitable<Result<ClientSession>> open_client_session_as(
    std::string user, std::string host, int port, bool nosasl,
    std::map<std::string, std::string> configuration) {
  client::ClientOptions options;
  options.host = std::move(host);
  options.port = port;
  options.auth = nosasl ? client::ClientAuth::kNoSasl : client::ClientAuth::kPlain;
  options.user = user;
  options.password = "secret";
  auto c = co_await client::Hs2Client::connect(options);
  if (!c) co_return c.status();
  tcli::TOpenSessionReq open;
  open.client_protocol = tcli::TProtocolVersion::HIVE_CLI_SERVICE_PROTOCOL_V10;
  open.__set_username(std::move(user));  // who a NOSASL session is for
  if (!configuration.empty()) open.__set_configuration(std::move(configuration));
  auto opened = co_await (*c)->open_session(open);
  if (!opened) co_return opened.status();
  if (opened->status.statusCode != tcli::TStatusCode::SUCCESS_STATUS) {
    co_return Status::error("OpenSession: " + opened->status.errorMessage);
  }
  ClientSession session;
  session.client = std::move(c).value();
  session.handle = opened->sessionHandle;
  session.server_configuration = opened->configuration;
  co_return session;
}

}  // namespace kitsune::testing
