// Conf: storage, typed reads through the key table, validation, and command-line pairs.
#include "kitsune/config/conf.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <regex>

#include "kitsune/common/strings.h"

namespace kitsune::config {

Result<bool> parse_bool(std::string_view text) {
  auto t = trim(text);
  if (iequals(t, "true")) return true;
  if (iequals(t, "false")) return false;
  return Status::error("expected true or false, got '" + std::string(t) + "'");
}

Result<std::int64_t> parse_long(std::string_view text) {
  auto t = trim(text);
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || ptr != t.data() + t.size() || t.empty()) {
    return Status::error("expected an integer, got '" + std::string(t) + "'");
  }
  return v;
}

namespace {

// Parses "<number>[.<fraction>]" at the front of `s`; returns false if there is none.
bool take_number(std::string_view& s, double& out) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  std::size_t digits_start = i;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == ','))
    ++i;
  if (i == digits_start) return false;
  std::string num(s.substr(0, i));
  for (auto& c : num) {
    if (c == ',') c = '.';
  }
  char* end = nullptr;
  out = std::strtod(num.c_str(), &end);
  if (end != num.c_str() + num.size()) return false;
  s.remove_prefix(i);
  return true;
}

}  // namespace

Result<Duration> parse_duration(std::string_view text) {
  auto t = trim(text);
  auto bad = [&] {
    return Status::error(
        "expected a duration such as PT30S, PT5M, P1D or a number of "
        "milliseconds, got '" +
        std::string(t) + "'");
  };
  if (t.empty()) return bad();
  if (auto ms = parse_long(t); ms.is_ok()) return Duration(*ms);
  std::string_view s = t;
  bool negative = false;
  if (s.front() == '-' || s.front() == '+') {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || (s.front() != 'P' && s.front() != 'p')) return bad();
  s.remove_prefix(1);
  double total_ms = 0;
  bool in_time = false, any = false, any_time = false;
  while (!s.empty()) {
    if (s.front() == 'T' || s.front() == 't') {
      if (in_time) return bad();
      in_time = true;
      s.remove_prefix(1);
      continue;
    }
    double n = 0;
    if (!take_number(s, n) || s.empty()) return bad();
    char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(s.front())));
    s.remove_prefix(1);
    if (!in_time && unit == 'D') {
      total_ms += n * 86400000.0;
    } else if (in_time && unit == 'H') {
      total_ms += n * 3600000.0;
      any_time = true;
    } else if (in_time && unit == 'M') {
      total_ms += n * 60000.0;
      any_time = true;
    } else if (in_time && unit == 'S') {
      total_ms += n * 1000.0;
      any_time = true;
    } else {
      return bad();
    }
    any = true;
  }
  // As java.time.Duration.parse: a 'T' must be followed by hours, minutes or seconds.
  if (!any || (in_time && !any_time) || !std::isfinite(total_ms) || std::abs(total_ms) > 9.0e15)
    return bad();
  auto ms = static_cast<std::int64_t>(std::llround(total_ms));
  return Duration(negative ? -ms : ms);
}

Status validate_value(const KeyDef& def, std::string_view text) {
  auto with_key = [&](const Status& s) {
    return Status::error(std::string(def.name) + ": " + s.message());
  };
  switch (def.type) {
    case ValueType::kString:
      break;
    case ValueType::kBool:
      if (auto r = parse_bool(text); !r) return with_key(r.status());
      break;
    case ValueType::kInt: {
      auto r = parse_long(text);
      if (!r) return with_key(r.status());
      if (*r < std::numeric_limits<std::int32_t>::min() ||
          *r > std::numeric_limits<std::int32_t>::max()) {
        return Status::error(std::string(def.name) + ": " + std::string(trim(text)) +
                             " is out of range for an int");
      }
      break;
    }
    case ValueType::kLong:
      if (auto r = parse_long(text); !r) return with_key(r.status());
      break;
    case ValueType::kDuration:
      if (auto r = parse_duration(text); !r) return with_key(r.status());
      break;
    case ValueType::kList:
      break;
  }
  if (!def.choices.empty()) {
    const auto allowed = split(def.choices, ',');
    std::vector<std::string> values = def.type == ValueType::kList
                                          ? split(text, ',')
                                          : std::vector<std::string>{std::string(trim(text))};
    for (const auto& v : values) {
      bool ok = false;
      for (const auto& a : allowed)
        ok = ok || iequals(a, v);
      if (!ok) {
        return Status::error(std::string(def.name) + ": '" + v + "' is not one of " +
                             std::string(def.choices));
      }
    }
  }
  return Status::ok();
}

Result<Conf> Conf::from_args(const std::vector<std::string>& args, std::vector<std::string>* rest) {
  Conf conf;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    std::string_view pair;
    if (a == "--conf" || a == "-c") {
      if (i + 1 >= args.size()) return Status::error("--conf needs a key=value argument");
      pair = args[++i];
    } else if (a.starts_with("--conf=")) {
      pair = a.substr(7);
    } else {
      if (rest) rest->emplace_back(a);
      continue;
    }
    auto eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Status::error("--conf expects key=value, got '" + std::string(pair) + "'");
    }
    conf.set(std::string(trim(pair.substr(0, eq))), std::string(trim(pair.substr(eq + 1))));
  }
  return conf;
}

void Conf::set(std::string key, std::string value) {
  entries_[std::move(key)] = std::move(value);
}

