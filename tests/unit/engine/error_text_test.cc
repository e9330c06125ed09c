// Why an engine failed, as read from its log: the first error block, else the last lines.
#include <gtest/gtest.h>

#include <string>

#include "engine_process.h"

namespace kitsune::engine {
namespace {

TEST(ExtractErrorText, TakesTheFirstErrorBlockWithItsContinuationLines) {
  const std::string log =
      "2024-01-01 00:00:00.000 info  [engine] starting\n"
      "2024-01-01 00:00:00.001 warn  [engine] something odd\n"
      "Exception in thread \"main\" java.lang.IllegalStateException: boom\n"
      "\tat Foo.bar(Foo.java:1)\n"
      "Caused by: java.io.IOException: disk\n"
      "2024-01-01 00:00:00.002 info  [engine] after\n"
      "2024-01-01 00:00:00.003 error [engine] second\n";
  EXPECT_EQ(extract_error_text(log, 10, 8192),
            "Exception in thread \"main\" java.lang.IllegalStateException: boom\n"
            "\tat Foo.bar(Foo.java:1)\n"
            "Caused by: java.io.IOException: disk");
}

TEST(ExtractErrorText, RecognisesSpdlogsErrorLevel) {
  const std::string log =
      "2024-01-01 00:00:00.000 info  [engine] starting\n"
      "2024-01-01 00:00:00.001 error [engine] cannot start the backend: no such dir\n"
      "2024-01-01 00:00:00.002 info  [engine] stopped\n";
  EXPECT_EQ(extract_error_text(log, 10, 8192),
            "2024-01-01 00:00:00.001 error [engine] cannot start the backend: no such dir");
}

TEST(ExtractErrorText, FallsBackToTheLastLinesWithoutTrailingBlanks) {
  std::string log;
  for (int i = 1; i <= 15; ++i)
    log += "line " + std::to_string(i) + "\n";
  log += "\n\n";
  std::string expected;
  for (int i = 13; i <= 15; ++i)
    expected += (i > 13 ? "\n" : "") + std::string("line ") + std::to_string(i);
  EXPECT_EQ(extract_error_text(log, 3, 8192), expected);
}

TEST(ExtractErrorText, IsBoundedByTheMaxSize) {
  std::string log = "ERROR: " + std::string(100, 'x') + "\n";
  for (int i = 0; i < 100; ++i)
    log += "\tat frame " + std::to_string(i) + "\n";
  const std::string block = extract_error_text(log, 10, 64);
  EXPECT_EQ(block.size(), 64u);
  EXPECT_TRUE(block.starts_with("ERROR: xxx"));
  // The tail is bounded too, and keeps the end.
  const std::string tail = extract_error_text(std::string(500, 'y') + "\nlast\n", 10, 20);
  EXPECT_EQ(tail.size(), 20u);
  EXPECT_TRUE(tail.ends_with("\nlast"));
}

TEST(ExtractErrorText, CutsAtACharacterBoundary) {
  const std::string log = "error: " + std::string("\xc3\xa9\xc3\xa9\xc3\xa9") + "\n";  // "ééé"
  EXPECT_EQ(extract_error_text(log, 10, 10), "error: \xc3\xa9");
}

TEST(ExtractErrorText, IsEmptyWhenTheLogSaysNothing) {
  EXPECT_EQ(extract_error_text("", 10, 8192), "");
  EXPECT_EQ(extract_error_text("\n \n\n", 10, 8192), "");
}

}  // namespace
}  // namespace kitsune::engine
