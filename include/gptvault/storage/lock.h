// The vault's writer lock. A writer (add, repair, and key add, key remove
// and passwd) holds it for the whole of its work, so two writers never
// interleave and each builds on what the other wrote. It is one file, sealed with the vault key so
// the host learns only that someone writes, and since when (the file's own time):
//
//   locks/<hex(16 random bytes)>
//   lock_file := "GVLOCK01" SealFile(seal key, "gptvault/lock",
//                  {"host", "pid", "boot", "taken", "refreshed"} as JSON)
//
// Protocol, with nothing but put-if-absent, list and delete: write our file,
// then list locks/. If another live lock is there, delete ours, wait a
// moment and try again until `wait` runs out. Two writers starting together
// may both back off, but never both go ahead: each lists only once its own
// file is durable, so the later of the two sees the earlier.
//
// A lock is stale, and the next writer deletes it, when it was taken on
// this machine by a process that is no longer running (or before the
// machine's last boot), or when it has not been refreshed for `stale_after`
// (the holder refreshes it every `refresh_every` from a background thread).
// So a writer killed with kill -9 never blocks the next one on the same
// machine, and blocks other machines for at most `stale_after`.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "gptvault/crypto/secret.h"
#include "gptvault/storage/backend.h"
#include "gptvault/util/status.h"

namespace gptvault::storage {

struct LockOptions {
  std::chrono::milliseconds wait{std::chrono::seconds(60)};  // for another writer to finish
  std::chrono::seconds stale_after{std::chrono::minutes(30)};
  std::chrono::seconds refresh_every{std::chrono::minutes(5)};
  // Told once, when another writer holds the lock and the wait begins:
  // "waiting up to 60 s for the writer started <UTC> by process N on host H".
  std::function<void(const std::string& message)> on_wait;
};

// What a lock file says.
struct LockInfo {
  std::string name;  // locks/<hex>
  std::string host;
  int64_t pid = 0;
  std::string boot;       // the machine's boot id, so a reboot frees its locks
  int64_t taken = 0;      // unix seconds
  int64_t refreshed = 0;  // unix seconds
};

class VaultLock {
 public:
  // Stops refreshing and deletes the lock file (best effort: a lock that
  // cannot be deleted goes stale).
  ~VaultLock();
  VaultLock(const VaultLock&) = delete;
  VaultLock& operator=(const VaultLock&) = delete;

  // The lock file currently held (it changes at each refresh).
  std::string name() const;

  // Takes the lock on `backend`, which must tolerate calls from two threads
  // (checked_backend.h). Fails with one line naming when the other writer's
  // lock was taken if `wait` runs out. Repository::AcquireLock is the usual
  // way in.
  static Result<std::unique_ptr<VaultLock>> Acquire(Backend& backend,
                                                    const crypto::SecretBytes& seal_key,
                                                    const LockOptions& options);
  // The same for a command that holds only the master key: key add, key
  // remove and passwd, so two of them (or one and a writer) never decide on
  // the same set of key files at once.
  static Result<std::unique_ptr<VaultLock>> AcquireWithMasterKey(Backend& backend,
                                                                 const crypto::SecretBytes& master,
                                                                 const LockOptions& options);

  // Every readable lock file of the vault, for `check`.
  static Result<std::vector<LockInfo>> ListLocks(Backend& backend,
                                                 const crypto::SecretBytes& seal_key);
  // Whether `lock` is stale as seen from this process now.
  static bool IsStale(const LockInfo& lock, const LockOptions& options);

 private:
  VaultLock(Backend& backend, crypto::SecretBytes seal_key, LockInfo self, LockOptions options);
  void RefreshLoop();

  Backend& backend_;
  const crypto::SecretBytes seal_key_;
  const LockOptions options_;
  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  LockInfo self_;  // guarded by mu_
  std::thread refresher_;
};

}  // namespace gptvault::storage
