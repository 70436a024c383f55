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

// Reads `n` digits at `s[*pos]`; false when they are not there.
bool Digits(const std::string& s, size_t* pos, size_t n, int* value) {
  if (*pos + n > s.size()) return false;
  *value = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[*pos + i];
    if (c < '0' || c > '9') return false;
    *value = *value * 10 + (c - '0');
  }
  *pos += n;
  return true;
}

}  // namespace

std::string FormatUtcMinute(std::optional<double> epoch_seconds) {
  return FormatUtc(epoch_seconds, "%Y-%m-%d %H:%M");
}

std::string FormatUtcRfc3339(std::optional<double> epoch_seconds) {
  return FormatUtc(epoch_seconds, "%Y-%m-%dT%H:%M:%SZ");
}

std::string FormatUtcDay(std::optional<double> epoch_seconds) {
  return FormatUtc(epoch_seconds, "%Y-%m-%d");
}

std::optional<double> ParseUtcInstant(const std::string& s) {
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(s, &pos, 4, &year) || pos >= s.size() || s[pos++] != '-' ||
      !Digits(s, &pos, 2, &month) || pos >= s.size() || s[pos++] != '-' ||
      !Digits(s, &pos, 2, &day)) {
    return std::nullopt;
  }
  double span = 86400;  // what the precision given leaves open
  double fraction = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
    ++pos;
    if (!Digits(s, &pos, 2, &hour) || pos >= s.size() || s[pos++] != ':' ||
        !Digits(s, &pos, 2, &minute)) {
      return std::nullopt;
    }
    span = 60;
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!Digits(s, &pos, 2, &second)) return std::nullopt;
      span = 1;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        double scale = 0.1;
        const size_t start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          fraction += (s[pos++] - '0') * scale;
          scale /= 10;
        }
        if (pos == start) return std::nullopt;
        span = 0;
      }
    }
  }
  int offset = 0;  // seconds east of UTC
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z') && span < 86400) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-') && span < 86400) {
    const int sign = s[pos++] == '+' ? 1 : -1;
    int oh = 0, om = 0;
    if (!Digits(s, &pos, 2, &oh) || pos >= s.size() || s[pos++] != ':' ||
        !Digits(s, &pos, 2, &om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = sign * (oh * 3600 + om * 60);
  }
  if (pos != s.size() || year < 1970 || month < 1 || month > 12 || day < 1 || hour > 23 ||
      minute > 59 || second > 59) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t t = ::timegm(&tm);
  if (tm.tm_mday != day || tm.tm_mon != month - 1) return std::nullopt;  // 2026-02-30
  const double start = static_cast<double>(t) - offset + fraction;
  if (span == 0) return start;
  return std::nextafter(start + span, -INFINITY);
}

}  // namespace gptvault
