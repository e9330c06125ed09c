// Test support for the local backend: a temporary data directory, a backend and session on it,
// and helpers that run SQL and read results back as text.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "kitsune/backend/sql_backend.h"
#include "kitsune/backends/backends.h"
#include "kitsune/common/strings.h"
#include "kitsune/config/conf.h"

namespace kitsune::backends::testing {

// A directory made with mkdtemp, removed with everything in it when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "kitsune-backends-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The value of row `row` of column `column` of a column-form row set, as text ("NULL" for null).
inline std::string cell_text(const tcli::TRowSet& rows, std::size_t column, std::size_t row) {
  const tcli::TColumn& c = rows.columns.at(column);
  auto is_null = [&](const std::string& nulls) {
    return row / 8 < nulls.size() &&
           ((static_cast<unsigned char>(nulls[row / 8]) >> (row % 8)) & 1);
  };
  if (c.__isset.boolVal) {
    return is_null(c.boolVal.nulls) ? "NULL" : c.boolVal.values.at(row) ? "true" : "false";
  }
  if (c.__isset.byteVal) {
    return is_null(c.byteVal.nulls) ? "NULL" : std::to_string(c.byteVal.values.at(row));
  }
  if (c.__isset.i16Val) {
    return is_null(c.i16Val.nulls) ? "NULL" : std::to_string(c.i16Val.values.at(row));
  }
  if (c.__isset.i32Val) {
    return is_null(c.i32Val.nulls) ? "NULL" : std::to_string(c.i32Val.values.at(row));
  }
  if (c.__isset.i64Val) {
    return is_null(c.i64Val.nulls) ? "NULL" : std::to_string(c.i64Val.values.at(row));
  }
  if (c.__isset.doubleVal) {
    if (is_null(c.doubleVal.nulls)) return "NULL";
    std::ostringstream out;
    out << c.doubleVal.values.at(row);
    return out.str();
  }
  if (c.__isset.binaryVal) return is_null(c.binaryVal.nulls) ? "NULL" : c.binaryVal.values.at(row);
  return is_null(c.stringVal.nulls) ? "NULL" : c.stringVal.values.at(row);
}

// A result read to its end.
struct QueryResult {
  backend::Schema schema;
  tcli::TRowSet rows;  // column form (V10)
  std::size_t row_count = 0;

  // Every row as text, column by column.
  std::vector<std::vector<std::string>> text() const {
    std::vector<std::vector<std::string>> out(row_count);
    for (std::size_t r = 0; r < row_count; ++r) {
      for (std::size_t c = 0; c < schema.size(); ++c) {
        out[r].push_back(cell_text(rows, c, r));
      }
    }
    return out;
  }
};

using Rows = std::vector<std::vector<std::string>>;

// A local backend in a fresh data directory, with one session on default.
class LocalBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config::Conf conf;
    conf.set("kitsune.engine.local.data.dir", dir_.path().string());
    conf.set("kitsune.engine.local.busy.timeout", "PT5S");
    auto made = make_backend(conf);
    ASSERT_TRUE(made.is_ok()) << made.status().to_string();
    backend_ = std::move(*made);
    session_ = open_session();
  }

  std::unique_ptr<backend::SqlSession> open_session(const std::string& database = "default") {
    auto session = backend_->open_session(backend::SessionOptions{"tester", database});
    EXPECT_TRUE(session.is_ok()) << session.status().to_string();
    return session.is_ok() ? std::move(*session) : nullptr;
  }

  // Prepares and executes `sql`, returning the first failure.
  static Status run(backend::SqlSession& session, const std::string& sql) {
    auto cursor = session.prepare(sql);
    if (!cursor.is_ok()) return cursor.status();
    return (*cursor)->execute();
  }
  Status run(const std::string& sql) { return run(*session_, sql); }

  // Runs `sql` and reads all its rows into one batch.
  static Result<QueryResult> query(backend::SqlSession& session, const std::string& sql) {
    auto cursor = session.prepare(sql);
    if (!cursor.is_ok()) return cursor.status();
    if (Status s = (*cursor)->execute(); !s.is_ok()) return s;
    QueryResult out;
    out.schema = (*cursor)->schema();
    backend::RowSetBuilder builder(out.schema);
    while (true) {
      auto more = (*cursor)->fetch(builder, 1000, std::size_t{1} << 30);
      if (!more.is_ok()) return more.status();
      if (!*more) break;
    }
    out.row_count = builder.rows();
    out.rows = builder.take(0, tcli::TProtocolVersion::HIVE_CLI_SERVICE_PROTOCOL_V10);
    return out;
  }
  Result<QueryResult> query(const std::string& sql) { return query(*session_, sql); }

  // The rows of `sql` as text; a failure fails the test.
  Rows rows(backend::SqlSession& session, const std::string& sql) {
    auto result = query(session, sql);
    EXPECT_TRUE(result.is_ok()) << sql << ": " << result.status().to_string();
    return result.is_ok() ? result->text() : Rows{};
  }
  Rows rows(const std::string& sql) { return rows(*session_, sql); }

  TempDir dir_;
  std::unique_ptr<backend::SqlBackend> backend_;
  std::unique_ptr<backend::SqlSession> session_;
};

}  // namespace kitsune::backends::testing
