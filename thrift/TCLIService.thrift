// Licensed under the Apache License, Version 2.0 (the "License"); you may not
// use this file except in compliance with the License. You may obtain a copy
// of the License at http://www.apache.org/licenses/LICENSE-2.0
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
// WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
//
// Part of Kitsune, a HiveServer2-compatible SQL gateway.
// TCLIService interface definition, written from the HiveServer2 protocol
// field tables (Hive 4 wire layout: protocol V1..V11, 25 RPCs). Field ids,
// names, types and required/optional markers are wire facts; keep them as is.

namespace java org.apache.hive.service.rpc.thrift
namespace cpp apache.hive.service.rpc.thrift

// ---------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------

// Protocol revision negotiated in OpenSession (client asks, server answers).
enum TProtocolVersion {
  HIVE_CLI_SERVICE_PROTOCOL_V1 = 0,
  HIVE_CLI_SERVICE_PROTOCOL_V2 = 1,
  HIVE_CLI_SERVICE_PROTOCOL_V3 = 2,
  HIVE_CLI_SERVICE_PROTOCOL_V4 = 3,
  HIVE_CLI_SERVICE_PROTOCOL_V5 = 4,
  HIVE_CLI_SERVICE_PROTOCOL_V6 = 5,
  HIVE_CLI_SERVICE_PROTOCOL_V7 = 6,
  HIVE_CLI_SERVICE_PROTOCOL_V8 = 7,
  HIVE_CLI_SERVICE_PROTOCOL_V9 = 8,
  HIVE_CLI_SERVICE_PROTOCOL_V10 = 9,
  HIVE_CLI_SERVICE_PROTOCOL_V11 = 10
}

// SQL type of a column, as described in result-set metadata.
enum TTypeId {
  BOOLEAN_TYPE = 0,
  TINYINT_TYPE = 1,
  SMALLINT_TYPE = 2,
  INT_TYPE = 3,
  BIGINT_TYPE = 4,
  FLOAT_TYPE = 5,
  DOUBLE_TYPE = 6,
  STRING_TYPE = 7,
  TIMESTAMP_TYPE = 8,
  BINARY_TYPE = 9,
  ARRAY_TYPE = 10,
  MAP_TYPE = 11,
  STRUCT_TYPE = 12,
  UNION_TYPE = 13,
  USER_DEFINED_TYPE = 14,
  DECIMAL_TYPE = 15,
  NULL_TYPE = 16,
  DATE_TYPE = 17,
  VARCHAR_TYPE = 18,
  CHAR_TYPE = 19,
  INTERVAL_YEAR_MONTH_TYPE = 20,
  INTERVAL_DAY_TIME_TYPE = 21,
  TIMESTAMPLOCALTZ_TYPE = 22
}

// Outcome code carried in every TStatus.
enum TStatusCode {
  SUCCESS_STATUS = 0,
  SUCCESS_WITH_INFO_STATUS = 1,
  STILL_EXECUTING_STATUS = 2,
  ERROR_STATUS = 3,
  INVALID_HANDLE_STATUS = 4
}

// Lifecycle state of an operation (UKNOWN_STATE is spelled as on the wire IDL).
enum TOperationState {
  INITIALIZED_STATE = 0,
  RUNNING_STATE = 1,
  FINISHED_STATE = 2,
  CANCELED_STATE = 3,
  CLOSED_STATE = 4,
  ERROR_STATE = 5,
  UKNOWN_STATE = 6,
  PENDING_STATE = 7,
  TIMEDOUT_STATE = 8
}

// Kind of operation an operation handle refers to.
enum TOperationType {
  EXECUTE_STATEMENT = 0,
  GET_TYPE_INFO = 1,
  GET_CATALOGS = 2,
  GET_SCHEMAS = 3,
  GET_TABLES = 4,
  GET_TABLE_TYPES = 5,
  GET_COLUMNS = 6,
  GET_FUNCTIONS = 7,
  UNKNOWN = 8,
  PROCEDURAL_SQL = 9
}

