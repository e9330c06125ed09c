// kitsune-engine with kyuubi.engine.type=JDBC on MySQL (a real MariaDB 10.11 on loopback), driven
// with the project's own client: statements and row counts, every column type, a million-row
// result in bounded memory, metadata calls, cancel, and the password kept out of sight.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "client_session.h"
#include "engine_process.h"
#include "gateway_calls.h"
#include "mariadb_process.h"
#include "os_helpers.h"
#include "raw_socket.h"

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Rows = std::vector<std::vector<std::string>>;

constexpr const char* kPassword = "Pw-of-bob-4c1e9a77";

// MariaDB with database kdb and user bob, who logs in with kPassword from anywhere.
class Database {
 public:
  Database() {
    db_.sql(std::string("CREATE DATABASE kdb; CREATE USER 'bob'@'%' IDENTIFIED BY '") + kPassword +
            "'; GRANT ALL PRIVILEGES ON *.* TO 'bob'@'%';");
  }
  MariadbProcess& server() { return db_; }
  std::string url() const {
    return "jdbc:mysql://127.0.0.1:" + std::to_string(db_.port()) + "/kdb";
  }

 private:
  MariadbProcess db_;
};

EngineProcess::Conf engine_conf(const Database& db) {
  return {{"kyuubi.engine.type", "JDBC"},
          {"kyuubi.engine.jdbc.type", "mysql"},
          {"kyuubi.engine.jdbc.connection.url", db.url()},
          {"kyuubi.engine.jdbc.connection.user", "bob"},
          // GetOperationStatus answers within a second while a statement runs.
          {"kyuubi.operation.status.polling.timeout", "PT1S"}};
}

std::unique_ptr<EngineProcess> start_engine(const Database& db,
                                            const std::string& password = kPassword,
                                            EngineProcess::Env env = {}) {
  return std::make_unique<EngineProcess>(
      engine_conf(db), EngineProcess::Conf{{"kyuubi.engine.jdbc.connection.password", password}},
      std::move(env));
}

bool is_null(const std::string& nulls, std::size_t row) {
  return row / 8 < nulls.size() && ((static_cast<unsigned char>(nulls[row / 8]) >> (row % 8)) & 1);
}

template <typename Column, typename Text>
void column_text(const Column& column, Rows& rows, std::size_t index, Text text) {
  for (std::size_t r = 0; r < column.values.size(); ++r) {
    if (rows.size() <= r) rows.resize(r + 1);
    if (rows[r].size() <= index) rows[r].resize(index + 1);
    rows[r][index] = is_null(column.nulls, r) ? "NULL" : text(column.values[r]);
  }
}

std::string number(double v) {
  std::ostringstream out;
  out.precision(17);
  out << v;
  return out.str();
}

// Every value of a column-based row set as text: "NULL", "true"/"false", numbers in decimal,
// strings and binary bytes as they are.
Rows rows_of(const tcli::TRowSet& set) {
  Rows rows;
  for (std::size_t i = 0; i < set.columns.size(); ++i) {
    const tcli::TColumn& c = set.columns[i];
    const auto integer = [](auto v) { return std::to_string(v); };
    const auto same = [](const std::string& v) { return v; };
    if (c.__isset.boolVal)
      column_text(c.boolVal, rows, i, [](bool v) { return std::string(v ? "true" : "false"); });
    if (c.__isset.byteVal) column_text(c.byteVal, rows, i, integer);
    if (c.__isset.i16Val) column_text(c.i16Val, rows, i, integer);
    if (c.__isset.i32Val) column_text(c.i32Val, rows, i, integer);
    if (c.__isset.i64Val) column_text(c.i64Val, rows, i, integer);
    if (c.__isset.doubleVal) column_text(c.doubleVal, rows, i, number);
    if (c.__isset.stringVal) column_text(c.stringVal, rows, i, same);
    if (c.__isset.binaryVal) column_text(c.binaryVal, rows, i, same);
  }
  return rows;
}

