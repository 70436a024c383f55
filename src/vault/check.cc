// `check`: first the vault's files, then what every snapshot needs of them.
//
//  1. key and index files: each usable (a damaged index file hides objects
//     until `repair`);
//  2. packs: every pack the index names is there; with read_data each pack
//     is read whole: it must hash to its name, its sealed header must
//     authenticate, and every object the index places in it is decrypted,
//     authenticated and checked against its id;
//  3. snapshots: each readable, each naming an existing parent whose seq is
//     one lower, no two following the same parent;
//  4. every object each snapshot's catalog and manifest reference is there
//     (and, with read_data, was found sound in step 2).
//
// A problem names what is affected: the file, and the conversations,
// attachments, archive members and snapshots that need it.
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "chunk_stream.h"
#include "gptvault/storage/file_names.h"
#include "gptvault/storage/key_ring.h"
#include "gptvault/vault/vault.h"
#include "reachable.h"

namespace gptvault::vault {

namespace {

using storage::ObjectId;
using storage::ObjectIdHash;
using storage::ObjectType;

std::string PackFile(const std::string& id) { return storage::PackFileName(id); }

std::string Label(const Snapshot& s) {
  return "snapshot " + std::to_string(s.seq) + " (" + s.source + ")";
}

// "snapshot 2" / "snapshots 1, 2, 3"
std::string SnapshotList(const std::set<uint64_t>& seqs) {
  std::string out = seqs.size() == 1 ? "snapshot" : "snapshots";
  const char* sep = " ";
  for (uint64_t s : seqs) {
    out += sep + std::to_string(s);
    sep = ", ";
  }
  return out;
}

class Checker {
 public:
  Checker(storage::Repository& repo, bool read_data, CheckReport& report)
      : repo_(repo), read_data_(read_data), report_(report) {}

  void Problem(std::string line) { report_.problems.push_back(std::move(line)); }
  void Note(std::string line) { report_.notes.push_back(std::move(line)); }

  Status CheckKeys() {
    storage::KeyRing ring(repo_.backend());
    GV_ASSIGN_OR_RETURN(auto keys, ring.List());
    for (const storage::KeyEntry& k : keys) {
      if (!k.problem.empty()) {
        Problem(k.name() + " is damaged (" + k.problem +
                "): its passphrase no longer opens the vault");
      }
    }
    GV_ASSIGN_OR_RETURN(auto files, repo_.backend().List("keys/"));
    for (const storage::FileInfo& f : files) {
      if (!storage::IsKeyName(f.name)) Ignored(f.name);
    }
    return Status::Ok();
  }

  void CheckIndexFiles() {
    for (const storage::DamagedFile& d : repo_.damaged_index_files()) {
      Problem(d.name + " is damaged (" + d.reason +
              "): the objects it lists cannot be found until `gptvault repair`");
    }
    for (const std::string& name : repo_.ignored_files()) Ignored(name);
  }

