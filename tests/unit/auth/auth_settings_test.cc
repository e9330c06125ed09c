// kyuubi.authentication as a list: which mechanisms a frontend offers.
#include <gtest/gtest.h>

#include "kitsune/auth/authenticator.h"

namespace kitsune::auth {
namespace {

config::Conf with_auth(const std::string& value) {
  config::Conf conf;
  conf.set("kyuubi.authentication", value);
  return conf;
}

TEST(AuthSettings, DefaultIsNoneOverSasl) {
  auto s = read_auth_settings(config::Conf());
  ASSERT_TRUE(s) << s.status().message();
  EXPECT_FALSE(s->nosasl);
  EXPECT_FALSE(s->kerberos);
  EXPECT_EQ(s->password_provider, "NONE");
}

TEST(AuthSettings, KerberosWithAPasswordProviderOffersBoth) {
  auto s = read_auth_settings(with_auth("kerberos, LDAP"));
  ASSERT_TRUE(s) << s.status().message();
  EXPECT_TRUE(s->kerberos);
  EXPECT_EQ(s->password_provider, "LDAP");
}

TEST(AuthSettings, KerberosAloneOffersNoPasswordMechanism) {
  auto s = read_auth_settings(with_auth("KERBEROS"));
  ASSERT_TRUE(s) << s.status().message();
  EXPECT_TRUE(s->kerberos);
  EXPECT_EQ(s->password_provider, "");
  auto password = make_frontend_authenticator(with_auth("KERBEROS"), "test");
  ASSERT_TRUE(password) << password.status().message();
  EXPECT_EQ(*password, nullptr);
}

TEST(AuthSettings, TheFirstPasswordProviderListedWins) {
  auto s = read_auth_settings(with_auth("JDBC,LDAP"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->password_provider, "JDBC");
}

TEST(AuthSettings, NosaslCannotBeCombined) {
  auto s = read_auth_settings(with_auth("NOSASL,LDAP"));
  ASSERT_FALSE(s);
  EXPECT_NE(s.status().message().find("NOSASL cannot be combined"), std::string::npos);
}

TEST(AuthSettings, UnknownMethodsAreRefusedByTheKeyTable) {
  // The server validates its configuration at startup, before anything reads the list.
  Status valid = with_auth("NONE,PAM").validate();
  ASSERT_FALSE(valid.is_ok());
  EXPECT_NE(valid.message().find("PAM"), std::string::npos) << valid.message();
}

}  // namespace
}  // namespace kitsune::auth
