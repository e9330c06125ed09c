// Loading a batch's YAML file with yaml-cpp and turning its request into the REST API's JSON.
#include "batch_file.h"

#include <filesystem>

#include <yaml-cpp/yaml.h>

#include "kitsune/common/strings.h"

namespace kitsune::ctl {

namespace {

Status problem(const std::string& path, const std::string& what) {
  return Status::error(path + ": " + what);
}

std::string where(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return "";
  return " (line " + std::to_string(mark.line + 1) + ")";
}

// A plain value (string, number, boolean) as text; nullopt for a mapping or a sequence.
std::optional<std::string> scalar(const YAML::Node& node) {
  if (!node.IsScalar()) return std::nullopt;
  return node.Scalar();
}

// An optional string field of `map`; an error when present but not a plain value.
Result<std::optional<std::string>> optional_text(const std::string& path, const YAML::Node& map,
                                                 const std::string& key, const std::string& shown) {
  const YAML::Node node = map[key];
  if (!node.IsDefined() || node.IsNull()) return std::optional<std::string>();
  auto value = scalar(node);
  if (!value) return problem(path, shown + " must be a plain value" + where(node));
  return std::optional<std::string>(std::move(*value));
}

}  // namespace

Result<BatchFile> load_batch_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return Status::error("Config file does not exist: " + path);
  if (std::filesystem::is_directory(path, ec)) return problem(path, "is a directory");
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return problem(path, "cannot be read");
  } catch (const YAML::Exception& e) {
    return problem(path, "invalid YAML at line " + std::to_string(e.mark.line + 1) + ", column " +
                             std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (!root.IsMap()) {
    return problem(path, "expected a YAML mapping with apiVersion and request");
  }

  BatchFile file;
  auto api_version = optional_text(path, root, "apiVersion", "apiVersion");
  if (!api_version) return std::move(api_version).status();
  if (!*api_version) return problem(path, "apiVersion is missing (expected: apiVersion: v1)");
  if (!iequals(trim(**api_version), "v1")) {
    return problem(path, "apiVersion '" + **api_version + "' is not supported (only v1)");
  }
  for (const auto& [key, target] :
       {std::pair<const char*, std::optional<std::string>*>{"hostUrl", &file.host_url},
        {"authSchema", &file.auth_schema},
        {"username", &file.username},
        {"spnegoHost", &file.spnego_host}}) {
    auto value = optional_text(path, root, key, key);
    if (!value) return std::move(value).status();
    if (*value && !trim(**value).empty()) *target = std::string(trim(**value));
  }
  if (file.auth_schema) {
    *file.auth_schema = to_lower(*file.auth_schema);
    if (*file.auth_schema != "basic" && *file.auth_schema != "spnego") {
      return problem(path, "authSchema '" + *file.auth_schema + "' is not basic or spnego");
    }
  }
  if (root["password"].IsDefined()) {
    file.warnings.push_back(path +
                            ": the password in the file is ignored; give it with --password or "
                            "the KYUUBI_PASSWORD environment variable");
  }

  const YAML::Node request = root["request"];
  if (!request.IsDefined() || request.IsNull()) return problem(path, "request is missing");
  if (!request.IsMap()) return problem(path, "request must be a mapping" + where(request));

  nlohmann::json body = nlohmann::json::object();
  auto batch_type = optional_text(path, request, "batchType", "request.batchType");
  if (!batch_type) return std::move(batch_type).status();
  if (!*batch_type) {
    // kyuubi-ctl reads batchType at the top level of the file.
    batch_type = optional_text(path, root, "batchType", "batchType");
    if (!batch_type) return std::move(batch_type).status();
  }
  if (!*batch_type || trim(**batch_type).empty()) {
    return problem(path, "request.batchType is missing (for example SPARK, PYSPARK or SQL)");
  }
  body["batchType"] = std::string(trim(**batch_type));

  auto resource = optional_text(path, request, "resource", "request.resource");
  if (!resource) return std::move(resource).status();
  if (!*resource || trim(**resource).empty()) {
    return problem(path, "request.resource is missing (the jar, .py or .sql file to run)");
  }
  body["resource"] = std::string(trim(**resource));

  for (const char* key : {"className", "name"}) {
    auto value = optional_text(path, request, key, std::string("request.") + key);
    if (!value) return std::move(value).status();
    if (*value) body[key] = **value;
  }

  nlohmann::json conf = nlohmann::json::object();
  const YAML::Node configs = request["configs"];
  if (configs.IsDefined() && !configs.IsNull()) {
    if (!configs.IsMap()) {
      return problem(path, "request.configs must be a mapping of key: value" + where(configs));
    }
    for (const auto& entry : configs) {
      auto key = scalar(entry.first);
      auto value = entry.second.IsNull() ? std::optional<std::string>("") : scalar(entry.second);
      if (!key || !value) {
        return problem(
            path, "request.configs entries must be plain key: value pairs" + where(entry.first));
      }
      conf[*key] = *value;
    }
  }
  body["conf"] = std::move(conf);

  nlohmann::json args = nlohmann::json::array();
  const YAML::Node arg_list = request["args"];
  if (arg_list.IsDefined() && !arg_list.IsNull()) {
    if (!arg_list.IsSequence()) {
      return problem(path, "request.args must be a list" + where(arg_list));
    }
    for (const auto& arg : arg_list) {
      auto value = scalar(arg);
      if (!value) return problem(path, "request.args must hold plain values" + where(arg));
      args.push_back(*value);
    }
  }
  body["args"] = std::move(args);
  file.request = std::move(body);
  return file;
}

}  // namespace kitsune::ctl
