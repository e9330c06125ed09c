// The password providers behind make_password_authenticator, one file each.
#pragma once

#include <memory>

#include "kitsune/auth/authenticator.h"
#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace kitsune::auth {

// LDAP (ldap_authenticator.cc): kyuubi.authentication.ldap.* and kitsune.authentication.ldap.*.
Result<std::shared_ptr<PasswordAuthenticator>> make_ldap_authenticator(const config::Conf& conf);

// JDBC (jdbc_authenticator.cc): kyuubi.authentication.jdbc.* on PostgreSQL or SQLite.
Result<std::shared_ptr<PasswordAuthenticator>> make_jdbc_authenticator(const config::Conf& conf);

// CUSTOM (custom_authenticator.cc): a shared object implementing custom_provider.h.
Result<std::shared_ptr<PasswordAuthenticator>> make_custom_authenticator(const config::Conf& conf);

}  // namespace kitsune::auth
