// What spark-submit prints about its application, read as YARN, Kubernetes and local runs print it.
#include "spark_output.h"

#include <gtest/gtest.h>

namespace kitsune::batch {
namespace {

TEST(SparkOutput, AYarnClientReportGivesTheIdTheTrackingUrlAndTheFinalStatus) {
  SparkAppInfo info;
  scan_spark_output(
      "24/01/01 10:00:00 INFO Client: Submitted application application_1700000000000_0042\n"
      "24/01/01 10:00:01 INFO Client: Application report for application_1700000000000_0042 "
      "(state: ACCEPTED)\n",
      info);
  EXPECT_EQ(info.id, "application_1700000000000_0042");
  EXPECT_EQ(info.state, "PENDING");
  EXPECT_FALSE(info.final);
  scan_spark_output(
      "INFO Client: Application report for application_1700000000000_0042 (state: RUNNING)\n"
      "\t tracking URL: http://rm:8088/proxy/application_1700000000000_0042/\n",
      info);
  EXPECT_EQ(info.state, "RUNNING");
  EXPECT_EQ(info.url, "http://rm:8088/proxy/application_1700000000000_0042/");
  scan_spark_output(
      "INFO Client: Application report for application_1700000000000_0042 (state: FINISHED)\n"
      "\t final status: FAILED\n"
      "INFO Client: Application report for application_1700000000000_0099 (state: RUNNING)\n",
      info);
  EXPECT_EQ(info.state, "FAILED");
  EXPECT_TRUE(info.final);
  EXPECT_EQ(info.id, "application_1700000000000_0042");  // the first id stays
}

TEST(SparkOutput, KubernetesAndLocalRunsGiveWhatTheyPrint) {
  SparkAppInfo k8s;
  scan_spark_output(
      "INFO LoggingPodStatusWatcherImpl: Application status for "
      "spark-0123456789abcdef0123456789abcdef (phase: Running)\n",
      k8s);
  EXPECT_EQ(k8s.id, "spark-0123456789abcdef0123456789abcdef");
  EXPECT_EQ(k8s.state, "RUNNING");
  scan_spark_output("\t phase: Succeeded\n", k8s);
  EXPECT_EQ(k8s.state, "FINISHED");

  SparkAppInfo local;
  scan_spark_output(
      "INFO SparkUI: Bound SparkUI to 0.0.0.0, and started at http://10.0.0.5:4040\n"
      "INFO StandaloneSchedulerBackend: Connected to Spark cluster with app ID "
      "local-1700000000123\n",
      local);
  EXPECT_EQ(local.url, "http://10.0.0.5:4040");
  EXPECT_EQ(local.id, "local-1700000000123");
  EXPECT_TRUE(local.state.empty());
}

TEST(SparkOutput, OtherLinesChangeNothing) {
  SparkAppInfo info;
  scan_spark_output("hello\nERROR something broke\n\n(state: MADE_UP)\n", info);
  EXPECT_EQ(info, SparkAppInfo{});
}

}  // namespace
}  // namespace kitsune::batch
