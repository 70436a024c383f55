#include "gptvault/storage/pack.h"

#include <cstring>

#include "gptvault/storage/file_names.h"

namespace gptvault::storage {

namespace {
constexpr char kHeaderPurpose[] = "gptvault/pack-header";
}  // namespace

PackBuilder::PackBuilder(size_t expected_size) : expected_size_(expected_size) {
  PutBytes(data_, AsBytes({kPackMagic, kPackMagicSize}));
}

void PackBuilder::Add(ObjectType type, const ObjectId& id, Bytes sealed_blob) {
  if (data_.capacity() < expected_size_) data_.reserve(expected_size_);
  entries_.push_back({type, id, data_.size(), static_cast<uint32_t>(sealed_blob.size())});
  PutBytes(data_, sealed_blob);
}

Bytes PackBuilder::Finish(const crypto::SecretBytes& seal_key, std::vector<PackEntry>* entries) {
  Bytes header;
  header.reserve(4 + entries_.size() * kPackEntrySize);
  PutU32(header, static_cast<uint32_t>(entries_.size()));
  for (const PackEntry& e : entries_) {
    PutU8(header, static_cast<uint8_t>(e.type));
    PutBytes(header, e.id);
    PutU64(header, e.offset);
    PutU32(header, e.length);
  }
  Bytes sealed = SealFile(seal_key, kHeaderPurpose, header, false);
  Bytes out = std::move(data_);
  PutBytes(out, sealed);
  PutU32(out, static_cast<uint32_t>(sealed.size()));
  *entries = std::move(entries_);
  entries_.clear();
  data_.clear();
  PutBytes(data_, AsBytes({kPackMagic, kPackMagicSize}));
  return out;
}

std::string PackName(ByteView pack_bytes) {
  return PackFileName(ToHex(crypto::PlainHash(pack_bytes)));
}

std::string PackIdFromName(const std::string& name) {
  // data/xx/<64 hex>
  if (name.size() != 5 + 3 + 64 || name.compare(0, 5, "data/") != 0 || name[7] != '/') return "";
  std::string hex = name.substr(8);
  if (hex.compare(0, 2, name.substr(5, 2)) != 0 || !FromHex(hex)) return "";
  return hex;
}

Result<std::vector<PackEntry>> ReadPackHeader(const crypto::SecretBytes& seal_key, ByteView pack) {
  if (pack.size() < kPackMagicSize + 4 ||
      std::memcmp(pack.data(), kPackMagic, kPackMagicSize) != 0) {
    return Status::Corruption("not a pack file");
  }
  ByteReader tail(pack.subspan(pack.size() - 4));
  uint32_t header_len = 0;
  (void)tail.U32(header_len);
  if (header_len > pack.size() - kPackMagicSize - 4) return Status::Corruption("bad pack header");
  size_t header_at = pack.size() - 4 - header_len;
  auto header = OpenFile(seal_key, kHeaderPurpose, pack.subspan(header_at, header_len));
  if (!header.ok()) return Status::Corruption("pack header failed authentication");
  ByteReader r(*header);
  uint32_t count = 0;
  if (!r.U32(count) || r.remaining() != uint64_t{count} * kPackEntrySize) {
    return Status::Corruption("bad pack header");
  }
  std::vector<PackEntry> entries(count);
  for (PackEntry& e : entries) {
    uint8_t type = 0;
    ByteView id;
    (void)r.U8(type);
    (void)r.Take(32, id);
    (void)r.U64(e.offset);
    (void)r.U32(e.length);
    if (!IsKnownObjectType(type)) return Status::Corruption("unknown object type in pack");
    if (e.offset < kPackMagicSize || e.offset + e.length > header_at) {
      return Status::Corruption("pack header points outside the pack");
    }
    e.type = static_cast<ObjectType>(type);
    std::memcpy(e.id.data(), id.data(), 32);
  }
  return entries;
}

}  // namespace gptvault::storage
