// Which snapshots `forget` keeps, starting with the spans --keep-within
// takes: years, months, weeks, days and hours by the calendar.
#include <doctest/doctest.h>

#include <string>

#include "gptvault/vault/retention.h"

using namespace gptvault;
using vault::CalendarDuration;
using vault::ParseRetentionDuration;

namespace {

std::string RefusalOf(const std::string& text) {
  auto d = ParseRetentionDuration(text);
  REQUIRE_FALSE(d.ok());
  CHECK(d.status().code() == Status::Code::kInvalidArgument);
  return d.status().message();
}

}  // namespace

TEST_SUITE("vault retention") {
  TEST_CASE("a duration is years, months, weeks, days and hours by the calendar") {
    CHECK(*ParseRetentionDuration("1y6m") == CalendarDuration{.years = 1, .months = 6});
    CHECK(*ParseRetentionDuration("30d") == CalendarDuration{.days = 30});
    CHECK(*ParseRetentionDuration("2w") == CalendarDuration{.weeks = 2});
    CHECK(*ParseRetentionDuration("12h") == CalendarDuration{.hours = 12});
    CHECK(*ParseRetentionDuration("1y5m7d2h") ==
          CalendarDuration{.years = 1, .months = 5, .days = 7, .hours = 2});
    // Any order, as restic; spaces around it are ignored, as restic does.
    CHECK(*ParseRetentionDuration("6m1y") == CalendarDuration{.years = 1, .months = 6});
    CHECK(*ParseRetentionDuration(" 7d ") == CalendarDuration{.days = 7});
    CHECK(*ParseRetentionDuration("1y0m") == CalendarDuration{.years = 1});
    CHECK(*ParseRetentionDuration("007d") == CalendarDuration{.days = 7});
    CHECK(ParseRetentionDuration("2147483647y").ok());
  }

  TEST_CASE("a duration prints in the order y m w d h, as it reads back") {
    CHECK(ParseRetentionDuration("6m1y")->ToString() == "1y6m");
    CHECK(ParseRetentionDuration("2h3d1w5m4y")->ToString() == "4y5m1w3d2h");
    CHECK(ParseRetentionDuration("1y0m")->ToString() == "1y");
    for (const char* text : {"1y6m", "30d", "2w", "12h", "1y5m7d2h"}) {
      CHECK(ParseRetentionDuration(text)->ToString() == text);
    }
  }

  TEST_CASE("what is not a duration is refused in one line that names it and shows a good one") {
    CHECK(RefusalOf("1x") ==
          "keep-within: \"1x\" is not a duration: use numbers with y, m, w, d, h, such as 1y6m");
    CHECK(RefusalOf("") ==
          "keep-within: \"\" is not a duration: use numbers with y, m, w, d, h, "
          "such as 1y6m");
    CHECK(RefusalOf("0d") ==
          "keep-within: \"0d\" is no time at all: use numbers with y, m, w, d, "
          "h, such as 1y6m");
    CHECK(RefusalOf("-1d") ==
          "keep-within: \"-1d\" is negative: use numbers with y, m, w, d, h, "
          "such as 1y6m");
    CHECK(RefusalOf("1d2d") ==
          "keep-within: \"1d2d\" gives d twice: use numbers with y, m, w, d, "
          "h, such as 1y6m");
    CHECK(RefusalOf("99999999999d") ==
          "keep-within: \"99999999999d\" has too large a number: use "
          "numbers with y, m, w, d, h, such as 1y6m");
    for (const char* text : {"   ", "0y0m0w0d0h", "1M", "1Y", "30", "d", "1.5d", "1y 6m", "+1d",
                             "1d-2h", "1s", "1min", "2147483648h", "y1"}) {
      CAPTURE(text);
      const std::string message = RefusalOf(text);
      CHECK(message.find("\"" + std::string(text) + "\"") != std::string::npos);
      CHECK(message.find("such as 1y6m") != std::string::npos);
      CHECK(message.find('\n') == std::string::npos);
    }
  }
}
