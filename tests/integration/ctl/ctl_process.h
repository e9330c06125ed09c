// Running the real kitsune-ctl binary as an admin or a script would, and capturing what it says;
// plus a temp dir for its configuration and YAML files.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace kitsune::testing {

struct CtlRun {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;     // stdout
  std::string err;     // stderr
  std::chrono::milliseconds elapsed{0};

  // The whole run, for failure messages.
  std::string describe() const;
};

// build/bin/kitsune-ctl, or $KITSUNE_CTL.
std::string ctl_binary();

// Runs kitsune-ctl with `args` (stdin /dev/null; KYUUBI_CONF_DIR and KYUUBI_PASSWORD removed from
// the environment, then `env` "NAME=value" entries added) and waits for it; it is killed after
// `timeout`.
CtlRun run_ctl(const std::vector<std::string>& args,
               std::chrono::milliseconds timeout = std::chrono::seconds(60),
               const std::vector<std::string>& env = {});

// A temp dir removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `text` to <dir>/<name> and returns the file's path.
  std::string write(const std::string& name, const std::string& text) const;

 private:
  std::string path_;
};

// Polls `condition` every 200 ms until it holds or `timeout` passes; returns its last value.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// The lines of `text`.
std::vector<std::string> lines_of(const std::string& text);
// Columns a line takes on a terminal (UTF-8 code points).
std::size_t columns(const std::string& line);

}  // namespace kitsune::testing
