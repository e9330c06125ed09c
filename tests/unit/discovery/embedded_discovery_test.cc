// Tests of the embedded discovery: registration and sequences, one-shot watches, counters, and
// launch locks between coroutines on different threads.
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/thread_pool.hpp>

#include "coroutine_runner.h"
#include "kitsune/discovery/discovery.h"

namespace kitsune::discovery {
namespace {

using namespace std::chrono_literals;
using testing::CoroutineRunner;
using LockResult = Result<std::unique_ptr<DiscoveryLock>>;

// ASSERT_* for coroutine bodies, where GoogleTest's plain `return` is not allowed.
#define CO_ASSERT(condition)                              \
  do {                                                    \
    if (!(condition)) {                                   \
      ADD_FAILURE() << "Expected " #condition " to hold"; \
      co_return;                                          \
    }                                                     \
  } while (false)

ServiceNode node_at(const std::string& host, int port) {
  ServiceNode node;
  node.host = host;
  node.port = port;
  node.version = "1.13.0-SNAPSHOT";
  return node;
}

// Runs `f()` to its end on a single-threaded io_context in this thread.
template <typename F>
void run_coroutine(F f) {
  asio::io_context io;
  CoroutineRunner runner(io);
  runner.spawn(std::move(f));
  runner.run();
}

// Starts `f()` on a strand of its own in `pool`; the future is ready when it has ended.
template <typename F>
std::future<void> spawn_on(asio::thread_pool& pool, F f) {
  auto done = std::make_shared<std::promise<void>>();
  auto future = done->get_future();
  asio::co_spawn(asio::make_strand(pool), std::move(f), [done](std::exception_ptr e) {
    if (e) {
      done->set_exception(e);
    } else {
      done->set_value();
    }
  });
  return future;
}

void expect_ends(std::future<void>& f) {
  ASSERT_EQ(f.wait_for(20s), std::future_status::ready) << "coroutine did not end";
  f.get();
}

TEST(EmbeddedDiscovery, RegistersListsAndRemovesNodes) {
  auto discovery = make_embedded_discovery();
  EXPECT_EQ(discovery->kind(), "embedded");
  run_coroutine([&]() -> awaitable<void> {
    const std::string space = "/kyuubi_1.13.0-SNAPSHOT_USER_LOCAL/alice/default";
    auto empty = co_await discovery->get_nodes(space);
    CO_ASSERT(empty.is_ok());
    EXPECT_TRUE(empty->empty());

    ServiceNode engine = node_at("127.0.0.1", 40001);
    engine.ref_id = "ref-1";
    engine.attributes["kyuubi.engine.id"] = "local-1";
    auto first = co_await discovery->register_node(space, engine);
    EXPECT_TRUE(first.is_ok()) << first.status().to_string();
    CO_ASSERT(first.is_ok());
    EXPECT_EQ(first->name,
              "serverUri=127.0.0.1:40001;version=1.13.0-SNAPSHOT;kyuubi.engine.id=local-1;"
              "refId=ref-1;sequence=0000000000");
    EXPECT_EQ(first->address(), "127.0.0.1:40001");
    auto second = co_await discovery->register_node(space, node_at("127.0.0.1", 40002));
    CO_ASSERT(second.is_ok());

    auto both = co_await discovery->get_nodes(space);
    CO_ASSERT(both.is_ok());
    CO_ASSERT(both->size() == 2u);
    EXPECT_EQ((*both)[0].name, first->name);
    EXPECT_EQ((*both)[0].engine_id(), "local-1");
    EXPECT_EQ((*both)[0].ref_id, "ref-1");
    EXPECT_EQ((*both)[1].port, 40002);

    // What is registered is what parse_node reads back from the name and the address.
    auto parsed = parse_node(first->name, first->address());
    CO_ASSERT(parsed.is_ok());
    EXPECT_EQ(parsed->ref_id, "ref-1");
    EXPECT_EQ(parsed->engine_id(), "local-1");

    const Status removed = co_await discovery->remove_node(space, first->name);
    EXPECT_TRUE(removed.is_ok()) << removed.to_string();
    auto left = co_await discovery->get_nodes(space);
    CO_ASSERT(left.is_ok());
    CO_ASSERT(left->size() == 1u);
    EXPECT_EQ((*left)[0].name, second->name);

    const std::string other_space = "/kyuubi_1.13.0-SNAPSHOT_USER_LOCAL/bob/default";
    auto others = co_await discovery->get_nodes(other_space);
    CO_ASSERT(others.is_ok());
    EXPECT_TRUE(others->empty());
  });
}

TEST(EmbeddedDiscovery, RemovingANodeThatIsNotThereIsAnError) {
  auto discovery = make_embedded_discovery();
  run_coroutine([&]() -> awaitable<void> {
    const std::string space = "/s";
    const std::string name = "serverUri=h:1;version=1;sequence=0000000000";
    EXPECT_FALSE((co_await discovery->remove_node(space, name)).is_ok());
    auto node = co_await discovery->register_node(space, node_at("h", 1));
    EXPECT_TRUE((co_await discovery->remove_node(space, node->name)).is_ok());
    EXPECT_FALSE((co_await discovery->remove_node(space, node->name)).is_ok());
  });
}

TEST(EmbeddedDiscovery, ASpaceMustBeAnAbsolutePath) {
  auto discovery = make_embedded_discovery();
  run_coroutine([&]() -> awaitable<void> {
    for (const std::string space : {"", "/", "relative/space"}) {
      auto node = co_await discovery->register_node(space, node_at("h", 1));
      EXPECT_FALSE(node.is_ok()) << space;
    }
  });
}

TEST(EmbeddedDiscovery, SequencesAreTenDigitsAndCountUpPerSpace) {
  auto discovery = make_embedded_discovery();
  run_coroutine([&]() -> awaitable<void> {
    const std::string a = "/a";
    const std::string b = "/b";
    std::vector<std::string> names;
    for (int port = 1; port <= 3; ++port) {
      auto node = co_await discovery->register_node(a, node_at("h", port));
      CO_ASSERT(node.is_ok());
      names.push_back(node->name);
    }
    EXPECT_TRUE(names[0].ends_with(";sequence=0000000000"));
    EXPECT_TRUE(names[1].ends_with(";sequence=0000000001"));
    EXPECT_TRUE(names[2].ends_with(";sequence=0000000002"));

    auto in_b = co_await discovery->register_node(b, node_at("h", 1));
    EXPECT_TRUE(in_b->name.ends_with(";sequence=0000000000")) << in_b->name;

    // A removed node's number is not given again while the space lives.
    EXPECT_TRUE((co_await discovery->remove_node(a, names[2])).is_ok());
    auto again = co_await discovery->register_node(a, node_at("h", 3));
    EXPECT_TRUE(again->name.ends_with(";sequence=0000000003")) << again->name;
    EXPECT_NE(again->name, names[2]);

    // A space goes with its last node, and one made again starts again at 0.
    EXPECT_TRUE((co_await discovery->remove_node(b, in_b->name)).is_ok());
    auto fresh = co_await discovery->register_node(b, node_at("h", 2));
    EXPECT_TRUE(fresh->name.ends_with(";sequence=0000000000")) << fresh->name;
  });
}

TEST(EmbeddedDiscovery, AWatchFiresOnceOnTheNextChangeOfItsSpace) {
  auto discovery = make_embedded_discovery();
  run_coroutine([&]() -> awaitable<void> {
    const std::string space = "/watched";
    const std::string other = "/other";
    int fired = 0;
    std::function<void()> watch = [&fired] { ++fired; };
    auto before = co_await discovery->get_nodes(space, std::move(watch));
    CO_ASSERT(before.is_ok());
    EXPECT_TRUE(before->empty());

    (void)co_await discovery->register_node(other, node_at("h", 1));
    EXPECT_EQ(fired, 0) << "a change elsewhere does not fire it";
    auto node = co_await discovery->register_node(space, node_at("h", 1));
    EXPECT_EQ(fired, 1);
    (void)co_await discovery->register_node(space, node_at("h", 2));
    EXPECT_EQ(fired, 1) << "a watch fires once";

    // Armed again, it fires on a removal too; two watches on one space both fire.
    int second = 0;
    std::function<void()> rearm = [&fired] { ++fired; };
    std::function<void()> also = [&second] { ++second; };
    (void)co_await discovery->get_nodes(space, std::move(rearm));
    (void)co_await discovery->get_nodes(space, std::move(also));
    EXPECT_TRUE((co_await discovery->remove_node(space, node->name)).is_ok());
    EXPECT_EQ(fired, 2);
    EXPECT_EQ(second, 1);

    // A failed removal changes nothing and fires nothing.
    std::function<void()> idle = [&fired] { ++fired; };
    (void)co_await discovery->get_nodes(space, std::move(idle));
    EXPECT_FALSE((co_await discovery->remove_node(space, node->name)).is_ok());
    EXPECT_EQ(fired, 2);
  });
}

TEST(EmbeddedDiscovery, CountersStartAtZeroAndCountPerPath) {
  auto discovery = make_embedded_discovery();
  run_coroutine([&]() -> awaitable<void> {
    const std::string path = "/kyuubi_1.13.0-SNAPSHOT_USER_LOCAL_seqNum/alice/engine-pool";
    const std::string other = "/kyuubi_1.13.0-SNAPSHOT_USER_LOCAL_seqNum/bob/engine-pool";
    for (std::int64_t expected = 0; expected < 3; ++expected) {
      auto value = co_await discovery->get_and_increment(path);
      CO_ASSERT(value.is_ok());
      EXPECT_EQ(*value, expected);
    }
    auto first_of_other = co_await discovery->get_and_increment(other);
    EXPECT_EQ(*first_of_other, 0);
  });
}

TEST(EmbeddedDiscovery, LockTimesOutWithKyuubisMessage) {
  auto discovery = make_embedded_discovery();
  run_coroutine([&]() -> awaitable<void> {
    const std::string path = "/kyuubi_1.13.0-SNAPSHOT_USER_LOCAL_lock/alice/default";
    LockResult held = co_await discovery->lock(path, Clock::now() + 5s);
    CO_ASSERT(held.is_ok());

    const auto start = Clock::now();
    LockResult second = co_await discovery->lock(path, start + 50ms);
    const auto took = Clock::now() - start;
    CO_ASSERT(!second.is_ok());
    EXPECT_EQ(second.status().code(), StatusCode::kTimedOut);
    EXPECT_EQ(second.status().message(), "Timeout to lock on path " + path);
    EXPECT_GE(took, 50ms);
    EXPECT_LT(took, 2s);

    // The timed-out waiter left nothing behind: released, the lock is free at once.
    held.value().reset();
    LockResult third = co_await discovery->lock(path, Clock::now());
    EXPECT_TRUE(third.is_ok());
  });
}

TEST(EmbeddedDiscovery, LockPathsAreIndependent) {
  auto discovery = make_embedded_discovery();
  run_coroutine([&]() -> awaitable<void> {
    const std::string a = "/lock/a";
    const std::string b = "/lock/b";
    LockResult on_a = co_await discovery->lock(a, Clock::now() + 1s);
    LockResult on_b = co_await discovery->lock(b, Clock::now());
    EXPECT_TRUE(on_a.is_ok());
    EXPECT_TRUE(on_b.is_ok());
  });
}

TEST(EmbeddedDiscovery, ALockExcludesCoroutinesOnOtherThreads) {
  auto discovery = make_embedded_discovery();
  const std::string path = "/kyuubi_1.13.0-SNAPSHOT_SERVER_LOCAL_lock/kyuubi/default";
  constexpr int kCoroutines = 3;
  constexpr int kRounds = 200;
  std::atomic<int> inside{0};
  std::atomic<int> most_inside{0};
  std::atomic<int> acquired{0};
  std::atomic<int> failed{0};
  asio::thread_pool pool(3);
  auto contend = [&]() -> awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    for (int round = 0; round < kRounds; ++round) {
      LockResult held = co_await discovery->lock(path, Clock::now() + 10s);
      if (!held.is_ok()) {
        ++failed;
        continue;
      }
      ++acquired;
      const int now_inside = ++inside;
      int seen = most_inside.load();
      while (now_inside > seen && !most_inside.compare_exchange_weak(seen, now_inside)) {
      }
      // Hold it across a suspension, so the others really try while it is taken.
      co_await asio::post(ex, asio::use_awaitable);
      --inside;
    }
  };
  std::vector<std::future<void>> done;
  for (int i = 0; i < kCoroutines; ++i)
    done.push_back(spawn_on(pool, contend));
  for (auto& f : done)
    expect_ends(f);
  pool.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(acquired.load(), kCoroutines * kRounds);
  EXPECT_EQ(most_inside.load(), 1);
}

TEST(EmbeddedDiscovery, ReleasingALockFromAnotherThreadWakesAWaiterPromptly) {
  auto discovery = make_embedded_discovery();
  const std::string path = "/kyuubi_1.13.0-SNAPSHOT_USER_LOCAL_lock/alice/default";
  asio::thread_pool pool(2);

  std::unique_ptr<DiscoveryLock> first;
  auto take_first = [&]() -> awaitable<void> {
    LockResult held = co_await discovery->lock(path, Clock::now() + 1s);
    CO_ASSERT(held.is_ok());
    first = std::move(held).value();
  };
  auto took_first = spawn_on(pool, take_first);
  expect_ends(took_first);
  ASSERT_TRUE(first);

  std::atomic<bool> second_ok{false};
  Clock::time_point second_at{};
  auto take_second = [&]() -> awaitable<void> {
    LockResult held = co_await discovery->lock(path, Clock::now() + 10s);
    second_at = Clock::now();
    second_ok = held.is_ok();
  };
  auto took_second = spawn_on(pool, take_second);
  // Let the second coroutine start waiting; its result does not depend on it, only the timing.
  EXPECT_EQ(took_second.wait_for(100ms), std::future_status::timeout) << "the lock was not held";

  const auto released_at = Clock::now();
  std::thread releaser([&] { first.reset(); });
  releaser.join();
  expect_ends(took_second);
  EXPECT_TRUE(second_ok.load());
  EXPECT_GE(second_at, released_at);
  EXPECT_LT(second_at - released_at, 500ms) << "the waiter was not woken by the release";
}

TEST(EmbeddedDiscovery, ALockMayOutliveItsDiscovery) {
  auto discovery = make_embedded_discovery();
  std::unique_ptr<DiscoveryLock> held;
  run_coroutine([&]() -> awaitable<void> {
    const std::string path = "/outlived";
    LockResult r = co_await discovery->lock(path, Clock::now() + 1s);
    CO_ASSERT(r.is_ok());
    held = std::move(r).value();
  });
  discovery.reset();
  held.reset();
}

}  // namespace
}  // namespace kitsune::discovery
