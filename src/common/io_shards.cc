#include "kitsune/common/io_shards.h"

#include <algorithm>
#include <thread>

namespace kitsune {

IoShards::IoShards(unsigned count) {
  count = std::max(count, 1u);
  for (unsigned i = 0; i < count; ++i) {
    // One thread runs each: the hint lets Asio skip waking other threads.
    shards_.push_back(std::make_unique<asio::io_context>(1));
    guards_.emplace_back(shards_.back()->get_executor());
  }
}

IoShards::~IoShards() = default;

asio::io_context& IoShards::next() {
  return *shards_[next_.fetch_add(1, std::memory_order_relaxed) % shards_.size()];
}

void IoShards::run() {
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < shards_.size(); ++i)
    threads.emplace_back([this, i] { shards_[i]->run(); });
  shards_.front()->run();
  for (auto& t : threads)
    t.join();
}

void IoShards::stop() {
  for (auto& shard : shards_)
    shard->stop();
}

unsigned IoShards::default_count(unsigned max) {
  return std::clamp(std::thread::hardware_concurrency(), 1u, std::max(max, 1u));
}

}  // namespace kitsune
