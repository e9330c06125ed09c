#include <algorithm>
#include <cmath>
#include <cstdio>
#include <regex>
#include <stdexcept>

#include "bench.h"
#include "client_session.h"

namespace kitsune::bench {

awaitable<Result<Conn>> open_conn(Endpoint ep, std::string user,
                                  std::map<std::string, std::string> conf) {
  auto opened = co_await testing::open_client_session_as(std::move(user), ep.host, ep.port,
                                                         /*nosasl=*/false, std::move(conf));
  if (!opened) {
    co_return Status::error("at " + ep.host + ":" + std::to_string(ep.port) + ": " +
                            opened.status().message());
  }
  co_return Conn{std::move(opened->client), opened->handle};
}

awaitable<void> close_conn(Conn& c) {
  if (!c.client) co_return;
  tcli::TCloseSessionReq req;
  req.sessionHandle = c.session;
  (void)co_await c.client->close_session(req);
  c.client->close();
  c.client.reset();
}

namespace {

Status failed(const char* call, const tcli::TStatus& s) {
  return Status::error(std::string(call) + ": " + s.errorMessage);
}

bool succeeded(const tcli::TStatus& s) {
  return s.statusCode == tcli::TStatusCode::SUCCESS_STATUS ||
         s.statusCode == tcli::TStatusCode::SUCCESS_WITH_INFO_STATUS;
}

}  // namespace

awaitable<Status> run_statement(Conn& c, const std::string& sql) {
  tcli::TExecuteStatementReq ex;
  ex.sessionHandle = c.session;
  ex.statement = sql;
  ex.__set_runAsync(false);
  auto executed = co_await c.client->execute_statement(ex);
  if (!executed) co_return executed.status();
  if (!succeeded(executed->status)) co_return failed("ExecuteStatement", executed->status);
  tcli::TFetchResultsReq fetch;
  fetch.operationHandle = executed->operationHandle;
  fetch.orientation = tcli::TFetchOrientation::FETCH_NEXT;
  fetch.maxRows = 100;
  auto fetched = co_await c.client->fetch_results(fetch);
  if (!fetched) co_return fetched.status();
  if (!succeeded(fetched->status)) co_return failed("FetchResults", fetched->status);
  tcli::TCloseOperationReq close;
  close.operationHandle = executed->operationHandle;
  auto closed = co_await c.client->close_operation(close);
  if (!closed) co_return closed.status();
  if (!succeeded(closed->status)) co_return failed("CloseOperation", closed->status);
  co_return Status::ok();
}

Stack::Stack(std::vector<std::pair<std::string, std::string>> conf, bool warm) {
  testing::GatewayOptions options;
  options.conf = std::move(conf);
  gw_ = std::make_unique<testing::GatewayProcess>(options);
  if (!warm) return;
  // A first session with a synchronous launch brings the engine up.
  Status warmed = Status::ok();
  run_sync([&]() -> awaitable<void> {
    std::map<std::string, std::string> sync_launch{{"kyuubi.session.engine.launch.async", "false"}};
    auto c = co_await open_conn(gateway(), "bench0", std::move(sync_launch));
    if (!c) {
      warmed = c.status();
      co_return;
    }
    warmed = co_await run_statement(*c, "SELECT 1");
    co_await close_conn(*c);
  });
  if (!warmed.is_ok()) {
    throw std::runtime_error("the first session through the gateway failed: " + warmed.message() +
                             "\n" + gw_->log());
  }
  std::smatch m;
  const std::string log = gw_->log();
  static const std::regex registered(R"(engine \S+ registered at (\S+):(\d+))");
  if (!std::regex_search(log, m, registered)) {
    throw std::runtime_error("the gateway's log does not say where its engine is:\n" + log);
  }
  engine_ = {m[1].str(), std::stoi(m[2].str())};
  const auto pids = gw_->engine_pids();
  if (pids.size() != 1) {
    throw std::runtime_error("expected one engine under the gateway, found " +
                             std::to_string(pids.size()));
  }
  engine_pid_ = pids.front();
}

void run_sync(std::function<awaitable<void>()> work) {
  asio::io_context io;
  std::exception_ptr error;
  asio::co_spawn(io, work(), [&](std::exception_ptr e) { error = e; });
  io.run();
  if (error) std::rethrow_exception(error);
}

Latch::Latch(asio::any_io_executor ex, int count) : timer_(ex), count_(count) {
  timer_.expires_at(asio::steady_timer::time_point::max());
}

void Latch::done() {
  if (--count_ == 0) timer_.cancel();
}

awaitable<void> Latch::wait() {
  if (count_ <= 0) co_return;
  error_code ec;
  co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

double percentile(std::vector<double>& samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(samples.size())));
  return samples[std::clamp<std::size_t>(rank, 1, samples.size()) - 1];
}

namespace {

std::string number(double v) {
  char buf[64];
  const double a = std::fabs(v);
  if (a >= 1000 || v == std::floor(v)) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else if (a >= 10) {
    std::snprintf(buf, sizeof buf, "%.1f", v);
  } else {
    // Four significant digits at least, so that a ratio of two small figures can be checked
    // against the figures as printed.
    const int decimals = std::clamp(3 - static_cast<int>(std::floor(std::log10(a))), 3, 9);
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  }
  return buf;
}

}  // namespace

void print_ratio(const std::string& scenario, const std::string& metric, double direct,
                 double gateway) {
  char ratio[32];
  std::snprintf(ratio, sizeof ratio, "%.3f", direct > 0 ? gateway / direct : 0.0);
  std::printf("scenario=%s metric=%s direct=%s gateway=%s ratio=%s\n", scenario.c_str(),
              metric.c_str(), number(direct).c_str(), number(gateway).c_str(), ratio);
  std::fflush(stdout);
}

void print_values(const std::string& scenario, const std::string& metric,
                  const std::vector<std::pair<std::string, double>>& values) {
  std::string line = "scenario=" + scenario + " metric=" + metric;
  for (const auto& [k, v] : values)
    line += " " + k + "=" + number(v);
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

void print_note(const std::string& text) {
  std::printf("# %s\n", text.c_str());
  std::fflush(stdout);
}

void print_cpu_per_op(const std::string& scenario, double engine_direct_us,
                      double engine_gateway_us, double gateway_us) {
  print_values(
      scenario, "cpu_us_per_op",
      {{"engine_direct", engine_direct_us},
       {"engine_gateway", engine_gateway_us},
       {"gateway", gateway_us},
       {"gateway_over_engine", engine_gateway_us > 0 ? gateway_us / engine_gateway_us : 0}});
}

void print_gateway_footprint(const std::string& scenario, pid_t gateway) {
  const auto gw = sample(gateway);
  print_values(scenario, "gateway_peak_rss_mb", {{"gateway", gw ? gw->peak_rss_kib / 1024.0 : 0}});
  print_values(scenario, "gateway_threads", {{"gateway", gw ? gw->threads : 0}});
}

std::optional<ProcSample> sample(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  return sample_process(pid);
}

double cpu_us(const std::optional<ProcSample>& before, const std::optional<ProcSample>& after) {
  if (!before || !after) return 0;
  return static_cast<double>(after->cpu_ns - before->cpu_ns) / 1000.0;
}

}  // namespace kitsune::bench
