// RestFrontend: routing of /api/v1, authentication and ownership, and the translation between
// Kyuubi's JSON DTOs and the gateway's TCLIService calls.
#include "kitsune/rest/rest_frontend.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "json_forms.h"
#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "kitsune/frontend/thrift_http_frontend.h"
#include "kitsune/routing/engine_key.h"

namespace kitsune::rest {

namespace k = config::keys;
using frontend::HttpRequest;
using frontend::HttpResponse;
using json = nlohmann::json;
namespace http = frontend::http;

Result<RestOptions> RestOptions::from_conf(const config::Conf& conf) {
  RestOptions o;
  o.server.name = "rest";
  o.server.host = conf.get(k::kFrontendRestBindHost);
  o.server.port = conf.get(k::kFrontendRestBindPort);
  if (o.server.port < 0 || o.server.port > 65535) {
    return Status::error("kyuubi.frontend.rest.bind.port must be a port number");
  }
  const auto body = conf.get(k::kFrontendRestMaxBodySize);
  if (body <= 0) return Status::error("kitsune.frontend.rest.max.body.size must be positive");
  o.server.max_body_bytes = static_cast<std::uint64_t>(body);
  o.server.max_header_bytes =
      static_cast<std::size_t>(std::max(conf.get(k::kFrontendThriftHttpRequestHeaderSize), 8192));
  o.server.read_timeout = conf.get(k::kFrontendReadTimeout);
  o.server.idle_timeout = conf.get(k::kFrontendThriftHttpMaxIdleTime);
  o.sessions_return_all_users = conf.get(k::kFrontendRestLegacySessionsReturnAllUsers);
  o.client_ip_header = conf.get(k::kFrontendProxyHttpClientIpHeader);
  auto settings = auth::read_auth_settings(conf);
  if (!settings) return settings.status();
  o.everyone_admin =
      !settings->kerberos && (settings->nosasl || settings->password_provider == "NONE");
  return o;
}

// One request on its way through the API: who asks, and the helpers every endpoint uses.
class RestFrontend::Router {
 public:
  Router(RestOptions& options, RestDependencies& deps,
         std::shared_ptr<frontend::HttpAuthenticator> auth)
      : options_(options), deps_(deps), auth_(std::move(auth)) {}

  awaitable<HttpResponse> handle(HttpRequest& req);
  // Set once the manager exists; until then batch endpoints answer 503.
  std::atomic<batch::BatchManager*> batches_{nullptr};
  // host:port of this frontend, known once bound (requests may already be coming in).
  void set_instance(std::string instance) {
    std::lock_guard lock(instance_mu_);
    instance_ = std::move(instance);
  }
  std::string instance() const {
    std::lock_guard lock(instance_mu_);
    return instance_;
  }

 private:
  struct Caller {
    std::string user;    // authenticated
    bool admin = false;  // may use the admin endpoints (everyone, with security off)
    // Listed in kyuubi.server.administrators (or runs the server): may act on anyone's sessions
    // and batches. Security being off does not make anyone an owner of others' sessions.
    bool superuser = false;
    frontend::CallContext ctx;
  };

  awaitable<HttpResponse> route(HttpRequest& req, Caller& caller,
                                const std::vector<std::string>& parts);
  awaitable<HttpResponse> sessions(HttpRequest& req, Caller& caller,
                                   const std::vector<std::string>& parts);
  awaitable<HttpResponse> operations(HttpRequest& req, Caller& caller,
                                     const std::vector<std::string>& parts);
  awaitable<HttpResponse> admin(HttpRequest& req, Caller& caller,
                                const std::vector<std::string>& parts);
  awaitable<HttpResponse> batches(HttpRequest& req, Caller& caller,
                                  const std::vector<std::string>& parts);

