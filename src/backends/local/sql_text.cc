// Tokenizes SQLite SQL just far enough to find qualifiers, blank tails and first keywords.
#include "local/sql_text.h"

#include <array>
#include <cctype>
#include <vector>

#include "kitsune/common/strings.h"

namespace kitsune::backends::local {
namespace {

enum class TokenKind { kSpace, kComment, kWord, kQuotedName, kString, kNumber, kParameter, kPunct };

struct Token {
  TokenKind kind;
  std::size_t begin;
  std::size_t end;
};

bool is_word_start(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u >= 0x80;
}

bool is_word_char(char c) {
  return is_word_start(c) || (c >= '0' && c <= '9') || c == '$';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Splits SQL into tokens the way SQLite's tokenizer delimits them. Malformed input (an
// unterminated literal or comment) ends at the end of the text, as SQLite would report it.
class Lexer {
 public:
  explicit Lexer(std::string_view sql) : sql_(sql) {}

  std::optional<Token> next() {
    if (pos_ >= sql_.size()) return std::nullopt;
    const std::size_t begin = pos_;
    const TokenKind kind = scan();
    return Token{kind, begin, pos_};
  }

 private:
  char at(std::size_t i) const { return i < sql_.size() ? sql_[i] : '\0'; }

  // Skips to just past `close`; a doubled `close` is an escaped one when `doubling` is set.
  void skip_quoted(char close, bool doubling) {
    ++pos_;
    while (pos_ < sql_.size()) {
      if (sql_[pos_] == close) {
        if (doubling && at(pos_ + 1) == close) {
          pos_ += 2;
          continue;
        }
        ++pos_;
        return;
      }
      ++pos_;
    }
  }

  TokenKind scan() {
    const char c = sql_[pos_];
    if (is_space(c)) {
      while (pos_ < sql_.size() && is_space(sql_[pos_])) {
        ++pos_;
      }
      return TokenKind::kSpace;
    }
    if (c == '-' && at(pos_ + 1) == '-') {
      while (pos_ < sql_.size() && sql_[pos_] != '\n') {
        ++pos_;
      }
      return TokenKind::kComment;
    }
    if (c == '/' && at(pos_ + 1) == '*') {
      const std::size_t close = sql_.find("*/", pos_ + 2);
      pos_ = close == std::string_view::npos ? sql_.size() : close + 2;
      return TokenKind::kComment;
    }
    if (c == '\'') {
      skip_quoted('\'', true);
      return TokenKind::kString;
    }
    if (c == '"' || c == '`') {
      skip_quoted(c, true);
      return TokenKind::kQuotedName;
    }
    if (c == '[') {
      skip_quoted(']', false);
      return TokenKind::kQuotedName;
    }
    if ((c == 'x' || c == 'X') && at(pos_ + 1) == '\'') {  // blob literal x'0A'
      ++pos_;
      skip_quoted('\'', false);
      return TokenKind::kString;
    }
    if (is_digit(c) || (c == '.' && is_digit(at(pos_ + 1)))) {
      scan_number();
      return TokenKind::kNumber;
    }
    if (is_word_start(c)) {
      while (pos_ < sql_.size() && is_word_char(sql_[pos_])) {
        ++pos_;
      }
      return TokenKind::kWord;
    }
    if (c == '?' || c == ':' || c == '@' || c == '$' || c == '#') {
      ++pos_;
      while (pos_ < sql_.size() && is_word_char(sql_[pos_])) {
        ++pos_;
      }
      return TokenKind::kParameter;
    }
    ++pos_;
    return TokenKind::kPunct;
  }

  void scan_number() {
    if (sql_[pos_] == '0' && (at(pos_ + 1) == 'x' || at(pos_ + 1) == 'X')) {
      pos_ += 2;
      while (pos_ < sql_.size() && std::isxdigit(static_cast<unsigned char>(sql_[pos_]))) {
        ++pos_;
      }
      return;
    }
    while (is_digit(at(pos_))) {
      ++pos_;
    }
    if (at(pos_) == '.') {
      ++pos_;
      while (is_digit(at(pos_))) {
        ++pos_;
      }
    }
    if ((at(pos_) == 'e' || at(pos_) == 'E') &&
        (is_digit(at(pos_ + 1)) ||
         ((at(pos_ + 1) == '+' || at(pos_ + 1) == '-') && is_digit(at(pos_ + 2))))) {
      pos_ += 2;
      while (is_digit(at(pos_))) {
        ++pos_;
      }
    }
  }

  std::string_view sql_;
  std::size_t pos_ = 0;
};

// The tokens that carry meaning: everything but whitespace and comments.
std::vector<Token> significant_tokens(std::string_view sql) {
  std::vector<Token> out;
  Lexer lexer(sql);
  while (auto t = lexer.next()) {
    if (t->kind != TokenKind::kSpace && t->kind != TokenKind::kComment) out.push_back(*t);
  }
  return out;
}

std::string_view text_of(std::string_view sql, const Token& t) {
  return sql.substr(t.begin, t.end - t.begin);
}

bool is_punct(std::string_view sql, const Token& t, char c) {
  return t.kind == TokenKind::kPunct && sql[t.begin] == c;
}

bool is_name(const Token& t) {
  return t.kind == TokenKind::kWord || t.kind == TokenKind::kQuotedName;
}

// The identifier a name token stands for: quotes removed, doubled quotes undone.
std::string unquote(std::string_view text) {
  if (text.empty()) return {};
  const char open = text.front();
  if (open != '"' && open != '`' && open != '[') return std::string(text);
  const char close = open == '[' ? ']' : open;
  std::string out;
  std::size_t i = 1;
  const std::size_t end = text.size() > 1 && text.back() == close ? text.size() - 1 : text.size();
  while (i < end) {
    out += text[i];
    // A doubled quote inside stands for one (brackets have no escape).
    if (open != '[' && text[i] == close && i + 1 < end && text[i + 1] == close) ++i;
    ++i;
  }
  return out;
}

}  // namespace

std::string map_qualifiers(std::string_view sql, const QualifierMapper& map) {
  const std::vector<Token> tokens = significant_tokens(sql);
  std::string out;
  out.reserve(sql.size());
  std::size_t copied = 0;
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (!is_name(t) || !is_punct(sql, tokens[i + 1], '.')) continue;
    // `db.table.column`: only the first part can name a database.
    if (i > 0 && is_punct(sql, tokens[i - 1], '.')) continue;
    Qualifier q;
    q.name = unquote(text_of(sql, t));
    q.quoted = t.kind == TokenKind::kQuotedName;
    if (i + 2 < tokens.size() && is_name(tokens[i + 2])) {
      q.member = unquote(text_of(sql, tokens[i + 2]));
    }
    std::optional<std::string> replacement = map(q);
    if (!replacement) continue;
    out.append(sql.substr(copied, t.begin - copied));
    out.append(*replacement);
    copied = t.end;
  }
  out.append(sql.substr(copied));
  return out;
}

std::string rewrite_default_qualifier(std::string_view sql, std::string_view current_database) {
  constexpr std::string_view kDefault = "default";
  return map_qualifiers(sql, [&](const Qualifier& q) -> std::optional<std::string> {
    if (q.quoted || !iequals(q.name, kDefault)) return std::nullopt;
    return current_database == kDefault ? "main" : "\"default\"";
  });
}

std::string rewrite_hive_types(std::string_view sql) {
  const std::vector<Token> tokens = significant_tokens(sql);
  const std::string keyword = statement_keyword(sql);
  const bool ddl = keyword == "CREATE" || keyword == "ALTER";
  // Words that may follow a column's type in a column definition.
  static constexpr std::array<std::string_view, 10> kAfterType = {
      "NOT",   "NULL",       "PRIMARY", "DEFAULT",    "COLLATE",
      "CHECK", "REFERENCES", "UNIQUE",  "CONSTRAINT", "GENERATED"};
  // Words that may come just before a column name used as a value, never before a type.
  static constexpr std::array<std::string_view, 19> kNotAColumnName = {
      "BY",   "SELECT", "WHERE",  "AND", "OR", "ON",  "WHEN", "THEN", "ELSE",    "SET",
      "FROM", "JOIN",   "HAVING", "IN",  "IS", "NOT", "LIKE", "CASE", "DISTINCT"};
  auto word_in = [&](const Token& t, auto& words) {
    if (t.kind != TokenKind::kWord) return false;
    const std::string w = to_upper(text_of(sql, t));
    for (std::string_view k : words) {
      if (w == k) return true;
    }
    return false;
  };
  std::string out;
  std::size_t copied = 0;
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind != TokenKind::kWord || !iequals(text_of(sql, t), "STRING")) continue;
    const Token& prev = tokens[i - 1];
    const Token* next = i + 1 < tokens.size() ? &tokens[i + 1] : nullptr;
    const bool prev_as = prev.kind == TokenKind::kWord && iequals(text_of(sql, prev), "AS");
    const bool cast = prev_as && next && is_punct(sql, *next, ')');
    const bool column = ddl && is_name(prev) && !prev_as && !word_in(prev, kNotAColumnName) &&
                        (!next || is_punct(sql, *next, ',') || is_punct(sql, *next, ')') ||
                         is_punct(sql, *next, ';') || word_in(*next, kAfterType));
    if (!cast && !column) continue;
    out.append(sql.substr(copied, t.begin - copied));
    out.append("TEXT");
    copied = t.end;
  }
  out.append(sql.substr(copied));
  return out;
}

