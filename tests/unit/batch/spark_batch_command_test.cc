// The spark-submit command of a Spark batch (Kyuubi's SparkBatchProcessBuilder): argument for
// argument, with tags by cluster manager and secrets in a private properties file.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "kitsune/engine/spark_batch.h"

namespace kitsune::engine {
namespace {

namespace fs = std::filesystem;
using V = std::vector<std::string>;

constexpr const char* kId = "8f1c6a52-3d4e-4b7a-9c0e-2f6b1d9a7e34";

class SparkBatchCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kitsune-spark-batch-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::create_directories(root_ / "spark" / "bin");
    fs::create_directories(root_ / "spark" / "conf");
  }
  void TearDown() override { fs::remove_all(root_); }

  SparkBatchRequest request() const {
    SparkBatchRequest r;
    r.batch_id = kId;
    r.user = "alice";
    r.name = "nightly";
    r.resource = "hdfs:///jobs/etl.jar";
    r.class_name = "org.example.Etl";
    r.conf = {{"spark.executor.memory", "2g"}, {"kyuubi.batch.id", kId}};
    r.args = {"--day", "2024-01-01"};
    return r;
  }
  LaunchContext context() const {
    LaunchContext ctx;
    ctx.env = {{"SPARK_HOME", (root_ / "spark").string()}};
    ctx.log_path = root_ / "work" / "alice" / "batch.log";
    ctx.private_dir = root_ / "work" / "alice" / ".kitsune-private";
    return ctx;
  }

  fs::path root_;
  config::Redactor redactor_{"(?i)secret|password|token|access[.]key"};
};

TEST_F(SparkBatchCommand, IsKyuubisSparkSubmitArgumentForArgument) {
  auto command = build_spark_batch_command(request(), context(), redactor_);
  ASSERT_TRUE(command) << command.status().message();
  EXPECT_EQ(command->executable, root_ / "spark" / "bin" / "spark-submit");
  const std::string log = (root_ / "work" / "alice" / "batch.log").string();
  EXPECT_EQ(command->args,
            (V{"--class", "org.example.Etl",
               // Sorted by the key before it is mapped: kyuubi.* first.
               "--conf", std::string("spark.kyuubi.batch.id=") + kId, "--conf",
               "spark.kyuubi.engine.engineLog.path=" + log, "--conf", "spark.app.name=nightly",
               "--conf", "spark.executor.memory=2g", "--conf",
               std::string("spark.kubernetes.driver.label.kyuubi-unique-tag=") + kId, "--conf",
               std::string("spark.yarn.tags=KYUUBI,") + kId, "--proxy-user", "alice",
               "hdfs:///jobs/etl.jar", "--day", "2024-01-01"}));
  EXPECT_TRUE(command->private_files.empty());
}

TEST_F(SparkBatchCommand, TheMasterDecidesTheTagsAndTheNameWinsOverSparkAppName) {
  SparkBatchRequest r = request();
  r.conf.emplace_back("spark.master", "yarn");
  r.conf.emplace_back("spark.app.name", "from-conf");
  r.conf.emplace_back("spark.yarn.tags", "team-a");
  auto yarn = build_spark_batch_command(r, context(), redactor_);
  ASSERT_TRUE(yarn);
  const V& a = yarn->args;
  EXPECT_NE(std::find(a.begin(), a.end(), std::string("spark.yarn.tags=team-a,KYUUBI,") + kId),
            a.end());
  EXPECT_NE(std::find(a.begin(), a.end(), "spark.app.name=nightly"), a.end());
  for (const auto& arg : a)
    EXPECT_EQ(arg.find("kyuubi-unique-tag"), std::string::npos) << arg;

  r = request();
  r.conf.emplace_back("spark.master", "k8s://https://kube:6443");
  r.conf.emplace_back("spark.submit.deployMode", "cluster");
  auto k8s = build_spark_batch_command(r, context(), redactor_);
  ASSERT_TRUE(k8s);
  const V& b = k8s->args;
  EXPECT_NE(std::find(b.begin(), b.end(),
                      std::string("spark.kubernetes.driver.pod.name=kyuubi-") + kId + "-driver"),
            b.end());
  for (const auto& arg : b)
    EXPECT_EQ(arg.find("spark.yarn.tags"), std::string::npos) << arg;
}

TEST_F(SparkBatchCommand, WithoutAClassOrDoAsThoseArgumentsAreLeftOut) {
  SparkBatchRequest r = request();
  r.class_name.clear();
  r.resource = "/jobs/job.py";
  r.do_as = false;
  auto command = build_spark_batch_command(r, context(), redactor_);
  ASSERT_TRUE(command);
  EXPECT_EQ(command->args.front(), "--conf");
  EXPECT_EQ(std::find(command->args.begin(), command->args.end(), "--proxy-user"),
            command->args.end());
  EXPECT_EQ(command->args[command->args.size() - 3], "/jobs/job.py");
}

TEST_F(SparkBatchCommand, SecretsGoToAPrivatePropertiesFileWithSparkDefaults) {
  std::ofstream(root_ / "spark" / "conf" / "spark-defaults.conf") << "spark.master yarn\n";
  SparkBatchRequest r = request();
  r.conf.emplace_back("spark.hadoop.fs.s3a.secret.key", "s3-secret");
  auto command = build_spark_batch_command(r, context(), redactor_);
  ASSERT_TRUE(command);
  for (const auto& arg : command->args)
    EXPECT_EQ(arg.find("s3-secret"), std::string::npos) << arg;
  ASSERT_EQ(command->private_files.size(), 1u);
  const PrivateFile& file = command->private_files[0];
  EXPECT_EQ(file.path, root_ / "work" / "alice" / ".kitsune-private" /
                           (std::string(kId) + ".spark.properties"));
  EXPECT_NE(file.content.find("spark.master yarn"), std::string::npos);
  EXPECT_NE(file.content.find("spark.hadoop.fs.s3a.secret.key=s3-secret"), std::string::npos);
  auto at = std::find(command->args.begin(), command->args.end(), "--properties-file");
  ASSERT_NE(at, command->args.end());
  EXPECT_EQ(*(at + 1), file.path.string());
  EXPECT_EQ(command->secret_keys, (V{"spark.hadoop.fs.s3a.secret.key"}));
  // spark-defaults.conf said yarn: tagged for YARN only.
  for (const auto& arg : command->args)
    EXPECT_EQ(arg.find("kyuubi-unique-tag"), std::string::npos) << arg;
}

TEST_F(SparkBatchCommand, NoSparkHomeAndNulCharactersAreRefused) {
  LaunchContext ctx = context();
  ctx.env.clear();
  auto no_home = build_spark_batch_command(request(), ctx, redactor_);
  ASSERT_FALSE(no_home);
  EXPECT_NE(no_home.status().message().find("SPARK_HOME"), std::string::npos);
  SparkBatchRequest r = request();
  r.args.push_back(std::string("a\0b", 3));
  EXPECT_FALSE(build_spark_batch_command(r, context(), redactor_));
  r = request();
  r.conf.emplace_back("bad=key", "v");
  EXPECT_FALSE(build_spark_batch_command(r, context(), redactor_));
}

}  // namespace
}  // namespace kitsune::engine
