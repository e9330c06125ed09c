// The 25 TCLIService methods, as an X-macro, so that the server dispatcher, the Hs2Service
// interface and the client are written once for all of them. X(Method, snake_name); the request
// and response types are tcli::T<Method>Req and tcli::T<Method>Resp.
#pragma once

// clang-format off
#define KITSUNE_TCLI_METHODS(X)                   \
  X(OpenSession, open_session)                    \
  X(CloseSession, close_session)                  \
  X(GetInfo, get_info)                            \
  X(ExecuteStatement, execute_statement)          \
  X(GetTypeInfo, get_type_info)                   \
  X(GetCatalogs, get_catalogs)                    \
  X(GetSchemas, get_schemas)                      \
  X(GetTables, get_tables)                        \
  X(GetTableTypes, get_table_types)               \
  X(GetColumns, get_columns)                      \
  X(GetFunctions, get_functions)                  \
  X(GetPrimaryKeys, get_primary_keys)             \
  X(GetCrossReference, get_cross_reference)       \
  X(GetOperationStatus, get_operation_status)     \
  X(CancelOperation, cancel_operation)            \
  X(CloseOperation, close_operation)              \
  X(GetResultSetMetadata, get_result_set_metadata) \
  X(FetchResults, fetch_results)                  \
  X(GetDelegationToken, get_delegation_token)     \
  X(CancelDelegationToken, cancel_delegation_token) \
  X(RenewDelegationToken, renew_delegation_token) \
  X(GetQueryId, get_query_id)                     \
  X(SetClientInfo, set_client_info)               \
  X(UploadData, upload_data)                      \
  X(DownloadData, download_data)
// clang-format on
