// Tests of the local backend's catalog calls across databases: tables, views, columns, primary
// keys, foreign keys with their rules, and functions.
#include "local_test_support.h"

namespace kitsune::backends::testing {
namespace {

using Names = std::vector<std::string>;

class LocalCatalogTest : public LocalBackendTest {
 protected:
  void SetUp() override {
    LocalBackendTest::SetUp();
    ASSERT_TRUE(run("CREATE TABLE customers (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                    "name VARCHAR(40) NOT NULL, balance DECIMAL(12,2) DEFAULT 0, joined DATE, "
                    "note DEFAULT 'none')")
                    .is_ok());
    ASSERT_TRUE(run("CREATE VIEW rich AS SELECT id, name, balance * 2 AS doubled FROM customers "
                    "WHERE balance > 1000")
                    .is_ok());
    ASSERT_TRUE(session_->create_database("sales", false).is_ok());
    sales_ = open_session("sales");
    ASSERT_TRUE(sales_);
    for (const char* ddl : {
             "CREATE TABLE orders (order_id INT, line INT, customer_id INTEGER, amount DOUBLE, "
             "PRIMARY KEY (order_id, line))",
             "CREATE TABLE order_notes (order_id INT, line INT, note TEXT, FOREIGN KEY (order_id, "
             "line) REFERENCES Orders ON DELETE CASCADE ON UPDATE SET NULL)",
             "CREATE TABLE refunds (id INTEGER PRIMARY KEY, order_id INT REFERENCES "
             "orders(order_id) ON DELETE RESTRICT ON UPDATE SET DEFAULT, reason TEXT)",
             "CREATE TABLE audit (at TIMESTAMP)",
         }) {
      ASSERT_TRUE(run(*sales_, ddl).is_ok()) << ddl;
    }
  }

  // "schema.table:TYPE" for every table `tables()` returns.
  Names tables(const std::string& schema_pattern, const std::string& table_pattern) {
    auto found = session_->tables(schema_pattern, table_pattern);
    EXPECT_TRUE(found.is_ok()) << found.status().to_string();
    Names out;
    if (found.is_ok()) {
      for (const auto& t : *found) {
        out.push_back(t.schema + "." + t.name + ":" + t.type);
      }
    }
    return out;
  }

