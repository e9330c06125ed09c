// The box-drawn tables of kitsune-ctl's output, laid out as FlipTable lays out kyuubi-ctl's.
#include "table.h"

#include <algorithm>

namespace kitsune::ctl {

namespace {

std::string repeat(std::string_view piece, std::size_t n) {
  std::string out;
  out.reserve(piece.size() * n);
  for (std::size_t i = 0; i < n; ++i)
    out += piece;
  return out;
}

std::vector<std::string> lines_of(std::string_view cell) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (;;) {
    const auto nl = cell.find('\n', start);
    lines.emplace_back(cell.substr(start, nl == std::string_view::npos ? nl : nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

// A border line: left, fill per column, joints, right (box-drawing characters).
std::string border(const std::vector<std::size_t>& widths, std::string_view left,
                   std::string_view fill, std::string_view joint, std::string_view right) {
  std::string line(left);
  for (std::size_t c = 0; c < widths.size(); ++c) {
    if (c > 0) line += joint;
    line += repeat(fill, widths[c] + 2);
  }
  return line + std::string(right) + "\n";
}

// One row of cells, as many text lines as its tallest cell.
std::string row_text(const std::vector<std::size_t>& widths, const Row& row) {
  std::vector<std::vector<std::string>> cells;
  std::size_t height = 1;
  for (std::size_t c = 0; c < widths.size(); ++c) {
    cells.push_back(lines_of(c < row.size() ? row[c] : std::string()));
    height = std::max(height, cells.back().size());
  }
  std::string text;
  for (std::size_t l = 0; l < height; ++l) {
    text += "║";
    for (std::size_t c = 0; c < widths.size(); ++c) {
      if (c > 0) text += "│";
      const std::string piece = l < cells[c].size() ? cells[c][l] : std::string();
      text += " " + piece + std::string(widths[c] - display_width(piece), ' ') + " ";
    }
    text += "║\n";
  }
  return text;
}

}  // namespace

std::size_t display_width(std::string_view text) {
  std::size_t n = 0;
  for (const char ch : text) {
    if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++n;  // not a continuation byte
  }
  return n;
}

std::string render_table(std::string_view title, const Row& header, const std::vector<Row>& rows) {
  std::vector<std::size_t> widths(header.size(), 0);
  auto widen = [&](const Row& row) {
    for (std::size_t c = 0; c < widths.size() && c < row.size(); ++c) {
      for (const auto& line : lines_of(row[c]))
        widths[c] = std::max(widths[c], display_width(line));
    }
  };
  widen(header);
  for (const auto& row : rows)
    widen(row);

  std::string table = border(widths, "╔", "═", "╤", "╗");
  table += row_text(widths, header);
  if (rows.empty()) {
    // FlipTable's "(empty)": one cell across the whole width.
    std::size_t inner = 0;
    for (const auto w : widths)
      inner += w + 3;
    inner = inner > 0 ? inner - 1 : 0;
    table += border(widths, "╠", "═", "╧", "╣");
    const std::string empty = "(empty)";
    const std::size_t pad = inner > empty.size() ? inner - empty.size() : 0;
    table += "║" + std::string(pad / 2, ' ') + empty + std::string(pad - pad / 2, ' ') + "║\n";
    table += "╚" + repeat("═", inner) + "╝\n";
  } else {
    table += border(widths, "╠", "═", "╪", "╣");
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (r > 0) table += border(widths, "╟", "─", "┼", "╢");
      table += row_text(widths, rows[r]);
    }
    table += border(widths, "╚", "═", "╧", "╝");
  }
  table += std::to_string(rows.size()) + " row(s)\n";
  if (title.empty()) return table;

  const std::size_t width = display_width(table.substr(0, table.find('\n')));
  const std::size_t t = display_width(title);
  const std::size_t pad = width > t ? width - t : 0;
  return "\n" + std::string(pad / 2, ' ') + std::string(title) + std::string(pad - pad / 2, ' ') +
         "\n" + table;
}

}  // namespace kitsune::ctl
