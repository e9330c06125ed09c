// Loading the server configuration: kyuubi-defaults.conf, per-user defaults and --conf overrides.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kitsune/common/status.h"
#include "kitsune/config/conf.h"

namespace kitsune::config {

// The name of the configuration file inside the configuration directory.
inline constexpr std::string_view kDefaultsFileName = "kyuubi-defaults.conf";
// Per-user defaults are written "___<user>___.<key>".
inline constexpr std::string_view kUserDefaultsQuote = "___";

// Parses java.util.Properties text (as Kyuubi reads kyuubi-defaults.conf): one entry per logical
// line, key and value separated by the first unescaped '=', ':' or blank; '#'/'!' comment lines;
// a trailing '\' continues the line; Java escapes (\t \n \r \f \uXXXX, "\x" -> x) with UTF-8
// output. Values are trimmed. Entries come back in file order, duplicates included (the later one
// wins when they are put into a Conf). Fails only on a malformed \uXXXX, naming the line.
Result<std::vector<std::pair<std::string, std::string>>> parse_properties(std::string_view text);

struct ServerConfig {
  // Server-wide entries: built-in defaults are not stored, only what the file and --conf set.
  Conf conf;
  // Per user: only that user's overrides, keys without the "___<user>___." prefix.
  std::map<std::string, Conf, std::less<>> user_defaults;
  // The directory the file was read from (empty when there was none).
  std::filesystem::path conf_dir;
  // Things worth a warning at startup (missing file, unknown keys); not errors.
  std::vector<std::string> warnings;

  // `conf` with `user`'s defaults overlaid: the base of that user's session configuration.
  Conf for_user(std::string_view user) const;
};

// Reads <conf_dir>/kyuubi-defaults.conf, splits per-user entries off, overlays `overrides` (the
// --conf pairs, which win over the file; "___<user>___." keys there go to that user) and validates
// every value. conf_dir given: it must be a readable directory (the user named it); a missing
// file in it is only a warning. std::nullopt: no file at all (a warning says so). A bad value
// fails with "<file or --conf>: <key>: <reason>"; unknown kyuubi./kitsune. keys only warn.
Result<ServerConfig> load_server_config(std::optional<std::filesystem::path> conf_dir,
                                        const Conf& overrides);

// The configuration directory when --conf-dir is not given: $KYUUBI_CONF_DIR if set, else
// <executable_dir>/../conf if it exists, else <executable_dir>/../../conf if it exists (the source
// tree when running from build-*/bin), else <executable_dir>/../conf.
std::filesystem::path default_conf_dir(const std::filesystem::path& executable_dir);

// The directory to pass to load_server_config: `flag` (--conf-dir) if given, else
// $KYUUBI_CONF_DIR if set (both must then exist), else default_conf_dir() if it exists, else
// std::nullopt (run on built-in defaults).
std::optional<std::filesystem::path> resolve_conf_dir(
    const std::optional<std::filesystem::path>& flag, const std::filesystem::path& executable_dir);

// Whether an unknown key belongs to a family whose members are free-form (kyuubi.engineEnv.*,
// kyuubi.batchConf.*, kyuubi.kubernetes.*, ...) and so deserves no "unknown key" warning.
bool is_free_form_key(std::string_view key);

}  // namespace kitsune::config
