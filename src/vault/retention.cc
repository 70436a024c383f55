#include "gptvault/vault/retention.h"

#include <algorithm>
#include <climits>
#include <numeric>
#include <utility>

namespace gptvault::vault {

namespace {

constexpr int64_t kSecondsPerDay = 86400;

// The line every refused duration ends with.
std::string RefuseDuration(std::string_view text, const std::string& why) {
  return "keep-within: \"" + std::string(text) + "\" " + why +
         ": use numbers with y, m, w, d, h, such as 1y6m";
}

// Rounds towards minus infinity, so times before 1970 fall in their own day.
int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

struct CivilDate {
  int64_t year;
  int month;  // 1 to 12
  int day;    // 1 to 31
};

// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard
// Hinnant's days_from_civil and civil_from_days), for any day an int64_t of
// seconds reaches, which gmtime's time_t and std::chrono::year do not
// promise.
CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2), month, day};
}

int64_t DaysFromCivil(CivilDate date) {
  const int64_t y = date.year - (date.month <= 2);
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy =
      (153 * (date.month > 2 ? date.month - 3 : date.month + 9) + 2) / 5 + date.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// The instant `d` before `newest`: years and months first, by the calendar,
// a day past the end of the month landing on its last day (2024-03-31 less
// a month is 2024-02-29, where Go's AddDate, and so restic, say 2024-03-02);
// then weeks and days; then hours. nullopt when that is before every time an
// int64_t holds, so every snapshot is within.
std::optional<int64_t> TimeBefore(int64_t newest, const CalendarDuration& d) {
  const int64_t day = FloorDiv(newest, kSecondsPerDay);
  const int64_t second_of_day = newest - day * kSecondsPerDay;
  const CivilDate date = CivilFromDays(day);
  const int64_t month_index =
      date.year * 12 + (date.month - 1) - (int64_t{d.years} * 12 + d.months);
  CivilDate back{FloorDiv(month_index, 12), 0, 0};
  back.month = static_cast<int>(month_index - back.year * 12) + 1;
  back.day = std::min(date.day, DaysInMonth(back.year, back.month));
  const int64_t back_day = DaysFromCivil(back) - (int64_t{d.weeks} * 7 + d.days);
  int64_t t = 0;
  if (__builtin_mul_overflow(back_day, kSecondsPerDay, &t) ||
      __builtin_add_overflow(t, second_of_day, &t) ||
      __builtin_sub_overflow(t, int64_t{d.hours} * 3600, &t)) {
    return std::nullopt;
  }
  return t;
}

// Why ParseRetentionDuration would refuse `d`, as a made-up policy may hold
// what no text parses to; "" when it would not.
std::string WhyNotDuration(const CalendarDuration& d) {
  if (d.years < 0 || d.months < 0 || d.weeks < 0 || d.days < 0 || d.hours < 0) {
    return "is negative";
  }
  if (d == CalendarDuration{}) return "is no time at all";
  return "";
}

// Positions in `snapshots`, newest first: by time, then seq, then the later
// position (NewestExport's `>=`).
std::vector<size_t> NewestFirst(const std::vector<SnapshotTime>& snapshots) {
  std::vector<size_t> order(snapshots.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const SnapshotTime& x = snapshots[a];
    const SnapshotTime& y = snapshots[b];
    if (x.time != y.time) return x.time > y.time;
    if (x.seq != y.seq) return x.seq > y.seq;
    return a > b;
  });
  return order;
}

// One of the counted rules: which bucket a time falls in, and how many
// buckets it may still keep (-1: all).
struct CountedRule {
  const char* flag;
  int count;
  const char* reason;
  int64_t (*bucket)(int64_t time, size_t rank);
  std::optional<int64_t> last;  // the bucket of the last snapshot it kept
};

int64_t RankBucket(int64_t, size_t rank) { return static_cast<int64_t>(rank); }
int64_t HourBucket(int64_t t, size_t) { return FloorDiv(t, 3600); }
int64_t DayBucket(int64_t t, size_t) { return FloorDiv(t, kSecondsPerDay); }
// ISO weeks run Monday to Sunday; 1970-01-01 was a Thursday, so day -3 (a
// Monday) starts week 0. Numbering weeks from there splits time exactly as
// ISO 8601's (year, week) does, 2024-12-30 and 2025-01-01 both in 2025-W01.
int64_t WeekBucket(int64_t t, size_t) { return FloorDiv(FloorDiv(t, kSecondsPerDay) + 3, 7); }
int64_t MonthBucket(int64_t t, size_t) {
  const CivilDate date = CivilFromDays(FloorDiv(t, kSecondsPerDay));
  return date.year * 12 + (date.month - 1);
}
int64_t YearBucket(int64_t t, size_t) { return CivilFromDays(FloorDiv(t, kSecondsPerDay)).year; }

}  // namespace

std::string CalendarDuration::ToString() const {
  std::string s;
  for (const auto& [n, unit] :
       {std::pair{years, 'y'}, std::pair{months, 'm'}, std::pair{weeks, 'w'}, std::pair{days, 'd'},
        std::pair{hours, 'h'}}) {
    if (n != 0) s += std::to_string(n) + unit;
  }
  return s;
}

