// `check`: every snapshot readable, every object it references present in
// the index and in a pack that exists; with read_data, every such object is
// also fetched, authenticated and hashed.
#include <unordered_set>

#include "chunk_stream.h"
#include "gptvault/vault/vault.h"

namespace gptvault::vault {

namespace {

using storage::ObjectId;
using storage::ObjectIdHash;
using storage::ObjectType;

class Checker {
 public:
  Checker(storage::Repository& repo, bool read_data, CheckReport& report)
      : repo_(repo), read_data_(read_data), report_(report) {}

  Status LoadPackList() {
    GV_ASSIGN_OR_RETURN(auto files, repo_.backend().List("data/"));
    for (const storage::FileInfo& f : files) {
      std::string id = storage::PackIdFromName(f.name);
      if (!id.empty()) packs_.insert(id);
    }
    report_.packs = packs_.size();
    for (const std::string& p : repo_.index().packs()) {
      if (!packs_.count(p)) Problem("pack data/" + p.substr(0, 2) + "/" + p + " is missing");
    }
    return Status::Ok();
  }

  // Checks every chunk of `list`; returns false when any is unusable.
  bool CheckList(ObjectType type, const ChunkList& list, const std::string& what) {
    bool ok = true;
    for (const ObjectId& id : list.chunks) {
      if (!CheckObject(type, id, what)) ok = false;
    }
    return ok;
  }

  void Problem(std::string line) { report_.problems.push_back(std::move(line)); }

 private:
  bool CheckObject(ObjectType type, const ObjectId& id, const std::string& what) {
    if (auto it = verdicts_.find(id); it != verdicts_.end()) return it->second;
    bool ok = true;
    const storage::Location* loc = repo_.index().Find(id);
    if (loc == nullptr) {
      Problem(what + ": object " + ToHex(id).substr(0, 12) + " is not in the index");
      ok = false;
    } else if (!packs_.count(repo_.index().pack(loc->pack))) {
      Problem(what + ": object " + ToHex(id).substr(0, 12) + " is in a missing pack");
      ok = false;
    } else if (read_data_) {
      auto data = repo_.Get(type, id);
      if (!data.ok()) {
        Problem(what + ": " + data.status().message());
        ok = false;
      }
    }
    ++report_.objects_checked;
    verdicts_.emplace(id, ok);
    return ok;
  }

  storage::Repository& repo_;
  bool read_data_;
  CheckReport& report_;
  std::unordered_set<std::string> packs_;
  std::unordered_map<ObjectId, bool, ObjectIdHash> verdicts_;
};

}  // namespace

Result<CheckReport> Vault::Check(bool read_data) {
  CheckReport report;
  Checker checker(*repo_, read_data, report);
  GV_RETURN_IF_ERROR(checker.LoadPackList());

  GV_ASSIGN_OR_RETURN(auto files, repo_->backend().List("snapshots/"));
  std::vector<Snapshot> snapshots;
  for (const storage::FileInfo& f : files) {
    auto plain = repo_->ReadMetaFile(f.name);
    if (!plain.ok()) {
      checker.Problem(plain.status().message());
      continue;
    }
    auto snap = DecodeSnapshot(AsChars(*plain));
    if (!snap.ok()) {
      checker.Problem(f.name + ": " + snap.status().message());
      continue;
    }
    snap->name = f.name;
    snapshots.push_back(std::move(snap).value());
  }
  report.snapshots = snapshots.size();

  for (const Snapshot& s : snapshots) {
    std::string label = "snapshot " + std::to_string(s.seq) + " (" + s.source + ")";
    // Metadata chunks are always read: they say what else to check.
    if (!checker.CheckList(ObjectType::kTree, s.catalog, label + " catalog") ||
        !checker.CheckList(ObjectType::kTree, s.manifest, label + " manifest")) {
      continue;
    }
    auto catalog_json = LoadChunked(*repo_, ObjectType::kTree, s.catalog);
    auto manifest_json = LoadChunked(*repo_, ObjectType::kTree, s.manifest);
    if (!catalog_json.ok() || !manifest_json.ok()) {
      checker.Problem(label + ": metadata unreadable: " +
                      (catalog_json.ok() ? manifest_json.status() : catalog_json.status())
                          .message());
      continue;
    }
    auto catalog = DecodeCatalog(AsChars(*catalog_json));
    auto manifest = DecodeManifest(AsChars(*manifest_json));
    if (!catalog.ok() || !manifest.ok()) {
      checker.Problem(label + ": " +
                      (catalog.ok() ? manifest.status() : catalog.status()).message());
      continue;
    }
    for (const auto& [id, rec] : catalog->conversations) {
      for (const ConversationVersion& v : rec.versions) {
        checker.CheckList(ObjectType::kData, v.content, label + ": conversation " + id);
      }
    }
    for (const ManifestMember& m : manifest->members) {
      if (!m.directory && !m.conversations) {
        checker.CheckList(ObjectType::kData, m.content, label + ": member " + m.name);
      }
    }
  }
  return report;
}

}  // namespace gptvault::vault
