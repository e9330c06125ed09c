// kitsune-engine with kyuubi.engine.jdbc.type=postgresql on a real PostgreSQL 15, driven with
// the project's client: DDL and DML, every mapped type, a million rows streamed in bounded
// memory, catalog calls, cancel, an abandoned result, a wrong password, an outage, and the
// password kept out of the log and the command line.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "client_session.h"
#include "engine_process.h"
#include "gateway_calls.h"
#include "kitsune/common/strings.h"
#include "postgres_process.h"
#include "raw_socket.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;
using Cell = std::optional<std::string>;

constexpr const char* kRole = "kitsune_app";
constexpr const char* kPassword = "pg-pw-Qz83kLm";
constexpr const char* kWrongPassword = "wrong-pw-Vb27x";
constexpr const char* kDatabase = "appdb";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A result as the client reads it: the schema and every value as text (booleans "true" and
// "false", doubles with 17 digits, binary as its raw bytes), nullopt for NULL.
struct Table {
  tcli::TTableSchema schema;
  std::vector<std::vector<Cell>> rows;

  std::size_t index(const std::string& name) const {
    for (std::size_t i = 0; i < schema.columns.size(); ++i) {
      if (schema.columns[i].columnName == name) return i;
    }
    throw std::runtime_error("no column " + name);
  }
  Cell at(std::size_t row, const std::string& name) const { return rows.at(row).at(index(name)); }
};

std::string double_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

bool null_at(const std::string& nulls, std::size_t i) {
  return i / 8 < nulls.size() && ((static_cast<unsigned char>(nulls[i / 8]) >> (i % 8)) & 1) != 0;
}

std::size_t column_size(const tcli::TColumn& c) {
  if (c.__isset.boolVal) return c.boolVal.values.size();
  if (c.__isset.byteVal) return c.byteVal.values.size();
  if (c.__isset.i16Val) return c.i16Val.values.size();
  if (c.__isset.i32Val) return c.i32Val.values.size();
  if (c.__isset.i64Val) return c.i64Val.values.size();
  if (c.__isset.doubleVal) return c.doubleVal.values.size();
  if (c.__isset.binaryVal) return c.binaryVal.values.size();
  return c.stringVal.values.size();
}

Cell cell(const tcli::TColumn& c, std::size_t i) {
  auto pick = [i](const auto& col, auto render) -> Cell {
    if (null_at(col.nulls, i)) return std::nullopt;
    return render(col.values[i]);
  };
  auto num = [](auto v) { return std::to_string(v); };
  if (c.__isset.boolVal) return pick(c.boolVal, [](bool v) { return v ? "true" : "false"; });
  if (c.__isset.byteVal) return pick(c.byteVal, num);
  if (c.__isset.i16Val) return pick(c.i16Val, num);
  if (c.__isset.i32Val) return pick(c.i32Val, num);
  if (c.__isset.i64Val) return pick(c.i64Val, num);
  if (c.__isset.doubleVal) return pick(c.doubleVal, double_text);
  if (c.__isset.binaryVal) return pick(c.binaryVal, [](const std::string& v) { return v; });
  return pick(c.stringVal, [](const std::string& v) { return v; });
}

void append_rows(const tcli::TRowSet& set, std::vector<std::vector<Cell>>& rows) {
  if (set.columns.empty()) return;
  const std::size_t n = column_size(set.columns[0]);
  for (std::size_t r = 0; r < n; ++r) {
    std::vector<Cell> row;
    for (const tcli::TColumn& c : set.columns)
      row.push_back(cell(c, r));
    rows.push_back(std::move(row));
  }
}

// The status a client sees, with its SQLSTATE.
template <typename Resp>
Status checked(const Result<Resp>& r) {
  if (!r) return r.status();
  return status_of(r->status);
}

awaitable<Result<tcli::TOperationHandle>> execute(ClientSession& s, std::string sql,
                                                  bool async = false) {
  tcli::TExecuteStatementReq req;
  req.sessionHandle = s.handle;
  req.statement = std::move(sql);
  req.__set_runAsync(async);
  auto r = co_await s.client->execute_statement(req);
  if (Status st = checked(r); !st.is_ok()) co_return st;
  co_return r->operationHandle;
}

awaitable<Result<tcli::TGetOperationStatusResp>> status_of_operation(
    ClientSession& s, const tcli::TOperationHandle& h) {
  tcli::TGetOperationStatusReq req;
  req.operationHandle = h;
  auto r = co_await s.client->get_operation_status(req);
  if (Status st = checked(r); !st.is_ok()) co_return st;
  co_return *r;
}

// One FetchResults call; `more` says whether the server has more rows.
awaitable<Result<bool>> fetch(
    ClientSession& s, const tcli::TOperationHandle& h, int max_rows,
    std::vector<std::vector<Cell>>& rows,
    tcli::TFetchOrientation::type orientation = tcli::TFetchOrientation::FETCH_NEXT) {
  tcli::TFetchResultsReq req;
  req.operationHandle = h;
  req.orientation = orientation;
  req.maxRows = max_rows;
  auto r = co_await s.client->fetch_results(req);
  if (Status st = checked(r); !st.is_ok()) co_return st;
  append_rows(r->results, rows);
  co_return r->hasMoreRows;
}

awaitable<Status> close(ClientSession& s, const tcli::TOperationHandle& h) {
  tcli::TCloseOperationReq req;
  req.operationHandle = h;
  co_return checked(co_await s.client->close_operation(req));
}

// The schema and every row of operation `h`, then closes it.
awaitable<Result<Table>> read_all(ClientSession& s, const tcli::TOperationHandle& h) {
  Table t;
  tcli::TGetResultSetMetadataReq meta;
  meta.operationHandle = h;
  auto m = co_await s.client->get_result_set_metadata(meta);
  if (Status st = checked(m); !st.is_ok()) co_return st;
  t.schema = m->schema;
  while (true) {
    auto more = co_await fetch(s, h, 1000, t.rows);
    if (!more) co_return more.status();
    if (!*more) break;
  }
  if (Status closed = co_await close(s, h); !closed.is_ok()) co_return closed;
  co_return t;
}

awaitable<Result<Table>> query_table(ClientSession& s, std::string sql) {
  auto h = co_await execute(s, std::move(sql));
  if (!h) co_return h.status();
  co_return co_await read_all(s, *h);
}

// Runs a statement without rows; returns numModifiedRows (-1 when not set).
awaitable<Result<std::int64_t>> run(ClientSession& s, std::string sql) {
  auto h = co_await execute(s, std::move(sql));
  if (!h) co_return h.status();
  auto st = co_await status_of_operation(s, *h);
  if (!st) co_return st.status();
  const std::int64_t n = st->__isset.numModifiedRows ? st->numModifiedRows : -1;
  if (Status closed = co_await close(s, *h); !closed.is_ok()) co_return closed;
  co_return n;
}

// Fails the current test with `status` unless it is ok.
// The value of a step that must succeed; a failure ends the test with its message.
inline void must(const Status& s) {
  if (!s.is_ok()) throw std::runtime_error(s.message());
}

template <typename T>
T must(Result<T> r) {
  if (!r) throw std::runtime_error(r.status().message());
  return std::move(r).value();
}

class PostgresqlBackend : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_.emplace();
    pg_->sql(std::string("CREATE ROLE ") + kRole + " LOGIN PASSWORD '" + kPassword + "'");
    pg_->sql(std::string("CREATE DATABASE ") + kDatabase + " OWNER " + kRole);
  }

  EngineProcess::Conf conf() const {
    return {
        {"kyuubi.engine.type", "JDBC"},
        {"kyuubi.engine.jdbc.type", "postgresql"},
        {"kyuubi.engine.jdbc.connection.url",
         "jdbc:postgresql://127.0.0.1:" + std::to_string(pg_->port()) + "/" + kDatabase +
             "?connectTimeout=5&ApplicationName=kitsune-test"},
        {"kyuubi.engine.jdbc.connection.user", kRole},
        {"kyuubi.engine.jdbc.session.initialize.sql",
         "SELECT set_config('TimeZone', 'UTC', false)"},
        {"kitsune.log.level", "debug"},
    };
  }

  void start_engine(const std::string& password = kPassword, EngineProcess::Env env = {}) {
    engine_.emplace(conf(),
                    EngineProcess::Conf{{"kyuubi.engine.jdbc.connection.password", password}},
                    std::move(env));
  }

  // Runs `body` on a new session of the engine.
  template <typename Body>
  void with_session(Body body) {
    Status outcome = run_coroutine([](EngineProcess& engine, Body b) -> awaitable<Status> {
      auto s = co_await open_client_session(engine.host(), engine.port(), /*nosasl=*/false);
      if (!s) co_return s.status();
      co_return co_await b(*s);
    }(*engine_, std::move(body)));
    EXPECT_TRUE(outcome.is_ok()) << outcome.message();
  }

  std::optional<PostgresProcess> pg_;
  std::optional<EngineProcess> engine_;
};

