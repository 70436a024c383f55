#include "gptvault/storage/index.h"

#include <algorithm>
#include <cstring>

namespace gptvault::storage {

namespace {
constexpr char kIndexMagic[] = "GVINDEX1";
constexpr size_t kMagicSize = 8;
constexpr char kIndexPurpose[] = "gptvault/index";
}  // namespace

void Index::AddPack(const std::string& pack_id, const std::vector<PackEntry>& entries) {
  auto [it, inserted] = pack_numbers_.try_emplace(pack_id, static_cast<uint32_t>(packs_.size()));
  if (inserted) packs_.push_back(pack_id);
  uint32_t number = it->second;
  map_.reserve(map_.size() + entries.size());
  for (const PackEntry& e : entries) {
    const Location loc{number, e.type, e.offset, e.length};
    auto [at, first] = map_.try_emplace(e.id, loc);
    if (first || (at->second.pack == number && at->second.offset == e.offset)) continue;
    auto [from, to] = alternates_.equal_range(e.id);
    bool known = std::any_of(from, to, [&](const auto& kv) {
      return kv.second.pack == number && kv.second.offset == e.offset;
    });
    if (!known) alternates_.emplace(e.id, loc);
  }
}

std::vector<Location> Index::Alternatives(const ObjectId& id) const {
  std::vector<Location> out;
  auto [from, to] = alternates_.equal_range(id);
  for (auto it = from; it != to; ++it) out.push_back(it->second);
  return out;
}

const Location* Index::Find(const ObjectId& id) const {
  auto it = map_.find(id);
  return it == map_.end() ? nullptr : &it->second;
}

Bytes EncodeIndexFile(const crypto::SecretBytes& seal_key, const std::vector<IndexedPack>& packs) {
  Bytes body;
  PutU32(body, static_cast<uint32_t>(packs.size()));
  for (const IndexedPack& p : packs) {
    PutBytes(body, *FromHex(p.pack_id));
    PutU32(body, static_cast<uint32_t>(p.entries.size()));
    for (const PackEntry& e : p.entries) {
      PutU8(body, static_cast<uint8_t>(e.type));
      PutBytes(body, e.id);
      PutU64(body, e.offset);
      PutU32(body, e.length);
    }
  }
  Bytes out;
  PutBytes(out, AsBytes({kIndexMagic, kMagicSize}));
  PutBytes(out, SealFile(seal_key, kIndexPurpose, body, true));
  return out;
}

Result<std::vector<IndexedPack>> DecodeIndexFile(const crypto::SecretBytes& seal_key,
                                                 ByteView file) {
  if (file.size() < kMagicSize || std::memcmp(file.data(), kIndexMagic, kMagicSize) != 0) {
    return Status::Corruption("not an index file");
  }
  auto body = OpenFile(seal_key, kIndexPurpose, file.subspan(kMagicSize));
  if (!body.ok()) return Status::Corruption("index file failed authentication");
  ByteReader r(*body);
  uint32_t pack_count = 0;
  if (!r.U32(pack_count)) return Status::Corruption("truncated index file");
  std::vector<IndexedPack> packs;
  for (uint32_t i = 0; i < pack_count; ++i) {
    ByteView pack_id;
    uint32_t count = 0;
    if (!r.Take(32, pack_id) || !r.U32(count) || r.remaining() < uint64_t{count} * kPackEntrySize) {
      return Status::Corruption("truncated index file");
    }
    IndexedPack p;
    p.pack_id = ToHex(pack_id);
    p.entries.resize(count);
    for (PackEntry& e : p.entries) {
      uint8_t type = 0;
      ByteView id;
      (void)r.U8(type);
      (void)r.Take(32, id);
      (void)r.U64(e.offset);
      (void)r.U32(e.length);
      if (!IsKnownObjectType(type)) return Status::Corruption("unknown object type in index");
      e.type = static_cast<ObjectType>(type);
      std::memcpy(e.id.data(), id.data(), 32);
    }
    packs.push_back(std::move(p));
  }
  if (r.remaining() != 0) return Status::Corruption("trailing bytes in index file");
  return packs;
}

}  // namespace gptvault::storage
