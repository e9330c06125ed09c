// Splitting a SQL batch's script into statements.
#include "sql_script.h"

#include "kitsune/common/strings.h"

namespace kitsune::batch {

std::vector<std::string> split_sql_statements(std::string_view script) {
  std::vector<std::string> out;
  std::string current;
  bool meaningful = false;  // the current piece has something besides blanks and comments
  auto finish = [&] {
    if (meaningful) out.emplace_back(trim(current));
    current.clear();
    meaningful = false;
  };
  for (std::size_t i = 0; i < script.size(); ++i) {
    const char c = script[i];
    const char next = i + 1 < script.size() ? script[i + 1] : '\0';
    if (c == '\'' || c == '"' || c == '`') {
      // A quoted run, to its closing quote (or the end of the script).
      const std::size_t start = i;
      for (++i; i < script.size() && script[i] != c; ++i) {
        if (script[i] == '\\' && c != '`' && i + 1 < script.size()) ++i;
      }
      current.append(script.substr(start, std::min(i, script.size() - 1) - start + 1));
      meaningful = true;
      continue;
    }
    if (c == '-' && next == '-') {
      const std::size_t end = script.find('\n', i);
      const std::size_t stop = end == std::string_view::npos ? script.size() : end;
      if (meaningful) current.append(script.substr(i, stop - i));  // leading comments go
      i = stop - 1;  // the newline (if any) is kept by the next turn
      continue;
    }
    if (c == '/' && next == '*') {
      const std::size_t end = script.find("*/", i + 2);
      const std::size_t stop = end == std::string_view::npos ? script.size() : end + 2;
      if (meaningful) current.append(script.substr(i, stop - i));
      i = stop - 1;
      continue;
    }
    if (c == ';') {
      finish();
      continue;
    }
    current += c;
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') {
      meaningful = true;
    }
  }
  finish();
  return out;
}

}  // namespace kitsune::batch
