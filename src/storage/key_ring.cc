#include "gptvault/storage/key_ring.h"

#include <algorithm>
#include <ctime>
#include <functional>
#include <optional>

#include "gptvault/storage/file_names.h"

namespace gptvault::storage {

namespace {

// Key file names, sorted so every command tries them in the same order.
Result<std::vector<std::string>> KeyNames(Backend& backend) {
  GV_ASSIGN_OR_RETURN(auto files, backend.List("keys/"));
  std::vector<std::string> names;
  for (const FileInfo& f : files) {
    if (IsKeyName(f.name)) names.push_back(f.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

Result<std::vector<KeyEntry>> KeyRing::List() {
  GV_ASSIGN_OR_RETURN(auto names, KeyNames(backend_));
  std::vector<KeyEntry> out;
  for (const std::string& name : names) {
    KeyEntry e;
    e.id = RandomIdOf(name);
    auto bytes = backend_.Get(name);
    if (!bytes.ok()) {
      if (bytes.status().IsNotFound()) continue;  // removed meanwhile
      e.problem = bytes.status().message();
    } else if (auto info = ReadKeyFileInfo(*bytes); !info.ok()) {
      e.problem = info.status().message();
    } else if (bytes->size() != kKeyFileSize) {
      e.problem = "key file has the wrong size";
    } else {
      e.info = *info;
    }
    out.push_back(std::move(e));
  }
  std::stable_sort(out.begin(), out.end(), [](const KeyEntry& a, const KeyEntry& b) {
    return a.info.created < b.info.created;
  });
  return out;
}

namespace {

// What trying a passphrase on every key file found.
struct KeyWalk {
  size_t refused = 0;                // key files the passphrase does not open
  std::vector<std::string> damaged;  // "<name> (<why>)": unreadable or not a key file
};

// The one walk Unlock and Prove share: every key file but `except`, read and
// tried with `passphrase`; `opened` hears each one it opens, with its master
// key, and returns true to stop. A backend that fails stops the walk.
Result<KeyWalk> TryEach(
    Backend& backend, const crypto::SecretBytes& passphrase, const std::string& except,
    const std::function<bool(const std::string& name, crypto::SecretBytes master)>& opened) {
  GV_ASSIGN_OR_RETURN(auto names, KeyNames(backend));
  KeyWalk walk;
  for (const std::string& name : names) {
    if (!except.empty() && RandomIdOf(name) == except) continue;
    auto bytes = backend.Get(name);
    if (!bytes.ok()) {
      if (bytes.status().IsNotFound()) continue;  // removed meanwhile
      if (bytes.status().code() == Status::Code::kIOError) return bytes.status();
      walk.damaged.push_back(name + " (" + bytes.status().message() + ")");
      continue;
    }
    auto key = UnwrapMasterKey(*bytes, passphrase);
    if (key.ok()) {
      if (opened(name, std::move(key).value())) return walk;
    } else if (key.status().code() == Status::Code::kAuthFailed) {
      ++walk.refused;
    } else {
      walk.damaged.push_back(name + " (" + key.status().message() + ")");
    }
  }
  return walk;
}

}  // namespace

Result<UnlockedKey> KeyRing::Unlock(const crypto::SecretBytes& passphrase) {
  std::optional<UnlockedKey> unlocked;
  GV_ASSIGN_OR_RETURN(KeyWalk walk,
                      TryEach(backend_, passphrase, "", [&](const std::string& name, auto master) {
                        unlocked = UnlockedKey{std::move(master), RandomIdOf(name)};
                        return true;
                      }));
  if (unlocked) return std::move(*unlocked);
  if (walk.refused == 0 && walk.damaged.empty()) {
    return Status::Corruption("the vault has no key files (still syncing, or deleted?)");
  }
  if (walk.damaged.empty()) return Status::WrongPassphrase("wrong passphrase");
  std::string msg = "wrong passphrase, or its key file is damaged: " + walk.damaged[0];
  if (walk.damaged.size() > 1) {
    msg += " and " + std::to_string(walk.damaged.size() - 1) + " more";
  }
  return Status::WrongPassphrase(msg);
}

Result<std::string> KeyRing::Add(const crypto::SecretBytes& master,
                                 const crypto::SecretBytes& passphrase,
                                 const crypto::KdfParams& kdf) {
  GV_ASSIGN_OR_RETURN(Bytes file, WrapMasterKey(master, passphrase, kdf,
                                                static_cast<uint64_t>(std::time(nullptr))));
  std::string id = ToHex(crypto::RandomBytes(16));
  // Put is durable (fsync, rename, fsync of the folder) before it returns,
  // so a caller may remove an older key file right after.
  GV_RETURN_IF_ERROR(backend_.Put("keys/" + id, file));
  return id;
}

Result<std::string> KeyRing::Prove(const crypto::SecretBytes& passphrase,
                                   const crypto::SecretBytes& master, const std::string& except) {
  std::string proven, foreign;
  // Unreadable or damaged files prove nothing, so the walk's list is unused.
  GV_ASSIGN_OR_RETURN(KeyWalk walk, TryEach(backend_, passphrase, except,
                                            [&](const std::string& name, const auto& opened) {
                                              if (!opened.Equals(master)) {
                                                foreign = name;
                                                return false;
                                              }
                                              proven = RandomIdOf(name);
                                              return true;
                                            }));
  (void)walk;
  if (!proven.empty()) return proven;
  if (!foreign.empty()) {
    return Status::InvalidArgument("the other passphrase opens " + foreign +
                                   ", which holds a different master key: it is not a key of "
                                   "this vault (planted, or copied from another vault?)");
  }
  return Status::WrongPassphrase("the other passphrase opens none of the vault's other key files");
}

Result<std::string> KeyRing::Resolve(const std::string& prefix) {
  if (prefix.empty()) return Status::InvalidArgument("no key id given");
  if (prefix.size() < kMinKeyPrefix) {
    return Status::InvalidArgument("key id prefix " + prefix + " is too short: give at least " +
                                   std::to_string(kMinKeyPrefix) +
                                   " characters (see gptvault key list)");
  }
  GV_ASSIGN_OR_RETURN(auto names, KeyNames(backend_));
  std::vector<std::string> hits;
  for (const std::string& name : names) {
    std::string id = RandomIdOf(name);
    if (id == prefix) return id;
    if (id.compare(0, prefix.size(), prefix) == 0) hits.push_back(id);
  }
  if (hits.empty())
    return Status::NotFound("no key file with id " + prefix + " (see gptvault key list)");
  if (hits.size() > 1) {
    return Status::InvalidArgument("key id prefix " + prefix + " is ambiguous: it matches " +
                                   std::to_string(hits.size()) + " key files");
  }
  return hits[0];
}

Status KeyRing::Remove(const std::string& id, const std::vector<std::string>& proven) {
  // Listed again here, under the caller's lock: a proven key file removed
  // since it was proven no longer counts.
  GV_ASSIGN_OR_RETURN(auto keys, List());
  bool found = false;
  size_t other_well_formed = 0, other_proven = 0;
  for (const KeyEntry& k : keys) {
    if (k.id == id) {
      found = true;
    } else if (k.problem.empty()) {
      ++other_well_formed;
      other_proven += std::find(proven.begin(), proven.end(), k.id) != proven.end();
    }
  }
  if (!found) return Status::NotFound("no key file with id " + id);
  if (other_well_formed == 0) {
    return Status::InvalidArgument("keys/" + id +
                                   " is the vault's last usable key: removing it would lock "
                                   "everyone out (add another passphrase first: gptvault key add)");
  }
  if (other_proven == 0) {
    return Status::InvalidArgument(
        "keys/" + id +
        " is the key this command was opened with, and no other key is proven to open the "
        "vault: give the passphrase of one that stays (GPTVAULT_OTHER_PASSPHRASE, "
        "--other-passphrase-file, or on a terminal)");
  }
  return backend_.Delete("keys/" + id);
}

}  // namespace gptvault::storage
