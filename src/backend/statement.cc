// A small tokenizer over the head of a statement, enough to recognise the engine's own commands.
#include "statement.h"

#include <cctype>
#include <vector>

#include "kitsune/common/strings.h"

namespace kitsune::backend {
namespace {

struct Token {
  enum class Kind { kWord, kQuoted, kString, kSymbol } kind;
  std::string text;  // unquoted contents for kQuoted/kString
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Skips whitespace and SQL comments from `i`.
std::size_t skip_space(std::string_view s, std::size_t i) {
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
    } else if (s.compare(i, 2, "--") == 0) {
      while (i < s.size() && s[i] != '\n')
        ++i;
    } else if (s.compare(i, 2, "/*") == 0) {
      auto close = s.find("*/", i + 2);
      i = close == std::string_view::npos ? s.size() : close + 2;
    } else {
      break;
    }
  }
  return i;
}

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = skip_space(s, 0);
  while (i < s.size()) {
    const std::size_t start = i;
    const char c = s[i];
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || c == '-') {
      // '-' starts a word only for "SET -v"; a "--" comment was skipped above.
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' ||
                              s[i] == '$' || (i == start && s[i] == '-'))) {
        ++i;
      }
      out.push_back({Token::Kind::kWord, std::string(s.substr(start, i - start)), start, i});
    } else if (c == '`' || c == '"' || c == '\'') {
      std::string text;
      ++i;
      while (i < s.size()) {
        if (s[i] == c) {
          if (i + 1 < s.size() && s[i + 1] == c) {  // doubled quote
            text += c;
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (c != '`' && s[i] == '\\' && i + 1 < s.size()) {  // Hive allows \' in strings
          text += s[i + 1];
          i += 2;
          continue;
        }
        text += s[i++];
      }
      // HiveQL reads "..." as a string literal, like '...'; only `...` quotes a name.
      out.push_back(
          {c == '`' ? Token::Kind::kQuoted : Token::Kind::kString, std::move(text), start, i});
    } else {
      ++i;
      out.push_back({Token::Kind::kSymbol, std::string(1, c), start, i});
    }
    i = skip_space(s, i);
  }
  return out;
}

bool is_word(const std::vector<Token>& t, std::size_t i, std::string_view w) {
  return i < t.size() && t[i].kind == Token::Kind::kWord && iequals(t[i].text, w);
}

bool is_symbol(const std::vector<Token>& t, std::size_t i, char c) {
  return i < t.size() && t[i].kind == Token::Kind::kSymbol && t[i].text[0] == c;
}

// An identifier: a bare word or a `quoted` one.
std::optional<std::string> identifier(const std::vector<Token>& t, std::size_t i) {
  if (i >= t.size()) return std::nullopt;
  if (t[i].kind == Token::Kind::kWord || t[i].kind == Token::Kind::kQuoted) return t[i].text;
  return std::nullopt;
}

// The statement without leading comments/space and trailing ';' and space.
std::string_view strip(std::string_view sql) {
  std::size_t begin = skip_space(sql, 0);
  std::string_view s = sql.substr(begin);
  while (!s.empty() && (s.back() == ';' || std::isspace(static_cast<unsigned char>(s.back())))) {
    s.remove_suffix(1);
  }
  return s;
}

Status syntax_error(std::string what) {
  return Status::error(std::move(what), "42000");
}

}  // namespace

bool Statement::has_result_set() const {
  switch (kind) {
    case Kind::kSetAll:
    case Kind::kSetShow:
    case Kind::kShowDatabases:
    case Kind::kShowTables:
    case Kind::kDescribe:
      return true;
    default:
      return false;
  }
}

