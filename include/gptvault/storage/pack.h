// Packs: immutable files of many sealed blobs, so a vault in a cloud folder
// holds thousands of files rather than millions. The sealed header at the end
// lists every blob, so a lost index can be rebuilt from the packs alone.
//
//   pack    := "GVPACK01" blob* header header_length:u32le
//   header  := SealFile("gptvault/pack-header", entries)
//   entries := count:u32le { type:u8 id:32 offset:u64le length:u32le }*
//
// A pack's name is data/<first 2 hex>/<hex of PlainHash(pack bytes)>.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gptvault/crypto/crypto.h"
#include "gptvault/crypto/secret.h"
#include "gptvault/storage/object_codec.h"
#include "gptvault/util/bytes.h"
#include "gptvault/util/status.h"

namespace gptvault::storage {

inline constexpr char kPackMagic[] = "GVPACK01";
constexpr size_t kPackMagicSize = 8;

struct PackEntry {
  ObjectType type = ObjectType::kData;
  ObjectId id{};
  uint64_t offset = 0;  // of the sealed blob within the pack
  uint32_t length = 0;  // of the sealed blob
};

// Accumulates sealed blobs in memory until the pack is big enough to write.
class PackBuilder {
 public:
  // `expected_size`: what a pack grows to before it is finished, reserved at
  // the first Add so the bytes are never copied into a buffer twice as big.
  explicit PackBuilder(size_t expected_size = 0);
  void Add(ObjectType type, const ObjectId& id, Bytes sealed_blob);
  size_t size() const { return data_.size(); }
  size_t count() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // Appends the sealed header; returns the finished pack and its entries and
  // leaves the builder empty and ready for the next pack.
  Bytes Finish(const crypto::SecretBytes& seal_key, std::vector<PackEntry>* entries);

 private:
  size_t expected_size_;
  Bytes data_;
  std::vector<PackEntry> entries_;
};

// One entry of a pack header and of an index file (FORMAT.md): type (1),
// object id (32), offset (8), length (4).
inline constexpr size_t kPackEntrySize = 1 + 32 + 8 + 4;

// The bytes of a pack of `entries` blobs that are not blobs: the magic, the
// sealed header (nonce, tag, method byte, count, entries) and its length.
inline constexpr uint64_t PackFramingSize(uint64_t entries) {
  return kPackMagicSize + crypto::kSealOverhead + 1 + 4 + entries * kPackEntrySize + 4;
}

std::string PackName(ByteView pack_bytes);
// The hex id of a pack name, or "" when `name` is not a pack name.
std::string PackIdFromName(const std::string& name);

// Reads and authenticates the header of a whole pack (for repair and check).
Result<std::vector<PackEntry>> ReadPackHeader(const crypto::SecretBytes& seal_key,
                                              ByteView pack_bytes);

}  // namespace gptvault::storage