TEST_F(PostgresqlBackend, DdlAndDmlReportTheRowsTheyChangeAndErrorsCarryTheSqlState) {
  start_engine();
  with_session([](ClientSession& s) -> awaitable<Status> {
    auto info = [&s](tcli::TGetInfoType::type type) -> awaitable<std::string> {
      tcli::TGetInfoReq req;
      req.sessionHandle = s.handle;
      req.infoType = type;
      auto r = co_await s.client->get_info(req);
      co_return r ? r->infoValue.stringValue : "(failed)";
    };
    EXPECT_EQ(co_await info(tcli::TGetInfoType::CLI_DBMS_NAME), "PostgreSQL");
    EXPECT_TRUE((co_await info(tcli::TGetInfoType::CLI_DBMS_VER)).starts_with("15."));
    const std::string keywords = "," + co_await info(tcli::TGetInfoType::CLI_ODBC_KEYWORDS) + ",";
    EXPECT_TRUE(contains(keywords, ",ILIKE,")) << keywords;
    EXPECT_FALSE(contains(keywords, ",SELECT,")) << keywords;

    must(co_await run(s, "CREATE TABLE items (id int PRIMARY KEY, label text)"));
    EXPECT_EQ(must(co_await run(s, "INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'c')")), 3);
    EXPECT_EQ(must(co_await run(s, "UPDATE items SET label = label || '!' WHERE id <= 2")), 2);
    EXPECT_EQ(must(co_await run(s, "DELETE FROM items WHERE id = 3")), 1);
    Table t = must(co_await query_table(s, "SELECT id, label FROM items ORDER BY id"));
    EXPECT_EQ(t.rows, (std::vector<std::vector<Cell>>{{"1", "a!"}, {"2", "b!"}}));
    must(co_await run(s, "DROP TABLE items"));

    // A missing table: PostgreSQL's SQLSTATE and message, at ExecuteStatement (prepare).
    auto missing = co_await execute(s, "SELECT * FROM items");
    EXPECT_FALSE(missing.is_ok());
    if (!missing) {
      EXPECT_EQ(missing.status().sql_state(), "42P01");
      EXPECT_TRUE(contains(missing.status().message(), "relation \"items\" does not exist"))
          << missing.status().message();
    }
    auto duplicate = co_await run(s, "CREATE TABLE d (id int PRIMARY KEY)");
    must(std::move(duplicate));
    must(co_await run(s, "INSERT INTO d VALUES (1)"));
    auto again = co_await run(s, "INSERT INTO d VALUES (1)");
    EXPECT_FALSE(again.is_ok());
    if (!again) {
      EXPECT_EQ(again.status().sql_state(), "23505");
      EXPECT_TRUE(contains(again.status().message(), "duplicate key value"));
      EXPECT_TRUE(contains(again.status().message(), "Detail: Key (id)=(1) already exists"))
          << again.status().message();
    }
    co_return Status::ok();
  });
}

