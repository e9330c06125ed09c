// Small string helpers shared by every layer.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kitsune {

std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
// Splits on `sep`, trimming each piece; empty pieces are dropped when skip_empty.
std::vector<std::string> split(std::string_view s, char sep, bool skip_empty = true);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string hex(std::span<const std::uint8_t> bytes);
// Base64 (RFC 4648, with padding); decoding also takes the URL-safe alphabet and no padding, and
// fails on any other character.
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);
// 8-4-4-4-12 lower-case form of 16 bytes, as Java's UUID.toString prints them.
std::string uuid_string(std::span<const std::uint8_t> bytes16);

// Compares without revealing through timing where two secrets first differ.
bool constant_time_equals(std::string_view a, std::string_view b);

// A message from elsewhere (a database, a library) on one line: each run of white space and
// control characters as one space, none at either end, so that it cannot forge log lines.
std::string one_line(std::string_view text);

// `text` with every occurrence of `secret` replaced by "***" (unchanged when `secret` is empty).
std::string redact(std::string text, std::string_view secret);

// Overwrites a secret in memory in a way the compiler may not drop.
void wipe(std::string& secret);

// Matches a JDBC metadata pattern: '%' any run, '_' one character, '\' escapes the next one.
// Case-insensitive, as HiveServer2 identifiers are. A null/empty pattern is not handled here.
// For clients that send regular-expression style patterns (impyla), ".*" and "*" mean any run.
bool like_match(std::string_view pattern, std::string_view text);

}  // namespace kitsune
