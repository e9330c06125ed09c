// The LOCAL launcher and EngineProcess against the real kitsune-engine from this build, plus small
// shell scripts standing in for engines that misbehave in ways kitsune-engine never does.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>

#include "client_session.h"
#include "kitsune/engine/launcher.h"
#include "raw_socket.h"

namespace kitsune::engine {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string kEngine = std::string(KITSUNE_BINARY_DIR) + "/bin/kitsune-engine";

bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// /proc/<pid>/cmdline or environ, with the NULs between entries shown as spaces.
std::string proc_text(int pid, const char* what) {
  std::string text = read_file("/proc/" + std::to_string(pid) + "/" + what);
  for (char& c : text) {
    if (c == '\0') c = ' ';
  }
  return text;
}

// Counts listener calls; shared with the listener so that it outlives the test body.
struct Calls {
  std::mutex mu;
  int n = 0;
  int count() {
    std::lock_guard lock(mu);
    return n;
  }
  static std::function<void()> listener(const std::shared_ptr<Calls>& calls) {
    return [calls] {
      std::lock_guard lock(calls->mu);
      ++calls->n;
    };
  }
};

class LocalLauncherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kitsune-launcher-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    io_thread_ = std::thread([this] { io_.run(); });
    launcher_ = make_local_launcher(io_, kEngine, "127.0.0.1");
  }

  void TearDown() override {
    for (const auto& p : launched_) {
      if (!p->exit_code()) {
        p->kill();
        EXPECT_TRUE(wait_for([&] { return p->exit_code().has_value(); }, 5s));
      }
    }
    launched_.clear();
    launcher_.reset();
    work_.reset();
    io_.stop();
    io_thread_.join();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  LaunchRequest request(const fs::path& work_dir = "alice") const {
    LaunchRequest r;
    r.engine_type = "LOCAL";
    r.user = "alice";
    r.ref_id = "3f1b2c4d-ref";
    r.engine_name = "kyuubi_USER_LOCAL_alice_default";
    r.work_dir = root_ / work_dir;
    r.destroy_timeout = 5s;
    r.die_with_parent = true;  // a test that crashes leaves no engine behind
    return r;
  }

  // Launches and keeps the process so that TearDown kills whatever is left.
  std::shared_ptr<EngineProcess> launch(const LaunchRequest& r, Launcher* launcher = nullptr) {
    auto launched = (launcher ? launcher : launcher_.get())->launch(r);
    EXPECT_TRUE(launched.is_ok()) << launched.status().to_string();
    if (!launched) return nullptr;
    launched_.push_back(*launched);
    return *launched;
  }

  // Waits for the address (or the exit); the address, or "" with the test failed.
  static std::string await_address(const EngineProcess& p) {
    const bool settled =
        wait_for([&] { return p.announced_address() || p.exit_code(); }, std::chrono::seconds(20));
    EXPECT_TRUE(settled) << "no address after 20 s";
    auto address = p.announced_address();
    EXPECT_TRUE(address.has_value()) << "exit code " << p.exit_code().value_or(-1) << ", log:\n"
                                     << read_file(p.log_path());
    return address.value_or("");
  }

  static std::optional<int> await_exit(const EngineProcess& p,
                                       std::chrono::milliseconds timeout = 10s) {
    wait_for([&] { return p.exit_code().has_value(); }, timeout);
    return p.exit_code();
  }

  // A stand-in engine: a shell script that ignores its arguments.
  fs::path script(const std::string& name, const std::string& body) const {
    const fs::path path = root_ / name;
    std::ofstream(path) << "#!/bin/sh\n" << body;
    fs::permissions(path, fs::perms::owner_all);
    return path;
  }

  fs::path root_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::thread io_thread_;
  std::unique_ptr<Launcher> launcher_;
  std::vector<std::shared_ptr<EngineProcess>> launched_;
};

