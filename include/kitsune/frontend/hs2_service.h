// Hs2Service: what a TCLIService implementation (the gateway's session layer, or an engine's
// backend) provides to the frontend, one coroutine per RPC.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kitsune/common/asio.h"
#include "kitsune/common/handle.h"
#include "kitsune/common/status.h"
#include "kitsune/tcli/methods.h"
#include "kitsune/tcli/tcli.h"

namespace kitsune::frontend {

// Who makes a call, and over what.
struct CallContext {
  std::uint64_t connection_id = 0;
  std::string peer;  // "ip:port"
  std::string peer_ip;
  std::string principal;  // the user the transport authenticated; empty with NOSASL
  std::string mechanism;  // "PLAIN", "GSSAPI", "NOSASL", or HTTP's "BASIC", "COOKIE", ...
  // HTTP only: the proxy user of a ?doAs= parameter (checked like hive.server2.proxy.user), and
  // the client address a proxy in front reported (X-Forwarded-For, or the configured header),
  // recorded but never trusted for limits.
  std::string do_as;
  std::string forwarded_for;
  // HTTP and REST: the calls of a session come over many connections; none of them owns it.
  bool connectionless = false;
};

// Each method returns the response, or a Status that the frontend turns into the response's
// TStatus (the one place where that happens). A response returned as a value keeps the status
// it carries (SUCCESS unless the service set another). Methods are awaited on the connection's
// strand; an implementation must not block it.
// Where a relayed reply goes: the client's connection, written as the bytes arrive.
class ReplyStream {
 public:
  virtual ~ReplyStream() = default;
  // Starts a reply message of `length` bytes; write() then gets exactly that many, in order.
  virtual awaitable<Status> begin(std::size_t length) = 0;
  virtual awaitable<Status> write(std::span<const std::uint8_t> bytes) = 0;
  // Whether begin() was called: from then on the reply is on its way.
  bool started() const { return started_; }

 protected:
  bool started_ = false;
};

// A ReplyStream that keeps the reply, for a relay that must run away from the connection's
// strand; replay() then writes it to the real one.
class BufferedReplyStream : public ReplyStream {
 public:
  awaitable<Status> begin(std::size_t length) override;
  awaitable<Status> write(std::span<const std::uint8_t> bytes) override;
  awaitable<Status> replay(ReplyStream& out);
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
};

class Hs2Service {
 public:
  virtual ~Hs2Service() = default;

#define KITSUNE_DECLARE_HS2_METHOD(Method, snake)                                \
  virtual awaitable<Result<tcli::T##Method##Resp>> snake(const CallContext& ctx, \
                                                         const tcli::T##Method##Req& req) = 0;
  KITSUNE_TCLI_METHODS(KITSUNE_DECLARE_HS2_METHOD)
#undef KITSUNE_DECLARE_HS2_METHOD

  // FetchResults by relay: a service that forwards the call to another TCLIService server
  // streams that server's reply message, which must already carry `seqid`, into `out` as it
  // arrives; the frontend passes it on unchanged (the row set is never decoded). nullopt: not
  // relayed, fetch_results() answers. An error before out.begin() becomes the call's error
  // reply; after it, the connection is closed (half a message cannot be taken back).
  virtual awaitable<std::optional<Status>> relay_fetch_results(const CallContext& ctx,
                                                               const tcli::TFetchResultsReq& req,
                                                               std::int32_t seqid,
                                                               ReplyStream& out) {
    (void)ctx;
    (void)req;
    (void)seqid;
    (void)out;
    co_return std::nullopt;
  }

  // The connection that made calls under ctx.connection_id is gone (sessions it opened may need
  // closing, per kyuubi.session.close.on.disconnect).
  virtual awaitable<void> on_disconnect(const CallContext& ctx) = 0;
};

// The TStatus for a Status: SUCCESS, INVALID_HANDLE, or ERROR with message, SQLSTATE and code.
tcli::TStatus to_tstatus(const Status& status);

// The Thrift form of an operation handle a service issued.
tcli::TOperationHandle to_thrift_operation_handle(const Handle& handle,
                                                  tcli::TOperationType::type type,
                                                  bool has_result_set);

}  // namespace kitsune::frontend
