// ThriftBinaryFrontend: the TCP listener for TCLIService over NOSASL or SASL, one coroutine per
// connection, dispatching every call to an Hs2Service.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "kitsune/auth/audit_log.h"
#include "kitsune/auth/authenticator.h"
#include "kitsune/common/asio.h"
#include "kitsune/common/async_event.h"
#include "kitsune/common/io_shards.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"
#include "kitsune/frontend/hs2_service.h"
#include "kitsune/transport/gssapi.h"
#include "kitsune/transport/thrift_transport.h"

namespace boost::asio::ssl {
class context;
}

namespace kitsune::frontend {

struct FrontendOptions {
  std::string name = "frontend";  // for log lines
  std::string host;               // empty: the address the host name resolves to
  int port = 10009;               // 0: the operating system picks
  bool nosasl = false;            // raw Thrift; otherwise SASL (PLAIN)
  transport::TransportLimits limits;
  std::chrono::milliseconds login_timeout{20000};
  std::size_t max_sasl_negotiation_bytes = 262144;

  // From kyuubi.frontend.thrift.binary.* and friends, and kyuubi.authentication.
  static Result<FrontendOptions> from_conf(const config::Conf& conf);
};

// Who may come in, and how: what kyuubi.authentication and the TLS keys ask for.
struct FrontendSecurity {
  std::shared_ptr<auth::PasswordAuthenticator> password;  // SASL PLAIN; null: not offered
  std::shared_ptr<transport::GssapiServer> kerberos;      // SASL GSSAPI; null: not offered
  std::shared_ptr<boost::asio::ssl::context> tls;         // null: no TLS on this port
  std::shared_ptr<auth::AuditLog> audit;                  // null: no audit lines

  // Builds and checks everything the configuration names (`host` replaces _HOST in the Kerberos
  // principal); an error says which key to fix, for the startup log.
  static Result<FrontendSecurity> from_conf(const config::Conf& conf, std::string_view program,
                                            std::string_view host);
};

// The address a server binds to and advertises when no host is configured: the first address the
// host name resolves to, else the loopback address (Kyuubi's rule).
std::string local_host_address();

class ThriftBinaryFrontend {
 public:
  // `service` must outlive the frontend. Without options.nosasl, `security` offers at least one
  // SASL mechanism.
  ThriftBinaryFrontend(asio::io_context& io, FrontendOptions options, Hs2Service& service,
                       FrontendSecurity security);
  // Listens on shards.main() and puts each connection on the next shard, for good.
  ThriftBinaryFrontend(IoShards& shards, FrontendOptions options, Hs2Service& service,
                       FrontendSecurity security);
  ~ThriftBinaryFrontend();

  // Binds and listens (failing here, not later, when the address is taken), then accepts.
  Result<tcp::endpoint> start();

  // Stops accepting new connections; those open go on. Any thread.
  void stop_accepting();

  // Stops accepting and closes every connection: one in the middle of a call once its reply is
  // written; an idle one once it has been idle for `grace` (a call already on its way is still
  // answered, with whatever a stopping server says). Their sessions see on_disconnect. Any
  // thread.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(1000));

  // Waits until every connection has closed, or the deadline; true when they have.
  awaitable<bool> wait_closed(std::chrono::steady_clock::time_point deadline);

  std::size_t connection_count() const;

 private:
  awaitable<void> accept_loop();
  awaitable<void> serve(tcp::socket socket, std::uint64_t id);
  // Everything before the first call: TLS, the transport the client speaks, SASL. True when the
  // client may make calls (ctx then says who it is); otherwise it has been told why, if it could
  // be, and the attempt is in the audit log.
  awaitable<bool> login(transport::ThriftTransport& transport, CallContext& ctx);
  void audit(const CallContext& ctx, std::string user, std::string mechanism, bool allowed,
             std::string reason) const;

  asio::io_context& io_;
  IoShards* shards_ = nullptr;  // null: connections stay on io_
  FrontendOptions options_;
  Hs2Service& service_;
  FrontendSecurity security_;
  asio::strand<asio::io_context::executor_type> accept_strand_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> accepting_stopped_{false};
  mutable std::mutex mu_;
  struct Connection {
    std::weak_ptr<transport::ThriftTransport> transport;
  };
  std::unordered_map<std::uint64_t, Connection> connections_;
  AsyncEvent connection_closed_;
};

}  // namespace kitsune::frontend
