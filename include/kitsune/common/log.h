// Named spdlog loggers, one per layer, and the process-wide logging setup.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace kitsune {

// Configures every logger: level ("trace".."off"), and stderr output (stdout is kept for the
// one line a process prints about itself, such as its bound address). Call once, early.
void init_logging(std::string_view level);

// The logger of a layer ("transport", "frontend", "backend", ...), created on first use with the
// process-wide level. Thread-safe.
std::shared_ptr<spdlog::logger> logger(const std::string& layer);

}  // namespace kitsune
