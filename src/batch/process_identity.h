// Which process a stored pid names: the pid, its start time and the boot it ran in, so that a
// restarted gateway never mistakes a reused pid for the spark-submit it started.
#pragma once

#include <optional>
#include <string>

namespace kitsune::batch {

// "<pid>:<start ticks>:<boot id>" of the running process `pid`; nullopt when /proc has no such
// process.
std::optional<std::string> process_identity(int pid);
// The pid of an identity; 0 when it is malformed.
int identity_pid(const std::string& identity);
// Whether the process the identity names is still running (not a zombie).
bool process_alive(const std::string& identity);
// Sends `sig` to the identity's process group (its leader is the process), or to the process
// alone when it has left that group, unless the process is gone. False when it is gone.
bool signal_process(const std::string& identity, int sig);

}  // namespace kitsune::batch
