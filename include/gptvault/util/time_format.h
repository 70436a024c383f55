// Times as people read them.
#pragma once

#include <optional>
#include <string>

namespace gptvault {

// "YYYY-MM-DD HH:MM" in UTC for seconds since 1970 (the exports' times), or
// "" when there is none or it is not a time a calendar shows (negative, not
// finite, after year 2999).
std::string FormatUtcMinute(std::optional<double> epoch_seconds);
// "YYYY-MM-DD" in UTC, the day of an export; "" likewise.
std::string FormatUtcDay(std::optional<double> epoch_seconds);
// RFC 3339 in UTC to the second ("2026-03-01T12:00:00Z"); "" likewise.
std::string FormatUtcRfc3339(std::optional<double> epoch_seconds);

// A time as people type it (`restore --at`), in seconds since 1970:
// "YYYY-MM-DD", or ISO 8601 "YYYY-MM-DDTHH:MM[:SS[.fff]]" (a space for the
// T, as `history` prints it) with "Z", "+HH:MM", "-HH:MM" or nothing for
// UTC. A time given to the day, minute or second covers all of it: the
// result is the last instant in it, so "2026-03-01" takes in that whole day
// and "12:00" takes in 12:00:59. nullopt for anything else, an impossible
// date (2026-02-30) or a year before 1970.
std::optional<double> ParseUtcInstant(const std::string& text);

}  // namespace gptvault
