// Tests of the Thrift codec: message headers, encode/decode round trips of generated structs, and
// the application exceptions a server answers unknown methods with.
#include "kitsune/transport/thrift_codec.h"

#include <climits>
#include <string>

#include <gtest/gtest.h>

#include "wire.h"

namespace kitsune::transport {
namespace {

using apache::thrift::TApplicationException;
using testing::Bytes;
using testing::WireBuilder;

TEST(ParseMessageHeader, ReadsNameTypeAndSeqid) {
  const Bytes call = testing::open_session_call(2, 7);
  auto h = parse_message_header(call);
  ASSERT_TRUE(h.is_ok()) << h.status().message();
  EXPECT_EQ(h->name, "OpenSession");
  EXPECT_EQ(h->type, MessageType::kCall);
  EXPECT_EQ(h->seqid, 7);

  const Bytes reply = testing::fetch_results_reply(3, -2);
  auto r = parse_message_header(reply);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->name, "FetchResults");
  EXPECT_EQ(r->type, MessageType::kReply);
  EXPECT_EQ(r->seqid, -2);
}

TEST(ParseMessageHeader, ReadsTheCapturedPyHiveOpenSessionBytes) {
  // hs2-protocol.md 1.10: the annotated PyHive capture.
  const Bytes m = WireBuilder()
                      .raw(std::string("\x80\x01\x00\x01", 4))
                      .str("OpenSession")
                      .i32(0)
                      .field(12, 1)
                      .field(8, 1)
                      .i32(5)
                      .field(11, 2)
                      .str("alice")
                      .field(13, 4)
                      .u8(11)
                      .u8(11)
                      .i32(0)
                      .stop()
                      .stop()
                      .bytes();
  auto h = parse_message_header(m);
  ASSERT_TRUE(h.is_ok());
  EXPECT_EQ(h->name, "OpenSession");
  EXPECT_EQ(h->type, MessageType::kCall);
  EXPECT_EQ(h->seqid, 0);

  tcli::TCLIService_OpenSession_args args;
  MessageHeader header;
  ASSERT_TRUE(decode_message(m, thrift_config(1 << 20), &header, args).is_ok());
  EXPECT_EQ(args.req.client_protocol, tcli::TProtocolVersion::HIVE_CLI_SERVICE_PROTOCOL_V6);
  EXPECT_EQ(args.req.username, "alice");
  EXPECT_TRUE(args.req.__isset.configuration);
  EXPECT_TRUE(args.req.configuration.empty());
}

TEST(ParseMessageHeader, RefusesShortMessagesBadVersionsAndBadNameLengths) {
  EXPECT_FALSE(parse_message_header(Bytes{0x80, 0x01, 0x00, 0x01}).is_ok());
  EXPECT_FALSE(parse_message_header(Bytes{}).is_ok());
  const Bytes bad_version =
      WireBuilder().i32(static_cast<std::int32_t>(0x80020001u)).str("X").i32(0).bytes();
  EXPECT_FALSE(parse_message_header(bad_version).is_ok());
  const Bytes negative =
      WireBuilder().i32(static_cast<std::int32_t>(0x80010001u)).i32(-1).i32(0).bytes();
  EXPECT_FALSE(parse_message_header(negative).is_ok());
  // A name that runs past the end of the message.
  const Bytes overlong =
      WireBuilder().i32(static_cast<std::int32_t>(0x80010001u)).i32(100).raw("abc").i32(0).bytes();
  EXPECT_FALSE(parse_message_header(overlong).is_ok());
}

TEST(DecodeMessage, RoundTripsAnOpenSessionCall) {
  const Bytes m = testing::open_session_call(5, 3);
  tcli::TCLIService_OpenSession_args args;
  MessageHeader header;
  Status s = decode_message(m, thrift_config(1 << 20), &header, args);
  ASSERT_TRUE(s.is_ok()) << s.message();
  EXPECT_EQ(header.name, "OpenSession");
  EXPECT_EQ(header.type, MessageType::kCall);
  EXPECT_EQ(header.seqid, 3);
  EXPECT_EQ(args.req.username, "alice");
  EXPECT_EQ(args.req.password, "secret");
  EXPECT_EQ(args.req.configuration.size(), 6u);
  EXPECT_EQ(args.req.configuration.at("set:hiveconf:kyuubi.key.4"), "value 4");
  EXPECT_EQ(args.req.configuration.at("use:database"), "default");
}

TEST(DecodeMessage, RoundTripsALargeFetchResultsReply) {
  const auto expected = testing::fetch_results_result(4000);
  const Bytes m = testing::fetch_results_reply(4000, 11);
  tcli::TCLIService_FetchResults_result got;
  MessageHeader header;
  Status s = decode_message(m, thrift_config(104857600), &header, got);
  ASSERT_TRUE(s.is_ok()) << s.message();
  EXPECT_EQ(header.type, MessageType::kReply);
  EXPECT_EQ(header.seqid, 11);
  EXPECT_TRUE(got.__isset.success);
  EXPECT_TRUE(got == expected);
  ASSERT_EQ(got.success.results.columns.size(), 8u);
  EXPECT_EQ(got.success.results.columns[6].stringVal.values[3999], "row-3999");

  // And back again: the same bytes.
  MessageEncoder encoder;
  const Bytes again =
      testing::to_bytes(encoder.encode("FetchResults", MessageType::kReply, 11, got));
  EXPECT_EQ(again, m);
}

TEST(DecodeMessage, ReportsATruncatedMessageAsAnErrorWithThriftsText) {
  const Bytes m = testing::open_session_call();
  tcli::TCLIService_OpenSession_args args;
  Status s =
      decode_message(testing::slice(m, 0, m.size() - 5), thrift_config(1 << 20), nullptr, args);
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), StatusCode::kError);
  EXPECT_NE(s.message().find("cannot decode the Thrift message"), std::string::npos) << s.message();
}

