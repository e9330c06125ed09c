// kitsune-ctl's REST commands, as kyuubi-ctl's: batches created from YAML files, shown, listed,
// followed through their submit log and deleted; the live sessions listed.
#include "rest_commands.h"

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "batch_file.h"
#include "http_client.h"
#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "kitsune/config/keys.h"
#include "kitsune/transport/spnego.h"
#include "table.h"

namespace kitsune::ctl {

namespace {

namespace k = config::keys;
using nlohmann::json;

// Kyuubi's REST client keys that Kitsune's key table does not define (yet): read raw.
constexpr std::string_view kRestBaseUrlKey = "kyuubi.ctl.rest.base.url";
constexpr std::string_view kRestAuthSchemaKey = "kyuubi.ctl.rest.auth.schema";
constexpr std::string_view kRestSpnegoHostKey = "kyuubi.ctl.rest.spnego.host";

// ---- JSON fields, tolerant of nulls and missing ones ----

std::string text(const json& j, const char* key) {
  if (!j.is_object()) return {};
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::int64_t number(const json& j, const char* key) {
  if (!j.is_object()) return 0;
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  return it->get<std::int64_t>();
}

// "yyyy-MM-dd HH:mm:ss" in local time; "" for an unknown time (0).
std::string date(std::int64_t millis) {
  if (millis <= 0) return {};
  const std::time_t t = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buffer[32];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &tm);
  return std::string(buffer, n);
}

// ---- batch states (Kyuubi's BatchUtils, with the states Kitsune's batches may also end in) ----

bool is_terminal(std::string_view state) {
  return state == "FINISHED" || state == "ERROR" || state == "CANCELED" || state == "TIMEOUT" ||
         state == "CLOSED";
}
bool is_pending(std::string_view state) {
  return state == "PENDING" || state == "INITIALIZED";
}
bool is_finished(std::string_view state) {
  return state == "FINISHED";
}

// ---- rendering, as kyuubi-ctl's Render ----

const Row kBatchColumns = {
    "Batch Id", "Type", "Name", "User", "State", "Batch App Info", "Kyuubi Instance", "Time Range"};

std::vector<std::string> app_info(const json& batch, bool diagnostic) {
  std::vector<std::string> info;
  if (auto v = text(batch, "appId"); !v.empty()) info.push_back("App Id: " + v);
  if (auto v = text(batch, "appUrl"); !v.empty()) info.push_back("App Url: " + v);
  if (auto v = text(batch, "appState"); !v.empty()) info.push_back("App State: " + v);
  if (diagnostic) {
    if (auto v = text(batch, "appDiagnostic"); !v.empty()) info.push_back("App Diagnostic: " + v);
  }
  return info;
}

Row batch_row(const json& batch, bool diagnostic) {
  return {text(batch, "id"),
          text(batch, "batchType"),
          text(batch, "name"),
          text(batch, "user"),
          text(batch, "state"),
          join(app_info(batch, diagnostic), "\n"),
          text(batch, "kyuubiInstance"),
          date(number(batch, "createTime")) + "\n~\n" + date(number(batch, "endTime"))};
}

std::string batch_report(const json& batch) {
  const Row values = batch_row(batch, true);
  std::vector<Row> rows;
  for (std::size_t i = 0; i < kBatchColumns.size(); ++i)
    rows.push_back({kBatchColumns[i], values[i]});
  return render_table("Batch Report (" + text(batch, "id") + ")", {"Key", "Value"}, rows);
}

std::string batch_list(const json& list) {
  std::vector<json> batches;
  if (list.contains("batches") && list["batches"].is_array()) {
    for (const auto& b : list["batches"])
      batches.push_back(b);
  }
  std::stable_sort(batches.begin(), batches.end(), [](const json& a, const json& b) {
    return number(a, "createTime") < number(b, "createTime");
  });
  std::vector<Row> rows;
  for (const auto& b : batches)
    rows.push_back(batch_row(b, false));
  return render_table(
      "Batch List (from " + text(list, "from") + " total " + text(list, "total") + ")",
      kBatchColumns, rows);
}

std::string session_list(const json& sessions) {
  std::vector<Row> rows;
  if (sessions.is_array()) {
    for (const auto& s : sessions) {
      std::vector<std::string> conf;
      if (s.contains("conf") && s["conf"].is_object()) {
        for (const auto& [key, value] : s["conf"].items())
          conf.push_back(key + "=" + (value.is_string() ? value.get<std::string>() : value.dump()));
      }
      rows.push_back({text(s, "identifier"), text(s, "user"), text(s, "ipAddr"), join(conf, "\n"),
                      date(number(s, "createTime")), text(s, "duration"), text(s, "idleTime")});
    }
  }
  return render_table(
      "Live Session List (total " + std::to_string(rows.size()) + ")",
      {"Identifier", "User", "Ip Address", "Conf", "Create Time", "Duration[ms]", "Idle Time[ms]"},
      rows);
}

// ---- authentication ----

// The password for basic authentication: --password, else $KYUUBI_PASSWORD, else asked for on
// the terminal (without echo) when there is one, else none.
std::string password_for(const CtlOptions& o, const std::string& user) {
  if (o.password) return *o.password;
  if (const char* env = std::getenv("KYUUBI_PASSWORD"); env != nullptr) return env;
  if (!isatty(STDIN_FILENO)) return {};
  std::cerr << "Password for " << user << ": " << std::flush;
  termios saved{};
  const bool echo_off = tcgetattr(STDIN_FILENO, &saved) == 0;
  if (echo_off) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (echo_off) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  std::cerr << "\n";
  return password;
}

// ---- the client ----

struct Rest {
  std::optional<HttpClient> client;
  bool json_output = false;
  std::chrono::milliseconds log_interval{3000};
  std::chrono::milliseconds log_on_failure_timeout{10000};
};

// The REST server's base URL when nothing names one: the address its frontend binds to.
std::string default_host_url(const config::Conf& conf) {
  std::string host = std::string(trim(conf.get_if_set(k::kFrontendRestBindHost).value_or("")));
  if (host.empty() || host == "0.0.0.0" || host == "::") host = "localhost";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(conf.get(k::kFrontendRestBindPort));
}

Outcome connect_rest(const CtlOptions& o, const config::Conf& conf, const BatchFile* file,
                     Rest& rest) {
  rest.json_output = o.json;
  rest.log_interval = conf.get(k::kCtlBatchLogQueryInterval);
  rest.log_on_failure_timeout = conf.get(k::kCtlBatchLogOnFailureTimeout);

  std::string host_url;
  if (o.host_url && !o.host_url->empty()) {
    host_url = *o.host_url;
  } else if (file && file->host_url) {
    host_url = *file->host_url;
  } else if (auto raw = conf.raw(kRestBaseUrlKey); raw && !trim(*raw).empty()) {
    host_url = std::string(trim(*raw));
  } else {
    host_url = default_host_url(conf);
  }
  auto url = Url::parse(host_url);
  if (!url) return Outcome::usage(url.status().message());
  // kyuubi-ctl appends /api/v1 to the host URL; one that already ends with it is taken as meant.
  if (url->path.ends_with("/api/v1")) url->path.resize(url->path.size() - 7);
  url->path += "/api/v1";

  std::string schema = "basic";
  if (o.auth_schema && !o.auth_schema->empty()) {
    schema = *o.auth_schema;
  } else if (file && file->auth_schema) {
    schema = *file->auth_schema;
  } else if (auto raw = conf.raw(kRestAuthSchemaKey); raw && !trim(*raw).empty()) {
    schema = std::string(trim(*raw));
  }
  schema = to_lower(schema);

  Authorizer authorizer;
  if (schema == "basic") {
    std::string user = o.username.value_or(file && file->username ? *file->username : "");
    if (!user.empty()) {
      const std::string header = "Basic " + base64_encode(user + ":" + password_for(o, user));
      authorizer = [header]() -> Result<std::string> { return header; };
    }
  } else if (schema == "spnego") {
    std::string host = url->host;
    if (o.spnego_host && !o.spnego_host->empty()) {
      host = *o.spnego_host;
    } else if (file && file->spnego_host) {
      host = *file->spnego_host;
    } else if (auto raw = conf.raw(kRestSpnegoHostKey); raw && !trim(*raw).empty()) {
      host = std::string(trim(*raw));
    }
    authorizer = [host]() { return transport::spnego_authorization_header(host); };
  } else {
    return Outcome::usage("Unsupported auth schema: " + schema + " (basic or spnego)");
  }

  HttpOptions options;
  options.connect_timeout = conf.get(k::kCtlRestConnectTimeout);
  options.socket_timeout = conf.get(k::kCtlRestSocketTimeout);
  options.max_attempts = conf.get(k::kCtlRestRequestMaxAttempts);
  options.attempt_wait = conf.get(k::kCtlRestRequestAttemptWait);
  logger("ctl")->debug("REST API at {}{} ({} authentication)", url->origin(), url->path, schema);
  rest.client.emplace(std::move(url).value(), options, std::move(authorizer));
  return Outcome::ok();
}

Outcome outcome_of(const Status& status) {
  if (status.code() == StatusCode::kUnavailable) {
    return Outcome::unreachable("Cannot reach the REST API: " + status.message());
  }
  return Outcome::failed(status.message());
}

// One call: the JSON of a 2xx answer (null for an empty body), else the server's message.
Result<json> call(Rest& rest, std::string_view method, const std::string& target,
                  const std::string& body = {}) {
  auto response = rest.client->request(method, target, body);
  if (!response) return std::move(response).status();
  const std::string where = std::string(method) + " " + rest.client->base().path + target;
  json parsed = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (response->status >= 200 && response->status < 300) {
    if (trim(response->body).empty()) return json();
    if (parsed.is_discarded()) {
      return Status::error(where + ": the answer is not JSON: " + response->body.substr(0, 200));
    }
    return parsed;
  }
  std::string message = text(parsed, "message");
  if (message.empty()) message = std::string(trim(response->body)).substr(0, 500);
  if (message.empty()) message = response->reason;
  return Status::error("Error from the REST server (" + std::to_string(response->status) + " " +
                       response->reason + ") on " + where + ": " + message);
}

void print_json(const json& j) {
  std::cout << j.dump(2) << "\n" << std::flush;
}

std::string batch_path(const std::string& id) {
  return "/batches/" + url_encode(id);
}

// Log lines go to stdout, unless stdout is for one JSON document.
void print_log_rows(const Rest& rest, const json& rows) {
  std::ostream& out = rest.json_output ? std::cerr : std::cout;
  for (const auto& row : rows) {
    std::string line = row.is_string() ? row.get<std::string>() : row.dump();
    while (!line.empty() && line.back() == '\n')
      line.pop_back();
    out << line << "\n";
  }
  out << std::flush;
}

Result<json> get_batch(Rest& rest, const std::string& id) {
  return call(rest, "GET", batch_path(id));
}

// kyuubi-ctl's LogBatchCommand: prints the log from `from`; with `forward` goes on until the
// batch ends (wait_completion) or leaves PENDING, then returns the batch as last seen.
Result<json> follow_log(Rest& rest, const std::string& id, std::optional<json> known, int from,
                        int size, bool forward, bool wait_completion) {
  from = std::max(from, 0);
  json batch;
  if (known) {
    batch = *known;
  } else {
    auto got = get_batch(rest, id);
    if (!got) return got;
    batch = std::move(got).value();
  }
  std::string app_state = known ? text(*known, "appState") : "";

  auto fetch = [&]() -> Result<std::size_t> {
    auto log = call(rest, "GET",
                    batch_path(id) + "/localLog?from=" + std::to_string(from) +
                        "&size=" + std::to_string(size));
    if (!log) return std::move(log).status();
    const json rows = log->contains("logRowSet") && (*log)["logRowSet"].is_array()
                          ? (*log)["logRowSet"]
                          : json::array();
    from += static_cast<int>(rows.size());
    print_log_rows(rest, rows);
    return rows.size();
  };
  // Whether to stop, after a fetch of `rows` lines (nullopt: the fetch failed).
  auto should_stop = [&](std::optional<std::size_t> rows) -> Result<bool> {
    if (!forward) return true;
    if (wait_completion && rows && *rows > 0) return false;
    auto got = get_batch(rest, id);
    if (!got) return std::move(got).status();
    batch = std::move(got).value();
    const std::string state = text(batch, "state");
    return wait_completion ? is_terminal(state) : !is_pending(state);
  };

  for (;;) {
    auto rows = fetch();
    std::optional<std::size_t> fetched;
    if (rows) fetched = *rows;
    auto stop = should_stop(fetched);
    if (!stop) return std::move(stop).status();
    if (!rows && !forward) return std::move(rows).status();
    if (*stop) {
      if (!rows) std::cerr << "Error fetching batch logs: " << rows.status().message() << "\n";
      break;
    }
    if (!fetched || *fetched == 0) {
      std::cerr << "Application report for " << text(batch, "appId")
                << " (state: " << text(batch, "appState") << "), batch id: " << id
                << " (state: " << text(batch, "state") << ")\n";
      if (text(batch, "appState") != app_state && !text(batch, "appId").empty()) {
        app_state = text(batch, "appState");
        std::cerr << "\t " << join(app_info(batch, true), "\n\t ") << "\n";
      }
    }
    std::this_thread::sleep_for(rest.log_interval);
  }

  // A batch that failed: what is left of its log, for a while.
  const std::string state = text(batch, "state");
  if (is_terminal(state) && !is_finished(state)) {
    const auto until = std::chrono::steady_clock::now() + rest.log_on_failure_timeout;
    bool more = true;
    while (more && std::chrono::steady_clock::now() < until) {
      auto rows = fetch();
      if (!rows) {
        std::cerr << "Error fetching batch logs: " << rows.status().message() << "\n";
        more = false;
      } else {
        more = *rows > 0;
      }
    }
    if (more) {
      std::cerr << "See the complete logs with command `kitsune-ctl log batch " << id
                << " --forward`.\n";
    }
  }
  return batch;
}

// ---- commands ----

Outcome require_id(const CtlOptions& o) {
  if (o.batch_id && !o.batch_id->empty()) return Outcome::ok();
  return Outcome::usage("Must specify batchId for " + std::string(to_string(o.action)) +
                        " batch command.");
}

Outcome load_file(const CtlOptions& o, BatchFile& file) {
  if (!o.filename || o.filename->empty()) return Outcome::usage("Config file is not specified.");
  auto loaded = load_batch_file(*o.filename);
  if (!loaded) return Outcome::usage(loaded.status().message());
  file = std::move(loaded).value();
  for (const auto& w : file.warnings)
    std::cerr << "kitsune-ctl: warning: " << w << "\n";
  return Outcome::ok();
}

Outcome create_batch(Rest& rest, const BatchFile& file, json& created) {
  auto batch = call(rest, "POST", "/batches", file.request.dump());
  if (!batch) return outcome_of(batch.status());
  created = std::move(batch).value();
  return Outcome::ok();
}

Outcome list_batches(const CtlOptions& o, Rest& rest) {
  if (o.end_time != 0 && o.create_time > o.end_time) {
    return Outcome::usage(
        "Invalid createTime/endTime, createTime should be less or equal to endTime.");
  }
  if (o.from && *o.from < 0) return Outcome::usage("Option --from must be >=0");
  std::string query = "?from=" + std::to_string(o.from.value_or(0)) +
                      "&size=" + std::to_string(o.size.value_or(100));
  const std::pair<const char*, const std::optional<std::string>*> filters[] = {
      {"batchType", &o.batch_type},
      {"batchUser", &o.batch_user},
      {"batchState", &o.batch_state},
      {"batchName", &o.batch_name}};
  for (const auto& [name, value] : filters) {
    if (*value && !(*value)->empty()) query += std::string("&") + name + "=" + url_encode(**value);
  }
  if (o.create_time > 0) query += "&createTime=" + std::to_string(o.create_time);
  if (o.end_time > 0) query += "&endTime=" + std::to_string(o.end_time);
  if (o.desc) query += "&desc=true";
  auto list = call(rest, "GET", "/batches" + query);
  if (!list) return outcome_of(list.status());
  if (rest.json_output) {
    print_json(*list);
  } else {
    std::cout << batch_list(*list) << std::flush;
  }
  return Outcome::ok();
}

Outcome delete_batch(const CtlOptions& o, Rest& rest) {
  std::string target = batch_path(*o.batch_id);
  if (o.hs2_proxy_user && !o.hs2_proxy_user->empty()) {
    target += "?hive.server2.proxy.user=" + url_encode(*o.hs2_proxy_user);
  }
  auto result = call(rest, "DELETE", target);
  if (!result) return outcome_of(result.status());
  if (rest.json_output) {
    print_json(*result);
  } else {
    std::cout << result->dump() << "\n" << std::flush;
  }
  const bool success = result->is_object() && result->value("success", false);
  if (success) return Outcome::ok();
  auto batch = get_batch(rest, *o.batch_id);
  if (!batch) return outcome_of(batch.status());
  const std::string state = text(*batch, "state");
  if (!is_terminal(state)) {
    return Outcome::failed("Failed to delete batch " + *o.batch_id + ", its current state is " +
                           state);
  }
  std::cerr << "kitsune-ctl: batch " << *o.batch_id << " is already in terminal state " << state
            << ".\n";
  return Outcome::ok();
}

void show_batch(const Rest& rest, const json& batch) {
  if (rest.json_output) {
    print_json(batch);
  } else {
    std::cout << batch_report(batch) << std::flush;
  }
}

}  // namespace

Outcome run_rest_command(const CtlOptions& o, const config::Conf& conf) {
  const bool needs_file = o.action == Action::kCreate || o.action == Action::kSubmit;
  const bool needs_id =
      o.action == Action::kGet || o.action == Action::kDelete || o.action == Action::kLog;
  if (o.resource == Resource::kSession && o.action != Action::kList) {
    return Outcome::usage("Sessions can only be listed (list session)");
  }
  if (o.resource == Resource::kBatch && needs_id) {
    if (Outcome id = require_id(o); id.code != ExitCode::kOk) return id;
  }
  BatchFile file;
  if (needs_file) {
    if (Outcome loaded = load_file(o, file); loaded.code != ExitCode::kOk) return loaded;
  }
  Rest rest;
  if (Outcome made = connect_rest(o, conf, needs_file ? &file : nullptr, rest);
      made.code != ExitCode::kOk) {
    return made;
  }

  if (o.resource == Resource::kSession) {
    auto sessions = call(rest, "GET", "/sessions");
    if (!sessions) return outcome_of(sessions.status());
    if (rest.json_output) {
      print_json(*sessions);
    } else {
      std::cout << session_list(*sessions) << std::flush;
    }
    return Outcome::ok();
  }

  switch (o.action) {
    case Action::kCreate: {
      json batch;
      if (Outcome made = create_batch(rest, file, batch); made.code != ExitCode::kOk) return made;
      show_batch(rest, batch);
      return Outcome::ok();
    }
    case Action::kGet: {
      auto batch = get_batch(rest, *o.batch_id);
      if (!batch) return outcome_of(batch.status());
      show_batch(rest, *batch);
      return Outcome::ok();
    }
    case Action::kList:
      return list_batches(o, rest);
    case Action::kDelete:
      return delete_batch(o, rest);
    case Action::kLog: {
      if (!o.forward && rest.json_output) {
        const int from = std::max(o.from.value_or(0), 0);
        auto log = call(rest, "GET",
                        batch_path(*o.batch_id) + "/localLog?from=" + std::to_string(from) +
                            "&size=" + std::to_string(o.size.value_or(100)));
        if (!log) return outcome_of(log.status());
        print_json(*log);
        return Outcome::ok();
      }
      auto batch = follow_log(rest, *o.batch_id, std::nullopt, o.from.value_or(0),
                              o.size.value_or(100), o.forward, o.wait_completion);
      if (!batch) return outcome_of(batch.status());
      if (o.forward) show_batch(rest, *batch);
      return Outcome::ok();
    }
    case Action::kSubmit: {
      json created;
      if (Outcome made = create_batch(rest, file, created); made.code != ExitCode::kOk) {
        return made;
      }
      const std::string id = text(created, "id");
      if (id.empty()) return Outcome::failed("The REST server returned a batch without an id");
      std::cerr << "Batch " << id << " submitted\n";
      auto batch = follow_log(rest, id, created, 0, o.size.value_or(100), /*forward=*/true,
                              o.wait_completion);
      if (!batch) return outcome_of(batch.status());
      show_batch(rest, *batch);
      const std::string state = text(*batch, "state");
      if (is_terminal(state) && !is_finished(state)) {
        return Outcome::failed("Batch " + id + " failed: its state is " + state +
                               (text(*batch, "appDiagnostic").empty()
                                    ? ""
                                    : " (" + text(*batch, "appDiagnostic") + ")"));
      }
      return Outcome::ok();
    }
    case Action::kNone:
      break;
  }
  return Outcome::usage("Unknown command");
}

}  // namespace kitsune::ctl
