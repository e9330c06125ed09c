// ThriftHttpFrontend: path and method checks, authentication, and the call through the Dispatcher
// with the reply (relayed FetchResults included) as the response body.
#include "kitsune/frontend/thrift_http_frontend.h"

#include <boost/asio/ssl/context.hpp>

#include "dispatcher.h"
#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "kitsune/transport/thrift_codec.h"
#include "kitsune/transport/tls.h"

namespace kitsune::frontend {

namespace k = config::keys;

Result<std::shared_ptr<boost::asio::ssl::context>> make_http_tls_context(const config::Conf& conf) {
  // The binary port's builder reads the keystore and protocol keys under their binary names.
  config::Conf mapped = conf;
  const std::string keystore = conf.get(k::kFrontendThriftHttpSslKeystorePath);
  if (!keystore.empty()) {
    mapped.set(std::string(k::kFrontendSslKeystorePath.name()), keystore);
    mapped.set(std::string(k::kFrontendSslKeystorePassword.name()),
               conf.get(k::kFrontendThriftHttpSslKeystorePassword));
  }
  mapped.set(std::string(k::kFrontendThriftBinarySslDisallowedProtocols.name()),
             join(conf.get(k::kFrontendThriftHttpSslProtocolBlacklist), ","));
  return transport::make_server_tls_context(mapped);
}

Result<ThriftHttpOptions> ThriftHttpOptions::from_conf(const config::Conf& conf) {
  ThriftHttpOptions o;
  o.server.name = "thrift-http";
  o.server.host = conf.get(k::kFrontendThriftHttpBindHost);
  o.server.port = conf.get(k::kFrontendThriftHttpBindPort);
  if (o.server.port < 0 || o.server.port > 65535) {
    return Status::error("kyuubi.frontend.thrift.http.bind.port must be a port number");
  }
  const auto header_size = conf.get(k::kFrontendThriftHttpRequestHeaderSize);
  if (header_size < 512) {
    return Status::error("kyuubi.frontend.thrift.http.request.header.size must be at least 512");
  }
  o.server.max_header_bytes = static_cast<std::size_t>(header_size);
  o.max_message_bytes = static_cast<std::size_t>(conf.get(k::kFrontendThriftMaxMessageSize));
  o.server.max_body_bytes = o.max_message_bytes;
  o.server.idle_timeout = conf.get(k::kFrontendThriftHttpMaxIdleTime);
  o.server.read_timeout = conf.get(k::kFrontendReadTimeout);
  std::string path(trim(conf.get(k::kFrontendThriftHttpPath)));
  while (!path.empty() && path.front() == '/')
    path.erase(path.begin());
  while (!path.empty() && (path.back() == '/' || path.back() == '*'))
    path.pop_back();
  o.path = path;
  o.xsrf_filter = conf.get(k::kFrontendThriftHttpXsrfFilterEnabled);
  o.client_ip_header = conf.get(k::kFrontendProxyHttpClientIpHeader);
  if (conf.get(k::kFrontendThriftHttpUseSsl)) {
    auto tls = make_http_tls_context(conf);
    if (!tls) return tls.status();
    o.server.tls = std::move(tls).value();
  }
  return o;
}

std::string forwarded_client(const HttpRequest& req, const std::string& header) {
  if (!header.empty()) {
    std::string v(trim(req.header(header)));
    if (!v.empty()) return v;
  }
  const std::string xff = req.header("X-Forwarded-For");
  return std::string(trim(xff.substr(0, xff.find(','))));
}

ThriftHttpFrontend::ThriftHttpFrontend(IoShards& shards, ThriftHttpOptions options,
                                       Hs2Service& service, std::shared_ptr<HttpAuthenticator> auth)
    : options_(std::move(options)),
      service_(service),
      auth_(std::move(auth)),
      server_(shards, options_.server,
              [this](HttpRequest& req) -> awaitable<HttpResponse> { return handle(req); }) {}

bool ThriftHttpFrontend::serves(const std::string& path) const {
  // Clients send /cliservice, /cliservice/ (PyHive), / (JDBC without httpPath), or the path
  // with more below it (Hive serves /cliservice/*).
  if (path == "/" || path.empty()) return true;
  const std::string base = "/" + options_.path;
  if (options_.path.empty()) return true;
  return path == base || path.starts_with(base + "/");
}

awaitable<HttpResponse> ThriftHttpFrontend::handle(HttpRequest& req) {
  auto log = logger("frontend");
  if (!serves(req.path)) {
    co_return HttpResponse::text(http::status::not_found,
                                 "No TCLIService at " + req.path + "; POST to /" + options_.path);
  }
  if (req.message.method() != http::verb::post) {
    HttpResponse r = HttpResponse::text(http::status::method_not_allowed,
                                        "TCLIService over HTTP takes POST requests");
    r.headers.emplace_back("Allow", "POST");
    co_return r;
  }
  if (options_.xsrf_filter && req.header("X-XSRF-HEADER").empty()) {
    co_return HttpResponse::text(http::status::bad_request,
                                 "Missing X-XSRF-HEADER header (cross-site request refused)");
  }
  auto identity = co_await auth_->authenticate(req);
  if (!identity) {
    log->info("[C{}] thrift-http: {} refused: {}", req.connection_id, req.peer,
              identity.status().message());
    co_return auth_->unauthorized(identity.status(), /*json=*/false);
  }

  CallContext ctx;
  ctx.connection_id = req.connection_id;
  ctx.peer = req.peer;
  ctx.peer_ip = req.peer_ip;
  ctx.principal = identity->user;
  ctx.mechanism = identity->mechanism;
  ctx.do_as = req.param("doAs");
  ctx.forwarded_for = forwarded_client(req, options_.client_ip_header);
  ctx.connectionless = true;

  const std::string& body = req.message.body();
  std::span<const std::uint8_t> message(reinterpret_cast<const std::uint8_t*>(body.data()),
                                        body.size());
  Dispatcher dispatcher(service_, options_.max_message_bytes);
  transport::MessageEncoder encoder;
  BufferedReplyStream relay;
  auto reply = co_await dispatcher.dispatch(ctx, message, encoder, relay);
  if (!reply) {
    log->info("[C{}] thrift-http: {} sent a body that is not a Thrift call: {}", req.connection_id,
              req.peer, reply.status().message());
    co_return HttpResponse::text(http::status::bad_request,
                                 "Not a Thrift call: " + reply.status().message());
  }
  HttpResponse out;
  out.content_type = "application/x-thrift";
  if (relay.started()) {
    const auto& bytes = relay.bytes();
    out.body.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  } else {
    out.body.assign(reinterpret_cast<const char*>(reply->data()), reply->size());
  }
  for (const auto& header : identity->response_headers)
    out.headers.push_back(header);
  co_return out;
}

}  // namespace kitsune::frontend
