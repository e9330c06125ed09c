// A batch's files: uploads saved under the work dir, its log (appended to, read by slices and
// chunks), the exit file of its spark-submit, its SQL script. Blocking file I/O: callers run these
// on the BlockingPool.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kitsune/batch/batch_manager.h"
#include "kitsune/common/status.h"

namespace kitsune::batch {

// kError unless `name` is a plain file name that stays in its directory: not empty, not "." or
// "..", without '/', '\' or control characters (NUL included).
Status check_file_name(std::string_view name, std::string_view what);

// Writes `bytes` to <dir>/<name> (dir created mode 0700 with its parents; the file 0600, never
// over an existing one or through a symbolic link).
Status save_file(const std::filesystem::path& dir, const std::string& name,
                 const std::string& bytes);

// Appends the lines (each with a newline) to the log, creating it (0600) when missing.
Status append_lines(const std::filesystem::path& log, const std::vector<std::string>& lines);

// Lines [from, from + size) of the log, or its last `size` lines when from < 0. kNotFound when
// there is no such file. A line longer than 64 KiB is cut.
Result<LogSlice> read_log_slice(const std::filesystem::path& log, int from, int size);

// What the log holds from `offset`, up to `max` bytes and then to the last complete line.
struct LogChunk {
  std::string text;
  std::uint64_t next = 0;  // where the next chunk starts
};
LogChunk read_log_chunk(const std::filesystem::path& log, std::uint64_t offset, std::size_t max);

// The last `lines` lines of the log (at most `max` bytes of its end).
std::string read_log_tail(const std::filesystem::path& log, int lines, std::size_t max);

// The exit code a batch's /bin/sh wrote, if it did.
std::optional<int> read_exit_code(const std::filesystem::path& file);

// The whole file, when it is a regular file of at most `max` bytes (0: no limit).
Result<std::string> read_small_file(const std::filesystem::path& file, std::int64_t max);

}  // namespace kitsune::batch
