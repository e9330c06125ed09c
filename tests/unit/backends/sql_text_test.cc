// Tests of the local backend's SQL tokenizer: qualifiers, the `default.` rewrite, blank tails and
// statement keywords.
#include "local/sql_text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kitsune::backends::local {
namespace {

// Every qualifier of `sql` as "name>member" ("name\">member" when quoted).
std::vector<std::string> qualifiers(std::string_view sql) {
  std::vector<std::string> out;
  const std::string unchanged = map_qualifiers(sql, [&](const Qualifier& q) {
    out.push_back(q.name + (q.quoted ? "\"" : "") + ">" + q.member);
    return std::nullopt;
  });
  EXPECT_EQ(unchanged, sql);
  return out;
}

using Names = std::vector<std::string>;

TEST(SqlText, FindsBareAndQuotedQualifiers) {
  EXPECT_EQ(qualifiers("SELECT * FROM other.t"), Names{"other>t"});
  EXPECT_EQ(qualifiers("select * from \"Other\".\"T\""), Names{"Other\">T"});
  EXPECT_EQ(qualifiers("select * from `db`.`t` join [x].y"), (Names{"db\">t", "x\">y"}));
  EXPECT_EQ(qualifiers("select * from \"a\"\"b\".t"), Names{"a\"b\">t"});
  EXPECT_EQ(qualifiers("select a.x, b.* from a"), (Names{"a>x", "b>"}));
}

TEST(SqlText, AllowsSpaceAndCommentsAroundTheDot) {
  EXPECT_EQ(qualifiers("select * from other . t"), Names{"other>t"});
  EXPECT_EQ(qualifiers("select * from other/* c */.\n-- c\nt"), Names{"other>t"});
}

TEST(SqlText, OnlyTheFirstPartOfAThreePartNameQualifies) {
  EXPECT_EQ(qualifiers("select db.t.c from db.t"), (Names{"db>t", "db>t"}));
}

TEST(SqlText, NeverLooksIntoLiteralsOrComments) {
  EXPECT_EQ(qualifiers("select 'a.b', x'00', 1.5, .5 -- c.d\n /* e.f */"), Names{});
  EXPECT_EQ(qualifiers("select 'it''s a.b' from t"), Names{});
  EXPECT_EQ(qualifiers("select \"a.b\" from t"), Names{});
  EXPECT_EQ(qualifiers("select * from t where x = :p.q"), Names{});
}

TEST(SqlText, MapperReplacesOnlyTheQualifierText) {
  const std::string out = map_qualifiers("SELECT o.a, 'o.b' FROM \"o\".t, p.u -- o.c",
                                         [](const Qualifier& q) -> std::optional<std::string> {
                                           if (q.name == "o") return "main";
                                           return std::nullopt;
                                         });
  EXPECT_EQ(out, "SELECT main.a, 'o.b' FROM main.t, p.u -- o.c");
}

TEST(SqlText, DefaultQualifierMeansMainWhenDefaultIsCurrent) {
  EXPECT_EQ(rewrite_default_qualifier("SELECT * FROM default.t", "default"),
            "SELECT * FROM main.t");
  EXPECT_EQ(rewrite_default_qualifier("select * from DEFAULT . t", "default"),
            "select * from main . t");
}

TEST(SqlText, DefaultQualifierMeansItsAttachmentOtherwise) {
  EXPECT_EQ(rewrite_default_qualifier("SELECT * FROM default.t JOIN x.u", "sales"),
            "SELECT * FROM \"default\".t JOIN x.u");
}

TEST(SqlText, DefaultRewriteLeavesEverythingElseAlone) {
  const std::string sql =
      "CREATE TABLE t (a INT DEFAULT 0, b REAL DEFAULT .5, c DEFAULT 'default.x') -- default.y";
  EXPECT_EQ(rewrite_default_qualifier(sql, "default"), sql);
  EXPECT_EQ(rewrite_default_qualifier("INSERT INTO t DEFAULT VALUES", "sales"),
            "INSERT INTO t DEFAULT VALUES");
  EXPECT_EQ(rewrite_default_qualifier("select \"default\".t.x from \"default\".t", "default"),
            "select \"default\".t.x from \"default\".t");
  EXPECT_EQ(rewrite_default_qualifier("select main.default.x", "default"), "select main.default.x");
}

TEST(SqlText, BlankIsWhitespaceSemicolonsAndComments) {
  EXPECT_TRUE(is_blank(""));
  EXPECT_TRUE(is_blank("  ;; -- done\n /* really */ ;"));
  EXPECT_TRUE(is_blank("/* unterminated"));
  EXPECT_FALSE(is_blank("; SELECT 2"));
  EXPECT_FALSE(is_blank("x"));
}

TEST(SqlText, StatementKeywordSkipsCommentsAndCommonTableExpressions) {
  EXPECT_EQ(statement_keyword("select 1"), "SELECT");
  EXPECT_EQ(statement_keyword("  /* c */ -- d\n insert into t values (1)"), "INSERT");
  EXPECT_EQ(statement_keyword("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x"), "INSERT");
  EXPECT_EQ(statement_keyword("with recursive c(n) as (values(1) union all select n+1 from c "
                              "where n < 5), d as materialized (select 2) delete from t"),
            "DELETE");
  EXPECT_EQ(statement_keyword("WITH x(a) AS (SELECT 1) SELECT a FROM x"), "SELECT");
  EXPECT_EQ(statement_keyword("replace into t values (1)"), "REPLACE");
  EXPECT_EQ(statement_keyword("Update t set a = 1"), "UPDATE");
  EXPECT_EQ(statement_keyword(""), "");
  EXPECT_EQ(statement_keyword("(select 1)"), "");
}

TEST(SqlText, ContainsKeywordIgnoresLiteralsAndQuotedNames) {
  EXPECT_TRUE(
      contains_keyword("CREATE TABLE t(id INTEGER PRIMARY KEY autoincrement)", "AUTOINCREMENT"));
  EXPECT_FALSE(contains_keyword("CREATE TABLE t(x TEXT DEFAULT 'autoincrement')", "AUTOINCREMENT"));
  EXPECT_FALSE(contains_keyword("CREATE TABLE t(\"autoincrement\" INT)", "AUTOINCREMENT"));
  EXPECT_FALSE(contains_keyword("CREATE TABLE t(x INT) -- AUTOINCREMENT", "AUTOINCREMENT"));
}

TEST(LocalSqlText, HiveStringTypeBecomesTextWhereItIsAType) {
  EXPECT_EQ(rewrite_hive_types("CREATE TABLE t (a STRING, b string NOT NULL, c INT)"),
            "CREATE TABLE t (a TEXT, b TEXT NOT NULL, c INT)");
  EXPECT_EQ(rewrite_hive_types("CREATE TABLE t (`string` STRING)"),
            "CREATE TABLE t (`string` TEXT)");
  EXPECT_EQ(rewrite_hive_types("ALTER TABLE t ADD COLUMN note STRING"),
            "ALTER TABLE t ADD COLUMN note TEXT");
  EXPECT_EQ(rewrite_hive_types("SELECT CAST(x AS STRING) FROM t"), "SELECT CAST(x AS TEXT) FROM t");
}

TEST(LocalSqlText, AColumnNamedStringIsLeftAlone) {
  for (const char* sql : {"SELECT string FROM t", "SELECT a, string FROM t ORDER BY string",
                          "CREATE TABLE u AS SELECT x FROM t ORDER BY string",
                          "INSERT INTO t (string) VALUES ('STRING')", "SELECT 'AS STRING)'"}) {
    EXPECT_EQ(rewrite_hive_types(sql), sql);
  }
}

}  // namespace
}  // namespace kitsune::backends::local
