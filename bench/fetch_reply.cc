#include "fetch_reply.h"

#include <algorithm>

namespace kitsune::bench {
namespace {

// TBinaryProtocol wire types.
constexpr std::uint8_t kStop = 0, kBool = 2, kByte = 3, kDouble = 4, kI16 = 6, kI32 = 8, kI64 = 10,
                       kString = 11, kStruct = 12, kMap = 13, kSet = 14, kList = 15;

class Cursor {
 public:
  explicit Cursor(std::span<const std::uint8_t> bytes) : b_(bytes) {}

  bool ok() const { return ok_; }

  std::uint8_t u8() { return need(1) ? b_[pos_++] : 0; }
  std::int16_t i16() { return static_cast<std::int16_t>(be(2)); }
  std::int32_t i32() { return static_cast<std::int32_t>(be(4)); }
  std::int64_t i64() { return static_cast<std::int64_t>(be(8)); }
  std::string str() {
    const auto n = i32();
    if (n < 0 || !need(static_cast<std::size_t>(n))) return fail_str();
    std::string s(reinterpret_cast<const char*>(b_.data() + pos_), static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return s;
  }
  void advance(std::int64_t n) {
    if (n < 0 || !need(static_cast<std::size_t>(n))) return;
    pos_ += static_cast<std::size_t>(n);
  }

  // Skips one value of `type`.
  void skip(std::uint8_t type, int depth = 0) {
    if (!ok_ || depth > 64) {
      ok_ = false;
      return;
    }
    switch (type) {
      case kBool:
      case kByte:
        advance(1);
        return;
      case kI16:
        advance(2);
        return;
      case kI32:
        advance(4);
        return;
      case kDouble:
      case kI64:
        advance(8);
        return;
      case kString:
        advance(i32());
        return;
      case kStruct:
        for (;;) {
          const std::uint8_t t = u8();
          if (!ok_ || t == kStop) return;
          advance(2);
          skip(t, depth + 1);
        }
      case kMap: {
        const std::uint8_t kt = u8();
        const std::uint8_t vt = u8();
        const auto n = i32();
        for (std::int32_t i = 0; i < n && ok_; ++i) {
          skip(kt, depth + 1);
          skip(vt, depth + 1);
        }
        return;
      }
      case kSet:
      case kList: {
        const std::uint8_t et = u8();
        const auto n = i32();
        if (n < 0) ok_ = false;
        for (std::int32_t i = 0; i < n && ok_; ++i)
          skip(et, depth + 1);
        return;
      }
      default:
        ok_ = false;
    }
  }

 private:
  bool need(std::size_t n) {
    if (ok_ && b_.size() - pos_ >= n) return true;
    ok_ = false;
    return false;
  }
  std::uint64_t be(std::size_t n) {
    if (!need(n)) return 0;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i)
      v = (v << 8) | b_[pos_ + i];
    pos_ += n;
    return v;
  }
  std::string fail_str() {
    ok_ = false;
    return {};
  }

  std::span<const std::uint8_t> b_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

// Calls on_field(type, id) for each field of the struct at the cursor; the callback consumes the
// value (or skips it).
template <typename F>
void each_field(Cursor& c, F&& on_field) {
  for (;;) {
    const std::uint8_t type = c.u8();
    if (!c.ok() || type == kStop) return;
    const std::int16_t id = c.i16();
    on_field(type, id);
    if (!c.ok()) return;
  }
}

// The length of a list at the cursor, then the list skipped.
std::int64_t list_length(Cursor& c) {
  const std::uint8_t et = c.u8();
  const auto n = c.i32();
  for (std::int32_t i = 0; i < n && c.ok(); ++i)
    c.skip(et);
  return n;
}

// TColumn is a union of T<Type>Column structs whose field 1 is the list of values.
std::int64_t column_length(Cursor& c) {
  std::int64_t rows = 0;
  each_field(c, [&](std::uint8_t type, std::int16_t) {
    if (type != kStruct) return c.skip(type);
    each_field(c, [&](std::uint8_t t, std::int16_t id) {
      if (id == 1 && t == kList) {
        rows = list_length(c);
      } else {
        c.skip(t);
      }
    });
  });
  return rows;
}

void row_set(Cursor& c, FetchSummary& out) {
  each_field(c, [&](std::uint8_t type, std::int16_t id) {
    if (id == 2 && type == kList) {  // rows (row-based protocols)
      out.rows = std::max(out.rows, list_length(c));
    } else if (id == 3 && type == kList) {  // columns
      const std::uint8_t et = c.u8();
      const auto n = c.i32();
      for (std::int32_t i = 0; i < n && c.ok(); ++i) {
        if (i == 0 && et == kStruct) {
          out.rows = std::max(out.rows, column_length(c));
        } else {
          c.skip(et);
        }
      }
    } else {
      c.skip(type);
    }
  });
}

}  // namespace

Result<FetchSummary> summarize_fetch_reply(std::span<const std::uint8_t> message) {
  Cursor c(message);
  const auto version = static_cast<std::uint32_t>(c.i32());
  if ((version & 0xffff0000u) != 0x80010000u) return Status::error("not a strict binary message");
  const auto type = version & 0xffu;
  (void)c.str();  // name
  (void)c.i32();  // seqid
  if (type == 3) return Status::error("the server answered FetchResults with an exception");
  FetchSummary out;
  bool seen = false;
  each_field(c, [&](std::uint8_t t, std::int16_t id) {
    if (id != 0 || t != kStruct) return c.skip(t);
    seen = true;
    each_field(c, [&](std::uint8_t ft, std::int16_t fid) {
      if (fid == 1 && ft == kStruct) {
        each_field(c, [&](std::uint8_t st, std::int16_t sid) {
          if (sid == 1 && st == kI32) {
            out.status_code = c.i32();
          } else if (sid == 5 && st == kString) {
            out.error_message = c.str();
          } else {
            c.skip(st);
          }
        });
      } else if (fid == 2 && ft == kBool) {
        out.has_more_rows = c.u8() != 0;
      } else if (fid == 3 && ft == kStruct) {
        row_set(c, out);
      } else {
        c.skip(ft);
      }
    });
  });
  if (!c.ok()) return Status::error("malformed FetchResults reply");
  if (!seen) return Status::error("FetchResults reply without a result");
  return out;
}

}  // namespace kitsune::bench