TEST(DecodeMessage, ReportsAMissingRequiredField) {
  // TOpenSessionReq.client_protocol is required.
  const Bytes m = WireBuilder()
                      .header("OpenSession")
                      .field(12, 1)
                      .field(11, 2)
                      .str("alice")
                      .stop()
                      .stop()
                      .bytes();
  tcli::TCLIService_OpenSession_args args;
  Status s = decode_message(m, thrift_config(1 << 20), nullptr, args);
  EXPECT_FALSE(s.is_ok());
}

TEST(DecodeMessage, HonoursTheMessageSizeLimit) {
  const Bytes m = testing::open_session_call(2, 0, std::string(4096, 'x'));
  tcli::TCLIService_OpenSession_args args;
  EXPECT_TRUE(decode_message(m, thrift_config(m.size()), nullptr, args).is_ok());
  Status s = decode_message(m, thrift_config(1024), nullptr, args);
  EXPECT_FALSE(s.is_ok());
}

TEST(MessageEncoder, EncodeExceptionProducesAnUnknownMethodApplicationException) {
  MessageEncoder encoder;
  const Bytes m = testing::to_bytes(encoder.encode_exception(
      "GetLog", 4, TApplicationException::UNKNOWN_METHOD, "Invalid method name: 'GetLog'"));
  auto h = parse_message_header(m);
  ASSERT_TRUE(h.is_ok());
  EXPECT_EQ(h->name, "GetLog");
  EXPECT_EQ(h->type, MessageType::kException);
  EXPECT_EQ(h->seqid, 4);

  TApplicationException e;
  MessageHeader header;
  ASSERT_TRUE(decode_message(m, thrift_config(1 << 20), &header, e).is_ok());
  EXPECT_EQ(e.getType(), TApplicationException::UNKNOWN_METHOD);
  EXPECT_STREQ(e.what(), "Invalid method name: 'GetLog'");
  EXPECT_EQ(header.type, MessageType::kException);

  // The wire layout: struct {1: string message, 2: i32 type = 1}.
  const Bytes expected = WireBuilder()
                             .header("GetLog", 3, 4)
                             .field(11, 1)
                             .str("Invalid method name: 'GetLog'")
                             .field(8, 2)
                             .i32(1)
                             .stop()
                             .bytes();
  EXPECT_EQ(m, expected);
}

TEST(MessageEncoder, ReusesItsBufferAcrossMessagesOfAnySize) {
  MessageEncoder encoder;
  const Bytes small_expected = testing::open_session_call(1, 1);
  tcli::TOpenSessionReq req;
  {
    tcli::TCLIService_OpenSession_args args;
    ASSERT_TRUE(decode_message(small_expected, thrift_config(1 << 20), nullptr, args).is_ok());
    req = args.req;
  }
  tcli::TCLIService_OpenSession_pargs pargs;
  pargs.req = &req;
  const Bytes first =
      testing::to_bytes(encoder.encode("OpenSession", MessageType::kCall, 1, pargs));
  EXPECT_EQ(first, small_expected);
  // A reply far above the kept-buffer size, then the small one again.
  const auto big = testing::fetch_results_result(20000);
  const Bytes big_bytes =
      testing::to_bytes(encoder.encode("FetchResults", MessageType::kReply, 2, big));
  EXPECT_GT(big_bytes.size(), 256u * 1024u);
  EXPECT_EQ(big_bytes, testing::fetch_results_reply(20000, 2));
  const Bytes third =
      testing::to_bytes(encoder.encode("OpenSession", MessageType::kCall, 1, pargs));
  EXPECT_EQ(third, small_expected);
}

TEST(ThriftConfig, CapsTheMessageSizeAtIntMax) {
  EXPECT_EQ(thrift_config(1234)->getMaxMessageSize(), 1234);
  EXPECT_EQ(thrift_config(std::size_t{1} << 40)->getMaxMessageSize(), INT_MAX);
}

}  // namespace
}  // namespace kitsune::transport
