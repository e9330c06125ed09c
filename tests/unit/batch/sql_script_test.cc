// Splitting a SQL batch's script: semicolons inside quotes and comments do not end a statement.
#include "sql_script.h"

#include <gtest/gtest.h>

namespace kitsune::batch {
namespace {

using V = std::vector<std::string>;

TEST(SqlScript, SplitsOnSemicolonsAndTrimsEachStatement) {
  EXPECT_EQ(split_sql_statements("SELECT 1;  SELECT 2 ;\n\nSELECT 3"),
            (V{"SELECT 1", "SELECT 2", "SELECT 3"}));
}

TEST(SqlScript, SemicolonsInsideQuotesDoNotSplit) {
  EXPECT_EQ(split_sql_statements("INSERT INTO t VALUES ('a;b', \"c;d\"); SELECT `x;y` FROM t;"),
            (V{"INSERT INTO t VALUES ('a;b', \"c;d\")", "SELECT `x;y` FROM t"}));
}

TEST(SqlScript, ABackslashEscapesAQuoteAsInHiveAndADoubledQuoteStaysInside) {
  EXPECT_EQ(split_sql_statements(R"(SELECT 'it\'s; fine'; SELECT 'it''s; fine';)"),
            (V{R"(SELECT 'it\'s; fine')", "SELECT 'it''s; fine'"}));
}

TEST(SqlScript, CommentsDoNotSplitAndLeadingOnesAreDropped) {
  EXPECT_EQ(split_sql_statements("-- first; not a statement\n"
                                 "SELECT 1 -- trailing; comment\n"
                                 ";\n"
                                 "/* block; comment */ SELECT /* inner; */ 2;"),
            (V{"SELECT 1 -- trailing; comment", "SELECT /* inner; */ 2"}));
}

TEST(SqlScript, PiecesOfOnlyBlanksAndCommentsAreDropped) {
  EXPECT_EQ(split_sql_statements(";;  \n; -- nothing\n; /* nor here */ ;"), V{});
  EXPECT_EQ(split_sql_statements(""), V{});
}

TEST(SqlScript, AnUnclosedQuoteOrCommentRunsToTheEnd) {
  EXPECT_EQ(split_sql_statements("SELECT 'open; still open"), (V{"SELECT 'open; still open"}));
  EXPECT_EQ(split_sql_statements("SELECT 1 /* open; comment"), (V{"SELECT 1 /* open; comment"}));
}

TEST(SqlScript, AMinusSignIsNotAComment) {
  EXPECT_EQ(split_sql_statements("SELECT 3 - 1; SELECT -2"), (V{"SELECT 3 - 1", "SELECT -2"}));
}

}  // namespace
}  // namespace kitsune::batch
