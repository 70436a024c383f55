// Repository: the encrypted, content-addressed object store of one vault, on
// top of a Backend. It owns the keys, the index and the pack being filled.
//
// Write protocol (so that a crash at any point leaves a vault `check`
// accepts): objects go into packs; Commit() writes the packs, then one index
// file naming them; the caller writes the snapshot that references the
// objects only after Commit() returned OK. Files are named after the hash of
// their bytes and never rewritten.
//
// Not thread-safe: one thread uses a Repository at a time.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "gptvault/crypto/crypto.h"
#include "gptvault/storage/backend.h"
#include "gptvault/storage/chunker.h"
#include "gptvault/storage/config_file.h"
#include "gptvault/storage/index.h"
#include "gptvault/storage/integrity.h"
#include "gptvault/storage/key_ring.h"
#include "gptvault/storage/lock.h"
#include "gptvault/storage/object_codec.h"
#include "gptvault/storage/pack.h"
#include "gptvault/storage/prune.h"
#include "gptvault/storage/seal_pool.h"

namespace gptvault::storage {

struct RepositoryStats {
  uint64_t objects_added = 0;   // new objects sealed into packs
  uint64_t objects_reused = 0;  // puts satisfied by an object already stored
  uint64_t bytes_written = 0;   // bytes of files written to the backend
  uint64_t bytes_sealed = 0;    // sealed bytes of the new objects (what they add to packs)
};

// Target size of a pack before it is written.
constexpr size_t kPackTargetSize = 16 << 20;

class Repository {
 public:
  // Creates a vault in `backend`: a random master key, one key file for
  // `passphrase`, the config. Refuses (kAlreadyExists) when the backend
  // already holds a vault.
  static Status Init(Backend& backend, const crypto::SecretBytes& passphrase,
                     const crypto::KdfParams& kdf);

  // The one unlock routine, for Open and for `gptvault unlock`: refuses a
  // config of a newer format before the slow key derivation, unwraps the
  // master key with `passphrase` (kWrongPassphrase when no key file takes
  // it) and verifies the config's MAC with it.
  static Result<UnlockedKey> Unlock(Backend& backend, ByteView config_bytes,
                                    const crypto::SecretBytes& passphrase);
  // Unlocks the vault with `passphrase` (kWrongPassphrase when no key file takes
  // it; kNoVault when there is no vault) and loads the index.
  static Result<std::unique_ptr<Repository>> Open(std::unique_ptr<Backend> backend,
                                                  const crypto::SecretBytes& passphrase);
  // Opens the vault with its master key, as an unlocked session holds it
  // (no Argon2id). Fails like Open when the config's MAC does not verify
  // under `master`.
  static Result<std::unique_ptr<Repository>> OpenWithMasterKey(std::unique_ptr<Backend> backend,
                                                               const crypto::SecretBytes& master);

  ~Repository();

  const VaultConfig& config() const { return config_; }
  const Chunker& chunker() const { return *chunker_; }
  // The backend, once any pack write in flight has finished: it sees the
  // same calls in the same order as if packs were written in line. Every
  // use of the backend, inside the repository too, goes through here.
  Backend& backend();
  const Index& index() const { return index_; }
  const RepositoryStats& stats() const { return stats_; }

  // The content id of `plaintext`: keyed BLAKE2b, meaningless without the key.
  ObjectId IdOf(ByteView plaintext) const;
  // A keyed hash for identifying content without storing it (same key).
  crypto::KeyedHasher NewHasher() const;
  // A faster keyed fingerprint for recognising bytes seen before; never an id.
  crypto::Fingerprint FingerprintOf(ByteView plaintext) const;

  // Stores `plaintext` unless an object with its id exists already. Returns
  // the id. May write a pack to the backend when the current one is full.
  Result<ObjectId> Put(ObjectType type, ByteView plaintext);
  // Same, for a caller that has hashed `plaintext` with IdOf already, to
  // look it up before storing it: `id` must be that hash (a wrong one would
  // make the object unreadable, since every read checks it). With a
  // non-empty `base` the object is compressed against it (object_codec.h):
  // `base->ids` must be stored objects of `type` whose plaintexts
  // concatenate to `base->bytes`, and reading the object reads those first.
  Result<ObjectId> PutWithId(ObjectType type, const ObjectId& id, ByteView plaintext,
                             const DeltaBase* base);
  bool Contains(const ObjectId& id) const;

  // Reads, authenticates and decompresses one object (and, for a delta,
  // the objects it was compressed against: at most kMaxDeltaChain deep).
  Result<Bytes> Get(ObjectType type, const ObjectId& id);
  // The object from one of its other locations (Index::Alternatives), for
  // check: whether what failed where the index first places it is readable
  // elsewhere. kNotFound when it is stored nowhere else.
  Result<Bytes> GetElsewhere(ObjectType type, const ObjectId& id);

