// sessions: open S sessions over U users (each on its own connection, as BI tools do) and hold
// them idle; first straight on the engine, then through the gateway. Reports how long an open
// takes (connect, login and OpenSession, with the engine already up) and what the idle sessions
// cost the gateway in memory and threads.
#include <cstdio>

#include "bench.h"

namespace kitsune::bench {
namespace {

struct Side {
  std::vector<double> open_ms;
  std::optional<ProcSample> at_10;  // the measured process with 10 sessions open
  std::optional<ProcSample> at_all;
  double cpu_us = 0;  // of the measured process, opening and closing them all
};

// Opens sessions [from, to) of `conns`, `parallel` at a time.
awaitable<void> open_range(Endpoint ep, const Options& o, std::vector<Conn>& conns, int from,
                           int to, std::vector<double>& open_ms, Status& error) {
  auto ex = co_await asio::this_coro::executor;
  int next = from;
  const int workers = std::max(1, std::min(o.parallel, to - from));
  Latch latch(ex, workers);
  auto worker = [&]() -> awaitable<void> {
    while (next < to && error.is_ok()) {
      const int i = next++;
      const auto start = Clock::now();
      auto c = co_await open_conn(ep, "bench" + std::to_string(i % o.users));
      if (!c) {
        error = c.status();
        break;
      }
      open_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      conns[static_cast<std::size_t>(i)] = std::move(c).value();
    }
    latch.done();
  };
  for (int w = 0; w < workers; ++w)
    asio::co_spawn(ex, worker(), asio::detached);
  co_await latch.wait();
}

awaitable<void> close_all(const Options& o, std::vector<Conn>& conns) {
  auto ex = co_await asio::this_coro::executor;
  std::size_t next = 0;
  const int workers = std::max(1, o.parallel);
  Latch latch(ex, workers);
  auto worker = [&]() -> awaitable<void> {
    while (next < conns.size()) {
      Conn& c = conns[next++];
      co_await close_conn(c);
    }
    latch.done();
  };
  for (int w = 0; w < workers; ++w)
    asio::co_spawn(ex, worker(), asio::detached);
  co_await latch.wait();
}

awaitable<void> one_side(Endpoint ep, const Options& o, pid_t measured, Side& side, Status& error) {
  std::vector<Conn> conns(static_cast<std::size_t>(o.sessions));
  const auto before = sample(measured);
  const int first = std::min(10, o.sessions);
  co_await open_range(ep, o, conns, 0, first, side.open_ms, error);
  side.at_10 = sample(measured);
  if (error.is_ok()) co_await open_range(ep, o, conns, first, o.sessions, side.open_ms, error);
  if (error.is_ok()) {
    asio::steady_timer idle(co_await asio::this_coro::executor);
    idle.expires_after(
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.hold)));
    co_await idle.async_wait(asio::use_awaitable);
  }
  side.at_all = sample(measured);
  co_await close_all(o, conns);
  side.cpu_us = cpu_us(before, sample(measured));
}

double mb(const std::optional<ProcSample>& s) {
  return s ? s->rss_kib / 1024.0 : 0;
}

}  // namespace

int run_sessions(const Options& o) {
  const std::string s = "sessions";
  // OpenSession waits for the engine session, so that both sides do the same work per open.
  Stack stack(
      {{"kyuubi.engine.share.level", "SERVER"}, {"kyuubi.session.engine.launch.async", "false"}},
      true);
  print_note("sessions: " + std::to_string(o.sessions) + " sessions over " +
             std::to_string(o.users) + " users, " + std::to_string(o.parallel) +
             " opening at a time, held " + std::to_string(o.hold) + " s");
  Side direct, gateway;
  Status error = Status::ok();
  run_sync([&]() -> awaitable<void> {
    co_await one_side(stack.engine(), o, stack.engine_pid(), direct, error);
    if (error.is_ok()) co_await one_side(stack.gateway(), o, stack.gateway_pid(), gateway, error);
  });
  if (!error.is_ok()) {
    std::fprintf(stderr, "kitsune-bench: sessions: %s\n", error.message().c_str());
    return 1;
  }
  print_ratio(s, "open_p50_ms", percentile(direct.open_ms, 0.5), percentile(gateway.open_ms, 0.5));
  print_ratio(s, "open_p99_ms", percentile(direct.open_ms, 0.99),
              percentile(gateway.open_ms, 0.99));
  const double n = 2.0 * o.sessions;  // an open and a close each
  print_values(s, "cpu_us_per_op",
               {{"engine_direct", direct.cpu_us / n}, {"gateway", gateway.cpu_us / n}});
  print_values(s, "gateway_rss_mb",
               {{"sessions_10", mb(gateway.at_10)},
                {"sessions_" + std::to_string(o.sessions), mb(gateway.at_all)}});
  if (o.sessions > 10 && gateway.at_10 && gateway.at_all) {
    print_values(
        s, "gateway_kb_per_session",
        {{"gateway", static_cast<double>(gateway.at_all->rss_kib - gateway.at_10->rss_kib) /
                         (o.sessions - 10)}});
  }
  print_values(
      s, "gateway_threads",
      {{"sessions_10", gateway.at_10 ? gateway.at_10->threads : 0},
       {"sessions_" + std::to_string(o.sessions), gateway.at_all ? gateway.at_all->threads : 0}});
  const auto gw = sample(stack.gateway_pid());
  print_values(s, "gateway_peak_rss_mb", {{"gateway", gw ? gw->peak_rss_kib / 1024.0 : 0}});
  print_values(s, "engine_rss_mb", {{"direct", mb(direct.at_all)}});
  return 0;
}

}  // namespace kitsune::bench
