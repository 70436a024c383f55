// Rendering helpers for human-readable tables. Private to the cli layer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gptvault::cli {

// `text` made safe for one terminal line: control characters (including
// newlines and bidi overrides) become spaces, invalid UTF-8 becomes U+FFFD,
// and it is cut to `width` code points with an ellipsis.
std::string OneLine(std::string_view text, size_t width);

// `word` as one word on a POSIX shell line: as it is when it holds only
// characters no shell treats specially, else in single quotes.
std::string ShellWord(std::string_view word);

// "2026-11-24 04:19" (UTC) for an epoch time, "-" for none.
std::string FormatTime(std::optional<double> epoch_seconds);

}  // namespace gptvault::cli
