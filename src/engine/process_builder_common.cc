// Engine homes, Kyuubi's engine jars, JVM command pieces and secret handling shared by the
// process builders.
#include "process_builder_common.h"

#include <algorithm>

#include "kitsune/common/strings.h"

namespace kitsune::engine::builder {
namespace {

namespace fs = std::filesystem;

bool is_local_path(std::string_view uri) {
  if (uri.starts_with("file:")) return true;
  const auto colon = uri.find(':');
  const auto slash = uri.find('/');
  // No scheme (a plain path); a one-letter "scheme" would be a Windows drive, not seen here.
  return colon == std::string_view::npos || (slash != std::string_view::npos && slash < colon);
}

std::string strip_file_scheme(std::string_view uri) {
  if (!uri.starts_with("file:")) return std::string(uri);
  uri.remove_prefix(5);
  // file:///a/b and file:/a/b are both /a/b.
  while (uri.starts_with("//"))
    uri.remove_prefix(1);
  return std::string(uri);
}

}  // namespace

std::optional<std::string> env_of(const LaunchContext& ctx, const std::string& name) {
  auto it = ctx.env.find(name);
  if (it == ctx.env.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

Result<fs::path> engine_home(const LaunchContext& ctx, std::string_view var,
                             std::string_view short_name) {
  if (auto home = env_of(ctx, std::string(var))) return fs::path(*home);
  if (!ctx.kyuubi_home.empty()) {
    const fs::path target = ctx.kyuubi_home / "externals" / "kyuubi-download" / "target";
    std::vector<fs::path> found;
    std::error_code ec;
    for (fs::directory_iterator it(target, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code type_ec;
      if (it->is_directory(type_ec) &&
          it->path().filename().string().starts_with(std::string(short_name) + "-")) {
        found.push_back(it->path());
      }
    }
    std::sort(found.begin(), found.end());
    if (!found.empty()) return found.front();
  }
  return Status::error(std::string(var) + " is not set! Set it in the server's environment or " +
                       "as kyuubi.engineEnv." + std::string(var) + ".");
}

Result<std::string> main_resource(const LaunchContext& ctx, const std::string& configured,
                                  std::string_view short_name, std::string_view module,
                                  std::string_view scala_version) {
  if (!configured.empty()) {
    if (!is_local_path(configured)) return configured;
    const std::string path = strip_file_scheme(configured);
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      return Status::error("the engine jar " + configured + " (kyuubi.session.engine." +
                           std::string(short_name) + ".main.resource) does not exist");
    }
    return configured;
  }
  const std::string jar =
      std::string(module) + "_" + std::string(scala_version) + "-" + ctx.kyuubi_version + ".jar";
  if (!ctx.kyuubi_home.empty()) {
    for (const fs::path& candidate :
         {ctx.kyuubi_home / "externals" / "engines" / std::string(short_name) / jar,
          ctx.kyuubi_home / "externals" / std::string(module) / "target" / jar}) {
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec)) return candidate.string();
    }
  }
  return Status::error("cannot find Kyuubi's " + std::string(module) + " jar " + jar +
                       " under $KYUUBI_HOME/externals (KYUUBI_HOME=" +
                       (ctx.kyuubi_home.empty() ? std::string("unset") : ctx.kyuubi_home.string()) +
                       "); set kyuubi.session.engine." + std::string(short_name) +
                       ".main.resource");
}

Result<fs::path> java_executable(const LaunchContext& ctx) {
  if (auto home = env_of(ctx, "JAVA_HOME")) return fs::path(*home) / "bin" / "java";
  return Status::error(
      "JAVA_HOME is not set! Set it in the server's environment or as kyuubi.engineEnv.JAVA_HOME.");
}

std::vector<std::string> split_options(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  bool in_arg = false;
  char quote = 0;
  for (char c : text) {
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else {
        current += c;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_arg = true;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_arg) out.push_back(std::exchange(current, {}));
      in_arg = false;
    } else {
      current += c;
      in_arg = true;
    }
  }
  if (in_arg) out.push_back(std::move(current));
  return out;
}

