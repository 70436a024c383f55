// The index: where each object lives (pack, offset, length). It is the union
// of the index files, each written after the packs it names, so an index
// entry never points at a pack that is not yet durable.
//
//   index_file := "GVINDEX1" SealFile("gptvault/index", body)   (zstd inside)
//   body       := pack_count:u32le { pack_id:32 count:u32le
//                                    { type:u8 id:32 offset:u64le length:u32le }* }*
//
// An index file's name is index/<hex of PlainHash(file bytes)>.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "gptvault/crypto/secret.h"
#include "gptvault/storage/object_codec.h"
#include "gptvault/storage/pack.h"
#include "gptvault/util/status.h"

namespace gptvault::storage {

using ObjectIdHash = UniformBytesHash;  // ids are keyed hashes

struct Location {
  uint32_t pack = 0;  // position in Index::packs()
  ObjectType type = ObjectType::kData;
  uint64_t offset = 0;
  uint32_t length = 0;
};

class Index {
 public:
  // Records the entries of pack `pack_id` (hex). An object already present
  // keeps its first location.
  void AddPack(const std::string& pack_id, const std::vector<PackEntry>& entries);
  const Location* Find(const ObjectId& id) const;
  // The other places an object listed more than once is stored. A reader
  // that cannot read it where Find says tries these: after an interrupted
  // prune, an object's old copy may be a delta whose base is gone while its
  // new copy, stored whole, is named beside it.
  std::vector<Location> Alternatives(const ObjectId& id) const;
  bool Contains(const ObjectId& id) const { return Find(id) != nullptr; }
  const std::string& pack(uint32_t i) const { return packs_[i]; }
  const std::vector<std::string>& packs() const { return packs_; }
  size_t size() const { return map_.size(); }
  const std::unordered_map<ObjectId, Location, ObjectIdHash>& entries() const { return map_; }

 private:
  std::vector<std::string> packs_;
  std::unordered_map<std::string, uint32_t> pack_numbers_;
  std::unordered_map<ObjectId, Location, ObjectIdHash> map_;
  std::unordered_multimap<ObjectId, Location, ObjectIdHash> alternates_;
};

struct IndexedPack {
  std::string pack_id;  // hex
  std::vector<PackEntry> entries;
};

Bytes EncodeIndexFile(const crypto::SecretBytes& seal_key, const std::vector<IndexedPack>& packs);
Result<std::vector<IndexedPack>> DecodeIndexFile(const crypto::SecretBytes& seal_key,
                                                 ByteView file);

}  // namespace gptvault::storage
