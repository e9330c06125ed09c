// large: one session fetches R rows of W bytes in batches of B, against the engine and through the
// gateway in turn. The client reads replies raw (fetch_reply.h), so that its own decoding does
// not hide what the relay costs.
#include <cstdio>

#include "bench.h"
#include "fetch_reply.h"
#include "kitsune/transport/thrift_codec.h"

namespace kitsune::bench {
namespace {

struct Tally {
  double bytes = 0;
  double seconds = 0;
  std::int64_t rows = 0;
  std::int64_t batches = 0;
  double engine_cpu_us = 0;
  double gateway_cpu_us = 0;
};

std::string large_query(const Options& o) {
  // hex() of a zeroblob of W/2 bytes: a W-character string per row, cheap for SQLite to make.
  return "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < " +
         std::to_string(o.rows) + ") SELECT x, hex(zeroblob(" + std::to_string(o.width / 2) +
         ")) AS s FROM c";
}

awaitable<Status> fetch_all(Conn& c, const Options& o, Tally& tally, pid_t gateway_pid,
                            pid_t engine_pid) {
  const auto gw_before = sample(gateway_pid);
  const auto engine_before = sample(engine_pid);
  const auto start = Clock::now();
  tcli::TExecuteStatementReq ex;
  ex.sessionHandle = c.session;
  ex.statement = large_query(o);
  ex.__set_runAsync(false);
  auto executed = co_await c.client->execute_statement(ex);
  if (!executed) co_return executed.status();
  if (executed->status.statusCode != tcli::TStatusCode::SUCCESS_STATUS) {
    co_return Status::error("ExecuteStatement: " + executed->status.errorMessage);
  }
  tcli::TFetchResultsReq req;
  req.operationHandle = executed->operationHandle;
  req.orientation = tcli::TFetchOrientation::FETCH_NEXT;
  req.maxRows = o.batch;
  tcli::TCLIService_FetchResults_pargs args;
  args.req = &req;
  transport::MessageEncoder encoder;
  std::int64_t rows = 0;
  for (;;) {
    const auto request =
        encoder.encode("FetchResults", transport::MessageType::kCall, c.client->next_seqid(), args);
    auto reply = co_await c.client->call_raw(request);
    if (!reply) co_return reply.status();
    auto summary = summarize_fetch_reply(*reply);
    c.client->release_reply();
    if (!summary) co_return summary.status();
    if (summary->status_code != tcli::TStatusCode::SUCCESS_STATUS) {
      co_return Status::error("FetchResults: " + summary->error_message);
    }
    tally.bytes += static_cast<double>(reply->size());
    ++tally.batches;
    if (summary->rows == 0) break;
    rows += summary->rows;
  }
  tcli::TCloseOperationReq close;
  close.operationHandle = executed->operationHandle;
  (void)co_await c.client->close_operation(close);
  tally.seconds += std::chrono::duration<double>(Clock::now() - start).count();
  tally.rows += rows;
  tally.engine_cpu_us += cpu_us(engine_before, sample(engine_pid));
  if (gateway_pid > 0) tally.gateway_cpu_us += cpu_us(gw_before, sample(gateway_pid));
  if (rows != o.rows) {
    co_return Status::error("fetched " + std::to_string(rows) + " rows, expected " +
                            std::to_string(o.rows));
  }
  co_return Status::ok();
}

}  // namespace

int run_large(const Options& o) {
  const std::string s = "large";
  Stack stack({{"kyuubi.engine.share.level", "SERVER"}}, true);
  print_note("large: " + std::to_string(o.rows) + " rows of " + std::to_string(o.width) +
             " bytes in batches of " + std::to_string(o.batch) + ", " + std::to_string(o.rounds) +
             " round(s) per side");
  Tally direct, gateway;
  Status error = Status::ok();
  run_sync([&]() -> awaitable<void> {
    auto d = co_await open_conn(stack.engine(), "bench0");
    auto g = co_await open_conn(stack.gateway(), "bench0");
    if (!d || !g) {
      error = d ? g.status() : d.status();
      co_return;
    }
    for (int r = 0; r < o.rounds && error.is_ok(); ++r) {
      error = co_await fetch_all(*d, o, direct, -1, stack.engine_pid());
      if (!error.is_ok()) break;
      error = co_await fetch_all(*g, o, gateway, stack.gateway_pid(), stack.engine_pid());
    }
    co_await close_conn(*d);
    co_await close_conn(*g);
  });
  if (!error.is_ok()) {
    std::fprintf(stderr, "kitsune-bench: large: %s\n", error.message().c_str());
    return 1;
  }
  print_ratio(s, "mb_per_s", direct.bytes / 1e6 / direct.seconds,
              gateway.bytes / 1e6 / gateway.seconds);
  const double batches = static_cast<double>(gateway.batches);
  const double engine_direct = direct.engine_cpu_us / static_cast<double>(direct.batches);
  const double engine_gateway = gateway.engine_cpu_us / batches;
  const double gateway_cpu = gateway.gateway_cpu_us / batches;
  print_cpu_per_op(s, engine_direct, engine_gateway, gateway_cpu);
  print_gateway_footprint(s, stack.gateway_pid());
  return 0;
}

}  // namespace kitsune::bench
