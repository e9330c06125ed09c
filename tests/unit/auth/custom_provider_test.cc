// The CUSTOM password provider's loader refusing what it cannot use, at startup. (Providers that
// load are tested with real shared objects in tests/integration/auth_providers.)
#include <gtest/gtest.h>

#include <string>

#include "kitsune/auth/authenticator.h"

namespace kitsune::auth {
namespace {

std::string startup_error(const std::string& library, const std::string& pool_size = "") {
  config::Conf conf;
  conf.set("kyuubi.authentication", "CUSTOM");
  if (!library.empty()) conf.set("kitsune.authentication.custom.library", library);
  if (!pool_size.empty()) conf.set("kitsune.authentication.custom.pool.size", pool_size);
  AuthSettings settings;
  settings.password_provider = "CUSTOM";
  auto made = make_password_authenticator(settings, conf);
  EXPECT_FALSE(made) << "the provider started";
  return made ? std::string() : made.status().message();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(CustomProvider, AnUnsetLibraryStopsStartupNamingTheKey) {
  const std::string error = startup_error("");
  EXPECT_TRUE(contains(error, "kitsune.authentication.custom.library")) << error;
  EXPECT_TRUE(contains(error, "custom_provider.h")) << error;
}

TEST(CustomProvider, ALibraryThatDoesNotExistStopsStartupWithTheLoadersReason) {
  const std::string error = startup_error("/nonexistent/kitsune/provider.so");
  EXPECT_TRUE(contains(error, "kitsune.authentication.custom.library")) << error;
  EXPECT_TRUE(contains(error, "/nonexistent/kitsune/provider.so")) << error;
  EXPECT_TRUE(contains(error, "No such file")) << error;
}

TEST(CustomProvider, ALibraryWithoutTheProviderSymbolsStopsStartupNamingTheFirstMissing) {
  // libm loads anywhere and exports nothing of the interface.
  const std::string error = startup_error("libm.so.6");
  EXPECT_TRUE(contains(error, "kitsune.authentication.custom.library")) << error;
  EXPECT_TRUE(contains(error, "does not export kitsune_auth_provider_api_version")) << error;
}

TEST(CustomProvider, APoolSizeBelowOneStopsStartupNamingTheKey) {
  const std::string error = startup_error("libm.so.6", "0");
  EXPECT_TRUE(contains(error, "kitsune.authentication.custom.pool.size")) << error;
}

}  // namespace
}  // namespace kitsune::auth
