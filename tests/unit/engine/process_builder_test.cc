// Golden command lines of the external engine launchers, against the examples of Kyuubi's process
// builders (../shared/reference/kyuubi-compat.md section 2), and how secrets stay off them.
#include "kitsune/engine/process_builder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "kitsune/routing/engine_key.h"

namespace kitsune::engine {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kRef = "8f1c6a52-3d4e-4b7a-9c0e-2f6b1d9a7e34";
constexpr std::string_view kVersion = "1.13.0-SNAPSHOT";
constexpr std::string_view kAppMgrInfo =
    "eyJyZXNvdXJjZU1hbmFnZXIiOm51bGwsImt1YmVybmV0ZXNJbmZvIjp7ImNvbnRleHQiOm51bGwsIm5hbWVzcGFjZSI6"
    "bnVsbH19";

void touch(const fs::path& file, const std::string& text = "") {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

class ProcessBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kitsune-builder-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    kyuubi_home_ = root_ / "kyuubi";
    spark_home_ = root_ / "spark";
    work_root_ = root_ / "work";
    fs::create_directories(spark_home_ / "bin");
    spark_jar_ = kyuubi_home_ / "externals/engines/spark" /
                 ("kyuubi-spark-sql-engine_2.12-" + std::string(kVersion) + ".jar");
    touch(spark_jar_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // The engine key of alice's session at `level`, as the gateway computes it.
  routing::EngineKey key_of(routing::ShareLevel level, const std::string& type,
                            const std::string& user = "alice") {
    routing::EngineKey key;
    key.server_space = "kyuubi";
    key.version = std::string(kVersion);
    key.level = level;
    key.engine_type = type;
    key.session_user = user;
    key.routing_user = user;
    key.subdomain = "default";
    key.ref_id = std::string(kRef);
    return key;
  }

  // Kyuubi's example: the conf of a session of alice from the Kyuubi JDBC driver at 10.0.0.21.
  LaunchRequest request_of(const routing::EngineKey& key) {
    LaunchRequest r;
    r.engine_type = key.engine_type;
    r.user = key.routing_user;
    r.ref_id = key.ref_id;
    r.engine_name = key.engine_name();
    r.work_dir = work_root_ / key.routing_user;
    r.conf = {
        {"kyuubi.client.ipAddress", "10.0.0.21"},
        {"kyuubi.client.version", std::string(kVersion)},
        {"kyuubi.engine.appMgrInfo", std::string(kAppMgrInfo)},
        {"kyuubi.engine.submit.time", "1767225600000"},
        {"kyuubi.ha.addresses", "zk1:2181,zk2:2181,zk3:2181"},
        {"kyuubi.ha.engine.ref.id", key.ref_id},
        {"kyuubi.ha.namespace", key.engine_space()},
        {"kyuubi.server.ipAddress", "10.0.0.11"},
        {"kyuubi.session.connection.url", "kyuubi-1.example.com:10009"},
        {"kyuubi.session.real.user", "alice"},
    };
    return r;
  }

  LaunchContext context_of(const LaunchRequest& r, std::string_view type) {
    LaunchContext ctx;
    ctx.env = {{"SPARK_HOME", spark_home_.string()}, {"PATH", "/usr/bin:/bin"}};
    ctx.kyuubi_home = kyuubi_home_;
    ctx.kyuubi_version = std::string(kVersion);
    ctx.log_path = r.work_dir / (std::string(engine_log_prefix(type)) + ".0");
    ctx.private_dir = r.work_dir / ".kitsune-private";
    return ctx;
  }

  // "--conf a=b" pairs and other args as one line, for readable failures.
  static std::string line(const std::vector<std::string>& args) {
    std::string out;
    for (const auto& a : args)
      out += (out.empty() ? "" : " ") + a;
    return out;
  }

  config::Redactor redactor_{"(?i)secret|password|token|access[.]key"};
  fs::path root_, kyuubi_home_, spark_home_, work_root_, spark_jar_;
};

TEST_F(ProcessBuilderTest, SparkUserLevelMatchesKyuubisExampleArgumentForArgument) {
  const auto key = key_of(routing::ShareLevel::kUser, "SPARK_SQL");
  ASSERT_EQ(key.engine_space(), "/kyuubi_1.13.0-SNAPSHOT_USER_SPARK_SQL/alice/default");
  const LaunchRequest r = request_of(key);
  const LaunchContext ctx = context_of(r, "SPARK_SQL");
  auto command = build_spark_command(r, ctx, redactor_);
  ASSERT_TRUE(command) << command.status().message();
  EXPECT_EQ(command->executable, spark_home_ / "bin" / "spark-submit");
  const std::string log = (work_root_ / "alice" / "kyuubi-spark-sql-engine.log.0").string();
  const std::vector<std::string> expected{
      "--class",
      "org.apache.kyuubi.engine.spark.SparkSQLEngine",
      "--conf",
      "spark.kyuubi.client.ipAddress=10.0.0.21",
      "--conf",
      "spark.kyuubi.client.version=1.13.0-SNAPSHOT",
      "--conf",
      "spark.kyuubi.engine.appMgrInfo=" + std::string(kAppMgrInfo),
      "--conf",
      "spark.kyuubi.engine.engineLog.path=" + log,
      "--conf",
      "spark.kyuubi.engine.submit.time=1767225600000",
      "--conf",
      "spark.kyuubi.ha.addresses=zk1:2181,zk2:2181,zk3:2181",
      "--conf",
      "spark.kyuubi.ha.engine.ref.id=8f1c6a52-3d4e-4b7a-9c0e-2f6b1d9a7e34",
      "--conf",
      "spark.kyuubi.ha.namespace=/kyuubi_1.13.0-SNAPSHOT_USER_SPARK_SQL/alice/default",
      "--conf",
      "spark.kyuubi.server.ipAddress=10.0.0.11",
      "--conf",
      "spark.kyuubi.session.connection.url=kyuubi-1.example.com:10009",
      "--conf",
      "spark.kyuubi.session.real.user=alice",
      "--conf",
      "spark.app.name=kyuubi_USER_SPARK_SQL_alice_default_8f1c6a52-3d4e-4b7a-9c0e-2f6b1d9a7e34",
      "--conf",
      "spark.kubernetes.driver.label.kyuubi-unique-tag=8f1c6a52-3d4e-4b7a-9c0e-2f6b1d9a7e34",
      "--conf",
      "spark.yarn.tags=KYUUBI,8f1c6a52-3d4e-4b7a-9c0e-2f6b1d9a7e34",
      "--proxy-user",
      "alice",
      spark_jar_.string(),
  };
  EXPECT_EQ(line(command->args), line(expected));
  EXPECT_TRUE(command->private_files.empty());
  EXPECT_EQ(command->env.at("SPARK_HOME"), spark_home_.string());
}

TEST_F(ProcessBuilderTest, SparkOnYarnDropsTheKubernetesLabelAndAddsYarnSettings) {
  touch(spark_home_ / "conf" / "spark-defaults.conf", "spark.master  yarn\n");
  const LaunchRequest r = request_of(key_of(routing::ShareLevel::kUser, "SPARK_SQL"));
  auto command = build_spark_command(r, context_of(r, "SPARK_SQL"), redactor_);
  ASSERT_TRUE(command) << command.status().message();
  const std::string args = line(command->args);
  EXPECT_EQ(args.find("spark.kubernetes.driver.label"), std::string::npos) << args;
  const std::string ref(kRef);
  EXPECT_NE(args.find("--conf spark.yarn.maxAppAttempts=1 --conf "
                      "spark.yarn.submit.waitAppCompletion=true --conf spark.yarn.tags=KYUUBI," +
                      ref + " --proxy-user alice"),
            std::string::npos)
      << args;
  // spark.master itself stays in spark-defaults.conf, where spark-submit reads it.
  EXPECT_EQ(args.find("spark.master"), std::string::npos) << args;
}

TEST_F(ProcessBuilderTest, SparkOnKubernetesIsLabelledAndNamedAfterTheRefId) {
  LaunchRequest r = request_of(key_of(routing::ShareLevel::kUser, "SPARK_SQL"));
  r.conf.emplace_back("spark.master", "k8s://https://10.0.0.1:6443");
  r.conf.emplace_back("spark.submit.deployMode", "cluster");
  auto command = build_spark_command(r, context_of(r, "SPARK_SQL"), redactor_);
  ASSERT_TRUE(command) << command.status().message();
  const std::string args = line(command->args);
  const std::string ref(kRef);
  for (const std::string& want : std::vector<std::string>{
           "spark.kubernetes.driver.label.kyuubi-unique-tag=" + ref,
           "spark.kubernetes.submission.waitAppCompletion=true",
           "spark.kubernetes.executor.podNamePrefix=kyuubi-" + ref,
           "spark.kubernetes.driver.pod.name=kyuubi-" + ref + "-driver",
           "spark.kubernetes.driverEnv.SPARK_USER_NAME=alice",
           "spark.executorEnv.SPARK_USER_NAME=alice", "spark.master=k8s://https://10.0.0.1:6443"}) {
    EXPECT_NE(args.find("--conf " + want), std::string::npos) << want << " in " << args;
  }
  EXPECT_EQ(args.find("spark.yarn.tags"), std::string::npos) << args;
}

TEST_F(ProcessBuilderTest, SparkConnectionLevelNamesTheEngineAfterTheSession) {
  const auto key = key_of(routing::ShareLevel::kConnection, "SPARK_SQL");
  const LaunchRequest r = request_of(key);
  auto command = build_spark_command(r, context_of(r, "SPARK_SQL"), redactor_);
  ASSERT_TRUE(command) << command.status().message();
  const std::string args = line(command->args);
  const std::string ref(kRef);
  EXPECT_NE(args.find("--conf spark.kyuubi.ha.namespace=/kyuubi_1.13.0-SNAPSHOT_CONNECTION_"
                      "SPARK_SQL/alice/" +
                      ref),
            std::string::npos)
      << args;
  EXPECT_NE(args.find("--conf spark.app.name=kyuubi_CONNECTION_SPARK_SQL_alice_" + ref),
            std::string::npos)
      << args;
}

TEST_F(ProcessBuilderTest, SparkProxyUserIsTheSessionUserAndNotTheRealUser) {
  // alice, allowed to proxy, opened a session for bob: the engine is bob's.
  LaunchRequest r = request_of(key_of(routing::ShareLevel::kUser, "SPARK_SQL", "bob"));
  auto command = build_spark_command(r, context_of(r, "SPARK_SQL"), redactor_);
  ASSERT_TRUE(command) << command.status().message();
  const std::string args = line(command->args);
  EXPECT_NE(args.find("--conf spark.kyuubi.session.real.user=alice"), std::string::npos);
  EXPECT_NE(args.find("--proxy-user bob " + spark_jar_.string()), std::string::npos) << args;

  r.do_as = false;  // kyuubi.engine.doAs.enabled=false: the server's own user runs it
  command = build_spark_command(r, context_of(r, "SPARK_SQL"), redactor_);
  ASSERT_TRUE(command);
  EXPECT_EQ(line(command->args).find("--proxy-user"), std::string::npos);
}

TEST_F(ProcessBuilderTest, SparkWithTheUsersOwnKeytabNeedsNoProxyUser) {
  LaunchRequest r = request_of(key_of(routing::ShareLevel::kUser, "SPARK_SQL"));
  r.conf.emplace_back("spark.kerberos.keytab", "/etc/security/alice.keytab");
  r.conf.emplace_back("spark.kerberos.principal", "alice/gw.example.com@EXAMPLE.COM");
  auto command = build_spark_command(r, context_of(r, "SPARK_SQL"), redactor_);
  ASSERT_TRUE(command) << command.status().message();
  std::string args = line(command->args);
  EXPECT_EQ(args.find("--proxy-user"), std::string::npos) << args;
  EXPECT_NE(args.find("--conf spark.kerberos.keytab=/etc/security/alice.keytab"),
            std::string::npos);
  EXPECT_NE(args.find("--conf spark.kerberos.principal=alice/gw.example.com@EXAMPLE.COM"),
            std::string::npos);

  // Somebody else's keytab does not make the engine alice's: it is impersonated as usual.
  r.conf.back().second = "etl@EXAMPLE.COM";
  command = build_spark_command(r, context_of(r, "SPARK_SQL"), redactor_);
  ASSERT_TRUE(command);
  args = line(command->args);
  EXPECT_NE(args.find("--proxy-user alice"), std::string::npos) << args;
}

TEST_F(ProcessBuilderTest, GovernancePluginsFromTheDefaultsReachSparkSubmit) {
  // What kyuubi-defaults.conf sets (docs/governance.md): the Ranger extension and OpenLineage.
  LaunchRequest r = request_of(key_of(routing::ShareLevel::kUser, "SPARK_SQL"));
  r.conf.emplace_back("spark.sql.extensions",
                      "org.apache.kyuubi.plugin.spark.authz.ranger.RangerSparkExtension");
  r.conf.emplace_back("spark.extraListeners",
                      "io.openlineage.spark.agent.OpenLineageSparkListener");
  r.conf.emplace_back("spark.openlineage.transport.type", "http");
  r.conf.emplace_back("spark.openlineage.transport.url", "http://marquez:5000");
  r.conf.emplace_back("hadoop.security.group.mapping", "ldap");
  auto command = build_spark_command(r, context_of(r, "SPARK_SQL"), redactor_);
  ASSERT_TRUE(command) << command.status().message();
  const std::string args = line(command->args);
  for (const std::string want :
       {"spark.sql.extensions=org.apache.kyuubi.plugin.spark.authz.ranger.RangerSparkExtension",
        "spark.extraListeners=io.openlineage.spark.agent.OpenLineageSparkListener",
        "spark.openlineage.transport.type=http",
        "spark.openlineage.transport.url=http://marquez:5000",
        // hadoop.* keys reach Spark's Hadoop configuration.
        "spark.hadoop.hadoop.security.group.mapping=ldap"}) {
    EXPECT_NE(args.find("--conf " + want), std::string::npos) << want << " in " << args;
  }
}

TEST_F(ProcessBuilderTest, SparkSecretsGoToAPrivatePropertiesFileWithSparkDefaults) {
  touch(spark_home_ / "conf" / "spark-defaults.conf", "spark.executor.memory 4g\n");
  LaunchRequest r = request_of(key_of(routing::ShareLevel::kUser, "SPARK_SQL"));
  r.conf.emplace_back("spark.hadoop.fs.s3a.secret.key", "s3-Secret-Value");
  r.conf.emplace_back("kyuubi.engine.trino.connection.password", "unused-Password");
  const LaunchContext ctx = context_of(r, "SPARK_SQL");
  auto command = build_spark_command(r, ctx, redactor_);
  ASSERT_TRUE(command) << command.status().message();
  const std::string args = line(command->args);
  EXPECT_EQ(args.find("s3-Secret-Value"), std::string::npos) << args;
  EXPECT_EQ(args.find("unused-Password"), std::string::npos) << args;
  const fs::path file = ctx.private_dir / (std::string(kRef) + ".spark.properties");
  EXPECT_NE(args.find("--properties-file " + file.string() + " --proxy-user alice"),
            std::string::npos)
      << args;
  ASSERT_EQ(command->private_files.size(), 1u);
  EXPECT_EQ(command->private_files[0].path, file);
  const std::string& text = command->private_files[0].content;
  EXPECT_NE(text.find("spark.executor.memory 4g"), std::string::npos) << text;
  EXPECT_NE(text.find("spark.hadoop.fs.s3a.secret.key=s3-Secret-Value\n"), std::string::npos);
  EXPECT_NE(text.find("spark.kyuubi.engine.trino.connection.password=unused-Password\n"),
            std::string::npos);

  const std::string shown = describe_command(*command, redactor_);
  EXPECT_EQ(shown.find("Secret-Value"), std::string::npos) << shown;
  EXPECT_NE(shown.find("spark.hadoop.fs.s3a.secret.key"), std::string::npos) << shown;
}

TEST_F(ProcessBuilderTest, DescribeRedactsSecretArgumentsAndQuotesForAShell) {
  EngineCommand command;
  command.executable = "/opt/spark/bin/spark-submit";
  command.args = {"--conf", "spark.password=hunter2", "-Dmy.token=abc", "--conf", "a b=c"};
  const std::string shown = describe_command(command, redactor_);
  EXPECT_EQ(shown,
            "/opt/spark/bin/spark-submit --conf 'spark.password=*********(redacted)' "
            "'-Dmy.token=*********(redacted)' --conf 'a b=c'");
}

TEST_F(ProcessBuilderTest, SparkWithoutSparkHomeOrJarFailsWithKyuubisMessages) {
  LaunchRequest r = request_of(key_of(routing::ShareLevel::kUser, "SPARK_SQL"));
  LaunchContext ctx = context_of(r, "SPARK_SQL");
  ctx.env.erase("SPARK_HOME");
  auto command = build_spark_command(r, ctx, redactor_);
  ASSERT_FALSE(command);
  EXPECT_NE(command.status().message().find("SPARK_HOME is not set!"), std::string::npos);

  ctx = context_of(r, "SPARK_SQL");
  fs::remove(spark_jar_);
  command = build_spark_command(r, ctx, redactor_);
  ASSERT_FALSE(command);
  EXPECT_NE(command.status().message().find("kyuubi-spark-sql-engine_2.12-1.13.0-SNAPSHOT.jar"),
            std::string::npos)
      << command.status().message();

  r.conf.emplace_back("kyuubi.session.engine.spark.main.resource", "hdfs:///jars/engine.jar");
  command = build_spark_command(r, ctx, redactor_);
  ASSERT_TRUE(command) << command.status().message();
  EXPECT_EQ(command->args.back(), "hdfs:///jars/engine.jar");
}

TEST_F(ProcessBuilderTest, SparkScalaVersionComesFromSparkCoreJar) {
  touch(spark_home_ / "jars" / "spark-core_2.13-3.5.1.jar");
  const fs::path jar213 = kyuubi_home_ / "externals/engines/spark" /
                          ("kyuubi-spark-sql-engine_2.13-" + std::string(kVersion) + ".jar");
  touch(jar213);
  const LaunchRequest r = request_of(key_of(routing::ShareLevel::kUser, "SPARK_SQL"));
  auto command = build_spark_command(r, context_of(r, "SPARK_SQL"), redactor_);
  ASSERT_TRUE(command) << command.status().message();
  EXPECT_EQ(command->args.back(), jar213.string());
}

class JavaEngineBuilderTest : public ProcessBuilderTest {
 protected:
  void SetUp() override {
    ProcessBuilderTest::SetUp();
    java_home_ = root_ / "jdk";
    flink_home_ = root_ / "flink";
    hive_home_ = root_ / "hive";
    for (const char* m : {"flink/kyuubi-flink-sql-engine", "trino/kyuubi-trino-engine",
                          "hive/kyuubi-hive-sql-engine"}) {
      touch(kyuubi_home_ / "externals/engines" / (std::string(m) + "_2.12-1.13.0-SNAPSHOT.jar"));
    }
    touch(flink_home_ / "opt" / "flink-sql-client-1.17.2.jar");
    touch(flink_home_ / "opt" / "flink-sql-gateway-1.17.2.jar");
    touch(flink_home_ / "opt" / "flink-python-1.17.2.jar");
    fs::create_directories(hive_home_ / "lib");
  }

  LaunchContext java_context(const LaunchRequest& r, std::string_view type) {
    LaunchContext ctx = context_of(r, type);
    ctx.env["JAVA_HOME"] = java_home_.string();
    ctx.env["FLINK_HOME"] = flink_home_.string();
    ctx.env["HIVE_HOME"] = hive_home_.string();
    return ctx;
  }

  std::string jar(std::string_view short_name, std::string_view module) {
    return (kyuubi_home_ / "externals/engines" / std::string(short_name) /
            (std::string(module) + "_2.12-1.13.0-SNAPSHOT.jar"))
        .string();
  }

  fs::path java_home_, flink_home_, hive_home_;
};

TEST_F(JavaEngineBuilderTest, FlinkLocalModeRunsTheEngineInAJvmOnThisHost) {
  LaunchRequest r = request_of(key_of(routing::ShareLevel::kUser, "FLINK_SQL"));
  r.conf.emplace_back("kyuubi.engine.flink.java.options", "-XX:+UseG1GC -Dx='a b'");
  auto command = build_flink_command(r, java_context(r, "FLINK_SQL"), redactor_);
  ASSERT_TRUE(command) << command.status().message();
  EXPECT_EQ(command->executable, java_home_ / "bin" / "java");
  const std::string cp = jar("flink", "kyuubi-flink-sql-engine") + ":" +
                         (flink_home_ / "opt/flink-sql-client-1.17.2.jar").string() + ":" +
                         (flink_home_ / "opt/flink-sql-gateway-1.17.2.jar").string() + ":" +
                         (flink_home_ / "lib/*").string() + ":" + (flink_home_ / "conf").string();
  std::vector<std::string> expected{"-Xmx1g",  "-XX:+UseG1GC",
                                    "-Dx=a b", "-cp",
                                    cp,        "org.apache.kyuubi.engine.flink.FlinkSQLEngine",
                                    "--conf",  "kyuubi.session.user=alice"};
  std::vector<std::pair<std::string, std::string>> confs = r.conf;
  confs.emplace_back("flink.app.name", r.engine_name);
  std::sort(confs.begin(), confs.end());
  for (const auto& [k, v] : confs) {
    expected.push_back("--conf");
    expected.push_back(k + "=" + v);
  }
  EXPECT_EQ(line(command->args), line(expected));
  EXPECT_EQ(command->env.at("FLINK_CONF_DIR"), (flink_home_ / "conf").string());
  EXPECT_EQ(command->env.count("HADOOP_PROXY_USER"), 0u);
}

TEST_F(JavaEngineBuilderTest, FlinkYarnApplicationSubmitsWithTagsAndDynamicProperties) {
  LaunchRequest r = request_of(key_of(routing::ShareLevel::kUser, "FLINK_SQL"));
  r.conf.emplace_back("flink.execution.target", "yarn-application");
  r.conf.emplace_back("flink.taskmanager.memory.process.size", "2g");
  r.conf.emplace_back("kyuubi.engine.flink.doAs.enabled", "true");
  auto command = build_flink_command(r, java_context(r, "FLINK_SQL"), redactor_);
  ASSERT_TRUE(command) << command.status().message();
  EXPECT_EQ(command->executable, flink_home_ / "bin" / "flink");
  const std::string args = line(command->args);
  const std::string ship = (flink_home_ / "opt/flink-sql-client-1.17.2.jar").string() + ";" +
                           (flink_home_ / "opt/flink-sql-gateway-1.17.2.jar").string();
  const std::string prefix = "run-application -t yarn-application -Dyarn.ship-files=" + ship +
                             " -Dyarn.application.name=" + r.engine_name + " -Dyarn.tags=KYUUBI," +
                             std::string(kRef) + " -Dcontainerized.master.env.FLINK_CONF_DIR=.";
  EXPECT_TRUE(args.starts_with(prefix)) << args;
  EXPECT_NE(args.find(" -Dexecution.target=yarn-application"), std::string::npos) << args;
  EXPECT_NE(args.find(" -Dtaskmanager.memory.process.size=2g"), std::string::npos) << args;
  EXPECT_NE(args.find(" -c org.apache.kyuubi.engine.flink.FlinkSQLEngine " +
                      jar("flink", "kyuubi-flink-sql-engine") +
                      " --conf kyuubi.session.user=alice --conf kyuubi.client.ipAddress="),
            std::string::npos)
      << args;
  EXPECT_EQ(command->env.at("HADOOP_PROXY_USER"), "alice");
}

TEST_F(JavaEngineBuilderTest, TrinoNeedsItsCoordinatorAndRunsInAJvm) {
  LaunchRequest r = request_of(key_of(routing::ShareLevel::kUser, "TRINO"));
  auto missing = build_trino_command(r, java_context(r, "TRINO"), redactor_);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.status().message().find("kyuubi.session.engine.trino.connection.url"),
            std::string::npos);

  r.conf.emplace_back("kyuubi.session.engine.trino.connection.url", "http://trino:8080");
  r.conf.emplace_back("kyuubi.session.engine.trino.connection.catalog", "hive");
  r.conf.emplace_back("kyuubi.engine.trino.memory", "2g");
  auto command = build_trino_command(r, java_context(r, "TRINO"), redactor_);
  ASSERT_TRUE(command) << command.status().message();
  const std::string engine_jar = jar("trino", "kyuubi-trino-engine");
  const std::string args = line(command->args);
  EXPECT_TRUE(args.starts_with("-Xmx2g -cp " + engine_jar + ":" +
                               fs::path(engine_jar).parent_path().string() +
                               "/* org.apache.kyuubi.engine.trino.TrinoSqlEngine --conf "
                               "kyuubi.session.user=alice --conf kyuubi.client.ipAddress="))
      << args;
  EXPECT_NE(args.find("--conf kyuubi.session.engine.trino.connection.catalog=hive"),
            std::string::npos);
}

TEST_F(JavaEngineBuilderTest, JvmEngineSecretsGoToAPrivateArgumentFile) {
  LaunchRequest r = request_of(key_of(routing::ShareLevel::kUser, "TRINO"));
  r.conf.emplace_back("kyuubi.session.engine.trino.connection.url", "https://trino:8443");
  r.conf.emplace_back("kyuubi.session.engine.trino.connection.catalog", "hive");
  r.conf.emplace_back("kyuubi.engine.trino.connection.password", "Trino \"Pass\" word");
  const LaunchContext ctx = java_context(r, "TRINO");
  auto command = build_trino_command(r, ctx, redactor_);
  ASSERT_TRUE(command) << command.status().message();
  const std::string args = line(command->args);
  EXPECT_EQ(args.find("Pass"), std::string::npos) << args;
  const fs::path file = ctx.private_dir / (std::string(kRef) + ".args");
  EXPECT_TRUE(args.ends_with(" @" + file.string())) << args;
  ASSERT_EQ(command->private_files.size(), 1u);
  const std::string& text = command->private_files[0].content;
  EXPECT_TRUE(
      text.starts_with("\"org.apache.kyuubi.engine.trino.TrinoSqlEngine\"\n\"--conf\"\n"
                       "\"kyuubi.session.user=alice\"\n"))
      << text;
  EXPECT_NE(text.find("\"kyuubi.engine.trino.connection.password=Trino \\\"Pass\\\" word\"\n"),
            std::string::npos)
      << text;
}

TEST_F(JavaEngineBuilderTest, HiveLocalModePassesTheEngineIdAndChecksTheKeytabRule) {
  LaunchRequest r = request_of(key_of(routing::ShareLevel::kUser, "HIVE_SQL"));
  LaunchContext ctx = java_context(r, "HIVE_SQL");
  ctx.env["HADOOP_CONF_DIR"] = "/etc/hadoop/conf";
  auto command = build_hive_command(r, ctx, redactor_);
  ASSERT_TRUE(command) << command.status().message();
  const std::string args = line(command->args);
  EXPECT_TRUE(args.starts_with("-Xmx1g -cp " + jar("hive", "kyuubi-hive-sql-engine") + ":" +
                               (hive_home_ / "conf").string() +
                               ":/etc/hadoop/conf:" + (hive_home_ / "lib/*").string() +
                               " org.apache.kyuubi.engine.hive.HiveSQLEngine --conf "
                               "kyuubi.session.user=alice --conf kyuubi.engine.id=" +
                               std::string(kRef) + " --conf hive.engine.name=" + r.engine_name +
                               " --conf kyuubi.client.ipAddress="))
      << args;

  r.conf.emplace_back("kyuubi.engine.principal", "bob@EXAMPLE.COM");
  auto refused = build_hive_command(r, ctx, redactor_);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.status().message().find("must be set together"), std::string::npos);
  r.conf.emplace_back("kyuubi.engine.keytab", "/etc/bob.keytab");
  refused = build_hive_command(r, ctx, redactor_);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.status().message().find("is not the user alice"), std::string::npos)
      << refused.status().message();

  r.conf.emplace_back("kyuubi.engine.hive.deploy.mode", "YARN");
  refused = build_hive_command(r, ctx, redactor_);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.status().message().find("deploy.mode=YARN"), std::string::npos);
}

TEST_F(JavaEngineBuilderTest, JvmEnginesNeedJavaHome) {
  LaunchRequest r = request_of(key_of(routing::ShareLevel::kUser, "FLINK_SQL"));
  LaunchContext ctx = java_context(r, "FLINK_SQL");
  ctx.env.erase("JAVA_HOME");
  auto command = build_flink_command(r, ctx, redactor_);
  ASSERT_FALSE(command);
  EXPECT_NE(command.status().message().find("JAVA_HOME is not set!"), std::string::npos);
}

}  // namespace
}  // namespace kitsune::engine
