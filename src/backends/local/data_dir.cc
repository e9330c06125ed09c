// Database names, files and the data directory of the local backend.
#include "local/data_dir.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "kitsune/common/strings.h"

namespace kitsune::backends::local {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSuffix = ".db";

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && (i == 0 || c < '0' || c > '9')) return false;
  }
  return true;
}

}  // namespace

Result<std::string> normalize_database_name(std::string_view name) {
  if (!valid_name(name)) {
    return Status::error("Invalid database name: '" + std::string(name) +
                             "' (the local engine accepts letters, digits and '_', not starting "
                             "with a digit)",
                         "42000");
  }
  return to_lower(name);
}

bool is_reserved_database_name(std::string_view name) {
  return name == "main" || name == "temp";
}

Result<DataDir> DataDir::open(const std::string& dir, std::chrono::milliseconds busy_timeout) {
  std::error_code ec;
  fs::path root = fs::absolute(dir.empty() ? fs::path(".") : fs::path(dir), ec);
  if (!ec) fs::create_directories(root, ec);
  if (ec || !fs::is_directory(root)) {
    return Status::unavailable("Cannot use " + dir + " as the local engine's data directory: " +
                               (ec ? ec.message() : "not a directory"));
  }
  return DataDir(root.lexically_normal(), busy_timeout);
}

fs::path DataDir::file_of(std::string_view name) const {
  return root_ / (std::string(name) + std::string(kSuffix));
}

bool DataDir::exists(std::string_view name) const {
  if (name == kDefaultDatabase) return true;
  if (is_reserved_database_name(name)) return false;
  std::error_code ec;
  return fs::is_regular_file(file_of(name), ec);
}

Result<std::vector<std::string>> DataDir::list() const {
  std::vector<std::string> out{std::string(kDefaultDatabase)};
  std::error_code ec;
  for (fs::directory_iterator it(root_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    if (!file.ends_with(kSuffix)) continue;
    const std::string name = file.substr(0, file.size() - kSuffix.size());
    // Only files a database name leads to: no SQLite side files, no stray upper-case copies.
    if (!valid_name(name) || to_lower(name) != name || name == kDefaultDatabase ||
        is_reserved_database_name(name)) {
      continue;
    }
    std::error_code type_ec;
    if (it->is_regular_file(type_ec)) out.push_back(name);
  }
  if (ec) return Status::error("Cannot list " + root_.string() + ": " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

Result<bool> DataDir::create(std::string_view name) const {
  // O_EXCL decides between two sessions creating the same database; an empty file is a valid,
  // empty SQLite database.
  const fs::path file = file_of(name);
  const int fd = ::open(file.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return false;
    return Status::error("Cannot create " + file.string() + ": " + std::strerror(errno));
  }
  ::close(fd);
  return true;
}

Status DataDir::remove(std::string_view name) const {
  const fs::path file = file_of(name);
  std::error_code ec;
  fs::remove(file, ec);
  if (ec) return Status::error("Cannot remove " + file.string() + ": " + ec.message());
  for (std::string_view side : {"-wal", "-shm", "-journal"}) {
    fs::remove(fs::path(file.string() + std::string(side)), ec);
  }
  return Status::ok();
}

}  // namespace kitsune::backends::local
