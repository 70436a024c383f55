// The catalog: every conversation ever added to the vault, with every
// version of it that was ever seen. Each snapshot stores the whole catalog
// as of that snapshot (chunked, so unchanged parts are shared between
// snapshots); a conversation missing from a newer export stays in it,
// because absence upstream is not deletion.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gptvault/storage/object_codec.h"
#include "gptvault/util/status.h"

namespace gptvault::vault {

// A byte stream stored as content-defined chunks, in order.
struct ChunkList {
  uint64_t size = 0;
  std::vector<storage::ObjectId> chunks;
};

struct ConversationVersion {
  storage::ObjectId hash{};  // keyed BLAKE2b of the exact bytes in the export
  ChunkList content;
  uint64_t first_seq = 0;  // the snapshot that first saw these bytes
  std::optional<std::string> title;
  std::optional<double> update_time;
  uint64_t messages = 0;  // on the current branch
};

struct ConversationRecord {
  std::string id;
  std::optional<double> create_time;
  std::vector<ConversationVersion> versions;  // in the order first seen
  size_t current = 0;      // the version in the newest export that had it
  uint64_t last_seq = 0;   // the newest snapshot whose export had it

  const ConversationVersion& latest() const { return versions[current]; }
};

struct Catalog {
  uint64_t seq = 0;  // of the snapshot this catalog belongs to
  std::map<std::string, ConversationRecord> conversations;
};

std::string EncodeCatalog(const Catalog& catalog);
Result<Catalog> DecodeCatalog(std::string_view json);

}  // namespace gptvault::vault
