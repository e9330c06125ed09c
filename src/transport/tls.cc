// TLS contexts: the server's from PEM files or a PKCS12 keystore, with versions, ciphers and
// client certificates as configured; a client's for tests and tools.
#include "kitsune/transport/tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include <boost/asio/ssl/context.hpp>

#include "kitsune/common/strings.h"

namespace kitsune::transport {
namespace {

namespace k = config::keys;
namespace ssl = boost::asio::ssl;

std::string openssl_reason() {
  unsigned long e = ERR_get_error();
  std::string out;
  while (e != 0) {
    char buf[256] = {};
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
    e = ERR_get_error();
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

// TLS protocol names as Java and Kyuubi write them, to OpenSSL's version numbers (0: SSL).
Result<int> protocol_version(std::string_view name) {
  const std::string n = to_upper(std::string(trim(name)));
  if (n == "SSLV2" || n == "SSLV3" || n == "SSLV2HELLO") return 0;
  if (n == "TLSV1" || n == "TLSV1.0") return TLS1_VERSION;
  if (n == "TLSV1.1") return TLS1_1_VERSION;
  if (n == "TLSV1.2") return TLS1_2_VERSION;
  if (n == "TLSV1.3") return TLS1_3_VERSION;
  return Status::error("unknown TLS protocol '" + std::string(name) + "'");
}

bool readable(const std::string& path) {
  std::ifstream in(path);
  return in.good();
}

// A PKCS12 keystore's certificate, chain and key into the context.
Status use_pkcs12(SSL_CTX* ctx, const std::string& path, const std::string& password) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Status::error("kyuubi.frontend.ssl.keystore.path: cannot read " + path);
  PKCS12* p12 = d2i_PKCS12_fp(f, nullptr);
  std::fclose(f);
  if (!p12) {
    ERR_clear_error();
    return Status::error("kyuubi.frontend.ssl.keystore.path: " + path +
                         " is not a PKCS12 keystore (a JKS keystore can be converted with "
                         "keytool -importkeystore -deststoretype PKCS12)");
  }
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* chain = nullptr;
  const int parsed = PKCS12_parse(p12, password.c_str(), &key, &cert, &chain);
  PKCS12_free(p12);
  if (!parsed || !key || !cert) {
    ERR_clear_error();
    EVP_PKEY_free(key);
    X509_free(cert);
    sk_X509_pop_free(chain, X509_free);
    return Status::error("kyuubi.frontend.ssl.keystore.path: cannot open " + path +
                         " with kyuubi.frontend.ssl.keystore.password (wrong password, or no key "
                         "and certificate in it)");
  }
  Status s = Status::ok();
  if (SSL_CTX_use_certificate(ctx, cert) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1) {
    s = Status::error("kyuubi.frontend.ssl.keystore.path: " + openssl_reason());
  }
  for (int i = 0; s.is_ok() && chain && i < sk_X509_num(chain); ++i) {
    X509* extra = sk_X509_value(chain, i);
    X509_up_ref(extra);
    if (SSL_CTX_add_extra_chain_cert(ctx, extra) != 1) {
      X509_free(extra);
      s = Status::error("kyuubi.frontend.ssl.keystore.path: " + openssl_reason());
    }
  }
  EVP_PKEY_free(key);
  X509_free(cert);
  sk_X509_pop_free(chain, X509_free);
  return s;
}

extern "C" int key_password_callback(char* buf, int size, int, void* userdata) {
  const auto* password = static_cast<const std::string*>(userdata);
  const int n = std::min(size, static_cast<int>(password->size()));
  std::copy(password->data(), password->data() + n, buf);
  return n;
}

}  // namespace

bool binary_tls_enabled(const config::Conf& conf) {
  return conf.get(k::kFrontendThriftBinarySslEnabled);
}

Result<std::shared_ptr<ssl::context>> make_server_tls_context(const config::Conf& conf) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);

  // Versions: the oldest allowed, raised past every disallowed one at the bottom, and the newest
  // lowered below disallowed ones at the top.
  auto min_version = protocol_version(conf.get(k::kFrontendSslMinVersion));
  if (!min_version || *min_version == 0) {
    return Status::error(
        "kitsune.frontend.ssl.min.version: expected TLSv1, TLSv1.1, TLSv1.2 or "
        "TLSv1.3");
  }
  std::vector<int> allowed;
  for (int v : {TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION}) {
    if (v >= *min_version) allowed.push_back(v);
  }
  for (const auto& name : conf.get(k::kFrontendThriftBinarySslDisallowedProtocols)) {
    auto v = protocol_version(name);
    if (!v) {
      return Status::error("kyuubi.frontend.thrift.binary.ssl.disallowed.protocols: " +
                           v.status().message());
    }
    std::erase(allowed, *v);
  }
  if (allowed.empty()) {
    return Status::error(
        "kitsune.frontend.ssl.min.version and "
        "kyuubi.frontend.thrift.binary.ssl.disallowed.protocols leave no TLS "
        "version allowed");
  }
  for (std::size_t i = 1; i < allowed.size(); ++i) {
    if (allowed[i] != allowed[i - 1] + 1) {
      return Status::error(
          "kyuubi.frontend.thrift.binary.ssl.disallowed.protocols: OpenSSL "
          "allows a range of TLS versions, not a version between two allowed "
          "ones");
    }
  }
  SSL_CTX_set_min_proto_version(ctx, allowed.front());
  SSL_CTX_set_max_proto_version(ctx, allowed.back());

