// kyuubi-defaults.conf: java.util.Properties parsing, per-user defaults, --conf overlay, checks.
#include "kitsune/config/conf_file.h"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

namespace kitsune::config {
namespace fs = std::filesystem;

namespace {

// Java's Properties treats only these as blanks between and around keys.
bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\f';
}
bool is_eol(char c) {
  return c == '\n' || c == '\r';
}

struct LogicalLine {
  std::string text;  // continuation backslashes removed, escapes still in place
  std::size_t line;  // where it starts, 1-based
};

// Joins natural lines into logical ones and drops blank and comment lines, as Properties.load
// does: a line ending in an odd number of backslashes continues on the next one, whose leading
// blanks are dropped; a comment is a '#' or '!' at the start of a natural line only.
std::vector<LogicalLine> logical_lines(std::string_view text) {
  std::vector<LogicalLine> out;
  const std::size_t n = text.size();
  std::size_t i = 0, line = 1;
  auto skip_eol = [&] {
    if (i < n && text[i] == '\r') {
      ++i;
      if (i < n && text[i] == '\n') ++i;
      ++line;
    } else if (i < n && text[i] == '\n') {
      ++i;
      ++line;
    }
  };
  auto skip_blanks = [&] {
    while (i < n && is_blank(text[i]))
      ++i;
  };
  while (i < n) {
    skip_blanks();
    if (i >= n) break;
    if (is_eol(text[i])) {
      skip_eol();
      continue;
    }
    if (text[i] == '#' || text[i] == '!') {
      while (i < n && !is_eol(text[i]))
        ++i;
      skip_eol();
      continue;
    }
    LogicalLine logical{{}, line};
    for (;;) {
      const std::size_t start = i;
      while (i < n && !is_eol(text[i]))
        ++i;
      std::string_view segment = text.substr(start, i - start);
      std::size_t backslashes = 0;
      while (backslashes < segment.size() && segment[segment.size() - 1 - backslashes] == '\\')
        ++backslashes;
      skip_eol();
      if (backslashes % 2 == 0) {
        logical.text.append(segment);
        break;
      }
      logical.text.append(segment.substr(0, segment.size() - 1));
      skip_blanks();
      if (i >= n) break;
    }
    out.push_back(std::move(logical));
  }
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The UTF-16 unit of "\uXXXX" at s[i] (i at the backslash), if there is a well-formed one.
std::optional<char32_t> unicode_escape_at(std::string_view s, std::size_t i) {
  if (i + 6 > s.size() || s[i] != '\\' || s[i + 1] != 'u') return std::nullopt;
  char32_t unit = 0;
  for (std::size_t k = i + 2; k < i + 6; ++k) {
    const char c = s[k];
    unit <<= 4;
    if (c >= '0' && c <= '9') {
      unit |= static_cast<char32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      unit |= static_cast<char32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      unit |= static_cast<char32_t>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
  }
  return unit;
}

// Java's loadConvert: resolves the escapes of a key or value.
Result<std::string> unescape(std::string_view s, std::size_t line) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (i + 1 >= s.size()) break;  // a lone trailing backslash means nothing
    const char c = s[i + 1];
    switch (c) {
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        auto unit = unicode_escape_at(s, i);
        if (!unit) {
          return Status::error("line " + std::to_string(line) + ": malformed \\uxxxx encoding");
        }
        char32_t cp = *unit;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          // A high surrogate pairs with an escaped low one; alone, it cannot be UTF-8.
          auto low = unicode_escape_at(s, i + 6);
          if (low && *low >= 0xDC00 && *low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (*low - 0xDC00);
            i += 6;
          } else {
            cp = 0xFFFD;
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          cp = 0xFFFD;
        }
        append_utf8(out, cp);
        i += 4;
        break;
      }
      default:
        out += c;
        break;
    }
    ++i;
  }
  return out;
}

// As Java's String.trim: drops every character up to ' ' at both ends.
std::string_view trim_java(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ')
    s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ')
    s.remove_suffix(1);
  return s;
}

