// kitsune-ctl's argument parser (kyuubi-ctl's names, long and short) and its usage texts.
#include "options.h"

#include <array>
#include <charconv>
#include <ctime>

#include "kitsune/common/strings.h"

namespace kitsune::ctl {

namespace {

constexpr std::string_view kSynopsis =
    "usage: kitsune-ctl <create|get|delete|list|log|submit> <server|engine|batch|session> "
    "[options]\n";

constexpr std::string_view kAbout =
    "Kitsune's kyuubi-ctl: the servers and engines registered in ZooKeeper, and batches and\n"
    "sessions through the REST API. Options may come before or after the command.\n";

constexpr std::string_view kCommands =
    "Commands:\n"
    "  create server       expose the servers of kyuubi.ha.namespace in another namespace (-n)\n"
    "  create batch        submit the batch a YAML file describes (-f)\n"
    "  get server          show the server node at --host and --port\n"
    "  get engine          show a user's engine node at --host and --port\n"
    "  get batch <id>      show a batch\n"
    "  delete server       delete the server node at --host and --port (that server then stops\n"
    "                      once its sessions are closed)\n"
    "  delete engine       delete a user's engine node at --host and --port\n"
    "  delete batch <id>   cancel and close a batch\n"
    "  list server         list the server nodes of a namespace\n"
    "  list engine         list a user's engine nodes\n"
    "  list batch          list batches\n"
    "  list session        list the live sessions\n"
    "  log batch <id>      print a batch's submit log (--forward: follow it until the batch ends)\n"
    "  submit batch        create a batch (-f), follow its log and wait until it ends\n";

constexpr std::string_view kCommonOptions =
    "Common options:\n"
    "  -h, --help                 this help; after a command, that command's help\n"
    "  -b, --verbose              debug output on stderr\n"
    "      --json                 print one JSON document instead of a table\n"
    "      --conf k=v[,k=v...]    configuration entries (repeatable); they win over the file\n"
    "      --conf-dir DIR         directory of kyuubi-defaults.conf (default: $KYUUBI_CONF_DIR,\n"
    "                             else the conf/ directory of the installation)\n";

constexpr std::string_view kZooKeeperOptions =
    "ZooKeeper options:\n"
    "  -zk, --zk-quorum HOSTS     ZooKeeper connect string (default: kyuubi.ha.addresses)\n"
    "  -n, --namespace NS         the namespace (default: kyuubi.ha.namespace)\n"
    "  -s, --host HOST            host of a service node (get, delete)\n"
    "  -p, --port PORT            port of a service node (get, delete)\n"
    "  -v, --version VERSION      the Kyuubi version in engine space names "
    "(default: " KITSUNE_KYUUBI_VERSION
    ")\n"
    "      kyuubi.ha.zookeeper.connection.timeout (ms) bounds the wait for ZooKeeper.\n";

constexpr std::string_view kEngineOptions =
    "Engine options:\n"
    "  -u, --user USER            the user the engine belongs to (required)\n"
    "  -et, --engine-type TYPE    engine type (default: kyuubi.engine.type)\n"
    "  -es, --engine-subdomain SD subdomain (default: kyuubi.engine.share.level.subdomain if\n"
    "                             set, else every subdomain for get and list, 'default' for\n"
    "                             delete)\n"
    "  -esl, --engine-share-level LEVEL\n"
    "                             share level (default: kyuubi.engine.share.level)\n";

constexpr std::string_view kRestOptions =
    "REST options:\n"
    "  --hostUrl URL              the REST server, http(s)://host:port (default: the YAML file's\n"
    "                             hostUrl, else kyuubi.ctl.rest.base.url, else http://<kyuubi.\n"
    "                             frontend.rest.bind.host or localhost>:<...rest.bind.port>)\n"
    "  --authSchema SCHEMA        basic or spnego (default: the YAML file's, else basic)\n"
    "  --username USER            user for basic authentication (default: the YAML file's)\n"
    "  --password PASSWORD        its password; the KYUUBI_PASSWORD environment variable keeps\n"
    "                             it off the command line; asked for on a terminal otherwise\n"
    "  --spnegoHost HOST          host of the server's HTTP/ principal (default: the URL's)\n"
    "  --hs2ProxyUser USER        act for this user (delete batch)\n";

constexpr std::string_view kBatchOptions =
    "Batch options:\n"
    "  -f, --filename FILE        the batch's YAML file (create, submit)\n"
    "  --batchType TYPE, --batchUser USER, --batchState STATE, --batchName NAME\n"
    "                             list filters\n"
    "  --createTime T, --endTime T\n"
    "                             list filters, T as yyyyMMddHHmmss (local time)\n"
    "  --from N                   the first record or log line (list, log)\n"
    "  --size N                   how many (list, log; default 100)\n"
    "  --desc [true|false]        newest first (list)\n"
    "  --forward                  follow the log until the batch ends (log)\n"
    "  --waitCompletion true|false\n"
    "                             true (default): wait until the batch ends; false: until it\n"
    "                             leaves PENDING (submit)\n";

constexpr std::string_view kExitCodes =
    "Exit codes:\n"
    "  0  success\n"
    "  1  the command failed: an error from the server, nothing found\n"
    "  2  usage error: unknown command, missing or bad argument, bad YAML or configuration\n"
    "  3  ZooKeeper or the REST server cannot be reached\n";

struct CommandHelp {
  Action action;
  Resource resource;
  std::string_view synopsis;
  std::string_view about;
};

constexpr std::array<CommandHelp, 14> kCommandHelp = {{
    {Action::kCreate, Resource::kServer, "create server -n NAMESPACE [ZooKeeper options]",
     "Copies every server node of kyuubi.ha.namespace into NAMESPACE (which must differ) as\n"
     "persistent sequential nodes, to expose those servers to another domain.\n"},
    {Action::kCreate, Resource::kBatch, "create batch -f FILE [REST options]",
     "Submits the batch FILE describes (POST /api/v1/batches). FILE is YAML:\n"
     "  apiVersion: v1\n"
     "  hostUrl: http://host:10099      # optional\n"
     "  authSchema: basic               # optional: basic or spnego\n"
     "  username: alice                 # optional; the password is never in the file\n"
     "  request:\n"
     "    batchType: SPARK\n"
     "    resource: /path/app.jar\n"
     "    className: org.example.Main\n"
     "    name: my batch\n"
     "    configs: {spark.executor.memory: 2g}\n"
     "    args: [a, b]\n"},
    {Action::kGet, Resource::kServer, "get server -s HOST -p PORT [ZooKeeper options]",
     "Shows the server node of HOST:PORT in the namespace.\n"},
    {Action::kGet, Resource::kEngine,
     "get engine -u USER -s HOST -p PORT [engine options] [ZooKeeper options]",
     "Shows USER's engine node at HOST:PORT.\n"},
    {Action::kGet, Resource::kBatch, "get batch <batchId> [REST options]",
     "Shows a batch (GET /api/v1/batches/<batchId>).\n"},
    {Action::kDelete, Resource::kServer, "delete server -s HOST -p PORT [ZooKeeper options]",
     "Deletes the server node of HOST:PORT: the server is no longer advertised and stops once\n"
     "its sessions are closed.\n"},
    {Action::kDelete, Resource::kEngine,
     "delete engine -u USER -s HOST -p PORT [engine options] [ZooKeeper options]",
     "Deletes USER's engine node at HOST:PORT (subdomain 'default' unless -es says otherwise):\n"
     "new sessions no longer find that engine.\n"},
    {Action::kDelete, Resource::kBatch,
     "delete batch <batchId> [--hs2ProxyUser USER] [REST options]",
     "Cancels and closes a batch (DELETE /api/v1/batches/<batchId>).\n"},
    {Action::kList, Resource::kServer, "list server [ZooKeeper options]",
     "Lists the server nodes of the namespace.\n"},
    {Action::kList, Resource::kEngine, "list engine -u USER [engine options] [ZooKeeper options]",
     "Lists USER's engine nodes: under every subdomain unless -es names one.\n"},
    {Action::kList, Resource::kBatch,
     "list batch [--batchType T] [--batchUser U] [--batchState S] [--batchName N]\n"
     "           [--createTime T] [--endTime T] [--from N] [--size N] [--desc] [REST options]",
     "Lists batches (GET /api/v1/batches).\n"},
    {Action::kList, Resource::kSession, "list session [REST options]",
     "Lists the live sessions (GET /api/v1/sessions).\n"},
    {Action::kLog, Resource::kBatch, "log batch <batchId> [--from N] [--size N] [--forward]",
     "Prints a batch's submit log (GET /api/v1/batches/<batchId>/localLog); with --forward it\n"
     "follows the log until the batch ends, then shows the batch.\n"},
    {Action::kSubmit, Resource::kBatch, "submit batch -f FILE [--waitCompletion true|false]",
     "Creates the batch FILE describes, follows its log until it ends (or leaves PENDING with\n"
     "--waitCompletion false) and shows it; exit code 1 when it failed.\n"},
}};

std::optional<Action> parse_action(std::string_view s) {
  if (s == "create") return Action::kCreate;
  if (s == "get") return Action::kGet;
  if (s == "delete") return Action::kDelete;
  if (s == "list") return Action::kList;
  if (s == "log") return Action::kLog;
  if (s == "submit") return Action::kSubmit;
  return std::nullopt;
}

std::optional<Resource> parse_resource(std::string_view s) {
  if (s == "server") return Resource::kServer;
  if (s == "engine") return Resource::kEngine;
  if (s == "batch") return Resource::kBatch;
  if (s == "session") return Resource::kSession;
  return std::nullopt;
}

Result<int> parse_int(std::string_view name, std::string_view text) {
  int value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return Status::error("Option " + std::string(name) + " needs an integer, not '" +
                         std::string(text) + "'");
  }
  return value;
}

// kyuubi-ctl's --conf: "k1=v1,k2=v2". A piece without '=' continues the value before it, so
// that a value with commas (a ZooKeeper connect string) survives.
Status add_conf(std::string_view text, CtlOptions& o) {
  bool any = false;
  for (const auto& piece : split(text, ',', /*skip_empty=*/false)) {
    const auto eq = piece.find('=');
    if (eq == std::string::npos || eq == 0) {
      if (!any) return Status::error("Kyuubi config without '=': " + std::string(text));
      o.conf.back().second += "," + piece;
      continue;
    }
    o.conf.emplace_back(std::string(trim(piece.substr(0, eq))),
                        std::string(trim(piece.substr(eq + 1))));
    any = true;
  }
  if (!any) return Status::error("Kyuubi config without '=': " + std::string(text));
  return Status::ok();
}

enum class Kind { kFlag, kValue, kBool };

struct OptionDef {
  std::string_view long_name;   // with "--"
  std::string_view short_name;  // with "-", or empty
  Kind kind;
};

constexpr std::array<OptionDef, 40> kOptions = {{
    {"--help", "-h", Kind::kFlag},
    {"--verbose", "-b", Kind::kFlag},
    {"--json", "", Kind::kFlag},
    {"--conf", "", Kind::kValue},
    {"--conf-dir", "", Kind::kValue},
    {"--zk-quorum", "-zk", Kind::kValue},
    {"--namespace", "-n", Kind::kValue},
    {"--host", "-s", Kind::kValue},
    {"--port", "-p", Kind::kValue},
    {"--version", "-v", Kind::kValue},
    {"--user", "-u", Kind::kValue},
    {"--engine-type", "-et", Kind::kValue},
    {"--engine-subdomain", "-es", Kind::kValue},
    {"--engine-share-level", "-esl", Kind::kValue},
    {"--hostUrl", "", Kind::kValue},
    {"--authSchema", "", Kind::kValue},
    {"--username", "", Kind::kValue},
    {"--password", "", Kind::kValue},
    {"--spnegoHost", "", Kind::kValue},
    {"--hs2ProxyUser", "", Kind::kValue},
    {"--filename", "-f", Kind::kValue},
    {"--batchType", "", Kind::kValue},
    {"--batchUser", "", Kind::kValue},
    {"--batchState", "", Kind::kValue},
    {"--batchName", "", Kind::kValue},
    {"--createTime", "", Kind::kValue},
    {"--endTime", "", Kind::kValue},
    {"--from", "", Kind::kValue},
    {"--size", "", Kind::kValue},
    {"--desc", "", Kind::kBool},
    {"--forward", "", Kind::kFlag},
    {"--waitCompletion", "", Kind::kBool},
    // Spellings some scripts use for the same options.
    {"--zkQuorum", "", Kind::kValue},
    {"--engineType", "", Kind::kValue},
    {"--engineSubdomain", "", Kind::kValue},
    {"--engineShareLevel", "", Kind::kValue},
    {"--host-url", "", Kind::kValue},
    {"--auth-schema", "", Kind::kValue},
    {"--wait-completion", "", Kind::kBool},
    {"--batch-id", "", Kind::kValue},
}};

const OptionDef* find_option(std::string_view name) {
  for (const auto& def : kOptions) {
    if (name == def.long_name || (!def.short_name.empty() && name == def.short_name)) return &def;
  }
  return nullptr;
}

Outcome apply(const OptionDef& def, const std::string& value, CtlOptions& o) {
  const std::string_view n = def.long_name;
  auto set_bool = [&](bool& target) -> Outcome {
    if (iequals(value, "true")) {
      target = true;
    } else if (iequals(value, "false")) {
      target = false;
    } else {
      return Outcome::usage("Option " + std::string(n) + " takes true or false, not '" + value +
                            "'");
    }
    return Outcome::ok();
  };
  if (n == "--help") {
    o.help = true;
  } else if (n == "--verbose") {
    o.verbose = true;
  } else if (n == "--json") {
    o.json = true;
  } else if (n == "--forward") {
    o.forward = true;
  } else if (n == "--desc") {
    return set_bool(o.desc);
  } else if (n == "--waitCompletion" || n == "--wait-completion") {
    return set_bool(o.wait_completion);
  } else if (n == "--conf") {
    if (auto s = add_conf(value, o); !s) return Outcome::usage(s.message());
  } else if (n == "--conf-dir") {
    o.conf_dir = value;
  } else if (n == "--zk-quorum" || n == "--zkQuorum") {
    o.zk_quorum = value;
  } else if (n == "--namespace") {
    o.ns = value;
  } else if (n == "--host") {
    o.host = value;
  } else if (n == "--port") {
    o.port = value;
  } else if (n == "--version") {
    o.version = value;
  } else if (n == "--user") {
    o.user = value;
  } else if (n == "--engine-type" || n == "--engineType") {
    o.engine_type = value;
  } else if (n == "--engine-subdomain" || n == "--engineSubdomain") {
    o.engine_subdomain = value;
  } else if (n == "--engine-share-level" || n == "--engineShareLevel") {
    o.engine_share_level = value;
  } else if (n == "--hostUrl" || n == "--host-url") {
    o.host_url = value;
  } else if (n == "--authSchema" || n == "--auth-schema") {
    o.auth_schema = value;
  } else if (n == "--username") {
    o.username = value;
  } else if (n == "--password") {
    o.password = value;
  } else if (n == "--spnegoHost") {
    o.spnego_host = value;
  } else if (n == "--hs2ProxyUser") {
    o.hs2_proxy_user = value;
  } else if (n == "--filename") {
    o.filename = value;
  } else if (n == "--batchType") {
    o.batch_type = value;
  } else if (n == "--batchUser") {
    o.batch_user = value;
  } else if (n == "--batchState") {
    o.batch_state = value;
  } else if (n == "--batchName") {
    o.batch_name = value;
  } else if (n == "--batch-id") {
    o.batch_id = value;
  } else if (n == "--createTime" || n == "--endTime") {
    auto ms = parse_time(value);
    if (!ms) {
      return Outcome::usage("Option " + std::string(n) + " must be in yyyyMMddHHmmss format.");
    }
    (n == "--createTime" ? o.create_time : o.end_time) = *ms;
  } else if (n == "--from" || n == "--size") {
    auto v = parse_int(n, value);
    if (!v) return Outcome::usage(v.status().message());
    if (n == "--size" && *v < 0) return Outcome::usage("Option --size must be >=0");
    (n == "--from" ? o.from : o.size) = *v;
  }
  return Outcome::ok();
}

}  // namespace

