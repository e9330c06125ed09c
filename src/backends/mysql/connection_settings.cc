// Parsing jdbc:mysql:// and jdbc:mariadb:// URLs and Connector/J properties into
// ConnectionSettings.
#include "mysql/connection_settings.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <string_view>

#include "kitsune/common/strings.h"

namespace kitsune::backends::mysql {
namespace {

namespace k = config::keys;

// Connector/J parameters that only tune the Java driver itself (statement caches, batching,
// time-zone handling of java.sql types, metadata source): nothing here depends on them.
constexpr std::string_view kIgnoredParameters[] = {
    "useUnicode",
    "serverTimezone",
    "connectionTimeZone",
    "forceConnectionTimeZoneToSession",
    "useLegacyDatetimeCode",
    "allowPublicKeyRetrieval",
    "rewriteBatchedStatements",
    "cachePrepStmts",
    "prepStmtCacheSize",
    "prepStmtCacheSqlLimit",
    "useServerPrepStmts",
    "useCursorFetch",
    "defaultFetchSize",
    "useInformationSchema",
    "nullCatalogMeansCurrent",
    "nullDatabaseMeansCurrent",
    "zeroDateTimeBehavior",  // zero dates always read as NULL here (type_mapping.h)
    "autoReconnect",         // a session that loses its connection reports it instead
    "maxReconnects",
    "useSSLCompression",
    "enabledTLSProtocols",
    "tcpKeepAlive",
    "useLocalSessionState",
    "elideSetAutoCommits",
    "cacheServerConfiguration",
    "cacheResultSetMetadata",
    "maintainTimeStats",
    "useReadAheadInput",
    "useUsageAdvisor",
    "profileSQL",
    "logger",
};

// `plus_is_space` for query strings, as Java's URLDecoder reads them.
std::string percent_decode(std::string_view s, bool plus_is_space = true) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int v = 0;
      const auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec == std::errc() && p == s.data() + i + 3) {
        out += static_cast<char>(v);
        i += 2;
        continue;
      }
    }
    out += s[i] == '+' && plus_is_space ? ' ' : s[i];
  }
  return out;
}

Status url_error(const std::string& why) {
  return Status::error(std::string(k::kEngineJdbcConnectionUrl.name()) + ": " + why +
                       " (expected jdbc:mysql://host[:port]/database?param=value&...)");
}

Status parameter_error(std::string_view name, const std::string& why) {
  return Status::error("MySQL connection parameter " + std::string(name) + ": " + why);
}

Result<bool> parse_bool(std::string_view name, std::string_view value) {
  const std::string v = to_lower(trim(value));
  if (v == "true" || v == "yes" || v == "1" || v.empty()) return true;
  if (v == "false" || v == "no" || v == "0") return false;
  return parameter_error(name, "expected true or false, got '" + std::string(value) + "'");
}

// Milliseconds (Connector/J's unit) as whole seconds (Connector/C's), rounded up; 0 stays 0.
Result<unsigned int> parse_ms_as_seconds(std::string_view name, std::string_view value) {
  const std::string_view v = trim(value);
  std::uint64_t ms = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), ms);
  if (ec != std::errc() || p != v.data() + v.size() || v.empty()) {
    return parameter_error(name, "expected milliseconds, got '" + std::string(value) + "'");
  }
  return static_cast<unsigned int>(std::min<std::uint64_t>((ms + 999) / 1000, 86400 * 365));
}

// A Java charset name (or a MySQL one) as MySQL names it.
std::string mysql_charset(std::string_view java) {
  const std::string name = to_lower(trim(java));
  static const std::map<std::string, std::string, std::less<>> kNames = {
      {"utf-8", "utf8mb4"},   {"utf8", "utf8mb4"},      {"utf8mb4", "utf8mb4"},
      {"utf8mb3", "utf8mb3"}, {"iso-8859-1", "latin1"}, {"iso8859_1", "latin1"},
      {"latin1", "latin1"},   {"cp1252", "latin1"},     {"us-ascii", "ascii"},
      {"ascii", "ascii"},     {"utf-16", "utf16"},      {"utf16", "utf16"},
      {"gbk", "gbk"},         {"gb2312", "gb2312"},     {"big5", "big5"},
      {"euc-jp", "ujis"},     {"shift_jis", "sjis"},    {"sjis", "sjis"},
      {"euc-kr", "euckr"},    {"binary", "binary"},
  };
  if (auto it = kNames.find(name); it != kNames.end()) return it->second;
  return name;
}

