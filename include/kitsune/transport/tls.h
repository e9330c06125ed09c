// TLS contexts for the Thrift transports (OpenSSL through Asio): the server's, from Kyuubi's
// keystore keys or Kitsune's PEM keys, and a client's, for tests and tools.
#pragma once

#include <memory>
#include <string>

#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace boost::asio::ssl {
class context;
}

namespace kitsune::transport {

// Whether TLS is asked for on the binary port (kyuubi.frontend.thrift.binary.ssl.enabled).
bool binary_tls_enabled(const config::Conf& conf);

// The server context: certificate and key from kitsune.frontend.ssl.certificate.path and
// .private.key.path (PEM), else from a PKCS12 kyuubi.frontend.ssl.keystore.path; the oldest
// version from kitsune.frontend.ssl.min.version and ...ssl.disallowed.protocols; cipher suites
// from ...include.ciphersuites and kitsune.frontend.ssl.ciphers; client certificates required
// when kitsune.frontend.ssl.client.ca.path is set. Fails with the key to fix: missing files, a
// key that does not match its certificate, a JKS keystore, a wrong keystore password.
Result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(
    const config::Conf& conf);

struct TlsClientOptions {
  std::string ca_file;    // PEM CAs the server is checked against; empty: no check
  std::string host_name;  // checked against the certificate, and sent as SNI
  std::string cert_file;  // client certificate (PEM), for servers that ask for one
  std::string key_file;   // its key
};

Result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls_context(
    const TlsClientOptions& options);

}  // namespace kitsune::transport
