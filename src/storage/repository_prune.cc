// The sweep of `prune`: given every object a snapshot still needs, deletes
// packs that hold none of them, rewrites packs that are mostly unused, and
// replaces the index files with one that names what is left.
//
// Order, so that the vault is sound at every instant and a killed prune is
// finished by the next one: new packs, then the new index file, then the old
// index files, then the old packs. Until the new index is durable nothing is
// deleted; afterwards what is deleted is named by no index file a reader
// would use. Packs and index files younger than the grace period are never
// deleted or rewritten (prune.h), nor is any pack a kept index file names,
// so no index entry is ever left pointing at a deleted pack.
#include <algorithm>
#include <ctime>
#include <deque>
#include <map>
#include <set>
#include <tuple>

#include "gptvault/storage/file_names.h"
#include "gptvault/storage/prune.h"
#include "gptvault/storage/repository.h"

namespace gptvault::storage {

namespace {

struct PackState {
  uint64_t size = 0;
  int64_t mtime = 0;
  bool listed = false;             // a file in data/
  bool protected_ = false;         // young, or named by a young index file
  std::vector<PackEntry> entries;  // from the old index files
};

bool IsYoung(int64_t mtime, int64_t now, int64_t grace) {
  if (grace <= 0) return false;
  return mtime == 0 || now - mtime < grace;  // a storage that gives no time: young
}

}  // namespace

Result<std::vector<ObjectId>> Repository::DeltaBasesOf(ObjectType type, const ObjectId& id) {
  const Location* loc = index_.Find(id);
  if (loc == nullptr) return Status::NotFound("object " + ToHex(id).substr(0, 12) + " is missing");
  const std::string name = PackFileName(index_.pack(loc->pack));
  GV_ASSIGN_OR_RETURN(Bytes sealed, backend().GetRange(name, loc->offset, loc->length));
  auto bases = DeltaBaseIds(seal_key_, type, id, sealed);
  if (!bases.ok()) return bases.status().WithContext("pack " + name);
  return bases;
}

Result<PruneReport> Repository::Prune(const Reachable& reachable, const PruneOptions& options) {
  if (!damaged_index_.empty()) {
    return Status::Corruption(damaged_index_[0].name + " is damaged (" + damaged_index_[0].reason +
                              "): run `gptvault repair` first; prune deletes nothing while the "
                              "vault is not sound");
  }
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  PruneReport report;

  std::map<std::string, PackState> packs;
  GV_ASSIGN_OR_RETURN(auto pack_files, backend().List("data/"));
  for (const FileInfo& f : pack_files) {
    std::string id = PackIdFromName(f.name);
    if (id.empty()) continue;  // not a pack name: never ours to delete
    PackState& p = packs[id];
    p.size = f.size;
    p.mtime = f.mtime;
    p.listed = true;
    p.protected_ = IsYoung(f.mtime, now, options.grace_seconds);
    report.total.Add(f.size);
  }

  // The index files read when the vault was opened (or the lock taken),
  // again, for every entry of every pack: the loaded index keeps only one
  // location per object. A file that appeared since is not ours to replace.
  std::vector<std::string> old_index_files;
  GV_ASSIGN_OR_RETURN(auto index_files, backend().List("index/"));
  for (const FileInfo& f : index_files) {
    if (!IsHashName("index", f.name) || loaded_index_.count(f.name) == 0) continue;
    GV_ASSIGN_OR_RETURN(Bytes bytes, backend().Get(f.name));
    if (HashFileName("index", bytes) != f.name) {
      return Status::Corruption(f.name + " no longer matches its name: run `gptvault check`");
    }
    GV_ASSIGN_OR_RETURN(std::vector<IndexedPack> listed, DecodeIndexFile(seal_key_, bytes));
    const bool young = IsYoung(f.mtime, now, options.grace_seconds);
    for (IndexedPack& ip : listed) {
      PackState& p = packs[ip.pack_id];
      if (young) p.protected_ = true;
      p.entries.insert(p.entries.end(), ip.entries.begin(), ip.entries.end());
    }
    if (!young) old_index_files.push_back(f.name);
  }
  // A pack named by two index files (a repair's, a killed prune's) once.
  for (auto& [id, p] : packs) {
    auto key = [](const PackEntry& e) { return std::tie(e.offset, e.id); };
    std::sort(p.entries.begin(), p.entries.end(),
              [&](const PackEntry& a, const PackEntry& b) { return key(a) < key(b); });
    p.entries.erase(
        std::unique(p.entries.begin(), p.entries.end(),
                    [&](const PackEntry& a, const PackEntry& b) { return key(a) == key(b); }),
        p.entries.end());
  }

  // A copy of an object in a pack prune may not touch can be what a reader
  // finds, so such an object stays exactly as it is stored.
  ObjectSet untouchable;
  for (const auto& [id, p] : packs) {
    if (!p.protected_) continue;
    for (const PackEntry& e : p.entries) untouchable.insert(e.id);
  }

  // The blobs that are deltas, and of what: each read once, however often
  // the plan below is revised.
  std::unordered_map<ObjectId, std::vector<ObjectId>, ObjectIdHash> bases_of;
  {
    std::deque<ObjectId> queue(reachable.maybe_deltas.begin(), reachable.maybe_deltas.end());
    while (!queue.empty()) {
      const ObjectId id = queue.front();
      queue.pop_front();
      if (bases_of.count(id)) continue;
      auto bases = DeltaBasesOf(ObjectType::kData, id);
      if (!bases.ok() && bases.status().IsNotFound()) continue;  // missing: refused below
      if (!bases.ok()) {
        return bases.status().WithContext(
            "prune cannot tell what a stored version needs, so deletes nothing");
      }
      for (const ObjectId& b : *bases) queue.push_back(b);
      bases_of.emplace(id, std::move(bases).value());
    }
  }

  // The plan: a kept delta keeps its bases unless no snapshot needs them
  // otherwise; then it is stored whole and they can go (bases kept are
  // followed in turn). Storing it whole frees space only if a base's pack
  // goes, so where every base stays in a pack kept as it is, the delta stays
  // a delta and the plan is made again, until nothing changes.
  const PruneReport start = report;
  ObjectSet needed, whole, keep_delta;
  std::map<std::string, std::vector<PackEntry>> kept_entries;  // needed objects, by pack
  std::vector<std::string> to_delete, to_repack;
  for (;;) {
    report = start;
    needed = reachable.objects;
    whole.clear();
    kept_entries.clear();
    to_delete.clear();
    to_repack.clear();
    std::deque<ObjectId> queue(reachable.maybe_deltas.begin(), reachable.maybe_deltas.end());
    ObjectSet seen;
    while (!queue.empty()) {
      const ObjectId id = queue.front();
      queue.pop_front();
      if (!seen.insert(id).second) continue;
      auto it = bases_of.find(id);
      if (it == bases_of.end() || it->second.empty()) continue;
      const std::vector<ObjectId>& bases = it->second;
      const bool all_needed = std::all_of(bases.begin(), bases.end(),
                                          [&](const ObjectId& b) { return needed.count(b) != 0; });
      if (!all_needed && untouchable.count(id) == 0 && keep_delta.count(id) == 0) {
        whole.insert(id);
        continue;
      }
      for (const ObjectId& b : bases) {
        needed.insert(b);
        queue.push_back(b);
      }
    }
    report.objects_needed = needed.size();
    report.objects_rewritten_whole = whole.size();

    // Each needed object lives where the index finds it; every other copy
    // is unused (an object stored whole anew lives in a new pack). Prune
    // refuses to delete anything while one is missing.
    uint64_t missing = 0;
    std::string example;
    std::map<std::string, uint64_t> used;
    for (const ObjectId& id : needed) {
      const Location* loc = index_.Find(id);
      auto it = loc ? packs.find(index_.pack(loc->pack)) : packs.end();
      if (it == packs.end() || !it->second.listed) {
        if (missing++ == 0) {
          example = loc ? "pack " + PackFileName(index_.pack(loc->pack)) + " is missing"
                        : "object " + ToHex(id).substr(0, 12) + " is in no index file";
        }
        continue;
      }
      if (whole.count(id)) continue;
      used[it->first] += loc->length;
      kept_entries[it->first].push_back({loc->type, id, loc->offset, loc->length});
    }
    if (missing > 0) {
      return Status::Corruption(std::to_string(missing) +
                                " objects that snapshots need are not in the vault (" + example +
                                "): run `gptvault check`; prune deletes nothing while the vault "
                                "is not sound");
    }

    for (auto& [id, p] : packs) {
      if (!p.listed) continue;  // named by an index file, gone already
      const bool indexed = !p.entries.empty();
      if (!kept_entries.count(id)) {
        if (p.protected_) {
          report.young.Add(p.size);
        } else {
          (indexed ? report.unused : report.unindexed).Add(p.size);
          to_delete.push_back(id);
        }
        continue;
      }
      if (p.protected_) continue;
      // The pack's own framing is not unused space. Its header lists every
      // blob in the pack; a blob whose entry a prune dropped from the index
      // counts as unused with its header entry.
      const uint64_t framing = PackFramingSize(p.entries.size());
      const uint64_t in_use = used[id] + framing;
      const uint64_t unused = p.size > in_use ? p.size - in_use : 0;
      if (static_cast<double>(unused) > options.max_unused * p.size) {
        report.repacked.Add(p.size);
        to_repack.push_back(id);
      } else {
        report.unused_bytes_kept += unused;
      }
    }

    std::set<std::string> going(to_delete.begin(), to_delete.end());
    going.insert(to_repack.begin(), to_repack.end());
    bool revised = false;
    for (const ObjectId& id : whole) {
      const std::vector<ObjectId>& bases = bases_of[id];
      const bool bases_stay = std::all_of(bases.begin(), bases.end(), [&](const ObjectId& b) {
        const Location* loc = index_.Find(b);
        return loc != nullptr && packs.count(index_.pack(loc->pack)) &&
               packs[index_.pack(loc->pack)].listed && !going.count(index_.pack(loc->pack));
      });
      if (bases_stay) revised |= keep_delta.insert(id).second;
    }
    if (!revised) break;
  }
  if (options.dry_run || report.nothing_to_do()) return report;

  // 1. The deltas to be stored whole, read while their bases are there; and
  //    the needed objects of mostly unused packs, copied as they are sealed
  //    (a blob's seal binds its type and id, not its pack) into new packs.
  std::vector<IndexedPack> written;
  PackBuilder builder(kPackTargetSize + (1 << 20));
  auto flush = [&]() -> Status {
    if (builder.empty()) return Status::Ok();
    std::vector<PackEntry> entries;
    Bytes bytes = builder.Finish(seal_key_, &entries);
    const std::string name = PackName(bytes);
    GV_RETURN_IF_ERROR(PutImmutable(backend(), name, bytes));
    stats_.bytes_written += bytes.size();
    report.written.Add(bytes.size());
    written.push_back({PackIdFromName(name), std::move(entries)});
    return Status::Ok();
  };
  for (const ObjectId& id : whole) {
    GV_ASSIGN_OR_RETURN(Bytes plain, GetAt(ObjectType::kData, id, 0));
    builder.Add(ObjectType::kData, id, EncodeObject(seal_key_, ObjectType::kData, id, plain));
    if (builder.size() >= kPackTargetSize) GV_RETURN_IF_ERROR(flush());
  }
  for (const std::string& id : to_repack) {
    GV_ASSIGN_OR_RETURN(Bytes bytes, backend().Get(PackFileName(id)));
    for (const PackEntry& e : kept_entries[id]) {
      if (e.offset > bytes.size() || e.length > bytes.size() - e.offset) {
        return Status::Corruption("pack " + PackFileName(id) + " is shorter than its index says");
      }
      ByteView blob = ByteView(bytes).subspan(e.offset, e.length);
      if (!IsAuthenticObject(seal_key_, e.type, e.id, blob)) {
        return Status::Corruption("object " + ToHex(e.id).substr(0, 12) + " in pack " +
                                  PackFileName(id) + " is damaged: run `gptvault check`");
      }
      builder.Add(e.type, e.id, Bytes(blob.begin(), blob.end()));
      if (builder.size() >= kPackTargetSize) GV_RETURN_IF_ERROR(flush());
    }
  }
  GV_RETURN_IF_ERROR(flush());

  // 2. One index file for the new packs and every pack that stays: of a pack
  //    inside the grace period every entry the old files gave it, of any
  //    other the needed objects that live there (an unused blob left in a
  //    pack is no longer found: it may be a delta whose base is going).
  std::set<std::string> going(to_delete.begin(), to_delete.end());
  going.insert(to_repack.begin(), to_repack.end());
  std::vector<IndexedPack> index = written;
  for (auto& [id, p] : packs) {
    if (!p.listed || p.entries.empty() || going.count(id)) continue;
    if (p.protected_) {
      index.push_back({id, p.entries});
    } else if (auto kept = kept_entries.find(id); kept != kept_entries.end()) {
      index.push_back({id, kept->second});
    }
  }
  if (!index.empty()) {
    Bytes file = EncodeIndexFile(seal_key_, index);
    report.index_written = HashFileName("index", file);
    GV_RETURN_IF_ERROR(PutImmutable(backend(), report.index_written, file));
    stats_.bytes_written += file.size();
  }

  // 3. The old index files, 4. the old packs.
  for (const std::string& name : old_index_files) {
    if (name == report.index_written) continue;
    GV_RETURN_IF_ERROR(backend().Delete(name));
    ++report.index_files_deleted;
  }
  for (const std::string& id : going) GV_RETURN_IF_ERROR(backend().Delete(PackFileName(id)));
  GV_RETURN_IF_ERROR(ReloadIndex());
  return report;
}

}  // namespace gptvault::storage
