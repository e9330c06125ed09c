// BatchManager: Kyuubi's batch jobs (POST /api/v1/batches): submits them, follows them to the
// end, and keeps their state in the metadata store so that a restarted gateway finds them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kitsune/common/asio.h"
#include "kitsune/common/blocking_pool.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"
#include "kitsune/frontend/hs2_service.h"

namespace kitsune::batch {

// Kyuubi's BatchRequest.
struct BatchRequest {
  std::string batch_type;  // SPARK, PYSPARK or SQL (any case; stored upper-case)
  std::string resource;    // the jar, .py or .sql file (a path or URI); an upload's saved path
  std::string class_name;  // required for SPARK
  std::string name;
  std::map<std::string, std::string> conf;
  std::vector<std::string> args;
  std::map<std::string, std::string> extra_resources;  // conf key -> "file1,file2" (uploads)
};

// Kyuubi's Batch, as GET /batches/{id} shows it. Times in ms since the epoch, 0 when unknown.
struct Batch {
  std::string id;
  std::string user;
  std::string batch_type;
  std::string name;
  std::int64_t app_start_time = 0;
  std::string app_id;
  std::string app_url;
  std::string app_state;  // PENDING, RUNNING, FINISHED, KILLED, FAILED, NOT_FOUND, UNKNOWN
  std::string app_diagnostic;
  std::string kyuubi_instance;  // host:port of the REST frontend of the owning gateway
  std::string state;            // INITIALIZED, PENDING, RUNNING, FINISHED, ERROR, CANCELED, ...
  std::int64_t create_time = 0;
  std::int64_t end_time = 0;
  std::map<std::string, std::string> batch_info;
};

// GET /batches query parameters.
struct BatchFilter {
  std::string batch_type;
  std::string state;
  std::string user;
  std::string name;
  std::int64_t create_time = 0;  // created at or after (ms); 0: any
  std::int64_t end_time = 0;     // ended at or before (ms); 0: any
  int from = 0;
  int size = 100;
  bool desc = false;
};

// Who asks: the authenticated user, and whether kyuubi.server.administrators lists them. A
// non-administrator sees and acts on the batches of `user` only (proxy users are resolved by the
// caller before this point: `user` is then the proxied user).
struct Caller {
  std::string user;
  std::string real_user;
  std::string client_ip;
  bool administrator = false;
};

// A file uploaded with a multipart submission: `part` is the form part's name (resourceFile, or a
// name extraResourcesMap refers to), `file_name` the name the client gave.
struct Upload {
  std::string part;
  std::string file_name;
  std::string bytes;
};

struct LogSlice {
  std::vector<std::string> rows;
};

struct CloseResult {
  bool success = false;
  std::string message;
};

// What a batch needs from the rest of the gateway.
struct BatchEnvironment {
  // This gateway's REST frontend "host:port": the kyuubi_instance of the batches it owns.
  std::string instance;
  // Where uploads and batch logs go: $KYUUBI_WORK_DIR_ROOT. A batch's log is
  // <work_dir_root>/<user>/batch-<id>.log; its uploads are under <work_dir_root>/upload/<id>/.
  std::string work_dir_root;
  // $KYUUBI_HOME: what {{KYUUBI_HOME}} in kyuubi.metadata.store.jdbc.url expands to, and where
  // Spark is looked for when SPARK_HOME is unset. Empty: the KYUUBI_HOME environment variable,
  // else the parent of the directory of the running binary.
  std::filesystem::path kyuubi_home;
  // SQL batches run as sessions of this service (the gateway's own TCLIService), as `user`.
  frontend::Hs2Service* sql_service = nullptr;
  BlockingPool* pool = nullptr;
};

// Every call may be awaited from any executor, concurrently; database and file work runs on
// env.pool. Batches run on strands of the io_context given to create().
class BatchManager {
 public:
  virtual ~BatchManager() = default;

  // Opens the metadata store kyuubi.metadata.store.jdbc.* names (SQLite by default, PostgreSQL
  // for several gateways), creating its tables when asked to; an error names the key to fix.
  // Blocks for that (a startup step, before the io_context serves anything).
  static Result<std::unique_ptr<BatchManager>> create(asio::io_context& io,
                                                      const config::Conf& server_conf,
                                                      BatchEnvironment env);

  // Recovers the batches this instance owned before a restart (re-attached, or ended with why),
  // then starts the cleaner and the check for batches other gateways were asked to close. Once,
  // before any other call. Fails when the store cannot be read.
  virtual awaitable<Status> start() = 0;
  // Stops following batches (they stay in the store as they are, for the next start; Spark
  // batches' processes go on). Waits (at most 15 s) for the runners to leave: await it before
  // destroying the manager, the pool or the SQL service; a SQL batch waiting on the SQL service
  // leaves when that call returns, so closing the service's sessions first makes it prompt.
  virtual awaitable<void> stop() = 0;

  // Validates and stores the batch, then starts it. kError for a bad request (400), the existing
  // batch with batch_info["kyuubi.batch.duplicated"] = "true" for a known kyuubi.batch.id.
  // kPermissionDenied for a local SQL script the caller may not read; kUnavailable when the
  // store cannot be reached. Uploads are saved under <work_dir_root>/upload/<id>/.
  virtual awaitable<Result<Batch>> submit(const Caller& caller, BatchRequest request,
                                          std::vector<Upload> uploads) = 0;
  // The batches the filter selects (a non-administrator's filter is narrowed to their own).
  virtual awaitable<Result<std::vector<Batch>>> list(const Caller& caller,
                                                     const BatchFilter& filter) = 0;
  // kNotFound for an unknown id; kPermissionDenied for another user's batch.
  virtual awaitable<Result<Batch>> get(const Caller& caller, const std::string& id) = 0;
  // Lines [from, from + size) of the batch's submit log; from < 0: the last `size` lines.
  // kNotFound when this gateway has no log of it (the message names the gateway that ran it).
  virtual awaitable<Result<LogSlice>> local_log(const Caller& caller, const std::string& id,
                                                int from, int size) = 0;
  // Cancels a batch that has not ended (kills its process, cancels its SQL) and closes it:
  // success once it is CANCELED (waited for, up to kyuubi.session.engine.startup.destroy.timeout
  // and 10 s: spark-submit gets SIGTERM, then SIGKILL after that timeout; a SQL statement
  // is cancelled at its next status poll). A batch another gateway runs is marked for that
  // gateway to cancel (success: the request was recorded). An ended batch: success false.
  // kNotFound / kPermissionDenied as get().
  virtual awaitable<Result<CloseResult>> close(const Caller& caller, const std::string& id) = 0;
  // GET /admin/batch/count.
  virtual awaitable<Result<std::int64_t>> count(const BatchFilter& filter) = 0;
};

// The REST API's JSON forms (Kyuubi's DTO field names).
nlohmann::json to_json(const Batch& batch);
// A BatchRequest from POST /batches JSON; kError naming the field that is wrong.
Result<BatchRequest> batch_request_from_json(const nlohmann::json& json);

}  // namespace kitsune::batch
