// PostgreSQL JDBC URLs to libpq keywords: hosts and ports, the database, pgjdbc's parameter names.
#include "kitsune/auth/postgres_url.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "kitsune/common/strings.h"

namespace kitsune::auth {

std::string PostgresSettings::describe() const {
  std::string out;
  for (const char* name : {"host", "port", "dbname", "user", "sslmode"}) {
    auto it = params.find(name);
    if (it == params.end()) continue;
    if (!out.empty()) out += ' ';
    out += std::string(name) + "=" + it->second;
  }
  return out;
}
namespace {

// URL percent-decoding as pgjdbc does it (java.net.URLDecoder: '+' is a space).
Result<std::string> url_decode(std::string_view text, std::string_view what,
                               const std::string& key) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      auto hex_digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      const int hi = i + 2 < text.size() ? hex_digit(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return Status::error(key + ": bad %-escape in " + std::string(what));
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The keywords libpq knows, from libpq itself.
std::vector<std::string> libpq_keywords() {
  std::vector<std::string> out;
  PQconninfoOption* options = PQconndefaults();
  if (options == nullptr) return out;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o)
    out.emplace_back(o->keyword);
  PQconninfoFree(options);
  return out;
}

// Maps one URL parameter (pgjdbc's name, or libpq's own) to libpq keywords.
Status add_url_parameter(const std::string& name, const std::string& value,
                         const std::vector<std::string>& keywords, const std::string& key,
                         PostgresSettings& out) {
  static const std::map<std::string, std::string, std::less<>> kRenamed = {
      {"connectTimeout", "connect_timeout"},
      {"loginTimeout", "connect_timeout"},
      {"ApplicationName", "application_name"},
      {"applicationName", "application_name"},
      {"tcpKeepAlive", "keepalives"},
      {"targetServerType", "target_session_attrs"},
      {"sslMode", "sslmode"},
  };
  static const std::map<std::string, std::string, std::less<>> kServerTypes = {
      {"any", "any"},
      {"primary", "primary"},
      {"master", "primary"},
      {"secondary", "standby"},
      {"slave", "standby"},
      {"preferSecondary", "prefer-standby"},
      {"preferSlave", "prefer-standby"},
  };
  if (name == "currentSchema") {
    out.params["options"] = "-c search_path=" + value;
    return Status::ok();
  }
  if (name == "ssl") {
    // pgjdbc: ssl=true without an sslmode means verify-full.
    if (iequals(value, "true") && !out.params.contains("sslmode")) {
      out.params["sslmode"] = "verify-full";
    }
    return Status::ok();
  }
  std::string keyword = name;
  std::string mapped = value;
  if (auto it = kRenamed.find(name); it != kRenamed.end()) {
    keyword = it->second;
    if (keyword == "keepalives") mapped = iequals(value, "false") ? "0" : "1";
    if (keyword == "target_session_attrs") {
      auto type = kServerTypes.find(value);
      if (type == kServerTypes.end()) {
        return Status::error(key + ": targetServerType=" + value + " has no libpq equivalent");
      }
      mapped = type->second;
    }
  } else if (std::find(keywords.begin(), keywords.end(), name) == keywords.end()) {
    return Status::error(key + ": unknown parameter '" + name +
                         "' (use libpq's names, such as sslmode, connect_timeout, "
                         "application_name, or pgjdbc's connectTimeout, ssl, "
                         "ApplicationName)");
  }
  if (keyword == "password") out.password = mapped;
  out.params[keyword] = std::move(mapped);
  return Status::ok();
}

}  // namespace

// jdbc:postgresql://host[:port][,host[:port]...]/database[?key=value&...], also pgjdbc's
// jdbc:postgresql:database and jdbc:postgresql:/, to libpq keywords. Hosts default to
// localhost and ports to 5432, as in pgjdbc. Errors never repeat the URL (it may hold a password).
Result<PostgresSettings> parse_postgresql_jdbc_url(std::string_view url,
                                                   const PostgresUrlOptions& options) {
  const std::string& key = options.url_key;
  auto config_error = [&key](std::string why) { return Status::error(key + ": " + why); };
  std::string_view rest = url.substr(std::string_view("jdbc:postgresql:").size());
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view authority;
  std::string_view database = rest;
  if (rest.starts_with("//")) {
    rest.remove_prefix(2);
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) {
      return config_error("expected jdbc:postgresql://host[:port]/database");
    }
    authority = rest.substr(0, slash);
    database = rest.substr(slash + 1);
  } else if (database.starts_with("/")) {
    database.remove_prefix(1);
  }

  PostgresSettings out;
  std::vector<std::string> hosts;
  std::vector<std::string> ports;
  for (const std::string& entry : split(authority, ',', /*skip_empty=*/false)) {
    std::string host = entry;
    std::string port = "5432";
    if (host.starts_with("[")) {
      const auto end = host.find(']');
      if (end == std::string::npos) return config_error("unclosed [ in an IPv6 host");
      std::string after = host.substr(end + 1);
      host = host.substr(1, end - 1);
      if (!after.empty()) {
        if (after.front() != ':') return config_error("expected :port after ]");
        port = after.substr(1);
      }
    } else if (auto colon = host.rfind(':'); colon != std::string::npos) {
      port = host.substr(colon + 1);
      host = host.substr(0, colon);
    }
    if (host.empty()) host = "localhost";
    const bool digits =
        !port.empty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c)) != 0;
        });
    if (!digits || std::stoi(port) < 1 || std::stoi(port) > 65535) {
      return config_error("bad port '" + port + "' (expected 1 to 65535)");
    }
    hosts.push_back(std::move(host));
    ports.push_back(std::move(port));
  }
  if (hosts.empty()) {
    hosts.emplace_back("localhost");
    ports.emplace_back("5432");
  }
  out.params["host"] = join(hosts, ",");
  out.params["port"] = join(ports, ",");
  auto dbname = url_decode(database, "the database name", key);
  if (!dbname) return dbname.status();
  if (!dbname->empty()) out.params["dbname"] = std::move(dbname).value();

  const std::vector<std::string> keywords = libpq_keywords();
  for (const std::string& pair : split(query, '&')) {
    const auto eq = pair.find('=');
    auto name = url_decode(pair.substr(0, eq), "a parameter name", key);
    if (!name) return name.status();
    auto value = url_decode(eq == std::string::npos ? "" : pair.substr(eq + 1),
                            "the value of " + *name, key);
    if (!value) return value.status();
    KITSUNE_RETURN_IF_ERROR(add_url_parameter(*name, *value, keywords, key, out));
  }
  // The keys win over the URL: they are what an operator sets on purpose.
  if (!options.user.empty()) out.params["user"] = options.user;
  if (!options.password.empty()) {
    out.params["password"] = options.password;
    out.password = options.password;
  }
  if (!out.params.contains("connect_timeout")) out.params["connect_timeout"] = "5";
  out.params["fallback_application_name"] = "kitsune-server";
  return out;
}

}  // namespace kitsune::auth
