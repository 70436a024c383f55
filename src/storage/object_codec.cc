#include "gptvault/storage/object_codec.h"

#include <zstd.h>

namespace gptvault::storage {

namespace {

constexpr uint8_t kRaw = 0;
constexpr uint8_t kZstd = 1;
constexpr int kZstdLevel = 3;
// A decompressed object never exceeds this; a larger frame header is a lie.
constexpr uint64_t kMaxObjectSize = uint64_t{1} << 31;

Bytes ObjectAd(ObjectType type, const ObjectId& id) {
  Bytes ad;
  PutBytes(ad, AsBytes("gptvault/object"));
  PutU32(ad, kFormatVersion);
  PutU8(ad, static_cast<uint8_t>(type));
  PutBytes(ad, id);
  return ad;
}

Bytes FileAd(std::string_view purpose) {
  Bytes ad;
  PutBytes(ad, AsBytes(purpose));
  PutU32(ad, kFormatVersion);
  return ad;
}

// Compression byte + payload; zstd only when it actually saves space, so
// incompressible media costs one byte, not a frame header.
Bytes Pack(ByteView plaintext, bool try_compress) {
  Bytes out;
  if (try_compress && plaintext.size() > 64) {
    size_t bound = ZSTD_compressBound(plaintext.size());
    out.resize(1 + bound);
    size_t n = ZSTD_compress(out.data() + 1, bound, plaintext.data(), plaintext.size(), kZstdLevel);
    if (!ZSTD_isError(n) && n < plaintext.size()) {
      out[0] = kZstd;
      out.resize(1 + n);
      return out;
    }
  }
  out.resize(1 + plaintext.size());
  out[0] = kRaw;
  std::copy(plaintext.begin(), plaintext.end(), out.begin() + 1);
  return out;
}

Result<Bytes> Unpack(ByteView packed) {
  if (packed.empty()) return Status::Corruption("empty object payload");
  ByteView body = packed.subspan(1);
  if (packed[0] == kRaw) return Bytes(body.begin(), body.end());
  if (packed[0] != kZstd) return Status::Corruption("unknown compression method");
  unsigned long long size = ZSTD_getFrameContentSize(body.data(), body.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxObjectSize) {
    return Status::Corruption("bad zstd frame");
  }
  Bytes out(size);
  size_t n = ZSTD_decompress(out.data(), out.size(), body.data(), body.size());
  if (ZSTD_isError(n) || n != size) return Status::Corruption("bad zstd frame");
  return out;
}

}  // namespace

bool IsKnownObjectType(uint8_t type) { return type == 1 || type == 2; }

Bytes EncodeObject(const crypto::SecretBytes& seal_key, ObjectType type, const ObjectId& id,
                   ByteView plaintext) {
  Bytes packed = Pack(plaintext, true);
  return crypto::Seal(seal_key, ObjectAd(type, id), packed);
}

Result<Bytes> DecodeObject(const crypto::SecretBytes& seal_key, const crypto::SecretBytes& id_key,
                           ObjectType type, const ObjectId& id, ByteView sealed) {
  auto packed = crypto::Open(seal_key, ObjectAd(type, id), sealed);
  if (!packed.ok())
    return Status::Corruption("object " + ToHex(id).substr(0, 12) + " failed authentication");
  GV_ASSIGN_OR_RETURN(Bytes plain, Unpack(*packed));
  if (crypto::KeyedHash(id_key, plain) != id) {
    return Status::Corruption("object " + ToHex(id).substr(0, 12) + " does not match its id");
  }
  return plain;
}

Bytes SealFile(const crypto::SecretBytes& seal_key, std::string_view purpose, ByteView plaintext,
               bool compress) {
  return crypto::Seal(seal_key, FileAd(purpose), Pack(plaintext, compress));
}

Result<Bytes> OpenFile(const crypto::SecretBytes& seal_key, std::string_view purpose,
                       ByteView sealed) {
  auto packed = crypto::Open(seal_key, FileAd(purpose), sealed);
  if (!packed.ok()) return packed.status();
  return Unpack(*packed);
}

}  // namespace gptvault::storage