  Status CheckPacks() {
    GV_ASSIGN_OR_RETURN(auto files, repo_.backend().List("data/"));
    std::vector<std::string> present;
    for (const storage::FileInfo& f : files) {
      std::string id = storage::PackIdFromName(f.name);
      if (id.empty()) {
        Ignored(f.name);
      } else {
        packs_.insert(id);
        present.push_back(id);
      }
    }
    std::sort(present.begin(), present.end());
    report_.packs = present.size();

    // The index's objects, by pack.
    const storage::Index& index = repo_.index();
    std::vector<std::vector<std::pair<const ObjectId*, const storage::Location*>>> by_pack(
        index.packs().size());
    for (const auto& [id, loc] : index.entries()) by_pack[loc.pack].push_back({&id, &loc});
    for (uint32_t p = 0; p < index.packs().size(); ++p) {
      const std::string& id = index.pack(p);
      if (!packs_.count(id) && !by_pack[p].empty()) {
        Problem("pack " + PackFile(id) +
                " is missing (still syncing?): " + std::to_string(by_pack[p].size()) +
                " objects the index places there cannot be read");
      }
    }
    if (!read_data_) return Status::Ok();

    std::unordered_map<std::string, uint32_t> number;
    for (uint32_t p = 0; p < index.packs().size(); ++p) number[index.pack(p)] = p;
    for (const std::string& id : present) {
      const std::string name = PackFile(id);
      auto pack = repo_.ReadPack(id);
      auto it = number.find(id);
      if (!pack.ok()) {
        if (pack.status().code() == Status::Code::kIOError) return pack.status();
        Problem("pack " + name + " cannot be read: " + pack.status().message());
        if (it != number.end()) {
          for (const auto& [oid, loc] : by_pack[it->second]) {
            bad_[*oid] = "pack " + name + " cannot be read";
          }
        }
        continue;
      }
      if (!pack->name_matches) {
        Problem("pack " + name + " does not hash to its name (damaged, truncated or swapped)");
      }
      if (!pack->header.ok()) Problem("pack " + name + ": " + pack->header.message());
      if (it == number.end()) continue;  // no index entry uses it (an add that was cut short)
      for (const auto& [oid, loc] : by_pack[it->second]) {
        ++report_.objects_checked;
        if (loc->offset > pack->bytes.size() || loc->length > pack->bytes.size() - loc->offset) {
          bad_[*oid] = "pack " + name + " is too short (truncated?)";
          continue;
        }
        auto plain = repo_.DecodeBlob(loc->type, *oid,
                                      ByteView(pack->bytes).subspan(loc->offset, loc->length));
        if (plain.ok()) continue;
        if (repo_.GetElsewhere(loc->type, *oid).ok()) {
          Note("object " + ToHex(*oid).substr(0, 12) + " cannot be read in pack " + name +
               " but its other copy can (an interrupted prune?): `gptvault prune` tidies up");
          continue;
        }
        bad_[*oid] = "pack " + name + ": " + plain.status().message();
      }
    }
    return Status::Ok();
  }

  void CheckChain(const SnapshotScan& scan) {
    for (const storage::DamagedFile& d : scan.damaged) Problem(d.reason);
    for (const std::string& name : scan.ignored) Ignored(name);
    if (!scan.superseded.empty()) {
      Note(std::to_string(scan.superseded.size()) +
           " snapshot files that an interrupted forget replaced are still there (passed over): "
           "`gptvault prune` deletes them");
    }
    std::unordered_map<std::string, const Snapshot*> by_name;
    std::unordered_set<std::string> damaged;
    // Files a forget replaced: a snapshot may still name one as its parent
    // when the forget stopped before rewriting it.
    std::unordered_set<std::string> replaced;
    for (const Snapshot& s : scan.snapshots) {
      by_name[s.name] = &s;
      replaced.insert(s.supersedes.begin(), s.supersedes.end());
    }
    for (const storage::DamagedFile& d : scan.damaged) damaged.insert(d.name);
    std::map<std::string, std::vector<const Snapshot*>> children;
    for (const Snapshot& s : scan.snapshots) {
      // A snapshot forget rewrote may follow one further back: the ones
      // between were forgotten.
      const bool rewritten = !s.supersedes.empty();
      if (s.parent.empty()) {
        if (s.seq != 1 && !rewritten) Problem(Label(s) + " names no parent, yet its seq is not 1");
        continue;
      }
      children[s.parent].push_back(&s);
      if (replaced.count(s.parent)) continue;
      auto parent = by_name.find(s.parent);
      if (parent != by_name.end()) {
        if (rewritten ? s.seq <= parent->second->seq : s.seq != parent->second->seq + 1) {
          Problem(Label(s) + " follows snapshot " + std::to_string(parent->second->seq) +
                  ", so its seq should be " + std::to_string(parent->second->seq + 1));
        }
      } else if (damaged.count(s.parent)) {
        Problem(Label(s) + ": its parent " + s.parent + " cannot be read");
      } else {
        Problem(Label(s) + ": its parent " + s.parent + " is missing");
      }
    }
    for (const auto& [parent, kids] : children) {
      if (kids.size() < 2) continue;
      std::string line = "snapshots";
      for (size_t i = 0; i < kids.size(); ++i)
        line += (i ? " and " : " ") + Label(*kids[i]).substr(9);
      Problem(line + " both follow " + parent +
              ": two writers added at once without seeing each other's lock (a sync folder?); "
              "only the one `log` shows last is current");
    }
  }