  // Waits until every object put so far is sealed into the pending pack,
  // so stats() counts it (sealing runs on worker threads).
  Status Flush() { return TakeSealed(true); }

  // Writes the pending pack and an index file for every pack written since
  // the last Commit. After OK, every object put so far is durable and found.
  Status Commit();
  // Deletes the packs written since the last Commit (for a failed command,
  // so the vault is left as it was).
  void Abandon();

  // Vault metadata files (snapshots/...): sealed, named after the hash of
  // their bytes, verified against that name on read.
  Result<std::string> WriteMetaFile(const std::string& folder, ByteView plaintext);
  Result<Bytes> ReadMetaFile(const std::string& name);

  // Index files that could not be used (damaged, replaced, or still
  // arriving from a sync client): the objects they list count as missing
  // until Repair. Names in index/ that are not index file names (a
  // sync client's "conflicted copy" files) are never read: ignored_files().
  const std::vector<DamagedFile>& damaged_index_files() const { return damaged_index_; }
  const std::vector<std::string>& ignored_files() const { return ignored_; }

  // repository_repair.cc: moves authentic packs and snapshot files found
  // under another file's name back to their own, rebuilds the index from
  // the packs' sealed headers as one new index file, then deletes the index
  // files that are damaged or that it supersedes. Call with the writer lock.
  Result<RepairReport> Repair();
  // One pack read whole, with its name and header verified.
  Result<PackContents> ReadPack(const std::string& pack_id);
  // Opens one sealed blob (e.g. from ReadPack's bytes) as Get would.
  Result<Bytes> DecodeBlob(ObjectType type, const ObjectId& id, ByteView sealed);

  // repository_prune.cc: the objects delta blob `id` was compressed
  // against (empty when it is stored whole), read from its blob.
  Result<std::vector<ObjectId>> DeltaBasesOf(ObjectType type, const ObjectId& id);
  // Deletes what `reachable` leaves unused, within options (prune.h), after
  // following the deltas among it to their bases. Refuses, deleting
  // nothing, while an index file is damaged or a needed object is missing.
  // Call with the writer lock, with `reachable` complete: every object any
  // snapshot names.
  Result<PruneReport> Prune(const Reachable& reachable, const PruneOptions& options);

  // lock.cc: takes the vault's writer lock (lock.h), then loads the index
  // files other writers committed meanwhile. The backend must tolerate a
  // second thread (Vault::Open wraps it in checked_backend.h).
  Result<std::unique_ptr<VaultLock>> AcquireLock(const LockOptions& options);
  Result<std::vector<LockInfo>> Locks();

 private:
  Repository() = default;
  static Result<std::unique_ptr<Repository>> OpenUnlocked(std::unique_ptr<Backend> backend,
                                                          ByteView config_bytes,
                                                          const crypto::SecretBytes& master);
  Status LoadIndex();
  // Forgets the index read so far and reads it again from what is on the
  // backend now (after repair and prune replaced index files).
  Status ReloadIndex();
  Result<Bytes> GetAt(ObjectType type, const ObjectId& id, int depth);
  // The object as stored at `at`, one of its index locations.
  Result<Bytes> ReadAt(ObjectType type, const ObjectId& id, const Location& at, int depth);
  // Reads a delta's base for an object `depth` deltas down.
  BaseLoader BaseReader(int depth);
  Status FlushPack();
  // Moves sealed objects from sealer_ into packs, writing full ones.
  Status TakeSealed(bool all);
  // Waits for the pack write in flight, if any; its failure, once there
  // was one, is returned from then on until Abandon (the command must not
  // commit).
  Status FinishPackWrite();

  std::unique_ptr<Backend> backend_;
  // A full pack is written on this thread while the caller goes on filling
  // the next one (the write's copy, fsync and, on S3, upload overlap the
  // ingest); at most one is in flight.
  std::thread pack_writer_;
  Status pack_write_status_;
  VaultConfig config_;
  crypto::SecretBytes id_key_;
  crypto::SecretBytes fingerprint_key_;
  crypto::SecretBytes seal_key_;
  std::unique_ptr<Chunker> chunker_;
  Index index_;
  PackBuilder pack_{kPackTargetSize + (1 << 20)};  // room for the blob that crosses the target
  std::unique_ptr<SealPool> sealer_;               // compresses and seals beside the caller
  // Submitted to sealer_ or in pack_, not yet in index_.
  std::unordered_set<ObjectId, ObjectIdHash> pending_;
  std::vector<IndexedPack> uncommitted_;  // written packs awaiting an index file
  RepositoryStats stats_;
  std::unordered_set<std::string> loaded_index_;  // index files read (or found damaged)
  std::vector<DamagedFile> damaged_index_;
  std::vector<std::string> ignored_;
};

// How many deltas deep a read may go before the chain counts as damaged;
// writers keep chains far shorter (vault/chunk_stream.h).
constexpr int kMaxDeltaChain = 32;

}  // namespace gptvault::storage
