// Spark batches end to end: a BatchManager on an SQLite file runs the batch stand-in as
// $SPARK_HOME/bin/spark-submit, follows it to its end, and shows what a user of the REST API sees.
#include <gtest/gtest.h>

#include <dirent.h>

#include <fstream>

#include "batch_harness.h"

namespace kitsune::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool has(const std::vector<std::string>& v, const std::string& item) {
  return std::find(v.begin(), v.end(), item) != v.end();
}

// Whether a live process has `part` in its command line.
bool process_with(const std::string& part) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (contains(cmdline, part)) {
      std::ifstream stat(entry.path() / "stat");
      std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
      const auto close = text.rfind(')');
      if (close != std::string::npos && close + 2 < text.size() && text[close + 2] == 'Z') continue;
      return true;
    }
  }
  return false;
}

class SparkBatches : public ::testing::Test {
 protected:
  void SetUp() override {
    spark_home_ = make_spark_home(dir_.path());
    record_ = dir_.path() / "record";
    fs::create_directories(record_);
    jar_ = dir_.path() / "jobs" / "etl.jar";
    fs::create_directories(jar_.parent_path());
    std::ofstream(jar_) << "not really a jar";
  }

  // The server's conf: the store in an SQLite file, Spark from the stand-in home.
  config::Conf server_conf() const {
    config::Conf conf = sqlite_conf(dir_.path() / "state" / "kyuubi_state_store.db");
    conf.set("kyuubi.engineEnv.SPARK_HOME", spark_home_.string());
    conf.set("kyuubi.engineEnv.KITSUNE_STANDIN_RECORD", record_.string());
    return conf;
  }

  BatchWorld& start(config::Conf conf) {
    world_.emplace(io_, std::move(conf), dir_.path() / "work");
    return *world_;
  }
  BatchWorld& start() { return start(server_conf()); }

  batch::BatchRequest request(std::vector<std::string> args, std::string name = "nightly") const {
    batch::BatchRequest r;
    r.batch_type = "SPARK";
    r.resource = jar_.string();
    r.class_name = "org.example.Etl";
    r.name = std::move(name);
    r.conf = {{"spark.executor.memory", "2g"}};
    r.args = std::move(args);
    return r;
  }

  std::vector<std::string> recorded_args(const std::string& id) const {
    return file_lines(record_ / (id + ".args"));
  }

  TempDir dir_;
  IoThread io_;
  fs::path spark_home_, record_, jar_;
  std::optional<BatchWorld> world_;
  const batch::Caller alice_ = caller("alice");
};

TEST_F(SparkBatches, ABatchRunsToFinishedWithTheApplicationSparkSubmitReported) {
  BatchWorld& w = start();
  auto submitted = w.submit(alice_, request({"--print", "hello from the job"}));
  ASSERT_TRUE(submitted) << submitted.status().message();
  EXPECT_EQ(submitted->user, "alice");
  EXPECT_EQ(submitted->batch_type, "SPARK");
  EXPECT_EQ(submitted->name, "nightly");
  EXPECT_EQ(submitted->kyuubi_instance, "gateway-1.test:10099");
  EXPECT_GT(submitted->create_time, 0);

  const batch::Batch done = w.wait_for_end(submitted->id);
  EXPECT_EQ(done.state, "FINISHED") << done.app_diagnostic;
  EXPECT_EQ(done.app_state, "FINISHED");
  EXPECT_TRUE(done.app_id.starts_with("application_")) << done.app_id;
  EXPECT_EQ(done.app_url, "http://resourcemanager.test:8088/proxy/" + done.app_id + "/");
  EXPECT_GE(done.app_start_time, done.create_time);
  EXPECT_GE(done.end_time, done.app_start_time);
  EXPECT_TRUE(done.app_diagnostic.empty()) << done.app_diagnostic;

  // The log: what the gateway submitted, what the application printed on stdout and stderr.
  const std::string log = w.log_text(submitted->id);
  EXPECT_EQ(lines_with(log, "Submitting batch " + submitted->id).size(), 1u) << log;
  EXPECT_EQ(w.log_lines_equal_to(submitted->id, "hello from the job"), 1u) << log;
  EXPECT_EQ(lines_with(log, "Submitted application " + done.app_id).size(), 1u) << log;
  EXPECT_EQ(lines_with(log, "ended: FINISHED").size(), 1u) << log;
  EXPECT_TRUE(fs::exists(dir_.path() / "work" / "alice" / ("batch-" + submitted->id + ".log")));
}

