#include "gptvault/util/time_format.h"

#include <cmath>
#include <ctime>

namespace gptvault {

namespace {

// `format` (strftime's) of the time in UTC, or "" for none or a time no
// calendar shows.
std::string FormatUtc(std::optional<double> epoch_seconds, const char* format) {
  if (!epoch_seconds || !std::isfinite(*epoch_seconds) || *epoch_seconds < 0 ||
      *epoch_seconds > 32503680000.0) {
    return "";
  }
  std::time_t t = static_cast<std::time_t>(*epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

}  // namespace

std::string FormatUtcMinute(std::optional<double> epoch_seconds) {
  return FormatUtc(epoch_seconds, "%Y-%m-%d %H:%M");
}

std::string FormatUtcRfc3339(std::optional<double> epoch_seconds) {
  return FormatUtc(epoch_seconds, "%Y-%m-%dT%H:%M:%SZ");
}

}  // namespace gptvault
