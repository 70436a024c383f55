// The prune that `prune` runs and `forget --prune` runs after forgetting.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "context.h"

namespace gptvault::cli {

struct PruneFlags {
  bool dry_run = false;
  bool json = false;
  double max_unused = 10;  // percent
  std::string grace = "24h";
};

// "0", "36", "36h" (hours) or "2d": how old an unused file must be before
// prune may delete it, in seconds; nullopt for anything else.
std::optional<int64_t> ParseGrace(const std::string& text);
// The usage error for a --grace ParseGrace refuses; the exit code.
int GraceUsage(Context& ctx, const std::string& grace, const char* command);

// Prunes `v` (flags.grace already checked) and prints what it did; the exit code.
int RunPrune(Context& ctx, vault::Vault& v, const PruneFlags& flags);

}  // namespace gptvault::cli
