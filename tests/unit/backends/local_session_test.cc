// Tests of local-backend statements: types and values on the wire, DML counts, streaming in
// batches, rewind, one statement per call, error SQLSTATEs and interrupt.
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "local_test_support.h"

namespace kitsune::backends::testing {
namespace {

using T = tcli::TTypeId;

constexpr auto kV10 = tcli::TProtocolVersion::HIVE_CLI_SERVICE_PROTOCOL_V10;

TEST(MakeBackend, JdbcNeedsADatabaseTypeItSupports) {
  TempDir dir;
  config::Conf conf;
  conf.set("kitsune.engine.local.data.dir", dir.path().string());
  conf.set("kyuubi.engine.type", "jdbc");
  // Neither a type nor a URL to take it from.
  auto made = make_backend(conf);
  ASSERT_FALSE(made.is_ok());
  EXPECT_NE(made.status().message().find("kyuubi.engine.jdbc.type (postgresql or mysql)"),
            std::string::npos)
      << made.status().message();
  // A database kitsune-engine has no backend for.
  conf.set("kyuubi.engine.jdbc.connection.url", "jdbc:oracle:thin:@db:1521/ORCL");
  conf.set("kyuubi.engine.jdbc.type", "oracle");
  made = make_backend(conf);
  ASSERT_FALSE(made.is_ok());
  EXPECT_EQ(made.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(made.status().message().find("kyuubi.engine.jdbc.type=oracle is not supported"),
            std::string::npos)
      << made.status().message();
}

TEST(MakeBackend, RunsEveryOtherEngineTypeLocally) {
  TempDir dir;
  for (const char* type : {"LOCAL", "SPARK_SQL", "TRINO"}) {
    config::Conf conf;
    conf.set("kitsune.engine.local.data.dir", (dir.path() / "nested" / "data").string());
    conf.set("kyuubi.engine.type", type);
    auto made = make_backend(conf);
    ASSERT_TRUE(made.is_ok()) << made.status().to_string();
    EXPECT_EQ((*made)->name(), "local");
  }
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "nested" / "data"));
}

TEST_F(LocalBackendTest, IdentifiesItselfAsSqlite) {
  EXPECT_EQ(backend_->name(), "local");
  EXPECT_EQ(backend_->dbms_name(), "SQLite");
  EXPECT_EQ(backend_->dbms_version(), sqlite3_libversion());
  const std::string keywords = "," + backend_->keywords() + ",";
  EXPECT_NE(keywords.find(",AUTOINCREMENT,"), std::string::npos) << keywords;
  EXPECT_NE(keywords.find(",PRAGMA,"), std::string::npos);
  EXPECT_NE(keywords.find(",GLOB,"), std::string::npos);
  EXPECT_EQ(keywords.find(",SELECT,"), std::string::npos);  // SQL-92 reserved
  EXPECT_EQ(keywords.find(",TABLE,"), std::string::npos);
  EXPECT_EQ(keywords.find(' '), std::string::npos);
  EXPECT_EQ(keywords, to_upper(keywords));
}

TEST_F(LocalBackendTest, DefaultDatabaseIsCreatedOnFirstUseInWalMode) {
  EXPECT_TRUE(std::filesystem::is_regular_file(dir_.path() / "default.db"));
  EXPECT_EQ(session_->current_database(), "default");
  EXPECT_EQ(rows("PRAGMA journal_mode"), (Rows{{"wal"}}));
}

TEST_F(LocalBackendTest, RoundTripsEveryTypeIncludingNulls) {
  ASSERT_TRUE(run("CREATE TABLE all_types (b BOOLEAN, ti TINYINT, si SMALLINT, i INT, bi BIGINT, "
                  "f FLOAT, d DOUBLE, dec DECIMAL(10,2), c CHAR(5), vc VARCHAR(10), s STRING, "
                  "bin BINARY, dt DATE, ts TIMESTAMP)")
                  .is_ok());
  ASSERT_TRUE(run("INSERT INTO all_types VALUES "
                  "(true, 1, 2, 3, 4, 1.5, 2.25, 3.14159, 'ab', 'xyz', 'hello', x'00ff', "
                  "'2024-01-02', '2024-01-02T03:04:05.5Z'), "
                  "(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                  "NULL), "
                  "(false, -128, -32768, -2147483648, -9223372036854775808, -0.5, 1e300, -7, 'c', "
                  "'', 'ünïcode', x'', '1999-12-31 23:59:59', '1999-12-31 23:59:59')")
                  .is_ok());
  auto result = query("SELECT * FROM all_types");
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  ASSERT_EQ(result->row_count, 3u);

