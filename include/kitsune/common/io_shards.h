// IoShards: a few io_contexts, each run by one thread. A daemon spreads its client connections
// over them and keeps each connection (and what it drives: its sessions, their engine
// connections) on one, so that the work of one connection never hops threads: on a busy
// machine every cross-thread hand-off is a futex wake and a context switch, which cost more than
// the Thrift work itself.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "kitsune/common/asio.h"

namespace kitsune {

class IoShards {
 public:
  // `count` shards (at least one). Shard 0 is the main one: listeners, signals, the engine
  // manager and timers of the daemon itself live there.
  explicit IoShards(unsigned count);
  ~IoShards();
  IoShards(const IoShards&) = delete;
  IoShards& operator=(const IoShards&) = delete;

  asio::io_context& main() { return *shards_.front(); }
  // The shard for a new connection, round robin. Any thread.
  asio::io_context& next();
  std::size_t size() const { return shards_.size(); }

  // Runs every shard, one thread each (shard 0 on the caller's), until stop(); then joins.
  void run();
  // Makes run() return; handlers not yet run are dropped. Any thread.
  void stop();

  // Threads for a daemon: one per core, within [1, max].
  static unsigned default_count(unsigned max);

 private:
  using WorkGuard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<std::unique_ptr<asio::io_context>> shards_;
  std::vector<WorkGuard> guards_;
  std::atomic<unsigned> next_{0};
};

}  // namespace kitsune