TEST_F(SparkBatches, SparkSubmitGetsTheClassResourceArgsProxyUserAndName) {
  BatchWorld& w = start();
  auto submitted = w.submit(alice_, request({"--in", "s3://bucket/in", "--day", "2024-01-01"}));
  ASSERT_TRUE(submitted) << submitted.status().message();
  ASSERT_EQ(w.wait_for_end(submitted->id).state, "FINISHED");
  const std::vector<std::string> args = recorded_args(submitted->id);
  ASSERT_GE(args.size(), 8u);
  EXPECT_EQ(args[0], "--class");
  EXPECT_EQ(args[1], "org.example.Etl");
  // The resource, then the application's arguments, end the line.
  const std::vector<std::string> tail(args.end() - 5, args.end());
  EXPECT_EQ(tail, (std::vector<std::string>{jar_.string(), "--in", "s3://bucket/in", "--day",
                                            "2024-01-01"}));
  const std::vector<std::string> head(args.begin(), args.end() - 5);
  EXPECT_TRUE(has(head, "spark.app.name=nightly"));
  EXPECT_TRUE(has(head, "spark.executor.memory=2g"));
  EXPECT_TRUE(has(head, "spark.kyuubi.batch.id=" + submitted->id));
  EXPECT_TRUE(has(head, "spark.yarn.tags=KYUUBI," + submitted->id));
  EXPECT_TRUE(has(head, "spark.kubernetes.driver.label.kyuubi-unique-tag=" + submitted->id));
  EXPECT_TRUE(has(
      head, "spark.kyuubi.engine.engineLog.path=" +
                (dir_.path() / "work" / "alice" / ("batch-" + submitted->id + ".log")).string()));
  EXPECT_TRUE(has(head, "spark.kyuubi.session.real.user=alice"));
  auto proxy = std::find(head.begin(), head.end(), "--proxy-user");
  ASSERT_NE(proxy, head.end());
  ASSERT_NE(proxy + 1, head.end());
  EXPECT_EQ(*(proxy + 1), "alice");
  // Every --conf is followed by one key=value.
  for (std::size_t i = 2; i < head.size(); ++i) {
    if (head[i] == "--conf") {
      EXPECT_TRUE(contains(head[i + 1], "=")) << head[i + 1];
    }
  }
}

TEST_F(SparkBatches, AFailingBatchEndsInErrorWithWhyInTheDiagnostic) {
  BatchWorld& w = start();
  auto submitted =
      w.submit(alice_, request({"--fail", "input path s3://bucket/in does not exist"}));
  ASSERT_TRUE(submitted) << submitted.status().message();
  const batch::Batch done = w.wait_for_end(submitted->id);
  EXPECT_EQ(done.state, "ERROR");
  EXPECT_EQ(done.app_state, "FAILED");
  EXPECT_TRUE(contains(done.app_diagnostic, "spark-submit exited with code 3"))
      << done.app_diagnostic;
  EXPECT_TRUE(contains(done.app_diagnostic, "input path s3://bucket/in does not exist"))
      << done.app_diagnostic;
  EXPECT_EQ(lines_with(w.log_text(submitted->id), "ended: ERROR").size(), 1u);
}

