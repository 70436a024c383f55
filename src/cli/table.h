// Aligned text tables for the commands' human output. Private to the cli layer.
#pragma once

#include <string>
#include <vector>

namespace gptvault::cli {

// `rows` (the first is the header) with each column as wide as its widest
// cell and two spaces between columns; `align` gives each column's
// alignment, 'l' or 'r' (missing: 'l'). The last column is not padded and
// is cut to `last_width` code points (OneLine: also made safe for a
// terminal); the other cells must already be safe. Ends every row with a
// newline.
std::string FormatTable(const std::vector<std::vector<std::string>>& rows, const std::string& align,
                        size_t last_width);

// The width of the table's columns before the last, separators included:
// what is left of a terminal line for the last one.
size_t TableLeadWidth(const std::vector<std::vector<std::string>>& rows);

// A snapshot's ISO 8601 time ("2026-12-01T10:22:33Z") to the minute, as a
// table shows it: "2026-12-01 10:22".
std::string TableMinute(const std::string& iso);

}  // namespace gptvault::cli
