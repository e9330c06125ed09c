// The audit log of login attempts: a file of its own, or the server log's "audit" logger.
#include "kitsune/auth/audit_log.h"

#include <cstdio>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include "kitsune/common/log.h"

namespace kitsune::auth {
namespace {

// One field, printable: control characters, quotes and backslashes escaped, and bounded, so that
// a client cannot forge or flood lines through its user name.
std::string field(std::string_view text) {
  constexpr std::size_t kMax = 512;
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > kMax) out += "...";
  return out;
}

}  // namespace

Result<std::shared_ptr<AuditLog>> AuditLog::from_conf(const config::Conf& conf) {
  const std::string path = conf.get(config::keys::kAuthenticationAuditLog);
  if (path.empty()) return std::make_shared<AuditLog>(logger("audit"));
  try {
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, /*truncate=*/false);
    auto l = std::make_shared<spdlog::logger>("audit-file", std::move(sink));
    l->set_pattern("%Y-%m-%d %H:%M:%S.%e %v");
    l->set_level(spdlog::level::info);
    l->flush_on(spdlog::level::info);
    return std::make_shared<AuditLog>(std::move(l));
  } catch (const spdlog::spdlog_ex& e) {
    return Status::error("kitsune.authentication.audit.log: cannot open " + path + ": " + e.what());
  }
}

AuditLog::AuditLog(std::shared_ptr<spdlog::logger> logger) : logger_(std::move(logger)) {}

void AuditLog::record(const LoginAttempt& a) {
  // Kyuubi's audit style: tab-separated key=value.
  logger_->info(
      "login\tclient={}\tuser=\"{}\"\tmechanism={}\ttransport={}\tresult={}\treason=\"{}\"",
      field(a.client), field(a.user), field(a.mechanism.empty() ? "-" : a.mechanism),
      field(a.transport), a.allowed ? "allowed" : "refused", field(a.reason));
}

}  // namespace kitsune::auth