TEST_F(SparkBatches, ClosingARunningBatchKillsItsSparkSubmitAndCancelsIt) {
  BatchWorld& w = start();
  auto submitted = w.submit(alice_, request({"--sleep", "60"}));
  ASSERT_TRUE(submitted) << submitted.status().message();
  EXPECT_EQ(w.wait_for_state(submitted->id, {"RUNNING"}).state, "RUNNING");
  const auto started = std::chrono::steady_clock::now();
  auto closed = w.close(alice_, submitted->id);
  ASSERT_TRUE(closed) << closed.status().message();
  EXPECT_TRUE(closed->success) << closed->message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  auto after = w.get(alice_, submitted->id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->state, "CANCELED");
  EXPECT_EQ(after->app_state, "KILLED");
  EXPECT_GT(after->end_time, 0);
  EXPECT_FALSE(process_with(submitted->id)) << "spark-submit of the batch still runs";

  // Closing it again says it has ended.
  auto again = w.close(alice_, submitted->id);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->success);
  EXPECT_TRUE(contains(again->message, "CANCELED")) << again->message;
}

TEST_F(SparkBatches, APySparkBatchHasNoMainClass) {
  BatchWorld& w = start();
  batch::BatchRequest r = request({"--print", "from python"});
  r.batch_type = "pyspark";
  r.class_name.clear();
  r.resource = (dir_.path() / "jobs" / "job.py").string();
  std::ofstream(r.resource) << "print('hi')\n";
  auto submitted = w.submit(alice_, r);
  ASSERT_TRUE(submitted) << submitted.status().message();
  EXPECT_EQ(submitted->batch_type, "PYSPARK");
  EXPECT_EQ(w.wait_for_end(submitted->id).state, "FINISHED");
  const auto args = recorded_args(submitted->id);
  EXPECT_FALSE(has(args, "--class"));
  EXPECT_TRUE(has(args, r.resource));
}

TEST_F(SparkBatches, SecretConfValuesReachSparkSubmitInAPrivateFileOnly) {
  BatchWorld& w = start();
  const std::string secret = "s3-secret-Xy93kq";
  batch::BatchRequest r = request({});
  r.conf["spark.hadoop.fs.s3a.secret.key"] = secret;
  auto submitted = w.submit(alice_, r);
  ASSERT_TRUE(submitted) << submitted.status().message();
  ASSERT_EQ(w.wait_for_end(submitted->id).state, "FINISHED");
  const auto args = recorded_args(submitted->id);
  for (const auto& a : args)
    EXPECT_FALSE(contains(a, secret)) << a;
  EXPECT_TRUE(has(args, "--properties-file"));
  const auto properties = file_lines(record_ / (submitted->id + ".properties"));
  EXPECT_TRUE(has(properties, "spark.hadoop.fs.s3a.secret.key=" + secret));
  EXPECT_FALSE(contains(w.log_text(submitted->id), secret));
  // The private file is gone once spark-submit has ended.
  EXPECT_FALSE(fs::exists(dir_.path() / "work" / "alice" / ".kitsune-private" /
                          (submitted->id + ".spark.properties")));
}

TEST_F(SparkBatches, ServerBatchConfDefaultsApplyAndIgnoredKeysAreDropped) {
  config::Conf conf = server_conf();
  conf.set("kyuubi.batchConf.spark.spark.master", "yarn");
  conf.set("kyuubi.batchConf.spark.spark.executor.cores", "2");
  conf.set("kyuubi.batch.conf.ignore.list", "spark.driver.memory");
  BatchWorld& w = start(conf);
  batch::BatchRequest r = request({});
  r.conf["spark.executor.cores"] = "4";
  r.conf["spark.driver.memory"] = "64g";
  auto submitted = w.submit(alice_, r);
  ASSERT_TRUE(submitted) << submitted.status().message();
  ASSERT_EQ(w.wait_for_end(submitted->id).state, "FINISHED");
  const auto args = recorded_args(submitted->id);
  EXPECT_TRUE(has(args, "spark.master=yarn"));
  EXPECT_TRUE(has(args, "spark.executor.cores=4"));
  EXPECT_FALSE(has(args, "spark.executor.cores=2"));
  for (const auto& a : args)
    EXPECT_FALSE(contains(a, "spark.driver.memory")) << a;
  // yarn: tagged for YARN only.
  EXPECT_TRUE(has(args, "spark.yarn.tags=KYUUBI," + submitted->id));
  for (const auto& a : args)
    EXPECT_FALSE(contains(a, "kyuubi-unique-tag")) << a;
}

