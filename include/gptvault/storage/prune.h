// What `prune` is told and what it did: the sweep half of prune, after the
// vault layer has marked every object a snapshot still needs.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>

#include "gptvault/storage/index.h"

namespace gptvault::storage {

using ObjectSet = std::unordered_set<ObjectId, ObjectIdHash>;

// What the snapshots reach, as the vault layer finds it: every object they
// name, and those of them that may be stored as deltas (conversation
// versions stored as one data object), whose bases the sweep finds in the
// blobs themselves.
struct Reachable {
  ObjectSet objects;
  ObjectSet maybe_deltas;  // data objects, a subset of `objects`
};

struct PruneOptions {
  // Packs and index files younger than this are never deleted or rewritten:
  // a writer this machine cannot see (another machine on a sync folder, S3's
  // listing lag) may have just stored them for a snapshot still to come.
  int64_t grace_seconds = 24 * 3600;
  // A pack is rewritten without its unused objects when more than this
  // fraction of its bytes is unused.
  double max_unused = 0.10;
  bool dry_run = false;  // count, change nothing
};

struct PruneReport {
  struct Count {
    uint64_t packs = 0;
    uint64_t bytes = 0;
    void Add(uint64_t size) {
      ++packs;
      bytes += size;
    }
  };
  Count total;                     // pack files at the start
  Count unused;                    // indexed, nothing in them needed: deleted
  Count unindexed;                 // in no index file (left by an interrupted write): deleted
  Count repacked;                  // rewritten without their unused objects: their old sizes
  Count written;                   // the packs those became
  Count young;                     // unused or unindexed, but inside the grace period: kept
  uint64_t unused_bytes_kept = 0;  // unused objects left in packs under the threshold
  uint64_t objects_needed = 0;
  // Kept deltas whose bases no snapshot needs: stored whole instead, so the
  // bases can go (what makes forgetting old versions free their space).
  uint64_t objects_rewritten_whole = 0;
  uint64_t index_files_deleted = 0;
  std::string index_written;  // "" when none was (dry run, or nothing to rewrite)

  // Bytes of packs freed less those written; negative when storing kept
  // deltas whole took more than the packs it let go.
  int64_t reclaimed() const {
    return static_cast<int64_t>(unused.bytes + unindexed.bytes + repacked.bytes) -
           static_cast<int64_t>(written.bytes);
  }
  bool nothing_to_do() const {
    return unused.packs == 0 && unindexed.packs == 0 && repacked.packs == 0 &&
           objects_rewritten_whole == 0;
  }
};

}  // namespace gptvault::storage
