// kitsune-ctl's command line and REST client without a REST server: help and usage errors, bad
// YAML files, an unreachable or silent server, and the requests it sends. Kitsune's REST API is
// not in this build yet, so a canned HTTP peer (below) stands in for it where a test needs
// answers; ctl_rest_test.cc.pending has the tests against the real one.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "ctl_process.h"
#include "os_helpers.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A listening TCP socket on 127.0.0.1 and a port the OS picked.
int listen_on_loopback(int& port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd, 16) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("cannot listen on 127.0.0.1");
  }
  port = ntohs(addr.sin_port);
  return fd;
}

// A TCP listener that never accepts: connections complete (the kernel's backlog) and then hear
// nothing, as from a server that hangs.
class SilentListener {
 public:
  SilentListener() : fd_(listen_on_loopback(port_)) {}
  ~SilentListener() { close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  int port() const { return port_; }

 private:
  int port_ = 0;
  int fd_ = -1;
};

const char* kGoodYaml =
    "apiVersion: v1\n"
    "username: bob\n"
    "request:\n"
    "  batchType: SPARK\n"
    "  resource: /opt/jobs/pi.jar\n"
    "  className: org.apache.spark.examples.SparkPi\n"
    "  name: pi\n"
    "  configs:\n"
    "    spark.executor.memory: 2g\n"
    "    spark.executor.instances: 3\n"
    "  args: [100, --verbose]\n";

TEST(CtlCommandLine, HelpListsEveryCommandTheOptionsAndTheExitCodes) {
  const auto run = run_ctl({"--help"});
  EXPECT_EQ(run.exit_code, 0) << run.describe();
  for (const char* part :
       {"usage: kitsune-ctl <create|get|delete|list|log|submit>", "create server", "list engine",
        "delete batch <id>", "submit batch", "list session", "-zk, --zk-quorum", "-esl",
        "--hostUrl", "--waitCompletion", "KYUUBI_PASSWORD", "Exit codes",
        "3  ZooKeeper or the REST server cannot be reached"}) {
    EXPECT_TRUE(contains(run.out, part)) << part << "\n" << run.out;
  }
  EXPECT_TRUE(run.err.empty()) << run.err;

  const auto version = run_ctl({"--version"});
  EXPECT_EQ(version.exit_code, 0) << version.describe();
  EXPECT_EQ(version.out,
            "kitsune-ctl " KITSUNE_VERSION " (Kyuubi " KITSUNE_KYUUBI_VERSION " compatible)\n");

  const auto engine = run_ctl({"list", "engine", "--help"});
  EXPECT_EQ(engine.exit_code, 0) << engine.describe();
  EXPECT_TRUE(contains(engine.out, "usage: kitsune-ctl list engine -u USER")) << engine.out;
  EXPECT_TRUE(contains(engine.out, "-u, --user USER")) << engine.out;
  EXPECT_FALSE(contains(engine.out, "--batchType")) << engine.out;
}

TEST(CtlCommandLine, UsageErrorsExitWith2AndShowTheUsage) {
  TempDir conf;
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "Must specify action command"},
      {{"frobnicate", "server"}, "Unknown command 'frobnicate'"},
      {{"list", "servers"}, "Unknown resource 'servers'"},
      {{"log", "server"}, "'log server' is not a command"},
      {{"create", "engine"}, "'create engine' is not a command"},
      {{"list", "server", "--bogus"}, "Unknown option --bogus"},
      {{"list", "server", "-zk"}, "Option -zk needs a value"},
      {{"list", "engine", "-zk", "127.0.0.1:1"}, "Must specify user name for engine"},
      {{"get", "engine", "-zk", "127.0.0.1:1", "-s", "h", "-p", "1"},
       "Must specify user name for engine"},
      {{"delete", "engine", "-zk", "127.0.0.1:1", "-u", "alice"}, "Must specify host for service"},
      {{"get", "server", "-zk", "127.0.0.1:1", "-s", "h", "-p", "x"},
       "Specified port is not a valid integer number: x"},
      {{"list", "engine", "-zk", "127.0.0.1:1", "-u", "alice", "-esl", "TEAM"},
       "'TEAM' is not a share level"},
      {{"list", "server"}, "Zookeeper quorum is not specified"},
      {{"get", "batch"}, "Must specify batchId for get batch command."},
      {{"list", "batch", "--createTime", "2024-01-01"},
       "Option --createTime must be in yyyyMMddHHmmss format."},
      {{"list", "batch", "--createTime", "20240230000000"},
       "Option --createTime must be in yyyyMMddHHmmss format."},
      {{"list", "batch", "--createTime", "20240102000000", "--endTime", "20240101000000"},
       "createTime should be less or equal to endTime"},
      {{"submit", "batch", "--waitCompletion=maybe"}, "Option --waitCompletion takes true"},
      {{"list", "server", "--conf", "novalue"}, "Kyuubi config without '='"},
      {{"list", "session", "--authSchema", "digest", "--hostUrl", "http://127.0.0.1:1"},
       "Unsupported auth schema: digest"},
      {{"list", "session", "--hostUrl", "ftp://127.0.0.1:1"}, "Unsupported URL scheme 'ftp'"},
  };
  for (const auto& [args, message] : cases) {
    std::vector<std::string> full = {"--conf-dir", conf.path()};
    full.insert(full.end(), args.begin(), args.end());
    const auto run = run_ctl(full, 20s);
    EXPECT_EQ(run.exit_code, 2) << message << "\n" << run.describe();
    EXPECT_TRUE(contains(run.err, message)) << message << "\n" << run.err;
    EXPECT_TRUE(contains(run.err, "usage: kitsune-ctl")) << run.err;
    EXPECT_TRUE(run.out.empty()) << run.out;
  }
}

