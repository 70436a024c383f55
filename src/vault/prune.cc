// The mark half of `prune`: every object a snapshot reaches. The sweep is
// storage::Repository::Prune.
//
// A snapshot reaches its catalog and manifest (tree objects); the catalog,
// every version's content and every attached file's; the manifest, every
// member's content and chat.html's recipe chunks (its conversations are
// versions the catalog lists). A version stored as one object may be a
// delta: the sweep reads its bases from the blob itself, never trusting the
// catalog's `delta_depth`.
#include "chunk_stream.h"
#include "gptvault/vault/vault.h"
#include "reachable.h"

namespace gptvault::vault {

namespace {

using storage::ObjectType;

void MarkList(const ChunkList& list, storage::ObjectSet& out) {
  out.insert(list.chunks.begin(), list.chunks.end());
}

}  // namespace

void MarkSnapshot(const Snapshot& s, storage::Reachable& out) {
  MarkList(s.catalog, out.objects);
  MarkList(s.manifest, out.objects);
}

void MarkCatalog(const Catalog& catalog, storage::Reachable& out) {
  for (const auto& [id, rec] : catalog.conversations) {
    for (const ConversationVersion& v : rec.versions) {
      MarkList(v.content, out.objects);
      if (v.content.chunks.size() == 1) out.maybe_deltas.insert(v.content.chunks[0]);
    }
  }
  for (const auto& [id, asset] : catalog.assets) MarkList(asset.content, out.objects);
}

void MarkManifest(const Manifest& manifest, storage::Reachable& out) {
  for (const ManifestMember& m : manifest.members) {
    MarkList(m.content, out.objects);
    for (const RecipeSegment& seg : m.segments) {
      if (seg.kind == RecipeSegment::Kind::kChunks) MarkList(seg.chunks, out.objects);
    }
  }
}

Result<storage::Reachable> Vault::NeededObjects() {
  GV_ASSIGN_OR_RETURN(SnapshotScan scan, ScanSnapshots());
  if (!scan.damaged.empty()) {
    return Status::Corruption(scan.damaged[0].reason +
                              ": what it needs is unknown, so prune deletes nothing while the "
                              "vault is not sound (see `gptvault check`)");
  }
  storage::Reachable out;
  auto unsound = [](const Status& why) {
    return Status(why).WithContext(
        "prune deletes nothing while the vault is not sound (see "
        "`gptvault check`)");
  };
  for (const Snapshot& s : scan.snapshots) {
    MarkSnapshot(s, out);
    // Decoded one at a time and let go: a vault of decades holds hundreds.
    auto catalog_json = LoadChunked(*repo_, ObjectType::kTree, s.catalog);
    if (!catalog_json.ok()) return unsound(catalog_json.status());
    GV_ASSIGN_OR_RETURN(Catalog catalog, DecodeCatalog(AsChars(*catalog_json)));
    MarkCatalog(catalog, out);
    auto manifest_json = LoadChunked(*repo_, ObjectType::kTree, s.manifest);
    if (!manifest_json.ok()) return unsound(manifest_json.status());
    GV_ASSIGN_OR_RETURN(Manifest manifest, DecodeManifest(AsChars(*manifest_json)));
    MarkManifest(manifest, out);
  }
  return out;
}

Result<storage::PruneReport> Vault::Prune(const storage::PruneOptions& options) {
  GV_ASSIGN_OR_RETURN(auto writer_lock, repo_->AcquireLock(options_.lock));
  // What an interrupted forget left of the old history goes first.
  if (!options.dry_run) {
    GV_ASSIGN_OR_RETURN(SnapshotScan scan, ScanSnapshots());
    GV_RETURN_IF_ERROR(DeleteSuperseded(scan));
  }
  GV_ASSIGN_OR_RETURN(storage::Reachable reachable, NeededObjects());
  return repo_->Prune(reachable, options);
}

}  // namespace gptvault::vault
