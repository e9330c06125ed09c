// Helpers of the login tests: a session opened with any client options, a file read whole, and
// test certificates made with the openssl command line.
#pragma once

#include <string>

#include "gateway_process.h"
#include "kitsune/client/hs2_client.h"

namespace kitsune::testing {

// Connects with `options`, opens a session, runs SELECT 1 and closes it; the first failure.
awaitable<Status> select_one_with(client::ClientOptions options);

std::string read_file(const std::string& path);

// A CA, a server certificate for 127.0.0.1 and localhost signed by it, and a client
// certificate signed by it, as PEM files in `dir`: ca.pem, server.pem, server.key, client.pem,
// client.key; plus a second CA (other-ca.pem) that signed nothing here, and server.p12 (the
// server's key and certificate in a PKCS12 keystore whose password is `keystore_password`).
// Throws with openssl's output when a command fails.
void make_test_pki(const std::string& dir, const std::string& keystore_password);

}  // namespace kitsune::testing
