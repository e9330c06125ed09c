// kitsune-bench: the pieces its scenarios share. A scenario runs the same load straight against a
// kitsune-engine ("direct") and through a kitsune-server in front of that engine ("gateway"),
// alternating, in one invocation, and prints one line per figure.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway_process.h"
#include "kitsune/client/hs2_client.h"
#include "kitsune/common/asio.h"
#include "kitsune/common/status.h"
#include "proc_stats.h"

namespace kitsune::bench {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string scenario;
  int concurrency = 1;   // small
  int rounds = 2;        // small, large: direct/gateway alternations
  double seconds = 2.0;  // small: length of one phase
  std::string query = "SELECT 1";
  std::int64_t rows = 200000;             // large
  int width = 100;                        // large: bytes of the string column per row
  int batch = 10000;                      // large: maxRows per FetchResults
  int sessions = 200;                     // sessions, launch
  int users = 10;                         // sessions
  int parallel = 4;                       // sessions: opens in flight at once
  double hold = 1.0;                      // sessions: seconds the sessions stay idle
  int launch_cap = 4;                     // launch: kyuubi.server.limit.engine.startup
  std::vector<std::string> gateway_conf;  // extra --gateway-conf k=v
};

struct Endpoint {
  std::string host;
  int port = 0;
};

// A client connection with one open session.
struct Conn {
  std::unique_ptr<client::Hs2Client> client;
  tcli::TSessionHandle session;
};

awaitable<Result<Conn>> open_conn(Endpoint ep, std::string user,
                                  std::map<std::string, std::string> conf = {});
awaitable<void> close_conn(Conn& c);

// A statement run to its end: ExecuteStatement (synchronous), FetchResults, CloseOperation.
awaitable<Status> run_statement(Conn& c, const std::string& sql);

// A kitsune-server from the build (a temp conf and work dir, a port the OS picks) and, when
// `warm`, the engine it launched for a first session, found through the server's log.
class Stack {
 public:
  Stack(std::vector<std::pair<std::string, std::string>> conf, bool warm);

  Endpoint gateway() const { return {gw_->host(), gw_->port()}; }
  Endpoint engine() const { return engine_; }
  pid_t gateway_pid() const { return gw_->pid(); }
  pid_t engine_pid() const { return engine_pid_; }
  testing::GatewayProcess& process() { return *gw_; }

 private:
  std::unique_ptr<testing::GatewayProcess> gw_;
  Endpoint engine_;
  pid_t engine_pid_ = -1;
};

// Runs a coroutine to its end on a fresh io_context in this thread; rethrows what it threw.
void run_sync(std::function<awaitable<void>()> work);

// Counts spawned coroutines down; wait() returns when all have called done().
class Latch {
 public:
  Latch(asio::any_io_executor ex, int count);
  void done();
  awaitable<void> wait();

 private:
  asio::steady_timer timer_;
  int count_;
};

// Percentile p (0..1) of samples (sorted in place); 0 for none.
double percentile(std::vector<double>& samples, double p);

// Output: `scenario=<s> metric=<m> direct=<x> gateway=<y> ratio=<y/x>`.
void print_ratio(const std::string& scenario, const std::string& metric, double direct,
                 double gateway);
// Output: `scenario=<s> metric=<m> k1=v1 k2=v2 ...`.
void print_values(const std::string& scenario, const std::string& metric,
                  const std::vector<std::pair<std::string, double>>& values);
// A context line, starting with '#'.
void print_note(const std::string& text);

// `cpu_us_per_op`: the engine's CPU per operation on each side and the gateway's, and the
// gateway's over the engine's (through the gateway).
void print_cpu_per_op(const std::string& scenario, double engine_direct_us,
                      double engine_gateway_us, double gateway_us);
// `gateway_peak_rss_mb` and `gateway_threads` of the gateway now.
void print_gateway_footprint(const std::string& scenario, pid_t gateway);

// CPU used by a process between two samples, in microseconds.
double cpu_us(const std::optional<ProcSample>& before, const std::optional<ProcSample>& after);
std::optional<ProcSample> sample(pid_t pid);

int run_small(const Options& o);
int run_large(const Options& o);
int run_sessions(const Options& o);
int run_launch(const Options& o);

}  // namespace kitsune::bench
