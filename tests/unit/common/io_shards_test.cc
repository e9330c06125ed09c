// IoShards: connections spread round robin over shards that each run on a thread of their own,
// and stop() ends run().
#include "kitsune/common/io_shards.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

namespace kitsune {
namespace {

TEST(IoShards, HandsOutTheShardsRoundRobin) {
  IoShards shards(3);
  ASSERT_EQ(shards.size(), 3u);
  asio::io_context* first = &shards.next();
  asio::io_context* second = &shards.next();
  asio::io_context* third = &shards.next();
  EXPECT_NE(first, second);
  EXPECT_NE(second, third);
  EXPECT_NE(first, third);
  EXPECT_EQ(&shards.next(), first);
  EXPECT_EQ(&shards.main(), first);
}

TEST(IoShards, RunsEachShardOnAThreadOfItsOwnUntilStopped) {
  IoShards shards(2);
  std::mutex mu;
  std::set<std::thread::id> seen;
  std::atomic<int> done{0};
  for (int i = 0; i < 2; ++i) {
    asio::post(shards.next(), [&] {
      {
        std::lock_guard lock(mu);
        seen.insert(std::this_thread::get_id());
      }
      if (++done == 2) shards.stop();
    });
  }
  shards.run();  // returns once stop() is called, though the shards still hold work guards
  EXPECT_EQ(done.load(), 2);
  EXPECT_EQ(seen.size(), 2u);
}

TEST(IoShards, AtLeastOneShard) {
  IoShards shards(0);
  EXPECT_EQ(shards.size(), 1u);
  EXPECT_GE(IoShards::default_count(8), 1u);
  EXPECT_LE(IoShards::default_count(8), 8u);
}

}  // namespace
}  // namespace kitsune