TEST_F(SparkBatches, ASecondSubmissionWithTheSameBatchIdReturnsTheFirstBatch) {
  BatchWorld& w = start();
  const std::string id = "7c3d2b1a-0f9e-4d8c-b7a6-5e4f3a2b1c0d";
  batch::BatchRequest r = request({});
  r.conf["kyuubi.batch.id"] = id;
  auto first = w.submit(alice_, r);
  ASSERT_TRUE(first) << first.status().message();
  EXPECT_EQ(first->id, id);
  EXPECT_TRUE(first->batch_info.empty());
  auto second = w.submit(alice_, r);
  ASSERT_TRUE(second) << second.status().message();
  EXPECT_EQ(second->id, id);
  EXPECT_EQ(second->batch_info.at("kyuubi.batch.duplicated"), "true");
  EXPECT_EQ(w.wait_for_end(id).state, "FINISHED");
  batch::BatchFilter all;
  auto listed = w.list(alice_, all);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 1u);
}

TEST_F(SparkBatches, BadRequestsAreRefusedNamingWhatIsWrong) {
  BatchWorld& w = start();
  auto expect_refused = [&](batch::BatchRequest r, const std::string& why) {
    auto refused = w.submit(alice_, std::move(r));
    ASSERT_FALSE(refused) << why;
    EXPECT_EQ(refused.status().code(), StatusCode::kError);
    EXPECT_TRUE(contains(refused.status().message(), why)) << refused.status().message();
  };
  batch::BatchRequest r = request({});
  r.conf["kyuubi.batch.id"] = "not-a-uuid";
  expect_refused(r, "kyuubi.batch.id must be a UUID");
  r = request({});
  r.class_name.clear();
  expect_refused(r, "classname is a required parameter for SPARK");
  r = request({});
  r.resource.clear();
  expect_refused(r, "resource is a required parameter");
  r = request({});
  r.batch_type = "FLINK";
  expect_refused(r, "FLINK is not in the supported list");
  batch::BatchFilter all;
  EXPECT_TRUE(w.list(caller("admin", true), all)->empty());
}

TEST_F(SparkBatches, AnotherUserSeesNeitherTheBatchNorItsLogAndCannotCloseIt) {
  BatchWorld& w = start();
  auto submitted = w.submit(alice_, request({"--sleep", "30"}));
  ASSERT_TRUE(submitted) << submitted.status().message();
  const batch::Caller bob = caller("bob");
  auto seen = w.get(bob, submitted->id);
  ASSERT_FALSE(seen);
  EXPECT_EQ(seen.status().code(), StatusCode::kPermissionDenied);
  auto log = w.log(bob, submitted->id);
  ASSERT_FALSE(log);
  EXPECT_EQ(log.status().code(), StatusCode::kPermissionDenied);
  auto closed = w.close(bob, submitted->id);
  ASSERT_FALSE(closed);
  EXPECT_EQ(closed.status().code(), StatusCode::kPermissionDenied);
  batch::BatchFilter all;
  EXPECT_TRUE(w.list(bob, all)->empty());
  batch::BatchFilter alices;
  alices.user = "alice";
  EXPECT_TRUE(w.list(bob, alices)->empty());
  EXPECT_EQ(w.list(alice_, all)->size(), 1u);
  EXPECT_EQ(w.list(caller("admin", true), all)->size(), 1u);
  auto unknown = w.get(alice_, "00000000-0000-0000-0000-000000000000");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  // An administrator may close it.
  auto by_admin = w.close(caller("admin", true), submitted->id);
  ASSERT_TRUE(by_admin) << by_admin.status().message();
  EXPECT_TRUE(by_admin->success) << by_admin->message;
}

