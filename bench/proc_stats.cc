#include "proc_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

namespace kitsune::bench {
namespace {

// utime + stime of the whole process (all threads, live and exited) in clock ticks: fields 14
// and 15 of /proc/<pid>/stat, counted after the parenthesised command name.
std::optional<std::int64_t> cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  std::int64_t utime = 0;
  std::int64_t stime = 0;
  // rest starts at field 3 (state); utime is field 14.
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  return utime + stime;
}

}  // namespace

std::optional<ProcSample> sample_process(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  if (!status) return std::nullopt;
  ProcSample s;
  std::string line;
  while (std::getline(status, line)) {
    std::istringstream words(line);
    std::string key;
    long value = 0;
    words >> key >> value;
    if (key == "VmRSS:") s.rss_kib = value;
    if (key == "VmHWM:") s.peak_rss_kib = value;
    if (key == "Threads:") s.threads = static_cast<int>(value);
  }
  auto ticks = cpu_ticks(pid);
  if (!ticks) return std::nullopt;
  s.cpu_ns = *ticks * (1000000000LL / sysconf(_SC_CLK_TCK));
  return s;
}

long raise_open_files_limit(long wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  const auto want = static_cast<rlim_t>(wanted);
  if (limit.rlim_cur >= want) return static_cast<long>(limit.rlim_cur);
  rlimit raised = limit;
  raised.rlim_cur = want;
  raised.rlim_max = std::max(limit.rlim_max, want);
  if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
    // Not allowed to raise the hard limit: go as far as it.
    raised.rlim_cur = limit.rlim_max;
    raised.rlim_max = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &raised);
  }
  getrlimit(RLIMIT_NOFILE, &limit);
  return static_cast<long>(limit.rlim_cur);
}

}  // namespace kitsune::bench
