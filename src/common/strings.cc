// String helpers: trimming, case, splitting, hex, constant-time comparison, JDBC patterns.
#include "kitsune/common/strings.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace kitsune {

std::string_view trim(std::string_view s) {
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::vector<std::string> split(std::string_view s, char sep, bool skip_empty) {
  std::vector<std::string> out;
  while (true) {
    auto pos = s.find(sep);
    auto piece = trim(s.substr(0, pos));
    if (!piece.empty() || !skip_empty) out.emplace_back(piece);
    if (pos == std::string_view::npos) break;
    s.remove_prefix(pos + 1);
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (auto b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

std::string uuid_string(std::span<const std::uint8_t> b) {
  std::string h = hex(b.first(16));
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  // The length is not secret; the contents are.
  unsigned diff = a.size() != b.size() ? 1u : 0u;
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]);
  }
  return diff == 0;
}

namespace {

enum class TokenKind { kLiteral, kAnyOne, kAnyRun };
struct Token {
  TokenKind kind;
  char c;
};

std::vector<Token> compile_pattern(std::string_view p) {
  std::vector<Token> tokens;
  for (std::size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      tokens.push_back({TokenKind::kLiteral, p[++i]});
    } else if (c == '%' || c == '*') {
      tokens.push_back({TokenKind::kAnyRun, 0});
    } else if (c == '.' && i + 1 < p.size() && p[i + 1] == '*') {
      tokens.push_back({TokenKind::kAnyRun, 0});
      ++i;
    } else if (c == '_') {
      tokens.push_back({TokenKind::kAnyOne, 0});
    } else {
      tokens.push_back({TokenKind::kLiteral, c});
    }
  }
  return tokens;
}

}  // namespace

bool like_match(std::string_view pattern, std::string_view text) {
  const auto tokens = compile_pattern(pattern);
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  // Greedy matcher with one backtrack point per run, linear in practice.
  std::size_t t = 0, s = 0;
  std::size_t star_t = std::string_view::npos, star_s = 0;
  while (s < text.size()) {
    if (t < tokens.size() && tokens[t].kind == TokenKind::kAnyRun) {
      star_t = t++;
      star_s = s;
    } else if (t < tokens.size() &&
               (tokens[t].kind == TokenKind::kAnyOne || lower(tokens[t].c) == lower(text[s]))) {
      ++t;
      ++s;
    } else if (star_t != std::string_view::npos) {
      t = star_t + 1;
      s = ++star_s;
    } else {
      return false;
    }
  }
  while (t < tokens.size() && tokens[t].kind == TokenKind::kAnyRun)
    ++t;
  return t == tokens.size();
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = (std::uint32_t{static_cast<std::uint8_t>(bytes[i])} << 16) |
                   (std::uint32_t{static_cast<std::uint8_t>(bytes[i + 1])} << 8) |
                   std::uint32_t{static_cast<std::uint8_t>(bytes[i + 2])};
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < bytes.size()) {
    std::uint32_t n = std::uint32_t{static_cast<std::uint8_t>(bytes[i])} << 16;
    const bool two = i + 1 < bytes.size();
    if (two) n |= std::uint32_t{static_cast<std::uint8_t>(bytes[i + 1])} << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += two ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  while (!text.empty() && text.back() == '=')
    text.remove_suffix(1);
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  // A single leftover character cannot encode a byte.
  if (bits >= 6) return std::nullopt;
  return out;
}

std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7f) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += ch;
  }
  return out;
}

std::string redact(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
    text.replace(pos, secret.size(), "***");
  }
  return text;
}

void wipe(std::string& secret) {
  explicit_bzero(secret.data(), secret.size());
}

}  // namespace kitsune
