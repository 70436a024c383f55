#include "gptvault/vault/retention.h"

#include <climits>
#include <utility>

namespace gptvault::vault {

namespace {

// The line every refused duration ends with.
std::string RefuseDuration(std::string_view text, const std::string& why) {
  return "keep-within: \"" + std::string(text) + "\" " + why +
         ": use numbers with y, m, w, d, h, such as 1y6m";
}

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

}  // namespace gptvault::vault
