// The REST API's JSON forms of sessions, operations, row sets, engines and servers (Kyuubi's DTO
// field names), the mapping of failures to HTTP statuses, and multipart bodies.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "kitsune/common/status.h"
#include "kitsune/discovery/discovery.h"
#include "kitsune/frontend/http_server.h"
#include "kitsune/routing/engine_key.h"
#include "kitsune/session/gateway_service.h"
#include "kitsune/tcli/tcli.h"

namespace kitsune::rest {

// 404 for unknown things, 403 for another user's, 400 for bad requests and SQL errors, 503 when a
// peer is unreachable, 500 for bugs.
frontend::HttpResponse status_response(const Status& status);

// The error response of a call that failed outright or answered with an error TStatus.
template <typename Resp>
std::optional<frontend::HttpResponse> failure_response(const Result<Resp>& r) {
  if (!r) return status_response(r.status());
  const auto code = r->status.statusCode;
  if (code == tcli::TStatusCode::SUCCESS_STATUS ||
      code == tcli::TStatusCode::SUCCESS_WITH_INFO_STATUS ||
      code == tcli::TStatusCode::STILL_EXECUTING_STATUS) {
    return std::nullopt;
  }
  const std::string message =
      r->status.__isset.errorMessage ? r->status.errorMessage : std::string("the call failed");
  if (code == tcli::TStatusCode::INVALID_HANDLE_STATUS) {
    return status_response(Status::not_found(message));
  }
  return status_response(Status::error(message));
}

nlohmann::json session_data(const session::SessionSnapshot& s, const std::string& instance);
nlohmann::json session_event(const session::SessionSnapshot& s, const std::string& instance);
nlohmann::json operation_data(const session::OperationSnapshot& op, const std::string& instance);
nlohmann::json operation_event(const session::OperationSnapshot& op,
                               const session::SessionSnapshot& s,
                               const tcli::TGetOperationStatusResp& status,
                               const std::string& instance);
nlohmann::json result_set_metadata(const tcli::TGetResultSetMetadataResp& resp);
// {rows: [{fields: [{dataType, value}]}], rowCount}, from a columnar or a row-based row set.
nlohmann::json row_set(const tcli::TRowSet& rows);
// {logRowSet: [...], rowCount}.
nlohmann::json log_rows(const tcli::TRowSet& rows);
nlohmann::json info_value(const tcli::TGetInfoValue& value);
nlohmann::json server_data(const discovery::ServiceNode& node, const std::string& space);
nlohmann::json engine_data(const discovery::ServiceNode& node, const routing::EngineKey& key,
                           const std::string& space);
// OperationState names Kyuubi shows (FINISHED, RUNNING, ...).
std::string operation_state_name(tcli::TOperationState::type state);
Result<tcli::TFetchOrientation::type> fetch_orientation(const std::string& name);

// POST /sessions/{h}/operations/<kind>: the call that kind names, answered {identifier}.
awaitable<frontend::HttpResponse> run_session_operation(session::GatewayService& gateway,
                                                        const frontend::CallContext& ctx,
                                                        const tcli::TSessionHandle& handle,
                                                        const std::string& kind,
                                                        const nlohmann::json& body);

struct MultipartPart {
  std::string name;       // Content-Disposition name
  std::string file_name;  // Content-Disposition filename ("" for a plain field)
  std::string body;
};
// The parts of a multipart/form-data body; kError when it does not parse.
Result<std::vector<MultipartPart>> parse_multipart(const std::string& content_type,
                                                   const std::string& body);

}  // namespace kitsune::rest