// Information item requested by GetInfo (numbered like ODBC SQLGetInfo).
enum TGetInfoType {
  CLI_MAX_DRIVER_CONNECTIONS = 0,
  CLI_MAX_CONCURRENT_ACTIVITIES = 1,
  CLI_DATA_SOURCE_NAME = 2,
  CLI_FETCH_DIRECTION = 8,
  CLI_SERVER_NAME = 13,
  CLI_SEARCH_PATTERN_ESCAPE = 14,
  CLI_DBMS_NAME = 17,
  CLI_DBMS_VER = 18,
  CLI_ACCESSIBLE_TABLES = 19,
  CLI_ACCESSIBLE_PROCEDURES = 20,
  CLI_CURSOR_COMMIT_BEHAVIOR = 23,
  CLI_DATA_SOURCE_READ_ONLY = 25,
  CLI_DEFAULT_TXN_ISOLATION = 26,
  CLI_IDENTIFIER_CASE = 28,
  CLI_IDENTIFIER_QUOTE_CHAR = 29,
  CLI_MAX_COLUMN_NAME_LEN = 30,
  CLI_MAX_CURSOR_NAME_LEN = 31,
  CLI_MAX_SCHEMA_NAME_LEN = 32,
  CLI_MAX_CATALOG_NAME_LEN = 34,
  CLI_MAX_TABLE_NAME_LEN = 35,
  CLI_SCROLL_CONCURRENCY = 43,
  CLI_TXN_CAPABLE = 46,
  CLI_USER_NAME = 47,
  CLI_TXN_ISOLATION_OPTION = 72,
  CLI_INTEGRITY = 73,
  CLI_GETDATA_EXTENSIONS = 81,
  CLI_NULL_COLLATION = 85,
  CLI_ALTER_TABLE = 86,
  CLI_ORDER_BY_COLUMNS_IN_SELECT = 90,
  CLI_SPECIAL_CHARACTERS = 94,
  CLI_MAX_COLUMNS_IN_GROUP_BY = 97,
  CLI_MAX_COLUMNS_IN_INDEX = 98,
  CLI_MAX_COLUMNS_IN_ORDER_BY = 99,
  CLI_MAX_COLUMNS_IN_SELECT = 100,
  CLI_MAX_COLUMNS_IN_TABLE = 101,
  CLI_MAX_INDEX_SIZE = 102,
  CLI_MAX_ROW_SIZE = 104,
  CLI_MAX_STATEMENT_LEN = 105,
  CLI_MAX_TABLES_IN_SELECT = 106,
  CLI_MAX_USER_NAME_LEN = 107,
  CLI_OJ_CAPABILITIES = 115,
  CLI_XOPEN_CLI_YEAR = 10000,
  CLI_CURSOR_SENSITIVITY = 10001,
  CLI_DESCRIBE_PARAMETER = 10002,
  CLI_CATALOG_NAME = 10003,
  CLI_COLLATION_SEQ = 10004,
  CLI_MAX_IDENTIFIER_LEN = 10005,
  CLI_ODBC_KEYWORDS = 10006
}

// Cursor movement for FetchResults (servers generally honour NEXT and FIRST only).
enum TFetchOrientation {
  FETCH_NEXT = 0,
  FETCH_PRIOR = 1,
  FETCH_RELATIVE = 2,
  FETCH_ABSOLUTE = 3,
  FETCH_FIRST = 4,
  FETCH_LAST = 5
}

// Overall job state reported in a progress update.
enum TJobExecutionStatus {
  IN_PROGRESS = 0,
  COMPLETE = 1,
  NOT_AVAILABLE = 2
}

// ---------------------------------------------------------------------------
// Typedefs and constants
// ---------------------------------------------------------------------------

// Index of an entry inside TTypeDesc.types.
typedef i32 TTypeEntryPtr

// A catalog/schema/table/column name taken literally.
typedef string TIdentifier

// A search pattern: '%' any sequence, '_' one character, '\' escapes.
typedef string TPattern

// A value that may be either a pattern or a literal name.
typedef string TPatternOrIdentifier

// Kitsune's own alias: a list<i8> written through it reads the same on the wire, and spares the
// build Thrift's advice to use binary (which would change the wire format).
typedef i8 TByte

