#include "gptvault/util/time_format.h"

#include <cmath>
#include <ctime>

namespace gptvault {

std::string FormatUtcMinute(std::optional<double> epoch_seconds) {
  if (!epoch_seconds || !std::isfinite(*epoch_seconds) || *epoch_seconds < 0 ||
      *epoch_seconds > 32503680000.0) {
    return "";
  }
  std::time_t t = static_cast<std::time_t>(*epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

}  // namespace gptvault
