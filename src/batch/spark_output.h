// What spark-submit's output says about the application it submitted: its id, UI address and
// state, as YARN, Kubernetes and local runs print them.
#pragma once

#include <string>
#include <string_view>

namespace kitsune::batch {

struct SparkAppInfo {
  std::string id;      // application_<ts>_<n>, local-<ts>, spark-<hex>
  std::string url;     // tracking URL or Spark UI
  std::string state;   // PENDING, RUNNING, FINISHED, FAILED, KILLED; empty when nothing said
  bool final = false;  // the cluster reported how the application ended
  bool operator==(const SparkAppInfo&) const = default;
};

// Updates `info` with what the lines of `text` say (the first id seen stays; later states and
// addresses replace earlier ones).
void scan_spark_output(std::string_view text, SparkAppInfo& info);

}  // namespace kitsune::batch