TEST_F(PostgresqlBackend, EveryTypeReadsBackWithItsHiveTypeQualifiersAndExactValues) {
  start_engine();
  with_session([](ClientSession& s) -> awaitable<Status> {
    must(co_await run(
        s,
        "CREATE TABLE all_types (b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, "
        "n numeric(10,2), nu numeric, vc varchar(20), c char(5), t text, d date, ts timestamp, "
        "tstz timestamptz, tm time, iv interval, u uuid, j json, jb jsonb, arr int[], "
        "by bytea)"));
    must(co_await run(
        s,
        "INSERT INTO all_types VALUES (true, -32768, 2147483647, -9223372036854775808, 1.5, "
        "3.141592653589793, 12345678.91, 123456789012345678901234567890.123456789, 'héllo', "
        "'ab', E'line1\\nline2', '2024-02-29', '2024-02-29 13:14:15.123456', "
        "'2024-02-29 13:14:15+02', '13:14:15', '1 day 02:03:04', "
        "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": 1}', '{\"b\": [1, 2]}', "
        "'{1,2,3}', '\\x00ff10'), "
        "(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
        "NULL, NULL, NULL, NULL, NULL, NULL, NULL)"));
    Table t = must(co_await query_table(s, "SELECT * FROM all_types ORDER BY b"));
    if (t.rows.size() != 2) co_return Status::error("expected 2 rows");

    using T = tcli::TTypeId;
    struct Expected {
      const char* column;
      T::type type;
      Cell value;
      std::map<std::string, int> qualifiers;
    };
    const std::vector<Expected> expected = {
        {"b", T::BOOLEAN_TYPE, "true", {}},
        {"i2", T::SMALLINT_TYPE, "-32768", {}},
        {"i4", T::INT_TYPE, "2147483647", {}},
        {"i8", T::BIGINT_TYPE, "-9223372036854775808", {}},
        {"f4", T::FLOAT_TYPE, double_text(1.5), {}},
        {"f8", T::DOUBLE_TYPE, double_text(3.141592653589793), {}},
        {"n", T::DECIMAL_TYPE, "12345678.91", {{"precision", 10}, {"scale", 2}}},
        {"nu",
         T::DECIMAL_TYPE,
         "123456789012345678901234567890.123456789",
         {{"precision", 38}, {"scale", 18}}},
        {"vc", T::VARCHAR_TYPE, "héllo", {{"characterMaximumLength", 20}}},
        {"c", T::CHAR_TYPE, "ab   ", {{"characterMaximumLength", 5}}},
        {"t", T::STRING_TYPE, "line1\nline2", {}},
        {"d", T::DATE_TYPE, "2024-02-29", {}},
        {"ts", T::TIMESTAMP_TYPE, "2024-02-29 13:14:15.123456", {}},
        {"tstz", T::STRING_TYPE, "2024-02-29 11:14:15+00", {}},
        {"tm", T::STRING_TYPE, "13:14:15", {}},
        {"iv", T::STRING_TYPE, "1 day 02:03:04", {}},
        {"u", T::STRING_TYPE, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", {}},
        {"j", T::STRING_TYPE, "{\"a\": 1}", {}},
        {"jb", T::STRING_TYPE, "{\"b\": [1, 2]}", {}},
        {"arr", T::STRING_TYPE, "{1,2,3}", {}},
        {"by", T::BINARY_TYPE, std::string("\x00\xff\x10", 3), {}},
    };
    if (t.schema.columns.size() != expected.size()) co_return Status::error("column count");
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const Expected& e = expected[i];
      const tcli::TColumnDesc& desc = t.schema.columns[i];
      EXPECT_EQ(desc.columnName, e.column);
      const tcli::TPrimitiveTypeEntry& entry = desc.typeDesc.types.at(0).primitiveEntry;
      EXPECT_EQ(entry.type, e.type) << e.column;
      std::map<std::string, int> qualifiers;
      if (entry.__isset.typeQualifiers) {
        for (const auto& [name, value] : entry.typeQualifiers.qualifiers)
          qualifiers[name] = value.i32Value;
      }
      EXPECT_EQ(qualifiers, e.qualifiers) << e.column;
      // ORDER BY b puts true first and NULL last.
      EXPECT_EQ(t.rows[0][i], e.value) << e.column;
      EXPECT_EQ(t.rows[1][i], std::nullopt) << e.column;
    }
    co_return Status::ok();
  });
}