// "___<user>___.<key>" -> {user, key}; nullopt when `key` is not a per-user key.
std::optional<std::pair<std::string, std::string>> split_user_key(std::string_view key) {
  if (!key.starts_with(kUserDefaultsQuote)) return std::nullopt;
  const std::string closing = std::string(kUserDefaultsQuote) + ".";
  const auto end = key.find(closing, kUserDefaultsQuote.size());
  if (end == std::string_view::npos || end == kUserDefaultsQuote.size()) return std::nullopt;
  std::string_view rest = key.substr(end + closing.size());
  if (rest.empty()) return std::nullopt;
  return std::pair{
      std::string(key.substr(kUserDefaultsQuote.size(), end - kUserDefaultsQuote.size())),
      std::string(rest)};
}

Result<std::string> read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::error(file.string() + ": cannot be read: " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::error(file.string() + ": cannot be read: " + std::strerror(errno));
  return buffer.str();
}

// Checks the value of one entry; unknown kyuubi./kitsune. keys become warnings.
Status check_entry(std::string_view key, std::string_view shown_key, std::string_view value,
                   std::string_view source, std::vector<std::string>& warnings) {
  if (const KeyDef* def = find_key(key)) {
    if (Status s = validate_value(*def, value); !s.is_ok()) {
      // validate_value's message starts with the key's name; show the key as it was written.
      std::string reason = s.message();
      if (reason.starts_with(def->name)) reason.erase(0, def->name.size());
      return Status::error(std::string(source) + ": " + std::string(shown_key) + reason);
    }
  } else if ((key.starts_with("kyuubi.") || key.starts_with("kitsune.")) &&
             !is_free_form_key(key)) {
    warnings.push_back("unknown configuration key " + std::string(shown_key) + " (ignored)");
  }
  return Status::ok();
}

std::optional<fs::path> env_conf_dir() {
  const char* env = std::getenv("KYUUBI_CONF_DIR");
  if (env == nullptr || *env == '\0') return std::nullopt;
  return fs::path(env);
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> parse_properties(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte order mark
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& [line_text, line] : logical_lines(text)) {
    std::string_view s = line_text;
    // The key ends at the first unescaped '=', ':' or blank.
    std::size_t key_end = 0;
    std::size_t value_start = s.size();
    bool has_separator = false;
    bool escaped = false;
    for (; key_end < s.size(); ++key_end) {
      const char c = s[key_end];
      if (!escaped && (c == '=' || c == ':')) {
        has_separator = true;
        value_start = key_end + 1;
        break;
      }
      if (!escaped && is_blank(c)) {
        value_start = key_end + 1;
        break;
      }
      escaped = c == '\\' ? !escaped : false;
    }
    // Blanks around the separator; after a blank, one '=' or ':' may still follow.
    while (value_start < s.size()) {
      const char c = s[value_start];
      if (!is_blank(c)) {
        if (has_separator || (c != '=' && c != ':')) break;
        has_separator = true;
      }
      ++value_start;
    }
    auto key = unescape(s.substr(0, key_end), line);
    if (!key) return std::move(key).status();
    auto value = unescape(s.substr(value_start), line);
    if (!value) return std::move(value).status();
    entries.emplace_back(std::move(*key), std::string(trim_java(*value)));
  }
  return entries;
}

Conf ServerConfig::for_user(std::string_view user) const {
  Conf out = conf;
  if (auto it = user_defaults.find(user); it != user_defaults.end()) out.merge(it->second);
  return out;
}

bool is_free_form_key(std::string_view key) {
  static constexpr std::array<std::string_view, 6> kPrefixes = {
      "kyuubi.engineEnv.",
      "kyuubi.batchConf.",
      "kyuubi.kubernetes.",
      "kyuubi.engine.yarn.AMEnv.",
      "kyuubi.metadata.store.jdbc.datasource.",
      "kyuubi.backend.server.event.kafka.",
  };
  for (auto prefix : kPrefixes) {
    if (key.starts_with(prefix)) return true;
  }
  return false;
}