Result<Statement> parse_statement(std::string_view sql) {
  Statement st;
  const std::string_view body = strip(sql);
  st.text = std::string(body);
  const auto t = tokenize(body);
  if (t.empty()) return syntax_error("the statement is empty");

  if (is_word(t, 0, "set")) {
    // Hive takes what follows SET literally: "SET k=v with spaces".
    std::string_view rest = trim(body.substr(t[0].end));
    if (rest.empty() || rest == "-v") {
      st.kind = Statement::Kind::kSetAll;
      return st;
    }
    auto eq = rest.find('=');
    if (eq == std::string_view::npos) {
      st.kind = Statement::Kind::kSetShow;
      st.key = std::string(rest);
    } else {
      st.kind = Statement::Kind::kSetAssign;
      st.key = std::string(trim(rest.substr(0, eq)));
      st.value = std::string(trim(rest.substr(eq + 1)));
      if (st.key.empty()) return syntax_error("SET needs a key before '='");
    }
    if (st.key.find_first_of(" \t\n") != std::string::npos) {
      return syntax_error("SET: a key cannot contain spaces: '" + st.key + "'");
    }
    return st;
  }

  if (is_word(t, 0, "use")) {
    auto db = identifier(t, 1);
    if (!db || t.size() != 2) return syntax_error("USE expects one database name");
    st.kind = Statement::Kind::kUse;
    st.database = *db;
    return st;
  }

  if (is_word(t, 0, "show") && (is_word(t, 1, "databases") || is_word(t, 1, "schemas"))) {
    st.kind = Statement::Kind::kShowDatabases;
    std::size_t i = 2;
    if (is_word(t, i, "like")) ++i;
    if (i < t.size()) {
      if (t[i].kind != Token::Kind::kString || i + 1 != t.size()) {
        return syntax_error("SHOW DATABASES expects [LIKE] 'pattern'");
      }
      st.pattern = t[i].text;
    }
    return st;
  }

  if (is_word(t, 0, "show") && is_word(t, 1, "tables")) {
    st.kind = Statement::Kind::kShowTables;
    std::size_t i = 2;
    if (is_word(t, i, "in") || is_word(t, i, "from")) {
      auto db = identifier(t, i + 1);
      if (!db) return syntax_error("SHOW TABLES IN expects a database name");
      st.database = *db;
      i += 2;
    }
    if (is_word(t, i, "like")) ++i;
    if (i < t.size()) {
      if (t[i].kind != Token::Kind::kString || i + 1 != t.size()) {
        return syntax_error("SHOW TABLES expects [IN db] [[LIKE] 'pattern']");
      }
      st.pattern = t[i].text;
    }
    return st;
  }

  if (is_word(t, 0, "describe") || is_word(t, 0, "desc")) {
    std::size_t i = 1;
    if (is_word(t, i, "database") || is_word(t, i, "schema") || is_word(t, i, "function")) {
      return Status::unsupported("DESCRIBE " + to_upper(t[i].text) +
                                 " is not supported by this engine");
    }
    if (is_word(t, i, "extended") || is_word(t, i, "formatted")) ++i;
    auto first = identifier(t, i);
    if (!first) return syntax_error("DESCRIBE expects a table name");
    st.kind = Statement::Kind::kDescribe;
    if (is_symbol(t, i + 1, '.')) {
      auto second = identifier(t, i + 2);
      if (!second) return syntax_error("DESCRIBE expects db.table");
      st.database = *first;
      st.table = *second;
      i += 3;
    } else {
      st.table = *first;
      i += 1;
    }
    if (i != t.size()) return Status::unsupported("DESCRIBE of a single column is not supported");
    return st;
  }

  if (is_word(t, 0, "create") && (is_word(t, 1, "database") || is_word(t, 1, "schema"))) {
    std::size_t i = 2;
    if (is_word(t, i, "if") && is_word(t, i + 1, "not") && is_word(t, i + 2, "exists")) {
      st.if_not_exists = true;
      i += 3;
    }
    auto name = identifier(t, i);
    if (!name) return syntax_error("CREATE DATABASE expects a name");
    st.kind = Statement::Kind::kCreateDatabase;
    st.database = *name;
    ++i;
    while (i < t.size()) {
      if (is_word(t, i, "comment") && i + 1 < t.size() && t[i + 1].kind == Token::Kind::kString) {
        i += 2;  // accepted; the local engine keeps no database comments
      } else if (is_word(t, i, "location") || is_word(t, i, "managedlocation")) {
        return Status::unsupported(
            "CREATE DATABASE ... LOCATION is not supported: the local engine keeps each database "
            "as a file in its data directory");
      } else {
        return syntax_error("CREATE DATABASE: unexpected '" + t[i].text + "'");
      }
    }
    return st;
  }

  if (is_word(t, 0, "drop") && (is_word(t, 1, "database") || is_word(t, 1, "schema"))) {
    std::size_t i = 2;
    if (is_word(t, i, "if") && is_word(t, i + 1, "exists")) {
      st.if_exists = true;
      i += 2;
    }
    auto name = identifier(t, i);
    if (!name) return syntax_error("DROP DATABASE expects a name");
    st.kind = Statement::Kind::kDropDatabase;
    st.database = *name;
    ++i;
    if (is_word(t, i, "cascade")) {
      st.cascade = true;
      ++i;
    } else if (is_word(t, i, "restrict")) {
      ++i;
    }
    if (i != t.size()) return syntax_error("DROP DATABASE: unexpected '" + t[i].text + "'");
    return st;
  }

  return st;
}

std::string substitute_variables(
    std::string_view sql,
    const std::function<std::optional<std::string>(std::string_view, std::string_view)>& lookup) {
  std::string out;
  out.reserve(sql.size());
  std::size_t i = 0;
  while (i < sql.size()) {
    if (sql.compare(i, 2, "${") == 0) {
      auto close = sql.find('}', i + 2);
      if (close != std::string_view::npos) {
        std::string_view ref = sql.substr(i + 2, close - i - 2);
        std::string_view ns;
        std::string_view name = ref;
        if (auto colon = ref.find(':'); colon != std::string_view::npos) {
          ns = ref.substr(0, colon);
          name = ref.substr(colon + 1);
        }
        std::optional<std::string> value;
        if (ns.empty() || ns == "hivevar" || ns == "hiveconf") value = lookup(ns, name);
        if (value) {
          out += *value;
          i = close + 1;
          continue;
        }
      }
    }
    out += sql[i++];
  }
  return out;
}

bool show_pattern_matches(std::string_view pattern, std::string_view name) {
  for (const auto& alternative : split(pattern, '|')) {
    // '*' is any run in like_match; '%' and '_' are literal in Hive's SHOW patterns.
    std::string escaped;
    for (char c : alternative) {
      if (c == '%' || c == '_' || c == '\\') escaped += '\\';
      escaped += c;
    }
    if (like_match(escaped, name)) return true;
  }
  return false;
}

}  // namespace kitsune::backend
