#include "table.h"

#include <algorithm>

#include "text.h"

namespace gptvault::cli {

namespace {

// Code points, which is what a terminal lays out for the text cells hold
// (dates, numbers, ids, ranges, an occasional UTF-8 title cut by OneLine).
size_t Width(const std::string& s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::vector<size_t> Widths(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t k = 0; k + 1 < row.size(); ++k) widths[k] = std::max(widths[k], Width(row[k]));
  }
  return widths;
}

}  // namespace

size_t TableLeadWidth(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths = Widths(rows);
  size_t used = 0;
  for (size_t k = 0; k + 1 < widths.size(); ++k) used += widths[k] + 2;
  return used;
}

std::string FormatTable(const std::vector<std::vector<std::string>>& rows, const std::string& align,
                        size_t last_width) {
  const std::vector<size_t> widths = Widths(rows);
  std::string out;
  for (const auto& row : rows) {
    for (size_t k = 0; k + 1 < row.size(); ++k) {
      const std::string pad(widths[k] - Width(row[k]), ' ');
      const bool right = k < align.size() && align[k] == 'r';
      out += right ? pad + row[k] : row[k] + pad;
      out += "  ";
    }
    if (!row.empty()) out += OneLine(row.back(), last_width);
    // No trailing blanks when the last cell is empty.
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
  }
  return out;
}

std::string TableMinute(const std::string& iso) {
  std::string out = OneLine(iso, 16);
  if (out.size() > 10 && out[10] == 'T') out[10] = ' ';
  return out;
}

}  // namespace gptvault::cli