TEST_F(PostgresqlBackend, AMillionRowsStreamToTheEndInBoundedMemory) {
  start_engine(kPassword, memory_measuring_env());
  // Each row carries 128 characters: the values alone are 128 MB, so an engine that held the
  // result (a materialised PGresult needs more still) could not grow by 100 MB. A streaming
  // engine grows by some 20 MB here (one 10,000-row batch and allocator slack).
  static constexpr long kBoundKib = 100 * 1024;
  with_session([this](ClientSession& s) -> awaitable<Status> {
    const long baseline = engine_->rss_kib();
    auto h = must(co_await execute(
        s, "SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 1000000) AS g"));
    std::int64_t count = 0;
    std::int64_t sum = 0;
    std::size_t text_bytes = 0;
    std::int64_t expected_next = 1;
    bool in_order = true;
    long peak = engine_->rss_kib();
    std::vector<std::vector<Cell>> rows;
    Cell last_text;
    for (bool more = true; more;) {
      rows.clear();
      more = must(co_await fetch(s, h, 10000, rows));
      for (const auto& row : rows) {
        const std::int64_t g = std::stoll(row.at(0).value());
        in_order = in_order && g == expected_next++;
        sum += g;
        text_bytes += row.at(1)->size();
        ++count;
      }
      if (!rows.empty()) last_text = rows.back().at(1);
      peak = std::max(peak, engine_->rss_kib());
    }
    EXPECT_EQ(count, 1000000);
    EXPECT_EQ(sum, 500000500000);
    EXPECT_TRUE(in_order);
    EXPECT_EQ(text_bytes, std::size_t{128} * 1000000);
    // md5('1000000') four times.
    EXPECT_EQ(last_text->substr(0, 32), "8155bc545f84d9652f1012ef2bdfb6eb");
    EXPECT_LT(peak - baseline, kBoundKib)
        << "RSS grew from " << baseline << " KiB to a peak of " << peak << " KiB";
    RecordProperty("rss_growth_kib", static_cast<int>(peak - baseline));
    must(co_await close(s, h));
    co_return Status::ok();
  });
}

