// Tests of local-backend databases: create, use and drop, queries across databases with on-demand
// attachment and its limit, and the `default.` qualifier.
#include <fstream>

#include "local_test_support.h"

namespace kitsune::backends::testing {
namespace {

namespace fs = std::filesystem;
using Names = std::vector<std::string>;

class LocalDatabasesTest : public LocalBackendTest {
 protected:
  // Creates database `name` with table t(x) holding `value`, from a session of its own.
  void make_database_with_table(const std::string& name, int value) {
    ASSERT_TRUE(session_->create_database(name, false).is_ok()) << name;
    auto other = open_session(name);
    ASSERT_TRUE(other);
    ASSERT_TRUE(run(*other, "CREATE TABLE t (x INT)").is_ok());
    ASSERT_TRUE(run(*other, "INSERT INTO t VALUES (" + std::to_string(value) + ")").is_ok());
  }

  Names databases() {
    auto dbs = session_->databases();
    EXPECT_TRUE(dbs.is_ok()) << dbs.status().to_string();
    return dbs.is_ok() ? *dbs : Names{};
  }
};

TEST_F(LocalDatabasesTest, CreatesListsUsesAndDropsDatabases) {
  ASSERT_TRUE(session_->create_database("Sales", false).is_ok());
  EXPECT_TRUE(fs::is_regular_file(dir_.path() / "sales.db"));
  EXPECT_EQ(databases(), (Names{"default", "sales"}));

  Status again = session_->create_database("sales", false);
  EXPECT_EQ(again.sql_state(), "42000");
  EXPECT_EQ(again.message(), "Database sales already exists");
  EXPECT_TRUE(session_->create_database("SALES", true).is_ok());
  EXPECT_EQ(session_->create_database("default", false).message(),
            "Database default already exists");

  ASSERT_TRUE(session_->use_database("SALES").is_ok());
  EXPECT_EQ(session_->current_database(), "sales");
  EXPECT_EQ(rows("PRAGMA journal_mode"), (Rows{{"wal"}}));
  ASSERT_TRUE(run("CREATE TABLE orders (id INT)").is_ok());
  ASSERT_TRUE(session_->use_database("default").is_ok());
  EXPECT_EQ(session_->current_database(), "default");

  Status not_empty = session_->drop_database("sales", false, false);
  EXPECT_EQ(not_empty.sql_state(), "42000");
  EXPECT_EQ(not_empty.message(), "Database sales is not empty. One or more tables exist.");
  ASSERT_TRUE(session_->drop_database("sales", false, true).is_ok());
  EXPECT_FALSE(fs::exists(dir_.path() / "sales.db"));
  EXPECT_FALSE(fs::exists(dir_.path() / "sales.db-wal"));
  EXPECT_FALSE(fs::exists(dir_.path() / "sales.db-shm"));
  EXPECT_EQ(databases(), (Names{"default"}));

  Status missing = session_->drop_database("sales", false, false);
  EXPECT_EQ(missing.message(), "Database does not exist: sales");
  EXPECT_TRUE(session_->drop_database("sales", true, false).is_ok());
}

TEST_F(LocalDatabasesTest, DropsAnEmptyDatabaseWithoutCascade) {
  ASSERT_TRUE(session_->create_database("empty", false).is_ok());
  EXPECT_TRUE(session_->drop_database("empty", false, false).is_ok());
  EXPECT_EQ(databases(), (Names{"default"}));
}

TEST_F(LocalDatabasesTest, RefusesToDropDefault) {
  Status s = session_->drop_database("DEFAULT", false, true);
  EXPECT_EQ(s.sql_state(), "42000");
  EXPECT_TRUE(fs::exists(dir_.path() / "default.db"));
}

TEST_F(LocalDatabasesTest, RefusesNamesThatCouldLeaveTheDataDirectory) {
  for (const char* name :
       {"../escape", "a/b", "a.b", "", "1abc", "x y", "/tmp/x", "main", "temp"}) {
    Status s = session_->create_database(name, false);
    EXPECT_FALSE(s.is_ok()) << name;
    EXPECT_EQ(s.sql_state(), "42000") << name;
    EXPECT_FALSE(session_->use_database(name).is_ok()) << name;
  }
  EXPECT_FALSE(fs::exists(dir_.path().parent_path() / "escape.db"));
  EXPECT_EQ(databases(), (Names{"default"}));
}

TEST_F(LocalDatabasesTest, ListsOnlyFilesADatabaseNameLeadsTo) {
  for (const char* stray : {"Upper.db", "bad-name.db", "notes.txt", "x.db-wal", "main.db"}) {
    std::ofstream(dir_.path() / stray) << "";
  }
  fs::create_directory(dir_.path() / "folder.db");
  ASSERT_TRUE(session_->create_database("good", false).is_ok());
  EXPECT_EQ(databases(), (Names{"default", "good"}));
}

TEST_F(LocalDatabasesTest, UsingAMissingDatabaseFails) {
  Status s = session_->use_database("nope");
  EXPECT_EQ(s.sql_state(), "42000");
  EXPECT_EQ(s.message(), "Database does not exist: nope");
  EXPECT_EQ(session_->current_database(), "default");
  auto session = backend_->open_session(backend::SessionOptions{"tester", "nope"});
  ASSERT_FALSE(session.is_ok());
  EXPECT_EQ(session.status().message(), "Database does not exist: nope");
  EXPECT_FALSE(fs::exists(dir_.path() / "nope.db"));
}

TEST_F(LocalDatabasesTest, DroppingTheCurrentDatabaseLeavesTheSessionInDefault) {
  ASSERT_TRUE(session_->create_database("gone", false).is_ok());
  ASSERT_TRUE(session_->use_database("gone").is_ok());
  ASSERT_TRUE(session_->drop_database("gone", false, false).is_ok());
  EXPECT_EQ(session_->current_database(), "default");
  EXPECT_FALSE(fs::exists(dir_.path() / "gone.db"));
  EXPECT_EQ(rows("SELECT 1"), (Rows{{"1"}}));
}

TEST_F(LocalDatabasesTest, RefusesToChangeDatabaseInsideATransaction) {
  ASSERT_TRUE(session_->create_database("other", false).is_ok());
  ASSERT_TRUE(run("BEGIN").is_ok());
  EXPECT_EQ(session_->use_database("other").sql_state(), "25000");
  ASSERT_TRUE(run("ROLLBACK").is_ok());
  EXPECT_TRUE(session_->use_database("other").is_ok());
}

TEST_F(LocalDatabasesTest, CrossDatabaseQueryAttachesOnDemand) {
  make_database_with_table("other", 42);
  ASSERT_TRUE(run("CREATE TABLE local_t (x INT)").is_ok());
  ASSERT_TRUE(run("INSERT INTO local_t VALUES (42)").is_ok());
  EXPECT_EQ(rows("SELECT * FROM other.t"), (Rows{{"42"}}));
  EXPECT_EQ(rows("SELECT o.x FROM Other.T AS o JOIN local_t USING (x)"), (Rows{{"42"}}));
  ASSERT_TRUE(run("INSERT INTO other.t VALUES (43)").is_ok());
  ASSERT_TRUE(run("CREATE TABLE other.u (y TEXT)").is_ok());
  auto other = open_session("other");
  ASSERT_TRUE(other);
  EXPECT_EQ(rows(*other, "SELECT x FROM t ORDER BY x"), (Rows{{"42"}, {"43"}}));
  EXPECT_EQ(rows(*other, "SELECT name FROM sqlite_schema WHERE name = 'u'"), (Rows{{"u"}}));
}

TEST_F(LocalDatabasesTest, UnknownDatabasesAndTablesStillFailClearly) {
  make_database_with_table("other", 1);
  Status no_db = run("SELECT * FROM nowhere.t");
  EXPECT_EQ(no_db.sql_state(), "42S02");
  EXPECT_EQ(no_db.message(), "no such table: nowhere.t");
  Status no_table = run("SELECT * FROM other.missing");
  EXPECT_EQ(no_table.sql_state(), "42S02");
  EXPECT_EQ(no_table.message(), "no such table: other.missing");
  EXPECT_FALSE(fs::exists(dir_.path() / "nowhere.db"));
}

TEST_F(LocalDatabasesTest, TheCurrentDatabaseNameQualifiesMain) {
  make_database_with_table("sales", 7);
  ASSERT_TRUE(session_->use_database("sales").is_ok());
  EXPECT_EQ(rows("SELECT x FROM sales.t"), (Rows{{"7"}}));
  EXPECT_EQ(rows("SELECT sales.t.x FROM sales.t"), (Rows{{"7"}}));
  ASSERT_TRUE(run("CREATE TABLE `sales`.t2 (y INT)").is_ok());
  EXPECT_EQ(rows("SELECT name FROM main.sqlite_schema WHERE name = 't2'"), (Rows{{"t2"}}));
}

TEST_F(LocalDatabasesTest, DefaultQualifierWorksFromEveryDatabase) {
  ASSERT_TRUE(run("CREATE TABLE t (x INT)").is_ok());
  ASSERT_TRUE(run("INSERT INTO default.t VALUES (1)").is_ok());
  EXPECT_EQ(rows("SELECT x FROM default.t"), (Rows{{"1"}}));
  ASSERT_TRUE(session_->create_database("other", false).is_ok());
  ASSERT_TRUE(session_->use_database("other").is_ok());
  EXPECT_EQ(rows("SELECT x FROM default.t"), (Rows{{"1"}}));
  EXPECT_EQ(rows("SELECT x FROM `default`.t"), (Rows{{"1"}}));
  ASSERT_TRUE(run("INSERT INTO DEFAULT.t SELECT x + 1 FROM default.t").is_ok());
  ASSERT_TRUE(session_->use_database("default").is_ok());
  EXPECT_EQ(rows("SELECT x FROM t ORDER BY x"), (Rows{{"1"}, {"2"}}));
}

TEST_F(LocalDatabasesTest, QueriesMoreThanTenDatabasesByEvictingIdleAttachments) {
  constexpr int kDatabases = 13;
  for (int i = 0; i < kDatabases; ++i) {
    make_database_with_table("db" + std::to_string(i), i);
  }
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < kDatabases; ++i) {
      const std::string db = "db" + std::to_string(i);
      EXPECT_EQ(rows("SELECT x FROM " + db + ".t"), (Rows{{std::to_string(i)}})) << db;
    }
  }
}

