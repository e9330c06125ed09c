// Encoding and decoding of whole TBinaryProtocol messages to and from byte spans, for any
// generated Thrift struct, plus the application exceptions a server sends for bad calls.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <thrift/TApplicationException.h>
#include <thrift/TConfiguration.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "kitsune/common/status.h"

namespace kitsune::transport {

enum class MessageType : std::int32_t { kCall = 1, kReply = 2, kException = 3, kOneway = 4 };

struct MessageHeader {
  std::string name;
  MessageType type = MessageType::kCall;
  std::int32_t seqid = 0;
};

// Reads the header of a strict TBinaryProtocol message (already scanned as complete).
Result<MessageHeader> parse_message_header(std::span<const std::uint8_t> message);

// Thrift's configuration object for a message size limit (int-bounded, as Thrift's is). Make it
// once per owner and pass it to decode_message.
std::shared_ptr<apache::thrift::TConfiguration> thrift_config(std::size_t max_message_bytes);

// Writes messages into a buffer; the span returned by encode() is valid until the next encode()
// or release(). Owners call release() once the message is written, so that idle ones hold no
// buffer.
class MessageEncoder {
 public:
  MessageEncoder();

  template <typename Body>
  std::span<const std::uint8_t> encode(std::string_view name, MessageType type, std::int32_t seqid,
                                       const Body& body) {
    begin();
    protocol_->writeMessageBegin(std::string(name),
                                 static_cast<apache::thrift::protocol::TMessageType>(type), seqid);
    body.write(protocol_.get());
    protocol_->writeMessageEnd();
    return finish();
  }

  std::span<const std::uint8_t> encode_exception(
      std::string_view name, std::int32_t seqid,
      apache::thrift::TApplicationException::TApplicationExceptionType type,
      const std::string& message);

  // Drops the buffer; the next encode() makes a new one.
  void release() {
    protocol_.reset();
    buffer_.reset();
  }

 private:
  void begin();
  std::span<const std::uint8_t> finish();

  std::shared_ptr<apache::thrift::transport::TMemoryBuffer> buffer_;
  std::unique_ptr<
      apache::thrift::protocol::TBinaryProtocolT<apache::thrift::transport::TMemoryBuffer>>
      protocol_;
  std::size_t last_size_ = 0;
};

// Reads a whole message into a generated struct. Thrift's own decoding errors (a missing required
// field, a wrong type) come back as kError with Thrift's text.
template <typename Body>
Status decode_message(std::span<const std::uint8_t> message,
                      const std::shared_ptr<apache::thrift::TConfiguration>& config,
                      MessageHeader* header, Body& body) {
  using apache::thrift::TException;
  using apache::thrift::transport::TMemoryBuffer;
  auto buffer = std::make_shared<TMemoryBuffer>(const_cast<std::uint8_t*>(message.data()),
                                                static_cast<std::uint32_t>(message.size()),
                                                TMemoryBuffer::OBSERVE, config);
  apache::thrift::protocol::TBinaryProtocolT<TMemoryBuffer> protocol(buffer);
  try {
    std::string name;
    apache::thrift::protocol::TMessageType type;
    std::int32_t seqid = 0;
    protocol.readMessageBegin(name, type, seqid);
    body.read(&protocol);
    protocol.readMessageEnd();
    if (header) {
      header->name = std::move(name);
      header->type = static_cast<MessageType>(type);
      header->seqid = seqid;
    }
  } catch (const TException& e) {
    return Status::error(std::string("cannot decode the Thrift message: ") + e.what());
  }
  return Status::ok();
}

}  // namespace kitsune::transport
