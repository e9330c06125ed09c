// The REST API's JSON forms of a batch and of a batch request (Kyuubi's DTO field names).
#include "kitsune/batch/batch_manager.h"

namespace kitsune::batch {
namespace {

using json = nlohmann::json;

// Kyuubi's DTOs leave an unknown value out as null, not as an empty string.
json text_or_null(const std::string& s) {
  return s.empty() ? json(nullptr) : json(s);
}

// A scalar as Jackson would bind it to a String: numbers and booleans as their text.
Result<std::string> scalar_text(const json& v, const std::string& field) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
  if (v.is_number_integer()) return v.dump();
  if (v.is_number_float()) return v.dump();
  return Status::error("BatchRequest field " + field + " must hold strings");
}

Result<std::string> optional_string(const json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    return Status::error("BatchRequest field " + std::string(field) + " must be a string");
  }
  return it->get<std::string>();
}

Result<std::map<std::string, std::string>> string_map(const json& body, const char* field) {
  std::map<std::string, std::string> out;
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_object()) {
    return Status::error("BatchRequest field " + std::string(field) + " must be an object");
  }
  for (const auto& [key, value] : it->items()) {
    if (value.is_null()) continue;
    auto text = scalar_text(value, std::string(field) + "." + key);
    if (!text) return text.status();
    out[key] = std::move(text).value();
  }
  return out;
}

}  // namespace

nlohmann::json to_json(const Batch& batch) {
  json batch_info = json::object();
  for (const auto& [key, value] : batch.batch_info)
    batch_info[key] = value;
  return json{
      {"id", batch.id},
      {"user", batch.user},
      {"batchType", batch.batch_type},
      {"name", text_or_null(batch.name)},
      {"appStartTime", batch.app_start_time},
      {"appId", text_or_null(batch.app_id)},
      {"appUrl", text_or_null(batch.app_url)},
      {"appState", text_or_null(batch.app_state)},
      {"appDiagnostic", text_or_null(batch.app_diagnostic)},
      {"kyuubiInstance", batch.kyuubi_instance},
      {"state", batch.state},
      {"createTime", batch.create_time},
      {"endTime", batch.end_time},
      {"batchInfo", std::move(batch_info)},
  };
}

Result<BatchRequest> batch_request_from_json(const nlohmann::json& body) {
  if (!body.is_object()) return Status::error("the batch request must be a JSON object");
  BatchRequest out;
  auto type = optional_string(body, "batchType");
  if (!type) return type.status();
  out.batch_type = std::move(type).value();
  auto resource = optional_string(body, "resource");
  if (!resource) return resource.status();
  out.resource = std::move(resource).value();
  auto class_name = optional_string(body, "className");
  if (!class_name) return class_name.status();
  out.class_name = std::move(class_name).value();
  auto name = optional_string(body, "name");
  if (!name) return name.status();
  out.name = std::move(name).value();
  auto conf = string_map(body, "conf");
  if (!conf) return conf.status();
  out.conf = std::move(conf).value();
  auto extra = string_map(body, "extraResourcesMap");
  if (!extra) return extra.status();
  out.extra_resources = std::move(extra).value();
  if (auto args = body.find("args"); args != body.end() && !args->is_null()) {
    if (!args->is_array()) return Status::error("BatchRequest field args must be an array");
    for (const auto& arg : *args) {
      auto text = scalar_text(arg, "args");
      if (!text) return text.status();
      out.args.push_back(std::move(text).value());
    }
  }
  return out;
}

}  // namespace kitsune::batch