  std::unique_ptr<backend::SqlSession> sales_;
};

TEST_F(LocalCatalogTest, TablesCoverEveryMatchingDatabase) {
  EXPECT_EQ(tables("", ""),
            (Names{"default.customers:TABLE", "default.rich:VIEW", "sales.audit:TABLE",
                   "sales.order_notes:TABLE", "sales.orders:TABLE", "sales.refunds:TABLE"}));
  EXPECT_EQ(tables("%", "%"), tables("", ""));
  EXPECT_EQ(tables("SAL%", ""), (Names{"sales.audit:TABLE", "sales.order_notes:TABLE",
                                       "sales.orders:TABLE", "sales.refunds:TABLE"}));
  EXPECT_EQ(tables("", "ORDER%"), (Names{"sales.order_notes:TABLE", "sales.orders:TABLE"}));
  EXPECT_EQ(tables("", "order\\_notes"), (Names{"sales.order_notes:TABLE"}));
  EXPECT_EQ(tables("", "cust_mers"), (Names{"default.customers:TABLE"}));
  EXPECT_EQ(tables("nothing", ""), Names{});
}

TEST_F(LocalCatalogTest, LeavesOutSqliteInternalTables) {
  ASSERT_TRUE(run("INSERT INTO customers (name) VALUES ('a')").is_ok());  // fills sqlite_sequence
  EXPECT_EQ(rows("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_sequence'"),
            (Rows{{"1"}}));
  for (const std::string& t : tables("", "%sqlite%")) {
    ADD_FAILURE() << t;
  }
}

TEST_F(LocalCatalogTest, SeesTablesOfItsOwnOpenTransaction) {
  ASSERT_TRUE(run("BEGIN").is_ok());
  ASSERT_TRUE(run("CREATE TABLE pending (x INT)").is_ok());
  EXPECT_EQ(tables("default", "pending"), (Names{"default.pending:TABLE"}));
  ASSERT_TRUE(run("ROLLBACK").is_ok());
  EXPECT_EQ(tables("default", "pending"), Names{});
}

TEST_F(LocalCatalogTest, ColumnsCarryHiveTypesPositionsNullabilityAndDefaults) {
  auto found = session_->columns("default", "customers", "");
  ASSERT_TRUE(found.is_ok()) << found.status().to_string();
  ASSERT_EQ(found->size(), 5u);
  const auto& c = *found;
  Names names, types;
  for (const auto& col : c) {
    names.push_back(col.name);
    types.push_back(col.type.name());
    EXPECT_EQ(col.schema, "default");
    EXPECT_EQ(col.table, "customers");
  }
  EXPECT_EQ(names, (Names{"id", "name", "balance", "joined", "note"}));
  EXPECT_EQ(types, (Names{"bigint", "varchar(40)", "decimal(12,2)", "date", "string"}));
  for (std::size_t i = 0; i < c.size(); ++i) {
    EXPECT_EQ(c[i].ordinal, static_cast<int>(i) + 1);
  }
  EXPECT_TRUE(c[0].nullable);
  EXPECT_FALSE(c[1].nullable);
  EXPECT_TRUE(c[2].nullable);
  EXPECT_EQ(c[2].default_value, "0");
  EXPECT_EQ(c[4].default_value, "'none'");
  EXPECT_EQ(c[3].default_value, std::nullopt);
  EXPECT_TRUE(c[0].auto_increment);
  for (std::size_t i = 1; i < c.size(); ++i) {
    EXPECT_FALSE(c[i].auto_increment) << c[i].name;
  }
}

TEST_F(LocalCatalogTest, OnlyAnAutoincrementKeyIsAutoIncrement) {
  auto found = session_->columns("sales", "refunds", "id");
  ASSERT_TRUE(found.is_ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_FALSE(found->front().auto_increment);  // a rowid alias, but not AUTOINCREMENT
}

TEST_F(LocalCatalogTest, ViewColumnsWithoutADeclaredTypeAreStrings) {
  auto found = session_->columns("", "rich", "");
  ASSERT_TRUE(found.is_ok()) << found.status().to_string();
  Names described;
  for (const auto& col : *found) {
    described.push_back(col.name + ":" + col.type.name());
  }
  EXPECT_EQ(described, (Names{"id:bigint", "name:varchar(40)", "doubled:string"}));
}

TEST_F(LocalCatalogTest, ColumnPatternsSpanDatabases) {
  auto found = session_->columns("", "", "%ID");
  ASSERT_TRUE(found.is_ok());
  Names described;
  for (const auto& col : *found) {
    described.push_back(col.schema + "." + col.table + "." + col.name + "@" +
                        std::to_string(col.ordinal));
  }
  EXPECT_EQ(described,
            (Names{"default.customers.id@1", "default.rich.id@1", "sales.order_notes.order_id@1",
                   "sales.orders.order_id@1", "sales.orders.customer_id@3", "sales.refunds.id@1",
                   "sales.refunds.order_id@2"}));
}

TEST_F(LocalCatalogTest, ABrokenViewDoesNotHideTheRest) {
  ASSERT_TRUE(run("CREATE TABLE temp_src (x INT)").is_ok());
  ASSERT_TRUE(run("CREATE VIEW broken AS SELECT x FROM temp_src").is_ok());
  ASSERT_TRUE(run("DROP TABLE temp_src").is_ok());
  auto found = session_->columns("default", "", "");
  ASSERT_TRUE(found.is_ok()) << found.status().to_string();
  for (const auto& col : *found) {
    EXPECT_NE(col.table, "broken");
  }
  EXPECT_EQ(found->size(), 8u);  // customers 5, rich 3
}

TEST_F(LocalCatalogTest, PrimaryKeysComeInKeyOrder) {
  auto composite = session_->primary_keys("sales", "ORDERS");
  ASSERT_TRUE(composite.is_ok());
  ASSERT_EQ(composite->size(), 2u);
  EXPECT_EQ((*composite)[0].column, "order_id");
  EXPECT_EQ((*composite)[0].key_seq, 1);
  EXPECT_EQ((*composite)[1].column, "line");
  EXPECT_EQ((*composite)[1].key_seq, 2);
  EXPECT_EQ((*composite)[0].table, "orders");
  EXPECT_EQ((*composite)[0].schema, "sales");
  EXPECT_EQ((*composite)[0].pk_name, std::nullopt);

  auto current = session_->primary_keys("", "customers");  // "" is the current database
  ASSERT_TRUE(current.is_ok());
  ASSERT_EQ(current->size(), 1u);
  EXPECT_EQ(current->front().column, "id");
  EXPECT_EQ(current->front().schema, "default");

  for (auto [schema, table] : {std::pair{"sales", "audit"}, std::pair{"sales", "nope"},
                               std::pair{"nodb", "orders"}, std::pair{"../x", "orders"}}) {
    auto none = session_->primary_keys(schema, table);
    ASSERT_TRUE(none.is_ok()) << schema << "." << table;
    EXPECT_TRUE(none->empty()) << schema << "." << table;
  }
}

// "parent(column)<-child(column)#seq u=rule d=rule" for each key column.
Names describe(const std::vector<backend::ForeignKeyInfo>& keys) {
  Names out;
  for (const auto& k : keys) {
    out.push_back(k.pk_schema + "." + k.pk_table + "(" + k.pk_column + ")<-" + k.fk_schema + "." +
                  k.fk_table + "(" + k.fk_column + ")#" + std::to_string(k.key_seq) +
                  " u=" + std::to_string(k.update_rule) + " d=" + std::to_string(k.delete_rule));
  }
  return out;
}

TEST_F(LocalCatalogTest, CrossReferenceReportsForeignKeysWithTheirRules) {
  auto exported = session_->cross_reference("sales", "orders", "sales", "");
  ASSERT_TRUE(exported.is_ok()) << exported.status().to_string();
  EXPECT_EQ(describe(*exported),
            (Names{
                // No parent columns: the parent's primary key, in order.
                "sales.orders(order_id)<-sales.order_notes(order_id)#1 u=2 d=0",
                "sales.orders(line)<-sales.order_notes(line)#2 u=2 d=0",
                "sales.orders(order_id)<-sales.refunds(order_id)#1 u=4 d=1",
            }));
}

TEST_F(LocalCatalogTest, CrossReferenceNarrowsToTheForeignTable) {
  auto imported = session_->cross_reference("", "", "sales", "refunds");
  ASSERT_TRUE(imported.is_ok());
  EXPECT_EQ(describe(*imported),
            (Names{"sales.orders(order_id)<-sales.refunds(order_id)#1 u=4 d=1"}));
  auto none = session_->cross_reference("", "customers", "sales", "refunds");
  ASSERT_TRUE(none.is_ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(LocalCatalogTest, ExportedKeysOfAnotherDatabaseAreFoundFromTheParentSchema) {
  // JDBC getExportedKeys names only the parent; the current database is default.
  auto exported = session_->cross_reference("sales", "orders", "", "");
  ASSERT_TRUE(exported.is_ok());
  EXPECT_EQ(exported->size(), 3u);
  auto elsewhere = session_->cross_reference("default", "orders", "sales", "");
  ASSERT_TRUE(elsewhere.is_ok());
  EXPECT_TRUE(elsewhere->empty());  // foreign keys never cross databases in SQLite
}

TEST_F(LocalCatalogTest, FunctionsMatchAPattern) {
  auto all = session_->functions("");
  ASSERT_TRUE(all.is_ok()) << all.status().to_string();
  ASSERT_GT(all->size(), 50u);
  for (std::size_t i = 1; i < all->size(); ++i) {
    EXPECT_LT((*all)[i - 1].name, (*all)[i].name);  // sorted and distinct
  }
  for (const auto& f : *all) {
    EXPECT_EQ(f.type, 1);
  }
  auto upper = session_->functions("UPP_R");
  ASSERT_TRUE(upper.is_ok());
  ASSERT_EQ(upper->size(), 1u);
  EXPECT_EQ(upper->front().name, "upper");
  auto json = session_->functions("json%");
  ASSERT_TRUE(json.is_ok());
  Names names;
  for (const auto& f : *json) {
    names.push_back(f.name);
  }
  EXPECT_NE(std::find(names.begin(), names.end(), "json_extract"), names.end());
  for (const auto& n : names) {
    EXPECT_EQ(n.rfind("json", 0), 0u) << n;
  }
}

TEST_F(LocalCatalogTest, CatalogCallsReachManyDatabasesWithoutAttaching) {
  for (int i = 0; i < 12; ++i) {
    const std::string db = "many" + std::to_string(i);
    ASSERT_TRUE(session_->create_database(db, false).is_ok());
    auto s = open_session(db);
    ASSERT_TRUE(run(*s, "CREATE TABLE t" + std::to_string(i) + " (x INT PRIMARY KEY)").is_ok());
  }
  EXPECT_EQ(tables("many%", "").size(), 12u);
  auto cols = session_->columns("many%", "", "");
  ASSERT_TRUE(cols.is_ok());
  EXPECT_EQ(cols->size(), 12u);
  // The session's ten attachment slots are all still free.
  std::string ten = "SELECT count(*) FROM (SELECT x FROM many0.t0";
  for (int i = 1; i < 10; ++i) {
    ten += " UNION ALL SELECT x FROM many" + std::to_string(i) + ".t" + std::to_string(i);
  }
  EXPECT_EQ(rows(ten + ")"), (Rows{{"0"}}));
}

}  // namespace
}  // namespace kitsune::backends::testing
