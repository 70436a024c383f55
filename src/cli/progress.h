// The one-line progress display of a long add, on stderr when it is a
// terminal: conversations read, megabytes of the export read of its total,
// the reading rate, and the time left at that rate. Private to the cli layer.
#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "gptvault/vault/vault.h"

namespace gptvault::cli {

class ProgressLine {
 public:
  // `label` names what is being added (an archive's file name). A disabled
  // line prints nothing at all.
  ProgressLine(std::ostream& err, bool enabled, std::string label);
  ~ProgressLine() { Clear(); }

  // Redraws the line, at most every 200 ms (the first call draws at once).
  void Update(const vault::AddProgress& p);
  // Erases the line, so what is printed next starts on a clean one.
  void Clear();

  // The text of the line, without the terminal's control sequences.
  static std::string Render(const std::string& label, const vault::AddProgress& p, double seconds);

 private:
  using Clock = std::chrono::steady_clock;
  std::ostream& err_;
  bool enabled_;
  std::string label_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_{};
  bool drawn_ = false;
};

// Whether `stream` is this process's stderr and that is a terminal.
bool IsTerminalStderr(const std::ostream& stream);

}  // namespace gptvault::cli
