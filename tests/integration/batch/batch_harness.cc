// The batch tests' harness: io threads, the in-process gateway service, the manager and its calls.
#include "batch_harness.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <sstream>

#include "engine_process.h"
#include "kitsune/common/log.h"
#include "kitsune/engine/launcher.h"
#include "postgres_process.h"

namespace kitsune::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

TempDir::TempDir() {
  char tmpl[] = "/tmp/kitsune-batch-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  // Batches outlive their manager by design; those a test left running (the stand-in's sleeps)
  // are ended here: each process started with this dir on its command line, and its group.
  std::error_code ec;
  for (fs::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(it->path() / "cmdline", std::ios::binary);
    const std::string cmdline((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    if (cmdline.find(path_.string() + "/") == std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (pid == ::getpid()) continue;
    if (::getpgid(pid) == pid) ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  fs::remove_all(path_, ec);
}

IoThread::IoThread() : work_(asio::make_work_guard(io_)) {
  // KITSUNE_TEST_LOG_LEVEL=debug shows what the manager and the gateway do.
  if (const char* level = std::getenv("KITSUNE_TEST_LOG_LEVEL"); level && *level) {
    init_logging(level);
  }
  for (int i = 0; i < 2; ++i)
    threads_.emplace_back([this] { io_.run(); });
}

IoThread::~IoThread() {
  work_.reset();
  // Whatever still runs (process watchers of engines) is abandoned with the io_context.
  io_.stop();
  for (auto& t : threads_)
    t.join();
}

InProcessGateway::InProcessGateway(IoThread& io, const fs::path& work_dir, config::Conf conf)
    : io_(io) {
  discovery_ = discovery::make_embedded_discovery();
  std::vector<std::unique_ptr<engine::Launcher>> launchers;
  launchers.push_back(engine::make_local_launcher(io.io(), engine_binary(), "127.0.0.1", "LOCAL"));
  engine::EngineManagerOptions options;
  options.work_dir_root = work_dir;
  options.redactor = std::make_shared<config::Redactor>("(?i)secret|password|token|access[.]key");
  options.engines_die_with_server = true;
  engines_ =
      std::make_unique<engine::EngineManager>(io.io(), options, *discovery_, std::move(launchers));
  session::GatewayOptions gateway;
  gateway.version = "1.12.0";
  gateway.server_user = "kitsune";
  gateway.server_ip = "127.0.0.1";
  gateway.connection_url = "127.0.0.1:10009";
  gateway.server_conf = std::move(conf);
  service_ = std::make_unique<session::GatewayService>(io.io(), gateway, *engines_, io.pool());
  service_->start();
}

InProcessGateway::~InProcessGateway() {
  session::GatewayService* service = service_.get();
  engine::EngineManager* engines = engines_.get();
  io_.call([service, engines]() -> awaitable<void> {
    co_await service->close_all();
    co_await engines->shutdown(/*all=*/true);
  });
}

batch::Caller caller(const std::string& user, bool administrator) {
  batch::Caller c;
  c.user = user;
  c.real_user = user;
  c.client_ip = "10.0.0.21";
  c.administrator = administrator;
  return c;
}

fs::path make_spark_home(const fs::path& dir) {
  const fs::path home = dir / "spark";
  fs::create_directories(home / "bin");
  const fs::path target = home / "bin" / "spark-submit";
  fs::copy_file(fs::path(KITSUNE_SOURCE_DIR) / "tests/standins/spark-submit-batch-standin", target,
                fs::copy_options::overwrite_existing);
  fs::permissions(target, fs::perms::owner_all);
  return home;
}

config::Conf sqlite_conf(const fs::path& db) {
  config::Conf conf;
  conf.set("kyuubi.metadata.store.jdbc.url", "jdbc:sqlite:" + db.string());
  conf.set("kyuubi.batch.application.check.interval", "PT0.1S");
  conf.set("kyuubi.engine.type", "LOCAL");
  return conf;
}

BatchWorld::BatchWorld(IoThread& io, config::Conf conf, fs::path work_dir, std::string instance,
                       frontend::Hs2Service* sql_service)
    : io_(io), work_dir_(std::move(work_dir)) {
  batch::BatchEnvironment env;
  env.instance = std::move(instance);
  env.work_dir_root = work_dir_.string();
  env.sql_service = sql_service;
  env.pool = &io.pool();
  env.kyuubi_home = work_dir_.parent_path();
  auto made = batch::BatchManager::create(io.io(), conf, std::move(env));
  if (!made) throw std::runtime_error("BatchManager::create: " + made.status().message());
  manager_ = std::move(made).value();
  batch::BatchManager* m = manager_.get();
  Status started = io.call([m] { return m->start(); });
  if (!started.is_ok()) throw std::runtime_error("BatchManager::start: " + started.message());
}

BatchWorld::~BatchWorld() {
  shut_down();
}

void BatchWorld::shut_down() {
  if (!manager_) return;
  batch::BatchManager* m = manager_.get();
  io_.call([m] { return m->stop(); });
  manager_.reset();
}

Result<batch::Batch> BatchWorld::submit(const batch::Caller& who, batch::BatchRequest request,
                                        std::vector<batch::Upload> uploads) {
  batch::BatchManager* m = manager_.get();
  return io_.call([&] { return m->submit(who, std::move(request), std::move(uploads)); });
}

Result<batch::Batch> BatchWorld::get(const batch::Caller& who, const std::string& id) {
  batch::BatchManager* m = manager_.get();
  return io_.call([&] { return m->get(who, id); });
}

Result<std::vector<batch::Batch>> BatchWorld::list(const batch::Caller& who,
                                                   const batch::BatchFilter& f) {
  batch::BatchManager* m = manager_.get();
  return io_.call([&] { return m->list(who, f); });
}

Result<batch::LogSlice> BatchWorld::log(const batch::Caller& who, const std::string& id, int from,
                                        int size) {
  batch::BatchManager* m = manager_.get();
  return io_.call([&] { return m->local_log(who, id, from, size); });
}

Result<batch::CloseResult> BatchWorld::close(const batch::Caller& who, const std::string& id) {
  batch::BatchManager* m = manager_.get();
  return io_.call([&] { return m->close(who, id); });
}

std::string BatchWorld::log_text(const std::string& id) {
  auto slice = log(caller("admin", true), id);
  if (!slice) return "(no log: " + slice.status().message() + ")";
  std::string out;
  for (const auto& row : slice->rows)
    out += row + "\n";
  return out;
}

std::size_t BatchWorld::log_lines_equal_to(const std::string& id, const std::string& line) {
  auto slice = log(caller("admin", true), id);
  if (!slice) return 0;
  return static_cast<std::size_t>(std::count(slice->rows.begin(), slice->rows.end(), line));
}

batch::Batch BatchWorld::wait_for_state(const std::string& id,
                                        const std::vector<std::string>& states,
                                        std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  batch::Batch last;
  while (true) {
    auto b = get(caller("admin", true), id);
    if (b) {
      last = *b;
      for (const auto& s : states) {
        if (b->state == s) return last;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ADD_FAILURE() << "batch " << id << " is " << last.state << ", not in the awaited states; "
                    << "its log:\n"
                    << log_text(id);
      return last;
    }
    std::this_thread::sleep_for(50ms);
  }
}

batch::Batch BatchWorld::wait_for_end(const std::string& id, std::chrono::milliseconds timeout) {
  return wait_for_state(id, {"FINISHED", "ERROR", "CANCELED"}, timeout);
}

namespace {

constexpr const char* kDbPassword = "meta-pw-Qz71x";

PostgresProcess& postgres() {
  static PostgresProcess pg;  // stopped at exit
  static const bool role = [] {
    pg.sql(std::string("CREATE ROLE kitsune_meta LOGIN PASSWORD '") + kDbPassword + "'");
    return true;
  }();
  (void)role;
  return pg;
}

}  // namespace

std::string postgres_database() {
  static std::atomic<int> next{0};
  const std::string name = "meta_" + std::to_string(::getpid()) + "_" + std::to_string(next++);
  postgres().sql("CREATE DATABASE " + name + " OWNER kitsune_meta");
  return name;
}

int postgres_port() {
  return postgres().port();
}

config::Conf postgres_conf(const std::string& database) {
  config::Conf conf;
  conf.set("kyuubi.metadata.store.jdbc.database.type", "POSTGRESQL");
  conf.set("kyuubi.metadata.store.jdbc.url",
           "jdbc:postgresql://127.0.0.1:" + std::to_string(postgres().port()) + "/" + database);
  conf.set("kyuubi.metadata.store.jdbc.user", "kitsune_meta");
  conf.set("kyuubi.metadata.store.jdbc.password", kDbPassword);
  conf.set("kyuubi.batch.application.check.interval", "PT0.1S");
  conf.set("kyuubi.engine.type", "LOCAL");
  return conf;
}

std::vector<std::string> lines_with(const std::string& text, const std::string& part) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(part) != std::string::npos) out.push_back(line);
  }
  return out;
}

std::vector<std::string> file_lines(const fs::path& file) {
  std::vector<std::string> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

}  // namespace kitsune::testing
