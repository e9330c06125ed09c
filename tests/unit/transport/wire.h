// Test helpers for the transport layer: real TCLIService messages made with MessageEncoder,
// hand-built TBinaryProtocol bytes for malformed input, SASL frames, and a loopback TCP pair.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kitsune/common/asio.h"
#include "kitsune/tcli/tcli.h"
#include "kitsune/transport/thrift_codec.h"

namespace kitsune::testing {

using Bytes = std::vector<std::uint8_t>;

inline Bytes to_bytes(std::span<const std::uint8_t> s) {
  return Bytes(s.begin(), s.end());
}
inline Bytes to_bytes(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

inline Bytes concat(std::initializer_list<std::span<const std::uint8_t>> parts) {
  Bytes out;
  for (auto p : parts)
    out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline std::span<const std::uint8_t> slice(const Bytes& b, std::size_t from, std::size_t to) {
  return std::span<const std::uint8_t>(b).subspan(from, to - from);
}

// Big-endian TBinaryProtocol pieces, for bytes no generated struct would write.
class WireBuilder {
 public:
  WireBuilder& u8(std::uint8_t v) {
    b_.push_back(v);
    return *this;
  }
  WireBuilder& i16(std::int16_t v) {
    const auto u = static_cast<std::uint16_t>(v);
    return u8(static_cast<std::uint8_t>(u >> 8)).u8(static_cast<std::uint8_t>(u));
  }
  WireBuilder& i32(std::int32_t v) {
    const auto u = static_cast<std::uint32_t>(v);
    return u8(static_cast<std::uint8_t>(u >> 24))
        .u8(static_cast<std::uint8_t>(u >> 16))
        .u8(static_cast<std::uint8_t>(u >> 8))
        .u8(static_cast<std::uint8_t>(u));
  }
  WireBuilder& raw(std::string_view s) {
    b_.insert(b_.end(), s.begin(), s.end());
    return *this;
  }
  WireBuilder& str(std::string_view s) { return i32(static_cast<std::int32_t>(s.size())).raw(s); }
  // Strict message header: version word with the message type, name, seqid.
  WireBuilder& header(std::string_view name, std::uint8_t type = 1, std::int32_t seqid = 0) {
    return i32(static_cast<std::int32_t>(0x80010000u | type)).str(name).i32(seqid);
  }
  WireBuilder& field(std::uint8_t type, std::int16_t id) { return u8(type).i16(id); }
  WireBuilder& stop() { return u8(0); }
  const Bytes& bytes() const { return b_; }

 private:
  Bytes b_;
};

// An OpenSession call as a Python or JDBC client sends it, with `entries` configuration pairs.
inline Bytes open_session_call(std::size_t entries = 4, std::int32_t seqid = 0,
                               const std::string& big_value = {}) {
  tcli::TOpenSessionReq req;
  req.client_protocol = tcli::TProtocolVersion::HIVE_CLI_SERVICE_PROTOCOL_V10;
  req.__set_username("alice");
  req.__set_password("secret");
  std::map<std::string, std::string> conf;
  for (std::size_t i = 0; i < entries; ++i) {
    conf["set:hiveconf:kyuubi.key." + std::to_string(i)] = "value " + std::to_string(i);
  }
  conf["use:database"] = "default";
  if (!big_value.empty()) conf["set:hivevar:big"] = big_value;
  req.__set_configuration(conf);
  tcli::TCLIService_OpenSession_pargs args;
  args.req = &req;
  transport::MessageEncoder encoder;
  return to_bytes(encoder.encode("OpenSession", transport::MessageType::kCall, seqid, args));
}

// A FetchResults reply whose column-form row set holds `rows` values in each of eight column
// kinds, with every seventh value NULL.
inline tcli::TCLIService_FetchResults_result fetch_results_result(std::size_t rows) {
  std::string nulls((rows + 7) / 8, '\0');
  for (std::size_t r = 0; r < rows; r += 7) {
    nulls[r / 8] = static_cast<char>(static_cast<unsigned char>(nulls[r / 8]) | (1u << (r % 8)));
  }
  tcli::TBoolColumn b;
  tcli::TByteColumn y;
  tcli::TI16Column s;
  tcli::TI32Column i;
  tcli::TI64Column l;
  tcli::TDoubleColumn d;
  tcli::TStringColumn str;
  tcli::TBinaryColumn bin;
  for (std::size_t r = 0; r < rows; ++r) {
    b.values.push_back(r % 2 == 0);
    y.values.push_back(static_cast<std::int8_t>(r % 100));
    s.values.push_back(static_cast<std::int16_t>(r % 30000));
    i.values.push_back(static_cast<std::int32_t>(r * 3));
    l.values.push_back(static_cast<std::int64_t>(r) * 1000000007LL);
    d.values.push_back(static_cast<double>(r) / 4.0);
    str.values.push_back("row-" + std::to_string(r));
    bin.values.push_back(std::string("\x00\x01\xff", 3) + std::to_string(r));
  }
  b.nulls = y.nulls = s.nulls = i.nulls = l.nulls = d.nulls = str.nulls = bin.nulls = nulls;
  std::vector<tcli::TColumn> columns(8);
  columns[0].__set_boolVal(b);
  columns[1].__set_byteVal(y);
  columns[2].__set_i16Val(s);
  columns[3].__set_i32Val(i);
  columns[4].__set_i64Val(l);
  columns[5].__set_doubleVal(d);
  columns[6].__set_stringVal(str);
  columns[7].__set_binaryVal(bin);
  tcli::TRowSet rowset;
  rowset.startRowOffset = 0;
  rowset.__set_columns(columns);
  tcli::TFetchResultsResp resp;
  resp.status.statusCode = tcli::TStatusCode::SUCCESS_STATUS;
  resp.__set_hasMoreRows(false);
  resp.__set_results(rowset);
  tcli::TCLIService_FetchResults_result result;
  // The generator declares __set_success for service results but does not define it.
  result.success = resp;
  result.__isset.success = true;
  return result;
}

inline Bytes fetch_results_reply(std::size_t rows, std::int32_t seqid = 1) {
  transport::MessageEncoder encoder;
  return to_bytes(encoder.encode("FetchResults", transport::MessageType::kReply, seqid,
                                 fetch_results_result(rows)));
}

// A SASL data frame: 4-byte big-endian length, then the bytes.
inline Bytes sasl_frame(std::span<const std::uint8_t> payload) {
  WireBuilder w;
  w.i32(static_cast<std::int32_t>(payload.size()));
  Bytes out = w.bytes();
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

// A connected TCP pair on 127.0.0.1 with a port the OS picked, each socket on its own strand.
struct Loopback {
  asio::io_context io;
  tcp::socket server{asio::make_strand(io)};
  tcp::socket client{asio::make_strand(io)};

  Loopback() {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
  }
};

// Lets the other coroutines of a single-threaded io_context run before this one goes on.
inline awaitable<void> yield_a_few_times(int n = 3) {
  auto ex = co_await asio::this_coro::executor;
  for (int i = 0; i < n; ++i)
    co_await asio::post(ex, asio::use_awaitable);
}

}  // namespace kitsune::testing