Result<ServerConfig> load_server_config(std::optional<fs::path> conf_dir, const Conf& overrides) {
  ServerConfig out;
  std::vector<std::pair<std::string, std::string>> file_entries;
  std::string file_label;
  if (!conf_dir) {
    out.warnings.push_back(
        "no configuration directory (--conf-dir, KYUUBI_CONF_DIR or <install>/conf): using "
        "built-in defaults and --conf only");
  } else {
    const std::string dir = conf_dir->string();
    std::error_code ec;
    const auto status = fs::status(*conf_dir, ec);
    if (!fs::exists(status)) {
      return Status::error("configuration directory " + dir + " does not exist");
    }
    if (!fs::is_directory(status)) {
      return Status::error("configuration directory " + dir + " is not a directory");
    }
    fs::directory_iterator probe(*conf_dir, ec);
    if (ec)
      return Status::error("configuration directory " + dir + " cannot be read: " + ec.message());
    out.conf_dir = *conf_dir;
    const fs::path file = *conf_dir / kDefaultsFileName;
    file_label = file.string();
    const auto file_status = fs::status(file, ec);
    if (!fs::exists(file_status)) {
      out.warnings.push_back(file_label + " not found: using built-in defaults and --conf only");
    } else if (!fs::is_regular_file(file_status)) {
      return Status::error(file_label + ": not a regular file");
    } else {
      auto text = read_file(file);
      if (!text) return std::move(text).status();
      auto parsed = parse_properties(*text);
      if (!parsed) return Status::error(file_label + ": " + parsed.status().message());
      file_entries = std::move(*parsed);
    }
  }

  // Where each final value came from, for error messages; --conf comes last and so wins.
  std::map<std::string, std::string, std::less<>> source;
  auto put = [&](const std::string& key, const std::string& value, const std::string& label) {
    if (key.empty()) {
      out.warnings.push_back(label + ": an entry with an empty key (ignored)");
    } else if (auto user_key = split_user_key(key)) {
      out.user_defaults[user_key->first].set(user_key->second, value);
      source[key] = label;
    } else if (key.starts_with(kUserDefaultsQuote)) {
      out.warnings.push_back(label + ": malformed per-user key " + key +
                             " (expected ___<user>___.<key>; ignored)");
    } else {
      out.conf.set(key, value);
      source[key] = label;
    }
  };
  for (const auto& [key, value] : file_entries)
    put(key, value, file_label);
  for (const auto& [key, value] : overrides.entries())
    put(key, value, "--conf");

  for (const auto& [key, value] : out.conf.entries()) {
    KITSUNE_RETURN_IF_ERROR(check_entry(key, key, value, source[key], out.warnings));
  }
  for (const auto& [user, conf] : out.user_defaults) {
    for (const auto& [key, value] : conf.entries()) {
      const std::string shown =
          std::string(kUserDefaultsQuote) + user + std::string(kUserDefaultsQuote) + "." + key;
      KITSUNE_RETURN_IF_ERROR(check_entry(key, shown, value, source[shown], out.warnings));
    }
  }
  return out;
}

fs::path default_conf_dir(const fs::path& executable_dir) {
  if (auto env = env_conf_dir()) return *env;
  const fs::path installed = (executable_dir / ".." / "conf").lexically_normal();
  std::error_code ec;
  if (fs::is_directory(installed, ec)) return installed;
  const fs::path source_tree = (executable_dir / ".." / ".." / "conf").lexically_normal();
  if (fs::is_directory(source_tree, ec)) return source_tree;
  return installed;
}

std::optional<fs::path> resolve_conf_dir(const std::optional<fs::path>& flag,
                                         const fs::path& executable_dir) {
  if (flag) return flag;
  if (auto env = env_conf_dir()) return env;
  fs::path dir = default_conf_dir(executable_dir);
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return dir;
  return std::nullopt;
}

}  // namespace kitsune::config
