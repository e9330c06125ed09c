// JSON forms of the REST API, failure statuses, and multipart parsing.
#include "json_forms.h"

#include <chrono>
#include <cmath>

#include "kitsune/common/strings.h"

namespace kitsune::rest {

namespace {

std::int64_t now_epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

using frontend::HttpResponse;
using json = nlohmann::json;
namespace http = frontend::http;

HttpResponse status_response(const Status& status) {
  http::status code = http::status::internal_server_error;
  switch (status.code()) {
    case StatusCode::kOk:
      code = http::status::ok;
      break;
    case StatusCode::kInvalidHandle:
    case StatusCode::kNotFound:
      code = http::status::not_found;
      break;
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnauthenticated:
      code = http::status::forbidden;
      break;
    case StatusCode::kError:
    case StatusCode::kCancelled:
      code = http::status::bad_request;
      break;
    case StatusCode::kUnsupported:
      code = http::status::not_implemented;
      break;
    case StatusCode::kTimedOut:
      code = http::status::gateway_timeout;
      break;
    case StatusCode::kUnavailable:
      code = http::status::service_unavailable;
      break;
    case StatusCode::kResourceExhausted:
      code = http::status::payload_too_large;
      break;
    case StatusCode::kInternal:
      code = http::status::internal_server_error;
      break;
  }
  return HttpResponse::error(code, status.message());
}

std::string operation_state_name(tcli::TOperationState::type state) {
  switch (state) {
    case tcli::TOperationState::INITIALIZED_STATE:
      return "INITIALIZED";
    case tcli::TOperationState::RUNNING_STATE:
      return "RUNNING";
    case tcli::TOperationState::FINISHED_STATE:
      return "FINISHED";
    case tcli::TOperationState::CANCELED_STATE:
      return "CANCELED";
    case tcli::TOperationState::CLOSED_STATE:
      return "CLOSED";
    case tcli::TOperationState::ERROR_STATE:
      return "ERROR";
    case tcli::TOperationState::UKNOWN_STATE:
      return "UNKNOWN";
    case tcli::TOperationState::PENDING_STATE:
      return "PENDING";
    case tcli::TOperationState::TIMEDOUT_STATE:
      return "TIMEOUT";
  }
  return "UNKNOWN";
}

json session_data(const session::SessionSnapshot& s, const std::string& instance) {
  return json{
      {"identifier", s.id},
      {"remoteId", nullptr},
      {"user", s.user},
      {"ipAddr", s.client_ip},
      {"conf", s.conf},
      {"createTime", s.created_epoch_ms},
      {"duration", std::max<std::int64_t>(0, now_epoch_ms() - s.created_epoch_ms)},
      {"idleTime", s.idle_ms},
      {"exception", ""},
      {"sessionType", "INTERACTIVE"},
      {"kyuubiInstance", instance},
      {"engineId", ""},
      {"engineName", s.engine_space},
      {"engineUrl", ""},
      {"sessionName",
       s.conf.contains("kyuubi.session.name") ? s.conf.at("kyuubi.session.name") : std::string()},
      {"totalOperations", s.operation_count}};
}

json session_event(const session::SessionSnapshot& s, const std::string& instance) {
  return json{
      {"sessionId", s.id},
      {"clientVersion", 11},
      {"sessionType", "INTERACTIVE"},
      {"sessionName",
       s.conf.contains("kyuubi.session.name") ? s.conf.at("kyuubi.session.name") : std::string()},
      {"remoteSessionId", ""},
      {"engineId", ""},
      {"engineName", s.engine_space},
      {"engineUrl", ""},
      {"user", s.user},
      {"clientIp", s.client_ip},
      {"serverIp", instance},
      {"conf", s.conf},
      {"eventTime", now_epoch_ms()},
      {"openedTime", s.created_epoch_ms},
      {"startTime", s.created_epoch_ms},
      {"endTime", -1},
      {"totalOperations", s.operation_count},
      {"exception", nullptr}};
}

json operation_data(const session::OperationSnapshot& op, const std::string& instance) {
  return json{{"identifier", op.id},
              {"remoteId", nullptr},
              {"statement", op.statement},
              {"state", operation_state_name(op.state)},
              {"createTime", op.created_epoch_ms},
              {"startTime", op.created_epoch_ms},
              {"completeTime", 0},
              {"exception", ""},
              {"sessionId", op.session_id},
              {"sessionUser", op.session_user},
              {"sessionType", "INTERACTIVE"},
              {"kyuubiInstance", instance},
              {"metrics", nullptr},
              {"progress", nullptr}};
}

json operation_event(const session::OperationSnapshot& op, const session::SessionSnapshot& s,
                     const tcli::TGetOperationStatusResp& status, const std::string& instance) {
  const auto state =
      status.__isset.operationState ? status.operationState : tcli::TOperationState::UKNOWN_STATE;
  json exception = nullptr;
  if (status.__isset.errorMessage && !status.errorMessage.empty()) {
    exception = status.errorMessage;
  }
  return json{{"statementId", op.id},
              {"remoteId", nullptr},
              {"statement", op.statement},
              {"shouldRunAsync", true},
              {"state", operation_state_name(state)},
              {"eventTime", now_epoch_ms()},
              {"createTime", op.created_epoch_ms},
              {"startTime",
               status.__isset.operationStarted ? status.operationStarted : op.created_epoch_ms},
              {"completeTime", status.__isset.operationCompleted ? status.operationCompleted : 0},
              {"exception", exception},
              {"sessionId", s.id},
              {"sessionUser", s.user},
              {"sessionType", "INTERACTIVE"},
              {"kyuubiInstance", instance},
              {"metrics", nullptr},
              {"progress", nullptr}};
}

namespace {

std::string type_name(tcli::TTypeId::type type) {
  auto it = tcli::_TTypeId_VALUES_TO_NAMES.find(static_cast<int>(type));
  return it == tcli::_TTypeId_VALUES_TO_NAMES.end() ? std::string("STRING_TYPE") : it->second;
}

bool is_null(const std::string& nulls, std::size_t row) {
  return row / 8 < nulls.size() &&
         ((static_cast<unsigned char>(nulls[row / 8]) >> (row % 8)) & 1) != 0;
}

json number(double d) {
  if (std::isfinite(d)) return d;
  return std::isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity");
}

// The fields of row `r` of column `c`, as {dataType, value}.
template <typename Values, typename Convert>
void column_fields(std::vector<json>& rows, const Values& values, const std::string& nulls,
                   const char* data_type, Convert convert) {
  if (rows.size() < values.size()) rows.resize(values.size(), json{{"fields", json::array()}});
  for (std::size_t r = 0; r < values.size(); ++r) {
    json value = is_null(nulls, r) ? json(nullptr) : convert(values[r]);
    rows[r]["fields"].push_back(json{{"dataType", data_type}, {"value", std::move(value)}});
  }
}

json value_field(const tcli::TColumnValue& v) {
  if (v.__isset.boolVal) {
    return json{{"dataType", "BOOL_VAL"},
                {"value", v.boolVal.__isset.value ? json(v.boolVal.value) : json(nullptr)}};
  }
  if (v.__isset.byteVal) {
    return json{{"dataType", "BYTE_VAL"},
                {"value", v.byteVal.__isset.value ? json(v.byteVal.value) : json(nullptr)}};
  }
  if (v.__isset.i16Val) {
    return json{{"dataType", "I16_VAL"},
                {"value", v.i16Val.__isset.value ? json(v.i16Val.value) : json(nullptr)}};
  }
  if (v.__isset.i32Val) {
    return json{{"dataType", "I32_VAL"},
                {"value", v.i32Val.__isset.value ? json(v.i32Val.value) : json(nullptr)}};
  }
  if (v.__isset.i64Val) {
    return json{{"dataType", "I64_VAL"},
                {"value", v.i64Val.__isset.value ? json(v.i64Val.value) : json(nullptr)}};
  }
  if (v.__isset.doubleVal) {
    return json{{"dataType", "DOUBLE_VAL"},
                {"value", v.doubleVal.__isset.value ? number(v.doubleVal.value) : json(nullptr)}};
  }
  return json{{"dataType", "STRING_VAL"},
              {"value", v.stringVal.__isset.value ? json(v.stringVal.value) : json(nullptr)}};
}

}  // namespace

json result_set_metadata(const tcli::TGetResultSetMetadataResp& resp) {
  json columns = json::array();
  if (resp.__isset.schema) {
    for (const auto& c : resp.schema.columns) {
      tcli::TTypeId::type type = tcli::TTypeId::STRING_TYPE;
      int precision = 0;
      int scale = 0;
      if (!c.typeDesc.types.empty() && c.typeDesc.types[0].__isset.primitiveEntry) {
        const auto& p = c.typeDesc.types[0].primitiveEntry;
        type = p.type;
        if (p.__isset.typeQualifiers) {
          const auto& q = p.typeQualifiers.qualifiers;
          if (auto it = q.find("precision"); it != q.end()) precision = it->second.i32Value;
          if (auto it = q.find("scale"); it != q.end()) scale = it->second.i32Value;
          if (auto it = q.find("characterMaximumLength"); it != q.end()) {
            precision = it->second.i32Value;
          }
        }
      }
      columns.push_back(json{{"columnName", c.columnName},
                             {"dataType", type_name(type)},
                             {"columnIndex", c.position},
                             {"precision", precision},
                             {"scale", scale},
                             {"comment", c.__isset.comment ? c.comment : std::string()}});
    }
  }
  return json{{"columns", columns}};
}

json row_set(const tcli::TRowSet& set) {
  std::vector<json> rows;
  if (set.__isset.columns) {
    for (const auto& c : set.columns) {
      if (c.__isset.boolVal) {
        column_fields(rows, c.boolVal.values, c.boolVal.nulls, "BOOL_VAL",
                      [](bool b) { return json(b); });
      } else if (c.__isset.byteVal) {
        column_fields(rows, c.byteVal.values, c.byteVal.nulls, "BYTE_VAL",
                      [](std::int8_t b) { return json(b); });
      } else if (c.__isset.i16Val) {
        column_fields(rows, c.i16Val.values, c.i16Val.nulls, "I16_VAL",
                      [](std::int16_t v) { return json(v); });
      } else if (c.__isset.i32Val) {
        column_fields(rows, c.i32Val.values, c.i32Val.nulls, "I32_VAL",
                      [](std::int32_t v) { return json(v); });
      } else if (c.__isset.i64Val) {
        column_fields(rows, c.i64Val.values, c.i64Val.nulls, "I64_VAL",
                      [](std::int64_t v) { return json(v); });
      } else if (c.__isset.doubleVal) {
        column_fields(rows, c.doubleVal.values, c.doubleVal.nulls, "DOUBLE_VAL",
                      [](double v) { return number(v); });
      } else if (c.__isset.binaryVal) {
        column_fields(rows, c.binaryVal.values, c.binaryVal.nulls, "BINARY_VAL",
                      [](const std::string& v) { return json(base64_encode(v)); });
      } else {
        column_fields(rows, c.stringVal.values, c.stringVal.nulls, "STRING_VAL",
                      [](const std::string& v) { return json(v); });
      }
    }
  } else {
    for (const auto& row : set.rows) {
      json fields = json::array();
      for (const auto& v : row.colVals)
        fields.push_back(value_field(v));
      rows.push_back(json{{"fields", std::move(fields)}});
    }
  }
  const std::size_t count = rows.size();
  return json{{"rows", std::move(rows)}, {"rowCount", count}};
}

json log_rows(const tcli::TRowSet& set) {
  std::vector<std::string> lines;
  if (set.__isset.columns && !set.columns.empty()) {
    lines = set.columns[0].stringVal.values;
  } else {
    for (const auto& row : set.rows) {
      if (!row.colVals.empty()) lines.push_back(row.colVals[0].stringVal.value);
    }
  }
  const std::size_t count = lines.size();
  return json{{"logRowSet", std::move(lines)}, {"rowCount", count}};
}

json info_value(const tcli::TGetInfoValue& v) {
  if (v.__isset.stringValue) return v.stringValue;
  if (v.__isset.smallIntValue) return v.smallIntValue;
  if (v.__isset.integerBitmask) return v.integerBitmask;
  if (v.__isset.integerFlag) return v.integerFlag;
  if (v.__isset.binaryValue) return v.binaryValue;
  if (v.__isset.lenValue) return v.lenValue;
  return nullptr;
}

json server_data(const discovery::ServiceNode& node, const std::string& space) {
  json attributes = json::object();
  for (const auto& [k, v] : node.attributes)
    attributes[k] = v;
  return json{{"nodeName", node.name}, {"namespace", space}, {"instance", node.address()},
              {"host", node.host},     {"port", node.port},  {"attributes", attributes},
              {"status", "Running"}};
}

json engine_data(const discovery::ServiceNode& node, const routing::EngineKey& key,
                 const std::string& space) {
  json attributes = json::object();
  for (const auto& [k, v] : node.attributes)
    attributes[k] = v;
  if (!node.ref_id.empty()) attributes["refId"] = node.ref_id;
  return json{{"version", node.version},
              {"user", key.routing_user},
              {"engineType", key.engine_type},
              {"sharelevel", std::string(routing::to_string(key.level))},
              {"subdomain", key.subdomain},
              {"instance", node.address()},
              {"namespace", space},
              {"attributes", attributes}};
}

Result<tcli::TFetchOrientation::type> fetch_orientation(const std::string& name) {
  const std::string n = to_upper(name);
  if (n == "FETCH_NEXT") return tcli::TFetchOrientation::FETCH_NEXT;
  if (n == "FETCH_PRIOR") return tcli::TFetchOrientation::FETCH_PRIOR;
  if (n == "FETCH_RELATIVE") return tcli::TFetchOrientation::FETCH_RELATIVE;
  if (n == "FETCH_ABSOLUTE") return tcli::TFetchOrientation::FETCH_ABSOLUTE;
  if (n == "FETCH_FIRST") return tcli::TFetchOrientation::FETCH_FIRST;
  if (n == "FETCH_LAST") return tcli::TFetchOrientation::FETCH_LAST;
  return Status::error(
      "fetchorientation must be FETCH_NEXT, FETCH_PRIOR, FETCH_RELATIVE, "
      "FETCH_ABSOLUTE, FETCH_FIRST or FETCH_LAST, not '" +
      name + "'");
}

namespace {

std::string text_field(const json& body, const char* name) {
  if (!body.contains(name) || body[name].is_null()) return {};
  return body[name].is_string() ? body[name].get<std::string>() : body[name].dump();
}

template <typename Resp>
HttpResponse identifier_of(const Result<Resp>& resp) {
  if (auto failed = failure_response(resp)) return std::move(*failed);
  const auto& guid = resp->operationHandle.operationId.guid;
  const std::string id =
      uuid_string(std::span(reinterpret_cast<const std::uint8_t*>(guid.data()), guid.size()));
  return HttpResponse::json(http::status::ok, json{{"identifier", id}}.dump());
}

}  // namespace

awaitable<HttpResponse> run_session_operation(session::GatewayService& gateway,
                                              const frontend::CallContext& ctx,
                                              const tcli::TSessionHandle& handle,
                                              const std::string& kind, const json& body) {
  if (kind == "statement") {
    tcli::TExecuteStatementReq req;
    req.sessionHandle = handle;
    req.statement = text_field(body, "statement");
    if (trim(req.statement).empty()) {
      co_return status_response(Status::error("statement is required"));
    }
    req.__set_runAsync(body.contains("runAsync") && body["runAsync"].is_boolean()
                           ? body["runAsync"].get<bool>()
                           : true);
    if (body.contains("queryTimeout") && body["queryTimeout"].is_number_integer()) {
      req.__set_queryTimeout(body["queryTimeout"].get<std::int64_t>());
    }
    if (body.contains("confOverlay") && body["confOverlay"].is_object()) {
      std::map<std::string, std::string> overlay;
      for (const auto& [k, v] : body["confOverlay"].items())
        overlay[k] = v.is_string() ? v.get<std::string>() : v.dump();
      req.__set_confOverlay(overlay);
    }
    auto resp = co_await gateway.execute_statement(ctx, req);
    co_return identifier_of(resp);
  }
  if (kind == "typeInfo") {
    tcli::TGetTypeInfoReq req;
    req.sessionHandle = handle;
    auto resp = co_await gateway.get_type_info(ctx, req);
    co_return identifier_of(resp);
  }
  if (kind == "catalogs") {
    tcli::TGetCatalogsReq req;
    req.sessionHandle = handle;
    auto resp = co_await gateway.get_catalogs(ctx, req);
    co_return identifier_of(resp);
  }
  if (kind == "schemas") {
    tcli::TGetSchemasReq req;
    req.sessionHandle = handle;
    req.__set_catalogName(text_field(body, "catalogName"));
    req.__set_schemaName(text_field(body, "schemaName"));
    auto resp = co_await gateway.get_schemas(ctx, req);
    co_return identifier_of(resp);
  }
  if (kind == "tables") {
    tcli::TGetTablesReq req;
    req.sessionHandle = handle;
    req.__set_catalogName(text_field(body, "catalogName"));
    req.__set_schemaName(text_field(body, "schemaName"));
    req.__set_tableName(text_field(body, "tableName"));
    if (body.contains("tableTypes") && body["tableTypes"].is_array()) {
      std::vector<std::string> types;
      for (const auto& t : body["tableTypes"])
        if (t.is_string()) types.push_back(t.get<std::string>());
      if (!types.empty()) req.__set_tableTypes(types);
    }
    auto resp = co_await gateway.get_tables(ctx, req);
    co_return identifier_of(resp);
  }
  if (kind == "tableTypes") {
    tcli::TGetTableTypesReq req;
    req.sessionHandle = handle;
    auto resp = co_await gateway.get_table_types(ctx, req);
    co_return identifier_of(resp);
  }
  if (kind == "columns") {
    tcli::TGetColumnsReq req;
    req.sessionHandle = handle;
    req.__set_catalogName(text_field(body, "catalogName"));
    req.__set_schemaName(text_field(body, "schemaName"));
    req.__set_tableName(text_field(body, "tableName"));
    req.__set_columnName(text_field(body, "columnName"));
    auto resp = co_await gateway.get_columns(ctx, req);
    co_return identifier_of(resp);
  }
  if (kind == "functions") {
    tcli::TGetFunctionsReq req;
    req.sessionHandle = handle;
    req.__set_catalogName(text_field(body, "catalogName"));
    req.__set_schemaName(text_field(body, "schemaName"));
    req.functionName = text_field(body, "functionName");
    auto resp = co_await gateway.get_functions(ctx, req);
    co_return identifier_of(resp);
  }
  if (kind == "primaryKeys") {
    tcli::TGetPrimaryKeysReq req;
    req.sessionHandle = handle;
    req.__set_catalogName(text_field(body, "catalogName"));
    req.__set_schemaName(text_field(body, "schemaName"));
    req.__set_tableName(text_field(body, "tableName"));
    auto resp = co_await gateway.get_primary_keys(ctx, req);
    co_return identifier_of(resp);
  }
  if (kind == "crossReference") {
    tcli::TGetCrossReferenceReq req;
    req.sessionHandle = handle;
    req.__set_parentCatalogName(text_field(body, "primaryCatalog"));
    req.__set_parentSchemaName(text_field(body, "primarySchema"));
    req.__set_parentTableName(text_field(body, "primaryTable"));
    req.__set_foreignCatalogName(text_field(body, "foreignCatalog"));
    req.__set_foreignSchemaName(text_field(body, "foreignSchema"));
    req.__set_foreignTableName(text_field(body, "foreignTable"));
    auto resp = co_await gateway.get_cross_reference(ctx, req);
    co_return identifier_of(resp);
  }
  co_return status_response(Status::not_found("No such operation kind: " + kind));
}

Result<std::vector<MultipartPart>> parse_multipart(const std::string& content_type,
                                                   const std::string& body) {
  std::string boundary;
  for (const auto& param : split(content_type, ';')) {
    std::string_view p = trim(param);
    if (istarts_with(p, "boundary=")) {
      boundary = std::string(p.substr(9));
      if (boundary.size() >= 2 && boundary.front() == '"' && boundary.back() == '"') {
        boundary = boundary.substr(1, boundary.size() - 2);
      }
    }
  }
  if (boundary.empty()) return Status::error("multipart/form-data without a boundary");
  const std::string delimiter = "--" + boundary;
  std::vector<MultipartPart> parts;
  std::size_t pos = body.find(delimiter);
  if (pos == std::string::npos) return Status::error("the multipart body has no parts");
  for (;;) {
    pos += delimiter.size();
    if (body.compare(pos, 2, "--") == 0) break;  // the closing delimiter
    if (body.compare(pos, 2, "\r\n") != 0) return Status::error("malformed multipart body");
    pos += 2;
    const std::size_t head_end = body.find("\r\n\r\n", pos);
    if (head_end == std::string::npos) return Status::error("malformed multipart part headers");
    MultipartPart part;
    for (const auto& line : split(std::string_view(body).substr(pos, head_end - pos), '\n')) {
      std::string_view l = trim(line);
      if (!istarts_with(l, "content-disposition:")) continue;
      for (const auto& attr : split(l.substr(20), ';')) {
        std::string_view a = trim(attr);
        auto value_of = [&](std::string_view prefix) -> std::optional<std::string> {
          if (!istarts_with(a, prefix)) return std::nullopt;
          std::string_view v = a.substr(prefix.size());
          if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
          return std::string(v);
        };
        if (auto n = value_of("name=")) part.name = *n;
        if (auto f = value_of("filename=")) part.file_name = *f;
      }
    }
    const std::size_t data = head_end + 4;
    const std::size_t next = body.find("\r\n" + delimiter, data);
    if (next == std::string::npos) return Status::error("the multipart body is truncated");
    part.body = body.substr(data, next - data);
    if (part.name.empty()) return Status::error("a multipart part has no name");
    parts.push_back(std::move(part));
    pos = next + 2;
  }
  return parts;
}

}  // namespace kitsune::rest