  std::vector<std::string> type_names;
  for (const auto& c : result->schema) {
    type_names.push_back(c.type.name());
  }
  EXPECT_EQ(type_names,
            (std::vector<std::string>{"boolean", "tinyint", "smallint", "int", "bigint", "float",
                                      "double", "decimal(10,2)", "char(5)", "varchar(10)", "string",
                                      "binary", "date", "timestamp"}));

  const auto& cols = result->rows.columns;
  ASSERT_EQ(cols.size(), 14u);
  // Row 1 (the second) is NULL everywhere: bit 1 of the first byte of every nulls bitmap, and a
  // placeholder in values.
  EXPECT_TRUE(cols[0].__isset.boolVal);
  EXPECT_EQ(cols[0].boolVal.values, (std::vector<bool>{true, false, false}));
  EXPECT_EQ(cols[0].boolVal.nulls, std::string("\x02"));
  EXPECT_TRUE(cols[1].__isset.byteVal);
  EXPECT_EQ(cols[1].byteVal.values, (std::vector<std::int8_t>{1, 0, -128}));
  EXPECT_EQ(cols[1].byteVal.nulls, std::string("\x02"));
  EXPECT_EQ(cols[2].i16Val.values, (std::vector<std::int16_t>{2, 0, -32768}));
  EXPECT_EQ(cols[3].i32Val.values, (std::vector<std::int32_t>{3, 0, -2147483647 - 1}));
  EXPECT_EQ(cols[4].i64Val.values,
            (std::vector<std::int64_t>{4, 0, std::numeric_limits<std::int64_t>::min()}));
  EXPECT_EQ(cols[5].doubleVal.values, (std::vector<double>{1.5, 0, -0.5}));
  EXPECT_EQ(cols[6].doubleVal.values, (std::vector<double>{2.25, 0, 1e300}));
  EXPECT_EQ(cols[7].stringVal.values, (std::vector<std::string>{"3.14", "", "-7.00"}));
  EXPECT_EQ(cols[8].stringVal.values, (std::vector<std::string>{"ab", "", "c"}));
  EXPECT_EQ(cols[9].stringVal.values, (std::vector<std::string>{"xyz", "", ""}));
  EXPECT_EQ(cols[9].stringVal.nulls, std::string("\x02"));  // '' is not NULL
  EXPECT_EQ(cols[10].stringVal.values, (std::vector<std::string>{"hello", "", "ünïcode"}));
  EXPECT_TRUE(cols[11].__isset.binaryVal);
  EXPECT_EQ(cols[11].binaryVal.values,
            (std::vector<std::string>{std::string("\0\xff", 2), "", ""}));
  EXPECT_EQ(cols[11].binaryVal.nulls, std::string("\x02"));
  EXPECT_EQ(cols[12].stringVal.values, (std::vector<std::string>{"2024-01-02", "", "1999-12-31"}));
  EXPECT_EQ(cols[13].stringVal.values,
            (std::vector<std::string>{"2024-01-02 03:04:05.5", "", "1999-12-31 23:59:59"}));
  for (const auto& c : cols) {
    const std::string& nulls = c.__isset.boolVal     ? c.boolVal.nulls
                               : c.__isset.byteVal   ? c.byteVal.nulls
                               : c.__isset.i16Val    ? c.i16Val.nulls
                               : c.__isset.i32Val    ? c.i32Val.nulls
                               : c.__isset.i64Val    ? c.i64Val.nulls
                               : c.__isset.doubleVal ? c.doubleVal.nulls
                               : c.__isset.binaryVal ? c.binaryVal.nulls
                                                     : c.stringVal.nulls;
    EXPECT_EQ(nulls, std::string("\x02"));
  }
}

