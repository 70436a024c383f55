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
#include <unordered_set>
#include <vector>

#include "gptvault/crypto/crypto.h"
#include "gptvault/storage/backend.h"
#include "gptvault/storage/chunker.h"
#include "gptvault/storage/config_file.h"
#include "gptvault/storage/index.h"
#include "gptvault/storage/object_codec.h"
#include "gptvault/storage/pack.h"

namespace gptvault::storage {

struct RepositoryStats {
  uint64_t objects_added = 0;   // new objects sealed into packs
  uint64_t objects_reused = 0;  // puts satisfied by an object already stored
  uint64_t bytes_written = 0;   // bytes of files written to the backend
};

class Repository {
 public:
  // Creates a vault in `backend`: a random master key, one key file for
  // `passphrase`, the config. Refuses (kAlreadyExists) when the backend
  // already holds a vault.
  static Status Init(Backend& backend, const crypto::SecretBytes& passphrase,
                     const crypto::KdfParams& kdf);

  // Unlocks the vault with `passphrase` (kAuthFailed when no key file takes
  // it; kNotFound when there is no vault) and loads the index.
  static Result<std::unique_ptr<Repository>> Open(std::unique_ptr<Backend> backend,
                                                  const crypto::SecretBytes& passphrase);

  ~Repository();

  const VaultConfig& config() const { return config_; }
  const Chunker& chunker() const { return *chunker_; }
  Backend& backend() { return *backend_; }
  const Index& index() const { return index_; }
  const RepositoryStats& stats() const { return stats_; }

  // The content id of `plaintext`: keyed BLAKE2b, meaningless without the key.
  ObjectId IdOf(ByteView plaintext) const;
  // A keyed hash for identifying content without storing it (same key).
  crypto::KeyedHasher NewHasher() const;

  // Stores `plaintext` unless an object with its id exists already. Returns
  // the id. May write a pack to the backend when the current one is full.
  Result<ObjectId> Put(ObjectType type, ByteView plaintext);
  bool Contains(const ObjectId& id) const;

  // Reads, authenticates and decompresses one object.
  Result<Bytes> Get(ObjectType type, const ObjectId& id);

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

 private:
  Repository() = default;
  Status LoadIndex();
  Status FlushPack();

  std::unique_ptr<Backend> backend_;
  VaultConfig config_;
  crypto::SecretBytes id_key_;
  crypto::SecretBytes seal_key_;
  std::unique_ptr<Chunker> chunker_;
  Index index_;
  PackBuilder pack_;
  std::unordered_set<ObjectId, ObjectIdHash> pending_;  // in pack_, not yet in index_
  std::vector<IndexedPack> uncommitted_;                // written packs awaiting an index file
  RepositoryStats stats_;
};

// Target size of a pack before it is written.
constexpr size_t kPackTargetSize = 16 << 20;

}  // namespace gptvault::storage
