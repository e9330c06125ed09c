// BatchManager: validates and stores batch submissions, starts their runners, answers from the
// metadata store, recovers this instance's batches at start, and runs the cleaner and the check
// for batches other gateways asked to close.
#include "kitsune/batch/batch_manager.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "batch_core.h"
#include "batch_files.h"
#include "kitsune/common/log.h"
#include "kitsune/common/poll.h"
#include "kitsune/common/random.h"
#include "kitsune/common/strings.h"
#include "kitsune/config/keys.h"
#include "kitsune/config/session_conf.h"
#include "process_identity.h"
#include "sql_script.h"

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace kitsune::batch {

namespace fs = std::filesystem;
namespace k = config::keys;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kBatchIdKey = "kyuubi.batch.id";
constexpr std::string_view kPriorityKey = "kyuubi.batch.priority";
constexpr std::string_view kUploadedKey = "kyuubi.batch.resource.uploaded";
constexpr std::string_view kDuplicatedKey = "kyuubi.batch.duplicated";
constexpr std::string_view kBatchConfPrefix = "kyuubi.batchConf.";
constexpr std::string_view kResourcePart = "resourceFile";
// The variable kitsune-engine reads its secrets from: nothing a batch may inherit.
constexpr std::string_view kSecretConfEnv = "KITSUNE_ENGINE_SECRET_CONF";
constexpr int kCleanerBatchSize = 1000;
constexpr int kRecoveryPage = 500;
constexpr int kFinalUpdateAttempts = 10;
// stop() waits this long for runners to leave: a SQL batch leaves when its current call to the
// SQL service returns (a status poll returns within kyuubi.operation.status.polling.timeout).
constexpr std::chrono::seconds kStopTimeout{15};

std::shared_ptr<spdlog::logger> log() {
  return logger("batch");
}

const std::set<std::string, std::less<>>& batch_types() {
  static const std::set<std::string, std::less<>> types = {"SPARK", "PYSPARK", "SQL"};
  return types;
}

bool is_spark(const std::string& type) {
  return type == "SPARK" || type == "PYSPARK";
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

fs::path default_kyuubi_home() {
  if (const char* home = std::getenv("KYUUBI_HOME"); home && *home) return home;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return fs::current_path(ec);
  return self.parent_path().parent_path();
}

Batch batch_of(const Metadata& m) {
  Batch b;
  b.id = m.identifier;
  b.user = m.user_name;
  b.batch_type = m.engine_type;
  b.name = m.request_name;
  b.app_start_time = m.engine_open_time;
  b.app_id = m.engine_id;
  b.app_url = m.engine_url;
  b.app_state = m.engine_state;
  b.app_diagnostic = m.engine_error;
  b.kyuubi_instance = m.kyuubi_instance;
  b.state = m.state;
  b.create_time = m.create_time;
  b.end_time = m.end_time;
  return b;
}

MetadataFilter filter_of(const BatchFilter& f) {
  MetadataFilter out;
  out.session_type = "BATCH";
  out.engine_type = f.batch_type;
  out.user_name = f.user;
  if (!f.state.empty()) out.states = {to_upper(f.state)};
  out.request_name = f.name;
  out.create_time = f.create_time;
  out.end_time = f.end_time;
  return out;
}

bool may_see(const Caller& caller, const Metadata& m) {
  return caller.administrator || caller.user == m.user_name;
}

// A user name becomes a directory under the work dir: it must stay a single name there.
Status check_user(const std::string& user) {
  if (user.empty()) return Status::error("a batch needs a user");
  Status s = check_file_name(user, "the user");
  if (!s.is_ok()) return Status::error("the user name '" + user + "' cannot name a directory");
  return Status::ok();
}

// Whether a SQL batch may read the local script `path`: an administrator's batch may read what
// the server can; another user's only a file that user owns (the log shows each statement, so a
// script of someone else's would be read back through it).
Status may_read_script(const Caller& caller, const std::string& user, const fs::path& path) {
  if (caller.administrator) return Status::ok();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Status::error("cannot read the SQL script " + path.string());
  }
  std::vector<char> buffer(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwnam_r(user.c_str(), &pw, buffer.data(), buffer.size(), &found) == 0 && found &&
      found->pw_uid == st.st_uid) {
    return Status::ok();
  }
  return Status::permission_denied("the SQL script " + path.string() + " does not belong to " +
                                   user + ": upload it with the batch instead");
}

}  // namespace

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Settings read_settings(const config::Conf& conf, const BatchEnvironment& env) {
  Settings s;
  s.instance = env.instance;
  s.work_dir_root = env.work_dir_root;
  s.kyuubi_home = env.kyuubi_home.empty() ? default_kyuubi_home() : env.kyuubi_home;
  s.check_interval = std::max<std::chrono::milliseconds>(
      conf.get(k::kBatchApplicationCheckInterval), std::chrono::milliseconds(10));
  s.cleaner_enabled = conf.get(k::kMetadataCleanerEnabled);
  s.cleaner_interval = std::max<std::chrono::milliseconds>(conf.get(k::kMetadataCleanerInterval),
                                                           std::chrono::milliseconds(10));
  s.max_age = conf.get(k::kMetadataMaxAge);
  s.search_window =
      conf.get_if_set(k::kMetadataSearchWindow).value_or(std::chrono::milliseconds(0));
  s.resource_max_size = conf.get(k::kBatchResourceFileMaxSize);
  s.extra_resource_max_size = conf.get(k::kBatchExtraResourceFileMaxSize);
  s.body_max_size = conf.get(k::kFrontendRestMaxBodySize);
  s.upload_enabled = conf.get(k::kBatchResourceUploadEnabled);
  s.conf_ignore_list = conf.get(k::kBatchConfIgnoreList);
  s.do_as = conf.get(k::kEngineDoAsEnabled);
  s.destroy_timeout = conf.get(k::kSessionEngineStartupDestroyTimeout);
  s.redactor = std::make_shared<config::Redactor>(conf.get(k::kServerRedactionRegex));
  for (char** e = environ; e && *e; ++e) {
    const std::string_view entry(*e);
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    s.spark_env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  for (const auto& [name, value] : config::engine_env(conf))
    s.spark_env[name] = value;
  s.spark_env.erase(std::string(kSecretConfEnv));
  s.server_conf = conf;
  return s;
}

// ---- Core ------------------------------------------------------------------------------------

awaitable<bool> Core::update(std::string id, MetadataUpdate update, bool final) {
  auto delay = 200ms;
  for (int attempt = 1;; ++attempt) {
    auto call = [id, update](MetadataStore& s) { return s.update(id, update, true); };
    auto done = co_await db(std::move(call));
    if (done) co_return *done;
    if (!final || attempt >= kFinalUpdateAttempts || stopping) {
      log()->warn("batch {}: cannot update the metadata store: {}", id, done.status().message());
      co_return false;
    }
    log()->warn("batch {}: cannot record its end yet ({}); trying again", id,
                done.status().message());
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(delay);
    error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    delay = std::min<std::chrono::milliseconds>(delay * 2, 5000ms);
  }
}

awaitable<void> Core::append_log(fs::path file, std::vector<std::string> lines) {
  auto call = [file, lines = std::move(lines)] { return append_lines(file, lines); };
  Status written = co_await blocking(std::move(call));
  if (!written.is_ok()) log()->warn("{}", written.message());
}

fs::path Core::user_dir(const std::string& user) const {
  return settings.work_dir_root / user;
}
fs::path Core::log_path(const std::string& user, const std::string& id) const {
  return user_dir(user) / ("batch-" + id + ".log");
}
fs::path Core::exit_path(const std::string& user, const std::string& id) const {
  return user_dir(user) / ("batch-" + id + ".exit");
}
fs::path Core::upload_dir(const std::string& id) const {
  return settings.work_dir_root / "upload" / id;
}

std::shared_ptr<Job> Core::add_job(std::string id, std::string user, std::string type) {
  auto job = std::make_shared<Job>();
  job->log = log_path(user, id);
  job->id = std::move(id);
  job->user = std::move(user);
  job->type = std::move(type);
  std::lock_guard lock(mu_);
  jobs_[job->id] = job;
  return job;
}

std::shared_ptr<Job> Core::find_job(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  return it == jobs_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Job>> Core::all_jobs() const {
  std::vector<std::shared_ptr<Job>> out;
  std::lock_guard lock(mu_);
  for (const auto& [id, job] : jobs_)
    out.push_back(job);
  return out;
}

void Core::remove_job(const std::shared_ptr<Job>& job) {
  job->done = true;
  std::lock_guard lock(mu_);
  if (auto it = jobs_.find(job->id); it != jobs_.end() && it->second == job) jobs_.erase(it);
}

void Core::spawn(awaitable<void> task, std::shared_ptr<Job> job) {
  ++tasks_;
  auto self = shared_from_this();
  auto done = [self, job](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        log()->error("a batch task failed (a bug){}: {}", job ? " for batch " + job->id : "",
                     ex.what());
      }
    }
    if (job) self->remove_job(job);
    --self->tasks_;
  };
  asio::co_spawn(asio::make_strand(io), std::move(task), std::move(done));
}