// A type as a test spells it: "DECIMAL(10,2)", "VARCHAR(20)", "INT".
std::string type_text(const tcli::TTypeDesc& desc) {
  const tcli::TPrimitiveTypeEntry& p = desc.types.at(0).primitiveEntry;
  std::string name = tcli::to_string(p.type);
  name = name.substr(0, name.size() - 5);  // "_TYPE"
  if (!p.__isset.typeQualifiers) return name;
  const auto& q = p.typeQualifiers.qualifiers;
  const auto get = [&](const std::string& key) {
    auto it = q.find(key);
    return it == q.end() ? std::string("?") : std::to_string(it->second.i32Value);
  };
  if (p.type == tcli::TTypeId::DECIMAL_TYPE) {
    return name + "(" + get("precision") + "," + get("scale") + ")";
  }
  return name + "(" + get("characterMaximumLength") + ")";
}

// One session of alice's on the engine, over its own connection, called synchronously.
class Client {
 public:
  explicit Client(const EngineProcess& engine) : engine_(engine) {
    auto opened = wait(open_client_session(engine.host(), engine.port(), false));
    if (!opened) throw std::runtime_error(opened.status().message() + "\n" + engine.log());
    session_.emplace(std::move(*opened));
  }

  template <typename T>
  T wait(awaitable<T> call, std::chrono::milliseconds timeout = 120s) {
    std::optional<T> r = run_for(io_, std::move(call), timeout);
    if (!r) throw std::runtime_error("a call timed out\n" + engine_.log());
    return std::move(*r);
  }

  client::Hs2Client& hs2() { return *session_->client; }
  const tcli::TSessionHandle& handle() const { return session_->handle; }

  Result<tcli::TOperationHandle> execute(const std::string& sql, bool async = false) {
    tcli::TExecuteStatementReq req;
    req.sessionHandle = handle();
    req.statement = sql;
    req.runAsync = async;
    auto resp = wait(hs2().execute_statement(req));
    if (!resp) return resp.status();
    KITSUNE_RETURN_IF_ERROR(status_of(resp->status));
    return resp->operationHandle;
  }

  tcli::TGetOperationStatusResp status(const tcli::TOperationHandle& op) {
    tcli::TGetOperationStatusReq req;
    req.operationHandle = op;
    auto resp = wait(hs2().get_operation_status(req));
    if (!resp) throw std::runtime_error(resp.status().message());
    return *resp;
  }

  std::vector<tcli::TColumnDesc> columns_of(const tcli::TOperationHandle& op) {
    tcli::TGetResultSetMetadataReq req;
    req.operationHandle = op;
    auto resp = wait(hs2().get_result_set_metadata(req));
    if (!resp) throw std::runtime_error(resp.status().message());
    return resp->schema.columns;
  }

  Result<tcli::TFetchResultsResp> fetch(const tcli::TOperationHandle& op, int max_rows,
                                        bool first = false) {
    tcli::TFetchResultsReq req;
    req.operationHandle = op;
    req.orientation =
        first ? tcli::TFetchOrientation::FETCH_FIRST : tcli::TFetchOrientation::FETCH_NEXT;
    req.maxRows = max_rows;
    auto resp = wait(hs2().fetch_results(req));
    if (!resp) return resp.status();
    KITSUNE_RETURN_IF_ERROR(status_of(resp->status));
    return *resp;
  }

  Result<Rows> fetch_all(const tcli::TOperationHandle& op) {
    Rows all;
    while (true) {
      auto batch = fetch(op, 1000);
      if (!batch) return batch.status();
      Rows rows = rows_of(batch->results);
      std::move(rows.begin(), rows.end(), std::back_inserter(all));
      if (!batch->hasMoreRows && rows.empty()) return all;
      if (!batch->hasMoreRows) return all;
    }
  }

  void close(const tcli::TOperationHandle& op) {
    tcli::TCloseOperationReq req;
    req.operationHandle = op;
    (void)wait(hs2().close_operation(req));
  }

