// `purge`: removes conversations from the whole history for good.
//
// Every snapshot is rewritten (forget.cc's WriteRewritten: same seq, the
// old file named in `supersedes`): its catalog without the conversations'
// records and without the attached files only they pointed at; its manifest
// without their versions in the conversations files (the separator beside
// each one removed with it, so the file stays the JSON array it was),
// without their copies embedded in chat.html, and without those attached
// files' members. A prune with no grace and no unused space then deletes
// and rewrites every pack until no blob is left that holds their bytes.
#include <algorithm>

#include "chunk_stream.h"
#include "gptvault/vault/vault.h"

namespace gptvault::vault {

namespace {

using storage::ObjectId;
using storage::ObjectType;
using HashSet = std::unordered_set<ObjectId, storage::ObjectIdHash>;

bool IsSeparator(const RecipeSegment& seg) {
  if (seg.kind != RecipeSegment::Kind::kText) return false;
  size_t commas = 0;
  for (char c : seg.text) {
    if (c == ',') {
      ++commas;
    } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      return false;
    }
  }
  return commas == 1;
}

bool IsConversation(const RecipeSegment& seg) {
  return seg.kind == RecipeSegment::Kind::kConversation;
}

// glue[0] v[0] glue[1] ... v[n-1] glue[n]: v[i] goes with the separator
// after it, or, for the last of several, the one before it; the only one
// leaves "[" and "]" around nothing.
void RemoveFromConversationsFile(ManifestMember& m, const HashSet& purged) {
  for (size_t i = m.conversation_hashes.size(); i-- > 0;) {
    if (!purged.count(m.conversation_hashes[i])) continue;
    const size_t n = m.conversation_hashes.size();
    m.conversation_hashes.erase(m.conversation_hashes.begin() + i);
    if (n == 1) {
      m.glue[0] += m.glue[1];
      m.glue.erase(m.glue.begin() + 1);
    } else if (i + 1 < n) {
      m.glue.erase(m.glue.begin() + i + 1);
    } else {
      m.glue.erase(m.glue.begin() + i);
    }
    m.crc = 0;
  }
}

// chat.html's embedded copies, with one separator each where the recipe
// shows it plainly; otherwise the copy alone goes, which leaves an empty
// slot the page's script reads as a hole in the array.
void RemoveFromRecipe(ManifestMember& m, const HashSet& purged) {
  auto& segs = m.segments;
  for (size_t j = segs.size(); j-- > 0;) {
    if (!IsConversation(segs[j]) || !purged.count(segs[j].conversation)) continue;
    if (j + 2 < segs.size() && IsSeparator(segs[j + 1]) && IsConversation(segs[j + 2])) {
      segs.erase(segs.begin() + j, segs.begin() + j + 2);
    } else if (j >= 2 && IsSeparator(segs[j - 1]) && IsConversation(segs[j - 2])) {
      segs.erase(segs.begin() + j - 1, segs.begin() + j + 1);
    } else {
      segs.erase(segs.begin() + j);
    }
    m.crc = 0;
  }
}

}  // namespace

