// The local engine's data directory: one SQLite file per Hive database, and the names that map to
// those files.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "kitsune/common/status.h"

namespace kitsune::backends::local {

inline constexpr std::string_view kDefaultDatabase = "default";

// A Hive database name as the local backend stores it: [A-Za-z_][A-Za-z0-9_]*, folded to lower
// case as Hive folds it. Anything else fails (SQLSTATE 42000), so no name reaches outside the
// data directory.
Result<std::string> normalize_database_name(std::string_view name);

// Names SQLite gives its own schemas ("main", "temp"): in SQL they cannot name a Hive database, so
// no database may take them.
bool is_reserved_database_name(std::string_view name);

// Where the databases live and how their connections wait for locks. Immutable once opened, so
// shared by every session of a backend.
class DataDir {
 public:
  // Creates `dir` and its parents when missing; a relative `dir` is resolved against the current
  // directory now, so a later chdir changes nothing.
  static Result<DataDir> open(const std::string& dir, std::chrono::milliseconds busy_timeout);

  const std::filesystem::path& root() const { return root_; }
  std::chrono::milliseconds busy_timeout() const { return busy_timeout_; }

  // The file of database `name` (normalized): <root>/<name>.db.
  std::filesystem::path file_of(std::string_view name) const;
  // Whether database `name` (normalized) exists; "default" always does, file or not, and the
  // reserved names never do.
  bool exists(std::string_view name) const;
  // "default" and every database that has a file, sorted.
  Result<std::vector<std::string>> list() const;
  // Creates the empty file of database `name` (normalized); false when it already exists.
  Result<bool> create(std::string_view name) const;
  // Removes the file of database `name` (normalized) with its -wal, -shm and -journal files.
  Status remove(std::string_view name) const;

 private:
  DataDir(std::filesystem::path root, std::chrono::milliseconds busy_timeout)
      : root_(std::move(root)), busy_timeout_(busy_timeout) {}

  std::filesystem::path root_;
  std::chrono::milliseconds busy_timeout_;
};

}  // namespace kitsune::backends::local
