// small: C sessions loop a one-row statement (ExecuteStatement, FetchResults, CloseOperation) for
// a fixed time, against the engine and through the gateway in turn.
#include <cstdio>

#include "bench.h"

namespace kitsune::bench {
namespace {

struct Tally {
  std::vector<double> latency_us;
  std::int64_t ops = 0;
  double seconds = 0;
  double engine_cpu_us = 0;
  double gateway_cpu_us = 0;
};

awaitable<void> loop(Conn& c, const std::string& sql, Clock::time_point end,
                     std::vector<double>* latency_us, Status& error, Latch& latch) {
  while (error.is_ok() && Clock::now() < end) {
    const auto start = Clock::now();
    Status s = co_await run_statement(c, sql);
    if (!s.is_ok()) {
      error = s;
      break;
    }
    if (latency_us) {
      latency_us->push_back(
          std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    }
  }
  latch.done();
}

// One phase: every connection loops until `seconds` have passed.
awaitable<void> phase(std::vector<Conn>& conns, const std::string& sql, double seconds,
                      Tally* tally, Status& error, pid_t gateway_pid, pid_t engine_pid) {
  auto ex = co_await asio::this_coro::executor;
  const auto gw_before = sample(gateway_pid);
  const auto engine_before = sample(engine_pid);
  const auto start = Clock::now();
  const auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::vector<double>> per_conn(conns.size());
  Latch latch(ex, static_cast<int>(conns.size()));
  for (std::size_t i = 0; i < conns.size(); ++i) {
    asio::co_spawn(ex, loop(conns[i], sql, end, tally ? &per_conn[i] : nullptr, error, latch),
                   asio::detached);
  }
  co_await latch.wait();
  if (!tally) co_return;
  tally->seconds += std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& v : per_conn) {
    tally->ops += static_cast<std::int64_t>(v.size());
    tally->latency_us.insert(tally->latency_us.end(), v.begin(), v.end());
  }
  tally->engine_cpu_us += cpu_us(engine_before, sample(engine_pid));
  if (gateway_pid > 0) tally->gateway_cpu_us += cpu_us(gw_before, sample(gateway_pid));
}

}  // namespace

int run_small(const Options& o) {
  const std::string s = "small";
  Stack stack({{"kyuubi.engine.share.level", "SERVER"}}, true);
  print_note("small: " + std::to_string(o.concurrency) + " session(s), " +
             std::to_string(o.rounds) + " round(s) of " + std::to_string(o.seconds) +
             " s per side, statement: " + o.query);
  Tally direct, gateway;
  Status error = Status::ok();
  run_sync([&]() -> awaitable<void> {
    std::vector<Conn> to_engine, to_gateway;
    for (int i = 0; i < o.concurrency && error.is_ok(); ++i) {
      const std::string user = "bench" + std::to_string(i);
      auto d = co_await open_conn(stack.engine(), user);
      auto g = co_await open_conn(stack.gateway(), user);
      if (!d || !g) {
        error = d ? g.status() : d.status();
        break;
      }
      to_engine.push_back(std::move(d).value());
      to_gateway.push_back(std::move(g).value());
    }
    // Warm both paths up, unrecorded.
    if (error.is_ok()) co_await phase(to_engine, o.query, 0.3, nullptr, error, -1, -1);
    if (error.is_ok()) co_await phase(to_gateway, o.query, 0.3, nullptr, error, -1, -1);
    for (int r = 0; r < o.rounds && error.is_ok(); ++r) {
      co_await phase(to_engine, o.query, o.seconds, &direct, error, -1, stack.engine_pid());
      if (!error.is_ok()) break;
      co_await phase(to_gateway, o.query, o.seconds, &gateway, error, stack.gateway_pid(),
                     stack.engine_pid());
    }
    for (auto& c : to_engine)
      co_await close_conn(c);
    for (auto& c : to_gateway)
      co_await close_conn(c);
  });
  if (!error.is_ok()) {
    std::fprintf(stderr, "kitsune-bench: small: %s\n", error.message().c_str());
    return 1;
  }
  print_ratio(s, "p50_us", percentile(direct.latency_us, 0.5), percentile(gateway.latency_us, 0.5));
  print_ratio(s, "p99_us", percentile(direct.latency_us, 0.99),
              percentile(gateway.latency_us, 0.99));
  print_ratio(s, "qps", static_cast<double>(direct.ops) / direct.seconds,
              static_cast<double>(gateway.ops) / gateway.seconds);
  const double engine_direct = direct.engine_cpu_us / static_cast<double>(direct.ops);
  const double engine_gateway = gateway.engine_cpu_us / static_cast<double>(gateway.ops);
  const double gateway_cpu = gateway.gateway_cpu_us / static_cast<double>(gateway.ops);
  print_cpu_per_op(s, engine_direct, engine_gateway, gateway_cpu);
  print_gateway_footprint(s, stack.gateway_pid());
  return 0;
}

}  // namespace kitsune::bench
