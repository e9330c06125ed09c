// Logins and secret scans for the password provider tests.
#include "provider_calls.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "gateway_calls.h"
#include "kitsune/client/hs2_client.h"
#include "raw_socket.h"

namespace kitsune::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

client::ClientOptions options_for(const GatewayProcess& gw, const std::string& user,
                                  const std::string& password) {
  client::ClientOptions options;
  options.host = gw.host();
  options.port = gw.port();
  options.user = user;
  options.password = password;
  return options;
}

awaitable<Result<std::vector<std::string>>> login_and_query_async(client::ClientOptions options,
                                                                  std::string sql) {
  auto c = co_await client::Hs2Client::connect(std::move(options));
  if (!c) co_return c.status();
  tcli::TOpenSessionReq open;
  open.client_protocol = tcli::TProtocolVersion::HIVE_CLI_SERVICE_PROTOCOL_V10;
  auto opened = co_await (*c)->open_session(open);
  if (!opened) co_return opened.status();
  if (opened->status.statusCode != tcli::TStatusCode::SUCCESS_STATUS) {
    co_return Status::error("OpenSession: " + opened->status.errorMessage);
  }
  auto rows = co_await query(**c, opened->sessionHandle, std::move(sql));
  tcli::TCloseSessionReq close;
  close.sessionHandle = opened->sessionHandle;
  (void)co_await (*c)->close_session(close);
  co_return rows;
}

awaitable<Status> login_async(client::ClientOptions options) {
  auto c = co_await client::Hs2Client::connect(std::move(options));
  co_return c ? Status::ok() : c.status();
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

Result<std::vector<std::string>> login_and_query(const GatewayProcess& gw, const std::string& user,
                                                 const std::string& password,
                                                 const std::string& sql) {
  asio::io_context io;
  auto done = run_for(io, login_and_query_async(options_for(gw, user, password), sql), 60s);
  if (!done) return Status::timed_out("the login and query did not finish within 60 s");
  return std::move(*done);
}

Status login(const GatewayProcess& gw, const std::string& user, const std::string& password) {
  asio::io_context io;
  auto done = run_for(io, login_async(options_for(gw, user, password)), 60s);
  if (!done) return Status::timed_out("the login did not finish within 60 s");
  return std::move(*done);
}

std::string log_once_it_says(const GatewayProcess& gw, const std::string& text) {
  std::string pattern;
  for (char ch : text) {
    if (std::string_view("\\^$.|?*+()[]{}").find(ch) != std::string_view::npos) pattern += '\\';
    pattern += ch;
  }
  (void)gw.wait_for_log(std::regex(pattern), 10s);
  return gw.log();
}

void expect_no_secret_leaked(const GatewayProcess& gw, const std::vector<std::string>& secrets) {
  std::vector<std::pair<std::string, std::string>> places = {
      {"the server's stderr", gw.log()}, {"the server's stdout", gw.stdout_text()}};
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(gw.work_dir(), ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) places.emplace_back(it->path().string(), read_file(it->path()));
  }
  for (pid_t engine : gw.engine_pids()) {
    const std::string proc = "/proc/" + std::to_string(engine);
    places.emplace_back("engine " + std::to_string(engine) + "'s command line",
                        read_file(proc + "/cmdline"));
    places.emplace_back("engine " + std::to_string(engine) + "'s environment",
                        read_file(proc + "/environ"));
  }
  for (const auto& secret : secrets) {
    ASSERT_FALSE(secret.empty());
    for (const auto& [where, text] : places) {
      EXPECT_EQ(text.find(secret), std::string::npos) << "'" << secret << "' is in " << where;
    }
  }
}

}  // namespace kitsune::testing
