// The metadata store on a real SQLite file and a real PostgreSQL: Kyuubi's table, its filters,
// paging, updates and the cleaner; the schema and the refusals at startup.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <memory>

#include "batch_harness.h"
#include "metadata_store.h"
#include "postgres_process.h"

namespace kitsune::testing {
namespace {

namespace fs = std::filesystem;
using batch::Metadata;
using batch::MetadataFilter;
using batch::MetadataStore;
using batch::MetadataUpdate;

Metadata row(const std::string& id, const std::string& user, const std::string& type,
             const std::string& state, std::int64_t created, std::int64_t ended = 0,
             const std::string& instance = "gw1:10099", const std::string& name = "job") {
  Metadata m;
  m.identifier = id;
  m.real_user = user;
  m.user_name = user;
  m.ip_address = "10.0.0.21";
  m.kyuubi_instance = instance;
  m.state = state;
  m.resource = "/jobs/" + id + ".jar";
  m.class_name = "org.example.Main";
  m.request_name = name;
  m.request_conf = R"({"spark.master":"yarn"})";
  m.request_args = R"(["--in","x"])";
  m.create_time = created;
  m.engine_type = type;
  m.end_time = ended;
  return m;
}

std::vector<std::string> ids(const Result<std::vector<Metadata>>& rows) {
  std::vector<std::string> out;
  if (!rows) return {"error: " + rows.status().message()};
  for (const auto& m : *rows)
    out.push_back(m.identifier);
  return out;
}

class MetadataStoreOn : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "SQLITE") {
      conf_ = sqlite_conf(dir_.path() / "state" / "kyuubi_state_store.db");
    } else {
      conf_ = postgres_conf(postgres_database());
    }
    auto opened = batch::open_metadata_store(conf_, {});
    ASSERT_TRUE(opened) << opened.status().message();
    store_ = std::move(opened).value();
  }

  void insert_all(const std::vector<Metadata>& rows) {
    for (const auto& m : rows)
      ASSERT_TRUE(store_->insert(m).is_ok());
  }

  TempDir dir_;
  config::Conf conf_;
  std::unique_ptr<MetadataStore> store_;
};

