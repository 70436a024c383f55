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

}  // namespace gptvault::vault
