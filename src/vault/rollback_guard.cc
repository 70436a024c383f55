#include "rollback_guard.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "gptvault/util/file.h"

namespace gptvault::vault {

namespace {

using nlohmann::json;

constexpr size_t kMaxRecord = 64 * 1024;

// mkdir -p, new folders 0700 (the record says which vaults this user has).
Status MakeDirs(const std::string& dir) {
  if (dir.empty()) return Status::Ok();
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) return Status::Ok();
  size_t slash = dir.find_last_of('/');
  if (slash != std::string::npos && slash > 0) GV_RETURN_IF_ERROR(MakeDirs(dir.substr(0, slash)));
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::IOError("cannot create " + dir + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

std::string Suffix() {
  return " (the storage may have been rolled back; run with --accept-rollback to continue)";
}

}  // namespace

RollbackGuard::RollbackGuard(std::string state_dir, const std::array<uint8_t, 16>& vault_id)
    : state_dir_(std::move(state_dir)), vault_id_(ToHex(vault_id)) {}

std::string RollbackGuard::Path() const { return state_dir_ + "/" + vault_id_ + ".json"; }

std::optional<RollbackGuard::Seen> RollbackGuard::Load() const {
  auto bytes = ReadFile(Path(), kMaxRecord);
  if (!bytes.ok()) return std::nullopt;
  try {
    json j = json::parse(AsChars(*bytes));
    Seen seen;
    seen.seq = j.at("seq").get<uint64_t>();
    seen.name = j.at("snapshot").get<std::string>();
    return seen;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

Status RollbackGuard::Store(const Seen& seen) const {
  GV_RETURN_IF_ERROR(MakeDirs(state_dir_));
  std::string text = json{{"format", "gptvault-seen"},
                          {"version", 1},
                          {"vault_id", vault_id_},
                          {"seq", seen.seq},
                          {"snapshot", seen.name}}
                         .dump() +
                     "\n";
  Status s = WriteFileAtomically(Path(), AsBytes(text), 0600);
  return s.ok() ? s : s.WithContext("cannot remember the vault's newest snapshot");
}

Status RollbackGuard::Remember(const Snapshot& snapshot) {
  if (state_dir_.empty()) return Status::Ok();
  // Re-read: another gptvault on this machine may have seen a newer one.
  auto seen = Load();
  // A forget rewrites snapshots under their own seq: the file that
  // supersedes the one seen is its successor.
  const bool rewrite = seen && std::find(snapshot.supersedes.begin(), snapshot.supersedes.end(),
                                         seen->name) != snapshot.supersedes.end();
  if (seen && seen->seq >= snapshot.seq && !rewrite) return Status::Ok();
  return Store({snapshot.seq, snapshot.name});
}

Status RollbackGuard::Verify(const SnapshotScan& scan, bool accept) {
  if (state_dir_.empty()) return Status::Ok();
  const Snapshot* newest = scan.snapshots.empty() ? nullptr : &scan.snapshots.back();
  auto seen = Load();
  if (accept) return Store(newest ? Seen{newest->seq, newest->name} : Seen{});
  if (!seen || seen->seq == 0) return newest ? Remember(*newest) : Status::Ok();

  std::unordered_map<std::string, const Snapshot*> by_name;
  for (const Snapshot& s : scan.snapshots) by_name[s.name] = &s;
  bool seen_present = by_name.count(seen->name) != 0;
  for (const storage::DamagedFile& d : scan.damaged) seen_present |= d.name == seen->name;
  // Still there (if damaged, `check` says so): the history is the one seen.
  if (seen_present) return newest ? Remember(*newest) : Status::Ok();

  const uint64_t have = newest ? newest->seq : 0;
  if (have < seen->seq) {
    return Status::Corruption(
        "the vault has gone back in time: it holds " +
        (have == 0 ? std::string("no snapshots") : "snapshot " + std::to_string(have)) +
        " but this machine has seen snapshot " + std::to_string(seen->seq) + Suffix());
  }
  // Newer snapshots, but is the one seen among their ancestors, or among
  // the files a forget rewrote into them (sealed, so only a key holder can
  // have written that)?
  for (const Snapshot* s = newest; s != nullptr && s->seq >= seen->seq;) {
    if (s->parent == seen->name ||
        std::find(s->supersedes.begin(), s->supersedes.end(), seen->name) != s->supersedes.end()) {
      return Remember(*newest);
    }
    auto parent = by_name.find(s->parent);
    s = parent == by_name.end() ? nullptr : parent->second;
  }
  return Status::Corruption("the vault has gone back in time: snapshot " +
                            std::to_string(seen->seq) +
                            " that this machine has seen is gone, and the vault holds another " +
                            "history in its place" + Suffix());
}

}  // namespace gptvault::vault
