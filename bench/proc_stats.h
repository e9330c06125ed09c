// What a benchmark reads about a process from /proc: CPU time of all its threads, memory, threads.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace kitsune::bench {

struct ProcSample {
  std::int64_t cpu_ns = 0;  // user + system time of every thread, so far
  long rss_kib = 0;         // VmRSS
  long peak_rss_kib = 0;    // VmHWM
  int threads = 0;
};

// Reads /proc/<pid>; nullopt when the process is gone.
std::optional<ProcSample> sample_process(pid_t pid);

// Raises RLIMIT_NOFILE to at least `wanted` (the hard limit too when the process may); returns
// the soft limit now in force. Children started afterwards inherit it.
long raise_open_files_limit(long wanted);

}  // namespace kitsune::bench