std::string_view to_string(Action action) {
  switch (action) {
    case Action::kCreate:
      return "create";
    case Action::kGet:
      return "get";
    case Action::kDelete:
      return "delete";
    case Action::kList:
      return "list";
    case Action::kLog:
      return "log";
    case Action::kSubmit:
      return "submit";
    case Action::kNone:
      break;
  }
  return "";
}

std::string_view to_string(Resource resource) {
  switch (resource) {
    case Resource::kServer:
      return "server";
    case Resource::kEngine:
      return "engine";
    case Resource::kBatch:
      return "batch";
    case Resource::kSession:
      return "session";
    case Resource::kNone:
      break;
  }
  return "";
}

Outcome parse_args(const std::vector<std::string>& args, CtlOptions& o) {
  int positional = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() > 1 && arg[0] == '-') {
      std::string name = arg;
      std::optional<std::string> inline_value;
      if (arg.starts_with("--")) {
        if (const auto eq = arg.find('='); eq != std::string::npos) {
          name = arg.substr(0, eq);
          inline_value = arg.substr(eq + 1);
        }
      }
      const OptionDef* def = find_option(name);
      if (def == nullptr) return Outcome::usage("Unknown option " + name);
      std::string value;
      switch (def->kind) {
        case Kind::kFlag:
          if (inline_value) {
            return Outcome::usage("Option " + std::string(def->long_name) + " takes no value");
          }
          break;
        case Kind::kValue:
          if (inline_value) {
            value = *inline_value;
          } else if (i + 1 < args.size()) {
            value = args[++i];
          } else {
            return Outcome::usage("Option " + name + " needs a value");
          }
          break;
        case Kind::kBool:
          // kyuubi-ctl's Boolean options take a value; alone, they mean true.
          if (inline_value) {
            value = *inline_value;
          } else if (i + 1 < args.size() &&
                     (iequals(args[i + 1], "true") || iequals(args[i + 1], "false"))) {
            value = args[++i];
          } else {
            value = "true";
          }
          break;
      }
      if (Outcome applied = apply(*def, value, o); applied.code != ExitCode::kOk) return applied;
      continue;
    }
    switch (positional++) {
      case 0:
        if (auto action = parse_action(arg)) {
          o.action = *action;
        } else {
          return Outcome::usage("Unknown command '" + arg +
                                "': expected create, get, delete, list, log or submit");
        }
        break;
      case 1:
        if (auto resource = parse_resource(arg)) {
          o.resource = *resource;
        } else {
          return Outcome::usage("Unknown resource '" + arg +
                                "': expected server, engine, batch or session");
        }
        break;
      case 2:
        if (o.resource == Resource::kBatch &&
            (o.action == Action::kGet || o.action == Action::kDelete || o.action == Action::kLog)) {
          o.batch_id = arg;
          break;
        }
        [[fallthrough]];
      default:
        return Outcome::usage("Unexpected argument '" + arg + "'");
    }
  }
  return Outcome::ok();
}

