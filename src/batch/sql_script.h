// The statements of a SQL batch's script: split on ';' outside quotes and comments.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kitsune::batch {

// The script's statements in order, each trimmed, without the ';' that ends it. A ';' inside a
// '...', "..." or `...` quoted run (where a backslash escapes the next character, as in Hive
// and Spark SQL), a -- comment (to the end of the line) or a /* */ comment does not split.
// Comments before a statement are dropped, and so are pieces holding nothing but blanks and
// comments.
std::vector<std::string> split_sql_statements(std::string_view script);

}  // namespace kitsune::batch