// Types with no nested type entries.
const set<TTypeId> PRIMITIVE_TYPES = [
  TTypeId.BOOLEAN_TYPE,
  TTypeId.TINYINT_TYPE,
  TTypeId.SMALLINT_TYPE,
  TTypeId.INT_TYPE,
  TTypeId.BIGINT_TYPE,
  TTypeId.FLOAT_TYPE,
  TTypeId.DOUBLE_TYPE,
  TTypeId.STRING_TYPE,
  TTypeId.TIMESTAMP_TYPE,
  TTypeId.BINARY_TYPE,
  TTypeId.DECIMAL_TYPE,
  TTypeId.NULL_TYPE,
  TTypeId.DATE_TYPE,
  TTypeId.VARCHAR_TYPE,
  TTypeId.CHAR_TYPE,
  TTypeId.INTERVAL_YEAR_MONTH_TYPE,
  TTypeId.INTERVAL_DAY_TIME_TYPE,
  TTypeId.TIMESTAMPLOCALTZ_TYPE
]

// Types built from other types.
const set<TTypeId> COMPLEX_TYPES = [
  TTypeId.ARRAY_TYPE,
  TTypeId.MAP_TYPE,
  TTypeId.STRUCT_TYPE,
  TTypeId.UNION_TYPE,
  TTypeId.USER_DEFINED_TYPE
]

// Complex types that hold a variable number of elements.
const set<TTypeId> COLLECTION_TYPES = [
  TTypeId.ARRAY_TYPE,
  TTypeId.MAP_TYPE
]

// SQL spelling of each type id (USER_DEFINED_TYPE has none).
const map<TTypeId, string> TYPE_NAMES = {
  TTypeId.BOOLEAN_TYPE: "BOOLEAN",
  TTypeId.TINYINT_TYPE: "TINYINT",
  TTypeId.SMALLINT_TYPE: "SMALLINT",
  TTypeId.INT_TYPE: "INT",
  TTypeId.BIGINT_TYPE: "BIGINT",
  TTypeId.FLOAT_TYPE: "FLOAT",
  TTypeId.DOUBLE_TYPE: "DOUBLE",
  TTypeId.STRING_TYPE: "STRING",
  TTypeId.TIMESTAMP_TYPE: "TIMESTAMP",
  TTypeId.BINARY_TYPE: "BINARY",
  TTypeId.ARRAY_TYPE: "ARRAY",
  TTypeId.MAP_TYPE: "MAP",
  TTypeId.STRUCT_TYPE: "STRUCT",
  TTypeId.UNION_TYPE: "UNIONTYPE",
  TTypeId.DECIMAL_TYPE: "DECIMAL",
  TTypeId.NULL_TYPE: "NULL",
  TTypeId.DATE_TYPE: "DATE",
  TTypeId.VARCHAR_TYPE: "VARCHAR",
  TTypeId.CHAR_TYPE: "CHAR",
  TTypeId.INTERVAL_YEAR_MONTH_TYPE: "INTERVAL_YEAR_MONTH",
  TTypeId.INTERVAL_DAY_TIME_TYPE: "INTERVAL_DAY_TIME",
  TTypeId.TIMESTAMPLOCALTZ_TYPE: "TIMESTAMP WITH LOCAL TIME ZONE"
}

// Keys used in TTypeQualifiers.qualifiers.
const string CHARACTER_MAXIMUM_LENGTH = "characterMaximumLength"
const string PRECISION = "precision"
const string SCALE = "scale"

// ---------------------------------------------------------------------------
// Type descriptors and schema
// ---------------------------------------------------------------------------

// One type qualifier value (a number such as a length, or a string).
union TTypeQualifierValue {
  1: optional i32 i32Value
  2: optional string stringValue
}

// Named qualifiers of a primitive type (e.g. VARCHAR length, DECIMAL precision/scale).
struct TTypeQualifiers {
  1: required map<string, TTypeQualifierValue> qualifiers
}

// A primitive (or flattened complex) type with optional qualifiers.
struct TPrimitiveTypeEntry {
  1: required TTypeId type
  2: optional TTypeQualifiers typeQualifiers
}

// ARRAY type: points at its element type.
struct TArrayTypeEntry {
  1: required TTypeEntryPtr objectTypePtr
}

// MAP type: points at its key and value types.
struct TMapTypeEntry {
  1: required TTypeEntryPtr keyTypePtr
  2: required TTypeEntryPtr valueTypePtr
}