TEST_F(PostgresqlBackend, CatalogCallsDescribeTheTablesKeysAndSchemasCreated) {
  pg_->sql(
      "CREATE SCHEMA meta_s AUTHORIZATION kitsune_app;"
      "SET ROLE kitsune_app;"
      "CREATE TABLE meta_s.parent (id int PRIMARY KEY, name varchar(30) NOT NULL DEFAULT 'x');"
      "COMMENT ON TABLE meta_s.parent IS 'the parents';"
      "COMMENT ON COLUMN meta_s.parent.name IS 'what they are called';"
      "CREATE TABLE meta_s.child (id serial PRIMARY KEY, parent_id int REFERENCES "
      "meta_s.parent (id) ON DELETE CASCADE ON UPDATE RESTRICT, note text);"
      "CREATE VIEW meta_s.named AS SELECT name FROM meta_s.parent;",
      kDatabase);
  start_engine();
  with_session([](ClientSession& s) -> awaitable<Status> {
    auto meta = [&s](auto call, auto req) -> awaitable<Result<Table>> {
      req.sessionHandle = s.handle;
      auto r = co_await call(req);
      if (Status st = checked(r); !st.is_ok()) co_return st;
      co_return co_await read_all(s, r->operationHandle);
    };
    auto& c = *s.client;
    tcli::TGetSchemasReq schemas;
    schemas.__set_schemaName("meta%");
    Table t = must(
        co_await meta([&c](const tcli::TGetSchemasReq& r) { return c.get_schemas(r); }, schemas));
    EXPECT_EQ(t.rows.size(), 1u);
    if (!t.rows.empty()) {
      EXPECT_EQ(t.at(0, "TABLE_SCHEM"), "meta_s");
    }

    tcli::TGetTablesReq tables;
    tables.__set_schemaName("meta_s");
    tables.__set_tableName("%");
    t = must(co_await meta([&c](const tcli::TGetTablesReq& r) { return c.get_tables(r); }, tables));
    std::vector<std::vector<Cell>> got;
    for (std::size_t i = 0; i < t.rows.size(); ++i)
      got.push_back({t.at(i, "TABLE_NAME"), t.at(i, "TABLE_TYPE"), t.at(i, "REMARKS")});
    EXPECT_EQ(got, (std::vector<std::vector<Cell>>{{"child", "TABLE", ""},
                                                   {"named", "VIEW", ""},
                                                   {"parent", "TABLE", "the parents"}}));

    tcli::TGetColumnsReq columns;
    columns.__set_schemaName("meta\\_s");
    columns.__set_tableName("%");
    columns.__set_columnName("%");
    t = must(
        co_await meta([&c](const tcli::TGetColumnsReq& r) { return c.get_columns(r); }, columns));
    got.clear();
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      got.push_back({t.at(i, "TABLE_NAME"), t.at(i, "COLUMN_NAME"), t.at(i, "DATA_TYPE"),
                     t.at(i, "TYPE_NAME"), t.at(i, "ORDINAL_POSITION"), t.at(i, "IS_NULLABLE"),
                     t.at(i, "COLUMN_DEF"), t.at(i, "REMARKS"), t.at(i, "IS_AUTO_INCREMENT")});
    }
    const Cell none;
    const std::vector<std::vector<Cell>> expected_columns = {
        {"child", "id", "4", "INT", "1", "NO", "nextval('meta_s.child_id_seq'::regclass)", none,
         "YES"},
        {"child", "parent_id", "4", "INT", "2", "YES", none, none, "NO"},
        {"child", "note", "12", "STRING", "3", "YES", none, none, "NO"},
        {"named", "name", "12", "VARCHAR(30)", "1", "YES", none, none, "NO"},
        {"parent", "id", "4", "INT", "1", "NO", none, none, "NO"},
        {"parent", "name", "12", "VARCHAR(30)", "2", "NO", "'x'::character varying",
         "what they are called", "NO"},
    };
    EXPECT_EQ(got, expected_columns);

    tcli::TGetPrimaryKeysReq keys;
    keys.__set_schemaName("meta_s");
    keys.__set_tableName("parent");
    t = must(co_await meta(
        [&c](const tcli::TGetPrimaryKeysReq& r) { return c.get_primary_keys(r); }, keys));
    EXPECT_EQ(t.rows.size(), 1u);
    if (!t.rows.empty()) {
      EXPECT_EQ(t.at(0, "COLUMN_NAME"), "id");
      EXPECT_EQ(t.at(0, "PK_NAME"), "parent_pkey");
    }

    tcli::TGetCrossReferenceReq cross;
    cross.__set_parentSchemaName("meta_s");
    cross.__set_parentTableName("parent");
    cross.__set_foreignSchemaName("meta_s");
    cross.__set_foreignTableName("child");
    t = must(co_await meta(
        [&c](const tcli::TGetCrossReferenceReq& r) { return c.get_cross_reference(r); }, cross));
    EXPECT_EQ(t.rows.size(), 1u);
    if (!t.rows.empty()) {
      EXPECT_EQ(t.at(0, "PKCOLUMN_NAME"), "id");
      EXPECT_EQ(t.at(0, "FKCOLUMN_NAME"), "parent_id");
      EXPECT_EQ(t.at(0, "UPDATE_RULE"), "1");  // importedKeyRestrict
      EXPECT_EQ(t.at(0, "DELETE_RULE"), "0");  // importedKeyCascade
      EXPECT_EQ(t.at(0, "PK_NAME"), "parent_pkey");
    }

    tcli::TGetFunctionsReq functions;
    functions.functionName = "generate\\_series";
    t = must(co_await meta([&c](const tcli::TGetFunctionsReq& r) { return c.get_functions(r); },
                           functions));
    EXPECT_EQ(t.rows.size(), 1u);
    if (!t.rows.empty()) {
      EXPECT_EQ(t.at(0, "FUNCTION_TYPE"), "2");  // functionReturnsTable
    }

    tcli::TGetTypeInfoReq types;
    t = must(
        co_await meta([&c](const tcli::TGetTypeInfoReq& r) { return c.get_type_info(r); }, types));
    EXPECT_FALSE(t.rows.empty());

    // Databases are schemas: USE, SHOW TABLES, CREATE and DROP DATABASE.
    must(co_await run(s, "USE meta_s"));
    t = must(co_await query_table(s, "SHOW TABLES"));
    EXPECT_EQ(t.rows, (std::vector<std::vector<Cell>>{{"child"}, {"named"}, {"parent"}}));
    t = must(co_await query_table(s, "SELECT count(*) FROM parent"));
    EXPECT_EQ(t.rows, (std::vector<std::vector<Cell>>{{"0"}}));
    must(co_await run(s, "USE default"));
    t = must(co_await query_table(s, "SELECT current_schema()"));
    EXPECT_EQ(t.rows, (std::vector<std::vector<Cell>>{{"public"}}));
    must(co_await run(s, "CREATE DATABASE extra_db"));
    t = must(co_await query_table(s, "SHOW DATABASES"));
    EXPECT_EQ(t.rows, (std::vector<std::vector<Cell>>{{"extra_db"}, {"meta_s"}, {"public"}}));
    must(co_await run(s, "USE extra_db"));
    must(co_await run(s, "DROP DATABASE extra_db"));
    t = must(co_await query_table(s, "SELECT current_schema()"));
    EXPECT_EQ(t.rows, (std::vector<std::vector<Cell>>{{"public"}}));
    auto refused = co_await run(s, "DROP DATABASE meta_s");
    EXPECT_FALSE(refused.is_ok());
    if (!refused) {
      EXPECT_EQ(refused.status().sql_state(), "2BP01") << refused.status().message();
    }
    co_return Status::ok();
  });
}