TEST_F(LocalBackendTest, NumbersInTextColumnsReadAsSqliteRendersThem) {
  ASSERT_TRUE(run("CREATE TABLE t (s TEXT, n NUMBER)").is_ok());
  ASSERT_TRUE(run("INSERT INTO t VALUES (1, 1), (2.0, 2.5), ('x', 'y')").is_ok());
  // s holds text; n has NUMERIC affinity and no Hive type, so it is inferred (here: STRING).
  EXPECT_EQ(rows("SELECT s, n FROM t"), (Rows{{"1", "1"}, {"2.0", "2.5"}, {"x", "y"}}));
}

TEST_F(LocalBackendTest, ReportsModifiedRowsForDmlOnly) {
  auto modified = [&](const std::string& sql) -> std::int64_t {
    auto cursor = session_->prepare(sql);
    EXPECT_TRUE(cursor.is_ok()) << sql << ": " << cursor.status().to_string();
    if (!cursor.is_ok()) return -2;
    Status s = (*cursor)->execute();
    EXPECT_TRUE(s.is_ok()) << sql << ": " << s.to_string();
    return (*cursor)->modified_rows();
  };
  EXPECT_EQ(modified("CREATE TABLE t (a INT)"), -1);
  EXPECT_EQ(modified("INSERT INTO t VALUES (1), (2), (3)"), 3);
  EXPECT_EQ(modified("UPDATE t SET a = a + 10 WHERE a >= 2"), 2);
  EXPECT_EQ(modified("WITH x AS (SELECT 12 AS v) DELETE FROM t WHERE a IN (SELECT v FROM x)"), 1);
  EXPECT_EQ(modified("REPLACE INTO t VALUES (5)"), 1);
  EXPECT_EQ(modified("DELETE FROM t"), 3);
  EXPECT_EQ(modified("SELECT * FROM t"), -1);
  EXPECT_EQ(modified("DROP TABLE t"), -1);
}

TEST_F(LocalBackendTest, StatementsWithoutRowsHaveNoResultSet) {
  auto cursor = session_->prepare("CREATE TABLE t (a INT)");
  ASSERT_TRUE(cursor.is_ok());
  EXPECT_FALSE((*cursor)->has_result_set());
  EXPECT_TRUE((*cursor)->schema().empty());
  auto select = session_->prepare("SELECT 1 AS one");
  ASSERT_TRUE(select.is_ok());
  EXPECT_TRUE((*select)->has_result_set());
  EXPECT_EQ((*select)->schema().at(0).name, "one");
}

TEST_F(LocalBackendTest, InfersTypesOfUndeclaredColumnsAtExecute) {
  auto cursor = session_->prepare(
      "SELECT 1 AS i, 1.5 AS r, 'a' || 'b' AS s, x'01' AS bin, NULL AS n, count(*) AS c, "
      "(SELECT 2) AS sub");
  ASSERT_TRUE(cursor.is_ok());
  for (const auto& c : (*cursor)->schema()) {
    EXPECT_EQ(c.type.id, T::STRING_TYPE) << c.name;
  }
  ASSERT_TRUE((*cursor)->execute().is_ok());
  std::vector<std::string> types;
  for (const auto& c : (*cursor)->schema()) {
    types.push_back(c.type.name());
  }
  EXPECT_EQ(types, (std::vector<std::string>{"bigint", "double", "string", "binary", "string",
                                             "bigint", "bigint"}));
  backend::RowSetBuilder builder((*cursor)->schema());
  auto more = (*cursor)->fetch(builder, 10, 1 << 20);
  ASSERT_TRUE(more.is_ok());
  EXPECT_FALSE(*more);
  tcli::TRowSet set = builder.take(0, kV10);
  EXPECT_EQ(set.columns[0].i64Val.values, std::vector<std::int64_t>{1});
  EXPECT_EQ(set.columns[1].doubleVal.values, std::vector<double>{1.5});
  EXPECT_EQ(set.columns[2].stringVal.values, std::vector<std::string>{"ab"});
  EXPECT_EQ(set.columns[3].binaryVal.values, std::vector<std::string>{"\x01"});
  EXPECT_EQ(set.columns[4].stringVal.nulls, "\x01");
}

