// A small PostgreSQL lexer: words outside comments, literals, quoted names and dollar quotes.
#include "postgresql/sql_text.h"

#include <cctype>
#include <functional>
#include <vector>

namespace kitsune::backends::postgresql {
namespace {

bool is_word_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_';
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$';
}

// Calls `on_word` with each word (upper-case) of `sql` in order, until it returns false.
void for_each_word(std::string_view sql, const std::function<bool(const std::string&)>& on_word) {
  std::size_t i = 0;
  const std::size_t n = sql.size();
  while (i < n) {
    const char c = sql[i];
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n')
        ++i;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      // Block comments nest in PostgreSQL.
      int depth = 0;
      while (i < n) {
        if (sql[i] == '/' && i + 1 < n && sql[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (sql[i] == '*' && i + 1 < n && sql[i + 1] == '/') {
          i += 2;
          if (--depth == 0) break;
        } else {
          ++i;
        }
      }
    } else if (c == '\'' || c == '"') {
      // E'...' strings take backslash escapes; '' and "" double the quote everywhere.
      const bool backslashes = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e');
      ++i;
      while (i < n) {
        if (backslashes && sql[i] == '\\') {
          i += 2;
        } else if (sql[i] == c) {
          if (i + 1 < n && sql[i + 1] == c) {
            i += 2;
          } else {
            ++i;
            break;
          }
        } else {
          ++i;
        }
      }
    } else if (c == '$' && (i == 0 || !is_word_char(sql[i - 1]))) {
      // $tag$ ... $tag$ (the tag may be empty); a $1 parameter is not a quote.
      std::size_t end = i + 1;
      while (end < n && (is_word_start(sql[end]) ||
                         (end > i + 1 && std::isdigit(static_cast<unsigned char>(sql[end])))))
        ++end;
      if (end < n && sql[end] == '$') {
        const std::string_view tag = sql.substr(i, end - i + 1);
        const std::size_t close = sql.find(tag, end + 1);
        i = close == std::string_view::npos ? n : close + tag.size();
      } else {
        i = end;
      }
    } else if (is_word_start(c)) {
      std::size_t end = i;
      while (end < n && is_word_char(sql[end]))
        ++end;
      std::string word(sql.substr(i, end - i));
      for (char& ch : word)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      // E'...' is a string, not the word E.
      if (!(word == "E" && end < n && sql[end] == '\'')) {
        if (!on_word(word)) return;
      }
      i = end;
    } else {
      ++i;
    }
  }
}

}  // namespace

std::string first_keyword(std::string_view sql) {
  std::string first;
  for_each_word(sql, [&](const std::string& word) {
    first = word;
    return false;
  });
  return first;
}

bool is_plain_query(std::string_view sql) {
  const std::string first = first_keyword(sql);
  if (first == "SELECT" || first == "VALUES" || first == "TABLE" || first == "SHOW") return true;
  if (first != "WITH") return false;
  bool writes = false;
  for_each_word(sql, [&](const std::string& word) {
    writes = word == "INSERT" || word == "UPDATE" || word == "DELETE" || word == "MERGE";
    return !writes;
  });
  return !writes;
}

}  // namespace kitsune::backends::postgresql
