// Two gateways on one PostgreSQL metadata store: each sees the other's batches, and a close asked
// of one reaches the gateway that runs the batch. And the cleaner, through the manager.
#include <gtest/gtest.h>

#include <fstream>

#include "batch_harness.h"

namespace kitsune::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class SharedStore : public ::testing::Test {
 protected:
  void SetUp() override {
    spark_home_ = make_spark_home(dir_.path());
    jar_ = dir_.path() / "etl.jar";
    std::ofstream(jar_) << "jar";
  }

  config::Conf conf(config::Conf base) const {
    base.set("kyuubi.engineEnv.SPARK_HOME", spark_home_.string());
    return base;
  }

  batch::BatchRequest spark(std::vector<std::string> args, std::string name) const {
    batch::BatchRequest r;
    r.batch_type = "SPARK";
    r.resource = jar_.string();
    r.class_name = "org.example.Etl";
    r.name = std::move(name);
    r.args = std::move(args);
    return r;
  }

  TempDir dir_;
  IoThread io_;
  fs::path spark_home_, jar_;
  const batch::Caller alice_ = caller("alice");
};

TEST_F(SharedStore, TwoGatewaysOnOnePostgresqlStoreSeeAndCloseEachOthersBatches) {
  const config::Conf shared = conf(postgres_conf(postgres_database()));
  BatchWorld a(io_, shared, dir_.path() / "work-a", "gateway-a.test:10099");
  BatchWorld b(io_, shared, dir_.path() / "work-b", "gateway-b.test:10099");

  auto long_one = a.submit(alice_, spark({"--sleep", "120"}, "long"));
  ASSERT_TRUE(long_one) << long_one.status().message();
  ASSERT_EQ(a.wait_for_state(long_one->id, {"RUNNING"}).state, "RUNNING");
  auto quick = b.submit(alice_, spark({}, "quick"));
  ASSERT_TRUE(quick) << quick.status().message();
  ASSERT_EQ(b.wait_for_end(quick->id).state, "FINISHED");

  // Each sees the other's, as the store has it.
  auto seen_by_b = b.get(alice_, long_one->id);
  ASSERT_TRUE(seen_by_b) << seen_by_b.status().message();
  EXPECT_EQ(seen_by_b->state, "RUNNING");
  EXPECT_EQ(seen_by_b->kyuubi_instance, "gateway-a.test:10099");
  auto seen_by_a = a.get(alice_, quick->id);
  ASSERT_TRUE(seen_by_a);
  EXPECT_EQ(seen_by_a->state, "FINISHED");
  EXPECT_EQ(seen_by_a->kyuubi_instance, "gateway-b.test:10099");
  batch::BatchFilter all;
  EXPECT_EQ(a.list(alice_, all)->size(), 2u);
  EXPECT_EQ(b.list(alice_, all)->size(), 2u);

  // The log stays with the gateway that ran the batch.
  auto log = b.log(alice_, long_one->id);
  ASSERT_FALSE(log);
  EXPECT_EQ(log.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(contains(log.status().message(), "gateway-a.test:10099")) << log.status().message();

  // A close asked of b reaches a, which runs the batch.
  auto closed = b.close(alice_, long_one->id);
  ASSERT_TRUE(closed) << closed.status().message();
  EXPECT_TRUE(closed->success) << closed->message;
  EXPECT_TRUE(contains(closed->message, "gateway-a.test:10099")) << closed->message;
  const batch::Batch ended = b.wait_for_end(long_one->id, 20s);
  EXPECT_EQ(ended.state, "CANCELED");
}

TEST_F(SharedStore, TheCleanerDeletesBatchesThatEndedLongerAgoThanTheMaxAge) {
  config::Conf c = conf(sqlite_conf(dir_.path() / "state.db"));
  c.set("kyuubi.metadata.cleaner.interval", "PT0.2S");
  c.set("kyuubi.metadata.max.age", "PT1S");
  BatchWorld w(io_, c, dir_.path() / "work");
  auto done = w.submit(alice_, spark({}, "short-lived"));
  ASSERT_TRUE(done) << done.status().message();
  ASSERT_EQ(w.wait_for_end(done->id).state, "FINISHED");
  auto running = w.submit(alice_, spark({"--sleep", "30"}, "still running"));
  ASSERT_TRUE(running);
  ASSERT_EQ(w.wait_for_state(running->id, {"RUNNING"}).state, "RUNNING");
  const fs::path log = dir_.path() / "work" / "alice" / ("batch-" + done->id + ".log");
  EXPECT_TRUE(fs::exists(log));
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (w.get(alice_, done->id) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  auto gone = w.get(alice_, done->id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(log));
  EXPECT_EQ(w.get(alice_, running->id)->state, "RUNNING");
  EXPECT_TRUE(w.close(alice_, running->id)->success);
}

}  // namespace
}  // namespace kitsune::testing