  // The session a caller may act on: 404 when unknown, 403 when another user's.
  Result<session::SessionSnapshot> owned_session(const Caller& caller, const std::string& id);
  Result<std::pair<session::OperationSnapshot, session::SessionSnapshot>> owned_operation(
      const Caller& caller, const std::string& id);
  // The context of a call made for `caller` on a session opened by `s`.
  static frontend::CallContext on_behalf(const Caller& caller, const session::SessionSnapshot& s) {
    frontend::CallContext ctx = caller.ctx;
    ctx.principal = s.principal;
    return ctx;
  }
  awaitable<HttpResponse> submit_batch(HttpRequest& req, Caller& caller);
  awaitable<Result<std::string>> effective_user(const Caller& caller, const std::string& proxy);
  awaitable<HttpResponse> engines(HttpRequest& req, Caller& caller, bool remove);

  RestOptions& options_;
  RestDependencies& deps_;
  std::shared_ptr<frontend::HttpAuthenticator> auth_;
  mutable std::mutex instance_mu_;
  std::string instance_;
};

namespace {

HttpResponse ok_json(const json& body) {
  return HttpResponse::json(http::status::ok, body.dump());
}

HttpResponse not_found(std::string_view what) {
  return HttpResponse::error(http::status::not_found, what);
}

HttpResponse bad_request(std::string_view what) {
  return HttpResponse::error(http::status::bad_request, what);
}

HttpResponse method_not_allowed(const HttpRequest& req) {
  return HttpResponse::error(
      http::status::method_not_allowed,
      std::string(req.message.method_string()) + " is not allowed on " + req.path);
}

// A parsed JSON body (an empty body reads as {}), or a 400 naming what is wrong.
std::variant<json, HttpResponse> json_body(const HttpRequest& req) {
  const std::string& body = req.message.body();
  if (trim(body).empty()) return json::object();
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return bad_request("The request body is not valid JSON");
  if (!parsed.is_object()) return bad_request("The request body must be a JSON object");
  return parsed;
}

std::vector<std::string> path_parts(const std::string& path) {
  return split(path, '/', /*skip_empty=*/true);
}

}  // namespace

Result<session::SessionSnapshot> RestFrontend::Router::owned_session(const Caller& caller,
                                                                     const std::string& id) {
  auto s = deps_.gateway->session_by_id(id);
  if (!s) return Status::not_found("Invalid SessionHandle: " + id);
  if (!caller.superuser && caller.user != s->user && caller.user != s->real_user &&
      caller.user != s->principal) {
    return Status::permission_denied(caller.user + " may not act on the session " + id + " of " +
                                     s->user);
  }
  return std::move(*s);
}

Result<std::pair<session::OperationSnapshot, session::SessionSnapshot>>
RestFrontend::Router::owned_operation(const Caller& caller, const std::string& id) {
  auto op = deps_.gateway->operation_by_id(id);
  if (!op) return Status::not_found("Invalid OperationHandle: " + id);
  auto s = owned_session(caller, op->session_id);
  if (!s) {
    if (s.status().code() == StatusCode::kNotFound) {
      return Status::not_found("Invalid OperationHandle: " + id);
    }
    return s.status();
  }
  return std::make_pair(std::move(*op), std::move(s).value());
}

awaitable<Result<std::string>> RestFrontend::Router::effective_user(const Caller& caller,
                                                                    const std::string& proxy) {
  if (proxy.empty() || proxy == caller.user) co_return caller.user;
  Status allowed = co_await deps_.gateway->authorize_proxy(caller.user, proxy, caller.ctx.peer_ip);
  if (!allowed.is_ok()) {
    co_return Status::permission_denied(caller.user + " may not act as " + proxy + ": " +
                                        allowed.message());
  }
  co_return proxy;
}

awaitable<HttpResponse> RestFrontend::Router::handle(HttpRequest& req) {
  auto parts = path_parts(req.path);
  // The OpenAPI document and the UI are not served; everything else lives under /api/v1.
  if (parts.size() < 2 || parts[0] != "api" || parts[1] != "v1") {
    co_return not_found("No such resource: " + req.path + " (the REST API is under /api/v1)");
  }
  parts.erase(parts.begin(), parts.begin() + 2);
  auto identity = co_await auth_->authenticate(req);
  if (!identity) {
    HttpResponse r = auth_->unauthorized(identity.status(), /*json=*/true);
    co_return r;
  }
  Caller caller;
  caller.user = identity->user;
  caller.superuser = deps_.gateway->is_administrator(caller.user);
  caller.admin = options_.everyone_admin || caller.superuser;
  caller.ctx.connection_id = req.connection_id;
  caller.ctx.peer = req.peer;
  caller.ctx.peer_ip = req.peer_ip;
  caller.ctx.principal = identity->user;
  caller.ctx.mechanism = identity->mechanism;
  caller.ctx.forwarded_for = frontend::forwarded_client(req, options_.client_ip_header);
  caller.ctx.connectionless = true;
  HttpResponse out = co_await route(req, caller, parts);
  for (const auto& header : identity->response_headers)
    out.headers.push_back(header);
  co_return out;
}

awaitable<HttpResponse> RestFrontend::Router::route(HttpRequest& req, Caller& caller,
                                                    const std::vector<std::string>& parts) {
  const auto method = req.message.method();
  if (parts.empty()) co_return not_found("No such resource: " + req.path);
  const std::string& top = parts[0];
  if (top == "ping" && parts.size() == 1) {
    if (method != http::verb::get) co_return method_not_allowed(req);
    co_return HttpResponse::text(http::status::ok, "pong");
  }
  if (top == "version" && parts.size() == 1) {
    if (method != http::verb::get) co_return method_not_allowed(req);
    co_return ok_json(json{{"version", options_.version}});
  }
  if (top == "webui" && parts.size() == 2 && parts[1] == "config") {
    co_return ok_json(json{{"engineUIProxyEnabled", false}});
  }
  if (top == "sessions") co_return co_await sessions(req, caller, parts);
  if (top == "operations") co_return co_await operations(req, caller, parts);
  if (top == "admin") co_return co_await admin(req, caller, parts);
  if (top == "batches") co_return co_await batches(req, caller, parts);
  co_return not_found("No such resource: " + req.path);
}

// ---- sessions ----

awaitable<HttpResponse> RestFrontend::Router::sessions(HttpRequest& req, Caller& caller,
                                                       const std::vector<std::string>& parts) {
  const auto method = req.message.method();
  auto& gateway = *deps_.gateway;
  if (parts.size() == 1) {
    if (method == http::verb::get) {
      json list = json::array();
      for (const auto& s : gateway.list_sessions()) {
        if (options_.sessions_return_all_users || s.user == caller.user ||
            s.real_user == caller.user) {
          list.push_back(session_data(s, instance()));
        }
      }
      co_return ok_json(list);
    }
    if (method != http::verb::post) co_return method_not_allowed(req);
    auto body = json_body(req);
    if (auto* r = std::get_if<HttpResponse>(&body)) co_return std::move(*r);
    const json& j = std::get<json>(body);
    tcli::TOpenSessionReq open;
    open.client_protocol = tcli::TProtocolVersion::HIVE_CLI_SERVICE_PROTOCOL_V11;
    if (j.contains("protocolVersion") && j["protocolVersion"].is_number_integer()) {
      const int v = j["protocolVersion"].get<int>();
      // 0 is the DTO's default: the newest protocol serves REST clients best.
      if (v > 0 && v <= 10) open.client_protocol = static_cast<tcli::TProtocolVersion::type>(v);
    }
    std::map<std::string, std::string> configs;
    if (j.contains("configs") && !j["configs"].is_null()) {
      if (!j["configs"].is_object()) co_return bad_request("configs must be a JSON object");
      for (const auto& [key, value] : j["configs"].items()) {
        configs[key] = value.is_string() ? value.get<std::string>() : value.dump();
      }
    }
    open.__set_configuration(configs);
    open.__set_username(caller.user);
    auto resp = co_await gateway.open_session(caller.ctx, open);
    if (auto failed = failure_response(resp)) co_return std::move(*failed);
    const auto& guid = resp->sessionHandle.sessionId.guid;
    const std::string id =
        uuid_string(std::span(reinterpret_cast<const std::uint8_t*>(guid.data()), guid.size()));
    co_return ok_json(json{{"identifier", id}, {"kyuubiInstance", instance()}});
  }
  const std::string& second = parts[1];
  if (second == "count" && parts.size() == 2) {
    std::size_t n = 0;
    for (const auto& s : gateway.list_sessions()) {
      if (caller.superuser || s.user == caller.user) ++n;
    }
    co_return ok_json(json{{"openSessionCount", n}});
  }
  if (second == "execPool" && parts.size() == 3 && parts[2] == "statistic") {
    // Kitsune runs operations on the event loop and the engines, not on a pool of threads.
    co_return ok_json(
        json{{"execPoolSize", 0}, {"execPoolActiveCount", 0}, {"execPoolWorkQueueSize", 0}});
  }
  auto s = owned_session(caller, second);
  if (!s) co_return status_response(s.status());
  const frontend::CallContext ctx = on_behalf(caller, *s);
  if (parts.size() == 2) {
    if (method == http::verb::get) co_return ok_json(session_event(*s, instance()));
    if (method != http::verb::delete_) co_return method_not_allowed(req);
    tcli::TCloseSessionReq close;
    close.sessionHandle = s->handle;
    auto resp = co_await gateway.close_session(ctx, close);
    if (auto failed = failure_response(resp)) co_return std::move(*failed);
    co_return HttpResponse::json(http::status::ok, "{}");
  }
  if (parts[2] == "info" && parts.size() == 4) {
    tcli::TGetInfoReq info;
    info.sessionHandle = s->handle;
    try {
      info.infoType = static_cast<tcli::TGetInfoType::type>(std::stoi(parts[3]));
    } catch (const std::exception&) {
      co_return bad_request("infoType must be a TGetInfoType number, not " + parts[3]);
    }
    auto resp = co_await gateway.get_info(ctx, info);
    if (auto failed = failure_response(resp)) co_return std::move(*failed);
    co_return ok_json(json{{"infoType", parts[3]}, {"infoValue", info_value(resp->infoValue)}});
  }
  if (parts[2] != "operations") co_return not_found("No such resource: " + req.path);
  if (parts.size() == 3) {
    if (method != http::verb::get) co_return method_not_allowed(req);
    json list = json::array();
    for (const auto& op : gateway.list_operations()) {
      if (op.session_id == s->id) list.push_back(operation_data(op, instance()));
    }
    co_return ok_json(list);
  }
  if (parts.size() != 4) co_return not_found("No such resource: " + req.path);
  if (method != http::verb::post) co_return method_not_allowed(req);
  auto body = json_body(req);
  if (auto* r = std::get_if<HttpResponse>(&body)) co_return std::move(*r);
  const json& j = std::get<json>(body);
  auto operation = co_await run_session_operation(gateway, ctx, s->handle, parts[3], j);
  co_return std::move(operation);
}

// ---- operations ----

awaitable<HttpResponse> RestFrontend::Router::operations(HttpRequest& req, Caller& caller,
                                                         const std::vector<std::string>& parts) {
  const auto method = req.message.method();
  auto& gateway = *deps_.gateway;
  if (parts.size() < 2) co_return not_found("No such resource: " + req.path);
  auto found = owned_operation(caller, parts[1]);
  if (!found) co_return status_response(found.status());
  auto& [op, s] = *found;
  const frontend::CallContext ctx = on_behalf(caller, s);
  if (parts.size() == 2) {
    if (method != http::verb::put) co_return method_not_allowed(req);
    auto body = json_body(req);
    if (auto* r = std::get_if<HttpResponse>(&body)) co_return std::move(*r);
    const json& j = std::get<json>(body);
    const std::string action = j.value("action", std::string());
    if (iequals(action, "cancel")) {
      tcli::TCancelOperationReq cancel;
      cancel.operationHandle = op.handle;
      auto resp = co_await gateway.cancel_operation(ctx, cancel);
      if (auto failed = failure_response(resp)) co_return std::move(*failed);
    } else if (iequals(action, "close")) {
      tcli::TCloseOperationReq close;
      close.operationHandle = op.handle;
      auto resp = co_await gateway.close_operation(ctx, close);
      if (auto failed = failure_response(resp)) co_return std::move(*failed);
    } else {
      co_return bad_request("action must be cancel or close, not '" + action + "'");
    }
    co_return HttpResponse::json(http::status::ok, "{}");
  }
  if (method != http::verb::get || parts.size() != 3) {
    co_return parts.size() == 3 ? method_not_allowed(req)
                                : not_found("No such resource: " + req.path);
  }
  const std::string& what = parts[2];
  if (what == "event") {
    tcli::TGetOperationStatusReq status;
    status.operationHandle = op.handle;
    auto resp = co_await gateway.get_operation_status(ctx, status);
    if (auto failed = failure_response(resp)) co_return std::move(*failed);
    co_return ok_json(operation_event(op, s, *resp, instance()));
  }
  if (what == "resultsetmetadata") {
    tcli::TGetResultSetMetadataReq meta;
    meta.operationHandle = op.handle;
    auto resp = co_await gateway.get_result_set_metadata(ctx, meta);
    if (auto failed = failure_response(resp)) co_return std::move(*failed);
    co_return ok_json(result_set_metadata(*resp));
  }
  if (what == "log" || what == "rowset") {
    tcli::TFetchResultsReq fetch;
    fetch.operationHandle = op.handle;
    auto orientation = fetch_orientation(req.param("fetchorientation", "FETCH_NEXT"));
    if (!orientation) co_return status_response(orientation.status());
    fetch.orientation = *orientation;
    try {
      fetch.maxRows = std::stoll(req.param("maxrows", "100"));
    } catch (const std::exception&) {
      co_return bad_request("maxrows must be a number");
    }
    if (fetch.maxRows < 0) co_return bad_request("maxrows must not be negative");
    if (what == "log") fetch.__set_fetchType(1);
    auto resp = co_await gateway.fetch_results(ctx, fetch);
    if (auto failed = failure_response(resp)) co_return std::move(*failed);
    if (what == "log") co_return ok_json(log_rows(resp->results));
    co_return ok_json(row_set(resp->results));
  }
  co_return not_found("No such resource: " + req.path);
}

// ---- admin ----

awaitable<HttpResponse> RestFrontend::Router::admin(HttpRequest& req, Caller& caller,
                                                    const std::vector<std::string>& parts) {
  const auto method = req.message.method();
  auto& gateway = *deps_.gateway;
  if (parts.size() >= 2 && parts[1] == "engine" && parts.size() == 2) {
    // Engines are open to every user, for their own engines (Kyuubi's rule).
    if (method == http::verb::get) co_return co_await engines(req, caller, false);
    if (method == http::verb::delete_) co_return co_await engines(req, caller, true);
    co_return method_not_allowed(req);
  }
  if (!caller.admin) {
    co_return HttpResponse::error(http::status::forbidden, caller.user +
                                                               " is not an administrator "
                                                               "(kyuubi.server.administrators)");
  }
  if (parts.size() == 3 && parts[1] == "refresh") {
    if (method != http::verb::post) co_return method_not_allowed(req);
    if (!deps_.refresh) co_return HttpResponse::error(http::status::not_implemented, "no refresh");
    auto refreshed = deps_.refresh(parts[2]);
    if (!refreshed) co_return status_response(refreshed.status());
    co_return HttpResponse::text(http::status::ok, *refreshed);
  }
  if (parts.size() >= 2 && parts[1] == "sessions") {
    if (parts.size() == 2) {
      if (method != http::verb::get) co_return method_not_allowed(req);
      std::set<std::string> users;
      for (const auto& u : split(req.param("users"), ','))
        users.insert(std::string(trim(u)));
      const std::string type = to_upper(req.param("sessionType"));
      json list = json::array();
      if (type.empty() || type == "INTERACTIVE") {
        for (const auto& s : gateway.list_sessions()) {
          if (users.empty() || users.contains(s.user)) {
            list.push_back(session_data(s, instance()));
          }
        }
      }
      co_return ok_json(list);
    }
    if (parts.size() == 3 && method == http::verb::delete_) {
      if (!co_await gateway.close_session_by_id(parts[2], "closed by " + caller.user)) {
        co_return not_found("Invalid SessionHandle: " + parts[2]);
      }
      co_return HttpResponse::text(http::status::ok, "Session " + parts[2] + " is closed");
    }
    co_return method_not_allowed(req);
  }
  if (parts.size() >= 2 && parts[1] == "operations") {
    if (parts.size() == 2) {
      if (method != http::verb::get) co_return method_not_allowed(req);
      std::set<std::string> users;
      for (const auto& u : split(req.param("users"), ','))
        users.insert(std::string(trim(u)));
      const std::string session_id = req.param("sessionHandle");
      json list = json::array();
      for (const auto& op : gateway.list_operations()) {
        if (!users.empty() && !users.contains(op.session_user)) continue;
        if (!session_id.empty() && op.session_id != session_id) continue;
        list.push_back(operation_data(op, instance()));
      }
      co_return ok_json(list);
    }
    if (parts.size() == 3 && method == http::verb::delete_) {
      // An administrator closes anyone's operation: no ownership check here.
      auto op = gateway.operation_by_id(parts[2]);
      auto s = op ? gateway.session_by_id(op->session_id) : std::nullopt;
      if (!op || !s) co_return not_found("Invalid OperationHandle: " + parts[2]);
      tcli::TCloseOperationReq close;
      close.operationHandle = op->handle;
      auto resp = co_await gateway.close_operation(on_behalf(caller, *s), close);
      if (auto failed = failure_response(resp)) co_return std::move(*failed);
      co_return HttpResponse::text(http::status::ok, "Operation " + parts[2] + " is closed");
    }
    co_return method_not_allowed(req);
  }
  if (parts.size() == 2 && parts[1] == "server") {
    if (method != http::verb::get) co_return method_not_allowed(req);
    const std::string space = discovery::namespace_space(deps_.server_conf.get(k::kHaNamespace));
    auto nodes = co_await deps_.discovery->get_nodes(space);
    if (!nodes) co_return status_response(nodes.status());
    json list = json::array();
    for (const auto& n : *nodes)
      list.push_back(server_data(n, space));
    co_return ok_json(list);
  }
  if (parts.size() == 3 && parts[1] == "batch" && parts[2] == "count") {
    batch::BatchManager* batch_manager = batches_.load();
    if (!batch_manager) {
      co_return HttpResponse::error(http::status::service_unavailable,
                                    "batches are not available on this server yet");
    }
    batch::BatchFilter filter;
    filter.batch_type = req.param("batchType", "SPARK");
    filter.user = req.param("batchUser");
    filter.state = req.param("batchState");
    auto n = co_await batch_manager->count(filter);
    if (!n) co_return status_response(n.status());
    co_return ok_json(json{{"count", *n}});
  }
  co_return not_found("No such resource: " + req.path);
}

awaitable<HttpResponse> RestFrontend::Router::engines(HttpRequest& req, Caller& caller,
                                                      bool remove) {
  std::string proxy = req.param("proxyUser", req.param("hive.server2.proxy.user"));
  std::string user = caller.user;
  if (!proxy.empty() && proxy != caller.user) {
    auto effective = co_await effective_user(caller, proxy);
    if (!effective) co_return status_response(effective.status());
    user = *effective;
  }
  routing::EngineKey key;
  key.server_space = std::string(trim(deps_.server_conf.get(k::kHaNamespace)));
  while (!key.server_space.empty() && key.server_space.front() == '/')
    key.server_space.erase(key.server_space.begin());
  key.version = deps_.server_version;
  auto level = routing::parse_share_level(
      req.param("sharelevel", deps_.server_conf.get(k::kEngineShareLevel)));
  if (!level) co_return status_response(level.status());
  key.level = *level;
  key.engine_type = to_upper(req.param("type", deps_.server_conf.get(k::kEngineType)));
  key.session_user = user;
  key.routing_user = user;
  const std::string subdomain = req.param("subdomain");
  key.subdomain = subdomain.empty() ? "default" : to_lower(subdomain);
  const std::string space = key.engine_space();
  if (!remove) {
    // Without a subdomain, every subdomain of the user's engine space (Kyuubi's listing).
    std::vector<std::string> subdomains{key.subdomain};
    if (subdomain.empty()) {
      const std::string user_path = space.substr(0, space.rfind('/'));
      auto children = co_await deps_.discovery->get_children(user_path);
      if (!children) co_return status_response(children.status());
      subdomains = *children;
      std::sort(subdomains.begin(), subdomains.end());
    }
    json list = json::array();
    for (const auto& sub : subdomains) {
      routing::EngineKey k2 = key;
      k2.subdomain = sub;
      const std::string sub_space = k2.engine_space();
      auto found = co_await deps_.discovery->get_nodes(sub_space);
      if (!found) co_return status_response(found.status());
      for (const auto& n : *found)
        list.push_back(engine_data(n, k2, sub_space));
    }
    co_return ok_json(list);
  }
  auto nodes = co_await deps_.discovery->get_nodes(space);
  if (!nodes) co_return status_response(nodes.status());
  if (nodes->empty()) co_return not_found("No engine in " + space);
  std::string removed;
  for (const auto& n : *nodes) {
    Status st = co_await deps_.discovery->remove_node(space, n.name);
    if (!st.is_ok()) co_return status_response(st);
    removed += (removed.empty() ? "" : ", ") + n.address();
  }
  logger("rest")->info("{} removed the engine(s) {} of {} from discovery", caller.user, removed,
                       space);
  co_return HttpResponse::text(http::status::ok, "Engine " + space + " is deleted successfully");
}

// ---- batches ----

awaitable<HttpResponse> RestFrontend::Router::batches(HttpRequest& req, Caller& caller,
                                                      const std::vector<std::string>& parts) {
  batch::BatchManager* batch_manager = batches_.load();
  if (!batch_manager) {
    co_return HttpResponse::error(http::status::service_unavailable,
                                  "batches are not available on this server yet");
  }
  const auto method = req.message.method();
  auto& manager = *batch_manager;
  batch::Caller who;
  who.real_user = caller.user;
  who.user = caller.user;
  who.client_ip = caller.ctx.peer_ip;
  who.administrator = caller.superuser;
  if (parts.size() == 1) {
    if (method == http::verb::post) co_return co_await submit_batch(req, caller);
    if (method != http::verb::get) co_return method_not_allowed(req);
    batch::BatchFilter filter;
    filter.batch_type = req.param("batchType");
    filter.state = req.param("batchState");
    filter.user = req.param("batchUser");
    filter.name = req.param("batchName");
    try {
      filter.create_time = std::stoll(req.param("createTime", "0"));
      filter.end_time = std::stoll(req.param("endTime", "0"));
      filter.from = std::stoi(req.param("from", "0"));
      filter.size = std::stoi(req.param("size", "100"));
    } catch (const std::exception&) {
      co_return bad_request("createTime, endTime, from and size must be numbers");
    }
    if (filter.from < 0 || filter.size <= 0) {
      co_return bad_request("from must not be negative and size must be positive");
    }
    filter.desc = iequals(req.param("desc", "false"), "true");
    auto list = co_await manager.list(who, filter);
    if (!list) co_return status_response(list.status());
    json batches_json = json::array();
    for (const auto& b : *list)
      batches_json.push_back(batch::to_json(b));
    co_return ok_json(
        json{{"from", filter.from}, {"total", batches_json.size()}, {"batches", batches_json}});
  }
  const std::string& id = parts[1];
  if (parts.size() == 2) {
    if (method == http::verb::get) {
      auto b = co_await manager.get(who, id);
      if (!b) co_return status_response(b.status());
      co_return ok_json(batch::to_json(*b));
    }
    if (method != http::verb::delete_) co_return method_not_allowed(req);
    auto proxy = req.param("hive.server2.proxy.user");
    if (!proxy.empty()) {
      auto effective = co_await effective_user(caller, proxy);
      if (!effective) co_return status_response(effective.status());
      who.user = *effective;
    }
    auto closed = co_await manager.close(who, id);
    if (!closed) co_return status_response(closed.status());
    co_return ok_json(json{{"success", closed->success}, {"msg", closed->message}});
  }
  if (parts.size() == 3 && parts[2] == "localLog") {
    if (method != http::verb::get) co_return method_not_allowed(req);
    int from = -1;
    int size = 100;
    try {
      from = std::stoi(req.param("from", "-1"));
      size = std::stoi(req.param("size", "100"));
    } catch (const std::exception&) {
      co_return bad_request("from and size must be numbers");
    }
    auto log = co_await manager.local_log(who, id, from, size);
    if (!log) co_return status_response(log.status());
    co_return ok_json(json{{"logRowSet", log->rows}, {"rowCount", log->rows.size()}});
  }
  co_return not_found("No such resource: " + req.path);
}

awaitable<HttpResponse> RestFrontend::Router::submit_batch(HttpRequest& req, Caller& caller) {
  json request_json;
  std::vector<batch::Upload> uploads;
  const std::string content_type = to_lower(req.header("Content-Type"));
  if (content_type.starts_with("multipart/form-data")) {
    auto parts = parse_multipart(req.header("Content-Type"), req.message.body());
    if (!parts) co_return status_response(parts.status());
    bool have_request = false;
    for (auto& part : *parts) {
      if (part.name == "batchRequest") {
        request_json = json::parse(part.body, nullptr, false);
        if (request_json.is_discarded() || !request_json.is_object()) {
          co_return bad_request("The batchRequest part is not a JSON object");
        }
        have_request = true;
      } else {
        uploads.push_back(batch::Upload{part.name, part.file_name, std::move(part.body)});
      }
    }
    if (!have_request) co_return bad_request("A multipart batch needs a batchRequest part");
  } else {
    auto body = json_body(req);
    if (auto* r = std::get_if<HttpResponse>(&body)) co_return std::move(*r);
    request_json = std::get<json>(std::move(body));
  }
  auto request = batch::batch_request_from_json(request_json);
  if (!request) co_return status_response(request.status());
  batch::Caller who;
  who.real_user = caller.user;
  who.client_ip = caller.ctx.peer_ip;
  who.administrator = caller.superuser;
  std::string proxy;
  for (const char* key : {"kyuubi.session.proxy.user", "hive.server2.proxy.user"}) {
    if (auto it = request->conf.find(key); it != request->conf.end() && proxy.empty()) {
      proxy = it->second;
    }
  }
  auto user = co_await effective_user(caller, proxy);
  if (!user) co_return status_response(user.status());
  who.user = *user;
  batch::BatchManager* batch_manager = batches_.load();
  if (!batch_manager) {
    co_return HttpResponse::error(http::status::service_unavailable,
                                  "batches are not available on this server yet");
  }
  auto submitted = co_await batch_manager->submit(who, std::move(*request), std::move(uploads));
  if (!submitted) co_return status_response(submitted.status());
  co_return ok_json(batch::to_json(*submitted));
}

// ---- the frontend ----

RestFrontend::RestFrontend(IoShards& shards, RestOptions options, RestDependencies deps,
                           std::shared_ptr<frontend::HttpAuthenticator> auth)
    : options_(std::move(options)),
      deps_(std::move(deps)),
      auth_(std::move(auth)),
      router_(std::make_unique<Router>(options_, deps_, auth_)),
      server_(shards, options_.server, [this](HttpRequest& req) -> awaitable<HttpResponse> {
        return router_->handle(req);
      }) {}

RestFrontend::~RestFrontend() = default;

Result<tcp::endpoint> RestFrontend::start() {
  return server_.start();
}
void RestFrontend::stop_accepting() {
  server_.stop_accepting();
}
void RestFrontend::stop() {
  server_.stop();
}
awaitable<bool> RestFrontend::wait_closed(std::chrono::steady_clock::time_point deadline) {
  return server_.wait_closed(deadline);
}

void RestFrontend::set_instance(std::string instance) {
  router_->set_instance(std::move(instance));
}

void RestFrontend::set_batches(batch::BatchManager* batches) {
  router_->batches_ = batches;
}

}  // namespace kitsune::rest
