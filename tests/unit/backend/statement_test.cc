// Tests of the engine's statement recognition (SET, USE, SHOW, DESCRIBE, CREATE/DROP DATABASE),
// Hive's ${var} substitution, and SHOW ... LIKE patterns.
#include "statement.h"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace kitsune::backend {
namespace {

using Kind = Statement::Kind;

Statement parsed(std::string_view sql) {
  auto r = parse_statement(sql);
  EXPECT_TRUE(r.is_ok()) << sql << ": " << (r ? "" : r.status().to_string());
  return r ? *r : Statement{};
}

Status refused(std::string_view sql) {
  auto r = parse_statement(sql);
  EXPECT_FALSE(r.is_ok()) << sql << " was accepted as kind "
                          << (r ? static_cast<int>(r->kind) : -1);
  return r ? Status::ok() : r.status();
}

TEST(ParseStatement, SetAloneAndSetDashVListEverything) {
  EXPECT_EQ(parsed("SET").kind, Kind::kSetAll);
  EXPECT_EQ(parsed("set;").kind, Kind::kSetAll);
  EXPECT_EQ(parsed("SET -v").kind, Kind::kSetAll);
  EXPECT_EQ(parsed("  set   -v ; ").kind, Kind::kSetAll);
}

TEST(ParseStatement, SetWithAKeyShowsIt) {
  const Statement st = parsed("SET kyuubi.operation.language");
  EXPECT_EQ(st.kind, Kind::kSetShow);
  EXPECT_EQ(st.key, "kyuubi.operation.language");
  EXPECT_EQ(parsed("set hivevar:x;").key, "hivevar:x");
}

TEST(ParseStatement, SetKeyValueKeepsSpacesInsideTheValue) {
  const Statement st = parsed("SET spark.app.name = my app  name ;");
  EXPECT_EQ(st.kind, Kind::kSetAssign);
  EXPECT_EQ(st.key, "spark.app.name");
  EXPECT_EQ(st.value, "my app  name");
  const Statement eq = parsed("SET a=b=c");
  EXPECT_EQ(eq.key, "a");
  EXPECT_EQ(eq.value, "b=c");
  const Statement empty = parsed("SET a=");
  EXPECT_EQ(empty.kind, Kind::kSetAssign);
  EXPECT_EQ(empty.value, "");
}

TEST(ParseStatement, SetHivevarAssignsAVariable) {
  const Statement st = parsed("SET hivevar:x=1");
  EXPECT_EQ(st.kind, Kind::kSetAssign);
  EXPECT_EQ(st.key, "hivevar:x");
  EXPECT_EQ(st.value, "1");
  EXPECT_EQ(parsed("set hiveconf:a.b = 2").key, "hiveconf:a.b");
}

TEST(ParseStatement, SetRefusesAKeyWithSpacesOrNoKey) {
  EXPECT_EQ(refused("SET a b=c").sql_state(), "42000");
  EXPECT_EQ(refused("SET a b").sql_state(), "42000");
  EXPECT_EQ(refused("SET =v").sql_state(), "42000");
}

TEST(ParseStatement, UseTakesABareOrQuotedDatabase) {
  const Statement st = parsed("USE sales");
  EXPECT_EQ(st.kind, Kind::kUse);
  EXPECT_EQ(st.database, "sales");
  EXPECT_EQ(parsed("use `my db`;").database, "my db");
  EXPECT_EQ(parsed("USE `we``ird`").database, "we`ird");
}

TEST(ParseStatement, UseRefusesNoDatabaseOrMore) {
  EXPECT_EQ(refused("USE").sql_state(), "42000");
  EXPECT_EQ(refused("USE a b").sql_state(), "42000");
  EXPECT_EQ(refused("USE a.b").sql_state(), "42000");
}

TEST(ParseStatement, ShowDatabasesAndSchemasWithAnOptionalPattern) {
  for (const char* sql : {"SHOW DATABASES", "show schemas", "SHOW DATABASES;"}) {
    const Statement st = parsed(sql);
    EXPECT_EQ(st.kind, Kind::kShowDatabases) << sql;
    EXPECT_EQ(st.pattern, "") << sql;
  }
  EXPECT_EQ(parsed("SHOW DATABASES LIKE 'sa*'").pattern, "sa*");
  EXPECT_EQ(parsed("SHOW SCHEMAS 'a|b'").pattern, "a|b");
  EXPECT_EQ(refused("SHOW DATABASES LIKE x").sql_state(), "42000");
  EXPECT_EQ(refused("SHOW DATABASES 'a' 'b'").sql_state(), "42000");
}

TEST(ParseStatement, ShowTablesInOrFromADatabaseWithAnOptionalPattern) {
  const Statement plain = parsed("SHOW TABLES");
  EXPECT_EQ(plain.kind, Kind::kShowTables);
  EXPECT_EQ(plain.database, "");
  EXPECT_EQ(plain.pattern, "");

  const Statement in = parsed("SHOW TABLES IN sales");
  EXPECT_EQ(in.database, "sales");
  EXPECT_EQ(parsed("show tables from `sales`").database, "sales");

  const Statement like = parsed("SHOW TABLES IN sales LIKE 'ord*'");
  EXPECT_EQ(like.database, "sales");
  EXPECT_EQ(like.pattern, "ord*");
  const Statement bare = parsed("SHOW TABLES FROM sales 'ord*|cust*'");
  EXPECT_EQ(bare.pattern, "ord*|cust*");
  EXPECT_EQ(parsed("SHOW TABLES LIKE 'x'").pattern, "x");
  EXPECT_EQ(parsed("SHOW TABLES 'x'").pattern, "x");

  EXPECT_EQ(refused("SHOW TABLES IN").sql_state(), "42000");
}

TEST(ParseStatement, ShowTablesAcceptsADoubleQuotedPatternAsHiveDoes) {
  // In HiveQL "..." is a string literal, so beeline users write SHOW TABLES LIKE "ord*".
  auto r = parse_statement("SHOW TABLES LIKE \"ord*\"");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->pattern, "ord*");
}

