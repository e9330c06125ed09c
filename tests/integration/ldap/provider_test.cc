// The LDAP password provider against a real slapd: binds, search-then-bind, filters, escaping,
// TLS, several URLs, outages and timeouts, the cache; and no password in any log line.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <initializer_list>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "directory.h"
#include "gateway_calls.h"
#include "kitsune/auth/authenticator.h"
#include "kitsune/common/log.h"
#include "raw_socket.h"
#include "slapd_process.h"

namespace kitsune::testing {
namespace {

using namespace std::chrono_literals;
using namespace ldap_directory;
using Clock = std::chrono::steady_clock;
using Pairs = std::initializer_list<std::pair<std::string, std::string>>;

constexpr const char* kRefused = "wrong user name or password";

// A TCP listener that accepts connections (the kernel does, from its backlog) and never
// answers: a server that hangs.
class SilentServer {
 public:
  SilentServer() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        listen(fd_, 16) != 0 || getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("cannot listen");
    }
    port_ = ntohs(addr.sin_port);
  }
  ~SilentServer() { close(fd_); }
  std::string url(const char* scheme = "ldap") const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port_);
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// Output of a command (stdout and stderr) and its exit status.
std::pair<int, std::string> run_command(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return {-1, ""};
  char buf[512];
  while (std::fgets(buf, sizeof buf, p) != nullptr)
    out += buf;
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

class LdapProvider : public ::testing::Test {
 protected:
  void SetUp() override {
    // Everything the provider logs, at debug, for the checks at the end of each test.
    sink_ = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    auto log = logger("auth");
    log->sinks().push_back(sink_);
    previous_level_ = log->level();
    log->set_level(spdlog::level::debug);
  }

  void TearDown() override {
    auto log = logger("auth");
    auto& sinks = log->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
    log->set_level(previous_level_);
    const std::string text = log_.str();
    for (const auto& pw : passwords()) {
      EXPECT_EQ(text.find(pw), std::string::npos) << "a password in the log:\n" << text;
    }
    for (const auto& pw : extra_secrets_) {
      EXPECT_EQ(text.find(pw), std::string::npos) << "a password in the log:\n" << text;
    }
  }

  // The configuration of a provider for `url`, users under ou=people, a short timeout.
  static config::Conf conf_for(const std::string& url, Pairs pairs = {}) {
    config::Conf conf;
    conf.set("kyuubi.authentication", "LDAP");
    conf.set("kyuubi.authentication.ldap.url", url);
    conf.set("kyuubi.authentication.ldap.baseDN", kPeople);
    conf.set("kitsune.authentication.ldap.timeout", "PT5S");
    for (const auto& [k, v] : pairs)
      conf.set(k, v);
    return conf;
  }

  static std::shared_ptr<auth::PasswordAuthenticator> make(const config::Conf& conf) {
    auth::AuthSettings settings;
    settings.password_provider = "LDAP";
    auto made = auth::make_password_authenticator(settings, conf);
    if (!made) throw std::runtime_error("make_password_authenticator: " + made.status().message());
    return *made;
  }

  static Status login(auth::PasswordAuthenticator& provider, const std::string& user,
                      const std::string& password) {
    const auth::ClientInfo client{"127.0.0.1", 42};
    auto attempt = [&]() -> awaitable<Status> {
      co_return co_await provider.authenticate(user, password, client);
    };
    return run_coroutine(attempt());
  }

  static Status login(const config::Conf& conf, const std::string& user,
                      const std::string& password) {
    auto provider = make(conf);
    return login(*provider, user, password);
  }

  void expect_login(const config::Conf& conf, const User& u) {
    Status s = login(conf, u.uid, u.password);
    EXPECT_TRUE(s.is_ok()) << u.uid << ": " << s.to_string() << "\nlog:\n" << log_.str();
  }

  // Refused as a bad login (kUnauthenticated), with `words` in the message.
  void expect_refused(const config::Conf& conf, const std::string& user,
                      const std::string& password, const std::string& words = kRefused) {
    Status s = login(conf, user, password);
    EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << "'" << user << "': " << s.to_string();
    EXPECT_NE(s.message().find(words), std::string::npos)
        << "'" << user << "': " << s.message() << "\nexpected: " << words;
    if (password.size() > 3) {
      EXPECT_EQ(s.message().find(password), std::string::npos) << s.message();
    }
  }

  std::ostringstream log_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
  spdlog::level::level_enum previous_level_ = spdlog::level::info;
  std::vector<std::string> extra_secrets_;
};

// --- binding as the user -----------------------------------------------------------------------

TEST_F(LdapProvider, AUserLogsInWithTheirPasswordAndAWrongOneOrAnUnknownUserReadAlike) {
  SlapdProcess slapd(options());
  const auto conf = conf_for(slapd.url());
  expect_login(conf, kAlice);
  expect_login(conf, kBob);
  const Status wrong = login(conf, kAlice.uid, kBob.password);
  const Status unknown = login(conf, "mallory", kBob.password);
  EXPECT_EQ(wrong.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(wrong.message(), "Error validating LDAP user 'alice': wrong user name or password");
  EXPECT_EQ(unknown.message(), "Error validating LDAP user 'mallory': wrong user name or password")
      << "an unknown user must read like a wrong password";
  // Under ou=people's first level only: the default DN is uid=<user>,<baseDN>.
  expect_refused(conf, kDave.uid, kDave.password);
  // The log says which DN was tried, and why it was refused.
  EXPECT_NE(log_.str().find("binding as uid=alice," + kPeople), std::string::npos) << log_.str();
  EXPECT_NE(log_.str().find("Invalid credentials"), std::string::npos) << log_.str();
}

TEST_F(LdapProvider, UserDnPatternsAreTriedInTurn) {
  SlapdProcess slapd(options());
  const auto conf =
      conf_for(slapd.url(), {{"kyuubi.authentication.ldap.userDNPattern",
                              "uid=%s,ou=contractors," + kPeople + ":uid=%s," + kPeople}});
  expect_login(conf, kDave);
  expect_login(conf, kAlice);
  expect_refused(conf, kAlice.uid, kDave.password);
}

// slapd here accepts a DN with an empty password as an anonymous bind (RFC 4513 5.1.2): the
// provider must refuse such a login itself, before any bind.
TEST_F(LdapProvider, AnEmptyPasswordIsRefusedEvenWhereTheServerWouldBindAnonymously) {
  SlapdOptions o = options();
  o.allow_unauthenticated_bind = true;
  SlapdProcess slapd(o);
  const auto [rc, out] =
      run_command("ldapwhoami -x -H " + slapd.url() + " -D 'uid=alice," + kPeople + "' -w ''");
  ASSERT_EQ(rc, 0) << "the server was meant to take this as an anonymous bind: " << out;
  EXPECT_NE(out.find("anonymous"), std::string::npos) << out;

  const auto conf = conf_for(slapd.url());
  for (const std::string pw : {"", " ", "  \t"}) {
    expect_refused(conf, kAlice.uid, pw, "an empty or blank password is never a login");
  }
  // With a service account too (which could otherwise search and then "bind" as the user).
  const auto with_account =
      conf_for(slapd.url(), {{"kyuubi.authentication.ldap.binddn", kServiceDn},
                             {"kyuubi.authentication.ldap.bindpw", kServicePassword}});
  expect_refused(with_account, kAlice.uid, "", "an empty or blank password is never a login");
  EXPECT_EQ(log_.str().find("binding as"), std::string::npos) << "no bind was attempted:\n"
                                                              << log_.str();
  expect_login(conf, kAlice);
}

// --- names with filter and DN characters -------------------------------------------------------

// Names that would match alice (or anyone) if they reached a filter or a DN unescaped.
const std::vector<std::string> kInjections = {
    "*",       "a*",        "alic*",           "*)(uid=*",         "alice)(|(uid=*",
    "alice\\", "uid=alice", "alice,ou=people", "alice," + kPeople, "alice=x",
    "(alice)", "alice*"};

TEST_F(LdapProvider, NamesWithFilterAndDnCharactersMatchOnlyThemselvesWhenBinding) {
  SlapdProcess slapd(options());
  const auto conf = conf_for(slapd.url());
  expect_login(conf, kWeird);
  expect_login(conf, kOdd);
  expect_refused(conf, kWeird.uid, kAlice.password);
  for (const auto& name : kInjections)
    expect_refused(conf, name, kAlice.password);
}

TEST_F(LdapProvider, NamesWithFilterAndDnCharactersMatchOnlyThemselvesWhenSearching) {
  SlapdProcess slapd(options());
  // A subtree search for (uid=<name>) as the service account, then a bind as what it found: an
  // unescaped "a*" would find alice and log in with her password.
  const auto conf =
      conf_for(slapd.url(), {{"kyuubi.authentication.ldap.binddn", kServiceDn},
                             {"kyuubi.authentication.ldap.bindpw", kServicePassword}});
  expect_login(conf, kWeird);
  expect_login(conf, kOdd);
  for (const auto& name : kInjections)
    expect_refused(conf, name, kAlice.password);
  EXPECT_NE(log_.str().find("(uid=a\\2a)"), std::string::npos)
      << "the search filter has the name escaped:\n"
      << log_.str();
}

// --- search, then bind -------------------------------------------------------------------------

TEST_F(LdapProvider, WithAServiceAccountItSearchesTheUserThenBindsAsTheEntryFound) {
  SlapdProcess slapd(options());
  const auto conf =
      conf_for(slapd.url(), {{"kyuubi.authentication.ldap.binddn", kServiceDn},
                             {"kyuubi.authentication.ldap.bindpw", kServicePassword}});
  expect_login(conf, kAlice);
  // Dave is one level further down: the search finds him where a DN pattern would not.
  expect_login(conf, kDave);
  expect_refused(conf, kDave.uid, kAlice.password);
  expect_refused(conf, "mallory", kAlice.password);
  const std::string text = log_.str();
  EXPECT_NE(text.find("binding as the service account " + kServiceDn), std::string::npos) << text;
  EXPECT_NE(text.find("binding as " + kDave.dn), std::string::npos) << text;
}

TEST_F(LdapProvider, AServiceAccountThatCannotBindIsAServerProblemNotAWrongPassword) {
  SlapdProcess slapd(options());
  const std::string wrong_bindpw = "not-the-svc-Pw-4r4r";
  extra_secrets_.push_back(wrong_bindpw);
  const auto conf = conf_for(slapd.url(), {{"kyuubi.authentication.ldap.binddn", kServiceDn},
                                           {"kyuubi.authentication.ldap.bindpw", wrong_bindpw}});
  const Status s = login(conf, kAlice.uid, kAlice.password);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.to_string();
  EXPECT_NE(s.message().find("the service account (kyuubi.authentication.ldap.binddn) cannot "
                             "bind: Invalid credentials"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(s.message().find(wrong_bindpw), std::string::npos);
}

// --- filters -----------------------------------------------------------------------------------

TEST_F(LdapProvider, AGroupFilterAdmitsMembersAndRefusesOthers) {
  SlapdProcess slapd(options());
  const auto conf =
      conf_for(slapd.url(), {{"kyuubi.authentication.ldap.groupFilter", "analysts"},
                             {"kyuubi.authentication.ldap.groupDNPattern", "cn=%s," + kGroups}});
  expect_login(conf, kAlice);
  expect_login(conf, kWeird);  // its DN, escaped in the member filter, matches
  const std::string not_member =
      "not a member of any group in kyuubi.authentication.ldap.groupFilter";
  expect_refused(conf, kBob.uid, kBob.password, not_member);
  expect_refused(conf, kCarol.uid, kCarol.password, not_member);
  // A wrong password says nothing about groups (nor whether the user exists).
  expect_refused(conf, kBob.uid, kAlice.password);

  // Either group will do; names compare without case. Without group DN patterns, groups are
  // searched under the base DN.
  const auto both =
      conf_for(slapd.url(), {{"kyuubi.authentication.ldap.groupFilter", "Analysts,ADMINS"},
                             {"kyuubi.authentication.ldap.baseDN", kSuffix},
                             {"kyuubi.authentication.ldap.userDNPattern", "uid=%s," + kPeople}});
  expect_login(both, kBob);
  expect_login(both, kAlice);
  expect_refused(both, kCarol.uid, kCarol.password, not_member);
}

TEST_F(LdapProvider, AGroupFilterWorksThroughTheServiceAccountToo) {
  SlapdProcess slapd(options());
  const auto conf =
      conf_for(slapd.url(), {{"kyuubi.authentication.ldap.groupFilter", "admins"},
                             {"kyuubi.authentication.ldap.groupDNPattern", "cn=%s," + kGroups},
                             {"kyuubi.authentication.ldap.binddn", kServiceDn},
                             {"kyuubi.authentication.ldap.bindpw", kServicePassword}});
  expect_login(conf, kBob);
  expect_refused(conf, kAlice.uid, kAlice.password, "not a member of any group");
  // The filter is only told after the password proved right.
  expect_refused(conf, kAlice.uid, kBob.password);
}

TEST_F(LdapProvider, AUserMembershipKeyReadsTheGroupsFromTheUserEntry) {
  SlapdProcess slapd(options());
  const auto conf =
      conf_for(slapd.url(), {{"kyuubi.authentication.ldap.groupFilter", "analysts"},
                             {"kyuubi.authentication.ldap.userMembershipKey", "memberOf"}});
  expect_login(conf, kAlice);
  // The weird user is in the group's member list, but its entry has no memberOf.
  expect_refused(conf, kWeird.uid, kWeird.password, "not a member of any group");
}

TEST_F(LdapProvider, AUserFilterListsWhoMayLogIn) {
  SlapdProcess slapd(options());
  const auto conf =
      conf_for(slapd.url(), {{"kyuubi.authentication.ldap.userFilter", "alice, Carol"}});
  expect_login(conf, kAlice);
  expect_login(conf, kCarol);
  expect_refused(conf, kBob.uid, kBob.password,
                 "the user is not allowed by kyuubi.authentication.ldap.userFilter");
  expect_refused(conf, kBob.uid, kAlice.password);
}

TEST_F(LdapProvider, ACustomQueryAdmitsTheEntriesItFindsAndTheMembersOfGroupsAmongThem) {
  SlapdProcess slapd(options());
  const std::string not_found =
      "the user is not among the results of kyuubi.authentication.ldap.customLDAPQuery";
  const auto people =
      conf_for(slapd.url(), {{"kyuubi.authentication.ldap.baseDN", kSuffix},
                             {"kyuubi.authentication.ldap.userDNPattern", "uid=%s," + kPeople},
                             {"kyuubi.authentication.ldap.customLDAPQuery",
                              "(&(objectClass=inetOrgPerson)(|(uid=alice)(uid=carol)))"}});
  expect_login(people, kAlice);
  expect_login(people, kCarol);
  expect_refused(people, kBob.uid, kBob.password, not_found);

  const auto admins = conf_for(
      slapd.url(),
      {{"kyuubi.authentication.ldap.baseDN", kSuffix},
       {"kyuubi.authentication.ldap.userDNPattern", "uid=%s," + kPeople},
       {"kyuubi.authentication.ldap.customLDAPQuery", "(&(objectClass=groupOfNames)(cn=admins))"}});
  expect_login(admins, kBob);
  expect_refused(admins, kAlice.uid, kAlice.password, not_found);

  // %s stands for the user name, escaped.
  const auto own = conf_for(
      slapd.url(),
      {{"kyuubi.authentication.ldap.baseDN", kSuffix},
       {"kyuubi.authentication.ldap.userDNPattern", "uid=%s," + kPeople},
       {"kyuubi.authentication.ldap.customLDAPQuery", "(&(objectClass=inetOrgPerson)(uid=%s))"}});
  expect_login(own, kWeird);
  expect_login(own, kAlice);
}

// --- several servers, outages, timeouts --------------------------------------------------------

TEST_F(LdapProvider, WhenTheFirstUrlIsDeadTheNextOneAnswers) {
  SlapdProcess slapd(options());
  const std::string dead = "ldap://127.0.0.1:" + std::to_string(free_port());
  const auto conf = conf_for(dead + "  " + slapd.url());
  expect_login(conf, kAlice);
  expect_refused(conf, kAlice.uid, kBob.password);
  EXPECT_NE(log_.str().find(dead + ": bind failed: Can't contact LDAP server"), std::string::npos)
      << log_.str();
}

TEST_F(LdapProvider, NoServerAnsweringIsUnavailableAtOnceNotAWrongPassword) {
  SlapdProcess slapd(options());
  const std::string dead = "ldap://127.0.0.1:" + std::to_string(free_port());
  const auto conf = conf_for(dead + " " + slapd.url());
  slapd.kill();
  const auto start = Clock::now();
  const Status s = login(conf, kAlice.uid, kAlice.password);
  const auto took = Clock::now() - start;
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.to_string();
  EXPECT_NE(s.message().find("LDAP server(s) " + dead + " " + slapd.url() + " unreachable: " +
                             dead + ": bind failed: Can't contact LDAP server; " + slapd.url()),
            std::string::npos)
      << s.message();
  EXPECT_LT(took, 2s);
  // Back up: logins work again, with no restart of the provider.
  slapd.start();
  expect_login(conf, kAlice);
}

TEST_F(LdapProvider, AServerThatNeverAnswersTimesOutAndTheNextUrlIsTried) {
  SilentServer silent;
  SlapdProcess slapd(options());
  const auto conf =
      conf_for(silent.url() + " " + slapd.url(), {{"kitsune.authentication.ldap.timeout", "PT1S"}});
  const auto start = Clock::now();
  expect_login(conf, kAlice);
  const auto took = Clock::now() - start;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 5s);

  const auto only_silent =
      conf_for(silent.url(), {{"kitsune.authentication.ldap.timeout", "PT1S"}});
  const auto start2 = Clock::now();
  const Status s = login(only_silent, kAlice.uid, kAlice.password);
  EXPECT_LT(Clock::now() - start2, 5s);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.to_string();
  EXPECT_NE(s.message().find("LDAP server(s) " + silent.url() + " unreachable: "),
            std::string::npos)
      << s.message();
}

// The same with TLS: a server that takes the connection and never starts the handshake.
TEST_F(LdapProvider, ATlsServerThatNeverAnswersTimesOutToo) {
  SilentServer silent;
  for (const auto& conf :
       {conf_for(silent.url("ldaps"), {{"kitsune.authentication.ldap.timeout", "PT1S"}}),
        conf_for(silent.url(), {{"kitsune.authentication.ldap.timeout", "PT1S"},
                                {"kitsune.authentication.ldap.starttls", "true"}})}) {
    const auto start = Clock::now();
    const Status s = login(conf, kAlice.uid, kAlice.password);
    EXPECT_LT(Clock::now() - start, 5s);
    EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.to_string();
    EXPECT_NE(s.message().find("unreachable"), std::string::npos) << s.message();
  }
}

TEST_F(LdapProvider, LoginsWaitOnTheirPoolNotOnTheEventLoop) {
  SilentServer silent;
  const auto conf = conf_for(silent.url(), {{"kitsune.authentication.ldap.timeout", "PT2S"},
                                            {"kitsune.authentication.ldap.pool.size", "2"}});
  auto provider = make(conf);
  asio::io_context io;  // one thread: a blocking login would stall the timer below
  std::vector<Clock::time_point> logins_done;
  Clock::time_point timer_done{};
  const auto start = Clock::now();
  const auth::ClientInfo client{"127.0.0.1", 1};
  const std::string user = kAlice.uid;
  const std::string password = kAlice.password;
  auto one_login = [&]() -> awaitable<void> {
    Status s = co_await provider->authenticate(user, password, client);
    EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.to_string();
    logins_done.push_back(Clock::now());
  };
  auto tick = [&]() -> awaitable<void> {
    asio::steady_timer timer(co_await asio::this_coro::executor, 100ms);
    co_await timer.async_wait(asio::use_awaitable);
    timer_done = Clock::now();
  };
  for (int i = 0; i < 3; ++i)
    asio::co_spawn(io, one_login(), asio::detached);
  asio::co_spawn(io, tick(), asio::detached);
  io.run();
  ASSERT_EQ(logins_done.size(), 3u);
  EXPECT_LT(timer_done - start, 1s) << "the event loop was blocked";
  for (auto t : logins_done)
    EXPECT_GT(t, timer_done);
  // Two threads: two logins time out together, the third after them.
  std::sort(logins_done.begin(), logins_done.end());
  EXPECT_LT(logins_done[1] - start, 3500ms);
  EXPECT_GE(logins_done[2] - start, 3900ms);
}

// --- TLS ---------------------------------------------------------------------------------------

TEST_F(LdapProvider, LdapsWithTheSelfSignedCaLogsInAndWithoutItTheCertificateIsRefused) {
  SlapdProcess slapd(options(/*tls=*/true));
  const auto trusted =
      conf_for(slapd.ldaps_url(), {{"kitsune.authentication.ldap.tls.ca.file", slapd.ca_file()}});
  expect_login(trusted, kAlice);
  expect_refused(trusted, kAlice.uid, kBob.password);

  const Status untrusted = login(conf_for(slapd.ldaps_url()), kAlice.uid, kAlice.password);
  EXPECT_EQ(untrusted.code(), StatusCode::kUnavailable) << untrusted.to_string();
  EXPECT_NE(untrusted.message().find("LDAP server(s) " + slapd.ldaps_url() + " unreachable"),
            std::string::npos)
      << untrusted.message();

  // Checks off: the same server is taken as it is.
  const auto unchecked =
      conf_for(slapd.ldaps_url(), {{"kitsune.authentication.ldap.tls.verify", "false"}});
  expect_login(unchecked, kAlice);
}

TEST_F(LdapProvider, StartTlsUpgradesTheConnectionBeforeTheBindAndNeverFallsBackToClearText) {
  SlapdProcess slapd(options(/*tls=*/true));
  const auto conf =
      conf_for(slapd.url(), {{"kitsune.authentication.ldap.starttls", "true"},
                             {"kitsune.authentication.ldap.tls.ca.file", slapd.ca_file()}});
  expect_login(conf, kAlice);
  expect_refused(conf, kAlice.uid, kBob.password);
  EXPECT_NE(log_.str().find("StartTLS"), std::string::npos) << log_.str();

  // A server without TLS refuses StartTLS: no login then, not a clear-text bind.
  SlapdProcess plain(options());
  const auto to_plain =
      conf_for(plain.url(), {{"kitsune.authentication.ldap.starttls", "true"},
                             {"kitsune.authentication.ldap.tls.ca.file", slapd.ca_file()}});
  const Status s = login(to_plain, kAlice.uid, kAlice.password);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.to_string();
  EXPECT_NE(s.message().find(plain.url() + ": StartTLS failed"), std::string::npos) << s.message();
}

// --- the cache ---------------------------------------------------------------------------------

TEST_F(LdapProvider, TheCacheRemembersASuccessfulLoginForItsTtlOnly) {
  SlapdProcess slapd(options());
  auto cached = make(conf_for(slapd.url(), {{"kitsune.authentication.ldap.cache.ttl", "PT2S"}}));
  auto uncached = make(conf_for(slapd.url()));
  ASSERT_TRUE(login(*cached, kAlice.uid, kAlice.password).is_ok()) << log_.str();
  ASSERT_TRUE(login(*uncached, kAlice.uid, kAlice.password).is_ok()) << log_.str();
  slapd.kill();
  // The same password again: no server needed while the entry lasts.
  EXPECT_TRUE(login(*cached, kAlice.uid, kAlice.password).is_ok());
  EXPECT_NE(log_.str().find("'alice' logged in (cached)"), std::string::npos) << log_.str();
  // Anything else still asks the server.
  EXPECT_EQ(login(*cached, kAlice.uid, kBob.password).code(), StatusCode::kUnavailable);
  EXPECT_EQ(login(*cached, kBob.uid, kBob.password).code(), StatusCode::kUnavailable);
  EXPECT_EQ(login(*uncached, kAlice.uid, kAlice.password).code(), StatusCode::kUnavailable);
  std::this_thread::sleep_for(2100ms);
  EXPECT_EQ(login(*cached, kAlice.uid, kAlice.password).code(), StatusCode::kUnavailable)
      << "remembered past the ttl";
}

}  // namespace
}  // namespace kitsune::testing