TEST(CtlCommandLine, AConfigurationDirThatDoesNotExistIsAUsageError) {
  const auto run = run_ctl({"--conf-dir", "/nonexistent/kitsune-conf", "list", "server"});
  EXPECT_EQ(run.exit_code, 2) << run.describe();
  EXPECT_TRUE(contains(run.err, "invalid configuration")) << run.err;
  EXPECT_TRUE(contains(run.err, "/nonexistent/kitsune-conf")) << run.err;
}

TEST(CtlBatchFiles, ABadYamlFileExitsWith2NamingTheProblem) {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"apiVersion: v1\nrequest: [unclosed\n", "invalid YAML at line"},
      {"- just\n- a list\n", "expected a YAML mapping"},
      {"request:\n  batchType: SPARK\n  resource: x.jar\n", "apiVersion is missing"},
      {"apiVersion: v2\nrequest:\n  batchType: SPARK\n  resource: x.jar\n",
       "apiVersion 'v2' is not supported"},
      {"apiVersion: v1\n", "request is missing"},
      {"apiVersion: v1\nrequest: SPARK\n", "request must be a mapping"},
      {"apiVersion: v1\nrequest:\n  resource: x.jar\n", "request.batchType is missing"},
      {"apiVersion: v1\nrequest:\n  batchType: SPARK\n", "request.resource is missing"},
      {"apiVersion: v1\nrequest:\n  batchType: SPARK\n  resource: x.jar\n  configs: [a]\n",
       "request.configs must be a mapping"},
      {"apiVersion: v1\nrequest:\n  batchType: SPARK\n  resource: x.jar\n  args: {a: 1}\n",
       "request.args must be a list"},
      {"apiVersion: v1\nauthSchema: digest\nrequest:\n  batchType: SPARK\n  resource: x.jar\n",
       "authSchema 'digest' is not basic or spnego"},
  };
  // Nothing listens there: a file that got as far as a request would exit with 3, not 2.
  const std::string nowhere = "http://127.0.0.1:" + std::to_string(pick_loopback_port());
  int n = 0;
  for (const auto& [yaml, message] : cases) {
    const std::string file = dir.write("batch" + std::to_string(n++) + ".yaml", yaml);
    for (const char* action : {"create", "submit"}) {
      const auto run = run_ctl(
          {"--conf-dir", dir.path(), action, "batch", "-f", file, "--hostUrl", nowhere}, 20s);
      EXPECT_EQ(run.exit_code, 2) << yaml << "\n" << run.describe();
      EXPECT_TRUE(contains(run.err, file + ": " + message)) << message << "\n" << run.err;
    }
  }
  const auto missing = run_ctl({"--conf-dir", dir.path(), "create", "batch", "-f",
                                dir.path() + "/absent.yaml", "--hostUrl", nowhere});
  EXPECT_EQ(missing.exit_code, 2) << missing.describe();
  EXPECT_TRUE(contains(missing.err, "Config file does not exist: " + dir.path() + "/absent.yaml"))
      << missing.err;
  const auto unnamed = run_ctl({"--conf-dir", dir.path(), "create", "batch", "--hostUrl", nowhere});
  EXPECT_EQ(unnamed.exit_code, 2) << unnamed.describe();
  EXPECT_TRUE(contains(unnamed.err, "Config file is not specified.")) << unnamed.err;
}

