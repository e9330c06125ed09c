// SQL batches end to end: a script's statements run through the gateway's real TCLIService in
// this process, whose sessions launch real kitsune-engine (LOCAL) processes.
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

// A statement the LOCAL engine (SQLite) takes minutes over.
constexpr const char* kLongStatement =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) "
    "SELECT count(*) FROM c";

class SqlBatches : public ::testing::Test {
 protected:
  void SetUp() override {
    conf_ = sqlite_conf(dir_.path() / "state" / "kyuubi_state_store.db");
    gateway_.emplace(io_, dir_.path() / "work", conf_);
    world_.emplace(io_, conf_, dir_.path() / "work", "gateway-1.test:10099", &gateway_->service());
  }
  void TearDown() override {
    world_.reset();
    gateway_.reset();
  }

  static batch::BatchRequest sql_request(std::string name = "nightly-sql") {
    batch::BatchRequest r;
    r.batch_type = "sql";
    r.name = std::move(name);
    r.conf = {{"kyuubi.engine.type", "LOCAL"}};
    return r;
  }
  static batch::Upload script(std::string text, std::string file_name = "job.sql") {
    return batch::Upload{"resourceFile", std::move(file_name), std::move(text)};
  }

  TempDir dir_;
  IoThread io_;
  config::Conf conf_;
  std::optional<InProcessGateway> gateway_;
  std::optional<BatchWorld> world_;
  const batch::Caller alice_ = caller("alice");
};

TEST_F(SqlBatches, AScriptThatCreatesInsertsAndSelectsRunsToFinishedWithTheRowsInTheLog) {
  const std::string text =
      "-- a nightly job\n"
      "CREATE TABLE sales (id INT, item STRING);\n"
      "INSERT INTO sales VALUES (1, 'tea; green'), (2, 'coffee');\n"
      "/* the report; in order */\n"
      "SELECT id, item FROM sales ORDER BY id;\n";
  auto submitted = world_->submit(alice_, sql_request(), {script(text)});
  ASSERT_TRUE(submitted) << submitted.status().message();
  EXPECT_EQ(submitted->batch_type, "SQL");
  const batch::Batch done = world_->wait_for_end(submitted->id);
  EXPECT_EQ(done.state, "FINISHED") << done.app_diagnostic << "\n"
                                    << world_->log_text(submitted->id);
  EXPECT_EQ(done.app_state, "FINISHED");
  EXPECT_FALSE(done.app_id.empty());  // the gateway session it ran in
  const std::string log = world_->log_text(submitted->id);
  EXPECT_EQ(lines_with(log, "statement 1 of 3").size(), 1u) << log;
  EXPECT_EQ(lines_with(log, "statement 3 of 3").size(), 1u) << log;
  EXPECT_EQ(world_->log_lines_equal_to(submitted->id, "id\titem"), 1u) << log;
  EXPECT_EQ(world_->log_lines_equal_to(submitted->id, "1\ttea; green"), 1u) << log;
  EXPECT_EQ(world_->log_lines_equal_to(submitted->id, "2\tcoffee"), 1u) << log;
  EXPECT_EQ(world_->log_lines_equal_to(submitted->id, "(2 rows)"), 1u) << log;
  EXPECT_EQ(lines_with(log, "ended: FINISHED").size(), 1u) << log;
  // The uploaded script was kept under the batch's upload dir.
  EXPECT_TRUE(fs::exists(dir_.path() / "work" / "upload" / submitted->id / "job.sql"));
}

TEST_F(SqlBatches, AFailingStatementEndsTheBatchInErrorNamingIt) {
  const std::string text =
      "SELECT 1;\n"
      "SELECT * FROM no_such_table;\n"
      "CREATE TABLE never_made (id INT);\n";
  auto submitted = world_->submit(alice_, sql_request(), {script(text)});
  ASSERT_TRUE(submitted) << submitted.status().message();
  const batch::Batch done = world_->wait_for_end(submitted->id);
  EXPECT_EQ(done.state, "ERROR");
  EXPECT_EQ(done.app_state, "FAILED");
  EXPECT_TRUE(contains(done.app_diagnostic, "statement 2 of 3 failed")) << done.app_diagnostic;
  EXPECT_TRUE(contains(done.app_diagnostic, "SELECT * FROM no_such_table")) << done.app_diagnostic;
  EXPECT_TRUE(contains(done.app_diagnostic, "no_such_table: ")) << done.app_diagnostic;
  const std::string log = world_->log_text(submitted->id);
  EXPECT_TRUE(lines_with(log, "statement 3 of 3").empty()) << log;
  EXPECT_EQ(lines_with(log, "Error: ").size(), 1u) << log;
}

TEST_F(SqlBatches, ClosingARunningSqlBatchCancelsItsStatement) {
  auto submitted = world_->submit(alice_, sql_request(),
                                  {script(std::string(kLongStatement) + ";\nSELECT 2;\n")});
  ASSERT_TRUE(submitted) << submitted.status().message();
  ASSERT_EQ(world_->wait_for_state(submitted->id, {"RUNNING"}).state, "RUNNING");
  // Wait until the statement itself runs, not only the session.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (lines_with(world_->log_text(submitted->id), "statement 1 of 2").empty() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  std::this_thread::sleep_for(500ms);
  auto closed = world_->close(alice_, submitted->id);
  ASSERT_TRUE(closed) << closed.status().message();
  EXPECT_TRUE(closed->success) << closed->message;
  const batch::Batch after = world_->wait_for_end(submitted->id);
  EXPECT_EQ(after.state, "CANCELED");
  EXPECT_TRUE(contains(after.app_diagnostic, "statement 1 of 2")) << after.app_diagnostic;
  EXPECT_TRUE(lines_with(world_->log_text(submitted->id), "statement 2 of 2").empty());
}

TEST_F(SqlBatches, ALocalScriptRunsForAnAdministratorAndNotForAUserWhoDoesNotOwnIt) {
  const fs::path file = dir_.path() / "scripts" / "admin.sql";
  fs::create_directories(file.parent_path());
  std::ofstream(file) << "SELECT 'from a local file' AS greeting;";
  batch::BatchRequest r = sql_request();
  r.resource = file.string();
  auto refused = world_->submit(alice_, r);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(contains(refused.status().message(), "upload it")) << refused.status().message();

  auto submitted = world_->submit(caller("admin", true), r);
  ASSERT_TRUE(submitted) << submitted.status().message();
  EXPECT_EQ(world_->wait_for_end(submitted->id).state, "FINISHED");
  EXPECT_EQ(world_->log_lines_equal_to(submitted->id, "from a local file"), 1u)
      << world_->log_text(submitted->id);

  r.resource = (dir_.path() / "scripts" / "missing.sql").string();
  auto missing = world_->submit(caller("admin", true), r);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code(), StatusCode::kError);
}

TEST_F(SqlBatches, AScriptWithNoStatementIsRefused) {
  auto refused = world_->submit(alice_, sql_request(), {script("-- nothing\n;;\n/* here */")});
  ASSERT_FALSE(refused);
  EXPECT_TRUE(contains(refused.status().message(), "no statements")) << refused.status().message();
}

}  // namespace
}  // namespace kitsune::testing
