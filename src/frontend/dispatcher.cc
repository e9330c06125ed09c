// Dispatcher: one templated handler per TCLIService method, and the Status -> TStatus mapping.
#include "dispatcher.h"

#include "kitsune/common/log.h"

namespace kitsune::frontend {
namespace {

using apache::thrift::TApplicationException;
using transport::MessageType;

// Fills an error response: its status, plus any required field that must still be valid.
template <typename Resp>
void fill_error(Resp& resp, const Status& status) {
  resp.status = to_tstatus(status);
  if constexpr (std::is_same_v<Resp, tcli::TGetInfoResp>) {
    // infoValue is required even on error; Kyuubi sends lenValue 0.
    resp.infoValue.__set_lenValue(0);
  }
}

}  // namespace

tcli::TOperationHandle to_thrift_operation_handle(const Handle& handle,
                                                  tcli::TOperationType::type type,
                                                  bool has_result_set) {
  tcli::TOperationHandle h;
  h.operationId.guid = handle.guid_bytes();
  h.operationId.secret = handle.secret_bytes();
  h.operationType = type;
  h.hasResultSet = has_result_set;
  return h;
}

tcli::TStatus to_tstatus(const Status& status) {
  tcli::TStatus t;
  if (status.is_ok()) {
    t.statusCode = tcli::TStatusCode::SUCCESS_STATUS;
    return t;
  }
  t.statusCode = status.code() == StatusCode::kInvalidHandle
                     ? tcli::TStatusCode::INVALID_HANDLE_STATUS
                     : tcli::TStatusCode::ERROR_STATUS;
  t.__set_errorMessage(status.message());
  if (!status.sql_state().empty()) t.__set_sqlState(status.sql_state());
  t.__set_errorCode(status.error_code());
  // infoMessages stays unset: Hive JDBC parses it as a Java stack trace and fails on odd input.
  return t;
}

template <typename Args, typename ResultStruct, auto Method>
awaitable<std::span<const std::uint8_t>> Dispatcher::handle(const CallContext& ctx,
                                                            std::span<const std::uint8_t> message,
                                                            const transport::MessageHeader& header,
                                                            transport::MessageEncoder& encoder) {
  Args args;
  Status decoded = transport::decode_message(message, thrift_config_, nullptr, args);
  if (!decoded.is_ok()) {
    co_return encoder.encode_exception(header.name, header.seqid,
                                       TApplicationException::PROTOCOL_ERROR, decoded.message());
  }
  if constexpr (std::is_same_v<Args, tcli::TCLIService_FetchResults_args>) {
    auto relayed = co_await service_.relay_fetch_results(ctx, args.req, header.seqid, *relay_);
    if (relayed && relayed->is_ok()) co_return std::span<const std::uint8_t>{};  // written
    if (relayed && relay_->started()) {
      relay_failure_ = *relayed;
      co_return std::span<const std::uint8_t>{};
    }
    if (relayed) {
      ResultStruct failed;
      fill_error(failed.success, *relayed);
      failed.__isset.success = true;
      co_return encoder.encode(header.name, MessageType::kReply, header.seqid, failed);
    }
  }
  auto response = co_await (service_.*Method)(ctx, args.req);
  ResultStruct result;
  if (response.is_ok()) {
    result.success = std::move(response).value();
  } else if constexpr (requires { result.success.status; }) {
    fill_error(result.success, response.status());
  } else {
    // GetQueryId's response has no status: the only way to fail is an application exception.
    co_return encoder.encode_exception(header.name, header.seqid,
                                       TApplicationException::INTERNAL_ERROR,
                                       response.status().message());
  }
  result.__isset.success = true;
  co_return encoder.encode(header.name, MessageType::kReply, header.seqid, result);
}

Dispatcher::Dispatcher(Hs2Service& service, std::size_t max_message_bytes)
    : service_(service), thrift_config_(transport::thrift_config(max_message_bytes)) {}

const std::unordered_map<std::string_view, Dispatcher::Handler>& Dispatcher::handlers() {
  static const auto* table = [] {
    auto* t = new std::unordered_map<std::string_view, Handler>;
#define KITSUNE_REGISTER_HANDLER(Method, snake)                     \
  t->emplace(#Method,                                               \
             &Dispatcher::handle<tcli::TCLIService_##Method##_args, \
                                 tcli::TCLIService_##Method##_result, &Hs2Service::snake>);
    KITSUNE_TCLI_METHODS(KITSUNE_REGISTER_HANDLER)
#undef KITSUNE_REGISTER_HANDLER
    return t;
  }();
  return *table;
}

awaitable<Result<std::span<const std::uint8_t>>> Dispatcher::dispatch(
    const CallContext& ctx, std::span<const std::uint8_t> message,
    transport::MessageEncoder& encoder, ReplyStream& relay) {
  relay_ = &relay;
  relay_failure_ = Status::ok();
  auto reply = co_await dispatch_call(ctx, message, encoder);
  if (!relay_failure_.is_ok()) {
    co_return Status::unavailable("relaying a reply failed half way: " + relay_failure_.message());
  }
  co_return reply;
}

awaitable<Result<std::span<const std::uint8_t>>> Dispatcher::dispatch_call(
    const CallContext& ctx, std::span<const std::uint8_t> message,
    transport::MessageEncoder& encoder) {
  auto header = transport::parse_message_header(message);
  if (!header) co_return header.status();
  if (header->type != MessageType::kCall && header->type != MessageType::kOneway) {
    co_return encoder.encode_exception(header->name, header->seqid,
                                       TApplicationException::INVALID_MESSAGE_TYPE,
                                       "expected a call message");
  }
  const auto& table = handlers();
  auto it = table.find(header->name);
  if (it == table.end()) {
    logger("frontend")->debug("[C{}] unknown method '{}'", ctx.connection_id, header->name);
    co_return encoder.encode_exception(header->name, header->seqid,
                                       TApplicationException::UNKNOWN_METHOD,
                                       "Invalid method name: '" + header->name + "'");
  }
  logger("frontend")
      ->trace("[C{}] call {} seqid={}", ctx.connection_id, header->name, header->seqid);
  auto reply = co_await (this->*(it->second))(ctx, message, *header, encoder);
  if (header->type == MessageType::kOneway) co_return std::span<const std::uint8_t>{};
  co_return reply;
}

awaitable<Status> BufferedReplyStream::begin(std::size_t length) {
  started_ = true;
  bytes_.clear();
  bytes_.reserve(length);
  co_return Status::ok();
}

awaitable<Status> BufferedReplyStream::write(std::span<const std::uint8_t> bytes) {
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  co_return Status::ok();
}

awaitable<Status> BufferedReplyStream::replay(ReplyStream& out) {
  Status s = co_await out.begin(bytes_.size());
  if (s.is_ok()) s = co_await out.write(bytes_);
  bytes_ = {};
  co_return s;
}

}  // namespace kitsune::frontend
