// Small operating-system helpers the test processes share: a free loopback port, a file's text.
#pragma once

#include <string>

namespace kitsune::testing {

// A port nothing listens on right now: bound to 127.0.0.1:0 and released. Throws on failure.
int pick_loopback_port();

// The whole file as bytes; empty when it cannot be read.
std::string read_text_file(const std::string& path);

}  // namespace kitsune::testing
