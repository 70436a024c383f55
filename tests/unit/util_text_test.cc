// The small text helpers shared by the layers: ASCII-folding search and
// times as people read them.
#include <doctest/doctest.h>

#include <cmath>

#include "gptvault/util/ascii.h"
#include "gptvault/util/time_format.h"

using namespace gptvault;

TEST_SUITE("util text") {
  TEST_CASE("a search folds ASCII letters and nothing else") {
    CHECK(FindIgnoringAsciiCase("Filing my TAX return", "tax Return") == 10);
    CHECK(FindIgnoringAsciiCase("caf\xC3\x89", "caf\xC3\xA9") == std::string_view::npos);
    CHECK(FindIgnoringAsciiCase("[\\]", "{|}") == std::string_view::npos);  // not letters
    CHECK(FindIgnoringAsciiCase("abc", "") == std::string_view::npos);
    CHECK(FindIgnoringAsciiCase("ab", "abc") == std::string_view::npos);
    CHECK(FindIgnoringAsciiCase("aab", "AB") == 1);
  }

  TEST_CASE("a time is shown to the minute in UTC, and no time as nothing") {
    CHECK(FormatUtcMinute(1714585031.9) == "2024-05-01 17:37");
    CHECK(FormatUtcMinute(0.0) == "1970-01-01 00:00");
    CHECK(FormatUtcMinute(std::nullopt).empty());
    CHECK(FormatUtcMinute(-1.0).empty());
    CHECK(FormatUtcMinute(NAN).empty());
    CHECK(FormatUtcMinute(1e300).empty());
  }
}
