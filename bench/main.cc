// kitsune-bench --scenario small|large|sessions|launch [sizes]: starts a kitsune-server and its
// engine from the build, runs the scenario against the engine directly and through the gateway,
// and prints `scenario=<s> metric=<m> direct=<x> gateway=<y> ratio=<y/x>` lines.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "bench.h"

namespace {

constexpr const char* kUsage =
    "usage: kitsune-bench --scenario small|large|sessions|launch [options]\n"
    "  small:    --concurrency C (1)  --seconds S per phase (2)  --rounds N (2)  --query SQL\n"
    "  large:    --rows R (200000)  --width W bytes (100)  --batch B (10000)  --rounds N (2)\n"
    "  sessions: --sessions S (200)  --users U (10)  --parallel P (4)  --hold S (1)\n"
    "  launch:   --sessions N (8)  --launch-cap K (4)\n"
    "With no size options each scenario runs a quick size. kitsune-server and kitsune-engine\n"
    "are taken from the build (or $KITSUNE_SERVER / $KITSUNE_ENGINE).\n";

[[noreturn]] void usage_error(const std::string& why) {
  std::fprintf(stderr, "kitsune-bench: %s\n%s", why.c_str(), kUsage);
  std::exit(2);
}

long number_arg(const std::string& flag, const std::string& value, long min) {
  try {
    std::size_t used = 0;
    const long v = std::stol(value, &used);
    if (used != value.size() || v < min) throw std::invalid_argument(value);
    return v;
  } catch (const std::exception&) {
    usage_error(flag + " wants a whole number of at least " + std::to_string(min) + ", not '" +
                value + "'");
  }
}

double seconds_arg(const std::string& flag, const std::string& value) {
  try {
    std::size_t used = 0;
    const double v = std::stod(value, &used);
    if (used != value.size() || v <= 0) throw std::invalid_argument(value);
    return v;
  } catch (const std::exception&) {
    usage_error(flag + " wants a positive number of seconds, not '" + value + "'");
  }
}

}  // namespace

int main(int argc, char** argv) {
  using kitsune::bench::Options;
  std::signal(SIGPIPE, SIG_IGN);
  Options o;
  bool sessions_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "-h" || flag == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (i + 1 >= argc) usage_error(flag + " needs a value");
    const std::string v = argv[++i];
    if (flag == "--scenario") {
      o.scenario = v;
    } else if (flag == "--concurrency") {
      o.concurrency = static_cast<int>(number_arg(flag, v, 1));
    } else if (flag == "--seconds") {
      o.seconds = seconds_arg(flag, v);
    } else if (flag == "--rounds") {
      o.rounds = static_cast<int>(number_arg(flag, v, 1));
    } else if (flag == "--query") {
      o.query = v;
    } else if (flag == "--rows") {
      o.rows = number_arg(flag, v, 1);
    } else if (flag == "--width") {
      o.width = static_cast<int>(number_arg(flag, v, 2));
    } else if (flag == "--batch") {
      o.batch = static_cast<int>(number_arg(flag, v, 1));
    } else if (flag == "--sessions") {
      o.sessions = static_cast<int>(number_arg(flag, v, 1));
      sessions_given = true;
    } else if (flag == "--users") {
      o.users = static_cast<int>(number_arg(flag, v, 1));
    } else if (flag == "--parallel") {
      o.parallel = static_cast<int>(number_arg(flag, v, 1));
    } else if (flag == "--hold") {
      o.hold = seconds_arg(flag, v);
    } else if (flag == "--launch-cap") {
      o.launch_cap = static_cast<int>(number_arg(flag, v, 0));
    } else {
      usage_error("unknown option " + flag);
    }
  }
  if (o.scenario == "launch" && !sessions_given) o.sessions = 8;
  // Each session is a socket here and, through the gateway, two there and one at the engine.
  const long wanted = 4L * o.sessions + 1024;
  const long limit = kitsune::bench::raise_open_files_limit(wanted);
  if (limit < wanted) {
    std::fprintf(stderr, "kitsune-bench: warning: open files limited to %ld (wanted %ld)\n", limit,
                 wanted);
  }
  try {
    if (o.scenario == "small") return kitsune::bench::run_small(o);
    if (o.scenario == "large") return kitsune::bench::run_large(o);
    if (o.scenario == "sessions") return kitsune::bench::run_sessions(o);
    if (o.scenario == "launch") return kitsune::bench::run_launch(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kitsune-bench: %s: %s\n", o.scenario.c_str(), e.what());
    return 1;
  }
  usage_error(o.scenario.empty() ? "--scenario is required"
                                 : "unknown scenario '" + o.scenario + "'");
}
