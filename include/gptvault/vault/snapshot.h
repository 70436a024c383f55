// A snapshot: one per added archive, written last. It names its predecessor
// and carries a sequence number so that a store rolled back to an older
// state can be noticed, and it points at the catalog and at the manifest
// from which the whole archive can be rebuilt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gptvault/util/status.h"
#include "gptvault/vault/catalog.h"

namespace gptvault::vault {

// A piece of a member stored as a recipe (chat.html): literal text, bytes
// stored as chunks, or the exact bytes of a stored conversation version.
struct RecipeSegment {
  enum class Kind { kChunks, kText, kConversation };
  Kind kind = Kind::kChunks;
  ChunkList chunks;
  std::string text;
  storage::ObjectId conversation{};
};

// One member of the archive, in archive order. Conversation files are kept
// as a recipe (glue text and conversation hashes) because their conversations
// are stored one by one; everything else as chunks.
struct ManifestMember {
  std::string name;
  std::string container;  // "" at the top level, else the nested export's member name
  bool directory = false;
  bool nested_export = false;  // the container itself; its members follow
  uint32_t crc = 0;
  ChunkList content;    // ordinary members
  bool recipe = false;  // chat.html: `segments` rebuild it
  std::vector<RecipeSegment> segments;
  bool conversations = false;
  // conversations files: glue[0] conv[0] glue[1] ... conv[n-1] glue[n]
  std::vector<std::string> glue;
  std::vector<storage::ObjectId> conversation_hashes;
};

struct Manifest {
  std::vector<ManifestMember> members;
};

struct AddCounts {
  uint64_t conversations = 0;  // in this archive
  uint64_t new_conversations = 0;
  uint64_t updated = 0;
  uint64_t unchanged = 0;
  uint64_t kept = 0;  // in the vault, missing from this archive
  uint64_t attachments_referenced = 0;
  uint64_t attachments_missing = 0;       // referenced by this export, absent from it
  uint64_t attachments_from_earlier = 0;  // of those, kept from an earlier export
  uint64_t members = 0;
  uint64_t bytes_read = 0;    // inflated bytes of the archive
  uint64_t bytes_stored = 0;  // bytes written to the vault
};

struct Snapshot {
  std::string name;  // snapshots/<hex>, the file it was read from (not stored)
  uint64_t seq = 0;
  std::string parent;  // name of the previous snapshot file, "" for the first
  std::string time;    // UTC, ISO 8601
  std::string source;  // the archive's file name, as given
  uint64_t source_size = 0;
  std::string layout;  // ingest::ExportLayout::Describe()
  // The export's own date: the newest update_time among its conversations
  // (seconds since 1970, as the export gives them). Absent in snapshots
  // written before December 2026 and for exports whose conversations carry
  // none; ExportTimeOf() stands in for it.
  std::optional<double> export_time;
  ChunkList catalog;
  ChunkList manifest;
  AddCounts counts;
  // Snapshot files this one makes obsolete (forget, FORMAT.md): the file it
  // was rewritten from, those forgotten just before it, and what those
  // superseded in turn. Readers pass over every file a readable snapshot
  // names here; the rollback guard accepts them as the history it saw.
  std::vector<std::string> supersedes;
};

// The snapshot whose export is the newest: the greatest export date
// (ExportTimeOf), ties going to the higher seq; nullptr when there is none.
// This, not the snapshot added last, is what "the latest export" means.
const Snapshot* NewestExport(const std::vector<Snapshot>& snapshots, const Catalog& latest);
// A snapshot's export date: its export_time, else (written before export
// dates were recorded) the newest update_time among the versions `latest`
// records as first seen in it or before it.
std::optional<double> ExportTimeOf(const Snapshot& s, const Catalog& latest);

std::string EncodeSnapshot(const Snapshot& s);
Result<Snapshot> DecodeSnapshot(std::string_view json);
Status EncodeManifest(const Manifest& m, const TextSink& sink);  // in pieces, as EncodeCatalog
std::string EncodeManifest(const Manifest& m);
Result<Manifest> DecodeManifest(std::string_view json);

}  // namespace gptvault::vault