TEST_F(LocalDatabasesTest, KeepsAttachmentsOpenCursorsUse) {
  constexpr int kLimit = 10;
  for (int i = 0; i <= kLimit; ++i) {
    make_database_with_table("db" + std::to_string(i), i);
  }
  // Ten open cursors, each reading another database, pin all ten attachments.
  std::vector<std::unique_ptr<backend::Cursor>> open;
  for (int i = 0; i < kLimit; ++i) {
    auto cursor = session_->prepare("SELECT x FROM db" + std::to_string(i) + ".t");
    ASSERT_TRUE(cursor.is_ok()) << cursor.status().to_string();
    ASSERT_TRUE((*cursor)->execute().is_ok());
    open.push_back(std::move(*cursor));
  }
  Status full = run("SELECT x FROM db10.t");
  EXPECT_EQ(full.sql_state(), "54000");
  EXPECT_NE(full.message().find("db10"), std::string::npos) << full.message();
  // The open cursors still read their rows.
  for (int i = 0; i < kLimit; ++i) {
    backend::RowSetBuilder builder(open[static_cast<std::size_t>(i)]->schema());
    auto more = open[static_cast<std::size_t>(i)]->fetch(builder, 10, 1 << 20);
    ASSERT_TRUE(more.is_ok()) << more.status().to_string();
    EXPECT_EQ(builder.take(0, tcli::TProtocolVersion::HIVE_CLI_SERVICE_PROTOCOL_V10)
                  .columns[0]
                  .i32Val.values,
              std::vector<std::int32_t>{i});
  }
  open.erase(open.begin() + 3);
  EXPECT_EQ(rows("SELECT x FROM db10.t"), (Rows{{"10"}}));
}

