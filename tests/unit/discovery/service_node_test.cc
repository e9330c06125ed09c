// Tests of service node names and data: built as Kyuubi builds them, parsed in any order, with
// the data forms servers and engines publish.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kitsune/discovery/discovery.h"

namespace kitsune::discovery {
namespace {

constexpr const char* kAppMgrInfo =
    "eyJyZXNvdXJjZU1hbmFnZXIiOm51bGwsImt1YmVybmV0ZXNJbmZvIjp7ImNvbnRleHQiOm51bGwsIm5hbWVzcGFjZSI6bn"
    "VsbH19";

ServiceNode engine_node() {
  ServiceNode node;
  node.host = "10.0.0.7";
  node.port = 41234;
  node.version = "1.13.0-SNAPSHOT";
  node.ref_id = "6f1b7c3e-0d6a-4b1e-9f2a-3c4d5e6f7a8b";
  node.attributes["kyuubi.engine.appMgrInfo"] = kAppMgrInfo;
  node.attributes["kyuubi.engine.id"] = "local-1700000000000";
  return node;
}

TEST(ServiceNode, AServerNameHasNoAttributesAndNoRefId) {
  ServiceNode node;
  node.host = "kyuubi-1.example.com";
  node.port = 10009;
  node.version = "1.13.0-SNAPSHOT";
  EXPECT_EQ(node_name_prefix(node),
            "serverUri=kyuubi-1.example.com:10009;version=1.13.0-SNAPSHOT;sequence=");
  EXPECT_EQ(node.address(), "kyuubi-1.example.com:10009");
}

TEST(ServiceNode, AnEngineNameCarriesItsAttributesThenItsRefId) {
  EXPECT_EQ(node_name_prefix(engine_node()),
            std::string("serverUri=10.0.0.7:41234;version=1.13.0-SNAPSHOT;") +
                "kyuubi.engine.appMgrInfo=" + kAppMgrInfo +
                ";kyuubi.engine.id=local-1700000000000;"
                "refId=6f1b7c3e-0d6a-4b1e-9f2a-3c4d5e6f7a8b;sequence=");
}

TEST(ServiceNode, ANameRoundTripsThroughParse) {
  const ServiceNode node = engine_node();
  const std::string name = node_name_prefix(node) + "0000000007";
  auto parsed = parse_node(name, node.address());
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed->name, name);
  EXPECT_EQ(parsed->host, node.host);
  EXPECT_EQ(parsed->port, node.port);
  EXPECT_EQ(parsed->version, node.version);
  EXPECT_EQ(parsed->ref_id, node.ref_id);
  EXPECT_EQ(parsed->attributes, node.attributes);
  EXPECT_EQ(parsed->engine_id(), "local-1700000000000");
  EXPECT_EQ(node_name_prefix(*parsed) + "0000000007", name);
}

TEST(ServiceNode, AttributesParseInAnyOrderAndValuesKeepTheirEqualsSigns) {
  const std::string name =
      "refId=abc;kyuubi.engine.url=host:4040;sequence=0000000001;version=1.12.0;"
      "spark.driver.memory=;serverUri=h:1;kyuubi.engine.appMgrInfo=e30=";
  auto parsed = parse_node(name, "h:1");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed->ref_id, "abc");
  EXPECT_EQ(parsed->version, "1.12.0");
  const std::map<std::string, std::string> expected = {{"kyuubi.engine.url", "host:4040"},
                                                       {"spark.driver.memory", ""},
                                                       {"kyuubi.engine.appMgrInfo", "e30="}};
  EXPECT_EQ(parsed->attributes, expected);
  EXPECT_EQ(parsed->engine_id(), "");
}

TEST(ServiceNode, AddressComesFromTheDataInEitherFormOrElseFromTheName) {
  const std::string name = "serverUri=named-host:10009;version=1.12.0;sequence=0000000000";
  struct Case {
    std::string data;
    std::string host;
    int port;
  };
  const std::vector<Case> cases = {
      {"data-host:10010", "data-host", 10010},
      {"hive.server2.thrift.bind.host=conf-host;hive.server2.transport.mode=binary;"
       "hive.server2.thrift.port=10011;hive.server2.authentication=NONE",
       "conf-host", 10011},
      {"hive.server2.thrift.port=10012;hive.server2.thrift.sasl.qop=auth;"
       "hive.server2.thrift.bind.host=other-host",
       "other-host", 10012},
      {"", "named-host", 10009},
      {"  ", "named-host", 10009},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.data);
    auto parsed = parse_node(name, c.data);
    ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
    EXPECT_EQ(parsed->host, c.host);
    EXPECT_EQ(parsed->port, c.port);
    EXPECT_EQ(parsed->version, "1.12.0");
    EXPECT_TRUE(parsed->ref_id.empty());
    EXPECT_TRUE(parsed->attributes.empty());
  }
}

TEST(ServiceNode, AnAddressThatCannotBeReadIsAnError) {
  const std::string name = "serverUri=h:1;version=1.12.0;sequence=0000000000";
  for (const std::string data :
       {"no-port", "h:", ":10009", "h:port", "h:70000", "h:-1", "hive.server2.thrift.port=10009",
        "hive.server2.thrift.bind.host=h;hive.server2.thrift.port=x"}) {
    SCOPED_TRACE(data);
    auto parsed = parse_node(name, data);
    ASSERT_FALSE(parsed.is_ok());
    EXPECT_EQ(parsed.status().code(), StatusCode::kError);
  }
  EXPECT_FALSE(parse_node("version=1.12.0;sequence=0000000000", "").is_ok());
}

TEST(NamespaceSpace, IsTheNamespaceUnderTheRootWhateverSlashesItWasWrittenWith) {
  EXPECT_EQ(namespace_space("kyuubi"), "/kyuubi");
  EXPECT_EQ(namespace_space("/kyuubi/"), "/kyuubi");
  EXPECT_EQ(namespace_space("/kyuubi_1.12.0_USER_LOCAL/alice/default"),
            "/kyuubi_1.12.0_USER_LOCAL/alice/default");
}

}  // namespace
}  // namespace kitsune::discovery
