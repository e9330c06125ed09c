// kitsune-ctl's batch and session commands against a real gateway's REST API (/api/v1): SQL
// batches created from YAML files, followed to their end, listed, shown and closed; sessions
// listed; --authSchema spnego with a ticket from a real MIT KDC.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ctl_process.h"
#include "gateway_calls.h"
#include "gateway_process.h"
#include "kdc_process.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class CtlAgainstTheRestApi : public ::testing::Test {
 protected:
  // alice is an administrator: only then may a batch name a SQL script by a path on the server
  // (one that alice's OS user does not own) instead of uploading it.
  GatewayProcess gw{[] {
    GatewayOptions o;
    o.defaults_file = "kyuubi.server.administrators alice\n";
    return o;
  }()};
  TempDir dir;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(gw.rest_port()); }

  // kitsune-ctl as alice (basic authentication; the gateway's auth is NONE), quick to poll.
  CtlRun ctl(std::vector<std::string> args, std::chrono::milliseconds timeout = 120s) {
    args.insert(args.begin(), {"--conf-dir", gw.conf_dir(), "--hostUrl", url(), "--username",
                               "alice", "--conf", "kyuubi.ctl.batch.log.query.interval=PT0.2S"});
    return run_ctl(args, timeout, {"KYUUBI_PASSWORD=secret"});
  }

  // A YAML file for a SQL batch running `sql`.
  std::string sql_batch(const std::string& name, const std::string& sql) {
    const std::string script = dir.write(name + ".sql", sql);
    return dir.write(name + ".yaml",
                     "apiVersion: v1\n"
                     "request:\n"
                     "  batchType: SQL\n"
                     "  resource: " +
                         script + "\n  name: " + name + "\n");
  }
};