TEST_F(PostgresqlBackend, CancelStopsALongQueryOnTheServerAndTheSessionGoesOn) {
  start_engine();
  const auto sleeping = [this] {
    return pg_->sql(
        "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND "
        "query = 'SELECT pg_sleep(60)'");
  };
  with_session([&](ClientSession& s) -> awaitable<Status> {
    auto h = must(co_await execute(s, "SELECT pg_sleep(60)", /*async=*/true));
    for (int i = 0; i < 100 && trim(sleeping()) != "1"; ++i)
      std::this_thread::sleep_for(100ms);
    EXPECT_EQ(trim(sleeping()), "1");

    const auto start = std::chrono::steady_clock::now();
    tcli::TCancelOperationReq cancel;
    cancel.operationHandle = h;
    Status cancelled = checked(co_await s.client->cancel_operation(cancel));
    EXPECT_TRUE(cancelled.is_ok()) << cancelled.message();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);

    tcli::TOperationState::type state = tcli::TOperationState::RUNNING_STATE;
    for (int i = 0; i < 50; ++i) {
      state = must(co_await status_of_operation(s, h)).operationState;
      if (state != tcli::TOperationState::RUNNING_STATE) break;
    }
    EXPECT_EQ(state, tcli::TOperationState::CANCELED_STATE);
    std::string left = "?";
    for (int i = 0; i < 50 && (left = trim(sleeping())) != "0"; ++i)
      std::this_thread::sleep_for(100ms);
    EXPECT_EQ(left, "0");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);

    Table t = must(co_await query_table(s, "SELECT 41 + 1"));
    EXPECT_EQ(t.rows, (std::vector<std::vector<Cell>>{{"42"}}));
    co_return Status::ok();
  });
}

