// Which snapshots `forget` keeps: restic's --keep-* rules over export dates
// in UTC, --keep-within by the calendar from the newest snapshot, the
// snapshots a user names, and the newest snapshot kept whatever is asked.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gptvault/vault/retention.h"

using namespace gptvault;
using vault::ApplyRetention;
using vault::CalendarDuration;
using vault::CheckSnapshotsToForget;
using vault::ParseRetentionDuration;
using vault::RetentionDecision;
using vault::RetentionPolicy;
using vault::SnapshotTime;

namespace {

// "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS", UTC.
int64_t At(const std::string& utc) {
  std::tm tm{};
  const int n = std::sscanf(utc.c_str(), "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
  REQUIRE((n == 3 || n == 6));
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(::timegm(&tm));
}

// Snapshots numbered 1, 2, ... in the order of `times`.
std::vector<SnapshotTime> Numbered(const std::vector<std::string>& times) {
  std::vector<SnapshotTime> out;
  for (const std::string& t : times) out.push_back({out.size() + 1, At(t)});
  return out;
}

std::vector<RetentionDecision> Apply(const std::vector<SnapshotTime>& snapshots,
                                     const RetentionPolicy& policy) {
  auto decisions = ApplyRetention(snapshots, policy);
  REQUIRE(decisions.ok());
  REQUIRE(decisions->size() == snapshots.size());
  for (size_t i = 0; i < snapshots.size(); ++i) {
    CHECK((*decisions)[i].seq == snapshots[i].seq);
    CHECK((*decisions)[i].time == snapshots[i].time);
    CHECK((*decisions)[i].keep == !(*decisions)[i].reasons.empty());
  }
  return *decisions;
}

// The seqs kept, ascending.
std::vector<uint64_t> Kept(const std::vector<RetentionDecision>& decisions) {
  std::vector<uint64_t> seqs;
  for (const RetentionDecision& d : decisions) {
    if (d.keep) seqs.push_back(d.seq);
  }
  std::sort(seqs.begin(), seqs.end());
  return seqs;
}

std::vector<uint64_t> Kept(const std::vector<SnapshotTime>& snapshots,
                           const RetentionPolicy& policy) {
  return Kept(Apply(snapshots, policy));
}

std::vector<std::string> ReasonsOf(const std::vector<RetentionDecision>& decisions, uint64_t seq) {
  for (const RetentionDecision& d : decisions) {
    if (d.seq == seq) return d.reasons;
  }
  FAIL("no snapshot " << seq);
  return {};
}

// The C library's name for the hour, day, ISO week, month or year of `t`.
std::string CalendarName(int64_t t, const char* format) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

using Seqs = std::vector<uint64_t>;
using Reasons = std::vector<std::string>;

RetentionPolicy Within(const std::string& text) {
  auto d = ParseRetentionDuration(text);
  REQUIRE(d.ok());
  RetentionPolicy p;
  p.keep_within = *d;
  return p;
}

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

  TEST_CASE("a policy is empty only with no count and no keep-within") {
    CHECK(RetentionPolicy{}.empty());
    RetentionPolicy p;
    p.keep_yearly = 1;
    CHECK_FALSE(p.empty());
    p = {};
    p.keep_last = RetentionPolicy::kAll;
    CHECK_FALSE(p.empty());
    CHECK_FALSE(Within("1d").empty());
  }

  TEST_CASE("keep-last keeps the newest snapshots, however they are listed") {
    const auto snapshots =
        Numbered({"2024-01-05", "2024-01-01", "2024-01-04", "2024-01-02", "2024-01-03"});
    RetentionPolicy p;
    p.keep_last = 3;
    const auto decisions = Apply(snapshots, p);
    CHECK(Kept(decisions) == Seqs{1, 3, 5});
    CHECK(ReasonsOf(decisions, 3) == Reasons{"last snapshot"});
    CHECK(ReasonsOf(decisions, 2).empty());
    p.keep_last = 10;  // more than there are
    CHECK(Kept(snapshots, p) == Seqs{1, 2, 3, 4, 5});
  }

  TEST_CASE("keep-hourly keeps the newest snapshot of each of the newest hours") {
    const auto snapshots =
        Numbered({"2024-05-01 09:05:00", "2024-05-01 09:40:00", "2024-05-01 10:00:00",
                  "2024-05-01 10:59:59", "2024-05-01 12:30:00"});
    RetentionPolicy p;
    p.keep_hourly = 2;
    const auto decisions = Apply(snapshots, p);
    CHECK(Kept(decisions) == Seqs{4, 5});
    CHECK(ReasonsOf(decisions, 4) == Reasons{"hourly snapshot"});
    p.keep_hourly = 3;  // an hour with no snapshot (11:00) is not counted
    CHECK(Kept(snapshots, p) == Seqs{2, 4, 5});
  }

  TEST_CASE("keep-daily keeps the newest snapshot of each day in UTC") {
    const auto snapshots =
        Numbered({"2024-05-01 08:00:00", "2024-05-01 23:59:59", "2024-05-02 00:00:00",
                  "2024-05-02 18:00:00", "2024-05-05 07:00:00", "2024-05-05 07:00:01"});
    RetentionPolicy p;
    p.keep_daily = 2;
    const auto decisions = Apply(snapshots, p);
    CHECK(Kept(decisions) == Seqs{4, 6});
    CHECK(ReasonsOf(decisions, 6) == Reasons{"newest snapshot", "daily snapshot"});
    CHECK(ReasonsOf(decisions, 4) == Reasons{"daily snapshot"});
    p.keep_daily = 3;
    CHECK(Kept(snapshots, p) == Seqs{2, 4, 6});
  }

  TEST_CASE("keep-weekly counts ISO weeks, Monday to Sunday, across the turn of a year") {
    // 2024-12-30 (a Monday) and 2025-01-01 are both in 2025-W01; 2024-12-29
    // (a Sunday) ends 2024-W52; 2021-01-03 is in 2020-W53.
    const auto snapshots =
        Numbered({"2020-12-31", "2021-01-03", "2021-01-04", "2024-12-23", "2024-12-29",
                  "2024-12-30", "2025-01-01", "2025-01-05 23:00:00"});
    RetentionPolicy p;
    p.keep_weekly = 2;
    const auto decisions = Apply(snapshots, p);
    CHECK(Kept(decisions) == Seqs{5, 8});
    CHECK(ReasonsOf(decisions, 5) == Reasons{"weekly snapshot"});
    p.keep_weekly = 4;  // 2024-12-23 shares 2024-W52 with 2024-12-29
    CHECK(Kept(snapshots, p) == Seqs{2, 3, 5, 8});
    p.keep_weekly = 5;  // 2020-12-31 shares 2020-W53 with 2021-01-03
    CHECK(Kept(snapshots, p) == Seqs{2, 3, 5, 8});
  }

  TEST_CASE("keep-monthly splits months at midnight UTC on the first") {
    const auto snapshots =
        Numbered({"2023-12-31 23:59:59", "2024-01-01 00:00:00", "2024-01-31 23:59:59",
                  "2024-02-01 00:00:00", "2024-02-29 12:00:00", "2024-03-01 00:00:00"});
    RetentionPolicy p;
    p.keep_monthly = 3;
    const auto decisions = Apply(snapshots, p);
    CHECK(Kept(decisions) == Seqs{3, 5, 6});
    CHECK(ReasonsOf(decisions, 5) == Reasons{"monthly snapshot"});
    p.keep_monthly = 4;
    CHECK(Kept(snapshots, p) == Seqs{1, 3, 5, 6});
  }

  TEST_CASE("keep-yearly keeps the newest snapshot of each of the newest years") {
    const auto snapshots =
        Numbered({"2021-06-01", "2021-12-31 23:59:59", "2022-01-01", "2023-03-01", "2024-02-01"});
    RetentionPolicy p;
    p.keep_yearly = 3;
    const auto decisions = Apply(snapshots, p);
    CHECK(Kept(decisions) == Seqs{3, 4, 5});
    CHECK(ReasonsOf(decisions, 3) == Reasons{"yearly snapshot"});
    p.keep_yearly = RetentionPolicy::kAll;
    CHECK(Kept(snapshots, p) == Seqs{2, 3, 4, 5});
  }

  TEST_CASE("a count of -1 keeps one of every hour, day, week, month or year there is") {
    std::vector<std::string> times;
    for (int day = 1; day <= 28; ++day) {
      const std::string d = (day < 10 ? "0" : "") + std::to_string(day);
      times.push_back("2024-02-" + d + " 06:00:00");
      times.push_back("2024-02-" + d + " 18:00:00");
    }
    const auto snapshots = Numbered(times);
    RetentionPolicy p;
    p.keep_daily = RetentionPolicy::kAll;
    const auto kept = Kept(snapshots, p);
    REQUIRE(kept.size() == 28);
    for (uint64_t seq : kept) CHECK(seq % 2 == 0);  // each day's evening
    p = {};
    p.keep_last = RetentionPolicy::kAll;
    CHECK(Kept(snapshots, p).size() == 56);
  }

  TEST_CASE("each rule's hours, days, weeks, months and years are the C library's, in UTC") {
    std::mt19937_64 random(20240331);
    std::vector<SnapshotTime> snapshots;
    int64_t t = At("1999-11-20");
    for (uint64_t seq = 1; seq <= 1000; ++seq) {
      // Bursts minutes apart, now and then a gap of up to three months: some
      // 15 years from 1999, with the ISO years of 53 weeks 2004 and 2009.
      const int64_t gap = random() % 8 == 0 ? 92 * 86400 : 7200;
      t += 1 + static_cast<int64_t>(random() % gap);
      snapshots.push_back({seq, t});
    }
    std::shuffle(snapshots.begin(), snapshots.end(), random);
    std::vector<SnapshotTime> newest_first = snapshots;
    std::sort(newest_first.begin(), newest_first.end(),
              [](const SnapshotTime& a, const SnapshotTime& b) { return a.time > b.time; });
    REQUIRE(newest_first.back().time < At("2004-12-27"));   // 2004-W53 begins
    REQUIRE(newest_first.front().time > At("2010-01-04"));  // 2009-W53 ends
    const std::pair<int RetentionPolicy::*, const char*> rules[] = {
        {&RetentionPolicy::keep_hourly, "%Y-%m-%d %H"},
        {&RetentionPolicy::keep_daily, "%Y-%m-%d"},
        {&RetentionPolicy::keep_weekly, "%G-W%V"},
        {&RetentionPolicy::keep_monthly, "%Y-%m"},
        {&RetentionPolicy::keep_yearly, "%Y"}};
    for (const auto& [count, format] : rules) {
      for (int n : {1, 3, 40, 400, RetentionPolicy::kAll}) {
        CAPTURE(format);
        CAPTURE(n);
        Seqs expected;
        std::string last;
        int left = n;
        for (const SnapshotTime& s : newest_first) {
          const std::string name = CalendarName(s.time, format);
          if (left != 0 && name != last) {
            expected.push_back(s.seq);
            last = name;
            if (left > 0) --left;
          }
        }
        std::sort(expected.begin(), expected.end());
        RetentionPolicy p;
        p.*count = n;
        CHECK(Kept(snapshots, p) == expected);
      }
    }
  }

  TEST_CASE("a snapshot kept by several rules lists every reason, in restic's order") {
    const auto snapshots = Numbered({"2023-11-20", "2024-01-10", "2024-02-05", "2024-02-26",
                                     "2024-02-27", "2024-02-28", "2024-02-28 18:00:00"});
    RetentionPolicy p = Within("1d");
    p.keep_last = 2;
    p.keep_daily = 3;
    p.keep_weekly = 2;
    p.keep_monthly = 2;
    p.keep_yearly = 2;
    const auto decisions = Apply(snapshots, p);
    CHECK(ReasonsOf(decisions, 7) == Reasons{"newest snapshot", "within 1d", "last snapshot",
                                             "daily snapshot", "weekly snapshot",
                                             "monthly snapshot", "yearly snapshot"});
    CHECK(ReasonsOf(decisions, 6) == Reasons{"within 1d", "last snapshot"});
    CHECK(ReasonsOf(decisions, 5) == Reasons{"daily snapshot"});
    CHECK(ReasonsOf(decisions, 4) == Reasons{"daily snapshot"});
    CHECK(ReasonsOf(decisions, 3) == Reasons{"weekly snapshot"});
    CHECK(ReasonsOf(decisions, 2) == Reasons{"monthly snapshot"});
    CHECK(ReasonsOf(decisions, 1) == Reasons{"yearly snapshot"});
    p.keep_yearly = 0;
    CHECK(Kept(snapshots, p) == Seqs{2, 3, 4, 5, 6, 7});
  }

  TEST_CASE("among snapshots of the same time the higher seq is the newer") {
    const int64_t t = At("2024-05-01 12:00:00");
    const std::vector<SnapshotTime> snapshots = {{5, t}, {7, t}, {6, t}, {4, t - 3600}};
    RetentionPolicy p;
    p.keep_daily = 1;
    auto decisions = Apply(snapshots, p);
    CHECK(Kept(decisions) == Seqs{7});
    CHECK(ReasonsOf(decisions, 7) == Reasons{"newest snapshot", "daily snapshot"});
    p = {};
    p.keep_last = 2;
    CHECK(Kept(snapshots, p) == Seqs{6, 7});
    // An older export added later has the higher seq but is not the newest.
    const std::vector<SnapshotTime> late = {{1, t}, {2, t - 86400}};
    decisions = Apply(late, RetentionPolicy{});
    CHECK(ReasonsOf(decisions, 1) == Reasons{"newest snapshot"});
    CHECK_FALSE(decisions[1].keep);
  }

  TEST_CASE("two entries equal in seq and time: the later one listed is the newest") {
    const int64_t t = At("2024-05-01");
    const std::vector<SnapshotTime> raced = {{3, t}, {3, t}};
    const auto decisions = Apply(raced, RetentionPolicy{});
    CHECK_FALSE(decisions[0].keep);
    CHECK(decisions[1].reasons == Reasons{"newest snapshot"});
  }

  TEST_CASE("the newest snapshot is kept whatever the policy") {
    const auto snapshots = Numbered({"2024-01-01", "2024-03-01", "2024-02-01"});
    const auto decisions = Apply(snapshots, RetentionPolicy{});
    CHECK(Kept(decisions) == Seqs{2});
    CHECK(ReasonsOf(decisions, 2) == Reasons{"newest snapshot"});
    RetentionPolicy p;
    p.keep_last = 1;
    CHECK(ReasonsOf(Apply(snapshots, p), 2) == Reasons{"newest snapshot", "last snapshot"});
    const std::vector<SnapshotTime> one = {{9, At("2024-01-01")}};
    CHECK(Kept(one, Within("1h")) == Seqs{9});
    CHECK(ApplyRetention({}, p)->empty());
  }

  TEST_CASE("keep-within keeps what is less than the duration before the newest snapshot") {
    // Measured from the newest snapshot, not from now: these are long past.
    const auto snapshots =
        Numbered({"2001-05-01 00:00:00", "2001-05-03 11:59:59", "2001-05-03 12:00:00",
                  "2001-05-03 12:00:01", "2001-05-10 12:00:00"});
    const auto decisions = Apply(snapshots, Within("1w"));
    CHECK(Kept(decisions) == Seqs{4, 5});  // exactly 1w before is out, as in restic
    CHECK(ReasonsOf(decisions, 4) == Reasons{"within 1w"});
    CHECK(ReasonsOf(decisions, 5) == Reasons{"newest snapshot", "within 1w"});
    CHECK(Kept(snapshots, Within("7d")) == Seqs{4, 5});
    CHECK(Kept(snapshots, Within("168h")) == Seqs{4, 5});
    CHECK(Kept(snapshots, Within("7d1h")) == Seqs{2, 3, 4, 5});
    CHECK(Kept(snapshots, Within("12h")) == Seqs{5});
    CHECK(Kept(snapshots, Within("2147483647y")) == Seqs{1, 2, 3, 4, 5});
  }

  TEST_CASE("keep-within counts months by the calendar, to the last day of a shorter month") {
    // 2024-03-31 less a month is 2024-02-29 (not 2024-03-02, Go's overflow).
    const auto leap =
        Numbered({"2024-02-28 12:00:00", "2024-02-29 11:59:59", "2024-02-29 12:00:00",
                  "2024-02-29 12:00:01", "2024-03-01 00:00:00", "2024-03-31 12:00:00"});
    auto decisions = Apply(leap, Within("1m"));
    CHECK(Kept(decisions) == Seqs{4, 5, 6});
    CHECK(ReasonsOf(decisions, 5) == Reasons{"within 1m"});
    // 2023 is not a leap year: a month before 2023-03-31 is 2023-02-28.
    const auto plain =
        Numbered({"2023-02-27 12:00:00", "2023-02-28 12:00:01", "2023-03-31 12:00:00"});
    CHECK(Kept(plain, Within("1m")) == Seqs{2, 3});
    // A year before a leap day is 2023-02-28; 1y6m before 2024-08-31 is
    // 2023-02-28 too, the months and years counted together.
    const auto leap_day = Numbered({"2023-02-28 00:00:00", "2023-02-28 00:00:01", "2024-02-29"});
    CHECK(Kept(leap_day, Within("1y")) == Seqs{2, 3});
    const auto half = Numbered({"2023-02-28 00:00:00", "2023-02-28 00:00:01", "2024-08-31"});
    CHECK(Kept(half, Within("1y6m")) == Seqs{2, 3});
    CHECK(Kept(half, Within("18m")) == Seqs{2, 3});
    // Months first, then days: 2024-03-31 less 1m is 2024-02-29, less 7d
    // more is 2024-02-22.
    const auto month_and_days =
        Numbered({"2024-02-22 00:00:00", "2024-02-22 00:00:01", "2024-03-31"});
    CHECK(Kept(month_and_days, Within("1m7d")) == Seqs{2, 3});
    // Twelve months back across a year: 2024-01-15 less 1m is 2023-12-15.
    const auto january = Numbered({"2023-12-15 00:00:00", "2023-12-15 00:00:01", "2024-01-15"});
    CHECK(Kept(january, Within("1m")) == Seqs{2, 3});
  }

  TEST_CASE("times before 1970 fall in their own hour, day, week, month and year") {
    // 1969-12-29 is a Monday: 1969-12-29 to 1970-01-04 are one ISO week.
    const auto snapshots = Numbered({"1969-12-28 23:00:00", "1969-12-29 00:00:00",
                                     "1969-12-31 23:59:59", "1970-01-01 00:00:00"});
    RetentionPolicy p;
    p.keep_weekly = RetentionPolicy::kAll;
    CHECK(Kept(snapshots, p) == Seqs{1, 4});
    p = {};
    p.keep_daily = RetentionPolicy::kAll;
    CHECK(Kept(snapshots, p) == Seqs{1, 2, 3, 4});
    p = {};
    p.keep_yearly = RetentionPolicy::kAll;
    CHECK(Kept(snapshots, p) == Seqs{3, 4});
    CHECK(Kept(snapshots, Within("1m")) == Seqs{1, 2, 3, 4});
  }

  TEST_CASE("times at the ends of what an int64_t holds neither overflow nor lose a snapshot") {
    const std::vector<SnapshotTime> ancient = {{1, INT64_MIN}, {2, INT64_MIN + 100000}};
    CHECK(Kept(ancient, Within("1d")) == Seqs{1, 2});  // a day before reaches past INT64_MIN
    RetentionPolicy p;
    p.keep_daily = 2;
    p.keep_weekly = 2;
    p.keep_monthly = 2;
    p.keep_yearly = 2;
    CHECK(Kept(ancient, p) == Seqs{1, 2});
    const std::vector<SnapshotTime> far = {{1, INT64_MAX - 100000}, {2, INT64_MAX}};
    CHECK(Kept(far, Within("2d")) == Seqs{1, 2});
    CHECK(Kept(far, Within("1h")) == Seqs{2});
    CHECK(Kept(far, p) == Seqs{1, 2});
  }

  TEST_CASE("a count below -1 or a keep-within of no time is refused") {
    const auto snapshots = Numbered({"2024-01-01"});
    RetentionPolicy p;
    p.keep_daily = -2;
    auto refused = ApplyRetention(snapshots, p);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().code() == Status::Code::kInvalidArgument);
    CHECK(refused.status().message() ==
          "keep-daily: -2 is not a count: use a number of snapshots, such as 7, or -1 to keep all");
    p = {};
    p.keep_within = CalendarDuration{};
    CHECK(ApplyRetention(snapshots, p).status().message() ==
          "keep-within: \"\" is no time at all: use numbers with y, m, w, d, h, such as 1y6m");
    p.keep_within = CalendarDuration{.days = -3};
    CHECK(ApplyRetention(snapshots, p).status().message() ==
          "keep-within: \"-3d\" is negative: use numbers with y, m, w, d, h, such as 1y6m");
  }

