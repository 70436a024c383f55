#include "progress.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "text.h"

namespace gptvault::cli {

namespace {

constexpr auto kRedrawEvery = std::chrono::milliseconds(200);
constexpr double kSettle = 0.5;  // seconds before a rate and a time left are shown

std::string Megabytes(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buf;
}

std::string Duration(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

}  // namespace

ProgressLine::ProgressLine(std::ostream& err, bool enabled, std::string label)
    : err_(err), enabled_(enabled), label_(std::move(label)) {}

std::string ProgressLine::Render(const std::string& label, const vault::AddProgress& p,
                                 double seconds) {
  std::string line = OneLine(label, 40) + ": " + std::to_string(p.conversations) +
                     (p.conversations == 1 ? " conversation, " : " conversations, ") +
                     Megabytes(p.bytes_read) + " of " + Megabytes(p.bytes_total);
  // A rate over the first moments says more about start-up than about speed.
  if (seconds < kSettle || p.bytes_read == 0) return line;
  const double rate = static_cast<double>(p.bytes_read) / seconds;
  char buf[32];
  std::snprintf(buf, sizeof buf, ", %.0f MB/s", rate / 1e6);
  line += buf;
  if (p.bytes_total > p.bytes_read) {
    line += ", " + Duration(static_cast<double>(p.bytes_total - p.bytes_read) / rate) + " left";
  }
  return line;
}

void ProgressLine::Update(const vault::AddProgress& p) {
  if (!enabled_) return;
  const Clock::time_point now = Clock::now();
  if (drawn_ && now - last_draw_ < kRedrawEvery) return;
  last_draw_ = now;
  drawn_ = true;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  // Carriage return, the line, then erase whatever a longer line left.
  err_ << '\r' << Render(label_, p, seconds) << "\x1b[K" << std::flush;
}

void ProgressLine::Clear() {
  if (!drawn_) return;
  err_ << "\r\x1b[K" << std::flush;
  drawn_ = false;
}

bool IsTerminalStderr(const std::ostream& stream) {
  return &stream == &std::cerr && ::isatty(STDERR_FILENO) == 1;
}

}  // namespace gptvault::cli
