// What the integrity tools (check, repair) learn about a vault's files.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gptvault/storage/pack.h"
#include "gptvault/util/bytes.h"
#include "gptvault/util/status.h"

namespace gptvault::storage {

// A vault file that is there but cannot be used, and why (one line).
struct DamagedFile {
  std::string name;
  std::string reason;
};

// One pack read whole, for check --read-data and repair.
struct PackContents {
  Bytes bytes;
  bool name_matches = false;       // its bytes hash to its name
  Status header;                   // OK when the sealed header authenticated
  std::vector<PackEntry> entries;  // from the header, when it authenticated
};

// What Repository::Repair did.
struct RepairReport {
  uint64_t packs_indexed = 0;
  uint64_t objects_indexed = 0;
  std::string index_written;               // the new index file; "" when there were no packs
  std::vector<DamagedFile> packs_skipped;  // unreadable, or their header does not authenticate
  // Authentic files found under another file's name (swapped, renamed),
  // moved to the name their bytes hash to: {from, to}.
  std::vector<std::pair<std::string, std::string>> moved;
  std::vector<std::string> packs_misnamed;  // damaged and misnamed: indexed where they are
  std::vector<DamagedFile> index_deleted;   // reason: "damaged: ..." or "superseded"
  std::vector<DamagedFile> index_kept;      // still needed, and why
  std::vector<std::string> ignored;         // names that are not vault file names
};

}  // namespace gptvault::storage