TEST_F(LocalBackendTest, MixedNumbersInferDoubleAndReadAheadLosesNoRow) {
  EXPECT_EQ(rows("SELECT column1 FROM (VALUES (1), (2.5), (NULL))"),
            (Rows{{"1"}, {"2.5"}, {"NULL"}}));
  auto result = query(
      "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 2500) "
      "SELECT n FROM c");
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  EXPECT_EQ(result->schema.at(0).type.id, T::BIGINT_TYPE);
  ASSERT_EQ(result->row_count, 2500u);
  const auto& values = result->rows.columns[0].i64Val.values;
  for (std::size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(values[i], static_cast<std::int64_t>(i) + 1);
  }
}

TEST_F(LocalBackendTest, ValuesThatDoNotFitFailTheFetchNamingTheColumn) {
  ASSERT_TRUE(run("CREATE TABLE r (small TINYINT)").is_ok());
  ASSERT_TRUE(run("INSERT INTO r VALUES (1), (300)").is_ok());
  auto cursor = session_->prepare("SELECT small FROM r");
  ASSERT_TRUE(cursor.is_ok());
  ASSERT_TRUE((*cursor)->execute().is_ok());
  backend::RowSetBuilder builder((*cursor)->schema());
  auto more = (*cursor)->fetch(builder, 100, 1 << 20);
  ASSERT_FALSE(more.is_ok());
  EXPECT_EQ(more.status().sql_state(), "22003");
  EXPECT_NE(more.status().message().find("small"), std::string::npos);
  EXPECT_EQ(builder.rows(), 1u);  // the row before it; the failing one is not half added
}

TEST_F(LocalBackendTest, StreamsALargeResultInBatchesCappedByRows) {
  ASSERT_TRUE(run("CREATE TABLE big (id INTEGER, payload TEXT)").is_ok());
  ASSERT_TRUE(run("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < "
                  "100000) INSERT INTO big SELECT n, printf('%050d', n) FROM c")
                  .is_ok());
  auto cursor = session_->prepare("SELECT id, payload FROM big ORDER BY id");
  ASSERT_TRUE(cursor.is_ok());
  ASSERT_TRUE((*cursor)->execute().is_ok());
  backend::RowSetBuilder builder((*cursor)->schema());
  std::size_t total = 0;
  std::size_t batches = 0;
  bool more = true;
  while (more) {
    auto fetched = (*cursor)->fetch(builder, 4096, std::size_t{1} << 30);
    ASSERT_TRUE(fetched.is_ok()) << fetched.status().to_string();
    more = *fetched;
    const std::size_t n = builder.rows();
    if (more) {
      ASSERT_EQ(n, 4096u);
    }
    tcli::TRowSet set = builder.take(static_cast<std::int64_t>(total), kV10);
    if (n > 0) {
      ASSERT_EQ(set.columns[0].i64Val.values.front(), static_cast<std::int64_t>(total) + 1);
    }
    total += n;
    ++batches;
  }
  EXPECT_EQ(total, 100000u);
  EXPECT_EQ(batches, 25u);  // 24 full batches and 1696 rows
}

