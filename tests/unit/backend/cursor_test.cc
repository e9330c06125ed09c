// Tests of the engine's own result sets (MaterializedCursor and the SET/SHOW/DESCRIBE layouts), the
// bounded operation log, and the operation state machine.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "metadata.h"
#include "session.h"

namespace kitsune::backend {
namespace {

using T = tcli::TTypeId;
using P = tcli::TProtocolVersion;

std::unique_ptr<MaterializedCursor> numbers(int n) {
  Schema schema{ColumnDesc{"id", ColumnType{T::INT_TYPE}, {}},
                ColumnDesc{"name", ColumnType{T::STRING_TYPE}, {}}};
  std::vector<Row> rows;
  for (int i = 0; i < n; ++i) {
    rows.push_back(Row{Value{std::int64_t{i}}, i == 3 ? Value{} : Value{"n" + std::to_string(i)}});
  }
  return std::make_unique<MaterializedCursor>(std::move(schema), std::move(rows));
}

// Fetches one batch and returns the ids in it.
std::vector<std::int32_t> fetch_ids(Cursor& c, std::size_t max_rows, std::size_t max_bytes,
                                    bool* more) {
  RowSetBuilder b(c.schema());
  auto r = c.fetch(b, max_rows, max_bytes);
  EXPECT_TRUE(r.is_ok());
  if (more) *more = r ? *r : false;
  return b.take(0, P::HIVE_CLI_SERVICE_PROTOCOL_V10).columns.at(0).i32Val.values;
}

TEST(MaterializedCursor, FetchesInBatchesUntilTheRowsRunOut) {
  auto c = numbers(10);
  EXPECT_TRUE(c->has_result_set());
  EXPECT_TRUE(c->execute().is_ok());
  EXPECT_EQ(c->modified_rows(), -1);
  EXPECT_EQ(c->schema().size(), 2u);
  bool more = false;
  EXPECT_EQ(fetch_ids(*c, 4, 1 << 20, &more), (std::vector<std::int32_t>{0, 1, 2, 3}));
  EXPECT_TRUE(more);
  EXPECT_EQ(fetch_ids(*c, 4, 1 << 20, &more), (std::vector<std::int32_t>{4, 5, 6, 7}));
  EXPECT_TRUE(more);
  EXPECT_EQ(fetch_ids(*c, 4, 1 << 20, &more), (std::vector<std::int32_t>{8, 9}));
  EXPECT_FALSE(more);
  EXPECT_TRUE(fetch_ids(*c, 4, 1 << 20, &more).empty());
  EXPECT_FALSE(more);
}

TEST(MaterializedCursor, ReportsNoMoreRowsWhenABatchEndsExactlyAtTheEnd) {
  auto c = numbers(4);
  bool more = true;
  EXPECT_EQ(fetch_ids(*c, 4, 1 << 20, &more).size(), 4u);
  EXPECT_FALSE(more);
}

TEST(MaterializedCursor, RewindStartsOverFromTheFirstRow) {
  auto c = numbers(5);
  bool more = false;
  (void)fetch_ids(*c, 3, 1 << 20, &more);
  ASSERT_TRUE(c->rewind().is_ok());
  EXPECT_EQ(fetch_ids(*c, 100, 1 << 20, &more), (std::vector<std::int32_t>{0, 1, 2, 3, 4}));
  EXPECT_FALSE(more);
  ASSERT_TRUE(c->rewind().is_ok());
  EXPECT_EQ(fetch_ids(*c, 1, 1 << 20, &more), std::vector<std::int32_t>{0});
  EXPECT_TRUE(more);
}

TEST(MaterializedCursor, StopsAtTheByteCapButAlwaysReturnsOneRow) {
  auto c = numbers(6);
  bool more = false;
  EXPECT_EQ(fetch_ids(*c, 100, 1, &more), std::vector<std::int32_t>{0});
  EXPECT_TRUE(more);
  // Each row costs 4 (int) + 4 + 2 (string) bytes.
  EXPECT_EQ(fetch_ids(*c, 100, 15, &more), (std::vector<std::int32_t>{1, 2}));
  EXPECT_TRUE(more);
}

TEST(MaterializedCursor, CarriesNullsThroughToTheRowSet) {
  auto c = numbers(5);
  RowSetBuilder b(c->schema());
  ASSERT_TRUE(c->fetch(b, 10, 1 << 20).is_ok());
  const auto rs = b.take(0, P::HIVE_CLI_SERVICE_PROTOCOL_V10);
  EXPECT_EQ(rs.columns[1].stringVal.nulls, std::string("\x08", 1));
  EXPECT_EQ(rs.columns[1].stringVal.values, (std::vector<std::string>{"n0", "n1", "n2", "", "n4"}));
}

TEST(EngineResults, UseHivesColumnNames) {
  EXPECT_EQ(set_result({"a=1"})->schema().at(0).name, "set");
  EXPECT_EQ(show_databases_result({"default"})->schema().at(0).name, "database_name");
  EXPECT_EQ(show_tables_result({"t"})->schema().at(0).name, "tab_name");
  EXPECT_EQ(operation_log_schema().at(0).name, "operation_log");
  ColumnInfo col;
  col.name = "amount";
  col.type = ColumnType{T::DECIMAL_TYPE, 10, 2, 0};
  col.comment = "in euros";
  auto d = describe_result({col});
  ASSERT_EQ(d->schema().size(), 3u);
  EXPECT_EQ(d->schema()[0].name, "col_name");
  EXPECT_EQ(d->schema()[1].name, "data_type");
  EXPECT_EQ(d->schema()[2].name, "comment");
  RowSetBuilder b(d->schema());
  ASSERT_TRUE(d->fetch(b, 10, 1 << 20).is_ok());
  const auto rs = b.take(0, P::HIVE_CLI_SERVICE_PROTOCOL_V10);
  EXPECT_EQ(rs.columns[0].stringVal.values, std::vector<std::string>{"amount"});
  EXPECT_EQ(rs.columns[1].stringVal.values, std::vector<std::string>{"decimal(10,2)"});
  EXPECT_EQ(rs.columns[2].stringVal.values, std::vector<std::string>{"in euros"});
}

TEST(OperationLog, ReadReturnsOnlyLinesNotYetReturned) {
  OperationLog log(1 << 20);
  log.add("one");
  log.add("two");
  EXPECT_EQ(log.read(false), (std::vector<std::string>{"one", "two"}));
  EXPECT_TRUE(log.read(false).empty());
  log.add("three");
  EXPECT_EQ(log.read(false), std::vector<std::string>{"three"});
}

TEST(OperationLog, ReadFromTheStartReturnsEveryKeptLine) {
  OperationLog log(1 << 20);
  log.add("one");
  log.add("two");
  (void)log.read(false);
  EXPECT_EQ(log.read(true), (std::vector<std::string>{"one", "two"}));
  EXPECT_TRUE(log.read(false).empty());
}

TEST(OperationLog, DropsTheOldestLinesBeyondTheCap) {
  OperationLog log(10);
  log.add("aaaa");
  log.add("bbbb");
  log.add("cccc");  // 12 bytes: "aaaa" goes
  EXPECT_EQ(log.read(true), (std::vector<std::string>{"bbbb", "cccc"}));
  log.add("dddddddd");  // 16 bytes: "bbbb" and "cccc" go
  EXPECT_EQ(log.read(true), std::vector<std::string>{"dddddddd"});
}

TEST(OperationLog, KeepsTheNewestLineEvenWhenItAloneExceedsTheCap) {
  OperationLog log(4);
  log.add("a");
  log.add("a line longer than the cap");
  EXPECT_EQ(log.read(true), std::vector<std::string>{"a line longer than the cap"});
}

TEST(OperationLog, TheReadCursorSkipsLinesDroppedBeforeTheyWereRead) {
  OperationLog log(10);
  log.add("r1");
  EXPECT_EQ(log.read(false), std::vector<std::string>{"r1"});
  log.add("u1-xx");
  log.add("u2-xx");
  log.add("u3-xx");  // r1 and u1 are dropped; u1 was never read
  EXPECT_EQ(log.read(false), (std::vector<std::string>{"u2-xx", "u3-xx"}));
  EXPECT_TRUE(log.read(false).empty());
  log.add("u4-xx");
  EXPECT_EQ(log.read(false), std::vector<std::string>{"u4-xx"});
}

TEST(Operation, MovesThroughItsStatesAndStaysTerminal) {
  Operation op(tcli::TOperationType::EXECUTE_STATEMENT, "SELECT 1", true, 1024);
  EXPECT_EQ(op.state(), Operation::State::kPending);
  EXPECT_FALSE(op.is_terminal());
  const std::uint64_t before = op.changed().generation();
  EXPECT_TRUE(op.transition(Operation::State::kRunning));
  EXPECT_GT(op.changed().generation(), before);
  EXPECT_FALSE(op.transition(Operation::State::kRunning));  // no change, no wake-up
  EXPECT_TRUE(op.transition(Operation::State::kError, Status::error("boom", "42000")));
  EXPECT_TRUE(op.is_terminal());
  EXPECT_EQ(op.error().message(), "boom");
  EXPECT_FALSE(op.transition(Operation::State::kFinished));
  EXPECT_FALSE(op.transition(Operation::State::kCanceled));
  EXPECT_EQ(op.state(), Operation::State::kError);
  EXPECT_TRUE(op.transition(Operation::State::kClosed));
  EXPECT_EQ(op.state(), Operation::State::kClosed);
  EXPECT_GE(op.completed_ms(), op.started_ms());
}

TEST(Operation, ItsThriftHandleCarriesItsIdsAndKind) {
  Operation op(tcli::TOperationType::GET_TABLES, "", true, 1024);
  const auto h = op.thrift_handle();
  EXPECT_EQ(h.operationId.guid, op.handle.guid_bytes());
  EXPECT_EQ(h.operationId.secret, op.handle.secret_bytes());
  EXPECT_EQ(h.operationType, tcli::TOperationType::GET_TABLES);
  EXPECT_TRUE(h.hasResultSet);
}

}  // namespace
}  // namespace kitsune::backend