std::string usage(Action action, Resource resource) {
  std::string text;
  if (action != Action::kNone && resource != Resource::kNone) {
    for (const auto& help : kCommandHelp) {
      if (help.action != action || help.resource != resource) continue;
      text = "usage: kitsune-ctl " + std::string(help.synopsis) + "\n\n" + std::string(help.about);
      switch (resource) {
        case Resource::kServer:
          text += "\n" + std::string(kZooKeeperOptions);
          break;
        case Resource::kEngine:
          text += "\n" + std::string(kEngineOptions) + "\n" + std::string(kZooKeeperOptions);
          break;
        case Resource::kBatch:
          text += "\n" + std::string(kBatchOptions) + "\n" + std::string(kRestOptions);
          break;
        case Resource::kSession:
          text += "\n" + std::string(kRestOptions);
          break;
        case Resource::kNone:
          break;
      }
      return text + "\n" + std::string(kCommonOptions) + "\n" + std::string(kExitCodes);
    }
  }
  if (action != Action::kNone) {
    text = "usage: kitsune-ctl " + std::string(to_string(action)) + " <resource> [options]\n\n";
    std::string commands = "Commands:\n";
    for (const auto& help : kCommandHelp) {
      if (help.action == action) commands += "  " + std::string(help.synopsis) + "\n";
    }
    return text + commands + "\nkitsune-ctl " + std::string(to_string(action)) +
           " <resource> --help shows one of them.\n";
  }
  return std::string(kSynopsis) +
         "\nkitsune-ctl " KITSUNE_VERSION " (Kyuubi " KITSUNE_KYUUBI_VERSION " compatible)\n" +
         std::string(kAbout) + "\n" + std::string(kCommands) + "\n" + std::string(kCommonOptions) +
         "\n" + std::string(kZooKeeperOptions) + "\n" + std::string(kEngineOptions) + "\n" +
         std::string(kRestOptions) + "\n" + std::string(kBatchOptions) + "\n" +
         std::string(kExitCodes);
}

Result<std::int64_t> parse_time(std::string_view text) {
  if (text.size() != 14 || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return Status::error("expected yyyyMMddHHmmss");
  }
  auto field = [&](std::size_t at, std::size_t len) {
    int v = 0;
    std::from_chars(text.data() + at, text.data() + at + len, v);
    return v;
  };
  std::tm tm{};
  tm.tm_year = field(0, 4) - 1900;
  tm.tm_mon = field(4, 2) - 1;
  tm.tm_mday = field(6, 2);
  tm.tm_hour = field(8, 2);
  tm.tm_min = field(10, 2);
  tm.tm_sec = field(12, 2);
  tm.tm_isdst = -1;
  const std::tm asked = tm;
  const std::time_t t = std::mktime(&tm);
  // mktime normalises a 13th month or a 32nd day; such a date was not a date.
  if (t == static_cast<std::time_t>(-1) || tm.tm_year != asked.tm_year ||
      tm.tm_mon != asked.tm_mon || tm.tm_mday != asked.tm_mday) {
    return Status::error("not a date: " + std::string(text));
  }
  return static_cast<std::int64_t>(t) * 1000;
}

}  // namespace kitsune::ctl
