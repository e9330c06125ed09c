// Parses the pgJDBC connection URL and properties of a JDBC engine into libpq keywords.
#include "postgresql/connection_settings.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string_view>

#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"

namespace kitsune::backends::postgresql {
namespace {

namespace k = config::keys;

constexpr std::string_view kPrefix = "jdbc:postgresql:";

Status bad_url(const std::string& why) {
  // Never repeats the URL: it may hold a password.
  return Status::error("kyuubi.engine.jdbc.connection.url: " + why, "08001");
}

// Percent-decoding as pgJDBC does it (java.net.URLDecoder: '+' is a space).
Result<std::string> url_decode(std::string_view text, const std::string& what) {
  auto hex_digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      const int hi = i + 2 < text.size() ? hex_digit(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) return bad_url("bad %-escape in " + what);
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// An `options` argument as libpq splits them: spaces and backslashes escaped with a backslash.
std::string escape_option(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == ' ' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

const std::set<std::string, std::less<>>& ignored_parameters() {
  static const std::set<std::string, std::less<>> kIgnored = {
      "prepareThreshold",
      "preparedStatementCacheQueries",
      "preparedStatementCacheSizeMiB",
      "defaultRowFetchSize",
      "binaryTransfer",
      "reWriteBatchedInserts",
      "loggerLevel",
      "loggerFile",
      "logUnclosedConnections",
      "socketTimeout",
      "sendBufferSize",
      "receiveBufferSize",
      "assumeMinServerVersion",
  };
  return kIgnored;
}

std::set<std::string, std::less<>> libpq_keywords() {
  std::set<std::string, std::less<>> out;
  PQconninfoOption* options = PQconndefaults();
  if (options == nullptr) return out;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o)
    out.emplace(o->keyword);
  PQconninfoFree(options);
  return out;
}

// Parameters gathered from the URL and the properties, before they become libpq keywords.
struct Gathered {
  std::map<std::string, std::string> params;  // libpq keyword -> value
  std::string extra_options;                  // appended to `options`
  std::string search_path;                    // currentSchema
  std::string ssl;                            // pgJDBC's ssl=true|false
};

Status add_parameter(const std::string& name, const std::string& value,
                     const std::set<std::string, std::less<>>& keywords, Gathered& out) {
  static const std::map<std::string, std::string, std::less<>> kRenamed = {
      {"connectTimeout", "connect_timeout"},   {"loginTimeout", "connect_timeout"},
      {"ApplicationName", "application_name"}, {"applicationName", "application_name"},
      {"tcpKeepAlive", "keepalives"},          {"targetServerType", "target_session_attrs"},
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
  if (ignored_parameters().contains(name)) {
    logger("backend")->info("connection parameter {} only tunes pgJDBC; ignored", name);
    return Status::ok();
  }
  if (name == "ssl") {
    out.ssl = value;
    return Status::ok();
  }
  if (name == "currentSchema") {
    out.search_path = value;
    return Status::ok();
  }
  if (name == "host" || name == "hostaddr" || name == "port" || name == "dbname") {
    return bad_url("parameter '" + name + "' cannot be given here: the URL names the server");
  }
  std::string keyword = name;
  std::string mapped = value;
  if (auto it = kRenamed.find(name); it != kRenamed.end()) {
    keyword = it->second;
    if (keyword == "keepalives") mapped = iequals(value, "false") ? "0" : "1";
    if (keyword == "target_session_attrs") {
      auto type = kServerTypes.find(value);
      if (type == kServerTypes.end()) {
        return bad_url("targetServerType=" + value + " has no libpq equivalent");
      }
      mapped = type->second;
    }
  } else if (!keywords.contains(name)) {
    return bad_url("unknown connection parameter '" + name +
                   "' (pgJDBC's user, password, ssl, sslmode, sslrootcert, sslcert, sslkey, "
                   "connectTimeout, ApplicationName, currentSchema, options, or a libpq keyword)");
  }
  if (keyword == "options") {
    out.extra_options += (out.extra_options.empty() ? "" : " ") + mapped;
    return Status::ok();
  }
  out.params[keyword] = std::move(mapped);
  return Status::ok();
}

}  // namespace

Result<ConnectionSettings> parse_connection_settings(const config::Conf& conf) {
  const std::string url(trim(conf.get(k::kEngineJdbcConnectionUrl)));
  if (url.empty()) {
    return Status::error(
        "kyuubi.engine.jdbc.connection.url is not set (expected "
        "jdbc:postgresql://host:port/database)",
        "08001");
  }
  if (!istarts_with(url, kPrefix)) {
    return bad_url("expected jdbc:postgresql://host[:port]/database for the postgresql backend");
  }
  std::string_view rest = std::string_view(url).substr(kPrefix.size());
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
    authority = rest.substr(0, slash);
    database = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  } else if (database.starts_with("/")) {
    database.remove_prefix(1);
  }

  std::vector<std::string> hosts;
  std::vector<std::string> ports;
  for (const std::string& entry : split(authority, ',', /*skip_empty=*/false)) {
    std::string host = entry;
    std::string port = "5432";
    if (host.starts_with("[")) {
      const auto end = host.find(']');
      if (end == std::string::npos) return bad_url("unclosed [ in an IPv6 host");
      std::string after = host.substr(end + 1);
      host = host.substr(1, end - 1);
      if (!after.empty()) {
        if (after.front() != ':') return bad_url("expected :port after ]");
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
      return bad_url("bad port '" + port + "' (expected 1 to 65535)");
    }
    hosts.push_back(std::move(host));
    ports.push_back(std::move(port));
  }
  if (hosts.empty()) {
    hosts.emplace_back("localhost");
    ports.emplace_back("5432");
  }
  Result<std::string> dbname = url_decode(database, "the database name");
  if (!dbname) return std::move(dbname).status();

  const auto keywords = libpq_keywords();
  Gathered gathered;
  for (const std::string& pair : split(query, '&')) {
    const auto eq = pair.find('=');
    Result<std::string> name = url_decode(pair.substr(0, eq), "a parameter name");
    if (!name) return std::move(name).status();
    Result<std::string> value = url_decode(
        eq == std::string::npos ? std::string_view() : std::string_view(pair).substr(eq + 1),
        "the value of " + *name);
    if (!value) return std::move(value).status();
    KITSUNE_RETURN_IF_ERROR(add_parameter(*name, *value, keywords, gathered));
  }
  for (const std::string& property : conf.get(k::kEngineJdbcConnectionProperties)) {
    const auto eq = property.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::error("kyuubi.engine.jdbc.connection.properties: expected key=value, got '" +
                               property.substr(0, property.find('=')) + "'",
                           "08001");
    }
    KITSUNE_RETURN_IF_ERROR(
        add_parameter(property.substr(0, eq), property.substr(eq + 1), keywords, gathered));
  }
  // The keys win: they are what an operator sets on purpose.
  if (std::string user = conf.get(k::kEngineJdbcConnectionUser); !user.empty()) {
    gathered.params["user"] = std::move(user);
  }
  if (std::string password = conf.get(k::kEngineJdbcConnectionPassword); !password.empty()) {
    gathered.params["password"] = std::move(password);
  }
  if (!gathered.ssl.empty() && !gathered.params.contains("sslmode")) {
    gathered.params["sslmode"] = iequals(gathered.ssl, "false") ? "disable" : "verify-full";
  }
  gathered.params.try_emplace("application_name", "kitsune-engine");
  gathered.params.try_emplace("connect_timeout", "10");
  // Hive strings are UTF-8.
  gathered.params.try_emplace("client_encoding", "UTF8");
  std::string options = "-c DateStyle=ISO -c bytea_output=hex";
  if (!gathered.search_path.empty()) {
    options += " -c search_path=" + escape_option(gathered.search_path);
  }
  if (!gathered.extra_options.empty()) options += " " + gathered.extra_options;

  ConnectionSettings out;
  out.params.emplace_back("host", join(hosts, ","));
  out.params.emplace_back("port", join(ports, ","));
  if (!dbname->empty()) out.params.emplace_back("dbname", *dbname);
  for (auto& [key, value] : gathered.params)
    out.params.emplace_back(key, value);
  out.params.emplace_back("options", options);

  std::vector<std::string> places;
  for (std::size_t i = 0; i < hosts.size(); ++i)
    places.push_back(hosts[i] + ":" + ports[i]);
  const auto user = gathered.params.find("user");
  out.where = join(places, ",") + "/" + (dbname->empty() ? "(the user's database)" : *dbname) +
              " as " + (user != gathered.params.end() ? user->second : "(the OS user)");
  return out;
}

}  // namespace kitsune::backends::postgresql
