// The CUSTOM provider loader in process, with real shared objects built from odd_provider.c:
// versions, init failures, the entries a provider gets, messages, return codes, and calls on
// the pool.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "kitsune/auth/authenticator.h"

namespace kitsune::auth {
namespace {

using namespace std::chrono_literals;

config::Conf custom_conf(const std::string& library, const std::string& mode) {
  config::Conf conf;
  conf.set("kyuubi.authentication", "CUSTOM");
  conf.set("kitsune.authentication.custom.library", library);
  conf.set("kyuubi.authentication.custom.class", mode);
  return conf;
}

Result<std::shared_ptr<PasswordAuthenticator>> make(const config::Conf& conf) {
  AuthSettings settings;
  settings.password_provider = "CUSTOM";
  return make_password_authenticator(settings, conf);
}

Status login(PasswordAuthenticator& provider, const std::string& user,
             const std::string& password) {
  asio::io_context io;
  Status out = Status::internal("the login did not finish");
  auto attempt = [&]() -> awaitable<void> {
    ClientInfo client;
    client.address = "192.0.2.7";
    out = co_await provider.authenticate(user, password, client);
  };
  asio::co_spawn(io, std::move(attempt), asio::detached);
  io.run();
  return out;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(CustomLoader, AProviderForAnotherInterfaceVersionIsRefusedNamingBoth) {
  auto made = make(custom_conf(FUTURE_PROVIDER, "keys"));
  ASSERT_FALSE(made);
  const std::string& m = made.status().message();
  EXPECT_TRUE(contains(m, "kitsune.authentication.custom.library")) << m;
  EXPECT_TRUE(contains(m, "implements version 99")) << m;
  EXPECT_TRUE(contains(m, "needs version 1")) << m;
  EXPECT_TRUE(contains(m, "kitsune_auth_provider_api_version")) << m;
}

TEST(CustomLoader, AMissingFunctionIsRefusedNamingIt) {
  auto made = make(custom_conf(MISSING_SYMBOL_PROVIDER, "keys"));
  ASSERT_FALSE(made);
  EXPECT_TRUE(contains(
      made.status().message(),
      std::string(MISSING_SYMBOL_PROVIDER) + " does not export kitsune_auth_provider_authenticate"))
      << made.status().message();
}

TEST(CustomLoader, AnInitFailureIsRefusedWithTheProvidersMessage) {
  auto made = make(custom_conf(ODD_PROVIDER, "fail-init"));
  ASSERT_FALSE(made);
  EXPECT_TRUE(contains(made.status().message(),
                       "failed to start: the odd provider was told to fail (class fail-init)"))
      << made.status().message();
}

TEST(CustomLoader, TheProviderGetsTheCustomEntriesAndNoOthersAndTheClientAddress) {
  config::Conf conf = custom_conf(ODD_PROVIDER, "keys");
  conf.set("kitsune.authentication.custom.realm", "EXAMPLE");
  conf.set("kyuubi.authentication.custom.basic.class", "org.example.Basic");
  conf.set("kyuubi.authentication.ldap.bindpw", "ldap-secret");
  conf.set("kyuubi.authentication.customized", "not ours");
  auto made = make(conf);
  ASSERT_TRUE(made) << made.status().message();
  const Status s = login(**made, "alice", "pw");
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(s.message(),
            "keys: kitsune.authentication.custom.library,kitsune.authentication.custom.realm,"
            "kyuubi.authentication.custom.basic.class,kyuubi.authentication.custom.class; "
            "client 192.0.2.7");
}

TEST(CustomLoader, ControlCharactersInAMessageBecomeSpacesAndALongMessageIsCut) {
  auto made = make(custom_conf(ODD_PROVIDER, "noisy"));
  ASSERT_TRUE(made) << made.status().message();
  const Status s = login(**made, "alice", "pw");
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(s.message().starts_with("first second [31mred xxx")) << s.message();
  EXPECT_LT(s.message().size(), 1024u);
  EXPECT_GT(s.message().size(), 900u);
  for (char c : s.message())
    EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "a control character got through";
}

TEST(CustomLoader, UnavailableAndUnknownCodesAreReportedAsUnavailable) {
  auto unavailable = make(custom_conf(ODD_PROVIDER, "unavailable"));
  ASSERT_TRUE(unavailable) << unavailable.status().message();
  const Status s = login(**unavailable, "alice", "pw");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(),
            "the CUSTOM authentication provider is unavailable: the user store is being rebuilt");

  auto odd = make(custom_conf(ODD_PROVIDER, "odd-code"));
  ASSERT_TRUE(odd) << odd.status().message();
  const Status o = login(**odd, "alice", "pw");
  EXPECT_EQ(o.code(), StatusCode::kUnavailable);
  EXPECT_EQ(o.message(), "the CUSTOM authentication provider is unavailable (it returned 7)");
}

TEST(CustomLoader, CallsRunOnThePoolUpToItsSizeAtOnceWhileTheCallersThreadRunsOn) {
  config::Conf conf = custom_conf(ODD_PROVIDER, "slow");
  conf.set("kitsune.authentication.custom.pool.size", "3");
  auto made = make(conf);
  ASSERT_TRUE(made) << made.status().message();
  asio::io_context io;
  std::vector<Status> results;
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
      const std::string user = i == 0 ? "slow" : "other";
      const std::string password = "pw";
      Status s = co_await (*made)->authenticate(user, password, client);
      results.push_back(std::move(s));
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
  for (const Status& s : results) {
    if (s.is_ok()) {
      ++accepted;
    } else {
      EXPECT_EQ(s.message(), "at most 3 calls at once");
    }
  }
  EXPECT_EQ(accepted, 1);
}

}  // namespace
}  // namespace kitsune::auth
