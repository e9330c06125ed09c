// Hs2Client::call_streaming against a real engine: a FetchResults reply handed over in pieces
// (SASL framed) or whole (NOSASL), byte for byte the reply a plain call decodes, and a sink that
// refuses leaves the connection usable.
#include <gtest/gtest.h>

#include "client_session.h"
#include "engine_process.h"
#include "kitsune/transport/thrift_codec.h"
#include "raw_socket.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;

// 1,000 rows of about 600 bytes: a reply of 600 KB.
constexpr const char* kWideRows =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000) "
    "SELECT printf('%d-', x) || hex(zeroblob(300)) FROM c";

class Collect : public client::ReplySink {
 public:
  explicit Collect(bool refuse = false) : refuse_(refuse) {}
  awaitable<Status> begin(std::span<const std::uint8_t> first, std::size_t length) override {
    length_ = length;
    ++pieces_;
    if (refuse_) co_return Status::error("refused");
    bytes_.assign(first.begin(), first.end());
    co_return Status::ok();
  }
  awaitable<Status> more(std::span<const std::uint8_t> bytes) override {
    ++pieces_;
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
    co_return Status::ok();
  }
  std::size_t length_ = 0;
  int pieces_ = 0;
  std::vector<std::uint8_t> bytes_;

 private:
  bool refuse_;
};

struct Outcome {
  Collect taken;
  Status streamed;
  std::optional<tcli::TFetchResultsResp> decoded;
  Status after_refusal;  // a call on the same connection after a refusing sink
};

awaitable<Result<Outcome>> stream_a_fetch(std::string host, int port, bool nosasl) {
  auto s = co_await open_client_session(host, port, nosasl);
  if (!s) co_return s.status();
  auto& c = *s->client;
  Outcome out;
  for (int round = 0; round < 2; ++round) {
    tcli::TExecuteStatementReq exec;
    exec.sessionHandle = s->handle;
    exec.statement = kWideRows;
    auto executed = co_await c.execute_statement(exec);
    if (!executed) co_return executed.status();
    tcli::TFetchResultsReq req;
    req.operationHandle = executed->operationHandle;
    req.orientation = tcli::TFetchOrientation::FETCH_NEXT;
    req.maxRows = 1000;
    tcli::TCLIService_FetchResults_pargs args;
    args.req = &req;
    transport::MessageEncoder encoder;
    const auto bytes =
        encoder.encode("FetchResults", transport::MessageType::kCall, c.next_seqid(), args);
    if (round == 0) {
      out.streamed = co_await c.call_streaming(bytes, out.taken);
    } else {
      Collect refusing(/*refuse=*/true);
      Status refused = co_await c.call_streaming(bytes, refusing);
      if (refused.is_ok()) co_return Status::error("a refusing sink was not reported");
      tcli::TGetInfoReq info;
      info.sessionHandle = s->handle;
      info.infoType = tcli::TGetInfoType::CLI_DBMS_NAME;
      auto answered = co_await c.get_info(info);
      out.after_refusal = answered ? Status::ok() : answered.status();
    }
  }
  tcli::TFetchResultsResp resp;
  tcli::TCLIService_FetchResults_presult result;
  result.success = &resp;
  Status decoded = transport::decode_message(out.taken.bytes_, transport::thrift_config(1 << 30),
                                             nullptr, result);
  if (!decoded.is_ok()) co_return decoded;
  out.decoded = resp;
  co_return out;
}

void expect_whole_reply(bool nosasl) {
  EngineProcess engine(EngineProcess::Conf{{"kyuubi.authentication", nosasl ? "NOSASL" : "NONE"}});
  asio::io_context io;
  auto r = run_for(io, stream_a_fetch(engine.host(), engine.port(), nosasl), 60s);
  ASSERT_TRUE(r.has_value()) << engine.log();
  ASSERT_TRUE(r->is_ok()) << r->status().to_string() << "\n" << engine.log();
  const Outcome& o = **r;
  EXPECT_TRUE(o.streamed.is_ok()) << o.streamed.to_string();
  EXPECT_EQ(o.taken.bytes_.size(), o.taken.length_);
  // Framed: 600 KB arrive in pieces of at most 256 KB; unframed: whole.
  if (nosasl) {
    EXPECT_EQ(o.taken.pieces_, 1);
  } else {
    EXPECT_GE(o.taken.pieces_, 3);
  }
  ASSERT_TRUE(o.decoded.has_value());
  ASSERT_TRUE(o.decoded->results.__isset.columns);
  ASSERT_EQ(o.decoded->results.columns.size(), 1u);
  const auto& values = o.decoded->results.columns[0].stringVal.values;
  ASSERT_EQ(values.size(), 1000u);
  EXPECT_EQ(values[999], "1000-" + std::string(600, '0'));
  EXPECT_TRUE(o.after_refusal.is_ok())
      << "the connection was not usable after a refusing sink: " << o.after_refusal.to_string();
}

TEST(ClientStreaming, SaslFramedReplyArrivesInPiecesAndWhole) {
  expect_whole_reply(false);
}

TEST(ClientStreaming, NosaslReplyArrivesWhole) {
  expect_whole_reply(true);
}

}  // namespace
}  // namespace kitsune::testing
