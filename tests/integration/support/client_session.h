// ClientSession: a connection of the project's own client with one open session, for tests.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "kitsune/client/hs2_client.h"

namespace kitsune::testing {

struct ClientSession {
  std::unique_ptr<client::Hs2Client> client;
  tcli::TSessionHandle handle;
  // The configuration of the OpenSession response.
  std::map<std::string, std::string> server_configuration;
};

// Connects as alice (SASL PLAIN, or NOSASL) and opens a V10 session with `configuration`.
// Fails with the server's message when OpenSession is refused.
awaitable<Result<ClientSession>> open_client_session(
    std::string host, int port, bool nosasl, std::map<std::string, std::string> configuration = {});

// The same as `user` (password "secret").
awaitable<Result<ClientSession>> open_client_session_as(
    std::string user, std::string host, int port, bool nosasl,
    std::map<std::string, std::string> configuration = {});

}  // namespace kitsune::testing
