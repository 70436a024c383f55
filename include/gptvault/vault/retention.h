// Which snapshots `gptvault forget` keeps: restic's retention policy
// (--keep-last, --keep-hourly ... --keep-yearly, --keep-within) and the
// snapshots a user names, decided from sequence numbers and export dates
// alone. Nothing here reads or changes a vault: the command asks, shows the
// answer, and does the forgetting itself.
//
// One rule stands above every policy: the newest snapshot is never
// forgotten, so the newest version of every conversation ever added stays
// (absence upstream is not deletion).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gptvault/util/status.h"

namespace gptvault::vault {

// A span of calendar time, as --keep-within takes it: "1y6m" is one year
// and six months by the calendar (from 2024-03-31 one month back is
// 2024-02-29), not a number of seconds. Weeks are 7 days; restic has no
// "w", gptvault accepts it as well.
struct CalendarDuration {
  int years = 0, months = 0, weeks = 0, days = 0, hours = 0;

  bool operator==(const CalendarDuration&) const = default;
  // The units in the order y m w d h, zero ones left out: "1y6m".
  std::string ToString() const;
};

// "1y6m", "30d", "2w", "12h", "1y5m7d2h": whole numbers, each followed by
// one unit, y (years), m (months), w (weeks), d (days) or h (hours), in any
// order and each at most once; spaces around it are ignored, as restic
// does. kInvalidArgument, with one line naming the text and showing a good
// one, for anything else: nothing, no time at all ("0d"), a negative
// number, a number without a unit, an unknown unit ("1x", "1M"), a number
// too large for an int.
Result<CalendarDuration> ParseRetentionDuration(std::string_view text);

struct RetentionPolicy {
  // A count of -1 keeps every one of its kind, as restic's "unlimited";
  // other negative counts are refused by ApplyRetention.
  static constexpr int kAll = -1;

  int keep_last = 0, keep_hourly = 0, keep_daily = 0, keep_weekly = 0, keep_monthly = 0,
      keep_yearly = 0;
  // Keeps every snapshot less than this before the newest snapshot (one
  // exactly this much older goes, as in restic). Measured from the newest
  // snapshot, not from now: a vault not added to for a year still keeps
  // its last year.
  std::optional<CalendarDuration> keep_within;

  // No count and no keep_within: the policy keeps nothing, so `forget`
  // without snapshots named has nothing to do.
  bool empty() const;
};

// One snapshot as the policy sees it.
struct SnapshotTime {
  uint64_t seq = 0;
  int64_t time = 0;  // UTC seconds since 1970: the export's own date
};

struct RetentionDecision {
  uint64_t seq = 0;
  int64_t time = 0;
  bool keep = false;
  // Why it is kept, in restic's words and in this order: "newest snapshot",
  // "within 1y6m", "last snapshot", "hourly snapshot", "daily snapshot",
  // "weekly snapshot", "monthly snapshot", "yearly snapshot". Empty when
  // forgotten.
  std::vector<std::string> reasons;
};

// The policy applied to `snapshots` (any order), restic's way: newest first
// (by time, ties by the higher seq; two entries equal in both go to the one
// later in `snapshots`, as NewestExport decides). keep_last keeps the N
// newest; each of hourly, daily, weekly (ISO weeks, Monday to Sunday),
// monthly and yearly keeps a snapshot when its hour, day, week, month or
// year, in UTC, differs from that of the last snapshot it kept, until it has
// kept N. The newest snapshot is always kept, whatever the policy, so an
// empty policy keeps it alone. One decision per snapshot, decisions[i] for
// snapshots[i]. kInvalidArgument for a count below -1 or a keep_within
// ParseRetentionDuration would refuse.
Result<std::vector<RetentionDecision>> ApplyRetention(const std::vector<SnapshotTime>& snapshots,
                                                      const RetentionPolicy& policy);

// The snapshots `forget 2 5` names, checked against `snapshots`: each seq
// once, ascending. kNotFound for a seq no snapshot has; kInvalidArgument for
// the newest snapshot (as ApplyRetention finds it), which is never
// forgotten, and for a seq two snapshots share (two writers raced; the
// command names them by id).
Result<std::vector<uint64_t>> CheckSnapshotsToForget(const std::vector<SnapshotTime>& snapshots,
                                                     const std::vector<uint64_t>& seqs);

}  // namespace gptvault::vault
