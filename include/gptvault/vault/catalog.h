// The catalog: every conversation ever added to the vault, with every
// version of it that was ever seen. Each snapshot stores the whole catalog
// as of that snapshot (chunked, so unchanged parts are shared between
// snapshots); a conversation missing from a newer export stays in it,
// because absence upstream is not deletion.
#pragma once

#include <cstdint>
#include <functional>
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
  // Keyed SipHash of the same bytes: how an add recognises them quickly.
  // Absent in catalogs written before it existed, until their next add.
  std::optional<crypto::Fingerprint> fingerprint;
  ChunkList content;
  // 0: `content` is chunks in their own right. n > 0: `content` is one
  // object compressed against the version before it, itself n-1 deep.
  uint32_t delta_depth = 0;
  uint64_t first_seq = 0;  // the snapshot that first saw these bytes
  std::optional<std::string> title;
  std::optional<double> update_time;
  uint64_t messages = 0;      // on the current branch
  uint64_t all_messages = 0;  // on every branch
  uint64_t branches = 0;
  // Files it points at: id (scheme stripped) and the name the conversation
  // itself gives, if any. Where the bytes are is in Catalog::assets.
  struct AssetRef {
    std::string id;
    std::optional<std::string> name;
  };
  std::vector<AssetRef> assets;
};

struct ConversationRecord {
  std::string id;
  std::optional<double> create_time;
  std::vector<ConversationVersion> versions;  // in the order first seen
  // The version the current view shows: the newest by update_time; among
  // versions equally new, the one from the newer export (never merely the
  // one added last). See TakeIfNewer.
  size_t current = 0;
  // Not stored: whether the newest export had it follows from that
  // snapshot's manifest. Keeping per-snapshot state out of the catalog keeps
  // an unchanged conversation's entry byte-identical from one snapshot to the
  // next, so the catalog's chunks are shared and a re-add costs almost nothing.
  uint64_t last_seq = 0;  // during an add: the snapshot being written, if its export has it

  const ConversationVersion& latest() const { return versions[current]; }
};

// Whether `a` is newer than `b` by update_time; a version without one is
// older than any version with one.
bool NewerThan(const ConversationVersion& a, const ConversationVersion& b);

// Makes `version` current if it is newer than the current one, or as new and
// `wins_ties` (its export is at least as new as every export before it).
// Returns whether the current version changed.
bool TakeIfNewer(ConversationRecord& rec, size_t version, bool wins_ties);

// History's numbering of a conversation's versions: element k-1 is the
// index in rec.versions of version k. Oldest first by update_time (a
// version without one before any with one), then by the snapshot that first
// saw it, then by the order seen; so version 1 is the oldest and the last
// is at least as new as the current one.
std::vector<size_t> VersionsOldestFirst(const ConversationRecord& rec);

// A file some conversation points at, as found in some export. Kept once an
// export had it, so an export that lacks it (expired, omitted) does not lose
// it, and one that has it fills the gap left by an earlier one.
struct AssetRecord {
  std::string id;
  std::string name;  // original file name, as the export gave it (untrusted)
  ChunkList content;
  // Keyed SipHash of the file's bytes, for files of at most 16 MiB: how an
  // add recognises the file without chunking it.
  std::optional<crypto::Fingerprint> fingerprint;
  uint64_t first_seq = 0;
};

struct Catalog {
  uint64_t seq = 0;  // of the snapshot this catalog belongs to
  std::map<std::string, ConversationRecord> conversations;
  std::map<std::string, AssetRecord> assets;
};

// The record of conversation `id`; kNotFound "no conversation with id X".
Result<const ConversationRecord*> FindConversation(const Catalog& catalog, const std::string& id);

// Receives a text in pieces, in order; an error stops the writing.
using TextSink = std::function<Status(std::string_view piece)>;

// The catalog's text, handed to `sink` in pieces as it is written (about
// 1.5 KB a conversation: never held whole), or returned whole.
Status EncodeCatalog(const Catalog& catalog, const TextSink& sink);
std::string EncodeCatalog(const Catalog& catalog);
Result<Catalog> DecodeCatalog(std::string_view json);

}  // namespace gptvault::vault