TEST_P(MetadataStoreOn, AnInsertedBatchReadsBackWithEveryColumn) {
  Metadata m = row("6a1f0a53-8d3e-4a5c-9b7e-000000000001", "alice", "SPARK", "RUNNING", 1000);
  m.real_user = "admin";
  m.cluster_manager = "yarn";
  m.engine_open_time = 1100;
  m.engine_id = "application_1_0001";
  m.engine_name = "nightly";
  m.engine_url = "http://rm:8088/proxy/application_1_0001/";
  m.engine_state = "RUNNING";
  m.engine_error = "none yet";
  m.priority = 7;
  m.submit_process = "123:456:boot";
  ASSERT_TRUE(store_->insert(m).is_ok());
  auto got = store_->get(m.identifier);
  ASSERT_TRUE(got) << got.status().message();
  ASSERT_TRUE(got->has_value());
  const Metadata& r = **got;
  EXPECT_EQ(r.session_type, "BATCH");
  EXPECT_EQ(r.real_user, "admin");
  EXPECT_EQ(r.user_name, "alice");
  EXPECT_EQ(r.ip_address, "10.0.0.21");
  EXPECT_EQ(r.kyuubi_instance, "gw1:10099");
  EXPECT_EQ(r.state, "RUNNING");
  EXPECT_EQ(r.resource, m.resource);
  EXPECT_EQ(r.class_name, "org.example.Main");
  EXPECT_EQ(r.request_name, "job");
  EXPECT_EQ(r.request_conf, m.request_conf);
  EXPECT_EQ(r.request_args, m.request_args);
  EXPECT_EQ(r.create_time, 1000);
  EXPECT_EQ(r.engine_type, "SPARK");
  EXPECT_EQ(r.cluster_manager, "yarn");
  EXPECT_EQ(r.engine_open_time, 1100);
  EXPECT_EQ(r.engine_id, "application_1_0001");
  EXPECT_EQ(r.engine_name, "nightly");
  EXPECT_EQ(r.engine_url, m.engine_url);
  EXPECT_EQ(r.engine_state, "RUNNING");
  EXPECT_EQ(r.engine_error, "none yet");
  EXPECT_EQ(r.end_time, 0);
  EXPECT_EQ(r.priority, 7);
  EXPECT_FALSE(r.peer_instance_closed);
  EXPECT_EQ(r.submit_process, "123:456:boot");
  EXPECT_TRUE(store_->has_submit_process());

  auto missing = store_->get("6a1f0a53-8d3e-4a5c-9b7e-0000000000ff");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST_P(MetadataStoreOn, ASecondInsertOfOneIdentifierIsADuplicate) {
  const Metadata m = row("6a1f0a53-8d3e-4a5c-9b7e-000000000002", "alice", "SPARK", "PENDING", 1);
  ASSERT_TRUE(store_->insert(m).is_ok());
  Status again = store_->insert(m);
  EXPECT_FALSE(again.is_ok());
  EXPECT_EQ(again.error_code(), batch::kDuplicate) << again.message();
}

TEST_P(MetadataStoreOn, ListFiltersByEachFieldOfTheFilter) {
  insert_all({row("id-1", "alice", "SPARK", "RUNNING", 100, 0, "gw1:1", "etl"),
              row("id-2", "bob", "PYSPARK", "FINISHED", 200, 250, "gw1:1", "report"),
              row("id-3", "alice", "SQL", "ERROR", 300, 350, "gw2:1", "etl"),
              row("id-4", "carol", "spark", "FINISHED", 400, 450, "gw2:1", "other")});
  auto select = [&](MetadataFilter f) { return ids(store_->list(f, 0, 100, false)); };
  using V = std::vector<std::string>;
  MetadataFilter f;
  EXPECT_EQ(select(f), (V{"id-1", "id-2", "id-3", "id-4"}));
  f = {};
  f.engine_type = "spark";  // compared upper-case, as Kyuubi does
  EXPECT_EQ(select(f), (V{"id-1", "id-4"}));
  f = {};
  f.user_name = "alice";
  EXPECT_EQ(select(f), (V{"id-1", "id-3"}));
  f = {};
  f.states = {"FINISHED"};
  EXPECT_EQ(select(f), (V{"id-2", "id-4"}));
  f.states = {"FINISHED", "RUNNING"};
  EXPECT_EQ(select(f), (V{"id-1", "id-2", "id-4"}));
  f = {};
  f.request_name = "etl";
  EXPECT_EQ(select(f), (V{"id-1", "id-3"}));
  f = {};
  f.kyuubi_instance = "gw2:1";
  EXPECT_EQ(select(f), (V{"id-3", "id-4"}));
  f = {};
  f.create_time = 300;
  EXPECT_EQ(select(f), (V{"id-3", "id-4"}));
  f = {};
  f.end_time = 350;  // ended (end_time > 0) at or before
  EXPECT_EQ(select(f), (V{"id-2", "id-3"}));
  f = {};
  f.session_type = "BATCH";
  f.user_name = "alice";
  f.states = {"ERROR"};
  EXPECT_EQ(select(f), (V{"id-3"}));
  EXPECT_EQ(*store_->count(f), 1);
  EXPECT_EQ(*store_->count(MetadataFilter{}), 4);
}

TEST_P(MetadataStoreOn, ListPagesWithFromAndSizeInEitherOrder) {
  for (int i = 1; i <= 7; ++i)
    insert_all({row("id-" + std::to_string(i), "alice", "SPARK", "PENDING", i)});
  using V = std::vector<std::string>;
  EXPECT_EQ(ids(store_->list({}, 0, 3, false)), (V{"id-1", "id-2", "id-3"}));
  EXPECT_EQ(ids(store_->list({}, 3, 3, false)), (V{"id-4", "id-5", "id-6"}));
  EXPECT_EQ(ids(store_->list({}, 6, 3, false)), (V{"id-7"}));
  EXPECT_EQ(ids(store_->list({}, 0, 2, true)), (V{"id-7", "id-6"}));
  EXPECT_EQ(ids(store_->list({}, 2, 2, true)), (V{"id-5", "id-4"}));
  EXPECT_EQ(ids(store_->list({}, 9, 2, true)), V{});
}

TEST_P(MetadataStoreOn, AnUpdateSetsOnlyItsColumnsAndSparesAnEndedBatchWhenAsked) {
  insert_all({row("id-1", "alice", "SPARK", "RUNNING", 1)});
  MetadataUpdate u;
  u.engine_id = "application_7_0001";
  u.engine_state = "RUNNING";
  auto updated = store_->update("id-1", u);
  ASSERT_TRUE(updated);
  EXPECT_TRUE(*updated);
  auto got = store_->get("id-1");
  EXPECT_EQ((*got)->engine_id, "application_7_0001");
  EXPECT_EQ((*got)->state, "RUNNING");
  EXPECT_EQ((*got)->request_name, "job");

  MetadataUpdate end;
  end.state = "FINISHED";
  end.end_time = 99;
  ASSERT_TRUE(*store_->update("id-1", end, /*unless_ended=*/true));
  MetadataUpdate late;
  late.state = "ERROR";
  EXPECT_FALSE(*store_->update("id-1", late, /*unless_ended=*/true));
  EXPECT_EQ((*store_->get("id-1"))->state, "FINISHED");
  EXPECT_FALSE(*store_->update("no-such-id", late));

  MetadataUpdate peer;
  peer.peer_instance_closed = true;
  insert_all({row("id-2", "alice", "SPARK", "RUNNING", 2)});
  ASSERT_TRUE(*store_->update("id-2", peer));
  MetadataFilter closed;
  closed.peer_instance_closed = true;
  EXPECT_EQ(ids(store_->list(closed, 0, 10, false)), std::vector<std::string>{"id-2"});
}

TEST_P(MetadataStoreOn, TheCleanerDeletesOnlyEndedBatchesOlderThanTheCutoff) {
  insert_all({row("old-finished", "alice", "SPARK", "FINISHED", 1, 100),
              row("old-error", "alice", "SQL", "ERROR", 1, 150),
              row("new-finished", "alice", "SPARK", "FINISHED", 1, 5000),
              row("old-running", "alice", "SPARK", "RUNNING", 1, 0),
              row("old-canceled", "bob", "SPARK", "CANCELED", 1, 10)});
  auto cleaned = store_->clean(/*end_before=*/1000, /*limit=*/2);
  ASSERT_TRUE(cleaned) << cleaned.status().message();
  EXPECT_EQ(cleaned->size(), 2u);
  auto rest = store_->clean(1000, 100);
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->size(), 1u);
  using V = std::vector<std::string>;
  EXPECT_EQ(ids(store_->list({}, 0, 10, false)), (V{"new-finished", "old-running"}));
}

