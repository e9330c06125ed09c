// The Kerberos tests' realm, gateway conf, GSSAPI sessions and the recording relay.
#include "kerberos_harness.h"

#include <arpa/inet.h>
#include <gssapi/gssapi.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace kitsune::testing {

KerberosRealm::KerberosRealm(KdcOptions options) {
  kdc_.emplace(std::move(options));
  kdc_->export_config();
  kdc_->add_user("alice", kAlicePassword);
  kdc_->add_service("hive/localhost");
  kdc_->add_service("other/localhost");
  keytab_ = kdc_->dir() + "/hive.keytab";
  kdc_->export_keytab("hive/localhost", keytab_);
  other_keytab_ = kdc_->dir() + "/other.keytab";
  kdc_->export_keytab("other/localhost", other_keytab_);
  alice_ccache_ = kdc_->new_ccache();
  auto r = kdc_->kinit("alice", kAlicePassword, alice_ccache_);
  if (r.exit_code != 0) throw std::runtime_error("kinit alice failed:\n" + r.output);
  use_ccache(alice_ccache_);
}

void KerberosRealm::use_ccache(const std::string& ccache) {
  setenv("KRB5CCNAME", ccache.c_str(), 1);
}

GatewayOptions::Conf kerberos_conf(const KerberosRealm& realm, const std::string& qop,
                                   const std::string& authentication) {
  return {{"kyuubi.authentication", authentication},
          {"kyuubi.kinit.principal", "hive/localhost@EXAMPLE.TEST"},
          {"kyuubi.kinit.keytab", realm.keytab()},
          {"kyuubi.authentication.sasl.qop", qop}};
}

client::ClientOptions gssapi_options(const std::string& host, int port, transport::Qop qop) {
  client::ClientOptions o;
  o.host = host;
  o.port = port;
  o.auth = client::ClientAuth::kGssapi;
  o.gssapi.service = "hive";
  o.gssapi.host = "localhost";
  o.gssapi.qop = qop;
  o.connect_timeout = std::chrono::seconds(20);
  return o;
}

awaitable<Result<ClientSession>> open_session_with(client::ClientOptions options) {
  auto c = co_await client::Hs2Client::connect(std::move(options));
  if (!c) co_return c.status();
  tcli::TOpenSessionReq open;
  open.client_protocol = tcli::TProtocolVersion::HIVE_CLI_SERVICE_PROTOCOL_V10;
  auto opened = co_await (*c)->open_session(open);
  if (!opened) co_return opened.status();
  if (opened->status.statusCode != tcli::TStatusCode::SUCCESS_STATUS) {
    co_return Status::error("OpenSession: " + opened->status.errorMessage);
  }
  ClientSession session;
  session.client = std::move(c).value();
  session.handle = opened->sessionHandle;
  session.server_configuration = opened->configuration;
  co_return session;
}

awaitable<Result<std::string>> session_user(ClientSession& session) {
  tcli::TGetInfoReq req;
  req.sessionHandle = session.handle;
  req.infoType = tcli::TGetInfoType::CLI_USER_NAME;
  auto info = co_await session.client->get_info(req);
  if (!info) co_return info.status();
  if (info->status.statusCode != tcli::TStatusCode::SUCCESS_STATUS) {
    co_return Status::error("GetInfo: " + info->status.errorMessage);
  }
  co_return info->infoValue.stringValue;
}

Result<std::string> initial_gssapi_token(const std::string& service, const std::string& host) {
  OM_uint32 minor = 0;
  std::string text = service + "@" + host;
  gss_buffer_desc name_buffer{text.size(), text.data()};
  gss_name_t target = GSS_C_NO_NAME;
  if (GSS_ERROR(gss_import_name(&minor, &name_buffer, GSS_C_NT_HOSTBASED_SERVICE, &target))) {
    return Status::error("gss_import_name failed");
  }
  gss_ctx_id_t context = GSS_C_NO_CONTEXT;
  gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
  const OM_uint32 major =
      gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &context, target, GSS_C_NO_OID,
                           GSS_C_MUTUAL_FLAG | GSS_C_SEQUENCE_FLAG, 0, GSS_C_NO_CHANNEL_BINDINGS,
                           GSS_C_NO_BUFFER, nullptr, &out, nullptr, nullptr);
  std::string token(static_cast<const char*>(out.value), out.length);
  gss_release_buffer(&minor, &out);
  gss_release_name(&minor, &target);
  if (context != GSS_C_NO_CONTEXT) gss_delete_sec_context(&minor, &context, GSS_C_NO_BUFFER);
  if (GSS_ERROR(major)) return Status::error("gss_init_sec_context failed");
  return token;
}

WireSplit split_sasl_stream(const std::vector<std::uint8_t>& bytes) {
  WireSplit out;
  std::size_t pos = 0;
  auto be32_at = [&](std::size_t at) {
    return (std::uint32_t{bytes[at]} << 24) | (std::uint32_t{bytes[at + 1]} << 16) |
           (std::uint32_t{bytes[at + 2]} << 8) | bytes[at + 3];
  };
  bool negotiating = true;
  while (negotiating && pos + 5 <= bytes.size()) {
    const std::uint8_t status = bytes[pos];
    const std::size_t len = be32_at(pos + 1);
    if (pos + 5 + len > bytes.size()) return out;
    out.negotiation.push_back(
        {status, std::vector<std::uint8_t>(bytes.begin() + static_cast<long>(pos + 5),
                                           bytes.begin() + static_cast<long>(pos + 5 + len))});
    pos += 5 + len;
    negotiating = status != 5;
  }
  while (pos + 4 <= bytes.size()) {
    const std::size_t len = be32_at(pos);
    if (pos + 4 + len > bytes.size()) break;
    out.frames.push_back(
        {0, std::vector<std::uint8_t>(bytes.begin() + static_cast<long>(pos + 4),
                                      bytes.begin() + static_cast<long>(pos + 4 + len))});
    pos += 4 + len;
  }
  return out;
}

bool contains(const std::vector<std::uint8_t>& haystack, const std::string& needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

WireTap::WireTap(std::string upstream_host, int upstream_port)
    : upstream_host_(std::move(upstream_host)), upstream_port_(upstream_port) {
  listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      listen(listener_, 4) != 0) {
    close(listener_);
    throw std::runtime_error("cannot listen for the wire tap");
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

WireTap::~WireTap() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  close(listener_);
}

std::vector<std::uint8_t> WireTap::to_server() const {
  std::lock_guard lock(mu_);
  return to_server_;
}

std::vector<std::uint8_t> WireTap::to_client() const {
  std::lock_guard lock(mu_);
  return to_client_;
}

void WireTap::serve() {
  while (!stopping_) {
    pollfd p{listener_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    const int client = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    const int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(upstream_port_));
    inet_pton(AF_INET, upstream_host_.c_str(), &addr.sin_addr);
    if (connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      relay(client, server);
    }
    close(server);
    close(client);
  }
}

void WireTap::relay(int client, int server) {
  pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
  char buf[65536];
  while (!stopping_) {
    if (poll(fds, 2, 50) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) return;
      {
        std::lock_guard lock(mu_);
        auto& log = i == 0 ? to_server_ : to_client_;
        log.insert(log.end(), buf, buf + n);
      }
      const int to = fds[1 - i].fd;
      for (ssize_t sent = 0; sent < n;) {
        const ssize_t w = write(to, buf + sent, static_cast<std::size_t>(n - sent));
        if (w <= 0) return;
        sent += w;
      }
    }
  }
}

}  // namespace kitsune::testing
