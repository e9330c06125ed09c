// Reading spark-submit's output for the application's id, address and state.
#include "spark_output.h"

#include <regex>

#include "kitsune/common/strings.h"

namespace kitsune::batch {
namespace {

std::string yarn_state(const std::string& s) {
  if (s == "NEW" || s == "NEW_SAVING" || s == "SUBMITTED" || s == "ACCEPTED") return "PENDING";
  if (s == "RUNNING" || s == "FINISHED" || s == "FAILED" || s == "KILLED") return s;
  return {};
}

void scan_line(std::string_view line, SparkAppInfo& info) {
  static const std::regex id_re(R"(\b(application_\d+_\d+|local-\d{10,}|spark-[0-9a-f]{32})\b)");
  static const std::regex yarn_state_re(R"(\(state: ([A-Z_]+)\))");
  static const std::regex final_re(R"(final status: ([A-Z]+))");
  static const std::regex tracking_re(R"(tracking URL: (\S+))");
  static const std::regex ui_re(R"(started at (https?://\S+))");
  static const std::regex phase_re(R"(phase: (Pending|Running|Succeeded|Failed))");
  const std::string text(line);
  std::smatch m;
  if (info.id.empty() && std::regex_search(text, m, id_re)) info.id = m[1];
  if (text.find("tracking URL:") != std::string::npos && std::regex_search(text, m, tracking_re)) {
    if (m[1] != "N/A") info.url = m[1];
  } else if (text.find("started at") != std::string::npos && std::regex_search(text, m, ui_re)) {
    info.url = m[1];
  }
  if (info.final) return;
  if (text.find("final status:") != std::string::npos && std::regex_search(text, m, final_re)) {
    const std::string s = m[1];
    if (s == "SUCCEEDED") {
      info.state = "FINISHED";
      info.final = true;
    } else if (s == "FAILED" || s == "KILLED") {
      info.state = s;
      info.final = true;
    }
  } else if (text.find("(state:") != std::string::npos &&
             std::regex_search(text, m, yarn_state_re)) {
    if (auto s = yarn_state(m[1]); !s.empty()) info.state = s;
  } else if (text.find("phase:") != std::string::npos && std::regex_search(text, m, phase_re)) {
    const std::string p = m[1];
    if (p == "Pending") info.state = "PENDING";
    if (p == "Running") info.state = "RUNNING";
    if (p == "Succeeded") info.state = "FINISHED";
    if (p == "Failed") info.state = "FAILED";
  }
}

}  // namespace

void scan_spark_output(std::string_view text, SparkAppInfo& info) {
  for (std::size_t pos = 0; pos < text.size();) {
    const auto nl = text.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    const std::string_view line = text.substr(pos, end - pos);
    // Lines of a stack trace or of the user's own output are long and many; only short ones are
    // the launcher's reports.
    if (line.size() <= 4096) scan_line(line, info);
    pos = end + 1;
  }
}

}  // namespace kitsune::batch
