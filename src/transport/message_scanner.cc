// MessageScanner: a resumable walk over TBinaryProtocol structure with size checks up front.
#include "kitsune/transport/message_scanner.h"

namespace kitsune::transport {
namespace {

constexpr std::uint32_t kVersionMask = 0xffff0000;
constexpr std::uint32_t kVersion1 = 0x80010000;
constexpr std::int32_t kMaxMethodName = 1024;

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// Bytes of a fixed-size value, or 0 for variable-size types (string, containers, struct).
std::size_t fixed_size(std::uint8_t type) {
  switch (type) {
    case ttype::kBool:
    case ttype::kByte:
      return 1;
    case ttype::kI16:
      return 2;
    case ttype::kI32:
      return 4;
    case ttype::kI64:
    case ttype::kDouble:
      return 8;
    default:
      return 0;
  }
}

bool valid_type(std::uint8_t type) {
  switch (type) {
    case ttype::kBool:
    case ttype::kByte:
    case ttype::kDouble:
    case ttype::kI16:
    case ttype::kI32:
    case ttype::kI64:
    case ttype::kString:
    case ttype::kStruct:
    case ttype::kMap:
    case ttype::kSet:
    case ttype::kList:
      return true;
    default:
      return false;
  }
}

}  // namespace

MessageScanner::MessageScanner(std::size_t max_bytes, std::size_t max_depth)
    : max_bytes_(max_bytes), max_depth_(max_depth) {
  stack_.reserve(16);
}

void MessageScanner::reset() {
  header_done_ = false;
  pos_ = 0;
  needed_ = 0;
  stack_.clear();
  error_.clear();
  failure_ = Outcome::kMalformed;
}

MessageScanner::Outcome MessageScanner::fail(Outcome outcome, std::string why) {
  error_ = std::move(why);
  failure_ = outcome;
  return outcome;
}

MessageScanner::Outcome MessageScanner::scan_header(std::span<const std::uint8_t> data) {
  // version|type (4), name length (4), name, seqid (4); all or nothing, the header is small.
  if (data.size() < 8) {
    if (data.size() >= 1 && (data[0] & 0x80) == 0) {
      return fail(Outcome::kMalformed, "not a strict TBinaryProtocol message (first byte " +
                                           std::to_string(data[0]) + ")");
    }
    needed_ = 8 - data.size();
    return Outcome::kNeedMore;
  }
  const std::uint32_t word = be32(data.data());
  if ((word & kVersionMask) != kVersion1) {
    return fail(Outcome::kMalformed, "bad TBinaryProtocol version in message header");
  }
  const std::uint32_t type = word & 0xff;
  if (type < 1 || type > 4) {
    return fail(Outcome::kMalformed, "bad message type " + std::to_string(type));
  }
  const auto name_len = static_cast<std::int32_t>(be32(data.data() + 4));
  if (name_len < 0 || name_len > kMaxMethodName) {
    return fail(Outcome::kMalformed, "bad method name length " + std::to_string(name_len));
  }
  const std::size_t header = 8 + static_cast<std::size_t>(name_len) + 4;
  if (data.size() < header) {
    needed_ = header - data.size();
    return Outcome::kNeedMore;
  }
  pos_ = header;
  header_done_ = true;
  stack_.push_back(Frame{Kind::kStruct, 0, 0, false, 0});
  return Outcome::kComplete;  // of the header
}

MessageScanner::Step MessageScanner::value(std::uint8_t type, std::span<const std::uint8_t> data,
                                           Frame* pushed) {
  const std::size_t avail = data.size() - pos_;
  if (std::size_t fs = fixed_size(type)) {
    if (avail < fs) {
      needed_ = fs - avail;
      return Step::kNeedMore;
    }
    pos_ += fs;
    return Step::kDone;
  }
  switch (type) {
    case ttype::kString: {
      if (avail < 4) {
        needed_ = 4 - avail;
        return Step::kNeedMore;
      }
      const auto len = static_cast<std::int32_t>(be32(data.data() + pos_));
      if (len < 0) {
        fail(Outcome::kMalformed, "negative string length");
        return Step::kFailed;
      }
      const std::size_t total = 4 + static_cast<std::size_t>(len);
      if (pos_ + total > max_bytes_) {
        fail(Outcome::kTooLarge, "a string of " + std::to_string(len) +
                                     " bytes exceeds the message size limit of " +
                                     std::to_string(max_bytes_));
        return Step::kFailed;
      }
      if (avail < total) {
        needed_ = total - avail;
        return Step::kNeedMore;
      }
      pos_ += total;
      return Step::kDone;
    }
    case ttype::kStruct:
      *pushed = Frame{Kind::kStruct, 0, 0, false, 0};
      return Step::kPushed;
    case ttype::kList:
    case ttype::kSet: {
      if (avail < 5) {
        needed_ = 5 - avail;
        return Step::kNeedMore;
      }
      const std::uint8_t elem = data[pos_];
      const auto count = static_cast<std::int32_t>(be32(data.data() + pos_ + 1));
      if (count < 0 || (count > 0 && !valid_type(elem))) {
        fail(Outcome::kMalformed, "bad list header");
        return Step::kFailed;
      }
      // Every element takes at least one byte (a fixed size for scalars).
      const std::size_t min_each = fixed_size(elem) ? fixed_size(elem) : 1;
      if (pos_ + 5 + static_cast<std::size_t>(count) * min_each > max_bytes_) {
        fail(Outcome::kTooLarge, "a list of " + std::to_string(count) +
                                     " elements exceeds the message size limit of " +
                                     std::to_string(max_bytes_));
        return Step::kFailed;
      }
      pos_ += 5;
      *pushed = Frame{Kind::kList, elem, 0, false, count};
      return Step::kPushed;
    }
    case ttype::kMap: {
      if (avail < 6) {
        needed_ = 6 - avail;
        return Step::kNeedMore;
      }
      const std::uint8_t kt = data[pos_];
      const std::uint8_t vt = data[pos_ + 1];
      const auto count = static_cast<std::int32_t>(be32(data.data() + pos_ + 2));
      if (count < 0 || (count > 0 && (!valid_type(kt) || !valid_type(vt)))) {
        fail(Outcome::kMalformed, "bad map header");
        return Step::kFailed;
      }
      if (pos_ + 6 + static_cast<std::size_t>(count) * 2 > max_bytes_) {
        fail(Outcome::kTooLarge, "a map of " + std::to_string(count) +
                                     " entries exceeds the message size limit of " +
                                     std::to_string(max_bytes_));
        return Step::kFailed;
      }
      pos_ += 6;
      *pushed = Frame{Kind::kMap, kt, vt, false, count};
      return Step::kPushed;
    }
    default:
      fail(Outcome::kMalformed, "invalid Thrift type id " + std::to_string(type));
      return Step::kFailed;
  }
}

MessageScanner::Outcome MessageScanner::scan(std::span<const std::uint8_t> data) {
  needed_ = 0;
  if (!header_done_) {
    Outcome h = scan_header(data);
    if (h != Outcome::kComplete) return h;
  }
  while (!stack_.empty()) {
    if (pos_ > max_bytes_) {
      return fail(Outcome::kTooLarge,
                  "message exceeds the size limit of " + std::to_string(max_bytes_) + " bytes");
    }
    Frame& f = stack_.back();
    Frame pushed{};
    Step step = Step::kDone;
    if (f.kind == Kind::kStruct) {
      if (data.size() - pos_ < 1) {
        needed_ = 1;
        return Outcome::kNeedMore;
      }
      const std::uint8_t type = data[pos_];
      if (type == ttype::kStop) {
        ++pos_;
        stack_.pop_back();
        continue;
      }
      if (!valid_type(type)) {
        return fail(Outcome::kMalformed, "invalid Thrift type id " + std::to_string(type));
      }
      if (data.size() - pos_ < 3) {
        needed_ = 3 - (data.size() - pos_);
        return Outcome::kNeedMore;
      }
      pos_ += 3;
      step = value(type, data, &pushed);
      if (step == Step::kNeedMore) {
        pos_ -= 3;  // re-read the field header next time, so the step stays all-or-nothing
        return Outcome::kNeedMore;
      }
    } else if (f.kind == Kind::kList) {
      if (f.remaining == 0) {
        stack_.pop_back();
        continue;
      }
      if (std::size_t fs = fixed_size(f.key_type)) {
        // Fast path: skip as many whole elements as have arrived.
        const std::size_t have = (data.size() - pos_) / fs;
        const std::size_t take = std::min<std::size_t>(have, static_cast<std::size_t>(f.remaining));
        if (take == 0) {
          needed_ = fs - (data.size() - pos_);
          return Outcome::kNeedMore;
        }
        pos_ += take * fs;
        f.remaining -= static_cast<std::int64_t>(take);
        continue;
      }
      step = value(f.key_type, data, &pushed);
      if (step == Step::kDone || step == Step::kPushed) --f.remaining;
    } else {  // map
      if (f.remaining == 0) {
        stack_.pop_back();
        continue;
      }
      const std::uint8_t type = f.value_next ? f.value_type : f.key_type;
      step = value(type, data, &pushed);
      if (step == Step::kDone || step == Step::kPushed) {
        if (f.value_next) --f.remaining;
        f.value_next = !f.value_next;
      }
    }
    if (step == Step::kNeedMore) return Outcome::kNeedMore;
    if (step == Step::kFailed) return failure_;
    if (step == Step::kPushed) {
      if (stack_.size() >= max_depth_) {
        return fail(Outcome::kMalformed,
                    "nesting deeper than " + std::to_string(max_depth_) + " levels");
      }
      stack_.push_back(pushed);  // `f` may dangle from here on
    }
  }
  if (pos_ > max_bytes_) {
    return fail(Outcome::kTooLarge,
                "message exceeds the size limit of " + std::to_string(max_bytes_) + " bytes");
  }
  return Outcome::kComplete;
}

}  // namespace kitsune::transport
