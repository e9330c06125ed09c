// Tables as kyuubi-ctl prints them (FlipTable's box drawing): a centred title, a header, rows
// whose cells may span several lines, columns aligned by display width, and "N row(s)".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kitsune::ctl {

using Row = std::vector<std::string>;

// The table as text, ending with a newline. Cells may hold '\n'; every row has header.size()
// cells (missing ones print empty). An empty `title` prints no title line.
std::string render_table(std::string_view title, const Row& header, const std::vector<Row>& rows);

// How many columns `text` takes on a terminal: its UTF-8 code points.
std::size_t display_width(std::string_view text);

}  // namespace kitsune::ctl