// STRUCT type: field name to field type.
struct TStructTypeEntry {
  1: required map<string, TTypeEntryPtr> nameToTypePtr
}

// UNION type: member name to member type.
struct TUnionTypeEntry {
  1: required map<string, TTypeEntryPtr> nameToTypePtr
}

// User-defined type, named by its class.
struct TUserDefinedTypeEntry {
  1: required string typeClassName
}

// One node of a type description.
union TTypeEntry {
  1: TPrimitiveTypeEntry primitiveEntry
  2: TArrayTypeEntry arrayEntry
  3: TMapTypeEntry mapEntry
  4: TStructTypeEntry structEntry
  5: TUnionTypeEntry unionEntry
  6: TUserDefinedTypeEntry userDefinedTypeEntry
}

// Full type of a column; entry 0 is the top-level type, others are referenced by index.
struct TTypeDesc {
  1: required list<TTypeEntry> types
}

// Name, type and position of one result column.
struct TColumnDesc {
  1: required string columnName
  2: required TTypeDesc typeDesc
  3: required i32 position
  4: optional string comment
}

// Schema of a result set.
struct TTableSchema {
  1: required list<TColumnDesc> columns
}

// ---------------------------------------------------------------------------
// Row-form values (protocol before V6); an unset value means NULL
// ---------------------------------------------------------------------------

// Boolean cell.
struct TBoolValue {
  1: optional bool value
}

// TINYINT cell.
struct TByteValue {
  1: optional i8 value
}

// SMALLINT cell.
struct TI16Value {
  1: optional i16 value
}

// INT cell.
struct TI32Value {
  1: optional i32 value
}

// BIGINT cell.
struct TI64Value {
  1: optional i64 value
}

// FLOAT/DOUBLE cell.
struct TDoubleValue {
  1: optional double value
}

// Cell carried as text.
struct TStringValue {
  1: optional string value
}

// One cell of a row.
union TColumnValue {
  1: TBoolValue boolVal
  2: TByteValue byteVal
  3: TI16Value i16Val
  4: TI32Value i32Val
  5: TI64Value i64Val
  6: TDoubleValue doubleVal
  7: TStringValue stringVal
}

// One row of a row-form result set.
struct TRow {
  1: required list<TColumnValue> colVals
}

// ---------------------------------------------------------------------------
// Column-form values (protocol V6 and later); nulls is a bitmap, LSB first
// ---------------------------------------------------------------------------

// Boolean column.
struct TBoolColumn {
  1: required list<bool> values
  2: required binary nulls
}

// TINYINT column.
struct TByteColumn {
  1: required list<TByte> values
  2: required binary nulls
}

// SMALLINT column.
struct TI16Column {
  1: required list<i16> values
  2: required binary nulls
}

// INT column.
struct TI32Column {
  1: required list<i32> values
  2: required binary nulls
}

// BIGINT column.
struct TI64Column {
  1: required list<i64> values
  2: required binary nulls
}

// FLOAT/DOUBLE column.
struct TDoubleColumn {
  1: required list<double> values
  2: required binary nulls
}

// Text column.
struct TStringColumn {
  1: required list<string> values
  2: required binary nulls
}

// Raw-bytes column.
struct TBinaryColumn {
  1: required list<binary> values
  2: required binary nulls
}

// One column of a column-form result set.
union TColumn {
  1: TBoolColumn boolVal
  2: TByteColumn byteVal
  3: TI16Column i16Val
  4: TI32Column i32Val
  5: TI64Column i64Val
  6: TDoubleColumn doubleVal
  7: TStringColumn stringVal
  8: TBinaryColumn binaryVal
}

// A batch of result rows, in row form (rows) or column form (columns / binaryColumns).
struct TRowSet {
  1: required i64 startRowOffset
  2: required list<TRow> rows
  3: optional list<TColumn> columns
  4: optional binary binaryColumns
  5: optional i32 columnCount
}

// ---------------------------------------------------------------------------
// Status and handles
// ---------------------------------------------------------------------------

// Result status of every call that has one.
struct TStatus {
  1: required TStatusCode statusCode
  2: optional list<string> infoMessages
  3: optional string sqlState
  4: optional i32 errorCode
  5: optional string errorMessage
}

