#include "gptvault/util/ascii.h"

namespace gptvault {

namespace {

char Fold(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

size_t FindIgnoringAsciiCase(std::string_view haystack, std::string_view needle) {
  if (needle.empty() || needle.size() > haystack.size()) return std::string_view::npos;
  const char first = Fold(needle[0]);
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (Fold(haystack[i]) != first) continue;
    size_t k = 1;
    while (k < needle.size() && Fold(haystack[i + k]) == Fold(needle[k])) ++k;
    if (k == needle.size()) return i;
  }
  return std::string_view::npos;
}

}  // namespace gptvault