TEST(ParseStatement, DescribeATableOrADatabaseQualifiedTable) {
  const Statement t = parsed("DESCRIBE orders");
  EXPECT_EQ(t.kind, Kind::kDescribe);
  EXPECT_EQ(t.database, "");
  EXPECT_EQ(t.table, "orders");
  const Statement q = parsed("desc sales.orders;");
  EXPECT_EQ(q.database, "sales");
  EXPECT_EQ(q.table, "orders");
  const Statement e = parsed("DESCRIBE EXTENDED sales.orders");
  EXPECT_EQ(e.kind, Kind::kDescribe);
  EXPECT_EQ(e.table, "orders");
  const Statement f = parsed("DESC FORMATTED `sales`.`my orders`");
  EXPECT_EQ(f.database, "sales");
  EXPECT_EQ(f.table, "my orders");
}

TEST(ParseStatement, DescribeDatabaseFunctionOrColumnIsUnsupported) {
  for (const char* sql : {"DESCRIBE DATABASE sales", "DESC SCHEMA sales", "DESCRIBE FUNCTION upper",
                          "DESCRIBE orders id", "DESCRIBE sales.orders.id"}) {
    Status s = refused(sql);
    EXPECT_EQ(s.code(), StatusCode::kUnsupported) << sql;
    EXPECT_EQ(s.sql_state(), "0A000") << sql;
  }
  EXPECT_EQ(refused("DESCRIBE").sql_state(), "42000");
  EXPECT_EQ(refused("DESCRIBE sales.").sql_state(), "42000");
}

TEST(ParseStatement, CreateDatabaseOrSchemaWithIfNotExistsAndComment) {
  const Statement a = parsed("CREATE DATABASE sales");
  EXPECT_EQ(a.kind, Kind::kCreateDatabase);
  EXPECT_EQ(a.database, "sales");
  EXPECT_FALSE(a.if_not_exists);
  const Statement b = parsed("create schema if not exists `sales` comment 'the sales team''s';");
  EXPECT_EQ(b.kind, Kind::kCreateDatabase);
  EXPECT_EQ(b.database, "sales");
  EXPECT_TRUE(b.if_not_exists);
  EXPECT_FALSE(b.has_result_set());
}

