#include "interrupt.h"

#include <signal.h>

#include <atomic>

namespace gptvault::cli {

namespace {

std::atomic<bool> interrupted{false};
struct sigaction previous_int, previous_term;

void OnInterrupt(int) { interrupted.store(true); }

}  // namespace

InterruptGuard::InterruptGuard() {
  interrupted.store(false);
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  // SA_RESETHAND: the next signal takes the default action (ends the process).
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, &previous_int);
  sigaction(SIGTERM, &action, &previous_term);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &previous_int, nullptr);
  sigaction(SIGTERM, &previous_term, nullptr);
}

bool InterruptGuard::Requested() const { return interrupted.load(); }

}  // namespace gptvault::cli