  // Why the object cannot be read; "" when it can.
  std::string Verdict(const ObjectId& id) {
    if (counted_.insert(id).second && !read_data_) ++report_.objects_checked;
    if (auto it = bad_.find(id); it != bad_.end()) return it->second;
    const storage::Location* loc = repo_.index().Find(id);
    if (loc == nullptr) {
      const auto& damaged = repo_.damaged_index_files();
      return "object " + ToHex(id).substr(0, 12) + " is not in the index (" +
             (damaged.empty() ? std::string("run `gptvault repair`")
                              : damaged[0].name + " is damaged: run `gptvault repair`") +
             ")";
    }
    const std::string& pack = repo_.index().pack(loc->pack);
    if (!packs_.count(pack)) return "pack " + PackFile(pack) + " is missing (still syncing?)";
    return "";
  }

  std::string ListVerdict(const ChunkList& list) {
    for (const ObjectId& id : list.chunks) {
      if (std::string why = Verdict(id); !why.empty()) return why;
    }
    return "";
  }

  // Everything one snapshot needs; `newest` says whether restore reads it.
  void CheckSnapshot(const Snapshot& s, bool newest) {
    const std::string label = Label(s);
    const std::string consequence = newest ? "; list and restore fail until it is fixed" : "";
    for (auto [what, list] : {std::pair{"catalog", &s.catalog}, {"manifest", &s.manifest}}) {
      if (std::string why = ListVerdict(*list); !why.empty()) {
        Problem(label + ": its " + what + " cannot be read: " + why + consequence);
        return;
      }
    }
    auto catalog_json = LoadChunked(repo_, ObjectType::kTree, s.catalog);
    auto manifest_json = LoadChunked(repo_, ObjectType::kTree, s.manifest);
    if (!catalog_json.ok() || !manifest_json.ok()) {
      Problem(label + ": its metadata cannot be read: " +
              (catalog_json.ok() ? manifest_json.status() : catalog_json.status()).message() +
              consequence);
      return;
    }
    auto catalog = DecodeCatalog(AsChars(*catalog_json));
    auto manifest = DecodeManifest(AsChars(*manifest_json));
    if (!catalog.ok() || !manifest.ok()) {
      Problem(label + ": " + (catalog.ok() ? manifest.status() : catalog.status()).message());
      return;
    }
    MarkSnapshot(s, reachable_);
    MarkCatalog(*catalog, reachable_);
    MarkManifest(*manifest, reachable_);
    for (const auto& [id, rec] : catalog->conversations) {
      std::string previous_why;  // a delta cannot be read without its base
      for (size_t i = 0; i < rec.versions.size(); ++i) {
        const ConversationVersion& v = rec.versions[i];
        std::string why = ListVerdict(v.content);
        if (why.empty() && v.delta_depth > 0 && !previous_why.empty()) {
          why = "it is stored as a change to its previous version, which cannot be read: " +
                previous_why;
        }
        previous_why = why;
        if (!why.empty()) {
          Affect("c" + ToHex(v.hash),
                 {"conversation " + id + " cannot be restored: " + why,
                  "conversation " + id +
                      ": its version first seen in "
                      "snapshot " +
                      std::to_string(v.first_seq) + " is damaged: " + why},
                 s.seq, newest && i == rec.current);
        }
      }
    }
    for (const auto& [id, asset] : catalog->assets) {
      if (std::string why = ListVerdict(asset.content); !why.empty()) {
        std::string line =
            "attached file " + asset.name + " (" + id + ") cannot be restored: " + why;
        Affect("a" + id, {line, line}, s.seq, newest);
      }
    }
    for (const ManifestMember& m : manifest->members) {
      if (m.directory || m.conversations || m.content.chunks.empty()) continue;
      if (std::string why = ListVerdict(m.content); !why.empty()) {
        std::string line = "archive member " + m.name + " cannot be rebuilt: " + why;
        Affect("m" + m.name + ToHex(m.content.chunks[0]), {line, line}, s.seq, newest);
      }
    }
  }