// Public id plus server secret identifying a session or operation.
struct THandleIdentifier {
  1: required binary guid
  2: required binary secret
}

// Handle of an open session.
struct TSessionHandle {
  1: required THandleIdentifier sessionId
}

// Handle of an operation within a session.
struct TOperationHandle {
  1: required THandleIdentifier operationId
  2: required TOperationType operationType
  3: required bool hasResultSet
  4: optional double modifiedRowCount
}

// Tabular progress report returned by GetOperationStatus.
struct TProgressUpdateResp {
  1: required list<string> headerNames
  2: required list<list<string>> rows
  3: required double progressedPercentage
  4: required TJobExecutionStatus status
  5: required string footerSummary
  6: required i64 startTime
}

// ---------------------------------------------------------------------------
// Session calls
// ---------------------------------------------------------------------------

// Opens a session; carries the client's protocol version, credentials and settings.
struct TOpenSessionReq {
  1: required TProtocolVersion client_protocol = TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10
  2: optional string username
  3: optional string password
  4: optional map<string, string> configuration
}

// Result of OpenSession: negotiated version and the new session handle.
struct TOpenSessionResp {
  1: required TStatus status
  2: required TProtocolVersion serverProtocolVersion = TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10
  3: optional TSessionHandle sessionHandle
  4: optional map<string, string> configuration
}

// Passes client-side information (key/value pairs) to the session.
struct TSetClientInfoReq {
  1: required TSessionHandle sessionHandle
  2: optional map<string, string> configuration
}

// Result of SetClientInfo.
struct TSetClientInfoResp {
  1: required TStatus status
}

// Closes a session.
struct TCloseSessionReq {
  1: required TSessionHandle sessionHandle
}

// Result of CloseSession.
struct TCloseSessionResp {
  1: required TStatus status
}

// ---------------------------------------------------------------------------
// GetInfo
// ---------------------------------------------------------------------------

// Value of one GetInfo item.
union TGetInfoValue {
  1: string stringValue
  2: i16 smallIntValue
  3: i32 integerBitmask
  4: i32 integerFlag
  5: i32 binaryValue
  6: i64 lenValue
}

// Asks for one server/driver property.
struct TGetInfoReq {
  1: required TSessionHandle sessionHandle
  2: required TGetInfoType infoType
}

// Result of GetInfo; infoValue is required even on error.
struct TGetInfoResp {
  1: required TStatus status
  2: required TGetInfoValue infoValue
}

// ---------------------------------------------------------------------------
// Statement execution and metadata operations
// ---------------------------------------------------------------------------

// Runs a SQL statement, optionally asynchronously and with a timeout in seconds.
struct TExecuteStatementReq {
  1: required TSessionHandle sessionHandle
  2: required string statement
  3: optional map<string, string> confOverlay
  4: optional bool runAsync = false
  5: optional i64 queryTimeout = 0
}

// Result of ExecuteStatement.
struct TExecuteStatementResp {
  1: required TStatus status
  2: optional TOperationHandle operationHandle
}

// Lists the supported SQL types.
struct TGetTypeInfoReq {
  1: required TSessionHandle sessionHandle
}

// Result of GetTypeInfo.
struct TGetTypeInfoResp {
  1: required TStatus status
  2: optional TOperationHandle operationHandle
}

// Lists catalogs.
struct TGetCatalogsReq {
  1: required TSessionHandle sessionHandle
}

// Result of GetCatalogs.
struct TGetCatalogsResp {
  1: required TStatus status
  2: optional TOperationHandle operationHandle
}

// Lists schemas (databases).
struct TGetSchemasReq {
  1: required TSessionHandle sessionHandle
  2: optional TIdentifier catalogName
  3: optional TPatternOrIdentifier schemaName
}

// Result of GetSchemas.
struct TGetSchemasResp {
  1: required TStatus status
  2: optional TOperationHandle operationHandle
}

// Lists tables matching the given filters.
struct TGetTablesReq {
  1: required TSessionHandle sessionHandle
  2: optional TPatternOrIdentifier catalogName
  3: optional TPattern schemaName
  4: optional TPattern tableName
  5: optional list<string> tableTypes
}

