// Process limits a daemon sets for itself at startup.
#pragma once

namespace kitsune {

// Raises the soft limit on open files to the hard limit, as a server holding a socket per client
// and per engine connection needs (each gateway session holds two). Returns the soft limit now in
// force, or -1 when it cannot be read.
long raise_open_files_to_hard_limit();

}  // namespace kitsune
