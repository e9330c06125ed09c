// Process identities from /proc: start time (field 22 of /proc/<pid>/stat) and boot id.
#include "process_identity.h"

#include <signal.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "kitsune/common/strings.h"

namespace kitsune::batch {
namespace {

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return std::string(trim(id));
}

struct ProcStat {
  char state = '?';
  std::string start_ticks;
};

std::optional<ProcStat> read_stat(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  std::string line;
  std::getline(in, line);
  // The command name (field 2) is in parentheses and may hold anything: fields follow the last ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> fields;  // fields[0] is field 3 (state)
  for (std::string f; rest >> f;)
    fields.push_back(f);
  if (fields.size() < 20 || fields[0].empty()) return std::nullopt;
  return ProcStat{fields[0][0], fields[19]};  // field 22: starttime
}

}  // namespace

std::optional<std::string> process_identity(int pid) {
  if (pid <= 0) return std::nullopt;
  auto stat = read_stat(pid);
  if (!stat) return std::nullopt;
  return std::to_string(pid) + ":" + stat->start_ticks + ":" + boot_id();
}

int identity_pid(const std::string& identity) {
  const auto colon = identity.find(':');
  try {
    const int pid = std::stoi(identity.substr(0, colon));
    return pid > 0 ? pid : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

bool process_alive(const std::string& identity) {
  const int pid = identity_pid(identity);
  if (pid <= 0) return false;
  auto stat = read_stat(pid);
  if (!stat || stat->state == 'Z' || stat->state == 'X') return false;
  return identity == std::to_string(pid) + ":" + stat->start_ticks + ":" + boot_id();
}

bool signal_process(const std::string& identity, int sig) {
  if (!process_alive(identity)) return false;
  const int pid = identity_pid(identity);
  if (::kill(-pid, sig) != 0) ::kill(pid, sig);
  return true;
}

}  // namespace kitsune::batch