TEST_F(SparkBatches, ListFiltersPagesAndCountsThroughTheManager) {
  BatchWorld& w = start();
  std::vector<std::string> ids;
  for (const char* name : {"a", "b", "c"}) {
    auto s = w.submit(alice_, request({}, name));
    ASSERT_TRUE(s) << s.status().message();
    ids.push_back(s->id);
  }
  batch::BatchRequest failing = request({"--exit", "1"}, "d");
  auto f = w.submit(caller("bob"), failing);
  ASSERT_TRUE(f) << f.status().message();
  for (const auto& id : ids)
    w.wait_for_end(id);
  w.wait_for_end(f->id);

  const batch::Caller admin = caller("admin", true);
  batch::BatchFilter filter;
  filter.desc = true;
  filter.size = 2;
  auto page = w.list(admin, filter);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, f->id);
  EXPECT_EQ((*page)[1].id, ids[2]);
  filter = {};
  filter.state = "error";
  page = w.list(admin, filter);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].user, "bob");
  filter = {};
  filter.name = "b";
  EXPECT_EQ(w.list(admin, filter)->at(0).id, ids[1]);
  filter = {};
  filter.user = "alice";
  filter.state = "FINISHED";
  filter.batch_type = "SPARK";
  EXPECT_EQ(w.list(admin, filter)->size(), 3u);
  auto counted = io_.call([&] { return w.manager().count(filter); });
  ASSERT_TRUE(counted);
  EXPECT_EQ(*counted, 3);
  filter = {};
  filter.from = -1;
  EXPECT_FALSE(w.list(admin, filter));
}

TEST_F(SparkBatches, TheLocalLogIsReadBySlicesFromTheStartOrTheEnd) {
  BatchWorld& w = start();
  std::vector<std::string> args;
  for (int i = 1; i <= 5; ++i) {
    args.push_back("--print");
    args.push_back("line " + std::to_string(i));
  }
  auto submitted = w.submit(alice_, request(args));
  ASSERT_TRUE(submitted) << submitted.status().message();
  ASSERT_EQ(w.wait_for_end(submitted->id).state, "FINISHED");
  auto all = w.log(alice_, submitted->id, 0, 1000);
  ASSERT_TRUE(all);
  const auto& rows = all->rows;
  auto first = std::find(rows.begin(), rows.end(), "line 1");
  ASSERT_NE(first, rows.end());
  const int at = static_cast<int>(first - rows.begin());
  auto slice = w.log(alice_, submitted->id, at + 1, 2);
  ASSERT_TRUE(slice);
  EXPECT_EQ(slice->rows, (std::vector<std::string>{"line 2", "line 3"}));
  auto last = w.log(alice_, submitted->id, -1, 1);
  ASSERT_TRUE(last);
  ASSERT_EQ(last->rows.size(), 1u);
  EXPECT_TRUE(contains(last->rows[0], "ended: FINISHED")) << last->rows[0];
  EXPECT_TRUE(w.log(alice_, submitted->id, 100000, 10)->rows.empty());
}

TEST_F(SparkBatches, WithoutASparkHomeTheBatchEndsInErrorSayingSo) {
  ::unsetenv("SPARK_HOME");  // read when the manager is created
  config::Conf conf = sqlite_conf(dir_.path() / "state.db");
  BatchWorld& w = start(conf);
  auto submitted = w.submit(alice_, request({}));
  ASSERT_TRUE(submitted) << submitted.status().message();
  const batch::Batch done = w.wait_for_end(submitted->id);
  EXPECT_EQ(done.state, "ERROR");
  EXPECT_TRUE(contains(done.app_diagnostic, "SPARK_HOME")) << done.app_diagnostic;
}

}  // namespace
}  // namespace kitsune::testing
