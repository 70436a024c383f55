// Text matching that folds only ASCII letters: what a search typed on any
// keyboard can rely on without a Unicode case table.
#pragma once

#include <string_view>

namespace gptvault {

// Where `needle` first occurs in `haystack`, A-Z and a-z matching each other
// and every other byte only itself; npos when it does not, or is empty.
size_t FindIgnoringAsciiCase(std::string_view haystack, std::string_view needle);

}  // namespace gptvault
