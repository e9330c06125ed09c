// The Bearer token provider's loader and calls, with real shared objects built from
// odd_token_provider.c: what stops startup, the entries a provider gets, the user names and
// messages it returns, return codes, and calls on the pool. (The documented example provider is
// tested in tests/integration/auth_providers.)
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "kitsune/auth/authenticator.h"
#include "kitsune/auth/token_authenticator.h"

namespace kitsune::auth {
namespace {

using namespace std::chrono_literals;

config::Conf bearer_conf(const std::string& library, const std::string& mode) {
  config::Conf conf;
  conf.set("kyuubi.authentication", "CUSTOM");
  conf.set("kitsune.authentication.custom.bearer.library", library);
  conf.set("kyuubi.authentication.custom.bearer.class", mode);
  return conf;
}

std::string startup_error(const config::Conf& conf) {
  auto made = make_token_authenticator(conf);
  EXPECT_FALSE(made) << "the provider started";
  return made ? std::string() : made.status().message();
}

std::shared_ptr<TokenAuthenticator> started(const config::Conf& conf) {
  auto made = make_token_authenticator(conf);
  EXPECT_TRUE(made) << made.status().message();
  if (!made) return nullptr;
  EXPECT_TRUE(*made) << "no authenticator";
  return *made;
}

Result<std::string> present(TokenAuthenticator& provider, const std::string& token) {
  asio::io_context io;
  Result<std::string> out = Status::internal("the call did not finish");
  auto attempt = [&]() -> awaitable<void> {
    ClientInfo client;
    client.address = "192.0.2.9";
    out = co_await provider.authenticate(token, client);
  };
  asio::co_spawn(io, std::move(attempt), asio::detached);
  io.run();
  return out;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// ---- startup ----------------------------------------------------------------------------------

TEST(TokenProvider, AnUnsetLibraryMeansBearerIsNotOffered) {
  config::Conf conf;
  conf.set("kyuubi.authentication", "CUSTOM");
  conf.set("kyuubi.authentication.custom.bearer.class", "org.example.Tokens");
  auto made = make_token_authenticator(conf);
  ASSERT_TRUE(made) << made.status().message();
  EXPECT_EQ(*made, nullptr);
}

TEST(TokenProvider, ALibraryWhenCustomIsNotTheFirstPasswordMethodStopsStartupNamingBothKeys) {
  for (const auto& [methods, first] : {std::pair{"LDAP,CUSTOM", "LDAP"}, std::pair{"", "NONE"},
                                       std::pair{"KERBEROS", "no password method"}}) {
    config::Conf conf = bearer_conf(ODD_TOKEN_PROVIDER, "count");
    if (*methods != '\0') conf.set("kyuubi.authentication", methods);
    if (*methods == '\0') conf.unset("kyuubi.authentication");
    const std::string error = startup_error(conf);
    EXPECT_TRUE(contains(error, "kitsune.authentication.custom.bearer.library is set")) << error;
    EXPECT_TRUE(contains(error, "CUSTOM is the first password method in kyuubi.authentication"))
        << error;
    EXPECT_TRUE(contains(error, std::string("(here: ") + first + ")")) << error;
  }
}

TEST(TokenProvider, ALibraryThatDoesNotExistStopsStartupWithTheLoadersReason) {
  const std::string error = startup_error(bearer_conf("/nonexistent/kitsune/tokens.so", "count"));
  EXPECT_TRUE(contains(error,
                       "kitsune.authentication.custom.bearer.library: cannot load "
                       "/nonexistent/kitsune/tokens.so: "))
      << error;
  EXPECT_TRUE(contains(error, "No such file")) << error;
}

TEST(TokenProvider, ALibraryWithoutTheProviderFunctionsStopsStartupNamingTheFirstMissing) {
  // libm loads anywhere and exports nothing of the interface.
  const std::string error = startup_error(bearer_conf("libm.so.6", "count"));
  EXPECT_EQ(error,
            "kitsune.authentication.custom.bearer.library: libm.so.6 does not export "
            "kitsune_token_provider_api_version (see include/kitsune/auth/token_provider.h)");
}

TEST(TokenProvider, AMissingAuthenticateFunctionStopsStartupNamingIt) {
  const std::string error = startup_error(bearer_conf(MISSING_SYMBOL_TOKEN_PROVIDER, "count"));
  EXPECT_TRUE(contains(error, std::string(MISSING_SYMBOL_TOKEN_PROVIDER) +
                                  " does not export kitsune_token_provider_authenticate"))
      << error;
}

TEST(TokenProvider, AProviderForAnotherInterfaceVersionStopsStartupNamingBoth) {
  const std::string error = startup_error(bearer_conf(FUTURE_TOKEN_PROVIDER, "count"));
  EXPECT_TRUE(contains(error, "kitsune.authentication.custom.bearer.library: ")) << error;
  EXPECT_TRUE(contains(error,
                       "implements version 99 of the token provider interface "
                       "(kitsune_token_provider_api_version); this server needs version 1"))
      << error;
}

TEST(TokenProvider, AnInitFailureStopsStartupWithTheProvidersMessageOrItsCode) {
  EXPECT_TRUE(contains(startup_error(bearer_conf(ODD_TOKEN_PROVIDER, "fail-init")),
                       std::string("kitsune.authentication.custom.bearer.library: ") +
                           ODD_TOKEN_PROVIDER +
                           " failed to start: the odd token provider was told to fail (class "
                           "fail-init)"));
  const std::string quiet = startup_error(bearer_conf(ODD_TOKEN_PROVIDER, "fail-init-quietly"));
  EXPECT_TRUE(contains(quiet, "failed to start: its kitsune_token_provider_init returned 5"))
      << quiet;
}

TEST(TokenProvider, APoolSizeBelowOneStopsStartupNamingTheKey) {
  config::Conf conf = bearer_conf(ODD_TOKEN_PROVIDER, "count");
  conf.set("kitsune.authentication.custom.pool.size", "0");
  EXPECT_EQ(startup_error(conf), "kitsune.authentication.custom.pool.size must be at least 1");
}

TEST(TokenProvider, ATokenProviderIsNoPasswordProviderAndTheErrorSaysWhichFunctionIsMissing) {
  config::Conf conf;
  conf.set("kyuubi.authentication", "CUSTOM");
  conf.set("kitsune.authentication.custom.library", ODD_TOKEN_PROVIDER);
  AuthSettings settings;
  settings.password_provider = "CUSTOM";
  auto made = make_password_authenticator(settings, conf);
  ASSERT_FALSE(made);
  EXPECT_TRUE(contains(made.status().message(),
                       "does not export kitsune_auth_provider_api_version (see "
                       "include/kitsune/auth/custom_provider.h)"))
      << made.status().message();
}

// ---- calls ------------------------------------------------------------------------------------

TEST(TokenProvider, TheProviderGetsTheCustomEntriesAndNoOthersAndTheClientAddress) {
  config::Conf conf = bearer_conf(ODD_TOKEN_PROVIDER, "keys");
  conf.set("kitsune.authentication.custom.token.file", "/etc/kitsune/tokens");
  conf.set("kyuubi.authentication.ldap.bindpw", "ldap-secret");
  conf.set("kyuubi.authentication.customized", "not ours");
  auto provider = started(conf);
  ASSERT_TRUE(provider);
  auto user = present(*provider, "tok-1");
  ASSERT_FALSE(user);
  EXPECT_EQ(user.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(user.status().message(),
            "keys: kitsune.authentication.custom.bearer.library,"
            "kitsune.authentication.custom.token.file,"
            "kyuubi.authentication.custom.bearer.class; client 192.0.2.9");
}

TEST(TokenProvider, AnAcceptedTokenGivesTheUserTheProviderNamed) {
  auto provider = started(bearer_conf(ODD_TOKEN_PROVIDER, "user:alice@EXAMPLE.COM"));
  ASSERT_TRUE(provider);
  auto user = present(*provider, "tok-2");
  ASSERT_TRUE(user) << user.status().message();
  EXPECT_EQ(*user, "alice@EXAMPLE.COM");
}

TEST(TokenProvider, AnEmptyOrMalformedTokenIsRefusedWithoutAskingTheProvider) {
  auto provider = started(bearer_conf(ODD_TOKEN_PROVIDER, "count"));
  ASSERT_TRUE(provider);
  auto empty = present(*provider, "");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(empty.status().message(), "empty Bearer token");
  for (const std::string& token : {std::string("tok\0en", 6), std::string("tok\nen")}) {
    auto malformed = present(*provider, token);
    ASSERT_FALSE(malformed);
    EXPECT_EQ(malformed.status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(malformed.status().message(), "malformed Bearer token: control characters");
  }
  // The first call that reached the provider is this one.
  auto user = present(*provider, "tok-3");
  ASSERT_TRUE(user) << user.status().message();
  EXPECT_EQ(*user, "call-1");
}

TEST(TokenProvider, AUserNameThatIsEmptyHoldsControlCharactersOrDoesNotFitIsRefusedAndLogged) {
  struct Case {
    std::string mode;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"user:", "returned no user name"},
      {"user:al\nice", "returned a user name with control characters"},
      {"user:al\x1b[31mice", "returned a user name with control characters"},
      {"long-user", "returned a user name that does not fit its buffer"},
  };
  for (const Case& c : cases) {
    auto provider = started(bearer_conf(ODD_TOKEN_PROVIDER, c.mode));
    ASSERT_TRUE(provider);
    ::testing::internal::CaptureStderr();
    auto user = present(*provider, "tok-odd-user-Zq81");
    const std::string log = ::testing::internal::GetCapturedStderr();
    ASSERT_FALSE(user) << c.mode << " gave " << *user;
    EXPECT_EQ(user.status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(user.status().message(),
              "the Bearer token provider accepted the token but " + c.says);
    EXPECT_TRUE(contains(log, "accepted a token from 192.0.2.9 but " + c.says)) << log;
    EXPECT_FALSE(contains(log, "tok-odd-user-Zq81")) << log;
    EXPECT_FALSE(contains(log, "\x1b")) << "a terminal escape reached the log";
  }
}

TEST(TokenProvider, ATokenTheProviderRepeatsInAMessageIsReplaced) {
  auto provider = started(bearer_conf(ODD_TOKEN_PROVIDER, "echo"));
  ASSERT_TRUE(provider);
  auto user = present(*provider, "tok-echo-Hh2");
  ASSERT_FALSE(user);
  EXPECT_EQ(user.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(user.status().message(), "token *** is unknown; so is ***.");
}

TEST(TokenProvider, ControlCharactersInAMessageBecomeSpacesAndALongMessageIsCut) {
  auto provider = started(bearer_conf(ODD_TOKEN_PROVIDER, "noisy"));
  ASSERT_TRUE(provider);
  auto user = present(*provider, "tok-4");
  ASSERT_FALSE(user);
  const Status& s = user.status();
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(s.message().starts_with("first second [31mred xxx")) << s.message();
  EXPECT_LT(s.message().size(), 1024u);
  EXPECT_GT(s.message().size(), 900u);
  for (char c : s.message())
    EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "a control character got through";
}

TEST(TokenProvider, UnavailableAndUnknownCodesAreReportedAsUnavailable) {
  auto unavailable = started(bearer_conf(ODD_TOKEN_PROVIDER, "unavailable"));
  ASSERT_TRUE(unavailable);
  auto u = present(*unavailable, "tok-5");
  ASSERT_FALSE(u);
  EXPECT_EQ(u.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(u.status().message(),
            "the Bearer token provider is unavailable: the token service is being restarted");

  auto odd = started(bearer_conf(ODD_TOKEN_PROVIDER, "odd-code"));
  ASSERT_TRUE(odd);
  auto o = present(*odd, "tok-6");
  ASSERT_FALSE(o);
  EXPECT_EQ(o.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(o.status().message(), "the Bearer token provider is unavailable (it returned 7)");
}

TEST(TokenProvider, CallsRunOnThePoolUpToItsSizeAtOnceWhileTheCallersThreadRunsOn) {
  config::Conf conf = bearer_conf(ODD_TOKEN_PROVIDER, "slow");
  conf.set("kitsune.authentication.custom.pool.size", "3");
  auto provider = started(conf);
  ASSERT_TRUE(provider);
  asio::io_context io;
  std::vector<Result<std::string>> results;
  int ticks = 0;
  // A timer on the caller's (only) thread: it ticks while the provider sleeps.
  auto ticker = [&]() -> awaitable<void> {
    asio::steady_timer timer(io);
    while (results.size() < 6) {
      timer.expires_after(100ms);
      co_await timer.async_wait(asio::use_awaitable);
      ++ticks;
    }
  };
  asio::co_spawn(io, std::move(ticker), asio::detached);
  for (int i = 0; i < 6; ++i) {
    auto attempt = [&, i]() -> awaitable<void> {
      ClientInfo client;
      const std::string token = i == 0 ? "slow" : "other";
      Result<std::string> r = co_await provider->authenticate(token, client);
      results.push_back(std::move(r));
    };
    asio::co_spawn(io, std::move(attempt), asio::detached);
  }
  const auto start = std::chrono::steady_clock::now();
  io.run();
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(results.size(), 6u);
  // Six calls of 1 s on three threads: two rounds.
  EXPECT_GE(took, 1900ms);
  EXPECT_LT(took, 3500ms);
  EXPECT_GE(ticks, 10) << "the caller's thread was blocked";
  int accepted = 0;
  for (const auto& r : results) {
    if (r) {
      ++accepted;
      EXPECT_EQ(*r, "slow");
    } else {
      EXPECT_EQ(r.status().message(), "at most 3 calls at once");
    }
  }
  EXPECT_EQ(accepted, 1);
}

}  // namespace
}  // namespace kitsune::auth