const std::string* find(const Pairs& pairs, std::string_view key) {
  for (const auto& [k, v] : pairs) {
    if (k == key) return &v;
  }
  return nullptr;
}

void put(Pairs& pairs, std::string key, std::string value, bool only_if_absent) {
  for (auto& [k, v] : pairs) {
    if (k == key) {
      if (!only_if_absent) v = std::move(value);
      return;
    }
  }
  pairs.emplace_back(std::move(key), std::move(value));
}

std::string properties_line(std::string_view key, std::string_view value) {
  auto escape = [](std::string_view text, bool is_key) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      switch (c) {
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\f':
          out += "\\f";
          break;
        case '=':
        case ':':
        case '#':
        case '!':
          if (is_key || (i == 0 && (c == '#' || c == '!'))) out += '\\';
          out += c;
          break;
        case ' ':
          if (is_key || i == 0) out += '\\';
          out += c;
          break;
        default:
          out += c;
      }
    }
    return out;
  };
  return escape(key, true) + "=" + escape(value, false) + "\n";
}

std::string java_argfile(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& arg : args) {
    out += '"';
    for (char c : arg) {
      // Inside quotes the launcher reads \\, \", \n, \r, \t and \f as escapes.
      switch (c) {
        case '\\':
          out += "\\\\";
          break;
        case '"':
          out += "\\\"";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          out += c;
      }
    }
    out += "\"\n";
  }
  return out;
}

fs::path private_path(const LaunchRequest& request, const LaunchContext& ctx,
                      std::string_view suffix) {
  return ctx.private_dir / (request.ref_id + "." + std::string(suffix));
}

std::string principal_short_name(std::string_view principal) {
  const auto end = principal.find_first_of("/@");
  return std::string(principal.substr(0, end));
}

Status check_pair(const std::string& key, const std::string& value) {
  if (key.empty() || key.find('=') != std::string::npos) {
    return Status::error("cannot launch the engine: bad configuration key '" + key + "'");
  }
  if (key.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
    return Status::error("cannot launch the engine: the value of " + key +
                         " contains a NUL character");
  }
  return Status::ok();
}

Result<EngineCommand> java_engine_command(const LaunchRequest& request, const LaunchContext& ctx,
                                          const config::Redactor& redactor,
                                          const std::string& memory,
                                          const std::string& java_options,
                                          const std::string& classpath, std::string_view main_class,
                                          const Pairs& leading, const Pairs& confs) {
  auto java = java_executable(ctx);
  if (!java) return java.status();
  EngineCommand command;
  command.executable = *java;
  command.env = ctx.env;
  command.args.push_back("-Xmx" + memory);
  for (auto& option : split_options(java_options))
    command.args.push_back(std::move(option));
  command.args.push_back("-cp");
  command.args.push_back(classpath);

  std::vector<std::string> tail{std::string(main_class), "--conf",
                                "kyuubi.session.user=" + request.user};
  bool secret = false;
  auto add = [&](const std::string& key, const std::string& value) -> Status {
    KITSUNE_RETURN_IF_ERROR(check_pair(key, value));
    if (redactor.is_secret(key)) {
      secret = true;
      command.secret_keys.push_back(key);
    }
    tail.push_back("--conf");
    tail.push_back(key + "=" + value);
    return Status::ok();
  };
  for (const auto& [key, value] : leading)
    KITSUNE_RETURN_IF_ERROR(add(key, value));
  for (const auto& [key, value] : confs) {
    if (key == "kyuubi.session.user" || find(leading, key)) continue;
    KITSUNE_RETURN_IF_ERROR(add(key, value));
  }
  if (!secret) {
    for (auto& arg : tail)
      command.args.push_back(std::move(arg));
    return command;
  }
  PrivateFile file{private_path(request, ctx, "args"), java_argfile(tail)};
  command.args.push_back("@" + file.path.string());
  command.private_files.push_back(std::move(file));
  return command;
}

}  // namespace kitsune::engine::builder