// Result of GetTables.
struct TGetTablesResp {
  1: required TStatus status
  2: optional TOperationHandle operationHandle
}

// Lists table types (e.g. TABLE, VIEW).
struct TGetTableTypesReq {
  1: required TSessionHandle sessionHandle
}

// Result of GetTableTypes.
struct TGetTableTypesResp {
  1: required TStatus status
  2: optional TOperationHandle operationHandle
}

// Lists columns matching the given filters.
struct TGetColumnsReq {
  1: required TSessionHandle sessionHandle
  2: optional TIdentifier catalogName
  3: optional TPattern schemaName
  4: optional TPattern tableName
  5: optional TPattern columnName
}

// Result of GetColumns.
struct TGetColumnsResp {
  1: required TStatus status
  2: optional TOperationHandle operationHandle
}

// Lists functions matching the given name pattern.
struct TGetFunctionsReq {
  1: required TSessionHandle sessionHandle
  2: optional string catalogName
  3: optional TPattern schemaName
  4: required TPattern functionName
}

// Result of GetFunctions.
struct TGetFunctionsResp {
  1: required TStatus status
  2: optional TOperationHandle operationHandle
}

// Lists the primary-key columns of a table.
struct TGetPrimaryKeysReq {
  1: required TSessionHandle sessionHandle
  2: optional string catalogName
  3: optional string schemaName
  4: optional string tableName
}

// Result of GetPrimaryKeys.
struct TGetPrimaryKeysResp {
  1: required TStatus status
  2: optional TOperationHandle operationHandle
}

// Lists foreign keys linking a parent (primary-key) table and a foreign table.
struct TGetCrossReferenceReq {
  1: required TSessionHandle sessionHandle
  2: optional string parentCatalogName
  3: optional string parentSchemaName
  4: optional string parentTableName
  5: optional string foreignCatalogName
  6: optional string foreignSchemaName
  7: optional string foreignTableName
}

// Result of GetCrossReference.
struct TGetCrossReferenceResp {
  1: required TStatus status
  2: optional TOperationHandle operationHandle
}

// ---------------------------------------------------------------------------
// Operation control and result retrieval
// ---------------------------------------------------------------------------

// Polls the state of an operation, optionally with a progress report.
struct TGetOperationStatusReq {
  1: required TOperationHandle operationHandle
  2: optional bool getProgressUpdate
}

// State of an operation; error details are filled in ERROR_STATE; times are epoch ms.
struct TGetOperationStatusResp {
  1: required TStatus status
  2: optional TOperationState operationState
  3: optional string sqlState
  4: optional i32 errorCode
  5: optional string errorMessage
  6: optional string taskStatus
  7: optional i64 operationStarted
  8: optional i64 operationCompleted
  9: optional bool hasResultSet
  10: optional TProgressUpdateResp progressUpdateResponse
  11: optional i64 numModifiedRows
}

// Cancels a running operation.
struct TCancelOperationReq {
  1: required TOperationHandle operationHandle
}

// Result of CancelOperation.
struct TCancelOperationResp {
  1: required TStatus status
}

// Closes an operation and frees its resources.
struct TCloseOperationReq {
  1: required TOperationHandle operationHandle
}

// Result of CloseOperation.
struct TCloseOperationResp {
  1: required TStatus status
}

// Asks for the schema of an operation's result set.
struct TGetResultSetMetadataReq {
  1: required TOperationHandle operationHandle
}

// Result of GetResultSetMetadata.
struct TGetResultSetMetadataResp {
  1: required TStatus status
  2: optional TTableSchema schema
}

// Fetches the next batch of rows; fetchType 0 = query output, 1 = operation log.
struct TFetchResultsReq {
  1: required TOperationHandle operationHandle
  2: required TFetchOrientation orientation = TFetchOrientation.FETCH_NEXT
  3: required i64 maxRows
  4: optional i16 fetchType = 0
}

// Result of FetchResults.
struct TFetchResultsResp {
  1: required TStatus status
  2: optional bool hasMoreRows
  3: optional TRowSet results
}

// ---------------------------------------------------------------------------
// Delegation tokens
// ---------------------------------------------------------------------------