TEST(ParseStatement, CreateDatabaseWithALocationIsRefused) {
  for (const char* sql : {"CREATE DATABASE sales LOCATION '/data/sales'",
                          "CREATE DATABASE sales COMMENT 'c' LOCATION '/x'",
                          "CREATE SCHEMA s MANAGEDLOCATION '/y'"}) {
    Status s = refused(sql);
    EXPECT_EQ(s.code(), StatusCode::kUnsupported) << sql;
    EXPECT_NE(s.message().find("LOCATION"), std::string::npos) << s.message();
  }
  EXPECT_EQ(refused("CREATE DATABASE").sql_state(), "42000");
  EXPECT_EQ(refused("CREATE DATABASE s WITH DBPROPERTIES ('a'='b')").sql_state(), "42000");
}

TEST(ParseStatement, DropDatabaseWithIfExistsAndCascadeOrRestrict) {
  const Statement a = parsed("DROP DATABASE sales");
  EXPECT_EQ(a.kind, Kind::kDropDatabase);
  EXPECT_EQ(a.database, "sales");
  EXPECT_FALSE(a.if_exists);
  EXPECT_FALSE(a.cascade);
  const Statement b = parsed("drop schema if exists sales cascade;");
  EXPECT_TRUE(b.if_exists);
  EXPECT_TRUE(b.cascade);
  const Statement c = parsed("DROP DATABASE sales RESTRICT");
  EXPECT_FALSE(c.cascade);
  EXPECT_EQ(refused("DROP DATABASE sales PURGE").sql_state(), "42000");
  EXPECT_EQ(refused("DROP DATABASE").sql_state(), "42000");
}

TEST(ParseStatement, SkipsLeadingCommentsAndTrailingSemicolons) {
  const Statement a = parsed("-- pick the database\nUSE sales;;");
  EXPECT_EQ(a.kind, Kind::kUse);
  EXPECT_EQ(a.database, "sales");
  const Statement b = parsed("/* a tool's banner */  SHOW TABLES ; ");
  EXPECT_EQ(b.kind, Kind::kShowTables);
  const Statement c = parsed("/* one */ -- two\n /* three */ SET x=1");
  EXPECT_EQ(c.kind, Kind::kSetAssign);
  EXPECT_EQ(c.value, "1");
}

TEST(ParseStatement, PassesOrdinarySqlThroughTrimmed) {
  const Statement a = parsed("  SELECT 1 ;  ");
  EXPECT_EQ(a.kind, Kind::kSql);
  EXPECT_EQ(a.text, "SELECT 1");
  const Statement b = parsed("-- header\nSELECT * FROM t WHERE s = 'a;b'");
  EXPECT_EQ(b.kind, Kind::kSql);
  EXPECT_EQ(b.text, "SELECT * FROM t WHERE s = 'a;b'");
  for (const char* sql : {"SHOW CREATE TABLE t", "CREATE TABLE t (a INT)", "DROP TABLE t",
                          "SETTINGS", "USER", "showtables", "INSERT INTO t VALUES (1)"}) {
    EXPECT_EQ(parsed(sql).kind, Kind::kSql) << sql;
  }
  EXPECT_FALSE(parsed("SELECT 1").has_result_set());
}

TEST(ParseStatement, RefusesAnEmptyStatement) {
  for (const char* sql : {"", "   ", ";", " ; ;", "-- only a comment", "/* nothing */"}) {
    EXPECT_EQ(refused(sql).sql_state(), "42000") << "'" << sql << "'";
  }
}

TEST(Statement, KnowsWhichKindsReturnRows) {
  EXPECT_TRUE(parsed("SET").has_result_set());
  EXPECT_TRUE(parsed("SET k").has_result_set());
  EXPECT_FALSE(parsed("SET k=v").has_result_set());
  EXPECT_FALSE(parsed("USE db").has_result_set());
  EXPECT_TRUE(parsed("SHOW DATABASES").has_result_set());
  EXPECT_TRUE(parsed("SHOW TABLES").has_result_set());
  EXPECT_TRUE(parsed("DESCRIBE t").has_result_set());
  EXPECT_FALSE(parsed("CREATE DATABASE d").has_result_set());
  EXPECT_FALSE(parsed("DROP DATABASE d").has_result_set());
}

