// kitsune-ctl's command line: kyuubi-ctl's actions, resources and options, parsed into one
// struct, and the usage texts; plus the exit codes and the outcome every command ends with.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kitsune/common/status.h"

namespace kitsune::ctl {

// What scripts can rely on.
enum class ExitCode : int {
  kOk = 0,
  kFailed = 1,       // the command failed: an error from the server, nothing found
  kUsage = 2,        // unknown command, missing or bad argument, bad YAML or configuration
  kUnreachable = 3,  // ZooKeeper or the REST server cannot be reached
};

// How a command ended: its exit code and, unless kOk, what to tell the user (one line or more,
// printed to stderr; a usage error is followed by the command's usage).
struct Outcome {
  ExitCode code = ExitCode::kOk;
  std::string message;

  static Outcome ok() { return {}; }
  static Outcome failed(std::string m) { return {ExitCode::kFailed, std::move(m)}; }
  static Outcome usage(std::string m) { return {ExitCode::kUsage, std::move(m)}; }
  static Outcome unreachable(std::string m) { return {ExitCode::kUnreachable, std::move(m)}; }
};

enum class Action { kNone, kCreate, kGet, kDelete, kList, kLog, kSubmit };
enum class Resource { kNone, kServer, kEngine, kBatch, kSession };

std::string_view to_string(Action action);
std::string_view to_string(Resource resource);

struct CtlOptions {
  Action action = Action::kNone;
  Resource resource = Resource::kNone;
  std::optional<std::string> batch_id;  // the positional argument of get/delete/log batch

  bool help = false;
  bool verbose = false;  // -b/--verbose: debug logging on stderr
  bool json = false;     // --json: stdout is one JSON document instead of a table

  // Configuration.
  std::optional<std::string> conf_dir;
  std::vector<std::pair<std::string, std::string>> conf;  // --conf pairs, in order

  // ZooKeeper.
  std::optional<std::string> zk_quorum;
  std::optional<std::string> ns;  // -n/--namespace
  std::optional<std::string> host;
  std::optional<std::string> port;
  std::optional<std::string> version;

  // Engines.
  std::optional<std::string> user;
  std::optional<std::string> engine_type;
  std::optional<std::string> engine_subdomain;
  std::optional<std::string> engine_share_level;

  // REST. The password is a secret: it is never printed nor logged.
  std::optional<std::string> host_url;
  std::optional<std::string> auth_schema;
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::optional<std::string> spnego_host;
  std::optional<std::string> hs2_proxy_user;

  // Batches.
  std::optional<std::string> filename;
  std::optional<std::string> batch_type;
  std::optional<std::string> batch_user;
  std::optional<std::string> batch_state;
  std::optional<std::string> batch_name;
  std::int64_t create_time = 0;  // ms since the epoch; 0: any
  std::int64_t end_time = 0;
  std::optional<int> from;
  std::optional<int> size;
  bool desc = false;
  bool forward = false;
  bool wait_completion = true;
};

// Parses the arguments after the program name. Options may come before or after the action and
// resource, as with kyuubi-ctl. A kUsage outcome names what is wrong; `options` then holds what
// was read so far (enough to pick the usage text to show).
Outcome parse_args(const std::vector<std::string>& args, CtlOptions& options);

// The usage of the whole tool, or of one action (and resource) when they are known.
std::string usage(Action action = Action::kNone, Resource resource = Resource::kNone);

// "yyyyMMddHHmmss" in the local time zone, as milliseconds since the epoch.
Result<std::int64_t> parse_time(std::string_view text);

}  // namespace kitsune::ctl
