// Rollback detection. The host can serve back an older copy of the whole
// vault: every file in it authenticates, so only memory can tell. This
// machine remembers, per vault (by the config's vault_id), the newest
// snapshot it has seen, in $XDG_STATE_HOME/gptvault/<vault id>.json
// (folder 0700, file 0600, written atomically), and refuses a vault whose
// newest snapshot is older than that, or whose history no longer passes
// through it. Private to the vault layer.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "gptvault/util/status.h"
#include "gptvault/vault/vault.h"

namespace gptvault::vault {

class RollbackGuard {
 public:
  // `state_dir` empty: a guard that remembers and refuses nothing.
  RollbackGuard(std::string state_dir, const std::array<uint8_t, 16>& vault_id);

  // Compares what the vault holds with what this machine has seen, and
  // remembers the newest snapshot when it moved forward. kCorruption with
  // one line ("the vault has gone back in time: ...") when:
  //  - its newest snapshot has a lower seq than the one remembered, or
  //  - the remembered snapshot is gone and the newest snapshot's chain of
  //    parents does not pass through it (an older state replayed, perhaps
  //    written to since).
  // With `accept`, remembers the vault's newest snapshot instead.
  Status Verify(const SnapshotScan& scan, bool accept);

  // Remembers `snapshot` unless a newer one is remembered already.
  Status Remember(const Snapshot& snapshot);

 private:
  struct Seen {
    uint64_t seq = 0;
    std::string name;
  };
  // Nothing when no record exists (or it is unreadable: a fresh start).
  std::optional<Seen> Load() const;
  Status Store(const Seen& seen) const;
  std::string Path() const;

  std::string state_dir_;
  std::string vault_id_;  // hex
};

}  // namespace gptvault::vault