TEST_F(PostgresqlBackend, AResultLeftStreamingFailsClearlyWhenTheSessionMovesOn) {
  start_engine();
  with_session([](ClientSession& s) -> awaitable<Status> {
    // A small result survives: its rest is kept (up to kyuubi.engine.jdbc.fetch.size rows).
    auto small = must(co_await execute(s, "SELECT generate_series(1, 5)"));
    std::vector<std::vector<Cell>> small_rows;
    must(co_await fetch(s, small, 2, small_rows));

    auto big = must(co_await execute(s, "SELECT g FROM generate_series(1, 100000) g"));
    std::vector<std::vector<Cell>> big_rows;
    must(co_await fetch(s, big, 10, big_rows));

    // Another statement while both stream: its own rows, right.
    Table t = must(co_await query_table(s, "SELECT 'other'"));
    EXPECT_EQ(t.rows, (std::vector<std::vector<Cell>>{{"other"}}));

    while (must(co_await fetch(s, small, 100, small_rows))) {
    }
    EXPECT_EQ(small_rows, (std::vector<std::vector<Cell>>{{"1"}, {"2"}, {"3"}, {"4"}, {"5"}}));

    // The big one: the kept rows follow on exactly, then a clear error.
    Status ended;
    for (int i = 0; i < 100; ++i) {
      auto more = co_await fetch(s, big, 400, big_rows);
      if (!more) {
        ended = more.status();
        break;
      }
    }
    EXPECT_EQ(ended.sql_state(), "24000");
    EXPECT_TRUE(contains(ended.message(), "before the result was fetched to the end"))
        << ended.message();
    EXPECT_EQ(big_rows.size(), 1010u);
    for (std::size_t i = 0; i < big_rows.size(); ++i) {
      if (big_rows[i][0] != std::to_string(i + 1)) {
        co_return Status::error("row " + std::to_string(i) + " is " + *big_rows[i][0]);
      }
    }

    // FETCH_FIRST runs the plain query again.
    std::vector<std::vector<Cell>> first;
    must(co_await fetch(s, big, 3, first, tcli::TFetchOrientation::FETCH_FIRST));
    EXPECT_EQ(first, (std::vector<std::vector<Cell>>{{"1"}, {"2"}, {"3"}}));
    must(co_await close(s, big));
    co_return Status::ok();
  });
}

