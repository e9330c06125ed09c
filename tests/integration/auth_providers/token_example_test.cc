// The documented example Bearer token provider (docs/examples/token_provider), built as its
// README says and loaded in process: the right token gives its user, wrong and empty ones are
// refused, an unreadable or broken token file is reported as unavailable, the file is re-read
// when it changes, and no token reaches a log line or a message.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "kitsune/auth/token_authenticator.h"
#include "kitsune/common/log.h"

namespace kitsune::auth {
namespace {

namespace fs = std::filesystem;

// Tokens and their digests, as `printf %s <token> | sha256sum` prints them.
constexpr const char* kAliceToken = "kst_alice_9Xq2Lw7RbTmP4v";
constexpr const char* kAliceDigest =
    "7a3b108d0c5a2d9c74b1ab2fe913b560123d3353ffe0fa17961600b44fbf27f9";
constexpr const char* kBobToken = "kst_bob_Jd83kQpZ1sVn6Y";
constexpr const char* kBobDigest =
    "9a48525c29425076f41da51d0f3a804c6a679371d39aeb532e33a8d713ca4a50";
constexpr const char* kCarolToken = "kst_carol_Wm5tRb2Xc9Lq7e";
constexpr const char* kCarolDigest =
    "1f03039cc0b91831425f6dcafdf06286d40fd24f886be7cff437faa58619a17b";
// Alice's token with its last character changed.
constexpr const char* kWrongToken = "kst_alice_9Xq2Lw7RbTmP4w";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A token file in a temp dir, replaced atomically as the README says.
class TokenFile {
 public:
  TokenFile() {
    char tmpl[] = "/tmp/kitsune-token-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
  }
  ~TokenFile() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  TokenFile(const TokenFile&) = delete;
  TokenFile& operator=(const TokenFile&) = delete;

  const std::string& dir() const { return dir_; }
  std::string path() const { return dir_ + "/tokens.txt"; }
  void write(const std::string& text) const {
    const std::string next = dir_ + "/tokens.txt.new";
    std::ofstream(next) << text;
    fs::rename(next, path());
  }
  void remove() const { fs::remove(path()); }

 private:
  std::string dir_;
};

std::string line(const char* digest, const char* user) {
  return std::string(digest) + " " + user + "\n";
}

config::Conf example_conf(const std::string& token_file) {
  config::Conf conf;
  conf.set("kyuubi.authentication", "CUSTOM");
  conf.set("kitsune.authentication.custom.bearer.library", EXAMPLE_TOKEN_PROVIDER);
  if (!token_file.empty()) conf.set("kitsune.authentication.custom.token.file", token_file);
  return conf;
}

std::shared_ptr<TokenAuthenticator> started(const TokenFile& file) {
  auto made = make_token_authenticator(example_conf(file.path()));
  EXPECT_TRUE(made) << made.status().message();
  return made ? *made : nullptr;
}

std::string startup_error(const std::string& token_file) {
  auto made = make_token_authenticator(example_conf(token_file));
  EXPECT_FALSE(made) << "the provider started";
  return made ? std::string() : made.status().message();
}

Result<std::string> present(TokenAuthenticator& provider, const std::string& token) {
  asio::io_context io;
  Result<std::string> out = Status::internal("the call did not finish");
  auto attempt = [&]() -> awaitable<void> {
    ClientInfo client;
    client.address = "198.51.100.4";
    out = co_await provider.authenticate(token, client);
  };
  asio::co_spawn(io, std::move(attempt), asio::detached);
  io.run();
  return out;
}

// Everything the process writes to stderr (where every logger writes) during a test, at the
// most verbose level, so that a token logged at any level would be seen.
class TokenExample : public ::testing::Test {
 protected:
  void SetUp() override {
    init_logging("trace");
    ::testing::internal::CaptureStderr();
  }
  void TearDown() override {
    if (!captured_) (void)log();
    init_logging("info");
  }
  std::string log() {
    captured_ = true;
    return ::testing::internal::GetCapturedStderr();
  }
  // Expects none of the tokens in the log, and the log to be the real one (the load line).
  void expect_no_token_logged() {
    const std::string text = log();
    EXPECT_TRUE(
        contains(text, "Bearer token provider " + std::string(EXAMPLE_TOKEN_PROVIDER) + " loaded"))
        << "the log was not captured:\n"
        << text;
    for (const char* token : {kAliceToken, kBobToken, kCarolToken, kWrongToken}) {
      EXPECT_FALSE(contains(text, token)) << "a token is in the log:\n" << text;
    }
  }

