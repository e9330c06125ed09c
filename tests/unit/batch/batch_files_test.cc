// A batch's files: upload names that stay in their dir, log slices, chunks, tails, exit files.
#include "batch_files.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

namespace kitsune::batch {
namespace {

namespace fs = std::filesystem;
using V = std::vector<std::string>;

class BatchFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kitsune-batch-files-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST(FileNames, PlainNamesPassAndNamesThatLeaveTheirDirDoNot) {
  for (const char* ok : {"etl.jar", "a..b.sql", "x y.py", ".hidden", "ünïcode.sql"})
    EXPECT_TRUE(check_file_name(ok, "the upload").is_ok()) << ok;
  for (const std::string& bad :
       {std::string(""), std::string("."), std::string(".."), std::string("../x"),
        std::string("a/b"), std::string("/abs"), std::string("a\\b"), std::string("a\0b", 3),
        std::string("a\nb"), std::string("a\x7f")}) {
    Status s = check_file_name(bad, "the upload");
    EXPECT_FALSE(s.is_ok()) << bad;
    EXPECT_EQ(s.code(), StatusCode::kError);
  }
}

TEST_F(BatchFiles, SaveWritesTheFileOnceAndRefusesASecondOfTheSameName) {
  ASSERT_TRUE(save_file(dir_ / "upload" / "id", "etl.jar", "bytes").is_ok());
  std::ifstream in(dir_ / "upload" / "id" / "etl.jar");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "bytes");
  EXPECT_EQ(fs::status(dir_ / "upload" / "id" / "etl.jar").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_FALSE(save_file(dir_ / "upload" / "id", "etl.jar", "other").is_ok());
  EXPECT_FALSE(save_file(dir_ / "upload" / "id", "../x", "escape").is_ok());
  EXPECT_FALSE(fs::exists(dir_ / "upload" / "x"));
}

TEST_F(BatchFiles, LogSlicesComeFromTheStartOrTheEnd) {
  const fs::path log = dir_ / "alice" / "batch.log";
  EXPECT_EQ(read_log_slice(log, 0, 10).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(append_lines(log, {"one", "two", "three"}).is_ok());
  ASSERT_TRUE(append_lines(log, {"four", "five"}).is_ok());
  EXPECT_EQ(read_log_slice(log, 0, 2)->rows, (V{"one", "two"}));
  EXPECT_EQ(read_log_slice(log, 3, 10)->rows, (V{"four", "five"}));
  EXPECT_EQ(read_log_slice(log, -1, 2)->rows, (V{"four", "five"}));
  EXPECT_EQ(read_log_slice(log, -1, 100)->rows, (V{"one", "two", "three", "four", "five"}));
  EXPECT_EQ(read_log_slice(log, 9, 2)->rows, V{});
  EXPECT_EQ(read_log_slice(log, 0, 0)->rows, V{});
}

TEST_F(BatchFiles, ChunksEndAtALineAndTailsKeepTheLastLines) {
  const fs::path log = dir_ / "batch.log";
  ASSERT_TRUE(append_lines(log, {"alpha", "beta", "gamma"}).is_ok());
  LogChunk first = read_log_chunk(log, 0, 8);  // "alpha\nbe" -> "alpha\n"
  EXPECT_EQ(first.text, "alpha\n");
  LogChunk rest = read_log_chunk(log, first.next, 100);
  EXPECT_EQ(rest.text, "beta\ngamma\n");
  EXPECT_EQ(read_log_chunk(log, rest.next, 100).text, "");
  EXPECT_EQ(read_log_tail(log, 2, 1000), "beta\ngamma");
  EXPECT_EQ(read_log_tail(log, 1, 1000), "gamma");
  EXPECT_EQ(read_log_tail(log, 10, 1000), "alpha\nbeta\ngamma");
  EXPECT_EQ(read_log_tail(dir_ / "none.log", 2, 1000), "");
}

TEST_F(BatchFiles, AnExitFileHoldsOneCode) {
  std::ofstream(dir_ / "ok.exit") << "0\n";
  std::ofstream(dir_ / "failed.exit") << "143\n";
  std::ofstream(dir_ / "junk.exit") << "zero\n";
  EXPECT_EQ(read_exit_code(dir_ / "ok.exit"), 0);
  EXPECT_EQ(read_exit_code(dir_ / "failed.exit"), 143);
  EXPECT_EQ(read_exit_code(dir_ / "junk.exit"), std::nullopt);
  EXPECT_EQ(read_exit_code(dir_ / "none.exit"), std::nullopt);
}

TEST_F(BatchFiles, ASmallFileIsReadWholeAndABigOneRefused) {
  std::ofstream(dir_ / "job.sql") << "SELECT 1;";
  EXPECT_EQ(*read_small_file(dir_ / "job.sql", 100), "SELECT 1;");
  EXPECT_FALSE(read_small_file(dir_ / "job.sql", 3));
  EXPECT_FALSE(read_small_file(dir_, 0));
  EXPECT_FALSE(read_small_file(dir_ / "none.sql", 0));
}

}  // namespace
}  // namespace kitsune::batch