TEST_F(PostgresqlBackend, AWrongPasswordStopsTheEngineWithAClearMessage) {
  std::string error;
  try {
    start_engine(kWrongPassword);
  } catch (const std::runtime_error& e) {
    error = e.what();
  }
  ASSERT_FALSE(error.empty()) << "the engine started with a wrong password";
  EXPECT_TRUE(
      contains(error, "cannot connect to PostgreSQL at 127.0.0.1:" + std::to_string(pg_->port()) +
                          "/appdb as kitsune_app: "
                          "password authentication failed for user \"kitsune_app\""))
      << error;
  EXPECT_FALSE(contains(error, kWrongPassword));

  // A URL parameter with no libpq meaning is refused by name.
  EngineProcess::Conf bad = conf();
  bad["kyuubi.engine.jdbc.connection.url"] += "&frobnicate=1";
  error.clear();
  try {
    EngineProcess engine(bad, {{"kyuubi.engine.jdbc.connection.password", kPassword}});
  } catch (const std::runtime_error& e) {
    error = e.what();
  }
  EXPECT_TRUE(contains(error, "unknown connection parameter 'frobnicate'")) << error;
  EXPECT_FALSE(contains(error, kPassword));
}

TEST_F(PostgresqlBackend, ThePasswordIsInNeitherTheLogNorTheCommandLine) {
  start_engine();
  with_session([this](ClientSession& s) -> awaitable<Status> {
    Table t = must(co_await query_table(s, "SELECT current_user"));
    EXPECT_EQ(t.rows, (std::vector<std::vector<Cell>>{{"kitsune_app"}}));
    // The server sees the application name the URL gave.
    EXPECT_TRUE(
        contains(pg_->sql("SELECT application_name FROM pg_stat_activity"), "kitsune-test"));
    // A failing statement logs too.
    auto failed = co_await execute(s, "SELECT * FROM nowhere");
    EXPECT_FALSE(failed.is_ok());
    co_return Status::ok();
  });
  std::ifstream in("/proc/" + std::to_string(engine_->pid()) + "/cmdline", std::ios::binary);
  const std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(contains(cmdline, "kyuubi.engine.jdbc.connection.user"));
  EXPECT_FALSE(contains(cmdline, kPassword));
  const std::string log = engine_->log();
  EXPECT_TRUE(contains(log, "postgresql backend on PostgreSQL")) << log;
  EXPECT_FALSE(contains(log, kPassword));
}

TEST_F(PostgresqlBackend, ADatabaseThatGoesAwayGivesAClearErrorAndTheEngineLivesOn) {
  start_engine();
  with_session([this](ClientSession& s) -> awaitable<Status> {
    Table t = must(co_await query_table(s, "SELECT 1"));
    EXPECT_EQ(t.rows.size(), 1u);
    pg_->stop();
    auto lost = co_await query_table(s, "SELECT 1");
    EXPECT_FALSE(lost.is_ok());
    if (!lost) {
      EXPECT_TRUE(contains(lost.status().message(), "connection to PostgreSQL is lost"))
          << lost.status().message();
    }
    // And again: the same clear error, not a crash.
    auto again = co_await query_table(s, "SELECT 1");
    EXPECT_FALSE(again.is_ok());
    if (!again) {
      EXPECT_TRUE(contains(again.status().message(), "PostgreSQL")) << again.status().message();
    }
    co_return Status::ok();
  });
  EXPECT_EQ(::kill(engine_->pid(), 0), 0) << engine_->log();
  // A new session while the database is down is refused clearly.
  Status refused = run_coroutine([](EngineProcess& e) -> awaitable<Status> {
    auto s = co_await open_client_session(e.host(), e.port(), false);
    co_return s.is_ok() ? Status::ok() : s.status();
  }(*engine_));
  EXPECT_FALSE(refused.is_ok());
  EXPECT_TRUE(contains(refused.message(), "cannot connect to PostgreSQL at 127.0.0.1:"))
      << refused.message();
  // Once it is back, new sessions work.
  pg_->start();
  with_session([](ClientSession& s) -> awaitable<Status> {
    Table t = must(co_await query_table(s, "SELECT 7"));
    EXPECT_EQ(t.rows, (std::vector<std::vector<Cell>>{{"7"}}));
    co_return Status::ok();
  });
}

}  // namespace
}  // namespace kitsune::testing
