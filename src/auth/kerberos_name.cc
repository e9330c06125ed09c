// Kerberos principal names, _HOST expansion and Hadoop's auth_to_local rules.
#include "kitsune/auth/kerberos_name.h"

#include <krb5.h>

#include <cctype>
#include <regex>

namespace kitsune::auth {

// One parsed rule. `numbered` rules carry Hadoop's fields; DEFAULT has none of them.
struct AuthToLocal::Rule {
  std::string text;  // as written, for messages
  bool is_default = false;
  int components = 0;
  std::string format;
  std::optional<std::regex> match;
  std::optional<std::regex> from;
  std::string to;
  bool repeat = false;
  bool lower = false;

  // The rule's result for a name of `params` = {realm, component...}; nullopt when it does not
  // apply.
  Result<std::optional<std::string>> apply(const std::vector<std::string>& params,
                                           const std::string& default_realm) const;
};

namespace {

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

// `\x` becomes `x` inside a component; the separators end one.
Result<std::vector<std::string>> split_principal(std::string_view text, std::string* realm) {
  std::vector<std::string> components(1);
  bool in_realm = false;
  std::string* out = &components.back();
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      if (i + 1 == text.size()) {
        return Status::error("Kerberos name '" + std::string(text) + "' ends with a backslash");
      }
      *out += text[++i];
    } else if (c == '/' && !in_realm) {
      components.emplace_back();
      out = &components.back();
    } else if (c == '@') {
      if (in_realm) {
        return Status::error("Kerberos name '" + std::string(text) + "' has more than one '@'");
      }
      in_realm = true;
      out = realm;
    } else {
      *out += c;
    }
  }
  return components;
}

std::string escape(std::string_view s, bool in_realm) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\' || c == '@' || (c == '/' && !in_realm)) out += '\\';
    out += c;
  }
  return out;
}

// Hadoop's replaceParameters: `$n` is params[n] (0 the realm, 1.. the components).
std::string substitute(const std::string& format, const std::vector<std::string>& params) {
  std::string out;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '$') {
      out += format[i];
      continue;
    }
    std::size_t j = i + 1;
    std::size_t index = 0;
    while (j < format.size() && std::isdigit(static_cast<unsigned char>(format[j]))) {
      index = index * 10 + static_cast<std::size_t>(format[j] - '0');
      ++j;
    }
    // parse() made sure every index is in range.
    out += params[index];
    i = j - 1;
  }
  return out;
}

// Checks a format against the number of components the rule is for.
Status check_format(const std::string& format, int components, const std::string& rule) {
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '$') continue;
    std::size_t j = i + 1;
    long index = 0;
    while (j < format.size() && std::isdigit(static_cast<unsigned char>(format[j]))) {
      index = index * 10 + (format[j] - '0');
      if (index > 1000) break;
      ++j;
    }
    if (j == i + 1) {
      return Status::error("hadoop.security.auth_to_local: bad format '" + format + "' in rule " +
                           rule + ": '$' must be followed by a number");
    }
    if (index > components) {
      return Status::error("hadoop.security.auth_to_local: index " + std::to_string(index) +
                           " in format '" + format + "' of rule " + rule +
                           " is outside of the valid range 0 to " + std::to_string(components));
    }
    i = j - 1;
  }
  return Status::ok();
}

Result<std::regex> compile(const std::string& pattern, const std::string& rule) {
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    // std::regex reports a bad pattern only by throwing; this is the configuration's error.
    return Status::error("hadoop.security.auth_to_local: bad regular expression '" + pattern +
                         "' in rule " + rule + ": " + e.what());
  }
}

// Reads up to (not including) `stop` from text[pos]; false when it never comes.
bool read_until(std::string_view text, std::size_t& pos, char stop, std::string& out) {
  const auto end = text.find(stop, pos);
  if (end == std::string_view::npos) return false;
  out = std::string(text.substr(pos, end - pos));
  pos = end + 1;
  return true;
}

}  // namespace

