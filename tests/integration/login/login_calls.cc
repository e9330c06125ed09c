// Helpers of the login tests: sessions with any client options, files, test certificates.
#include "login_calls.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "gateway_calls.h"

namespace kitsune::testing {

awaitable<Status> select_one_with(client::ClientOptions options) {
  auto c = co_await client::Hs2Client::connect(std::move(options));
  if (!c) co_return c.status();
  tcli::TOpenSessionReq open;
  open.client_protocol = tcli::TProtocolVersion::HIVE_CLI_SERVICE_PROTOCOL_V10;
  auto opened = co_await (*c)->open_session(open);
  if (!opened) co_return opened.status();
  if (Status s = status_of(opened->status); !s.is_ok()) co_return s;
  auto rows = co_await query(**c, opened->sessionHandle, "SELECT 1");
  if (!rows) co_return rows.status();
  if (*rows != std::vector<std::string>{"1"}) co_return Status::error("SELECT 1 did not return 1");
  tcli::TCloseSessionReq close;
  close.sessionHandle = opened->sessionHandle;
  auto closed = co_await (*c)->close_session(close);
  if (!closed) co_return closed.status();
  co_return status_of(closed->status);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

namespace {

void run(const std::string& dir, const std::string& command) {
  // The keystore password reaches openssl through its environment, never its command line.
  const std::string full = "cd '" + dir + "' && " + command + " > openssl.log 2>&1";
  const int rc = std::system(full.c_str());
  if (rc != 0) {
    throw std::runtime_error("'" + command + "' failed:\n" + read_file(dir + "/openssl.log"));
  }
}

void make_signed(const std::string& dir, const std::string& name, const std::string& subject,
                 const std::string& extensions, const std::string& ca) {
  {
    std::ofstream ext(dir + "/" + name + ".ext");
    ext << extensions << "\n";
  }
  run(dir, "openssl req -newkey rsa:2048 -nodes -keyout " + name + ".key -out " + name +
               ".csr -subj '" + subject + "'");
  run(dir, "openssl x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca +
               ".key -CAcreateserial -days 2 -out " + name + ".pem -extfile " + name + ".ext");
}

}  // namespace

void make_test_pki(const std::string& dir, const std::string& keystore_password) {
  for (const std::string ca : {"ca", "other-ca"}) {
    run(dir, "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + ca + ".key -out " + ca +
                 ".pem -days 2 -subj '/CN=Kitsune test " + ca + "'");
  }
  make_signed(dir, "server", "/CN=localhost",
              "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth", "ca");
  make_signed(dir, "client", "/CN=alice", "extendedKeyUsage=clientAuth", "ca");
  setenv("KITSUNE_TEST_KEYSTORE_PW", keystore_password.c_str(), 1);
  run(dir,
      "openssl pkcs12 -export -in server.pem -inkey server.key -out server.p12 "
      "-passout env:KITSUNE_TEST_KEYSTORE_PW");
  unsetenv("KITSUNE_TEST_KEYSTORE_PW");
}

}  // namespace kitsune::testing
