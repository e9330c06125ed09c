// Logger registry: one spdlog logger per layer, all writing to one stderr sink.
#include "kitsune/common/log.h"

#include <mutex>

#include <spdlog/sinks/stdout_sinks.h>

namespace kitsune {
namespace {

struct Registry {
  std::mutex mu;
  spdlog::level::level_enum level = spdlog::level::info;
  spdlog::sink_ptr sink;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void init_logging(std::string_view level) {
  auto& r = registry();
  std::lock_guard lock(r.mu);
  r.level = spdlog::level::from_str(std::string(level));
  if (!r.sink) r.sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] %v");
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) { l->set_level(r.level); });
  spdlog::flush_on(spdlog::level::info);
}

std::shared_ptr<spdlog::logger> logger(const std::string& layer) {
  auto& r = registry();
  std::lock_guard lock(r.mu);
  if (auto existing = spdlog::get(layer)) return existing;
  if (!r.sink) r.sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto l = std::make_shared<spdlog::logger>(layer, r.sink);
  l->set_level(r.level);
  l->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] %v");
  l->flush_on(spdlog::level::info);
  spdlog::register_logger(l);
  return l;
}

}  // namespace kitsune