  // Cipher suites: Kyuubi's list (IANA or OpenSSL names; TLS 1.3 names go to the 1.3 list), and
  // Kitsune's OpenSSL cipher string for 1.2 and older.
  std::string tls12, tls13;
  for (const auto& suite : conf.get(k::kFrontendThriftBinarySslIncludeCiphersuites)) {
    auto& list =
        suite.starts_with("TLS_AES_") || suite.starts_with("TLS_CHACHA20_") ? tls13 : tls12;
    if (!list.empty()) list += ':';
    list += suite;
  }
  const std::string ciphers = conf.get(k::kFrontendSslCiphers);
  if (!ciphers.empty()) tls12 = tls12.empty() ? ciphers : tls12 + ":" + ciphers;
  if (!tls12.empty() && SSL_CTX_set_cipher_list(ctx, tls12.c_str()) != 1) {
    ERR_clear_error();
    return Status::error(
        "kitsune.frontend.ssl.ciphers / "
        "kyuubi.frontend.thrift.binary.ssl.include.ciphersuites: no cipher of '" +
        tls12 + "' is known to OpenSSL");
  }
  if (!tls13.empty() && SSL_CTX_set_ciphersuites(ctx, tls13.c_str()) != 1) {
    ERR_clear_error();
    return Status::error("kyuubi.frontend.thrift.binary.ssl.include.ciphersuites: '" + tls13 +
                         "' are not TLS 1.3 suites OpenSSL knows");
  }

  // Certificate and key.
  const std::string cert = conf.get(k::kFrontendSslCertificatePath);
  const std::string key = conf.get(k::kFrontendSslPrivateKeyPath);
  const std::string keystore = conf.get(k::kFrontendSslKeystorePath);
  if (!cert.empty()) {
    if (!readable(cert)) {
      return Status::error("kitsune.frontend.ssl.certificate.path: cannot read " + cert);
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1) {
      return Status::error("kitsune.frontend.ssl.certificate.path: " + cert + ": " +
                           openssl_reason());
    }
    const std::string key_file = key.empty() ? cert : key;
    if (!readable(key_file)) {
      return Status::error("kitsune.frontend.ssl.private.key.path: cannot read " + key_file);
    }
    std::string key_password = conf.get(k::kFrontendSslPrivateKeyPassword);
    std::FILE* f = std::fopen(key_file.c_str(), "r");
    EVP_PKEY* pkey =
        f ? PEM_read_PrivateKey(f, nullptr, key_password_callback, &key_password) : nullptr;
    if (f) std::fclose(f);
    std::fill(key_password.begin(), key_password.end(), '\0');
    if (!pkey) {
      ERR_clear_error();
      return Status::error("kitsune.frontend.ssl.private.key.path: cannot load the key from " +
                           key_file +
                           " (not a PEM key, or kitsune.frontend.ssl.private.key.password is "
                           "wrong)");
    }
    const int used = SSL_CTX_use_PrivateKey(ctx, pkey);
    EVP_PKEY_free(pkey);
    if (used != 1) {
      ERR_clear_error();
      return Status::error("the TLS private key " + key_file + " does not match its certificate " +
                           cert);
    }
  } else if (!keystore.empty()) {
    const std::string type = to_upper(conf.get(k::kFrontendSslKeystoreType));
    if (!type.empty() && type != "PKCS12" && type != "P12") {
      return Status::error("kyuubi.frontend.ssl.keystore.type=" + type +
                           ": Kitsune reads PKCS12 keystores only (convert with keytool "
                           "-importkeystore -deststoretype PKCS12), or set "
                           "kitsune.frontend.ssl.certificate.path and .private.key.path");
    }
    Status s = use_pkcs12(ctx, keystore, conf.get(k::kFrontendSslKeystorePassword));
    if (!s.is_ok()) return s;
  } else {
    return Status::error(
        "kyuubi.frontend.thrift.binary.ssl.enabled needs a certificate: set "
        "kitsune.frontend.ssl.certificate.path and .private.key.path (PEM), or "
        "kyuubi.frontend.ssl.keystore.path and .password (PKCS12)");
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    return Status::error("the TLS private key does not match its certificate");  // keystore
  }

  // Client certificates.
  const std::string client_ca = conf.get(k::kFrontendSslClientCaPath);
  if (!client_ca.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, client_ca.c_str(), nullptr) != 1) {
      return Status::error("kitsune.frontend.ssl.client.ca.path: " + client_ca + ": " +
                           openssl_reason());
    }
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(client_ca.c_str());
    if (names) SSL_CTX_set_client_CA_list(ctx, names);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return context;
}

Result<std::shared_ptr<ssl::context>> make_client_tls_context(const TlsClientOptions& options) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* ctx = context->native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (!options.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
      return Status::error("cannot load CA file " + options.ca_file + ": " + openssl_reason());
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  if (!options.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(
            ctx, (options.key_file.empty() ? options.cert_file : options.key_file).c_str(),
            SSL_FILETYPE_PEM) != 1) {
      return Status::error("cannot load the client certificate: " + openssl_reason());
    }
  }
  return context;
}

}  // namespace kitsune::transport
