// MessageScanner: finds where one TBinaryProtocol message ends in a byte stream, without
// decoding it and without allocating per element, checking sizes before anything is buffered.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace kitsune::transport {

// NOSASL puts Thrift messages on the socket with no length prefix, and SASL frames need not line
// up with messages, so a reader must know a message's structure to know its length. The scanner
// walks that structure (strict TBinaryProtocol: header, then one struct) and is resumable: call
// scan() again with the same bytes plus more, and it continues where it stopped.
//
// Declared lengths are checked against max_bytes as soon as they are read, so a 2 GB string
// length prefix is refused before a single byte of it is awaited or buffered.
class MessageScanner {
 public:
  enum class Outcome { kNeedMore, kComplete, kMalformed, kTooLarge };

  explicit MessageScanner(std::size_t max_bytes, std::size_t max_depth = 64);

  // Forgets the current message; the next scan() starts a new one.
  void reset();

  // `data` starts at the first byte of the message and holds everything received so far; it may
  // run past the message's end (the next message's bytes).
  Outcome scan(std::span<const std::uint8_t> data);

  // The message's length, after kComplete.
  std::size_t size() const { return pos_; }
  // After kNeedMore: how many more bytes (beyond what scan() saw) the next step needs; at least 1.
  std::size_t needed() const { return needed_; }
  // After kMalformed or kTooLarge: why.
  const std::string& error() const { return error_; }

 private:
  enum class Kind : std::uint8_t { kStruct, kList, kMap };
  struct Frame {
    Kind kind;
    std::uint8_t key_type;    // list element type, or map key type
    std::uint8_t value_type;  // map value type
    bool value_next;          // map: the next item is a value
    std::int64_t remaining;   // list/map items left
  };
  enum class Step { kDone, kPushed, kNeedMore, kFailed };

  Outcome scan_header(std::span<const std::uint8_t> data);
  // Consumes one value of `type` at pos_, or pushes a frame for a container/struct.
  Step value(std::uint8_t type, std::span<const std::uint8_t> data, Frame* pushed);
  Outcome fail(Outcome outcome, std::string why);

  const std::size_t max_bytes_;
  const std::size_t max_depth_;
  bool header_done_ = false;
  std::size_t pos_ = 0;
  std::size_t needed_ = 0;
  std::vector<Frame> stack_;
  std::string error_;
  Outcome failure_ = Outcome::kMalformed;
};

// TBinaryProtocol type ids, as they appear on the wire.
namespace ttype {
inline constexpr std::uint8_t kStop = 0;
inline constexpr std::uint8_t kBool = 2;
inline constexpr std::uint8_t kByte = 3;
inline constexpr std::uint8_t kDouble = 4;
inline constexpr std::uint8_t kI16 = 6;
inline constexpr std::uint8_t kI32 = 8;
inline constexpr std::uint8_t kI64 = 10;
inline constexpr std::uint8_t kString = 11;
inline constexpr std::uint8_t kStruct = 12;
inline constexpr std::uint8_t kMap = 13;
inline constexpr std::uint8_t kSet = 14;
inline constexpr std::uint8_t kList = 15;
}  // namespace ttype

}  // namespace kitsune::transport