  TEST_CASE("snapshots named to forget come back checked, each once, in order") {
    const auto snapshots = Numbered({"2024-01-01", "2024-02-01", "2024-04-01", "2024-03-01"});
    auto checked = CheckSnapshotsToForget(snapshots, {4, 1, 2, 1});
    REQUIRE(checked.ok());
    CHECK(*checked == Seqs{1, 2, 4});
    CHECK(CheckSnapshotsToForget(snapshots, {})->empty());
  }

  TEST_CASE("the newest snapshot cannot be forgotten by name") {
    const auto snapshots = Numbered({"2024-01-01", "2024-02-01", "2024-04-01", "2024-03-01"});
    auto refused = CheckSnapshotsToForget(snapshots, {1, 3});
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().code() == Status::Code::kInvalidArgument);
    CHECK(refused.status().message() ==
          "snapshot 3 is the newest: it is never forgotten, so the newest version of every "
          "conversation stays");
    // The newest by export date, not the one added last.
    CHECK(CheckSnapshotsToForget(snapshots, {4}).ok());
  }

  TEST_CASE("a snapshot that is not there, or that two writers both wrote, is refused") {
    const int64_t t = At("2024-01-01");
    const std::vector<SnapshotTime> snapshots = {{1, t}, {2, t + 60}, {2, t + 120}, {3, t + 180}};
    auto missing = CheckSnapshotsToForget(snapshots, {1, 9});
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.status().IsNotFound());
    CHECK(missing.status().message() == "no snapshot 9 (gptvault log lists them)");
    auto raced = CheckSnapshotsToForget(snapshots, {2});
    REQUIRE_FALSE(raced.ok());
    CHECK(raced.status().code() == Status::Code::kInvalidArgument);
    CHECK(raced.status().message() ==
          "snapshot 2 is ambiguous: two writers both wrote it; name one by id");
    CHECK(CheckSnapshotsToForget({}, {1}).status().IsNotFound());
  }
}
