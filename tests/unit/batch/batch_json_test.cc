// The REST API's JSON forms of a batch and a batch request, with Kyuubi's field names.
#include <gtest/gtest.h>

#include "kitsune/batch/batch_manager.h"

namespace kitsune::batch {
namespace {

using json = nlohmann::json;

TEST(BatchJson, ABatchHasKyuubisFieldsAndNullsForWhatIsUnknown) {
  Batch b;
  b.id = "6a1f0a53-8d3e-4a5c-9b7e-000000000001";
  b.user = "alice";
  b.batch_type = "SPARK";
  b.kyuubi_instance = "gw:10099";
  b.state = "PENDING";
  b.create_time = 1700000000000;
  const json j = to_json(b);
  EXPECT_EQ(j, json::parse(R"({
    "id": "6a1f0a53-8d3e-4a5c-9b7e-000000000001", "user": "alice", "batchType": "SPARK",
    "name": null, "appStartTime": 0, "appId": null, "appUrl": null, "appState": null,
    "appDiagnostic": null, "kyuubiInstance": "gw:10099", "state": "PENDING",
    "createTime": 1700000000000, "endTime": 0, "batchInfo": {}})"));

  b.name = "nightly";
  b.app_id = "application_1_0001";
  b.app_state = "RUNNING";
  b.batch_info["kyuubi.batch.duplicated"] = "true";
  const json k = to_json(b);
  EXPECT_EQ(k["name"], "nightly");
  EXPECT_EQ(k["appId"], "application_1_0001");
  EXPECT_EQ(k["appState"], "RUNNING");
  EXPECT_EQ(k["batchInfo"]["kyuubi.batch.duplicated"], "true");
}

TEST(BatchJson, ARequestReadsEveryField) {
  auto r = batch_request_from_json(json::parse(R"({
    "batchType": "spark", "resource": "hdfs:///jobs/etl.jar", "className": "org.example.Etl",
    "name": "nightly", "conf": {"spark.executor.cores": 4, "spark.dynamicAllocation.enabled": true,
    "spark.master": "yarn", "dropped": null},
    "args": ["--day", "2024-01-01", 7],
    "extraResourcesMap": {"spark.jars": "a,b"}, "unknownField": 1})"));
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->batch_type, "spark");
  EXPECT_EQ(r->resource, "hdfs:///jobs/etl.jar");
  EXPECT_EQ(r->class_name, "org.example.Etl");
  EXPECT_EQ(r->name, "nightly");
  EXPECT_EQ(r->conf,
            (std::map<std::string, std::string>{{"spark.executor.cores", "4"},
                                                {"spark.dynamicAllocation.enabled", "true"},
                                                {"spark.master", "yarn"}}));
  EXPECT_EQ(r->args, (std::vector<std::string>{"--day", "2024-01-01", "7"}));
  EXPECT_EQ(r->extra_resources.at("spark.jars"), "a,b");
}

TEST(BatchJson, ARequestWithMissingOrNullFieldsIsEmptyThere) {
  auto r = batch_request_from_json(json::parse(R"({"batchType": "SQL", "className": null})"));
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->batch_type, "SQL");
  EXPECT_TRUE(r->resource.empty());
  EXPECT_TRUE(r->class_name.empty());
  EXPECT_TRUE(r->conf.empty());
  EXPECT_TRUE(r->args.empty());
}

TEST(BatchJson, AFieldOfTheWrongTypeIsNamed) {
  for (const auto& [body, field] : std::vector<std::pair<const char*, const char*>>{
           {R"({"batchType": 1})", "batchType"},
           {R"({"resource": ["a"]})", "resource"},
           {R"({"conf": []})", "conf"},
           {R"({"conf": {"a": {"b": 1}}})", "conf.a"},
           {R"({"args": "--day"})", "args"},
           {R"({"args": [[1]]})", "args"},
           {R"({"extraResourcesMap": "x"})", "extraResourcesMap"},
       }) {
    auto r = batch_request_from_json(json::parse(body));
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.status().code(), StatusCode::kError);
    EXPECT_NE(r.status().message().find(field), std::string::npos) << r.status().message();
  }
  EXPECT_FALSE(batch_request_from_json(json::parse("[1, 2]")));
}

}  // namespace
}  // namespace kitsune::batch