TEST_F(LocalBackendTest, StreamsALargeResultInBatchesCappedByBytes) {
  ASSERT_TRUE(run("CREATE TABLE big (id INTEGER, payload TEXT)").is_ok());
  ASSERT_TRUE(run("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < "
                  "100000) INSERT INTO big SELECT n, printf('%050d', n) FROM c")
                  .is_ok());
  auto cursor = session_->prepare("SELECT id, payload FROM big ORDER BY id");
  ASSERT_TRUE(cursor.is_ok());
  ASSERT_TRUE((*cursor)->execute().is_ok());
  backend::RowSetBuilder builder((*cursor)->schema());
  constexpr std::size_t kCap = 64 * 1024;
  constexpr std::size_t kRowBytes = 8 + 4 + 50;  // i64, and a string with its length
  std::size_t total = 0;
  bool more = true;
  while (more) {
    auto fetched = (*cursor)->fetch(builder, 10000, kCap);
    ASSERT_TRUE(fetched.is_ok()) << fetched.status().to_string();
    more = *fetched;
    const std::size_t n = builder.rows();
    if (more) {
      // Stopped at the first row that reached the cap: never far past it.
      ASSERT_GE(builder.bytes(), kCap);
      ASSERT_LT(builder.bytes(), kCap + kRowBytes);
      ASSERT_LT(n, 10000u);
    }
    tcli::TRowSet set = builder.take(0, kV10);
    ASSERT_EQ(set.columns[0].i64Val.values.front(), static_cast<std::int64_t>(total) + 1);
    total += n;
  }
  EXPECT_EQ(total, 100000u);
}

TEST_F(LocalBackendTest, ATinyByteCapStillFetchesOneRowPerBatch) {
  auto cursor = session_->prepare("SELECT column1 FROM (VALUES ('a'), ('b'), ('c'))");
  ASSERT_TRUE(cursor.is_ok());
  ASSERT_TRUE((*cursor)->execute().is_ok());
  backend::RowSetBuilder builder((*cursor)->schema());
  for (const char* expected : {"a", "b", "c"}) {
    auto more = (*cursor)->fetch(builder, 100, 1);
    ASSERT_TRUE(more.is_ok());
    EXPECT_EQ(*more, std::string(expected) != "c");
    tcli::TRowSet set = builder.take(0, kV10);
    EXPECT_EQ(set.columns[0].stringVal.values, std::vector<std::string>{expected});
  }
}

TEST_F(LocalBackendTest, RewindStartsAReadOnlyQueryOver) {
  ASSERT_TRUE(run("CREATE TABLE t (a INT)").is_ok());
  ASSERT_TRUE(run("INSERT INTO t VALUES (1), (2), (3)").is_ok());
  auto cursor = session_->prepare("SELECT a FROM t ORDER BY a");
  ASSERT_TRUE(cursor.is_ok());
  ASSERT_TRUE((*cursor)->execute().is_ok());
  backend::RowSetBuilder builder((*cursor)->schema());
  ASSERT_TRUE((*cursor)->fetch(builder, 2, 1 << 20).is_ok());
  EXPECT_EQ(builder.take(0, kV10).columns[0].i32Val.values, (std::vector<std::int32_t>{1, 2}));
  ASSERT_TRUE((*cursor)->rewind().is_ok());
  auto more = (*cursor)->fetch(builder, 10, 1 << 20);
  ASSERT_TRUE(more.is_ok());
  EXPECT_FALSE(*more);
  EXPECT_EQ(builder.take(0, kV10).columns[0].i32Val.values, (std::vector<std::int32_t>{1, 2, 3}));
}