// Requests a delegation token for owner, renewable by renewer.
struct TGetDelegationTokenReq {
  1: required TSessionHandle sessionHandle
  2: required string owner
  3: required string renewer
}

// Result of GetDelegationToken.
struct TGetDelegationTokenResp {
  1: required TStatus status
  2: optional string delegationToken
}

// Cancels a delegation token.
struct TCancelDelegationTokenReq {
  1: required TSessionHandle sessionHandle
  2: required string delegationToken
}

// Result of CancelDelegationToken.
struct TCancelDelegationTokenResp {
  1: required TStatus status
}

// Renews a delegation token.
struct TRenewDelegationTokenReq {
  1: required TSessionHandle sessionHandle
  2: required string delegationToken
}

// Result of RenewDelegationToken.
struct TRenewDelegationTokenResp {
  1: required TStatus status
}

// ---------------------------------------------------------------------------
// Query id, data upload/download
// ---------------------------------------------------------------------------

// Asks for the server-side query id of an operation.
struct TGetQueryIdReq {
  1: required TOperationHandle operationHandle
}

// Result of GetQueryId (this response has no status field).
struct TGetQueryIdResp {
  1: required string queryId
}

// Uploads raw data into a table or a path (one of tableName/path is set).
struct TUploadDataReq {
  1: required TSessionHandle sessionHandle
  2: optional string tableName
  3: optional string path
  4: required binary values
}

// Result of UploadData.
struct TUploadDataResp {
  1: required TStatus status
  2: required TOperationHandle operationHandle
}

// Downloads a table or query result in a given format (one of tableName/query is set).
struct TDownloadDataReq {
  1: required TSessionHandle sessionHandle
  2: optional TPatternOrIdentifier tableName
  3: optional string query
  4: optional string format
  5: optional map<string, string> downloadOptions
}

// Result of DownloadData.
struct TDownloadDataResp {
  1: required TStatus status
  2: required TOperationHandle operationHandle
}

// ---------------------------------------------------------------------------
// Service
// ---------------------------------------------------------------------------

// The HiveServer2 client/server RPC interface.
service TCLIService {
  TOpenSessionResp OpenSession(1: TOpenSessionReq req)
  TCloseSessionResp CloseSession(1: TCloseSessionReq req)
  TGetInfoResp GetInfo(1: TGetInfoReq req)
  TExecuteStatementResp ExecuteStatement(1: TExecuteStatementReq req)
  TGetTypeInfoResp GetTypeInfo(1: TGetTypeInfoReq req)
  TGetCatalogsResp GetCatalogs(1: TGetCatalogsReq req)
  TGetSchemasResp GetSchemas(1: TGetSchemasReq req)
  TGetTablesResp GetTables(1: TGetTablesReq req)
  TGetTableTypesResp GetTableTypes(1: TGetTableTypesReq req)
  TGetColumnsResp GetColumns(1: TGetColumnsReq req)
  TGetFunctionsResp GetFunctions(1: TGetFunctionsReq req)
  TGetPrimaryKeysResp GetPrimaryKeys(1: TGetPrimaryKeysReq req)
  TGetCrossReferenceResp GetCrossReference(1: TGetCrossReferenceReq req)
  TGetOperationStatusResp GetOperationStatus(1: TGetOperationStatusReq req)
  TCancelOperationResp CancelOperation(1: TCancelOperationReq req)
  TCloseOperationResp CloseOperation(1: TCloseOperationReq req)
  TGetResultSetMetadataResp GetResultSetMetadata(1: TGetResultSetMetadataReq req)
  TFetchResultsResp FetchResults(1: TFetchResultsReq req)
  TGetDelegationTokenResp GetDelegationToken(1: TGetDelegationTokenReq req)
  TCancelDelegationTokenResp CancelDelegationToken(1: TCancelDelegationTokenReq req)
  TRenewDelegationTokenResp RenewDelegationToken(1: TRenewDelegationTokenReq req)
  TGetQueryIdResp GetQueryId(1: TGetQueryIdReq req)
  TSetClientInfoResp SetClientInfo(1: TSetClientInfoReq req)
  TUploadDataResp UploadData(1: TUploadDataReq req)
  TDownloadDataResp DownloadData(1: TDownloadDataReq req)
}