  // Runs `sql` and returns its rows; throws with the server's message when it fails.
  Rows query(const std::string& sql) {
    auto op = execute(sql);
    if (!op) throw std::runtime_error(sql + ": " + op.status().message());
    Rows rows;
    if (status(*op).hasResultSet) {
      auto fetched = fetch_all(*op);
      if (!fetched) throw std::runtime_error(sql + ": " + fetched.status().message());
      rows = std::move(*fetched);
    }
    close(*op);
    return rows;
  }

  // Rows of a metadata call's operation.
  Rows metadata_rows(const Result<tcli::TOperationHandle>& op) {
    if (!op) throw std::runtime_error(op.status().message());
    auto rows = fetch_all(*op);
    if (!rows) throw std::runtime_error(rows.status().message());
    close(*op);
    return *rows;
  }

  template <typename Resp>
  static Result<tcli::TOperationHandle> handle_of(const Result<Resp>& resp) {
    if (!resp) return resp.status();
    KITSUNE_RETURN_IF_ERROR(status_of(resp->status));
    return resp->operationHandle;
  }

 private:
  const EngineProcess& engine_;
  asio::io_context io_;
  std::optional<ClientSession> session_;
};

class JdbcMysql : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<Database>();
    engine_ = start_engine(*db_);
    client_ = std::make_unique<Client>(*engine_);
  }
  void TearDown() override {
    client_.reset();
    engine_.reset();
    db_.reset();
  }

  std::unique_ptr<Database> db_;
  std::unique_ptr<EngineProcess> engine_;
  std::unique_ptr<Client> client_;
};

TEST_F(JdbcMysql, StatementsRunWithRowCountsAndErrorsCarryTheirSqlState) {
  Client& c = *client_;
  tcli::TGetInfoReq info;
  info.sessionHandle = c.handle();
  info.infoType = tcli::TGetInfoType::CLI_DBMS_NAME;
  auto name = c.wait(c.hs2().get_info(info));
  ASSERT_TRUE(name.is_ok());
  EXPECT_EQ(name->infoValue.stringValue, "MariaDB");
  info.infoType = tcli::TGetInfoType::CLI_DBMS_VER;
  auto version = c.wait(c.hs2().get_info(info));
  ASSERT_TRUE(version.is_ok());
  EXPECT_TRUE(version->infoValue.stringValue.starts_with("10.11."))
      << version->infoValue.stringValue;

  ASSERT_NO_THROW(c.query("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20))"));
  const auto modified = [&](const std::string& sql) -> std::int64_t {
    auto op = c.execute(sql);
    if (!op) throw std::runtime_error(op.status().message());
    const auto st = c.status(*op);
    c.close(*op);
    return st.__isset.numModifiedRows ? st.numModifiedRows : -1;
  };
  EXPECT_EQ(modified("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')"), 3);
  EXPECT_EQ(modified("UPDATE t SET name = 'z' WHERE id >= 2"), 2);
  EXPECT_EQ(modified("DELETE FROM t WHERE id = 1"), 1);
  EXPECT_EQ(c.query("SELECT id, name FROM t ORDER BY id"), (Rows{{"2", "z"}, {"3", "z"}}));

  auto syntax = c.execute("SELEC 1");
  ASSERT_FALSE(syntax.is_ok());
  EXPECT_EQ(syntax.status().sql_state(), "42000");
  EXPECT_NE(syntax.status().message().find("SQL syntax"), std::string::npos)
      << syntax.status().message();
  auto duplicate = c.execute("INSERT INTO t VALUES (2, 'again')");
  ASSERT_FALSE(duplicate.is_ok());
  EXPECT_EQ(duplicate.status().sql_state(), "23000") << duplicate.status().message();

  ASSERT_NO_THROW(c.query("DROP TABLE t"));
  auto gone = c.execute("SELECT * FROM t");
  ASSERT_FALSE(gone.is_ok());
  EXPECT_EQ(gone.status().sql_state(), "42S02") << gone.status().message();

  // Hive databases are MySQL databases; default is the URL's.
  ASSERT_NO_THROW(c.query("CREATE DATABASE other"));
  ASSERT_NO_THROW(c.query("USE other"));
  ASSERT_NO_THROW(c.query("CREATE TABLE in_other (x INT)"));
  EXPECT_EQ(c.query("SHOW TABLES"), (Rows{{"in_other"}}));
  EXPECT_EQ(c.query("SELECT DATABASE()"), (Rows{{"other"}}));
  ASSERT_NO_THROW(c.query("USE default"));
  EXPECT_EQ(c.query("SELECT DATABASE()"), (Rows{{"kdb"}}));
  auto not_empty = c.execute("DROP DATABASE other");
  ASSERT_FALSE(not_empty.is_ok());
  EXPECT_NE(not_empty.status().message().find("is not empty"), std::string::npos);
  ASSERT_NO_THROW(c.query("DROP DATABASE other CASCADE"));
  EXPECT_EQ(db_->server().sql("SHOW DATABASES LIKE 'other'"), "");
}