Status apply(ConnectionSettings& s, std::string_view name, std::string_view value) {
  const auto is = [&](std::string_view known) { return iequals(name, known); };
  if (is("user")) {
    s.user = std::string(value);
  } else if (is("password")) {
    s.password = std::string(value);
  } else if (is("sslMode")) {
    const std::string v = to_lower(trim(value));
    if (v == "disabled" || v == "disable") {
      s.ssl_mode = SslMode::kDisabled;
    } else if (v == "preferred") {
      s.ssl_mode = SslMode::kPreferred;
    } else if (v == "required" || v == "trust") {
      s.ssl_mode = SslMode::kRequired;
    } else if (v == "verify_ca" || v == "verify-ca") {
      s.ssl_mode = SslMode::kVerifyCa;
    } else if (v == "verify_identity" || v == "verify-full") {
      s.ssl_mode = SslMode::kVerifyIdentity;
    } else {
      return parameter_error(name, "unknown mode '" + std::string(value) +
                                       "' (DISABLED, PREFERRED, REQUIRED, VERIFY_CA, "
                                       "VERIFY_IDENTITY)");
    }
  } else if (is("useSSL") || is("useSsl") || is("requireSSL")) {
    Result<bool> on = parse_bool(name, value);
    if (!on) return std::move(on).status();
    if (*on && s.ssl_mode < SslMode::kRequired) s.ssl_mode = SslMode::kRequired;
    if (!*on && is("useSSL")) s.ssl_mode = SslMode::kDisabled;
  } else if (is("verifyServerCertificate") || is("trustServerCertificate")) {
    Result<bool> on = parse_bool(name, value);
    if (!on) return std::move(on).status();
    const bool verify = is("verifyServerCertificate") ? *on : !*on;
    if (verify && s.ssl_mode >= SslMode::kRequired) s.ssl_mode = SslMode::kVerifyIdentity;
    if (!verify && s.ssl_mode > SslMode::kRequired) s.ssl_mode = SslMode::kRequired;
  } else if (is("serverSslCert") || is("sslCa")) {
    s.ssl_ca = std::string(value);
  } else if (is("connectTimeout")) {
    Result<unsigned int> v = parse_ms_as_seconds(name, value);
    if (!v) return std::move(v).status();
    s.connect_timeout_s = *v;
  } else if (is("socketTimeout")) {
    Result<unsigned int> v = parse_ms_as_seconds(name, value);
    if (!v) return std::move(v).status();
    s.socket_timeout_s = *v;
  } else if (is("characterEncoding")) {
    s.charset = mysql_charset(value);
    if (s.charset.empty()) return parameter_error(name, "empty charset");
  } else if (is("useCompression")) {
    Result<bool> on = parse_bool(name, value);
    if (!on) return std::move(on).status();
    s.compress = *on;
  } else if (is("useAffectedRows")) {
    Result<bool> on = parse_bool(name, value);
    if (!on) return std::move(on).status();
    s.found_rows = !*on;
  } else if (is("tinyInt1isBit")) {
    Result<bool> on = parse_bool(name, value);
    if (!on) return std::move(on).status();
    s.tiny_int1_is_bit = *on;
  } else if (std::none_of(std::begin(kIgnoredParameters), std::end(kIgnoredParameters),
                          [&](std::string_view ignored) { return iequals(name, ignored); })) {
    return parameter_error(name,
                           "not supported by kitsune-engine's MySQL backend (MariaDB "
                           "Connector/C); remove it from the URL or the properties");
  }
  return Status::ok();
}

}  // namespace

std::string ConnectionSettings::describe(const std::string& database_override) const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/" + database_override +
         " as " + (user.empty() ? std::string("(no user)") : user);
}

Result<ConnectionSettings> parse_connection_settings(const std::string& url,
                                                     const std::vector<std::string>& properties,
                                                     const std::string& user,
                                                     const std::string& password) {
  ConnectionSettings s;
  std::string_view rest = trim(url);
  if (istarts_with(rest, "jdbc:mysql://")) {
    rest.remove_prefix(13);
  } else if (istarts_with(rest, "jdbc:mariadb://")) {
    rest.remove_prefix(15);
    s.product = "MariaDB";
  } else {
    return url_error(rest.empty() ? "not set" : "must start with jdbc:mysql:// or jdbc:mariadb://");
  }
  std::string_view query;
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view authority = rest;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    s.database = percent_decode(rest.substr(slash + 1), false);
  }
  if (authority.find(',') != std::string_view::npos) {
    return url_error("more than one host is not supported");
  }
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    return url_error("put the user in kyuubi.engine.jdbc.connection.user, not in the host part");
  }
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return url_error("unclosed '[' in the host");
    s.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (after.starts_with(':')) port_text = after.substr(1);
  } else if (const auto colon = authority.find(':'); colon != std::string_view::npos) {
    s.host = std::string(authority.substr(0, colon));
    port_text = authority.substr(colon + 1);
  } else if (!authority.empty()) {
    s.host = std::string(authority);
  }
  if (!port_text.empty()) {
    unsigned int port = 0;
    const auto [p, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return url_error("bad port '" + std::string(port_text) + "'");
    }
    s.port = port;
  }
  for (const std::string& pair : split(query, '&')) {
    const auto eq = pair.find('=');
    const std::string name = percent_decode(pair.substr(0, eq));
    const std::string value = eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1));
    KITSUNE_RETURN_IF_ERROR(apply(s, name, value));
  }
  for (const std::string& item : properties) {
    const std::string_view pair = trim(item);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return Status::error(std::string(k::kEngineJdbcConnectionProperties.name()) +
                           ": expected key=value, got '" + std::string(pair) + "'");
    }
    KITSUNE_RETURN_IF_ERROR(apply(s, trim(pair.substr(0, eq)), trim(pair.substr(eq + 1))));
  }
  if (!user.empty()) s.user = user;
  if (!password.empty()) s.password = password;
  return s;
}

Result<ConnectionSettings> connection_settings_from(const config::Conf& conf) {
  return parse_connection_settings(
      conf.get(k::kEngineJdbcConnectionUrl), conf.get(k::kEngineJdbcConnectionProperties),
      conf.get(k::kEngineJdbcConnectionUser), conf.get(k::kEngineJdbcConnectionPassword));
}

}  // namespace kitsune::backends::mysql