TEST(CtlRestClient, AnUnreachableRestServerExitsWith3AfterTheConfiguredAttempts) {
  TempDir dir;
  const std::string file = dir.write("batch.yaml", kGoodYaml);
  const std::string port = std::to_string(pick_loopback_port());
  const std::vector<std::vector<std::string>> commands = {{"get", "batch", "42"},
                                                          {"list", "batch"},
                                                          {"list", "session"},
                                                          {"delete", "batch", "42"},
                                                          {"log", "batch", "42", "--forward"},
                                                          {"create", "batch", "-f", file},
                                                          {"submit", "batch", "-f", file}};
  for (const auto& command : commands) {
    std::vector<std::string> args = {"--conf-dir", dir.path(),
                                     "--hostUrl",  "http://127.0.0.1:" + port,
                                     "--conf",     "kyuubi.ctl.rest.request.max.attempts=2",
                                     "--conf",     "kyuubi.ctl.rest.request.attempt.wait=PT0.2S"};
    args.insert(args.end(), command.begin(), command.end());
    const auto run = run_ctl(args, 30s);
    EXPECT_EQ(run.exit_code, 3) << command[0] << "\n" << run.describe();
    EXPECT_TRUE(
        contains(run.err, "Cannot reach the REST API: Cannot connect to http://127.0.0.1:" + port))
        << run.err;
    EXPECT_TRUE(contains(run.err, "2 attempts")) << run.err;
    EXPECT_LT(run.elapsed, 10s) << run.describe();
    EXPECT_TRUE(run.out.empty()) << run.out;
  }

  // Without --hostUrl: the REST frontend's address from the configuration.
  const std::string conf_dir = dir.path() + "/conf";
  std::filesystem::create_directories(conf_dir);
  {
    std::ofstream(conf_dir + "/kyuubi-defaults.conf")
        << "kyuubi.frontend.bind.host 127.0.0.1\nkyuubi.frontend.rest.bind.port " << port << "\n";
  }
  const auto from_conf = run_ctl({"--conf-dir", conf_dir, "list", "session", "--conf",
                                  "kyuubi.ctl.rest.request.max.attempts=1"});
  EXPECT_EQ(from_conf.exit_code, 3) << from_conf.describe();
  EXPECT_TRUE(contains(from_conf.err, "http://127.0.0.1:" + port)) << from_conf.err;
  EXPECT_TRUE(contains(from_conf.err, "(1 attempt,")) << from_conf.err;
}

TEST(CtlRestClient, AServerThatDoesNotAnswerTimesOutWithExitCode3) {
  SilentListener silent;
  TempDir dir;
  const auto run = run_ctl({"--conf-dir", dir.path(), "get", "batch", "42", "--hostUrl",
                            "http://127.0.0.1:" + std::to_string(silent.port()), "--conf",
                            "kyuubi.ctl.rest.socket.timeout=PT1S"});
  EXPECT_EQ(run.exit_code, 3) << run.describe();
  EXPECT_TRUE(contains(run.err, "No response from http://127.0.0.1:" +
                                    std::to_string(silent.port()) + " within 1000 ms"))
      << run.err;
  EXPECT_LT(run.elapsed, 10s) << run.describe();
}

TEST(CtlRestClient, ThePasswordNeverAppearsInTheOutput) {
  TempDir dir;
  const std::string file = dir.write("batch.yaml", std::string(kGoodYaml) + "password: InFile1\n");
  const std::string nowhere = "http://127.0.0.1:" + std::to_string(pick_loopback_port());
  const std::string secret = "S3cret-on-the-command-line";
  const auto flag = run_ctl({"--conf-dir", dir.path(), "-b", "create", "batch", "-f", file,
                             "--hostUrl", nowhere, "--username", "bob", "--password", secret,
                             "--conf", "kyuubi.ctl.rest.request.max.attempts=1"});
  EXPECT_EQ(flag.exit_code, 3) << flag.describe();
  EXPECT_FALSE(contains(flag.out + flag.err, secret)) << flag.describe();
  EXPECT_FALSE(contains(flag.out + flag.err, "InFile1")) << flag.describe();
  EXPECT_TRUE(contains(flag.err, "the password in the file is ignored")) << flag.err;

  const std::string env_secret = "S3cret-in-the-environment";
  const auto env =
      run_ctl({"--conf-dir", dir.path(), "--verbose", "list", "session", "--hostUrl", nowhere,
               "--username", "bob", "--conf", "kyuubi.ctl.rest.request.max.attempts=1"},
              20s, {"KYUUBI_PASSWORD=" + env_secret});
  EXPECT_EQ(env.exit_code, 3) << env.describe();
  EXPECT_FALSE(contains(env.out + env.err, env_secret)) << env.describe();
}

}  // namespace
}  // namespace kitsune::testing
