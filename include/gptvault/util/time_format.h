// Times as people read them.
#pragma once

#include <optional>
#include <string>

namespace gptvault {

// "YYYY-MM-DD HH:MM" in UTC for seconds since 1970 (the exports' times), or
// "" when there is none or it is not a time a calendar shows (negative, not
// finite, after year 2999).
std::string FormatUtcMinute(std::optional<double> epoch_seconds);
// RFC 3339 in UTC to the second ("2026-03-01T12:00:00Z"); "" likewise.
std::string FormatUtcRfc3339(std::optional<double> epoch_seconds);

}  // namespace gptvault
