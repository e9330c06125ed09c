// Dispatcher: decodes one TCLIService call, awaits the Hs2Service method, encodes the reply.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kitsune/frontend/hs2_service.h"
#include "kitsune/transport/thrift_codec.h"

namespace kitsune::frontend {

class Dispatcher {
 public:
  Dispatcher(Hs2Service& service, std::size_t max_message_bytes);

  // The encoded reply to `message` (valid until the encoder's next use), or an empty span when
  // there is nothing (more) to write: a oneway call, or a reply relayed into `relay` already
  // (see Hs2Service::relay_fetch_results). Unknown methods and undecodable arguments get a
  // TApplicationException reply and leave the connection usable; a header that cannot be read,
  // or a relay that failed half way, fails.
  awaitable<Result<std::span<const std::uint8_t>>> dispatch(const CallContext& ctx,
                                                            std::span<const std::uint8_t> message,
                                                            transport::MessageEncoder& encoder,
                                                            ReplyStream& relay);

 private:
  awaitable<Result<std::span<const std::uint8_t>>> dispatch_call(
      const CallContext& ctx, std::span<const std::uint8_t> message,
      transport::MessageEncoder& encoder);

  using Handler = awaitable<std::span<const std::uint8_t>> (Dispatcher::*)(
      const CallContext&, std::span<const std::uint8_t>, const transport::MessageHeader&,
      transport::MessageEncoder&);

  template <typename Args, typename ResultStruct, auto Method>
  awaitable<std::span<const std::uint8_t>> handle(const CallContext& ctx,
                                                  std::span<const std::uint8_t> message,
                                                  const transport::MessageHeader& header,
                                                  transport::MessageEncoder& encoder);

  Hs2Service& service_;
  const std::shared_ptr<apache::thrift::TConfiguration> thrift_config_;
  // The handler of each method, by name: one table for every connection.
  static const std::unordered_map<std::string_view, Handler>& handlers();
  // The current call's relay target (set by dispatch()), and how its relay ended.
  ReplyStream* relay_ = nullptr;
  Status relay_failure_;
};

}  // namespace kitsune::frontend