  // One line per affected thing, naming the snapshots that need it.
  void ReportAffected() {
    for (const auto& [key, a] : affected_) {
      Problem((a.in_newest ? a.lines.first : a.lines.second) + " (needed by " +
              SnapshotList(a.snapshots) + ")");
    }
  }

  Status NoteLocks() {
    GV_ASSIGN_OR_RETURN(auto locks, repo_.Locks());
    for (const storage::LockInfo& l : locks) {
      if (storage::VaultLock::IsStale(l, storage::LockOptions{})) {
        Note(l.name + " was left by a writer that is gone (process " + std::to_string(l.pid) +
             " on " + l.host + "); the next writer removes it");
      }
    }
    return Status::Ok();
  }

  // What the snapshots checked reach (reachable.h).
  const storage::Reachable& reachable() const { return reachable_; }

 private:
  void Ignored(const std::string& name) {
    Note("ignored " + name + ": not a vault file name (a sync client's copy?)");
  }
  // Something snapshot `seq` needs cannot be read. `lines`: what to say if
  // restore needs it (the newest snapshot's current version), and if not.
  struct Affected {
    std::pair<std::string, std::string> lines;
    std::set<uint64_t> snapshots;
    bool in_newest = false;
  };
  storage::Reachable reachable_;
  void Affect(const std::string& key, std::pair<std::string, std::string> lines, uint64_t seq,
              bool in_newest) {
    Affected& a = affected_[key];
    if (a.snapshots.empty()) a.lines = std::move(lines);
    a.snapshots.insert(seq);
    a.in_newest |= in_newest;
  }

  storage::Repository& repo_;
  bool read_data_;
  CheckReport& report_;
  std::unordered_set<std::string> packs_;
  std::unordered_map<ObjectId, std::string, ObjectIdHash> bad_;  // found by the pack pass
  std::unordered_set<ObjectId, ObjectIdHash> counted_;
  std::map<std::string, Affected> affected_;
};

}  // namespace

Result<CheckReport> Vault::Check(bool read_data) {
  CheckReport report;
  Checker checker(*repo_, read_data, report);
  GV_RETURN_IF_ERROR(checker.CheckKeys());
  checker.CheckIndexFiles();
  GV_RETURN_IF_ERROR(checker.CheckPacks());
  GV_ASSIGN_OR_RETURN(SnapshotScan scan, ScanSnapshots());
  report.snapshots = scan.snapshots.size();
  checker.CheckChain(scan);
  for (size_t i = 0; i < scan.snapshots.size(); ++i) {
    checker.CheckSnapshot(scan.snapshots[i], i + 1 == scan.snapshots.size());
  }
  checker.ReportAffected();
  GV_RETURN_IF_ERROR(checker.NoteLocks());
  // What prune would reclaim, when the vault is sound enough to tell. The
  // sweep reads delta blobs and index files again: a read failing there is
  // a problem like any other.
  if (report.problems.empty()) {
    storage::PruneOptions dry;
    dry.grace_seconds = 0;
    dry.dry_run = true;
    auto plan = repo_->Prune(checker.reachable(), dry);
    if (!plan.ok())
      checker.Problem("cannot tell which packs are unused: " + plan.status().message());
    if (plan.ok() && (plan->unused.packs + plan->unindexed.packs) > 0) {
      const uint64_t packs = plan->unused.packs + plan->unindexed.packs;
      checker.Note(std::to_string(packs) + (packs == 1 ? " pack" : " packs") + " (" +
                   HumanBytes(plan->unused.bytes + plan->unindexed.bytes) +
                   ") that no snapshot uses: `gptvault prune` reclaims them");
    }
  }
  return report;
}

}  // namespace gptvault::vault
