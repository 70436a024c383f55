// How one object travels: compressed with zstd when that saves space, then
// sealed with XChaCha20-Poly1305 under associated data that binds the
// object's type, id and the format version. A blob moved to another id,
// relabelled as another type, or replayed from another format version fails
// to open. Grammar in docs/FORMAT.md ("blob").
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "gptvault/crypto/crypto.h"
#include "gptvault/util/bytes.h"
#include "gptvault/util/status.h"

namespace gptvault::storage {

constexpr uint32_t kFormatVersion = 1;

using ObjectId = crypto::Hash;

// Part of the format: never renumber.
enum class ObjectType : uint8_t {
  kData = 1,  // a chunk of export content: conversation bytes, archive members
  kTree = 2,  // a chunk of vault metadata: catalogs and archive manifests
};
bool IsKnownObjectType(uint8_t type);

// A delta's base: objects of the same type whose plaintexts, concatenated,
// are the zstd prefix dictionary a new object is compressed against.
struct DeltaBase {
  std::vector<ObjectId> ids;
  Bytes bytes;
};

// Sealed blob = nonce || ciphertext || tag; the plaintext is one byte of
// compression (0 none, 1 zstd, 2 zstd against a base) followed by the
// (compressed) object. With `base`, method 2 is used when it is smaller.
Bytes EncodeObject(const crypto::SecretBytes& seal_key, ObjectType type, const ObjectId& id,
                   ByteView plaintext, const DeltaBase* base = nullptr);

// Reads a delta's base (the plaintexts of `ids`, concatenated).
using BaseLoader = std::function<Result<Bytes>(ObjectType type, const std::vector<ObjectId>& ids)>;

// Opens, decompresses and checks that the plaintext hashes to `id` under
// `id_key`, so a blob is trusted only if it is exactly what was asked for.
Result<Bytes> DecodeObject(const crypto::SecretBytes& seal_key, const crypto::SecretBytes& id_key,
                           ObjectType type, const ObjectId& id, ByteView sealed,
                           const BaseLoader& load_base);
// Only whether the blob is authentic (sealed by a key holder as object `id`
// of `type`); reads no base.
bool IsAuthenticObject(const crypto::SecretBytes& seal_key, ObjectType type, const ObjectId& id,
                       ByteView sealed);

// The objects a delta blob was compressed against, in order; empty for a
// blob stored whole. Authenticates the blob (kCorruption when it does not
// open as object `id` of `type`) but reads nothing else: what prune follows
// to keep every base a kept object needs.
Result<std::vector<ObjectId>> DeltaBaseIds(const crypto::SecretBytes& seal_key, ObjectType type,
                                           const ObjectId& id, ByteView sealed);

// Sealing of the vault's own files (pack headers, indexes, snapshots): the
// associated data is `purpose` (e.g. "gptvault/index") and the format version.
Bytes SealFile(const crypto::SecretBytes& seal_key, std::string_view purpose, ByteView plaintext,
               bool compress);
Result<Bytes> OpenFile(const crypto::SecretBytes& seal_key, std::string_view purpose,
                       ByteView sealed);

}  // namespace gptvault::storage
