// Message encoding with a reusable buffer, header parsing, and application exceptions.
#include "kitsune/transport/thrift_codec.h"

#include <climits>

namespace kitsune::transport {
namespace {

using apache::thrift::transport::TMemoryBuffer;
using Protocol = apache::thrift::protocol::TBinaryProtocolT<TMemoryBuffer>;

// A reply buffer above this is not kept for the next message.
constexpr std::size_t kKeepBytes = 256 * 1024;

std::int32_t be32(const std::uint8_t* p) {
  return static_cast<std::int32_t>((std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
                                   (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]});
}

}  // namespace

Result<MessageHeader> parse_message_header(std::span<const std::uint8_t> m) {
  if (m.size() < 12) return Status::error("message too short for a header");
  const auto word = static_cast<std::uint32_t>(be32(m.data()));
  if ((word & 0xffff0000u) != 0x80010000u) return Status::error("bad message version");
  const std::int32_t name_len = be32(m.data() + 4);
  if (name_len < 0 || m.size() < 12 + static_cast<std::size_t>(name_len)) {
    return Status::error("bad method name length");
  }
  MessageHeader h;
  h.type = static_cast<MessageType>(word & 0xff);
  h.name.assign(reinterpret_cast<const char*>(m.data() + 8), static_cast<std::size_t>(name_len));
  h.seqid = be32(m.data() + 8 + name_len);
  return h;
}

std::shared_ptr<apache::thrift::TConfiguration> thrift_config(std::size_t max_message_bytes) {
  const int max = max_message_bytes > static_cast<std::size_t>(INT_MAX)
                      ? INT_MAX
                      : static_cast<int>(max_message_bytes);
  // Copies, not references: libthrift declares these constants but does not define them.
  const int frame = apache::thrift::TConfiguration::DEFAULT_MAX_FRAME_SIZE;
  const int depth = apache::thrift::TConfiguration::DEFAULT_RECURSION_DEPTH;
  return std::make_shared<apache::thrift::TConfiguration>(max, frame, depth);
}

MessageEncoder::MessageEncoder() = default;

void MessageEncoder::begin() {
  if (!buffer_ || last_size_ > kKeepBytes) {
    buffer_ = std::make_shared<TMemoryBuffer>(1024);
    protocol_ = std::make_unique<Protocol>(buffer_);
  } else {
    buffer_->resetBuffer();
  }
}

std::span<const std::uint8_t> MessageEncoder::finish() {
  buffer_->writeEnd();
  std::uint8_t* data = nullptr;
  std::uint32_t size = 0;
  buffer_->getBuffer(&data, &size);
  last_size_ = size;
  return {data, size};
}

std::span<const std::uint8_t> MessageEncoder::encode_exception(
    std::string_view name, std::int32_t seqid,
    apache::thrift::TApplicationException::TApplicationExceptionType type,
    const std::string& message) {
  apache::thrift::TApplicationException e(type, message);
  return encode(name, MessageType::kException, seqid, e);
}

}  // namespace kitsune::transport