TEST_F(JdbcMysql, EveryColumnTypeReadsBackExactlyWithItsHiveType) {
  Client& c = *client_;
  ASSERT_NO_THROW(c.query(
      "CREATE TABLE types (b TINYINT(1), ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, "
      "mi MEDIUMINT, i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED, f FLOAT, d DOUBLE, "
      "de DECIMAL(10,2), c CHAR(5), vc VARCHAR(20), tx TEXT, dt DATE, dtt DATETIME(6), "
      "ts TIMESTAMP NULL, tm TIME, yr YEAR, bt BIT(8), bt1 BIT(1), en ENUM('x','y'), "
      "st SET('p','q'), js JSON, bin BINARY(3), vb VARBINARY(10), bl BLOB)"));
  ASSERT_NO_THROW(c.query(
      "INSERT INTO types VALUES (1, -128, 255, -32768, 8388607, -2147483648, 4294967295, "
      "-9223372036854775808, 18446744073709551615, 1.5, -2.25, 12345678.91, 'ab', "
      "'h\xC3\xA9llo w\xC3\xB6rld', 'long text', '2024-02-29', '2024-02-29 23:59:58.123456', "
      "'2024-01-02 03:04:05', '-838:59:59', 2024, b'10100101', b'1', 'y', 'p,q', "
      "'{\"a\": [1, 2]}', X'000102', X'FF00FE', X'DEADBEEF')"));
  ASSERT_NO_THROW(c.query(
      "INSERT INTO types VALUES (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      "NULL, NULL, NULL)"));

  auto op = c.execute("SELECT * FROM types ORDER BY b IS NULL");
  ASSERT_TRUE(op.is_ok()) << op.status().message();
  std::vector<std::string> types;
  for (const auto& col : c.columns_of(*op))
    types.push_back(col.columnName + " " + type_text(col.typeDesc));
  EXPECT_EQ(types,
            (std::vector<std::string>{
                "b BOOLEAN",  "ti TINYINT",       "tiu SMALLINT", "si SMALLINT",       "mi INT",
                "i INT",      "iu BIGINT",        "bi BIGINT",    "biu DECIMAL(20,0)", "f FLOAT",
                "d DOUBLE",   "de DECIMAL(10,2)", "c CHAR(5)",    "vc VARCHAR(20)",    "tx STRING",
                "dt DATE",    "dtt TIMESTAMP",    "ts TIMESTAMP", "tm STRING",         "yr INT",
                "bt BIGINT",  "bt1 BOOLEAN",      "en STRING",    "st STRING",         "js STRING",
                "bin BINARY", "vb BINARY",        "bl BINARY"}));
  auto rows = c.fetch_all(*op);
  ASSERT_TRUE(rows.is_ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0], (std::vector<std::string>{"true",
                                                  "-128",
                                                  "255",
                                                  "-32768",
                                                  "8388607",
                                                  "-2147483648",
                                                  "4294967295",
                                                  "-9223372036854775808",
                                                  "18446744073709551615",
                                                  "1.5",
                                                  "-2.25",
                                                  "12345678.91",
                                                  "ab",
                                                  "h\xC3\xA9llo w\xC3\xB6rld",
                                                  "long text",
                                                  "2024-02-29",
                                                  "2024-02-29 23:59:58.123456",
                                                  "2024-01-02 03:04:05",
                                                  "-838:59:59",
                                                  "2024",
                                                  "165",
                                                  "true",
                                                  "y",
                                                  "p,q",
                                                  "{\"a\": [1, 2]}",
                                                  std::string("\x00\x01\x02", 3),
                                                  std::string("\xFF\x00\xFE", 3),
                                                  "\xDE\xAD\xBE\xEF"}));
  EXPECT_EQ((*rows)[1], std::vector<std::string>(28, "NULL"));
  c.close(*op);
}