Result<std::optional<std::string>> AuthToLocal::Rule::apply(const std::vector<std::string>& params,
                                                            const std::string& realm) const {
  std::optional<std::string> result;
  if (is_default) {
    if (!realm.empty() && params[0] == realm) result = params[1];
  } else {
    if (static_cast<int>(params.size()) - 1 != components) return std::optional<std::string>();
    std::string base = substitute(format, params);
    if (match && !std::regex_match(base, *match)) return std::optional<std::string>();
    if (from) {
      base = std::regex_replace(
          base, *from, to,
          repeat ? std::regex_constants::format_default : std::regex_constants::format_first_only);
    }
    result = std::move(base);
  }
  if (result && result->find_first_of("/@") != std::string::npos) {
    return Status::unauthenticated("Non-simple name " + *result + " after auth_to_local rule " +
                                   text);
  }
  if (result && lower) {
    for (char& c : *result)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return result;
}

// Hadoop's ruleParser, at text[pos] after white space:
// (DEFAULT|RULE:\[(\d*):([^\]]*)](\(([^)]*)\))?(s/([^/]*)/([^/]*)/(g)?)?)/?(L)?
Result<AuthToLocal::Rule> AuthToLocal::parse_rule(std::string_view text, std::size_t& pos) {
  const std::size_t start = pos;
  auto invalid = [&] {
    return Status::error("hadoop.security.auth_to_local: invalid rule: " +
                         std::string(text.substr(start)));
  };
  AuthToLocal::Rule rule;
  if (text.substr(pos).starts_with("DEFAULT")) {
    rule.is_default = true;
    pos += 7;
  } else if (text.substr(pos).starts_with("RULE:[")) {
    pos += 6;
    std::string number;
    if (!read_until(text, pos, ':', number)) return invalid();
    for (char c : number) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return invalid();
    }
    if (number.empty() || number.size() > 3) return invalid();
    rule.components = std::stoi(number);
    if (!read_until(text, pos, ']', rule.format)) return invalid();
    std::string match;
    bool has_match = false;
    if (pos < text.size() && text[pos] == '(') {
      ++pos;
      if (!read_until(text, pos, ')', match)) return invalid();
      has_match = true;
    }
    std::string from;
    bool has_from = false;
    if (text.substr(pos).starts_with("s/")) {
      pos += 2;
      if (!read_until(text, pos, '/', from) || !read_until(text, pos, '/', rule.to)) {
        return invalid();
      }
      has_from = true;
      if (pos < text.size() && text[pos] == 'g') {
        rule.repeat = true;
        ++pos;
      }
    }
    rule.text = std::string(text.substr(start, pos - start));
    Status s = check_format(rule.format, rule.components, rule.text);
    if (!s.is_ok()) return s;
    if (has_match) {
      auto re = compile(match, rule.text);
      if (!re) return re.status();
      rule.match = std::move(re).value();
    }
    if (has_from) {
      auto re = compile(from, rule.text);
      if (!re) return re.status();
      rule.from = std::move(re).value();
    }
  } else {
    return invalid();
  }
  if (pos < text.size() && text[pos] == '/') ++pos;
  if (pos < text.size() && text[pos] == 'L') {
    rule.lower = true;
    ++pos;
  }
  // A rule ends at white space or at the end of its entry.
  if (pos < text.size() && !is_space(text[pos])) return invalid();
  rule.text = std::string(text.substr(start, pos - start));
  return rule;
}

Result<KerberosName> KerberosName::parse(std::string_view principal) {
  KerberosName name;
  auto components = split_principal(principal, &name.realm);
  if (!components) return components.status();
  if (components->size() > 2) {
    return Status::error("Kerberos name '" + std::string(principal) +
                         "' has more than two components");
  }
  name.primary = (*components)[0];
  if (components->size() == 2) {
    name.instance = (*components)[1];
    if (name.instance.empty()) {
      return Status::error("Kerberos name '" + std::string(principal) + "' has an empty instance");
    }
  }
  if (name.primary.empty()) {
    return Status::error("Kerberos name '" + std::string(principal) + "' has an empty primary");
  }
  if (principal.find('@') != std::string_view::npos && name.realm.empty()) {
    return Status::error("Kerberos name '" + std::string(principal) + "' has an empty realm");
  }
  return name;
}

std::string KerberosName::str() const {
  std::string out = escape(primary, false);
  if (!instance.empty()) out += "/" + escape(instance, false);
  if (!realm.empty()) out += "@" + escape(realm, true);
  return out;
}

std::string expand_host(std::string_view principal, std::string_view host) {
  auto name = KerberosName::parse(principal);
  if (!name || name->instance != "_HOST") return std::string(principal);
  std::string lower;
  for (char c : host)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  name->instance = lower;
  return name->str();
}

std::string default_realm() {
  krb5_context context = nullptr;
  if (krb5_init_context(&context) != 0) return {};
  std::string out;
  char* realm = nullptr;
  if (krb5_get_default_realm(context, &realm) == 0 && realm) {
    out = realm;
    krb5_free_default_realm(context, realm);
  }
  krb5_free_context(context);
  return out;
}

AuthToLocal::AuthToLocal() = default;
AuthToLocal::~AuthToLocal() = default;
AuthToLocal::AuthToLocal(AuthToLocal&&) noexcept = default;
AuthToLocal& AuthToLocal::operator=(AuthToLocal&&) noexcept = default;
AuthToLocal::AuthToLocal(const AuthToLocal&) = default;
AuthToLocal& AuthToLocal::operator=(const AuthToLocal&) = default;

Result<AuthToLocal> AuthToLocal::parse(const std::vector<std::string>& rules,
                                       std::string default_realm) {
  AuthToLocal out;
  out.default_realm_ = std::move(default_realm);
  for (const auto& entry : rules) {
    std::size_t pos = 0;
    while (true) {
      while (pos < entry.size() && is_space(entry[pos]))
        ++pos;
      if (pos == entry.size()) break;
      auto rule = parse_rule(entry, pos);
      if (!rule) return rule.status();
      out.rules_.push_back(std::move(rule).value());
    }
  }
  return out;
}

Result<std::string> AuthToLocal::short_name(std::string_view principal) const {
  auto name = KerberosName::parse(principal);
  if (!name) return Status::unauthenticated(name.status().message());
  if (name->realm.empty()) return name->primary;
  std::vector<std::string> params{name->realm, name->primary};
  if (!name->instance.empty()) params.push_back(name->instance);
  for (const auto& rule : rules_) {
    auto result = rule.apply(params, default_realm_);
    if (!result) return result.status();
    if (*result) return std::move(**result);
  }
  return Status::unauthenticated("No rules applied to " + name->str());
}

}  // namespace kitsune::auth