TEST_F(LocalLauncherTest, AnnouncesTheAddressItListensOn) {
  EXPECT_EQ(launcher_->engine_type(), "LOCAL");
  auto p = launch(request());
  ASSERT_TRUE(p);
  const std::string address = await_address(*p);
  ASSERT_TRUE(address.starts_with("127.0.0.1:")) << address;
  const int port = std::stoi(address.substr(10));
  ASSERT_GT(port, 0);

  asio::io_context io;
  tcp::socket socket(io);
  error_code ec;
  socket.connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)), ec);
  EXPECT_FALSE(ec) << ec.message();

  // The launch contract's keys are on its command line, and it leads a process group of its own.
  const std::string cmdline = proc_text(p->pid(), "cmdline");
  for (const char* pair : {"kyuubi.frontend.thrift.binary.bind.host=127.0.0.1",
                           "kyuubi.frontend.thrift.binary.bind.port=0", "kyuubi.session.user=alice",
                           "kyuubi.ha.engine.ref.id=3f1b2c4d-ref",
                           "kyuubi.engine.name=kyuubi_USER_LOCAL_alice_default"}) {
    EXPECT_NE(cmdline.find(std::string("--conf ") + pair), std::string::npos)
        << pair << " not in " << cmdline;
  }
  EXPECT_EQ(::getpgid(p->pid()), p->pid());
  EXPECT_FALSE(p->exit_code().has_value());
}