TEST_F(JdbcMysql, MillionRowResultStreamsToTheEndInBoundedMemory) {
  client_.reset();
  engine_ = start_engine(*db_, kPassword, memory_measuring_env());
  client_ = std::make_unique<Client>(*engine_);
  Client& c = *client_;
  // About 110 bytes a row: 110 MB of values in all, which a materialised result would hold at
  // least once more in the engine, whereas streaming holds one fetch batch (10,000 rows, about
  // 1 MB) and Connector/C's network buffer. A streaming engine grows by some 20 MB; 100 MB
  // leaves room for allocator slack but not for the result.
  const long baseline = engine_->rss_kib();
  auto op = c.execute(
      "SELECT CAST(seq AS SIGNED), CONCAT('row-', seq, '-', REPEAT('x', 100)) "
      "FROM seq_1_to_1000000");
  ASSERT_TRUE(op.is_ok()) << op.status().message();
  std::int64_t count = 0;
  std::int64_t sum = 0;
  std::int64_t text_bytes = 0;
  bool text_right = true;
  long max_rss = engine_->rss_kib();
  while (true) {
    auto batch = c.fetch(*op, 10000);
    ASSERT_TRUE(batch.is_ok()) << batch.status().message();
    const auto& cols = batch->results.columns;
    ASSERT_EQ(cols.size(), 2u);
    const auto& seqs = cols[0].i64Val.values;
    const auto& texts = cols[1].stringVal.values;
    ASSERT_EQ(seqs.size(), texts.size());
    for (std::size_t i = 0; i < seqs.size(); ++i) {
      ++count;
      sum += seqs[i];
      text_bytes += static_cast<std::int64_t>(texts[i].size());
      if (seqs[i] != count) text_right = false;
    }
    if (!texts.empty() &&
        texts.back() != "row-" + std::to_string(seqs.back()) + "-" + std::string(100, 'x')) {
      text_right = false;
    }
    max_rss = std::max(max_rss, engine_->rss_kib());
    if (!batch->hasMoreRows) break;
  }
  EXPECT_EQ(count, 1000000);
  EXPECT_EQ(sum, 500000500000);
  // "row-" + digits + "-" + 100 x: 105 bytes plus the digits of 1..1,000,000 (5,888,896).
  EXPECT_EQ(text_bytes, 105LL * 1000000 + 5888896);
  EXPECT_TRUE(text_right) << "rows out of order or with the wrong text";
  EXPECT_LT(max_rss - baseline, 100 * 1024)
      << "the engine's RSS grew from " << baseline << " KiB to " << max_rss << " KiB";
  RecordProperty("rss_growth_kib", static_cast<int>(max_rss - baseline));
  c.close(*op);
}

