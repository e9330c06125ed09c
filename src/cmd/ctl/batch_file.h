// The YAML file kyuubi-ctl's create and submit batch read: where the REST server is, how to log
// in (never the password), and the batch request.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kitsune/common/status.h"

namespace kitsune::ctl {

struct BatchFile {
  std::optional<std::string> host_url;
  std::optional<std::string> auth_schema;  // lower-case: basic or spnego
  std::optional<std::string> username;
  std::optional<std::string> spnego_host;
  // The body of POST /api/v1/batches: {batchType, resource, className, name, conf, args}.
  nlohmann::json request;
  // Things worth a warning (a password in the file, which is ignored).
  std::vector<std::string> warnings;
};

// Reads and checks `path`:
//   apiVersion: v1
//   hostUrl, authSchema, username, spnegoHost: optional strings
//   request: {batchType, resource, className, name, configs: {k: v}, args: [...]}
// batchType and resource are required (batchType is also read at the top level, where
// kyuubi-ctl reads it). Fails with a message naming the file and what is wrong in it.
Result<BatchFile> load_batch_file(const std::string& path);

}  // namespace kitsune::ctl