void Conf::unset(std::string_view key) {
  auto it = entries_.find(key);
  if (it != entries_.end()) entries_.erase(it);
}

bool Conf::contains(std::string_view key) const {
  return entries_.find(key) != entries_.end();
}

std::optional<std::string> Conf::raw(std::string_view key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void Conf::merge(const Conf& other) {
  for (const auto& [k, v] : other.entries_)
    entries_[k] = v;
}

std::optional<std::string_view> Conf::find_set(const KeyDef& def) const {
  const KeyDef* d = &def;
  // Follow fallbacks; the table has no cycles, but bound the walk anyway.
  for (int hops = 0; d && hops < 4; ++hops) {
    auto it = entries_.find(d->name);
    if (it != entries_.end() && validate_value(*d, it->second).is_ok()) return it->second;
    if (d->fallback.empty()) break;
    d = find_key(d->fallback);
  }
  return std::nullopt;
}

std::optional<std::string_view> Conf::lookup(const KeyDef& def) const {
  if (auto set = find_set(def)) return set;
  // The default of the first key that has one along the chain.
  const KeyDef* d = &def;
  for (int hops = 0; d && hops < 4; ++hops) {
    if (d->has_default) return d->default_value;
    if (d->fallback.empty()) break;
    d = find_key(d->fallback);
  }
  return std::nullopt;
}

namespace {

template <typename T>
T convert(const KeyDef& def, std::string_view text);

template <>
std::string convert<std::string>(const KeyDef&, std::string_view text) {
  return std::string(trim(text));
}
template <>
bool convert<bool>(const KeyDef&, std::string_view text) {
  auto r = parse_bool(text);
  return r ? *r : false;
}
template <>
std::int32_t convert<std::int32_t>(const KeyDef&, std::string_view text) {
  auto r = parse_long(text);
  return r ? static_cast<std::int32_t>(*r) : 0;
}
template <>
std::int64_t convert<std::int64_t>(const KeyDef&, std::string_view text) {
  auto r = parse_long(text);
  return r ? *r : 0;
}
template <>
Duration convert<Duration>(const KeyDef&, std::string_view text) {
  auto r = parse_duration(text);
  return r ? *r : Duration(0);
}
template <>
List convert<List>(const KeyDef& def, std::string_view text) {
  auto parts = split(text, ',');
  if (!def.choices.empty()) {
    for (auto& p : parts)
      p = to_upper(p);
  }
  return parts;
}

}  // namespace

template <typename T>
T Conf::get(const Key<T>& key) const {
  auto text = lookup(*key.def);
  return convert<T>(*key.def, text.value_or(""));
}

template <typename T>
std::optional<T> Conf::get_if_set(const Key<T>& key) const {
  auto text = find_set(*key.def);
  if (!text) return std::nullopt;
  return convert<T>(*key.def, *text);
}

template std::string Conf::get(const Key<std::string>&) const;
template bool Conf::get(const Key<bool>&) const;
template std::int32_t Conf::get(const Key<std::int32_t>&) const;
template std::int64_t Conf::get(const Key<std::int64_t>&) const;
template Duration Conf::get(const Key<Duration>&) const;
template List Conf::get(const Key<List>&) const;
template std::optional<std::string> Conf::get_if_set(const Key<std::string>&) const;
template std::optional<bool> Conf::get_if_set(const Key<bool>&) const;
template std::optional<std::int32_t> Conf::get_if_set(const Key<std::int32_t>&) const;
template std::optional<std::int64_t> Conf::get_if_set(const Key<std::int64_t>&) const;
template std::optional<Duration> Conf::get_if_set(const Key<Duration>&) const;
template std::optional<List> Conf::get_if_set(const Key<List>&) const;

Status Conf::validate(std::vector<std::string>* unknown) const {
  for (const auto& [k, v] : entries_) {
    if (const KeyDef* def = find_key(k)) {
      KITSUNE_RETURN_IF_ERROR(validate_value(*def, v));
    } else if (unknown && (k.starts_with("kyuubi.") || k.starts_with("kitsune.")) &&
               // A CUSTOM password provider's own settings, passed to it as they are.
               !k.starts_with("kyuubi.authentication.custom.") &&
               !k.starts_with("kitsune.authentication.custom.")) {
      unknown->push_back(k);
    }
  }
  return Status::ok();
}

struct Redactor::Impl {
  std::regex re;
};

Redactor::Redactor(const std::string& regex) : pattern_(regex) {
  std::string p = regex;
  auto flags = std::regex::ECMAScript | std::regex::optimize;
  // Java's inline (?i) flag has no ECMAScript spelling; honour it as a whole-pattern flag.
  if (p.starts_with("(?i)")) {
    p = p.substr(4);
    flags |= std::regex::icase;
  }
  auto impl = std::make_shared<Impl>();
  try {
    impl->re = std::regex(p, flags);
  } catch (const std::regex_error&) {
    impl->re = std::regex("secret|password|token|access[.]key", flags | std::regex::icase);
  }
  impl_ = std::move(impl);
}

bool Redactor::is_secret(std::string_view key) const {
  // Secrets whatever the regex says: their names carry none of its words.
  if (key == keys::kHaZookeeperAuthDigest.name() || key == keys::kAuthenticationLdapBindPw.name()) {
    return true;
  }
  return std::regex_search(key.begin(), key.end(), impl_->re);
}

}  // namespace kitsune::config