bool is_blank(std::string_view sql) {
  for (const Token& t : significant_tokens(sql)) {
    if (!is_punct(sql, t, ';')) return false;
  }
  return true;
}

std::string statement_keyword(std::string_view sql) {
  const std::vector<Token> tokens = significant_tokens(sql);
  if (tokens.empty() || tokens.front().kind != TokenKind::kWord) return {};
  std::string first = to_upper(text_of(sql, tokens.front()));
  if (first != "WITH") return first;
  // Common table expressions sit in parentheses; the statement they serve is the first of these
  // keywords found outside them.
  static constexpr std::array<std::string_view, 6> kStatements = {"SELECT", "INSERT",  "UPDATE",
                                                                  "DELETE", "REPLACE", "VALUES"};
  int depth = 0;
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (is_punct(sql, t, '(')) {
      ++depth;
    } else if (is_punct(sql, t, ')')) {
      --depth;
    } else if (depth == 0 && t.kind == TokenKind::kWord) {
      std::string word = to_upper(text_of(sql, t));
      for (std::string_view k : kStatements) {
        if (word == k) return word;
      }
    }
  }
  return first;
}

bool contains_keyword(std::string_view sql, std::string_view keyword) {
  for (const Token& t : significant_tokens(sql)) {
    if (t.kind == TokenKind::kWord && iequals(text_of(sql, t), keyword)) return true;
  }
  return false;
}

}  // namespace kitsune::backends::local
