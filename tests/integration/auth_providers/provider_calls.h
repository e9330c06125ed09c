// What the password provider tests do through a gateway: log in with a user and password, run
// a statement, and look everywhere a secret could leak.
#pragma once

#include <string>
#include <vector>

#include "gateway_process.h"
#include "kitsune/common/status.h"

namespace kitsune::testing {

// Logs in as user/password (SASL PLAIN), opens a session, runs `sql` and closes the session.
// The rows (first column as text), or the failure as the client saw it. Gives up after 60 s.
Result<std::vector<std::string>> login_and_query(const GatewayProcess& gw, const std::string& user,
                                                 const std::string& password,
                                                 const std::string& sql = "SELECT 1");

// Only the login: ok, or the client's error ("server refused the login: ...").
Status login(const GatewayProcess& gw, const std::string& user, const std::string& password);

// The server's stderr once a line contains `text`, or after 10 s. A server that refused to start
// may have exited before its last lines were read: wait_exit() does not wait for them.
std::string log_once_it_says(const GatewayProcess& gw, const std::string& text);

// Expects none of `secrets` in the server's stderr and stdout, in any file under its work dir
// (engine logs), or in the command line or environment of an engine it launched.
void expect_no_secret_leaked(const GatewayProcess& gw, const std::vector<std::string>& secrets);

}  // namespace kitsune::testing
