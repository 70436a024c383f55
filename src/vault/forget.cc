// `forget`: removes snapshots from the vault's history, and with them the
// versions only they held (prune then reclaims the space).
//
// Every catalog holds every version seen up to its snapshot, so forgetting
// a snapshot alone would free nothing. Each snapshot kept after the first
// forgotten one is rewritten instead: same seq, export and manifest, a
// catalog that keeps of each conversation only its current version and the
// versions a kept snapshot's export (up to this one) holds, and
// `supersedes` naming the file it replaces and the forgotten files before
// it. The newest snapshot is never forgotten, so the current version of
// every conversation ever added stays: forgetting drops versions, never
// conversations.
//
// Order: the new catalogs (packs, then an index file), the new snapshot
// files oldest first, then the old files deleted. Until that last step the
// old files are still there but passed over (ScanSnapshots), so a forget
// killed at any moment leaves either the old history or the new one, and
// the next forget or prune deletes what is left of the old.
#include <algorithm>
#include <set>

#include "chunk_stream.h"
#include "gptvault/vault/vault.h"

namespace gptvault::vault {

namespace {

using storage::ObjectType;

// The versions snapshot `s`'s export holds: its conversations files' and
// chat.html's embedded copies.
Status AddVersionsOf(storage::Repository& repo, const Snapshot& s,
                     std::unordered_set<storage::ObjectId, storage::ObjectIdHash>& out) {
  GV_ASSIGN_OR_RETURN(Bytes json, LoadChunked(repo, ObjectType::kTree, s.manifest));
  GV_ASSIGN_OR_RETURN(Manifest manifest, DecodeManifest(AsChars(json)));
  for (const ManifestMember& m : manifest.members) {
    out.insert(m.conversation_hashes.begin(), m.conversation_hashes.end());
    for (const RecipeSegment& seg : m.segments) {
      if (seg.kind == RecipeSegment::Kind::kConversation) out.insert(seg.conversation);
    }
  }
  return Status::Ok();
}

}  // namespace

Status Vault::DeleteSuperseded(const SnapshotScan& scan) {
  for (const std::string& name : scan.superseded) {
    GV_RETURN_IF_ERROR(repo_->backend().Delete(name));
    snapshot_cache_.erase(name);
  }
  return Status::Ok();
}

Result<ForgetResult> Vault::Forget(const std::vector<std::string>& names, bool dry_run) {
  GV_ASSIGN_OR_RETURN(auto writer_lock, repo_->AcquireLock(options_.lock));
  GV_ASSIGN_OR_RETURN(SnapshotScan scan, ScanSnapshots());
  if (!scan.damaged.empty()) {
    return Status::Corruption(scan.damaged[0].reason +
                              ": forget changes nothing while a snapshot cannot be read (see "
                              "`gptvault check`)");
  }
  const std::vector<Snapshot>& history = scan.snapshots;
  if (history.empty()) return Status::NotFound("the vault has no snapshots yet");
  for (size_t i = 1; i < history.size(); ++i) {
    if (history[i].seq == history[i - 1].seq) {
      return Status::InvalidArgument(
          "snapshot " + std::to_string(history[i].seq) +
          " was written twice by two writers at once: forget changes nothing until `gptvault "
          "check` shows one history");
    }
  }
  std::set<std::string> forget(names.begin(), names.end());
  for (const std::string& name : forget) {
    if (std::none_of(history.begin(), history.end(),
                     [&](const Snapshot& s) { return s.name == name; })) {
      return Status::NotFound("no snapshot " + name);
    }
  }
  if (forget.count(history.back().name)) {
    return Status::InvalidArgument(
        "snapshot " + std::to_string(history.back().seq) +
        " is the newest: it is never forgotten, so the newest version of every conversation stays");
  }

  ForgetResult result;
  if (!dry_run) GV_RETURN_IF_ERROR(DeleteSuperseded(scan));
  // dropped: left out of some rewritten catalog; last_kept: what the newest
  // rewritten catalog (which lists every version still kept) has.
  std::unordered_set<storage::ObjectId, storage::ObjectIdHash> kept_versions, dropped, last_kept;
  std::vector<std::string> pending_supersedes;  // forgotten since the last kept snapshot
  std::vector<Snapshot> rewritten;
  bool rewriting = false;
  for (const Snapshot& s : history) {
    if (forget.count(s.name)) {
      result.forgotten.push_back(s);
      pending_supersedes.push_back(s.name);
      pending_supersedes.insert(pending_supersedes.end(), s.supersedes.begin(), s.supersedes.end());
      rewriting = true;
      continue;
    }
    result.kept.push_back(s);
    GV_RETURN_IF_ERROR(AddVersionsOf(*repo_, s, kept_versions)
                           .WithContext("the manifest of snapshot " + std::to_string(s.seq)));
    if (!rewriting) continue;

    GV_ASSIGN_OR_RETURN(const Catalog* old_catalog, CatalogAt(s));
    Catalog catalog = *old_catalog;
    last_kept.clear();
    for (auto& [id, rec] : catalog.conversations) {
      std::vector<ConversationVersion> versions;
      size_t current = 0;
      for (size_t i = 0; i < rec.versions.size(); ++i) {
        if (i == rec.current || kept_versions.count(rec.versions[i].hash)) {
          if (i == rec.current) current = versions.size();
          last_kept.insert(rec.versions[i].hash);
          versions.push_back(std::move(rec.versions[i]));
        } else {
          dropped.insert(rec.versions[i].hash);
        }
      }
      rec.versions = std::move(versions);
      rec.current = current;
    }
    Snapshot next = s;
    next.supersedes = {s.name};
    next.supersedes.insert(next.supersedes.end(), s.supersedes.begin(), s.supersedes.end());
    next.supersedes.insert(next.supersedes.end(), pending_supersedes.begin(),
                           pending_supersedes.end());
    pending_supersedes.clear();
    if (!dry_run) {
      GV_ASSIGN_OR_RETURN(next.catalog,
                          StoreWritten(*repo_, ObjectType::kTree, [&](const TextSink& sink) {
                            return EncodeCatalog(catalog, sink);
                          }));
    }
    rewritten.push_back(std::move(next));
  }
  result.rewritten = rewritten.size();
  std::erase_if(dropped, [&](const storage::ObjectId& h) { return last_kept.count(h) != 0; });
  result.versions_dropped = dropped.size();
  if (dry_run || forget.empty()) return result;
  GV_RETURN_IF_ERROR(WriteRewritten(rewritten, result.kept, forget, result.warnings));
  for (const std::string& name : forget) {
    catalogs_.erase(name);
    exports_.erase(name);
  }
  return result;
}

Status Vault::WriteRewritten(std::vector<Snapshot>& rewritten, const std::vector<Snapshot>& kept,
                             const std::set<std::string>& forget,
                             std::vector<std::string>& warnings) {
  // The new catalogs (and manifests) are durable before any snapshot names them.
  Status committed = repo_->Commit();
  if (!committed.ok()) {
    repo_->Abandon();
    return committed;
  }
  std::map<std::string, std::string> renamed;  // old file name -> new
  for (Snapshot& next : rewritten) {
    if (auto p = renamed.find(next.parent); p != renamed.end()) {
      next.parent = p->second;
    } else if (forget.count(next.parent)) {
      // Its parent was forgotten: it follows the newest kept one before it.
      next.parent.clear();
      for (const Snapshot& k : kept) {
        if (k.seq >= next.seq) break;
        next.parent = renamed.count(k.name) ? renamed[k.name] : k.name;
      }
    }
    GV_ASSIGN_OR_RETURN(std::string name,
                        repo_->WriteMetaFile("snapshots", AsBytes(EncodeSnapshot(next))));
    renamed[next.supersedes[0]] = name;
    next.name = name;
  }
  if (Status r = RememberSnapshot(rewritten.back()); !r.ok()) warnings.push_back(r.message());
  // The old history goes last; from here on it was passed over anyway.
  GV_ASSIGN_OR_RETURN(SnapshotScan after, ScanSnapshots());
  return DeleteSuperseded(after);
}

}  // namespace gptvault::vault