class Substitution : public ::testing::Test {
 protected:
  std::string run(std::string_view sql) {
    return substitute_variables(
        sql, [this](std::string_view ns, std::string_view name) -> std::optional<std::string> {
          asked.emplace_back(std::string(ns) + "|" + std::string(name));
          if (ns == "hivevar" || ns.empty()) {
            auto it = vars.find(std::string(name));
            if (it != vars.end()) return it->second;
          }
          if (ns == "hiveconf" || ns.empty()) {
            auto it = conf.find(std::string(name));
            if (it != conf.end()) return it->second;
          }
          return std::nullopt;
        });
  }
  std::map<std::string, std::string> vars{{"x", "42"}, {"table", "orders"}};
  std::map<std::string, std::string> conf{{"kyuubi.limit", "10"}};
  std::vector<std::string> asked;
};

TEST_F(Substitution, ReplacesHivevarHiveconfAndBareReferences) {
  EXPECT_EQ(run("SELECT ${hivevar:x}"), "SELECT 42");
  EXPECT_EQ(run("SELECT * FROM ${table} LIMIT ${hiveconf:kyuubi.limit}"),
            "SELECT * FROM orders LIMIT 10");
  EXPECT_EQ(run("${x}${x}"), "4242");
}

TEST_F(Substitution, LeavesUnknownReferencesAsWritten) {
  EXPECT_EQ(run("SELECT '${nope}', ${hivevar:nope}"), "SELECT '${nope}', ${hivevar:nope}");
  EXPECT_EQ(run("SELECT ${x"), "SELECT ${x");
  EXPECT_EQ(run("SELECT $x, {x}"), "SELECT $x, {x}");
}

TEST_F(Substitution, NeverAsksAboutOtherNamespaces) {
  EXPECT_EQ(run("SELECT '${env:HOME}', '${system:user.name}'"),
            "SELECT '${env:HOME}', '${system:user.name}'");
  for (const auto& a : asked) {
    EXPECT_TRUE(a.starts_with("hivevar|") || a.starts_with("hiveconf|") || a.starts_with("|")) << a;
  }
  EXPECT_TRUE(asked.empty());
}

TEST_F(Substitution, PassesTheNamespaceAndNameToTheLookup) {
  run("${hivevar:a} ${hiveconf:b.c} ${d}");
  EXPECT_EQ(asked, (std::vector<std::string>{"hivevar|a", "hiveconf|b.c", "|d"}));
}

TEST(ShowPatternMatches, StarMatchesAnyRun) {
  EXPECT_TRUE(show_pattern_matches("*", "orders"));
  EXPECT_TRUE(show_pattern_matches("ord*", "orders"));
  EXPECT_TRUE(show_pattern_matches("*ers", "orders"));
  EXPECT_TRUE(show_pattern_matches("orders", "orders"));
  EXPECT_FALSE(show_pattern_matches("ord*", "customers"));
}

TEST(ShowPatternMatches, PipeSeparatesAlternatives) {
  EXPECT_TRUE(show_pattern_matches("cust*|ord*", "orders"));
  EXPECT_TRUE(show_pattern_matches("cust*|ord*", "customers"));
  EXPECT_TRUE(show_pattern_matches("a | orders", "orders"));
  EXPECT_FALSE(show_pattern_matches("cust*|ord*", "items"));
}

TEST(ShowPatternMatches, IgnoresCase) {
  EXPECT_TRUE(show_pattern_matches("ORD*", "orders"));
  EXPECT_TRUE(show_pattern_matches("orders", "ORDERS"));
}

TEST(ShowPatternMatches, TreatsPercentAndUnderscoreLiterally) {
  EXPECT_TRUE(show_pattern_matches("my_table", "my_table"));
  EXPECT_FALSE(show_pattern_matches("my_table", "myXtable"));
  EXPECT_FALSE(show_pattern_matches("ord%", "orders"));
  EXPECT_TRUE(show_pattern_matches("100%", "100%"));
}

}  // namespace
}  // namespace kitsune::backend
