// Ctrl-C for commands that can stop cleanly. While an InterruptGuard lives,
// the first SIGINT or SIGTERM only asks the command to stop at its next safe
// point (Requested()); the signal's default action is back at once, so a
// second one ends the process there and then (which the vault survives too:
// every write is temp, fsync, rename, and the commit is one file).
// Private to the cli layer.
#pragma once

namespace gptvault::cli {

class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  // Whether an interrupt has arrived since the guard was made.
  bool Requested() const;
};

}  // namespace gptvault::cli