TEST_F(LocalBackendTest, RewindRefusesAStatementThatChangesTheDatabase) {
  ASSERT_TRUE(run("CREATE TABLE t (a INT)").is_ok());
  auto cursor = session_->prepare("INSERT INTO t VALUES (1), (2) RETURNING a");
  ASSERT_TRUE(cursor.is_ok());
  ASSERT_TRUE((*cursor)->execute().is_ok());
  Status s = (*cursor)->rewind();
  EXPECT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("runs only once"), std::string::npos) << s.message();
  EXPECT_EQ(rows("SELECT count(*) FROM t"), (Rows{{"2"}}));
}

TEST_F(LocalBackendTest, RefusesMoreThanOneStatementPerCall) {
  auto two = session_->prepare("SELECT 1; SELECT 2");
  ASSERT_FALSE(two.is_ok());
  EXPECT_EQ(two.status().sql_state(), "42000");
  EXPECT_EQ(two.status().message(), "only one statement per call is supported");
  EXPECT_TRUE(session_->prepare("SELECT 1;").is_ok());
  EXPECT_TRUE(session_->prepare("SELECT 1; -- done\n ; /* really */").is_ok());
  EXPECT_TRUE(session_->prepare(";; SELECT 1").is_ok());
}

TEST_F(LocalBackendTest, RefusesAnEmptyStatement) {
  for (const char* sql : {"", "   ", ";", "-- nothing"}) {
    auto empty = session_->prepare(sql);
    ASSERT_FALSE(empty.is_ok()) << sql;
    EXPECT_EQ(empty.status().sql_state(), "42000");
    EXPECT_EQ(empty.status().message(), "The statement is empty");
  }
}

TEST_F(LocalBackendTest, MapsSqliteErrorsToSqlStates) {
  ASSERT_TRUE(run("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)").is_ok());
  struct Case {
    const char* sql;
    const char* state;
    const char* message;
  };
  const Case cases[] = {
      {"SELECT * FROM nope", "42S02", "no such table: nope"},
      {"SELECT nope FROM t", "42S22", "no such column: nope"},
      {"CREATE TABLE t (a)", "42S01", "table t already exists"},
      {"SELEC 1", "42000", "near \"SELEC\": syntax error"},
      {"SELECT (1", "42000", "incomplete input"},
  };
  for (const Case& c : cases) {
    Status s = run(c.sql);
    EXPECT_EQ(s.code(), StatusCode::kError) << c.sql;
    EXPECT_EQ(s.sql_state(), c.state) << c.sql;
    EXPECT_EQ(s.message(), c.message) << c.sql;
    EXPECT_EQ(s.error_code(), SQLITE_ERROR) << c.sql;
  }
  ASSERT_TRUE(run("INSERT INTO t VALUES (1, 'a')").is_ok());
  Status duplicate = run("INSERT INTO t VALUES (1, 'b')");
  EXPECT_EQ(duplicate.sql_state(), "23000");
  EXPECT_EQ(duplicate.error_code(), SQLITE_CONSTRAINT_PRIMARYKEY);
  EXPECT_EQ(duplicate.message(), "UNIQUE constraint failed: t.id");
  Status not_null = run("INSERT INTO t VALUES (2, NULL)");
  EXPECT_EQ(not_null.sql_state(), "23000");
  EXPECT_EQ(not_null.error_code(), SQLITE_CONSTRAINT_NOTNULL);
}

TEST_F(LocalBackendTest, RefusesAttachAndDetachFromUsers) {
  const std::string outside = (dir_.path() / "outside.db").string();
  Status s = run("ATTACH DATABASE '" + outside + "' AS outside");
  EXPECT_EQ(s.sql_state(), "42000");
  EXPECT_NE(s.message().find("ATTACH"), std::string::npos) << s.message();
  EXPECT_FALSE(std::filesystem::exists(outside));
  EXPECT_EQ(run("DETACH DATABASE main").sql_state(), "42000");
}