TEST_F(LocalDatabasesTest, OneStatementMayUseTenOtherDatabasesButNotEleven) {
  constexpr int kLimit = 10;
  for (int i = 0; i <= kLimit; ++i) {
    make_database_with_table("db" + std::to_string(i), i);
  }
  std::string ten = "SELECT sum(x) FROM (SELECT x FROM db0.t";
  for (int i = 1; i < kLimit; ++i) {
    ten += " UNION ALL SELECT x FROM db" + std::to_string(i) + ".t";
  }
  EXPECT_EQ(rows(ten + ")"), (Rows{{"45"}}));
  Status eleven = run(ten + " UNION ALL SELECT x FROM db10.t)");
  EXPECT_EQ(eleven.sql_state(), "54000");
}

TEST_F(LocalDatabasesTest, CursorsSurviveAChangeOfDatabase) {
  ASSERT_TRUE(run("CREATE TABLE t (x INT)").is_ok());
  ASSERT_TRUE(run("INSERT INTO t VALUES (1), (2), (3)").is_ok());
  ASSERT_TRUE(session_->create_database("other", false).is_ok());
  auto cursor = session_->prepare("SELECT x FROM t ORDER BY x");
  ASSERT_TRUE(cursor.is_ok());
  ASSERT_TRUE((*cursor)->execute().is_ok());
  backend::RowSetBuilder builder((*cursor)->schema());
  ASSERT_TRUE((*cursor)->fetch(builder, 1, 1 << 20).is_ok());
  ASSERT_TRUE(session_->use_database("other").is_ok());
  auto more = (*cursor)->fetch(builder, 10, 1 << 20);
  ASSERT_TRUE(more.is_ok()) << more.status().to_string();
  EXPECT_FALSE(*more);
  EXPECT_EQ(builder.rows(), 3u);
  ASSERT_TRUE((*cursor)->rewind().is_ok());
}

