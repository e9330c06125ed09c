// RestFrontend: Kyuubi's REST API v1 (/api/v1) on kyuubi.frontend.rest.bind.port: sessions and
// their operations through the gateway's own TCLIService, batches, and the admin endpoints.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kitsune/batch/batch_manager.h"
#include "kitsune/common/io_shards.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"
#include "kitsune/discovery/discovery.h"
#include "kitsune/frontend/http_auth.h"
#include "kitsune/frontend/http_server.h"
#include "kitsune/session/gateway_service.h"

namespace kitsune::rest {

struct RestOptions {
  frontend::HttpServerOptions server;
  bool sessions_return_all_users = false;  // kyuubi.frontend.rest.legacy.v1.sessionsReturnAllUsers
  std::string client_ip_header = "X-Real-IP";
  std::string version;  // what GET /api/v1/version says
  // Security off (no KERBEROS, NONE first): everyone is an administrator, as in Kyuubi.
  bool everyone_admin = false;

  static Result<RestOptions> from_conf(const config::Conf& conf);
};

// What the admin endpoints reach beyond sessions.
struct RestDependencies {
  session::GatewayService* gateway = nullptr;
  discovery::Discovery* discovery = nullptr;  // engines and servers
  config::Conf server_conf;
  std::string server_version;  // kyuubi.ha engine-space version label
  // POST /admin/refresh/<what>: re-reads the configuration; returns what changed, or an error.
  std::function<Result<std::string>(const std::string& what)> refresh;
};

class RestFrontend {
 public:
  RestFrontend(IoShards& shards, RestOptions options, RestDependencies deps,
               std::shared_ptr<frontend::HttpAuthenticator> auth);
  ~RestFrontend();

  Result<tcp::endpoint> start();
  // Once, right after start(): the name and the batch manager, which is named after the port.
  void set_instance(std::string instance);
  void set_batches(batch::BatchManager* batches);
  void stop_accepting();
  void stop();
  awaitable<bool> wait_closed(std::chrono::steady_clock::time_point deadline);

 private:
  class Router;
  RestOptions options_;
  RestDependencies deps_;
  std::shared_ptr<frontend::HttpAuthenticator> auth_;
  std::unique_ptr<Router> router_;
  frontend::HttpServer server_;
};

}  // namespace kitsune::rest