void Core::wake_all() {
  for (const auto& job : all_jobs())
    job->wake.notify_all();
  loops_wake_.notify_all();
}

std::vector<std::pair<std::string, std::string>> conf_of(const Metadata& batch) {
  std::vector<std::pair<std::string, std::string>> out;
  auto parsed = nlohmann::json::parse(batch.request_conf, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return out;
  for (const auto& [key, value] : parsed.items()) {
    if (value.is_string()) out.emplace_back(key, value.get<std::string>());
  }
  return out;
}

std::vector<std::string> args_of(const Metadata& batch) {
  std::vector<std::string> out;
  auto parsed = nlohmann::json::parse(batch.request_args, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return out;
  for (const auto& value : parsed) {
    if (value.is_string()) out.push_back(value.get<std::string>());
  }
  return out;
}

// ---- the manager -----------------------------------------------------------------------------

namespace {

class BatchManagerImpl final : public BatchManager {
 public:
  explicit BatchManagerImpl(std::shared_ptr<Core> core) : core_(std::move(core)) {}

  ~BatchManagerImpl() override {
    // stop() should have been awaited; runners still alive leave at their next step.
    core_->stopping = true;
    core_->wake_all();
  }

  awaitable<Status> start() override {
    if (started_.exchange(true)) co_return Status::internal("BatchManager::start called twice");
    Status recovered = co_await recover();
    if (!recovered.is_ok()) co_return recovered;
    if (core_->settings.cleaner_enabled) core_->spawn(cleaner(core_), nullptr);
    core_->spawn(peer_check(core_), nullptr);
    log()->info("batches: metadata store {}, instance {}, work dir {}", core_->store->describe(),
                core_->settings.instance, core_->settings.work_dir_root.string());
    co_return Status::ok();
  }

  awaitable<void> stop() override {
    core_->stopping = true;
    core_->wake_all();
    std::shared_ptr<Core> core = core_;
    const auto deadline = Clock::now() + kStopTimeout;
    std::function<bool()> idle = [core, deadline] {
      core->wake_all();  // a runner that was between two waits
      return core->tasks() == 0 || Clock::now() >= deadline;
    };
    co_await poll_until(std::move(idle), 20ms);
    if (core->tasks() > 0) {
      log()->warn("{} batch task(s) still wait for a call to return; they end with the gateway",
                  core->tasks());
    }
  }

  awaitable<Result<Batch>> submit(const Caller& caller, BatchRequest request,
                                  std::vector<Upload> uploads) override;

  awaitable<Result<std::vector<Batch>>> list(const Caller& caller,
                                             const BatchFilter& filter) override {
    if (filter.from < 0) co_return Status::error("The start index to fetch batches should be >= 0");
    if (filter.size <= 0)
      co_return Status::error("The maximum number of batches to fetch should be > 0");
    MetadataFilter f = filter_of(filter);
    if (!caller.administrator) {
      if (!f.user_name.empty() && f.user_name != caller.user) co_return std::vector<Batch>{};
      f.user_name = caller.user;
    }
    if (core_->settings.search_window.count() > 0) {
      f.create_time = std::max(f.create_time, now_ms() - core_->settings.search_window.count());
    }
    auto call = [f, from = filter.from, size = filter.size, desc = filter.desc](MetadataStore& s) {
      return s.list(f, from, size, desc);
    };
    auto rows = co_await core_->db(std::move(call));
    if (!rows) co_return rows.status();
    std::vector<Batch> out;
    out.reserve(rows->size());
    for (const auto& m : *rows)
      out.push_back(batch_of(m));
    co_return out;
  }

  awaitable<Result<Batch>> get(const Caller& caller, const std::string& id) override {
    auto found = co_await fetch(caller, id);
    if (!found) co_return found.status();
    co_return batch_of(*found);
  }

  awaitable<Result<LogSlice>> local_log(const Caller& caller, const std::string& id, int from,
                                        int size) override {
    if (size < 0) co_return Status::error("size must not be negative");
    auto found = co_await fetch(caller, id);
    if (!found) co_return found.status();
    const fs::path file = core_->log_path(found->user_name, found->identifier);
    auto read = [file, from, size] { return read_log_slice(file, from, size); };
    auto slice = co_await core_->blocking(std::move(read));
    if (!slice && slice.status().code() == StatusCode::kNotFound &&
        found->kyuubi_instance != core_->settings.instance) {
      co_return Status::not_found("No local log of batch " + id + " on this gateway: it ran on " +
                                  found->kyuubi_instance);
    }
    if (!slice) co_return Status::not_found("No local log found for batch " + id);
    co_return slice;
  }

  awaitable<Result<CloseResult>> close(const Caller& caller, const std::string& id) override;

  awaitable<Result<std::int64_t>> count(const BatchFilter& filter) override {
    MetadataFilter f = filter_of(filter);
    auto call = [f](MetadataStore& s) { return s.count(f); };
    co_return co_await core_->db(std::move(call));
  }

 private:
  // The batch's row, if the caller may see it.
  awaitable<Result<Metadata>> fetch(const Caller& caller, const std::string& id) {
    auto call = [id](MetadataStore& s) { return s.get(id); };
    auto row = co_await core_->db(std::move(call));
    if (!row) co_return row.status();
    if (!*row || (*row)->session_type != "BATCH") {
      co_return Status::not_found("Invalid batchId: " + id);
    }
    if (!may_see(caller, **row)) {
      co_return Status::permission_denied(caller.user + " is not allowed to see batch " + id +
                                          " of " + (*row)->user_name);
    }
    co_return std::move(**row);
  }

  awaitable<Status> recover();
  static awaitable<void> cleaner(std::shared_ptr<Core> core);
  static awaitable<void> peer_check(std::shared_ptr<Core> core);
  awaitable<void> remove_uploads(std::string id) {
    const fs::path dir = core_->upload_dir(id);
    auto remove = [dir] {
      std::error_code ec;
      fs::remove_all(dir, ec);
    };
    co_await core_->blocking(std::move(remove));
  }

  std::shared_ptr<Core> core_;
  std::atomic<bool> started_{false};
};

// Kyuubi's batch conf: the request's conf as a session's would be normalised (restrict list,
// server-only keys, ignore list), less kyuubi.batch.conf.ignore.list, over the server's
// kyuubi.batchConf.<type>.* defaults.
Result<std::map<std::string, std::string>> batch_conf(const Settings& s, const std::string& type,
                                                      const std::map<std::string, std::string>& in,
                                                      const std::string& id) {
  auto normalized = config::normalize_session_conf(in, s.server_conf);
  if (!normalized) return normalized.status();
  for (const auto& key : normalized->dropped_server_only) {
    log()->warn("batch {}: the server-only key {} in its conf is ignored", id, key);
  }
  std::map<std::string, std::string> out;
  const std::string prefix = std::string(kBatchConfPrefix) + to_lower(type) + ".";
  for (const auto& [key, value] : s.server_conf.entries()) {
    if (key.size() > prefix.size() && key.starts_with(prefix))
      out[key.substr(prefix.size())] = value;
  }
  for (const auto& [key, value] : normalized->entries) {
    if (config::matches_key_list(s.conf_ignore_list, key)) continue;
    out[key] = value;
  }
  return out;
}

awaitable<Result<Batch>> BatchManagerImpl::submit(const Caller& caller, BatchRequest request,
                                                  std::vector<Upload> uploads) {
  const Settings& s = core_->settings;
  if (core_->stopping) co_return Status::unavailable("the gateway is stopping: no new batches");
  if (Status user = check_user(caller.user); !user.is_ok()) co_return user;
  const std::string type = to_upper(trim(request.batch_type));
  if (!batch_types().contains(type)) {
    co_return Status::error(
        (request.batch_type.empty() ? std::string("(no batchType)") : request.batch_type) +
        " is not in the supported list: [SPARK, PYSPARK, SQL]");
  }

  // The id: kyuubi.batch.id when the client chose one (an idempotent submission), else new.
  std::string id;
  if (auto it = request.conf.find(std::string(kBatchIdKey)); it != request.conf.end()) {
    id = to_lower(trim(it->second));
    if (!is_uuid(id)) co_return Status::error(std::string(kBatchIdKey) + " must be a UUID");
    auto lookup = [id](MetadataStore& st) { return st.get(id); };
    auto existing = co_await core_->db(std::move(lookup));
    if (!existing) co_return existing.status();
    if (*existing) {
      if (!may_see(caller, **existing)) {
        co_return Status::permission_denied("batch " + id + " belongs to another user");
      }
      log()->info("batch {} exists: a duplicated submission by {}", id, caller.user);
      Batch b = batch_of(**existing);
      b.batch_info[std::string(kDuplicatedKey)] = "true";
      co_return b;
    }
  } else {
    id = random_uuid();
  }

  auto conf = batch_conf(s, type, request.conf, id);
  if (!conf) co_return conf.status();
  int priority = 10;
  if (auto it = conf->find(std::string(kPriorityKey)); it != conf->end()) {
    auto parsed = config::parse_long(it->second);
    if (!parsed || *parsed < 0 || *parsed > 1000000) {
      co_return Status::error(std::string(kPriorityKey) + " must be a number");
    }
    priority = static_cast<int>(*parsed);
  }

  // Uploads: the resource and the extra resources the request names, saved under upload/<id>.
  bool uploaded = false;
  if (!uploads.empty()) {
    if (!s.upload_enabled) {
      co_return Status::error("Batch resource upload function is disabled (" +
                              std::string(k::kBatchResourceUploadEnabled.name()) + "=false)");
    }
    std::map<std::string, const Upload*> parts;
    for (const auto& u : uploads) {
      Status name = check_file_name(u.file_name, "the upload of part " + u.part);
      if (!name.is_ok()) co_return name;
      parts[u.part] = &u;
    }
    std::vector<std::pair<std::string, const Upload*>> to_save;  // (kind, upload)
    if (auto it = parts.find(std::string(kResourcePart)); it != parts.end()) {
      if (s.resource_max_size > 0 &&
          static_cast<std::int64_t>(it->second->bytes.size()) > s.resource_max_size) {
        co_return Status::error("the resource file " + it->second->file_name + " is larger than " +
                                std::string(k::kBatchResourceFileMaxSize.name()) + "=" +
                                std::to_string(s.resource_max_size) + " bytes");
      }
      to_save.emplace_back("resource", it->second);
    }
    std::map<std::string, std::vector<std::string>> extra_paths;  // conf key -> saved paths
    for (const auto& [key, names] : request.extra_resources) {
      for (const auto& name : split(names, ',')) {
        auto it = parts.find(name);
        if (it == parts.end()) {
          co_return Status::error("Missing extra resource file part: " + name);
        }
        if (s.extra_resource_max_size > 0 &&
            static_cast<std::int64_t>(it->second->bytes.size()) > s.extra_resource_max_size) {
          co_return Status::error("the extra resource file " + it->second->file_name +
                                  " is larger than " +
                                  std::string(k::kBatchExtraResourceFileMaxSize.name()) + "=" +
                                  std::to_string(s.extra_resource_max_size) + " bytes");
        }
        to_save.emplace_back(key, it->second);
      }
    }
    const fs::path dir = core_->upload_dir(id);
    std::vector<std::pair<std::string, std::pair<std::string, std::string>>> files;
    std::set<std::string> names;
    for (const auto& [kind, upload] : to_save) {
      if (names.insert(upload->file_name).second) {
        files.push_back({kind, {upload->file_name, upload->bytes}});
      }
      const std::string path = (dir / upload->file_name).string();
      if (kind == "resource") {
        request.resource = path;
        uploaded = true;
      } else {
        extra_paths[kind].push_back(path);
      }
    }
    auto save = [dir, files = std::move(files)]() -> Status {
      for (const auto& [kind, file] : files) {
        Status saved = save_file(dir, file.first, file.second);
        if (!saved.is_ok()) {
          std::error_code ec;
          fs::remove_all(dir, ec);
          return saved;
        }
      }
      return Status::ok();
    };
    Status saved = co_await core_->blocking(std::move(save));
    if (!saved.is_ok()) co_return saved;
    for (const auto& [key, paths] : extra_paths)
      (*conf)[key] = join(paths, ",");
  }

  // What the batch needs, as Kyuubi requires it.
  const std::string resource(trim(request.resource));
  Status invalid;
  if (resource.empty()) {
    invalid = Status::error("resource is a required parameter");
  } else if (type == "SPARK" && trim(request.class_name).empty()) {
    invalid = Status::error("classname is a required parameter for SPARK");
  }
  SqlBatchInput sql;
  if (invalid.is_ok() && type == "SQL") {
    fs::path script = resource;
    if (resource.starts_with("file:")) {
      std::string_view p = resource;
      p.remove_prefix(5);
      while (p.starts_with("//"))
        p.remove_prefix(1);
      script = std::string(p);
    }
    if (!uploaded && resource.find("://") != std::string::npos) {
      invalid = Status::error("a SQL batch's resource must be an uploaded script or a local file");
    } else if (!uploaded && !script.is_absolute()) {
      invalid = Status::error("a SQL batch's local script must be named by an absolute path");
    } else {
      const std::int64_t cap = s.resource_max_size > 0 ? s.resource_max_size : s.body_max_size;
      // The owner check may ask NSS (LDAP, ...) about the user: off the event loop too.
      auto read = [script, cap, uploaded, who = caller]() -> Result<std::string> {
        if (!uploaded) {
          Status allowed = may_read_script(who, who.user, script);
          if (!allowed.is_ok()) return allowed;
        }
        return read_small_file(script, cap);
      };
      auto text = co_await core_->blocking(std::move(read));
      if (!text) {
        invalid = text.status();
      } else {
        sql.statements = split_sql_statements(*text);
        if (sql.statements.empty()) invalid = Status::error("the SQL script has no statements");
      }
    }
    for (const auto& [key, value] : *conf) {
      if (!key.starts_with(kBatchConfPrefix)) sql.session_conf[key] = value;
    }
  }
  if (!invalid.is_ok()) {
    if (uploaded || !request.extra_resources.empty()) co_await remove_uploads(id);
    co_return invalid;
  }

  // Kyuubi's reserved keys, recorded with the request's conf.
  (*conf)[std::string(kBatchIdKey)] = id;
  (*conf)[std::string(kUploadedKey)] = uploaded ? "true" : "false";
  (*conf)["kyuubi.client.ipAddress"] = caller.client_ip;
  (*conf)["kyuubi.session.connection.url"] = s.instance;
  (*conf)["kyuubi.session.real.user"] = caller.real_user.empty() ? caller.user : caller.real_user;

  Metadata m;
  m.identifier = id;
  m.real_user = caller.real_user.empty() ? caller.user : caller.real_user;
  m.user_name = caller.user;
  m.ip_address = caller.client_ip;
  m.kyuubi_instance = s.instance;
  m.state = "INITIALIZED";
  m.resource = resource;
  m.class_name = std::string(trim(request.class_name));
  m.request_name = request.name;
  m.request_conf = nlohmann::json(*conf).dump();
  m.request_args = nlohmann::json(request.args).dump();
  m.create_time = now_ms();
  m.engine_type = type;
  m.priority = priority;

  // Registered before it is stored, so that the peer check and close() always find it here.
  std::shared_ptr<Job> job = core_->add_job(id, caller.user, type);
  auto insert = [m](MetadataStore& st) { return st.insert(m); };
  Status inserted = co_await core_->db(std::move(insert));
  if (!inserted.is_ok()) {
    core_->remove_job(job);
    if (uploaded || !request.extra_resources.empty()) co_await remove_uploads(id);
    if (inserted.error_code() == kDuplicate) {
      // Submitted twice at once with one kyuubi.batch.id: the other one won.
      auto lookup = [id](MetadataStore& st) { return st.get(id); };
      auto existing = co_await core_->db(std::move(lookup));
      if (existing && *existing) {
        Batch b = batch_of(**existing);
        b.batch_info[std::string(kDuplicatedKey)] = "true";
        co_return b;
      }
    }
    co_return inserted;
  }
  log()->info("batch {} of {} ({}) submitted from {}: {}", id, caller.user, type,
              caller.client_ip.empty() ? "?" : caller.client_ip, resource);
  if (type == "SQL") {
    core_->spawn(run_sql_batch(core_, job, m, std::move(sql)), job);
  } else {
    core_->spawn(run_spark_batch(core_, job, m), job);
  }
  co_return batch_of(m);
}

awaitable<Result<CloseResult>> BatchManagerImpl::close(const Caller& caller,
                                                       const std::string& id) {
  auto found = co_await fetch(caller, id);
  if (!found) co_return found.status();
  const Metadata& m = *found;
  CloseResult out;
  if (is_terminal_state(m.state)) {
    co_await remove_uploads(id);
    out.success = false;
    out.message = "The batch " + id + " has already ended: " + m.state;
    co_return out;
  }
  if (auto job = core_->find_job(id)) {
    log()->info("batch {}: {} asks to close it", id, caller.user);
    job->cancel = true;
    job->wake.notify_all();
    const auto deadline = Clock::now() + core_->settings.destroy_timeout + 10s;
    std::function<bool()> ended = [job, deadline] {
      return job->done.load() || Clock::now() >= deadline;
    };
    co_await poll_until(std::move(ended), 20ms);
    auto lookup = [id](MetadataStore& st) { return st.get(id); };
    auto now = co_await core_->db(std::move(lookup));
    const std::string state = now && *now ? (*now)->state : std::string("UNKNOWN");
    co_await remove_uploads(id);
    out.success = state == "CANCELED";
    out.message = out.success ? "Batch " + id + " cancelled"
                              : "Batch " + id + " is " + state + " (it was not cancelled)";
    co_return out;
  }
  if (m.kyuubi_instance != core_->settings.instance) {
    // Another gateway runs it: it cancels the batches whose peer_instance_closed is set.
    MetadataUpdate u;
    u.peer_instance_closed = true;
    auto call = [id, u](MetadataStore& st) { return st.update(id, u, true); };
    auto marked = co_await core_->db(std::move(call));
    if (!marked) co_return marked.status();
    out.success = *marked;
    out.message =
        *marked ? "Batch " + id + " runs on " + m.kyuubi_instance + ", which was asked to cancel it"
                : "The batch " + id + " has already ended";
    co_return out;
  }
  // Ours in the store, yet not running here (its runner is gone): it can only be ended.
  MetadataUpdate u;
  u.state = "CANCELED";
  u.end_time = now_ms();
  u.engine_error = "closed while no runner followed it";
  auto call = [id, u](MetadataStore& st) { return st.update(id, u, true); };
  auto marked = co_await core_->db(std::move(call));
  if (!marked) co_return marked.status();
  out.success = *marked;
  out.message = "Batch " + id + " closed";
  co_return out;
}

awaitable<Status> BatchManagerImpl::recover() {
  MetadataFilter f;
  f.session_type = "BATCH";
  f.kyuubi_instance = core_->settings.instance;
  f.states = active_states();
  std::vector<Metadata> found;
  for (int from = 0;; from += kRecoveryPage) {
    auto call = [f, from](MetadataStore& s) { return s.list(f, from, kRecoveryPage, false); };
    auto rows = co_await core_->db(std::move(call));
    if (!rows) co_return rows.status();
    for (auto& m : *rows)
      found.push_back(std::move(m));
    if (rows->size() < static_cast<std::size_t>(kRecoveryPage)) break;
  }
  for (Metadata& m : found) {
    if (is_spark(m.engine_type) && !m.submit_process.empty() && process_alive(m.submit_process)) {
      auto job = core_->add_job(m.identifier, m.user_name, m.engine_type);
      core_->spawn(follow_spark_batch(core_, job, m), job);
      continue;
    }
    if (is_spark(m.engine_type)) {
      co_await end_orphan_spark_batch(core_, m);
      continue;
    }
    const std::string why = "The gateway restarted while the batch was " + m.state +
                            "; its SQL session ended with the previous gateway process";
    MetadataUpdate u;
    u.state = "ERROR";
    u.engine_state = "FAILED";
    u.engine_error = why;
    u.end_time = now_ms();
    co_await core_->update(m.identifier, std::move(u), /*final=*/true);
    std::vector<std::string> lines{"Batch " + m.identifier + " ended: ERROR (" + why + ")"};
    co_await core_->append_log(core_->log_path(m.user_name, m.identifier), std::move(lines));
    log()->warn("batch {} of {}: {}", m.identifier, m.user_name, why);
  }
  co_return Status::ok();
}

awaitable<void> BatchManagerImpl::cleaner(std::shared_ptr<Core> core) {
  while (!core->stopping) {
    const std::int64_t cutoff = now_ms() - core->settings.max_age.count();
    auto call = [cutoff](MetadataStore& s) { return s.clean(cutoff, kCleanerBatchSize); };
    auto cleaned = co_await core->db(std::move(call));
    if (!cleaned) {
      log()->warn("metadata cleaner: {}", cleaned.status().message());
    } else if (!cleaned->empty()) {
      std::vector<fs::path> files;
      for (const auto& m : *cleaned) {
        if (m.kyuubi_instance != core->settings.instance) continue;
        files.push_back(core->upload_dir(m.identifier));
        files.push_back(core->log_path(m.user_name, m.identifier));
        files.push_back(core->exit_path(m.user_name, m.identifier));
      }
      auto remove = [files] {
        for (const auto& file : files) {
          std::error_code ec;
          fs::remove_all(file, ec);
        }
      };
      co_await core->blocking(std::move(remove));
      log()->info("metadata cleaner: deleted {} batch(es) that ended more than {} ms ago",
                  cleaned->size(), core->settings.max_age.count());
      if (cleaned->size() >= static_cast<std::size_t>(kCleanerBatchSize)) continue;
    }
    const std::uint64_t seen = core->loops_wake().generation();
    if (core->stopping) break;
    co_await core->loops_wake().wait_until(seen, Clock::now() + core->settings.cleaner_interval);
  }
}

awaitable<void> BatchManagerImpl::peer_check(std::shared_ptr<Core> core) {
  while (!core->stopping) {
    MetadataFilter f;
    f.session_type = "BATCH";
    f.kyuubi_instance = core->settings.instance;
    f.states = active_states();
    f.peer_instance_closed = true;
    auto call = [f](MetadataStore& s) { return s.list(f, 0, 1000, false); };
    auto rows = co_await core->db(std::move(call));
    if (rows) {
      for (const auto& m : *rows) {
        if (auto job = core->find_job(m.identifier); job && !job->cancel) {
          log()->info("batch {}: another gateway asked to close it", m.identifier);
          job->cancel = true;
          job->wake.notify_all();
        }
      }
    }
    const std::uint64_t seen = core->loops_wake().generation();
    if (core->stopping) break;
    co_await core->loops_wake().wait_until(seen, Clock::now() + core->settings.check_interval);
  }
}

}  // namespace

Result<std::unique_ptr<BatchManager>> BatchManager::create(asio::io_context& io,
                                                           const config::Conf& server_conf,
                                                           BatchEnvironment env) {
  if (env.pool == nullptr) return Status::internal("BatchManager needs a blocking pool");
  if (env.work_dir_root.empty()) return Status::error("BatchManager needs a work dir root");
  Settings settings = read_settings(server_conf, env);
  env.kyuubi_home = settings.kyuubi_home;
  StoreOptions options;
  options.kyuubi_home = settings.kyuubi_home;
  auto store = open_metadata_store(server_conf, options);
  if (!store) return store.status();
  std::shared_ptr<MetadataStore> shared = std::move(store).value();
  auto core = std::make_shared<Core>(io, std::move(settings), std::move(env), std::move(shared));
  return std::unique_ptr<BatchManager>(std::make_unique<BatchManagerImpl>(std::move(core)));
}

}  // namespace kitsune::batch