TEST_P(MetadataStoreOn, OpeningAgainKeepsTheRowsAndTheSchema) {
  insert_all({row("id-1", "alice", "SPARK", "FINISHED", 1, 2)});
  store_.reset();
  auto again = batch::open_metadata_store(conf_, {});
  ASSERT_TRUE(again) << again.status().message();
  EXPECT_EQ(ids((*again)->list({}, 0, 10, false)), std::vector<std::string>{"id-1"});
}

INSTANTIATE_TEST_SUITE_P(Databases, MetadataStoreOn, ::testing::Values("SQLITE", "POSTGRESQL"),
                         [](const auto& param) { return param.param; });

TEST(MetadataStore, MysqlAndCustomAreRefusedNamingTheKey) {
  for (const char* type : {"MYSQL", "CUSTOM"}) {
    config::Conf conf;
    conf.set("kyuubi.metadata.store.jdbc.database.type", type);
    conf.set("kyuubi.metadata.store.jdbc.url", "jdbc:mysql://db:3306/kyuubi");
    auto opened = batch::open_metadata_store(conf, {});
    ASSERT_FALSE(opened);
    EXPECT_NE(opened.status().message().find("kyuubi.metadata.store.jdbc.database.type"),
              std::string::npos)
        << opened.status().message();
    EXPECT_NE(opened.status().message().find("not supported"), std::string::npos);
  }
}