TEST_F(JdbcMysql, AnEarlierOpenResultFailsClearlyWhenTheSessionRunsAnotherStatement) {
  Client& c = *client_;
  auto first = c.execute("SELECT seq FROM seq_1_to_1000000");
  ASSERT_TRUE(first.is_ok()) << first.status().message();
  auto some = c.fetch(*first, 10);
  ASSERT_TRUE(some.is_ok()) << some.status().message();
  EXPECT_EQ(rows_of(some->results).back(), std::vector<std::string>{"10"});
  EXPECT_TRUE(some->hasMoreRows);

  // A later statement and a metadata call get their own answers, not the first one's rows.
  EXPECT_EQ(c.query("SELECT 7"), (Rows{{"7"}}));
  tcli::TGetTablesReq tables;
  tables.sessionHandle = c.handle();
  tables.__set_schemaName("kdb");
  EXPECT_TRUE(c.metadata_rows(Client::handle_of(c.wait(c.hs2().get_tables(tables)))).empty());

  auto after = c.fetch(*first, 10);
  ASSERT_FALSE(after.is_ok());
  EXPECT_NE(after.status().message().find("no longer available"), std::string::npos)
      << after.status().message();
  // FETCH_FIRST runs the query again.
  auto again = c.fetch(*first, 3, /*first=*/true);
  ASSERT_TRUE(again.is_ok()) << again.status().message();
  EXPECT_EQ(rows_of(again->results), (Rows{{"1"}, {"2"}, {"3"}}));
  c.close(*first);
  EXPECT_EQ(c.query("SELECT 8"), (Rows{{"8"}}));
}

TEST_F(JdbcMysql, MetadataCallsDescribeTheTablesCreated) {
  Client& c = *client_;
  ASSERT_NO_THROW(
      c.query("CREATE TABLE parent (id INT PRIMARY KEY COMMENT 'the key', "
              "name VARCHAR(30) NOT NULL DEFAULT 'none') COMMENT 'parents'"));
  ASSERT_NO_THROW(c.query(
      "CREATE TABLE child (id INT AUTO_INCREMENT PRIMARY KEY, parent_id INT, "
      "amount DECIMAL(8,3), CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id) "
      "ON DELETE CASCADE)"));
  ASSERT_NO_THROW(c.query("CREATE VIEW v_parent AS SELECT id FROM parent"));

  tcli::TGetSchemasReq schemas;
  schemas.sessionHandle = c.handle();
  Rows schema_rows = c.metadata_rows(Client::handle_of(c.wait(c.hs2().get_schemas(schemas))));
  EXPECT_NE(std::find(schema_rows.begin(), schema_rows.end(), std::vector<std::string>{"kdb", ""}),
            schema_rows.end());

  for (const std::string schema : {"kdb", "default"}) {
    tcli::TGetTablesReq tables;
    tables.sessionHandle = c.handle();
    tables.__set_schemaName(schema);
    tables.__set_tableName("%");
    Rows rows = c.metadata_rows(Client::handle_of(c.wait(c.hs2().get_tables(tables))));
    std::vector<std::string> seen;
    for (const auto& r : rows)
      seen.push_back(r.at(1) + "." + r.at(2) + " " + r.at(3) + " " + r.at(4));
    EXPECT_EQ(seen, (std::vector<std::string>{"kdb.child TABLE ", "kdb.parent TABLE parents",
                                              "kdb.v_parent VIEW "}))
        << "schema " << schema;
  }

  tcli::TGetColumnsReq columns;
  columns.sessionHandle = c.handle();
  columns.__set_schemaName("kdb");
  columns.__set_tableName("%");
  columns.__set_columnName("%");
  Rows cols = c.metadata_rows(Client::handle_of(c.wait(c.hs2().get_columns(columns))));
  std::vector<std::string> seen;
  for (const auto& r : cols) {
    // TABLE_NAME COLUMN_NAME TYPE_NAME NULLABLE REMARKS COLUMN_DEF ORDINAL IS_AUTO_INCREMENT
    seen.push_back(r.at(2) + " " + r.at(3) + " " + r.at(5) + " " + r.at(10) + " " + r.at(11) + " " +
                   r.at(12) + " " + r.at(16) + " " + r.at(22));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "child id INT 0 NULL NULL 1 YES",
                      "child parent_id INT 1 NULL NULL 2 NO",
                      "child amount DECIMAL(8,3) 1 NULL NULL 3 NO",
                      "parent id INT 0 the key NULL 1 NO",
                      "parent name VARCHAR(30) 0 NULL none 2 NO",
                      "v_parent id INT 0 the key NULL 1 NO",
                  }));

  tcli::TGetPrimaryKeysReq keys;
  keys.sessionHandle = c.handle();
  keys.__set_schemaName("kdb");
  keys.__set_tableName("parent");
  EXPECT_EQ(c.metadata_rows(Client::handle_of(c.wait(c.hs2().get_primary_keys(keys)))),
            (Rows{{"NULL", "kdb", "parent", "id", "1", "PRIMARY"}}));

  tcli::TGetCrossReferenceReq cross;
  cross.sessionHandle = c.handle();
  cross.__set_parentSchemaName("kdb");
  cross.__set_parentTableName("parent");
  cross.__set_foreignSchemaName("kdb");
  cross.__set_foreignTableName("child");
  // UPDATE_RULE 1 (RESTRICT, MariaDB's default), DELETE_RULE 0 (CASCADE).
  EXPECT_EQ(c.metadata_rows(Client::handle_of(c.wait(c.hs2().get_cross_reference(cross)))),
            (Rows{{"NULL", "kdb", "parent", "id", "NULL", "kdb", "child", "parent_id", "1", "1",
                   "0", "fk_parent", "PRIMARY", "7"}}));
}

