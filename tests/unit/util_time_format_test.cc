// Times as people read and type them: the formats the commands print and
// the dates `restore --at` accepts.
#include <doctest/doctest.h>

#include <cmath>

#include "gptvault/util/time_format.h"

using gptvault::FormatUtcDay;
using gptvault::FormatUtcMinute;
using gptvault::FormatUtcRfc3339;
using gptvault::ParseUtcInstant;

TEST_SUITE("time format") {
  TEST_CASE("a time prints to the minute, the day and the second, and no time prints nothing") {
    CHECK(FormatUtcMinute(1714585031.9) == "2024-05-01 17:37");
    CHECK(FormatUtcDay(1714585031.9) == "2024-05-01");
    CHECK(FormatUtcRfc3339(1714585031.9) == "2024-05-01T17:37:11Z");
    CHECK(FormatUtcDay(std::nullopt).empty());
    CHECK(FormatUtcRfc3339(-1).empty());
    CHECK(FormatUtcMinute(NAN).empty());
  }

  TEST_CASE("a day, a minute or a second typed covers all of it") {
    const double day = *ParseUtcInstant("2024-05-01");
    CHECK(day < 1714608000.0);  // 2024-05-02T00:00:00Z
    CHECK(day > 1714607999.0);
    const double minute = *ParseUtcInstant("2024-05-01 17:37");
    CHECK(minute > 1714585079.0);
    CHECK(minute < 1714585080.0);
    CHECK(*ParseUtcInstant("2024-05-01T17:37:11.5Z") == doctest::Approx(1714585031.5));
    CHECK(*ParseUtcInstant("2024-05-01T19:37:11.5+02:00") == doctest::Approx(1714585031.5));
  }

  TEST_CASE("what is not a date is refused") {
    CHECK_FALSE(ParseUtcInstant("2026-02-30"));
    CHECK_FALSE(ParseUtcInstant("1969-12-31"));
    CHECK_FALSE(ParseUtcInstant("2026-03-01Z"));  // an offset needs a time
    CHECK_FALSE(ParseUtcInstant("2026-3-1"));
    CHECK_FALSE(ParseUtcInstant("yesterday"));
    CHECK_FALSE(ParseUtcInstant("2026-03-01T25:00"));
    CHECK_FALSE(ParseUtcInstant(""));
  }
}
