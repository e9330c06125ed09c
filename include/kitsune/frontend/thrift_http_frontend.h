// ThriftHttpFrontend: TCLIService over HTTP (Hive's transport mode "http"): one Thrift message per
// POST to /cliservice, authenticated per request or by cookie; a session's calls may come over
// any connection.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "kitsune/common/io_shards.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"
#include "kitsune/frontend/hs2_service.h"
#include "kitsune/frontend/http_auth.h"
#include "kitsune/frontend/http_server.h"
#include "kitsune/frontend/thrift_binary_frontend.h"

namespace kitsune::frontend {

struct ThriftHttpOptions {
  HttpServerOptions server;
  std::string path = "cliservice";  // kyuubi.frontend.thrift.http.path, without slashes
  std::size_t max_message_bytes = 104857600;
  bool xsrf_filter = false;
  std::string client_ip_header = "X-Real-IP";

  // From kyuubi.frontend.thrift.http.* (TLS included: a context is built when use.SSL is set).
  static Result<ThriftHttpOptions> from_conf(const config::Conf& conf);
};

// The TLS context of the HTTP frontends' TLS keys, built like the binary port's (PEM keys of
// kitsune.frontend.ssl.*, or the HTTP keystore keys).
Result<std::shared_ptr<boost::asio::ssl::context>> make_http_tls_context(const config::Conf& conf);

class ThriftHttpFrontend {
 public:
  // `service` and `auth` must outlive the frontend.
  ThriftHttpFrontend(IoShards& shards, ThriftHttpOptions options, Hs2Service& service,
                     std::shared_ptr<HttpAuthenticator> auth);

  Result<tcp::endpoint> start() { return server_.start(); }
  void stop_accepting() { server_.stop_accepting(); }
  void stop() { server_.stop(); }
  awaitable<bool> wait_closed(std::chrono::steady_clock::time_point deadline) {
    return server_.wait_closed(deadline);
  }

 private:
  awaitable<HttpResponse> handle(HttpRequest& req);
  bool serves(const std::string& path) const;

  ThriftHttpOptions options_;
  Hs2Service& service_;
  std::shared_ptr<HttpAuthenticator> auth_;
  HttpServer server_;
};

// The client address a proxy reports: `header` (X-Real-IP by default), else the left-most entry of
// X-Forwarded-For; "" when neither is present.
std::string forwarded_client(const HttpRequest& req, const std::string& header);

}  // namespace kitsune::frontend
