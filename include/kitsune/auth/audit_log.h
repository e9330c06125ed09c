// The audit log of login attempts: one line per attempt, never a secret.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace spdlog {
class logger;
}

namespace kitsune::auth {

struct LoginAttempt {
  std::string client;     // "ip:port"
  std::string user;       // as the client gave it (may be empty)
  std::string mechanism;  // PLAIN, GSSAPI, NOSASL, or what the client asked for
  std::string transport;  // binary, binary+tls, http...
  bool allowed = false;
  std::string reason;  // why refused, or what was allowed (never a password)
};

class AuditLog {
 public:
  // kitsune.authentication.audit.log: a file of its own (appended), else the server log under
  // the logger "audit". Fails when the file cannot be opened.
  static Result<std::shared_ptr<AuditLog>> from_conf(const config::Conf& conf);
  explicit AuditLog(std::shared_ptr<spdlog::logger> logger);

  // Thread-safe. Control characters in fields are escaped, so that one attempt is one line.
  void record(const LoginAttempt& attempt);

 private:
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace kitsune::auth