TEST_F(JdbcMysql, CancelStopsALongQueryAndTheSessionRunsTheNextOne) {
  Client& c = *client_;
  auto op = c.execute("SELECT SLEEP(60)", /*async=*/true);
  ASSERT_TRUE(op.is_ok()) << op.status().message();
  const auto deadline = Clock::now() + 20s;
  while (c.status(*op).operationState != tcli::TOperationState::RUNNING_STATE &&
         Clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(c.status(*op).operationState, tcli::TOperationState::RUNNING_STATE);
  // Let the statement reach the server.
  std::this_thread::sleep_for(300ms);

  const auto asked = Clock::now();
  tcli::TCancelOperationReq cancel;
  cancel.operationHandle = *op;
  auto cancelled = c.wait(c.hs2().cancel_operation(cancel));
  ASSERT_TRUE(cancelled.is_ok());
  EXPECT_TRUE(status_of(cancelled->status).is_ok()) << cancelled->status.errorMessage;
  EXPECT_LT(Clock::now() - asked, 2s) << "CancelOperation did not return quickly";
  EXPECT_EQ(c.status(*op).operationState, tcli::TOperationState::CANCELED_STATE);

  // The statement really stopped on the server: the session's next query answers at once.
  const auto next = Clock::now();
  EXPECT_EQ(c.query("SELECT 1 + 1"), (Rows{{"2"}}));
  EXPECT_LT(Clock::now() - next, 10s) << "the session waited for the cancelled statement";
  EXPECT_EQ(db_->server().sql("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                              "WHERE INFO LIKE 'SELECT SLEEP%'"),
            "0\n");
  c.close(*op);
}

struct Exited {
  int status = -1;  // the exit code, 128 + signal, or -1 when it had to be killed
  std::string log;  // stdout and stderr
};

// Starts kitsune-engine as EngineProcess does (--conf pairs, secrets in the environment) and
// waits up to 60 s for it to end by itself.
Exited run_engine_to_exit(EngineProcess::Conf conf, const EngineProcess::Conf& secret_conf) {
  char tmpl[] = "/tmp/kitsune-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  const std::string dir = tmpl;
  conf.try_emplace("kyuubi.frontend.thrift.binary.bind.host", "127.0.0.1");
  conf.try_emplace("kyuubi.frontend.thrift.binary.bind.port", "0");
  conf.try_emplace("kitsune.engine.local.data.dir", dir + "/data");
  std::vector<std::string> args{engine_binary()};
  for (const auto& [k, v] : conf) {
    args.push_back("--conf");
    args.push_back(k + "=" + v);
  }
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    if (!std::string_view(*e).starts_with("KITSUNE_ENGINE_SECRET_CONF=")) env.emplace_back(*e);
  }
  std::string secrets = "KITSUNE_ENGINE_SECRET_CONF=";
  for (const auto& [k, v] : secret_conf)
    secrets += k + "=" + v + "\n";
  env.push_back(std::move(secrets));
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string log_path = dir + "/engine.log";
  const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + log_path);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fd, 1);
    dup2(fd, 2);
    if (chdir(dir.c_str()) != 0) _exit(126);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(fd);
  Exited out;
  const auto deadline = Clock::now() + 60s;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) != pid) {
    if (Clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      status = -1;
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  if (status != -1) {
    out.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  out.log = read_text_file(log_path);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return out;
}

std::string cmdline_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(JdbcMysqlSecrets, TheEngineRefusesAWrongPasswordClearlyAndNeverShowsThePassword) {
  Database db;
  const std::string wrong = "Wrong-pw-93be01";
  // Run by hand rather than with EngineProcess, whose constructor cannot throw once its log
  // reader runs: the engine is expected to end here.
  const Exited failed =
      run_engine_to_exit(engine_conf(db), {{"kyuubi.engine.jdbc.connection.password", wrong}});
  EXPECT_NE(failed.status, 0);
  EXPECT_NE(
      failed.log.find("cannot connect to MySQL at 127.0.0.1:" + std::to_string(db.server().port()) +
                      "/kdb as bob: Access denied for user 'bob'"),
      std::string::npos)
      << failed.log;
  EXPECT_EQ(failed.log.find(wrong), std::string::npos) << "the password is in the log";

  // A Connector/J parameter with no meaning here is refused by name, not silently dropped.
  EngineProcess::Conf unknown = engine_conf(db);
  unknown["kyuubi.engine.jdbc.connection.url"] = db.url() + "?useSSL=false&holdResultsOpen=true";
  const Exited refused_parameter =
      run_engine_to_exit(unknown, {{"kyuubi.engine.jdbc.connection.password", kPassword}});
  EXPECT_NE(refused_parameter.status, 0);
  EXPECT_NE(refused_parameter.log.find("MySQL connection parameter holdResultsOpen: not "
                                       "supported"),
            std::string::npos)
      << refused_parameter.log;

  auto engine = start_engine(db);
  {
    Client c(*engine);
    EXPECT_EQ(c.query("SELECT CURRENT_USER()"), (Rows{{"bob@%"}}));
    // A session opened after the password changed cannot connect, and says why.
    db.server().sql("ALTER USER 'bob'@'%' IDENTIFIED BY 'changed-pw-0011'");
    auto refused = c.wait(open_client_session(engine->host(), engine->port(), false));
    ASSERT_FALSE(refused.is_ok());
    EXPECT_NE(refused.status().message().find("Access denied for user 'bob'"), std::string::npos)
        << refused.status().message();
    // The first session goes on on its own connection.
    EXPECT_EQ(c.query("SELECT 3"), (Rows{{"3"}}));
  }
  EXPECT_EQ(cmdline_of(engine->pid()).find(kPassword), std::string::npos);
  EXPECT_NE(cmdline_of(engine->pid()).find("kyuubi.engine.jdbc.connection.user=bob"),
            std::string::npos);
  EXPECT_EQ(engine->log().find(kPassword), std::string::npos) << engine->log();
  EXPECT_EQ(engine->log().find("changed-pw-0011"), std::string::npos);
}

}  // namespace
}  // namespace kitsune::testing