TEST_F(CtlAgainstTheRestApi, SubmitBatchFollowsASqlBatchToItsEndAndTheOtherCommandsFindIt) {
  ASSERT_GT(gw.rest_port(), 0) << gw.log();
  const std::string file = sql_batch("ok", "SELECT 1;\nSELECT 2;\n");

  const auto submitted = ctl({"submit", "batch", "-f", file});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.describe() << gw.log();
  EXPECT_TRUE(contains(submitted.out, "Batch Report (")) << submitted.out;
  EXPECT_TRUE(contains(submitted.out, "│ FINISHED ")) << submitted.out;
  EXPECT_TRUE(contains(submitted.out, "│ alice ")) << submitted.out;

  // The id, from list batch --json.
  const auto listed = ctl({"list", "batch", "--batchName", "ok", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.describe();
  const json list = json::parse(listed.out, nullptr, false);
  ASSERT_TRUE(list.is_object() && list["batches"].is_array() && list["batches"].size() == 1)
      << listed.out;
  const json batch = list["batches"][0];
  const std::string id = batch["id"];
  EXPECT_EQ(batch["state"], "FINISHED");
  EXPECT_EQ(batch["batchType"], "SQL");
  EXPECT_EQ(batch["user"], "alice");
  EXPECT_EQ(batch["name"], "ok");

  const auto table = ctl({"list", "batch"});
  ASSERT_EQ(table.exit_code, 0) << table.describe();
  EXPECT_TRUE(contains(table.out, "Batch List (from 0 total 1)")) << table.out;
  EXPECT_TRUE(contains(table.out, id)) << table.out;

  const auto got = ctl({"get", "batch", id, "--json"});
  ASSERT_EQ(got.exit_code, 0) << got.describe();
  EXPECT_EQ(json::parse(got.out, nullptr, false)["id"], id) << got.out;

  const auto log = ctl({"log", "batch", id});
  EXPECT_EQ(log.exit_code, 0) << log.describe();
  EXPECT_FALSE(log.out.empty()) << log.describe();
  const auto log_json = ctl({"log", "batch", id, "--json"});
  ASSERT_EQ(log_json.exit_code, 0) << log_json.describe();
  const json rows = json::parse(log_json.out, nullptr, false);
  EXPECT_TRUE(rows.contains("logRowSet") && rows.contains("rowCount")) << log_json.out;

  // Deleting a batch that has ended: nothing to cancel, exit 0.
  const auto deleted = ctl({"delete", "batch", id});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.describe();
}

TEST_F(CtlAgainstTheRestApi, SubmitBatchExitsWith1ForABatchThatFailed) {
  ASSERT_GT(gw.rest_port(), 0) << gw.log();
  const std::string file = sql_batch("bad", "SELECT * FROM no_such_table;\n");
  const auto run = ctl({"submit", "batch", "-f", file});
  EXPECT_EQ(run.exit_code, 1) << run.describe();
  EXPECT_TRUE(contains(run.out, "│ ERROR ")) << run.out;
  EXPECT_TRUE(contains(run.err, "failed: its state is ERROR")) << run.err;
}

TEST_F(CtlAgainstTheRestApi, CreateBatchReturnsAtOnceAndLogForwardWaitsForTheEnd) {
  ASSERT_GT(gw.rest_port(), 0) << gw.log();
  const std::string file = sql_batch("later", "SELECT 1;\n");
  const auto created = ctl({"create", "batch", "-f", file, "--json"});
  ASSERT_EQ(created.exit_code, 0) << created.describe();
  const json batch = json::parse(created.out, nullptr, false);
  ASSERT_TRUE(batch.is_object() && batch.contains("id")) << created.out;
  const std::string id = batch["id"];

  const auto followed = ctl({"log", "batch", id, "--forward"});
  ASSERT_EQ(followed.exit_code, 0) << followed.describe();
  EXPECT_TRUE(contains(followed.out, "Batch Report (" + id + ")")) << followed.out;
  EXPECT_TRUE(contains(followed.out, "│ FINISHED ")) << followed.out;
}

TEST_F(CtlAgainstTheRestApi, UnknownBatchesAndBadRequestsAreErrorsFromTheServer) {
  ASSERT_GT(gw.rest_port(), 0) << gw.log();
  const auto unknown = ctl({"get", "batch", "00000000-0000-0000-0000-000000000000"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.describe();
  EXPECT_TRUE(contains(unknown.err, "Error from the REST server (404")) << unknown.err;

  // SPARK needs a className: the server refuses the request, with its reason.
  const std::string file = dir.write("spark.yaml",
                                     "apiVersion: v1\nrequest:\n  batchType: SPARK\n"
                                     "  resource: /tmp/app.jar\n");
  const auto refused = ctl({"create", "batch", "-f", file});
  EXPECT_EQ(refused.exit_code, 1) << refused.describe();
  EXPECT_TRUE(contains(refused.err, "classname is a required parameter for SPARK")) << refused.err;
}

TEST_F(CtlAgainstTheRestApi, ListSessionShowsTheSessionsOfTheCaller) {
  ASSERT_GT(gw.rest_port(), 0) << gw.log();
  HeldSession held(gw);
  const auto table = ctl({"list", "session"});
  ASSERT_EQ(table.exit_code, 0) << table.describe();
  EXPECT_TRUE(contains(table.out, "Live Session List (total 1)")) << table.out;
  EXPECT_TRUE(contains(table.out, "│ alice ")) << table.out;

  const auto as_json = ctl({"list", "session", "--json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.describe();
  const json sessions = json::parse(as_json.out, nullptr, false);
  ASSERT_TRUE(sessions.is_array() && sessions.size() == 1) << as_json.out;
  EXPECT_EQ(sessions[0]["user"], "alice");
}

TEST_F(CtlAgainstTheRestApi, TheRestUrlComesFromTheGatewaysConfigurationWhenNotGiven) {
  ASSERT_GT(gw.rest_port(), 0) << gw.log();
  // kyuubi.frontend.rest.bind.port is 0 in the gateway's file: name the port it got.
  const auto run = run_ctl({"--conf-dir", gw.conf_dir(), "--conf",
                            "kyuubi.frontend.rest.bind.port=" + std::to_string(gw.rest_port()),
                            "list", "batch", "--username", "alice"},
                           60s, {"KYUUBI_PASSWORD=secret"});
  EXPECT_EQ(run.exit_code, 0) << run.describe();
  EXPECT_TRUE(contains(run.out, "Batch List (from 0 total 0)")) << run.out;
}

TEST(CtlWithSpnego, LogsInWithTheCallersTicketAndFailsClearlyWithoutOne) {
  const std::string password = "alice-Ctl-Spn-7q";
  KdcProcess kdc;
  kdc.export_config();  // KRB5_CONFIG for the gateway and kitsune-ctl
  kdc.add_user("alice", password);
  kdc.add_service("HTTP/localhost");
  kdc.add_service("hive/localhost");
  const std::string http_keytab = kdc.dir() + "/http.keytab";
  const std::string hive_keytab = kdc.dir() + "/hive.keytab";
  kdc.export_keytab("HTTP/localhost", http_keytab);
  kdc.export_keytab("hive/localhost", hive_keytab);
  const std::string ticket = kdc.new_ccache();
  const auto kinit = kdc.kinit("alice", password, ticket);
  ASSERT_EQ(kinit.exit_code, 0) << kinit.output;

  GatewayOptions o;
  o.conf = {{"kyuubi.authentication", "KERBEROS"},
            {"kyuubi.kinit.principal", "hive/localhost@" + kdc.realm()},
            {"kyuubi.kinit.keytab", hive_keytab},
            {"kyuubi.spnego.principal", "HTTP/localhost@" + kdc.realm()},
            {"kyuubi.spnego.keytab", http_keytab}};
  GatewayProcess gw(o);
  ASSERT_GT(gw.rest_port(), 0) << gw.log();
  // The service ticket is for HTTP/<the URL's host>: localhost, as the keytab's principal.
  const std::string url = "http://localhost:" + std::to_string(gw.rest_port());

  const auto listed = run_ctl({"--conf-dir", gw.conf_dir(), "--hostUrl", url, "--authSchema",
                               "spnego", "list", "batch", "--json"},
                              60s, {"KRB5CCNAME=" + ticket});
  ASSERT_EQ(listed.exit_code, 0) << listed.describe() << gw.log();
  EXPECT_TRUE(contains(listed.out, "\"batches\"")) << listed.out;
  EXPECT_TRUE(
      wait_until([&] { return contains(gw.log(), "user=\"alice\"\tmechanism=NEGOTIATE\t"); }, 10s))
      << gw.log();

  const auto no_ticket = run_ctl(
      {"--conf-dir", gw.conf_dir(), "--hostUrl", url, "--authSchema", "spnego", "list", "batch"},
      60s, {"KRB5CCNAME=" + kdc.new_ccache()});
  EXPECT_NE(no_ticket.exit_code, 0) << no_ticket.describe();
  EXPECT_TRUE(contains(no_ticket.err, "SPNEGO for HTTP@localhost failed")) << no_ticket.describe();
  EXPECT_FALSE(contains(gw.log(), password));
}

}  // namespace
}  // namespace kitsune::testing
