// launch: N clients open their first session at the same moment at CONNECTION level, so each
// needs an engine of its own, and run one statement. Direct: the benchmark starts N
// kitsune-engine processes itself, at once, and runs the statement on each. Gateway: the
// gateway launches them, at most kyuubi.server.limit.engine.startup at a time.
#include <cstdio>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

#include "bench.h"
#include "engine_process.h"

namespace kitsune::bench {
namespace {

struct Side {
  std::vector<double> first_result_ms;
  double seconds = 0;
  int served = 0;
  std::string first_error;
};

void direct_side(const Options& o, Side& side) {
  std::mutex mu;
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < o.sessions; ++i) {
    threads.emplace_back([&, i] {
      Status s = Status::ok();
      std::unique_ptr<testing::EngineProcess> engine;
      try {
        engine = std::make_unique<testing::EngineProcess>();
      } catch (const std::exception& e) {
        s = Status::error(e.what());
      }
      if (s.is_ok()) {
        const Endpoint ep{engine->host(), engine->port()};
        run_sync([&]() -> awaitable<void> {
          auto c = co_await open_conn(ep, "bench" + std::to_string(i));
          if (!c) {
            s = c.status();
            co_return;
          }
          s = co_await run_statement(*c, "SELECT 1");
          co_await close_conn(*c);
        });
      }
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      std::lock_guard lock(mu);
      if (s.is_ok()) {
        side.first_result_ms.push_back(ms);
        ++side.served;
      } else if (side.first_error.empty()) {
        side.first_error = s.message();
      }
    });
  }
  for (auto& t : threads)
    t.join();
  side.seconds = std::chrono::duration<double>(Clock::now() - start).count();
}

awaitable<void> gateway_side(Endpoint ep, const Options& o, Side& side) {
  auto ex = co_await asio::this_coro::executor;
  const auto start = Clock::now();
  Latch latch(ex, o.sessions);
  auto client = [&](int i) -> awaitable<void> {
    Status s = Status::ok();
    auto c = co_await open_conn(ep, "bench" + std::to_string(i));
    if (c) {
      s = co_await run_statement(*c, "SELECT 1");
      co_await close_conn(*c);
    } else {
      s = c.status();
    }
    if (s.is_ok()) {
      side.first_result_ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      ++side.served;
    } else if (side.first_error.empty()) {
      side.first_error = s.message();
    }
    latch.done();
  };
  for (int i = 0; i < o.sessions; ++i)
    asio::co_spawn(ex, client(i), asio::detached);
  co_await latch.wait();
  side.seconds = std::chrono::duration<double>(Clock::now() - start).count();
}

// The most launches in progress at once, from the gateway's log: a launch starts at "launching"
// and ends when its engine registers or exits first.
int peak_launches(const std::string& log) {
  static const std::regex begins(R"(launching \S+ engine )");
  static const std::regex ends(R"(engine \S+ registered at |before it registered)");
  std::istringstream lines(log);
  std::string line;
  int now = 0;
  int peak = 0;
  while (std::getline(lines, line)) {
    if (std::regex_search(line, begins)) peak = std::max(peak, ++now);
    if (std::regex_search(line, ends)) --now;
  }
  return peak;
}

}  // namespace

int run_launch(const Options& o) {
  const std::string s = "launch";
  std::vector<std::pair<std::string, std::string>> conf{
      {"kyuubi.engine.share.level", "CONNECTION"},
      {"kyuubi.server.limit.engine.startup", std::to_string(o.launch_cap)}};
  Stack stack(conf, false);
  print_note("launch: " + std::to_string(o.sessions) +
             " first sessions at once at CONNECTION level; gateway launch cap " +
             std::to_string(o.launch_cap));
  Side direct, gateway;
  direct_side(o, direct);
  run_sync([&]() -> awaitable<void> { co_await gateway_side(stack.gateway(), o, gateway); });
  if (!direct.first_error.empty()) print_note("direct failure: " + direct.first_error);
  if (!gateway.first_error.empty()) print_note("gateway failure: " + gateway.first_error);
  print_ratio(s, "first_result_p50_ms", percentile(direct.first_result_ms, 0.5),
              percentile(gateway.first_result_ms, 0.5));
  print_ratio(s, "first_result_p99_ms", percentile(direct.first_result_ms, 0.99),
              percentile(gateway.first_result_ms, 0.99));
  print_ratio(s, "all_served_s", direct.seconds, gateway.seconds);
  print_values(s, "served",
               {{"direct", direct.served}, {"gateway", gateway.served}, {"sessions", o.sessions}});
  print_values(s, "peak_concurrent_launches",
               {{"gateway", peak_launches(stack.process().log())}, {"cap", o.launch_cap}});
  print_gateway_footprint(s, stack.gateway_pid());
  return direct.served == o.sessions && gateway.served == o.sessions ? 0 : 1;
}

}  // namespace kitsune::bench
