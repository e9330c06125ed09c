// Conf: a set of configuration entries (Kyuubi key names) read through the typed key table.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kitsune/common/status.h"
#include "kitsune/config/keys.h"

namespace kitsune::config {

// Parses one value of `def`'s type; the error names the key and says what was expected.
Result<bool> parse_bool(std::string_view text);
Result<std::int64_t> parse_long(std::string_view text);
// ISO-8601 (PT30S, PT0.5S, P1DT2H) or a plain number of milliseconds, as Kyuubi reads durations.
Result<Duration> parse_duration(std::string_view text);
Status validate_value(const KeyDef& def, std::string_view text);

class Conf {
 public:
  Conf() = default;

  // Reads "--conf k=v" pairs (also "--conf=k=v"); other arguments are returned in `rest`.
  static Result<Conf> from_args(const std::vector<std::string>& args,
                                std::vector<std::string>* rest = nullptr);

  void set(std::string key, std::string value);
  void unset(std::string_view key);
  bool contains(std::string_view key) const;
  std::optional<std::string> raw(std::string_view key) const;
  const std::map<std::string, std::string, std::less<>>& entries() const { return entries_; }

  // The key's value, else its fallback key's, else its default. A value that does not parse is
  // treated as unset; validate() reports such values up front.
  template <typename T>
  T get(const Key<T>& key) const;
  // Like get(), but without the default: nullopt when neither the key nor its fallback is set.
  template <typename T>
  std::optional<T> get_if_set(const Key<T>& key) const;

  // Checks every known key's value. Unknown keys under "kyuubi." or "kitsune." are returned in
  // `unknown` (callers warn about them); they are not an error.
  Status validate(std::vector<std::string>* unknown = nullptr) const;

  // Overlays `other` on this (other wins).
  void merge(const Conf& other);

 private:
  // The value set for the key or along its fallbacks (valid ones only), without defaults.
  std::optional<std::string_view> find_set(const KeyDef& def) const;
  std::optional<std::string_view> lookup(const KeyDef& def) const;
  std::map<std::string, std::string, std::less<>> entries_;
};

// Whether a key's value must be hidden (kyuubi.server.redaction.regex).
class Redactor {
 public:
  explicit Redactor(const std::string& regex);
  bool is_secret(std::string_view key) const;
  static constexpr std::string_view kRedacted = "*********(redacted)";

 private:
  std::string pattern_;
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace kitsune::config
