// MetadataStore: Kyuubi's `metadata` table (batches) on SQLite or PostgreSQL. Every call blocks
// (a database round trip): callers run them on the BlockingPool. Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace kitsune::batch {

// One row of `metadata`, Kyuubi's columns (an empty string is NULL in the table), plus
// submit_process, Kitsune's: "<pid>:<start ticks>:<boot id>" of a Spark batch's spark-submit, so
// that a restarted gateway can find it again.
struct Metadata {
  std::string identifier;
  std::string session_type = "BATCH";
  std::string real_user;
  std::string user_name;
  std::string ip_address;
  std::string kyuubi_instance;
  std::string state;
  std::string resource;
  std::string class_name;
  std::string request_name;
  std::string request_conf;  // a JSON object
  std::string request_args;  // a JSON array
  std::int64_t create_time = 0;
  std::string engine_type;  // the batch type: SPARK, PYSPARK, SQL
  std::string cluster_manager;
  std::int64_t engine_open_time = 0;
  std::string engine_id;
  std::string engine_name;
  std::string engine_url;
  std::string engine_state;
  std::string engine_error;
  std::int64_t end_time = 0;
  int priority = 10;
  bool peer_instance_closed = false;
  std::string submit_process;
};

// Kyuubi's MetadataFilter: each set field narrows the selection.
struct MetadataFilter {
  std::string session_type;
  std::string engine_type;  // compared upper-case
  std::string user_name;
  std::vector<std::string> states;  // any of them
  std::string request_name;
  std::string kyuubi_instance;
  std::int64_t create_time = 0;  // created at or after
  std::int64_t end_time = 0;     // ended (end_time > 0) at or before
  std::optional<bool> peer_instance_closed;
};

// The columns an update sets; the others stay as they are.
struct MetadataUpdate {
  std::optional<std::string> state;
  std::optional<std::string> cluster_manager;
  std::optional<std::int64_t> engine_open_time;
  std::optional<std::string> engine_id;
  std::optional<std::string> engine_name;
  std::optional<std::string> engine_url;
  std::optional<std::string> engine_state;
  std::optional<std::string> engine_error;
  std::optional<std::int64_t> end_time;
  std::optional<bool> peer_instance_closed;
  std::optional<std::string> submit_process;
  bool empty() const;
};

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;

  // "SQLITE <file>" or "POSTGRESQL host=... dbname=... user=...": never a password.
  virtual std::string describe() const = 0;
  // Whether the table has the submit_process column (a table Kyuubi created, left without
  // schema init, may not): without it Spark batches cannot be re-attached after a restart.
  virtual bool has_submit_process() const = 0;

  // kError "duplicate" (code kDuplicate) when the identifier exists; kUnavailable when the
  // database cannot be reached.
  virtual Status insert(const Metadata& row) = 0;
  virtual Result<std::optional<Metadata>> get(const std::string& identifier) = 0;
  // Ordered by key_id (insertion order), descending when `desc`; `size` rows from `from`.
  virtual Result<std::vector<Metadata>> list(const MetadataFilter& filter, int from, int size,
                                             bool desc) = 0;
  virtual Result<std::int64_t> count(const MetadataFilter& filter) = 0;
  // Whether a row was updated (false: no such identifier). With `unless_ended`, a row whose
  // state is terminal is left as it is (and false returned).
  virtual Result<bool> update(const std::string& identifier, const MetadataUpdate& update,
                              bool unless_ended = false) = 0;
  // Deletes up to `limit` terminal rows that ended before `end_before` (ms); returns them.
  virtual Result<std::vector<Metadata>> clean(std::int64_t end_before, int limit) = 0;
};

// The error_code of an insert whose identifier exists.
constexpr int kDuplicate = 1062;

// Batch states that do not change any more.
bool is_terminal_state(const std::string& state);
// Every state that is not terminal.
const std::vector<std::string>& active_states();

struct StoreOptions {
  // What {{KYUUBI_HOME}} in the URL expands to.
  std::filesystem::path kyuubi_home;
};

// Opens the store kyuubi.metadata.store.jdbc.* names: jdbc:sqlite:<file> (the file and its
// directory are created) or jdbc:postgresql://host[:port]/db with the jdbc.user and password.
// With kyuubi.metadata.store.jdbc.database.schema.init the table and its indexes are created when
// missing. MYSQL and CUSTOM are refused. An error names the key to fix.
Result<std::unique_ptr<MetadataStore>> open_metadata_store(const config::Conf& conf,
                                                           const StoreOptions& options);

}  // namespace kitsune::batch
