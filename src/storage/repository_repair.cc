// Repair, and the whole-pack reads that check and repair share.
//
// Every pack ends with a sealed header listing its blobs (pack.h), so the
// index is a cache that can always be rebuilt from the packs. Files are
// named after the hash of their bytes, so a pack or snapshot file found under
// another name (swapped or renamed by the host) is moved back to its own
// name, provided its content authenticates whole. A move goes through a
// stage file, "<right name>.moved" (not a vault file name, so readers ignore
// it): stage, delete the wrong name, put the right name, delete the stage.
// A crash at any step leaves the bytes in at least one place, and the next
// repair finishes the move.
#include <algorithm>
#include <cstring>
#include <map>
#include <unordered_set>

#include "gptvault/storage/file_names.h"
#include "gptvault/storage/repository.h"

namespace gptvault::storage {

namespace {

constexpr char kStageSuffix[] = ".moved";
constexpr size_t kStageSuffixSize = sizeof kStageSuffix - 1;

// The file name `bytes` belong under, in the folder of `name`.
std::string RightName(const std::string& name, ByteView bytes) {
  if (name.rfind("data/", 0) == 0) return PackName(bytes);
  return HashFileName(name.substr(0, name.find('/')), bytes);
}

bool IsRightlyNamed(const std::string& name, ByteView bytes) {
  return RightName(name, bytes) == name;
}

// Puts the staged bytes under their right name (unless a good copy is there
// already) and deletes the stage. A right name held by other bytes (the
// other half of a swap, not moved yet) leaves the stage for a later pass.
Status FinishMove(Backend& backend, const std::string& stage, RepairReport& report) {
  const std::string right = stage.substr(0, stage.size() - kStageSuffixSize);
  GV_ASSIGN_OR_RETURN(Bytes bytes, backend.Get(stage));
  if (!IsRightlyNamed(right, bytes)) {
    report.packs_skipped.push_back({stage, "a staged move whose bytes do not match its name"});
    return Status::Ok();
  }
  auto existing = backend.Get(right);
  if (existing.ok() && !IsRightlyNamed(right, *existing)) return Status::Ok();
  if (!existing.ok()) {
    if (!existing.status().IsNotFound()) return existing.status();
    GV_RETURN_IF_ERROR(PutImmutable(backend, right, bytes));
  }
  return backend.Delete(stage);
}

// Moves `bytes`, found under `name`, to their right name.
Status MoveToRightName(Backend& backend, const std::string& name, ByteView bytes,
                       RepairReport& report) {
  const std::string right = RightName(name, bytes);
  GV_RETURN_IF_ERROR(PutImmutable(backend, right + kStageSuffix, bytes));
  GV_RETURN_IF_ERROR(backend.Delete(name));
  report.moved.push_back({name, right});
  return FinishMove(backend, right + kStageSuffix, report);
}

Status FinishStagedMoves(Backend& backend, RepairReport& report) {
  for (const char* folder : {"data/", "snapshots/"}) {
    GV_ASSIGN_OR_RETURN(auto files, backend.List(folder));
    for (const FileInfo& f : files) {
      const std::string& n = f.name;
      if (n.size() > kStageSuffixSize &&
          n.compare(n.size() - kStageSuffixSize, kStageSuffixSize, kStageSuffix) == 0) {
        GV_RETURN_IF_ERROR(FinishMove(backend, n, report));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<PackContents> Repository::ReadPack(const std::string& pack_id) {
  const std::string name = PackFileName(pack_id);
  auto bytes = backend().Get(name);
  if (!bytes.ok()) {
    if (bytes.status().IsNotFound()) {
      return Status::NotFound("pack " + name + " is missing (still syncing?)");
    }
    return bytes.status();
  }
  PackContents out;
  out.bytes = std::move(bytes).value();
  out.name_matches = PackName(out.bytes) == name;
  auto entries = ReadPackHeader(seal_key_, out.bytes);
  if (entries.ok()) {
    out.entries = std::move(entries).value();
  } else {
    out.header = entries.status();
  }
  return out;
}

Result<Bytes> Repository::DecodeBlob(ObjectType type, const ObjectId& id, ByteView sealed) {
  return DecodeObject(seal_key_, id_key_, type, id, sealed, BaseReader(0));
}

Result<RepairReport> Repository::Repair() {
  RepairReport report;
  GV_RETURN_IF_ERROR(FinishStagedMoves(backend(), report));

  // Snapshot files under another snapshot's name go back to their own.
  GV_ASSIGN_OR_RETURN(auto snapshot_files, backend().List("snapshots/"));
  for (const FileInfo& f : snapshot_files) {
    if (!IsHashName("snapshots", f.name)) continue;
    auto bytes = backend().Get(f.name);
    if (!bytes.ok() || IsRightlyNamed(f.name, *bytes)) continue;
    bool authentic =
        bytes->size() > kMetaFileMagic.size() && StartsWithMetaMagic(*bytes) &&
        OpenFile(seal_key_, "gptvault/snapshots", ByteView(*bytes).subspan(kMetaFileMagic.size()))
            .ok();
    if (authentic) GV_RETURN_IF_ERROR(MoveToRightName(backend(), f.name, *bytes, report));
  }

  // Every pack's header, by the name the pack ends up under.
  GV_ASSIGN_OR_RETURN(auto files, backend().List("data/"));
  std::sort(files.begin(), files.end(),
            [](const FileInfo& a, const FileInfo& b) { return a.name < b.name; });
  std::map<std::string, std::vector<PackEntry>> packs;
  for (const FileInfo& f : files) {
    std::string id = PackIdFromName(f.name);
    if (id.empty()) {
      if (!f.name.ends_with(kStageSuffix)) report.ignored.push_back(f.name);
      continue;
    }
    auto pack = ReadPack(id);
    if (!pack.ok()) {
      if (pack.status().code() == Status::Code::kIOError) return pack.status();
      // Gone since the listing: moved by this very repair.
      if (!pack.status().IsNotFound())
        report.packs_skipped.push_back({f.name, pack.status().message()});
      continue;
    }
    if (!pack->header.ok()) {
      report.packs_skipped.push_back({f.name, pack->header.message()});
      continue;
    }
    if (!pack->name_matches) {
      // Only a pack whose every blob opens is moved: a damaged one stays
      // where it is, so `check` keeps naming it, and what still opens in it
      // stays reachable through the index.
      bool whole = std::all_of(pack->entries.begin(), pack->entries.end(), [&](const PackEntry& e) {
        // Authenticity is enough here, and needs no other pack: a delta's
        // base may sit in a pack not yet moved back.
        return IsAuthenticObject(seal_key_, e.type, e.id,
                                 ByteView(pack->bytes).subspan(e.offset, e.length));
      });
      if (whole) {
        GV_RETURN_IF_ERROR(MoveToRightName(backend(), f.name, pack->bytes, report));
        id = PackIdFromName(PackName(pack->bytes));
      } else {
        report.packs_misnamed.push_back(f.name);
      }
    }
    packs[id] = std::move(pack->entries);
  }
  GV_RETURN_IF_ERROR(FinishStagedMoves(backend(), report));
  report.packs_indexed = packs.size();

  // The new index file first: until it is durable, the old ones stay.
  std::vector<IndexedPack> indexed;
  for (auto& [id, entries] : packs) {
    report.objects_indexed += entries.size();
    indexed.push_back({id, std::move(entries)});
  }
  std::unordered_set<std::string> rebuilt;
  for (const IndexedPack& p : indexed) rebuilt.insert(p.pack_id);
  if (!indexed.empty()) {
    Bytes file = EncodeIndexFile(seal_key_, indexed);
    report.index_written = HashFileName("index", file);
    GV_RETURN_IF_ERROR(PutImmutable(backend(), report.index_written, file));
    stats_.bytes_written += file.size();
  }

  // Then every other index file goes if it is damaged, or if every pack it
  // names was rebuilt; one naming a pack that is missing or unreadable stays,
  // as the only record of where that pack's objects were.
  GV_ASSIGN_OR_RETURN(auto index_files, backend().List("index/"));
  std::sort(index_files.begin(), index_files.end(),
            [](const FileInfo& a, const FileInfo& b) { return a.name < b.name; });
  for (const FileInfo& f : index_files) {
    if (!IsHashName("index", f.name)) {
      report.ignored.push_back(f.name);
      continue;
    }
    if (f.name == report.index_written) continue;
    auto bytes = backend().Get(f.name);
    if (!bytes.ok() && bytes.status().code() == Status::Code::kIOError) return bytes.status();
    Status bad = bytes.status();
    std::vector<IndexedPack> listed;
    if (bytes.ok() && !IsRightlyNamed(f.name, *bytes)) {
      bad = Status::Corruption("its bytes do not match its name");
    } else if (bytes.ok()) {
      auto decoded = DecodeIndexFile(seal_key_, *bytes);
      bad = decoded.status();
      if (decoded.ok()) listed = std::move(decoded).value();
    }
    std::string reason;
    if (!bad.ok()) {
      reason = "damaged: " + bad.message();
    } else {
      size_t missing = 0;
      for (const IndexedPack& p : listed) missing += rebuilt.count(p.pack_id) == 0;
      if (missing > 0) {
        report.index_kept.push_back(
            {f.name, "it names " + std::to_string(missing) +
                         " packs that are missing or unreadable (still syncing?)"});
        continue;
      }
      reason = "superseded";
    }
    GV_RETURN_IF_ERROR(backend().Delete(f.name));
    report.index_deleted.push_back({f.name, reason});
  }

  GV_RETURN_IF_ERROR(ReloadIndex());
  return report;
}

}  // namespace gptvault::storage
