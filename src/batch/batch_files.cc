// Upload names and files, batch logs (append, slices, chunks, tails), exit files and scripts.
#include "batch_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <fstream>
#include <system_error>

#include "kitsune/common/strings.h"

namespace kitsune::batch {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxLineBytes = 64 * 1024;

std::string errno_text(int e) {
  return std::system_category().message(e);
}

Status make_dirs(const fs::path& dir) {
  std::vector<fs::path> missing;
  std::error_code ec;
  for (fs::path p = dir; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
      const int e = errno;
      return Status::internal("cannot create " + it->string() + ": " + errno_text(e));
    }
  }
  return Status::ok();
}

Status write_all(int fd, std::string_view data, const fs::path& path) {
  for (std::size_t done = 0; done < data.size();) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int e = errno;
      return Status::internal("cannot write " + path.string() + ": " + errno_text(e));
    }
    done += static_cast<std::size_t>(n);
  }
  return Status::ok();
}

}  // namespace

Status check_file_name(std::string_view name, std::string_view what) {
  const std::string label(what);
  if (name.empty()) return Status::error(label + " has no file name");
  if (name == "." || name == "..") {
    return Status::error(label + " has the file name '" + std::string(name) +
                         "', which names a directory");
  }
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '/' || ch == '\\' || c < 0x20 || c == 0x7f) {
      return Status::error(label +
                           " has a file name with a path separator or a control character; "
                           "send a plain file name");
    }
  }
  return Status::ok();
}

Status save_file(const fs::path& dir, const std::string& name, const std::string& bytes) {
  KITSUNE_RETURN_IF_ERROR(check_file_name(name, "the upload"));
  KITSUNE_RETURN_IF_ERROR(make_dirs(dir));
  const fs::path path = dir / name;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int e = errno;
    if (e == EEXIST) return Status::error("two uploads are named " + name);
    return Status::internal("cannot save the upload " + path.string() + ": " + errno_text(e));
  }
  Status written = write_all(fd, bytes, path);
  ::close(fd);
  if (!written.is_ok()) ::unlink(path.c_str());
  return written;
}

Status append_lines(const fs::path& log, const std::vector<std::string>& lines) {
  KITSUNE_RETURN_IF_ERROR(make_dirs(log.parent_path()));
  const int fd = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    const int e = errno;
    return Status::internal("cannot open the batch log " + log.string() + ": " + errno_text(e));
  }
  std::string text;
  for (const auto& line : lines) {
    text += line;
    text += '\n';
  }
  Status written = write_all(fd, text, log);
  ::close(fd);
  return written;
}

Result<LogSlice> read_log_slice(const fs::path& log, int from, int size) {
  std::ifstream in(log, std::ios::binary);
  if (!in) return Status::not_found("the batch has no local log yet");
  LogSlice out;
  if (size <= 0) return out;
  std::deque<std::string> tail;
  long index = 0;
  for (std::string line; std::getline(in, line); ++index) {
    if (line.size() > kMaxLineBytes) line.resize(kMaxLineBytes);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (from >= 0) {
      if (index < from) continue;
      out.rows.push_back(std::move(line));
      if (out.rows.size() >= static_cast<std::size_t>(size)) break;
    } else {
      tail.push_back(std::move(line));
      if (tail.size() > static_cast<std::size_t>(size)) tail.pop_front();
    }
  }
  if (from < 0)
    out.rows.assign(std::make_move_iterator(tail.begin()), std::make_move_iterator(tail.end()));
  return out;
}

LogChunk read_log_chunk(const fs::path& log, std::uint64_t offset, std::size_t max) {
  LogChunk out;
  out.next = offset;
  std::ifstream in(log, std::ios::binary);
  if (!in) return out;
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(std::max<std::streamoff>(in.tellg(), 0));
  if (size <= offset) return out;
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size - offset, max));
  in.seekg(static_cast<std::streamoff>(offset));
  out.text.resize(want);
  in.read(out.text.data(), static_cast<std::streamsize>(want));
  out.text.resize(static_cast<std::size_t>(in.gcount()));
  const auto nl = out.text.rfind('\n');
  if (nl == std::string::npos) {
    // One line longer than `max`: taken as it is, so that the reader moves on.
    if (out.text.size() < max) out.text.clear();
  } else {
    out.text.resize(nl + 1);
  }
  out.next = offset + out.text.size();
  return out;
}

std::string read_log_tail(const fs::path& log, int lines, std::size_t max) {
  std::ifstream in(log, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size <= 0) return {};
  const std::streamoff start =
      size > static_cast<std::streamoff>(max) ? size - static_cast<std::streamoff>(max) : 0;
  in.seekg(start);
  std::string data(static_cast<std::size_t>(size - start), '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<std::size_t>(in.gcount()));
  while (!data.empty() && (data.back() == '\n' || data.back() == '\r'))
    data.pop_back();
  std::size_t begin = data.size();
  for (int n = 0; n < lines && begin > 0; ++n) {
    const auto nl = data.rfind('\n', begin - 1);
    if (nl == std::string::npos) {
      begin = 0;
      break;
    }
    begin = nl;  // the newline before the n-th line from the end
    if (n + 1 < lines) continue;
    ++begin;
  }
  return data.substr(begin);
}

std::optional<int> read_exit_code(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::string line;
  std::getline(in, line);
  const std::string_view text = trim(line);
  if (text.empty() || text.size() > 3) return std::nullopt;
  int code = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    code = code * 10 + (c - '0');
  }
  return code;
}

Result<std::string> read_small_file(const fs::path& file, std::int64_t max) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    const int e = errno;
    return Status::error("cannot read " + file.string() + ": " + errno_text(e));
  }
  if (!S_ISREG(st.st_mode)) return Status::error(file.string() + " is not a regular file");
  if (max > 0 && st.st_size > max) {
    return Status::error(file.string() + " is larger than " + std::to_string(max) + " bytes");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::error("cannot read " + file.string());
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

}  // namespace kitsune::batch