TEST(MetadataStore, TheDefaultUrlIsAFileUnderKyuubiHome) {
  TempDir dir;
  batch::StoreOptions options;
  options.kyuubi_home = dir.path() / "kyuubi";
  auto opened = batch::open_metadata_store(config::Conf{}, options);
  ASSERT_TRUE(opened) << opened.status().message();
  EXPECT_TRUE(fs::exists(dir.path() / "kyuubi" / "kyuubi_state_store.db"));
  EXPECT_NE((*opened)->describe().find("kyuubi_state_store.db"), std::string::npos);
}

TEST(MetadataStore, WithoutSchemaInitAMissingTableIsNamedWithTheKeyToSet) {
  TempDir dir;
  config::Conf conf = sqlite_conf(dir.path() / "empty.db");
  conf.set("kyuubi.metadata.store.jdbc.database.schema.init", "false");
  auto opened = batch::open_metadata_store(conf, {});
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.status().message().find("kyuubi.metadata.store.jdbc.database.schema.init"),
            std::string::npos)
      << opened.status().message();
}

TEST(MetadataStore, AKyuubiTableWithoutSubmitProcessGainsItWithSchemaInit) {
  TempDir dir;
  const fs::path file = dir.path() / "kyuubi.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  // Kyuubi's own table (metadata-store-schema-1.11.0.sqlite.sql).
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE metadata(key_id INTEGER PRIMARY KEY AUTOINCREMENT,"
                         " identifier varchar(36) NOT NULL, session_type varchar(32) NOT NULL,"
                         " real_user varchar(255) NOT NULL, user_name varchar(255) NOT NULL,"
                         " ip_address varchar(128), kyuubi_instance varchar(1024),"
                         " state varchar(128) NOT NULL, resource varchar(1024),"
                         " class_name varchar(1024), request_name varchar(1024),"
                         " request_conf mediumtext, request_args mediumtext,"
                         " create_time BIGINT NOT NULL, engine_type varchar(32) NOT NULL,"
                         " cluster_manager varchar(128), engine_open_time bigint,"
                         " engine_id varchar(128), engine_name mediumtext,"
                         " engine_url varchar(1024), engine_state varchar(32),"
                         " engine_error mediumtext, end_time bigint,"
                         " priority INTEGER NOT NULL DEFAULT 10,"
                         " peer_instance_closed boolean default '0');",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  config::Conf conf = sqlite_conf(file);
  conf.set("kyuubi.metadata.store.jdbc.database.schema.init", "false");
  auto without = batch::open_metadata_store(conf, {});
  ASSERT_TRUE(without) << without.status().message();
  EXPECT_FALSE((*without)->has_submit_process());
  Metadata m = row("id-1", "alice", "SPARK", "RUNNING", 1);
  m.submit_process = "1:2:3";
  ASSERT_TRUE((*without)->insert(m).is_ok());
  without->reset();

  conf.set("kyuubi.metadata.store.jdbc.database.schema.init", "true");
  auto with = batch::open_metadata_store(conf, {});
  ASSERT_TRUE(with) << with.status().message();
  EXPECT_TRUE((*with)->has_submit_process());
  EXPECT_EQ((*(*with)->get("id-1"))->state, "RUNNING");
}

TEST(MetadataStore, APostgresqlLoginFailureNeverShowsThePassword) {
  config::Conf conf = postgres_conf(postgres_database());
  const std::string wrong = "wrong-pw-Kk38d";
  conf.set("kyuubi.metadata.store.jdbc.password", wrong);
  auto opened = batch::open_metadata_store(conf, {});
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.status().message().find(wrong), std::string::npos) << opened.status().message();
  EXPECT_NE(opened.status().message().find("kyuubi.metadata.store.jdbc.url"), std::string::npos)
      << opened.status().message();
}

}  // namespace
}  // namespace kitsune::testing