Result<PurgeResult> Vault::Purge(const std::vector<std::string>& ids) {
  GV_ASSIGN_OR_RETURN(auto writer_lock, repo_->AcquireLock(options_.lock));
  GV_ASSIGN_OR_RETURN(SnapshotScan scan, ScanSnapshots());
  if (!scan.damaged.empty()) {
    return Status::Corruption(scan.damaged[0].reason +
                              ": purge changes nothing while a snapshot cannot be read (see "
                              "`gptvault check`)");
  }
  const std::vector<Snapshot>& history = scan.snapshots;
  if (history.empty()) return Status::NotFound("the vault has no snapshots yet");
  GV_RETURN_IF_ERROR(DeleteSuperseded(scan));
  const std::set<std::string> gone(ids.begin(), ids.end());

  // What goes: every version of the conversations, and the attached files
  // that no remaining conversation points at in any snapshot.
  PurgeResult result;
  HashSet versions;
  std::set<std::string> their_assets, other_assets, found;
  for (const Snapshot& s : history) {
    GV_ASSIGN_OR_RETURN(const Catalog* catalog, CatalogAt(s));
    for (const auto& [id, rec] : catalog->conversations) {
      const bool purged = gone.count(id) != 0;
      if (purged) found.insert(id);
      for (const ConversationVersion& v : rec.versions) {
        if (purged) versions.insert(v.hash);
        for (const auto& a : v.assets) (purged ? their_assets : other_assets).insert(a.id);
      }
    }
  }
  for (const std::string& id : gone) {
    if (!found.count(id)) return Status::NotFound("no conversation with id " + id);
  }
  std::set<std::string> drop_assets;
  std::vector<ChunkList> drop_contents;
  for (const std::string& a : their_assets) {
    if (!other_assets.count(a)) drop_assets.insert(a);
  }
  for (const Snapshot& s : history) {
    GV_ASSIGN_OR_RETURN(const Catalog* catalog, CatalogAt(s));
    for (const std::string& a : drop_assets) {
      if (auto it = catalog->assets.find(a); it != catalog->assets.end()) {
        drop_contents.push_back(it->second.content);
      }
    }
  }
  result.conversations = found.size();
  result.versions = versions.size();
  result.assets = drop_assets.size();

  std::vector<Snapshot> rewritten;
  for (const Snapshot& s : history) {
    GV_ASSIGN_OR_RETURN(const Catalog* old_catalog, CatalogAt(s));
    Catalog catalog = *old_catalog;
    for (const std::string& id : gone) catalog.conversations.erase(id);
    for (const std::string& a : drop_assets) catalog.assets.erase(a);
    GV_ASSIGN_OR_RETURN(Bytes manifest_json, LoadChunked(*repo_, ObjectType::kTree, s.manifest));
    GV_ASSIGN_OR_RETURN(Manifest manifest, DecodeManifest(AsChars(manifest_json)));
    std::erase_if(manifest.members, [&](const ManifestMember& m) {
      return !m.conversations && !m.recipe && !m.directory &&
             std::any_of(drop_contents.begin(), drop_contents.end(), [&](const ChunkList& c) {
               return c.size == m.content.size && c.chunks == m.content.chunks;
             });
    });
    for (ManifestMember& m : manifest.members) {
      if (m.conversations) RemoveFromConversationsFile(m, versions);
      if (m.recipe) RemoveFromRecipe(m, versions);
    }
    Snapshot next = s;
    next.supersedes = {s.name};
    next.supersedes.insert(next.supersedes.end(), s.supersedes.begin(), s.supersedes.end());
    GV_ASSIGN_OR_RETURN(next.catalog,
                        StoreWritten(*repo_, ObjectType::kTree, [&](const TextSink& sink) {
                          return EncodeCatalog(catalog, sink);
                        }));
    GV_ASSIGN_OR_RETURN(next.manifest,
                        StoreWritten(*repo_, ObjectType::kTree, [&](const TextSink& sink) {
                          return EncodeManifest(manifest, sink);
                        }));
    rewritten.push_back(std::move(next));
  }
  result.snapshots_rewritten = rewritten.size();
  GV_RETURN_IF_ERROR(WriteRewritten(rewritten, history, {}, result.warnings));
  catalogs_.clear();
  exports_.clear();

  // No grace and no unused space: every blob of theirs goes now.
  storage::PruneOptions everything;
  everything.grace_seconds = 0;
  everything.max_unused = 0;
  GV_ASSIGN_OR_RETURN(storage::Reachable reachable, NeededObjects());
  GV_ASSIGN_OR_RETURN(result.prune, repo_->Prune(reachable, everything));
  return result;
}

}  // namespace gptvault::vault