 private:
  bool captured_ = false;
};

TEST_F(TokenExample, TheRightTokenGivesItsUserAndAWrongOrEmptyOneIsRefused) {
  TokenFile file;
  file.write("# sha256hex user\n" + line(kAliceDigest, "alice") + "\n" +
             line(kBobDigest, "bob@EXAMPLE.COM"));
  auto provider = started(file);
  ASSERT_TRUE(provider);

  auto alice = present(*provider, kAliceToken);
  ASSERT_TRUE(alice) << alice.status().message();
  EXPECT_EQ(*alice, "alice");
  auto bob = present(*provider, kBobToken);
  ASSERT_TRUE(bob) << bob.status().message();
  EXPECT_EQ(*bob, "bob@EXAMPLE.COM");

  for (const std::string token : {kWrongToken, kAliceDigest, kCarolToken}) {
    auto refused = present(*provider, token);
    ASSERT_FALSE(refused) << token << " gave " << *refused;
    EXPECT_EQ(refused.status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(refused.status().message(), "unknown or revoked Bearer token");
  }
  auto empty = present(*provider, "");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(empty.status().message(), "empty Bearer token");
  expect_no_token_logged();
}

TEST_F(TokenExample, AMissingTokenFileIsReportedAsUnavailableUntilItIsBack) {
  TokenFile file;
  file.write(line(kAliceDigest, "alice"));
  auto provider = started(file);
  ASSERT_TRUE(provider);
  file.remove();
  auto gone = present(*provider, kAliceToken);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(gone.status().message(),
            "the Bearer token provider is unavailable: the token file "
            "(kitsune.authentication.custom.token.file) cannot be read: No such file or "
            "directory");
  EXPECT_FALSE(contains(gone.status().message(), file.dir())) << "a client sees a server path";

  file.write(line(kAliceDigest, "alice"));
  auto back = present(*provider, kAliceToken);
  ASSERT_TRUE(back) << back.status().message();
  EXPECT_EQ(*back, "alice");
  expect_no_token_logged();
}

TEST_F(TokenExample, ABrokenEditOfTheTokenFileFailsClosedAsUnavailable) {
  TokenFile file;
  file.write(line(kAliceDigest, "alice") + line(kBobDigest, "bob"));
  auto provider = started(file);
  ASSERT_TRUE(provider);
  // A digest cut short: no token may work until the file is right again.
  file.write(line(kAliceDigest, "alice") + std::string(kBobDigest).substr(0, 60) + " bob\n");
  for (const char* token : {kAliceToken, kBobToken, kWrongToken}) {
    auto broken = present(*provider, token);
    ASSERT_FALSE(broken) << token << " gave " << *broken;
    EXPECT_EQ(broken.status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(broken.status().message(),
              "the Bearer token provider is unavailable: the token file "
              "(kitsune.authentication.custom.token.file): line 2: expected 64 hex digits (the "
              "SHA-256 of a token), blanks and a user");
  }
  file.write(line(kAliceDigest, "alice"));
  auto fixed = present(*provider, kAliceToken);
  ASSERT_TRUE(fixed) << fixed.status().message();
  EXPECT_EQ(*fixed, "alice");
  expect_no_token_logged();
}

TEST_F(TokenExample, TokensAreIssuedAndRevokedByReplacingTheFileWithoutARestart) {
  TokenFile file;
  file.write(line(kAliceDigest, "alice") + line(kBobDigest, "bob"));
  auto provider = started(file);
  ASSERT_TRUE(provider);
  ASSERT_TRUE(present(*provider, kAliceToken));
  ASSERT_FALSE(present(*provider, kCarolToken));

  file.write(line(kBobDigest, "bob") + line(kCarolDigest, "carol"));
  auto revoked = present(*provider, kAliceToken);
  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.status().code(), StatusCode::kUnauthenticated);
  auto issued = present(*provider, kCarolToken);
  ASSERT_TRUE(issued) << issued.status().message();
  EXPECT_EQ(*issued, "carol");
  auto kept = present(*provider, kBobToken);
  ASSERT_TRUE(kept) << kept.status().message();
  EXPECT_EQ(*kept, "bob");
  expect_no_token_logged();
}

TEST_F(TokenExample, CallsOnEveryPoolThreadWhileTheFileIsReplacedAllSeeAWholeTable) {
  TokenFile file;
  const std::string first = line(kAliceDigest, "alice") + line(kBobDigest, "bob");
  const std::string second = line(kCarolDigest, "carol") + line(kAliceDigest, "alice");
  file.write(first);
  auto provider = started(file);
  ASSERT_TRUE(provider);
  std::atomic<bool> done = false;
  std::thread writer([&] {
    for (int i = 0; !done; ++i) {
      file.write(i % 2 == 0 ? second : first);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  asio::io_context io;
  std::vector<Result<std::string>> results;
  for (int i = 0; i < 400; ++i) {
    auto attempt = [&]() -> awaitable<void> {
      ClientInfo client;
      const std::string token = kAliceToken;
      Result<std::string> r = co_await provider->authenticate(token, client);
      results.push_back(std::move(r));
    };
    asio::co_spawn(io, std::move(attempt), asio::detached);
  }
  io.run();
  done = true;
  writer.join();
  ASSERT_EQ(results.size(), 400u);
  for (const auto& r : results) {
    ASSERT_TRUE(r) << r.status().message();
    EXPECT_EQ(*r, "alice");
  }
  expect_no_token_logged();
}

// ---- startup ----------------------------------------------------------------------------------

TEST(TokenExampleStartup, AnUnsetTokenFileStopsStartupSayingWhatToSet) {
  EXPECT_EQ(startup_error(""),
            std::string("kitsune.authentication.custom.bearer.library: ") + EXAMPLE_TOKEN_PROVIDER +
                " failed to start: set kitsune.authentication.custom.token.file to a file of "
                "\"<sha256hex> <user>\" lines");
}

TEST(TokenExampleStartup, AMissingTokenFileStopsStartupNamingIt) {
  TokenFile file;
  const std::string error = startup_error(file.path());
  EXPECT_TRUE(contains(error, " failed to start: token file " + file.path() +
                                  " (kitsune.authentication.custom.token.file): cannot be read: "
                                  "No such file or directory"))
      << error;
}

TEST(TokenExampleStartup, AMalformedOrAmbiguousTokenFileStopsStartupNamingTheLine) {
  TokenFile file;
  file.write("# tokens\n" + line(kAliceDigest, "alice") + std::string(kBobDigest) + "\n");
  EXPECT_TRUE(contains(startup_error(file.path()),
                       "(kitsune.authentication.custom.token.file): line 3: expected 64 hex "
                       "digits (the SHA-256 of a token), blanks and a user"));
  file.write(line(kAliceDigest, "alice") + line(kAliceDigest, "mallory"));
  EXPECT_TRUE(contains(startup_error(file.path()),
                       "(kitsune.authentication.custom.token.file): line 2: the same digest as an "
                       "earlier line"));
  file.write(line(kAliceDigest, "al\x01ice"));
  EXPECT_TRUE(
      contains(startup_error(file.path()), "line 1: the user name holds a control character"));
}

}  // namespace
}  // namespace kitsune::auth