TEST_F(LocalBackendTest, InterruptCancelsALongQueryFromAnotherThread) {
  auto cursor = session_->prepare(
      "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1000000000) "
      "SELECT count(*) FROM c");
  ASSERT_TRUE(cursor.is_ok());
  std::atomic<bool> done = false;
  // An interrupt that lands before the statement starts does nothing, so keep sending them.
  std::thread canceller([&] {
    while (!done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      session_->interrupt();
    }
  });
  const auto start = std::chrono::steady_clock::now();
  Status s = (*cursor)->execute();
  done = true;
  canceller.join();
  EXPECT_EQ(s.code(), StatusCode::kCancelled) << s.to_string();
  EXPECT_EQ(s.sql_state(), "HY008");
  EXPECT_EQ(s.error_code(), SQLITE_INTERRUPT);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  // The session goes on.
  cursor->reset();
  EXPECT_EQ(rows("SELECT 1"), (Rows{{"1"}}));
}

TEST_F(LocalBackendTest, InterruptCancelsTheNextFetchOfAnOpenQuery) {
  auto cursor = session_->prepare(
      "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 100000) "
      "SELECT n FROM c");
  ASSERT_TRUE(cursor.is_ok());
  ASSERT_TRUE((*cursor)->execute().is_ok());
  session_->interrupt();
  backend::RowSetBuilder builder((*cursor)->schema());
  Result<bool> fetched = true;
  // Rows read ahead at execute() come first; the statement itself then stops.
  while (fetched.is_ok() && *fetched) {
    fetched = (*cursor)->fetch(builder, 5000, 1 << 30);
  }
  ASSERT_FALSE(fetched.is_ok());
  EXPECT_EQ(fetched.status().code(), StatusCode::kCancelled);
  cursor->reset();
  EXPECT_EQ(rows("SELECT 2"), (Rows{{"2"}}));
}

TEST_F(LocalBackendTest, AfterAnInterruptNewStatementsRunWhileAnotherCursorIsPaused) {
  ASSERT_TRUE(run("CREATE TABLE t (a INT)").is_ok());
  ASSERT_TRUE(run("INSERT INTO t VALUES (1), (2), (3)").is_ok());
  auto paused = session_->prepare("SELECT a FROM t");
  ASSERT_TRUE(paused.is_ok());
  ASSERT_TRUE((*paused)->execute().is_ok());
  backend::RowSetBuilder builder((*paused)->schema());
  ASSERT_TRUE((*paused)->fetch(builder, 1, 1 << 20).is_ok());
  // SQLite keeps this interrupt pending while `paused` is active mid-result.
  session_->interrupt();
  EXPECT_EQ(rows("SELECT 42"), (Rows{{"42"}}));
  auto tables = session_->tables("", "");
  ASSERT_TRUE(tables.is_ok()) << tables.status().to_string();
  EXPECT_TRUE(session_->functions("upper").is_ok());
  // The paused cursor was reached by the interrupt, as SQLite would have it.
  auto more = (*paused)->fetch(builder, 10, 1 << 20);
  ASSERT_FALSE(more.is_ok());
  EXPECT_EQ(more.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(more.status().error_code(), SQLITE_INTERRUPT);
}

TEST_F(LocalBackendTest, OtherSessionsReadWhileOneWrites) {
  ASSERT_TRUE(run("CREATE TABLE t (a INT)").is_ok());
  ASSERT_TRUE(run("INSERT INTO t VALUES (1)").is_ok());
  auto reader = open_session();
  ASSERT_TRUE(reader);
  ASSERT_TRUE(run("BEGIN").is_ok());
  ASSERT_TRUE(run("INSERT INTO t VALUES (2)").is_ok());
  // WAL: the reader sees the last commit, without waiting for the writer.
  EXPECT_EQ(rows(*reader, "SELECT count(*) FROM t"), (Rows{{"1"}}));
  ASSERT_TRUE(run("COMMIT").is_ok());
  EXPECT_EQ(rows(*reader, "SELECT count(*) FROM t"), (Rows{{"2"}}));
}

}  // namespace
}  // namespace kitsune::backends::testing