Result<CalendarDuration> ParseRetentionDuration(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (s.empty()) return Status::InvalidArgument(RefuseDuration(text, "is not a duration"));
  if (s.front() == '-') return Status::InvalidArgument(RefuseDuration(text, "is negative"));
  CalendarDuration d;
  bool seen[5] = {};
  while (!s.empty()) {
    int64_t n = 0;
    size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') {
      n = n * 10 + (s[digits] - '0');
      if (n > INT_MAX) {
        return Status::InvalidArgument(RefuseDuration(text, "has too large a number"));
      }
      ++digits;
    }
    if (digits == 0 || digits == s.size()) {
      return Status::InvalidArgument(RefuseDuration(text, "is not a duration"));
    }
    static constexpr std::string_view kUnits = "ymwdh";
    const size_t unit = kUnits.find(s[digits]);
    if (unit == std::string_view::npos) {
      return Status::InvalidArgument(RefuseDuration(text, "is not a duration"));
    }
    if (seen[unit]) {
      return Status::InvalidArgument(
          RefuseDuration(text, "gives " + std::string(1, kUnits[unit]) + " twice"));
    }
    seen[unit] = true;
    int* const fields[] = {&d.years, &d.months, &d.weeks, &d.days, &d.hours};
    *fields[unit] = static_cast<int>(n);
    s.remove_prefix(digits + 1);
  }
  if (d == CalendarDuration{}) {
    return Status::InvalidArgument(RefuseDuration(text, "is no time at all"));
  }
  return d;
}

bool RetentionPolicy::empty() const {
  return keep_last == 0 && keep_hourly == 0 && keep_daily == 0 && keep_weekly == 0 &&
         keep_monthly == 0 && keep_yearly == 0 && !keep_within;
}

Result<std::vector<RetentionDecision>> ApplyRetention(const std::vector<SnapshotTime>& snapshots,
                                                      const RetentionPolicy& policy) {
  CountedRule rules[] = {
      {"keep-last", policy.keep_last, "last snapshot", RankBucket, std::nullopt},
      {"keep-hourly", policy.keep_hourly, "hourly snapshot", HourBucket, std::nullopt},
      {"keep-daily", policy.keep_daily, "daily snapshot", DayBucket, std::nullopt},
      {"keep-weekly", policy.keep_weekly, "weekly snapshot", WeekBucket, std::nullopt},
      {"keep-monthly", policy.keep_monthly, "monthly snapshot", MonthBucket, std::nullopt},
      {"keep-yearly", policy.keep_yearly, "yearly snapshot", YearBucket, std::nullopt},
  };
  for (const CountedRule& rule : rules) {
    if (rule.count < RetentionPolicy::kAll) {
      return Status::InvalidArgument(
          std::string(rule.flag) + ": " + std::to_string(rule.count) +
          " is not a count: use a number of snapshots, such as 7, or -1 to keep all");
    }
  }
  if (policy.keep_within) {
    const std::string why = WhyNotDuration(*policy.keep_within);
    if (!why.empty()) {
      return Status::InvalidArgument(RefuseDuration(policy.keep_within->ToString(), why));
    }
  }

  std::vector<RetentionDecision> decisions(snapshots.size());
  if (snapshots.empty()) return decisions;
  const std::vector<size_t> order = NewestFirst(snapshots);
  const int64_t newest = snapshots[order.front()].time;
  // keep_within keeps what is later than `within_after`; everything when
  // that is before every time there is.
  std::optional<int64_t> within_after;
  std::string within_reason;
  if (policy.keep_within) {
    within_after = TimeBefore(newest, *policy.keep_within);
    within_reason = "within " + policy.keep_within->ToString();
  }
  for (size_t rank = 0; rank < order.size(); ++rank) {
    const SnapshotTime& s = snapshots[order[rank]];
    RetentionDecision& d = decisions[order[rank]];
    d.seq = s.seq;
    d.time = s.time;
    if (rank == 0) d.reasons.push_back("newest snapshot");
    if (policy.keep_within && (!within_after || s.time > *within_after)) {
      d.reasons.push_back(within_reason);
    }
    for (CountedRule& rule : rules) {
      if (rule.count == 0) continue;
      const int64_t bucket = rule.bucket(s.time, rank);
      if (rule.last == bucket) continue;
      rule.last = bucket;
      if (rule.count > 0) --rule.count;
      d.reasons.push_back(rule.reason);
    }
    d.keep = !d.reasons.empty();
  }
  return decisions;
}

Result<std::vector<uint64_t>> CheckSnapshotsToForget(const std::vector<SnapshotTime>& snapshots,
                                                     const std::vector<uint64_t>& seqs) {
  std::optional<uint64_t> newest;
  if (!snapshots.empty()) newest = snapshots[NewestFirst(snapshots).front()].seq;
  std::vector<uint64_t> checked;
  for (uint64_t seq : seqs) {
    const size_t matches = std::count_if(snapshots.begin(), snapshots.end(),
                                         [&](const SnapshotTime& s) { return s.seq == seq; });
    const std::string name = "snapshot " + std::to_string(seq);
    if (matches == 0) {
      return Status::NotFound("no " + name + " (gptvault log lists them)");
    }
    if (seq == newest) {
      return Status::InvalidArgument(
          name + " is the newest: it is never forgotten, so the newest version of every " +
          "conversation stays");
    }
    if (matches > 1) {
      return Status::InvalidArgument(name +
                                     " is ambiguous: two writers both wrote it; name one by id");
    }
    checked.push_back(seq);
  }
  std::sort(checked.begin(), checked.end());
  checked.erase(std::unique(checked.begin(), checked.end()), checked.end());
  return checked;
}

}  // namespace gptvault::vault
