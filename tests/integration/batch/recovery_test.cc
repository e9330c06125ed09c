// A gateway that goes away while its batches run, and the one that starts in its place on the same
// metadata store and instance: nothing is lost, running Spark batches are followed again, the
// others end with the reason.
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

constexpr const char* kLongStatement =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) "
    "SELECT count(*) FROM c";

class Recovery : public ::testing::Test {
 protected:
  void SetUp() override {
    spark_home_ = make_spark_home(dir_.path());
    jar_ = dir_.path() / "etl.jar";
    std::ofstream(jar_) << "jar";
    conf_ = sqlite_conf(dir_.path() / "state" / "kyuubi_state_store.db");
    conf_.set("kyuubi.engineEnv.SPARK_HOME", spark_home_.string());
  }

  batch::BatchRequest spark(std::vector<std::string> args) const {
    batch::BatchRequest r;
    r.batch_type = "SPARK";
    r.resource = jar_.string();
    r.class_name = "org.example.Etl";
    r.name = "etl";
    r.args = std::move(args);
    return r;
  }

  TempDir dir_;
  IoThread io_;
  fs::path spark_home_, jar_;
  config::Conf conf_;
  const batch::Caller alice_ = caller("alice");
};

TEST_F(Recovery, ASqlBatchCutShortByARestartEndsInErrorAndFinishedBatchesStay) {
  InProcessGateway gateway(io_, dir_.path() / "work", conf_);
  std::string finished_id, running_id;
  {
    BatchWorld before(io_, conf_, dir_.path() / "work", "gateway-1.test:10099", &gateway.service());
    batch::BatchRequest quick;
    quick.batch_type = "SQL";
    quick.conf = {{"kyuubi.engine.type", "LOCAL"}};
    auto done =
        before.submit(alice_, quick, {{"resourceFile", "quick.sql", "SELECT 42 AS answer;"}});
    ASSERT_TRUE(done) << done.status().message();
    finished_id = done->id;
    ASSERT_EQ(before.wait_for_end(finished_id).state, "FINISHED");

    auto slow = before.submit(alice_, quick,
                              {{"resourceFile", "slow.sql", std::string(kLongStatement) + ";"}});
    ASSERT_TRUE(slow) << slow.status().message();
    running_id = slow->id;
    ASSERT_EQ(before.wait_for_state(running_id, {"RUNNING"}).state, "RUNNING");
    before.shut_down();  // the gateway goes away mid-run
  }
  BatchWorld after(io_, conf_, dir_.path() / "work", "gateway-1.test:10099", &gateway.service());
  const batch::Caller admin = caller("admin", true);
  auto cut = after.get(admin, running_id);
  ASSERT_TRUE(cut) << cut.status().message();
  EXPECT_EQ(cut->state, "ERROR");
  EXPECT_TRUE(contains(cut->app_diagnostic, "gateway restarted")) << cut->app_diagnostic;
  EXPECT_GT(cut->end_time, 0);
  EXPECT_EQ(lines_with(after.log_text(running_id), "gateway restarted").size(), 1u);

  auto kept = after.get(admin, finished_id);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->state, "FINISHED");
  EXPECT_EQ(after.log_lines_equal_to(finished_id, "42"), 1u) << after.log_text(finished_id);
  batch::BatchFilter all;
  EXPECT_EQ(after.list(admin, all)->size(), 2u);
}

TEST_F(Recovery, ABatchOfAnotherInstanceIsLeftAlone) {
  std::string id;
  {
    BatchWorld other(io_, conf_, dir_.path() / "work", "gateway-2.test:10099");
    auto s = other.submit(alice_, spark({"--sleep", "2"}));
    ASSERT_TRUE(s) << s.status().message();
    id = s->id;
    ASSERT_EQ(other.wait_for_state(id, {"RUNNING"}).state, "RUNNING");
    other.shut_down();
  }
  BatchWorld mine(io_, conf_, dir_.path() / "work", "gateway-1.test:10099");
  EXPECT_EQ(mine.get(alice_, id)->state, "RUNNING");
}

TEST_F(Recovery, ASparkBatchStillRunningIsFollowedAgainToItsEnd) {
  std::string id;
  {
    BatchWorld before(io_, conf_, dir_.path() / "work");
    auto s = before.submit(alice_, spark({"--sleep", "3", "--print", "done sleeping"}));
    ASSERT_TRUE(s) << s.status().message();
    id = s->id;
    ASSERT_EQ(before.wait_for_state(id, {"RUNNING"}).state, "RUNNING");
    before.shut_down();
  }
  BatchWorld after(io_, conf_, dir_.path() / "work");
  EXPECT_EQ(after.get(alice_, id)->state, "RUNNING");
  const batch::Batch done = after.wait_for_end(id);
  EXPECT_EQ(done.state, "FINISHED") << done.app_diagnostic;
  EXPECT_EQ(done.app_state, "FINISHED");
  const std::string log = after.log_text(id);
  EXPECT_EQ(lines_with(log, "follows batch " + id + " again").size(), 1u) << log;
  EXPECT_EQ(after.log_lines_equal_to(id, "done sleeping"), 1u) << log;
}

TEST_F(Recovery, ARestartedGatewayCanStillCloseASparkBatchItFollowsAgain) {
  std::string id;
  {
    BatchWorld before(io_, conf_, dir_.path() / "work");
    auto s = before.submit(alice_, spark({"--sleep", "120"}));
    ASSERT_TRUE(s) << s.status().message();
    id = s->id;
    ASSERT_EQ(before.wait_for_state(id, {"RUNNING"}).state, "RUNNING");
    before.shut_down();
  }
  BatchWorld after(io_, conf_, dir_.path() / "work");
  auto closed = after.close(alice_, id);
  ASSERT_TRUE(closed) << closed.status().message();
  EXPECT_TRUE(closed->success) << closed->message;
  EXPECT_EQ(after.get(alice_, id)->state, "CANCELED");
}

TEST_F(Recovery, ASparkBatchThatEndedWhileNoGatewayWatchedEndsAsItsExitCodeSays) {
  std::string ok_id, failed_id;
  {
    BatchWorld before(io_, conf_, dir_.path() / "work");
    auto ok = before.submit(alice_, spark({"--sleep", "1"}));
    auto failed = before.submit(alice_, spark({"--sleep", "1", "--exit", "4"}));
    ASSERT_TRUE(ok && failed);
    ok_id = ok->id;
    failed_id = failed->id;
    ASSERT_EQ(before.wait_for_state(ok_id, {"RUNNING"}).state, "RUNNING");
    ASSERT_EQ(before.wait_for_state(failed_id, {"RUNNING"}).state, "RUNNING");
    before.shut_down();
  }
  std::this_thread::sleep_for(2500ms);  // both end while no manager watches
  BatchWorld after(io_, conf_, dir_.path() / "work");
  const batch::Batch ok = after.wait_for_end(ok_id, 10s);
  EXPECT_EQ(ok.state, "FINISHED") << ok.app_diagnostic;
  const batch::Batch failed = after.wait_for_end(failed_id, 10s);
  EXPECT_EQ(failed.state, "ERROR");
  EXPECT_TRUE(contains(failed.app_diagnostic, "exited with code 4")) << failed.app_diagnostic;
}

}  // namespace
}  // namespace kitsune::testing