TEST_F(LocalDatabasesTest, InterruptReachesCursorsOfTheDatabaseBeforeUse) {
  ASSERT_TRUE(session_->create_database("other", false).is_ok());
  auto cursor = session_->prepare(
      "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 100000) "
      "SELECT n FROM c");
  ASSERT_TRUE(cursor.is_ok());
  ASSERT_TRUE((*cursor)->execute().is_ok());
  ASSERT_TRUE(session_->use_database("other").is_ok());
  session_->interrupt();
  backend::RowSetBuilder builder((*cursor)->schema());
  Result<bool> fetched = true;
  while (fetched.is_ok() && *fetched) {
    fetched = (*cursor)->fetch(builder, 5000, 1 << 30);
  }
  ASSERT_FALSE(fetched.is_ok());
  EXPECT_EQ(fetched.status().code(), StatusCode::kCancelled);
}

TEST_F(LocalDatabasesTest, DropDetachesADatabaseThisSessionAttached) {
  make_database_with_table("other", 5);
  EXPECT_EQ(rows("SELECT x FROM other.t"), (Rows{{"5"}}));
  ASSERT_TRUE(session_->drop_database("other", false, true).is_ok());
  EXPECT_FALSE(fs::exists(dir_.path() / "other.db"));
  Status gone = run("SELECT x FROM other.t");
  EXPECT_EQ(gone.sql_state(), "42S02");
  ASSERT_TRUE(session_->create_database("other", false).is_ok());
  EXPECT_EQ(run("SELECT x FROM other.t").message(), "no such table: other.t");
}

TEST_F(LocalDatabasesTest, RefusesToDropADatabaseAnOpenCursorReads) {
  make_database_with_table("other", 5);
  auto cursor = session_->prepare("SELECT x FROM other.t");
  ASSERT_TRUE(cursor.is_ok());
  Status busy = session_->drop_database("other", false, true);
  EXPECT_FALSE(busy.is_ok());
  EXPECT_TRUE(fs::exists(dir_.path() / "other.db"));
  cursor->reset();
  EXPECT_TRUE(session_->drop_database("other", false, true).is_ok());
}

}  // namespace
}  // namespace kitsune::backends::testing