TEST_F(LocalLauncherTest, CreatesItsWorkDirAndANewLogForEachLaunch) {
  const fs::path dir = root_ / "work" / "alice";
  auto first = launch(request("work/alice"));
  ASSERT_TRUE(first);
  await_address(*first);

  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((root_ / "work").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(first->log_path(), dir / "kitsune-engine.log.0");
  ASSERT_EQ(::stat(first->log_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // The engine's stderr goes to the log, and it runs in the work dir (its data dir is relative).
  EXPECT_NE(read_file(first->log_path()).find("listening on"), std::string::npos);
  EXPECT_TRUE(fs::is_directory(dir / "local_data"));

  auto second = launch(request("work/alice"));
  ASSERT_TRUE(second);
  await_address(*second);
  EXPECT_EQ(second->log_path(), dir / "kitsune-engine.log.1");
}

TEST_F(LocalLauncherTest, ReusesALogOlderThanTheLogTimeout) {
  const fs::path dir = root_ / "alice";
  for (int i = 0; i < 2; ++i) {
    auto p = launch(request());
    ASSERT_TRUE(p);
    EXPECT_EQ(p->log_path(), dir / ("kitsune-engine.log." + std::to_string(i)));
    p->kill();
    ASSERT_TRUE(await_exit(*p));
  }
  std::ofstream(dir / "kitsune-engine.log.0", std::ios::app) << "a line from long ago\n";
  fs::last_write_time(dir / "kitsune-engine.log.0",
                      fs::file_time_type::clock::now() - std::chrono::hours(48));

  auto again = launch(request());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->log_path(), dir / "kitsune-engine.log.0");
  await_address(*again);
  const std::string log = read_file(again->log_path());
  EXPECT_EQ(log.find("a line from long ago"), std::string::npos) << "not truncated";
  EXPECT_NE(log.find("listening on"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir / "kitsune-engine.log.1"));
  EXPECT_FALSE(fs::exists(dir / "kitsune-engine.log.2"));
}

TEST_F(LocalLauncherTest, TerminateDrainsTheEngineAndTellsTheListener) {
  auto p = launch(request());
  ASSERT_TRUE(p);
  await_address(*p);
  auto calls = std::make_shared<Calls>();
  p->set_listener(Calls::listener(calls));  // the address is already there: called at once
  ASSERT_TRUE(wait_for([&] { return calls->count() == 1; }, 5s));

  p->terminate();
  EXPECT_EQ(await_exit(*p), 0) << read_file(p->log_path());
  EXPECT_TRUE(wait_for([&] { return calls->count() == 2; }, 5s)) << calls->count();
  EXPECT_NE(read_file(p->log_path()).find("stopping: SIGTERM"), std::string::npos);
  // Calls after the exit do nothing.
  p->terminate();
  p->kill();
}

TEST_F(LocalLauncherTest, KillEndsTheEngineWithCode137) {
  auto p = launch(request());
  ASSERT_TRUE(p);
  await_address(*p);
  p->kill();
  EXPECT_EQ(await_exit(*p), 128 + SIGKILL);
}

TEST_F(LocalLauncherTest, AnEngineThatFailsAtStartShowsItsOwnMessage) {
  LaunchRequest r = request();
  r.conf = {{"kyuubi.frontend.thrift.binary.bind.port", "notaport"}};
  auto calls = std::make_shared<Calls>();
  auto p = launch(r);
  ASSERT_TRUE(p);
  p->set_listener(Calls::listener(calls));
  EXPECT_EQ(await_exit(*p), 2);
  EXPECT_FALSE(p->announced_address().has_value());
  EXPECT_NE(p->error_text().find("kyuubi.frontend.thrift.binary.bind.port: expected an integer, "
                                 "got 'notaport'"),
            std::string::npos)
      << p->error_text();
  EXPECT_TRUE(wait_for([&] { return calls->count() == 1; }, 5s));
  // The request's own value won over the launcher's default.
  EXPECT_EQ(launcher_->describe(r).find("bind.port=0"), std::string::npos);
}

TEST_F(LocalLauncherTest, AMissingExecutableFailsTheLaunchNamingIt) {
  auto launcher = make_local_launcher(io_, root_ / "no-such-engine", "127.0.0.1");
  auto launched = launcher->launch(request());
  ASSERT_FALSE(launched.is_ok());
  EXPECT_EQ(launched.status().message(),
            "cannot start " + (root_ / "no-such-engine").string() + ": No such file or directory");
}

TEST_F(LocalLauncherTest, SecretsStayOffTheCommandLineButReachTheEngine) {
  LaunchRequest r = request();
  r.conf = {{"kyuubi.session.engine.idle.timeout", "PT10M"}, {"some.password", "hunter2"}};
  const std::string described = launcher_->describe(r);
  EXPECT_EQ(described.find("hunter2"), std::string::npos) << described;
  EXPECT_NE(described.find("1 secret key passed privately: some.password=*********(redacted)"),
            std::string::npos)
      << described;

  auto p = launch(r);
  ASSERT_TRUE(p);
  const std::string address = await_address(*p);
  ASSERT_FALSE(address.empty());
  EXPECT_EQ(proc_text(p->pid(), "cmdline").find("hunter2"), std::string::npos);
  EXPECT_NE(proc_text(p->pid(), "cmdline").find("idle.timeout=PT10M"), std::string::npos);
  // The engine scrubs the variable's bytes, so not even its initial environment shows it.
  EXPECT_EQ(proc_text(p->pid(), "environ").find("hunter2"), std::string::npos);

  const int port = std::stoi(address.substr(address.rfind(':') + 1));
  auto show = [port](std::string statement) -> awaitable<Result<std::string>> {
    auto session = co_await testing::open_client_session("127.0.0.1", port, false);
    if (!session) co_return session.status();
    tcli::TExecuteStatementReq exec;
    exec.sessionHandle = session->handle;
    exec.statement = std::move(statement);
    auto executed = co_await session->client->execute_statement(exec);
    if (!executed) co_return executed.status();
    if (executed->status.statusCode != tcli::TStatusCode::SUCCESS_STATUS) {
      co_return Status::error(executed->status.errorMessage);
    }
    tcli::TFetchResultsReq fetch;
    fetch.operationHandle = executed->operationHandle;
    fetch.maxRows = 10;
    auto fetched = co_await session->client->fetch_results(fetch);
    if (!fetched) co_return fetched.status();
    const auto& columns = fetched->results.columns;
    if (columns.empty() || columns[0].stringVal.values.size() != 1) {
      co_return Status::error("SET did not return one row");
    }
    co_return columns[0].stringVal.values[0];
  };
  auto set = testing::run_coroutine(show("SET some.password"));
  ASSERT_TRUE(set.is_ok()) << set.status().to_string();
  EXPECT_EQ(*set, "some.password=*********(redacted)");
  auto control = testing::run_coroutine(show("SET other.password"));
  ASSERT_TRUE(control.is_ok()) << control.status().to_string();
  EXPECT_EQ(*control, "other.password is undefined");

  EXPECT_EQ(read_file(p->log_path()).find("hunter2"), std::string::npos);
}

TEST_F(LocalLauncherTest, ASecretWithALineBreakFailsTheLaunch) {
  LaunchRequest r = request();
  r.conf = {{"db.password", "hunter2\nkyuubi.authentication=NOSASL"}};
  auto launched = launcher_->launch(r);
  ASSERT_FALSE(launched.is_ok());
  EXPECT_NE(launched.status().message().find("db.password"), std::string::npos);
  EXPECT_NE(launched.status().message().find("line break"), std::string::npos);
  EXPECT_EQ(launched.status().message().find("hunter2"), std::string::npos);
}

TEST_F(LocalLauncherTest, DescribeShowsTheCommandLineWithSecretsRedacted) {
  LaunchRequest r = request();
  r.conf = {{"a.b", "c d"}, {"kyuubi.engine.name", "mine"}, {"x.token", "t0k"}, {"y.secret", "s"}};
  const std::string d = launcher_->describe(r);
  EXPECT_TRUE(d.starts_with(kEngine + " --conf 'a.b=c d' --conf kyuubi.engine.name=mine")) << d;
  EXPECT_NE(d.find("--conf kyuubi.session.user=alice"), std::string::npos) << d;
  EXPECT_EQ(d.find("kyuubi_USER_LOCAL_alice_default"), std::string::npos) << d;
  EXPECT_EQ(d.find("t0k"), std::string::npos) << d;
  EXPECT_NE(d.find("(and 2 secret keys passed privately: x.token=*********(redacted) "
                   "y.secret=*********(redacted))"),
            std::string::npos)
      << d;
}

TEST_F(LocalLauncherTest, TerminateEscalatesToSigkillAfterTheDestroyTimeout) {
  auto launcher = make_local_launcher(
      io_, script("stubborn.sh", "trap '' TERM\necho 127.0.0.1:9\nwhile :; do sleep 0.05; done\n"),
      "127.0.0.1");
  LaunchRequest r = request();
  r.destroy_timeout = 300ms;
  auto p = launch(r, launcher.get());
  ASSERT_TRUE(p);
  EXPECT_EQ(await_address(*p), "127.0.0.1:9");
  const auto started = Clock::now();
  p->terminate();
  EXPECT_EQ(await_exit(*p), 128 + SIGKILL);
  EXPECT_GE(Clock::now() - started, 300ms);
}

TEST_F(LocalLauncherTest, WaitsForTheRealExitAfterStdoutCloses) {
  auto launcher = make_local_launcher(
      io_,
      script("closes-stdout.sh",
             "echo a banner first\necho 127.0.0.1:4242\necho more\nexec >&-\nsleep 0.3\nexit 3\n"),
      "127.0.0.1");
  const auto started = Clock::now();
  auto p = launch(request(), launcher.get());
  ASSERT_TRUE(p);
  EXPECT_EQ(await_exit(*p), 3);
  EXPECT_GE(Clock::now() - started, 300ms);
  EXPECT_EQ(p->announced_address(), "127.0.0.1:4242");
}

TEST_F(LocalLauncherTest, DieWithParentEndsTheEngineWithTheThreadThatLaunchedIt) {
  // The kernel sends PR_SET_PDEATHSIG when the launching thread ends, which a thread shows as
  // well as a whole gateway; an engine launched without the flag stays.
  std::shared_ptr<EngineProcess> bound, free;
  std::thread launching([&] {
    bound = launch(request());
    LaunchRequest r = request();
    r.die_with_parent = false;
    free = launch(r);
    if (bound) await_address(*bound);
  });
  launching.join();
  ASSERT_TRUE(bound && free);
  const auto code = await_exit(*bound);
  ASSERT_TRUE(code.has_value()) << "the engine outlived the thread that launched it";
  // SIGTERM: drained (0), or killed before it set up its handler (143).
  EXPECT_TRUE(*code == 0 || *code == 128 + SIGTERM) << *code;
  EXPECT_FALSE(free->exit_code().has_value());
}

TEST_F(LocalLauncherTest, DroppingTheHandleLeavesTheEngineRunningAndStillReapsIt) {
  int pid = 0;
  auto calls = std::make_shared<Calls>();
  {
    auto launched = launcher_->launch(request());
    ASSERT_TRUE(launched.is_ok()) << launched.status().to_string();
    std::shared_ptr<EngineProcess> p = *launched;
    await_address(*p);
    pid = p->pid();
    p->set_listener(Calls::listener(calls));
    ASSERT_TRUE(wait_for([&] { return calls->count() == 1; }, 5s));
  }
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(::kill(pid, 0), 0) << "the engine went away with its handle";
  ::kill(pid, SIGKILL);
  // No zombie: the watcher reaps it although nobody holds the handle any more.
  EXPECT_TRUE(wait_for([&] { return !fs::exists("/proc/" + std::to_string(pid)); }, 5s));
  EXPECT_EQ(calls->count(), 1) << "the listener was called after its handle was gone";
}

}  // namespace
}  // namespace kitsune::engine
