#include "gptvault/storage/object_codec.h"

#include <zstd.h>

namespace gptvault::storage {

namespace {

constexpr uint8_t kRaw = 0;
constexpr uint8_t kZstd = 1;
constexpr uint8_t kZstdDelta = 2;
// Level 2, not 3: on conversation JSON cut into 10-100 KB objects it
// compresses ~40% faster for ~1% more bytes (bench/, docs/PERFORMANCE.md).
// Any level decodes the same way; deltas keep level 3, where every byte saved
// is saved again each month.
constexpr int kZstdLevel = 2;
constexpr int kZstdDeltaLevel = 3;
constexpr uint32_t kMaxDeltaBaseIds = 1 << 16;
// A decompressed object never exceeds this; a larger frame header is a lie.
constexpr uint64_t kMaxObjectSize = uint64_t{1} << 31;
// 2^27 = 128 MiB: the most a reader ever allocates for a delta's window.
constexpr int kMaxDeltaWindowLog = 27;

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

// One zstd context of each kind per thread, kept for whole objects and
// deltas: a fresh one per object is allocated and cleared every time (~15%
// of the time on 30 KB objects; decompression contexts showed in every delta
// read, where each version's base is decompressed). Null only when zstd
// cannot allocate one.
template <typename Ctx, Ctx* (*Create)(), size_t (*Free)(Ctx*)>
Ctx* ThreadContext() {
  struct Holder {
    Ctx* ctx = Create();
    ~Holder() { Free(ctx); }
  };
  thread_local Holder holder;
  return holder.ctx;
}

ZSTD_CCtx* ThreadCompressor() { return ThreadContext<ZSTD_CCtx, ZSTD_createCCtx, ZSTD_freeCCtx>(); }
ZSTD_DCtx* ThreadDecompressor() {
  return ThreadContext<ZSTD_DCtx, ZSTD_createDCtx, ZSTD_freeDCtx>();
}

// Compression byte + payload; zstd only when it actually saves space, so
// incompressible media costs one byte, not a frame header.
Bytes Pack(ByteView plaintext, bool try_compress) {
  Bytes out;
  ZSTD_CCtx* cctx = try_compress && plaintext.size() > 64 ? ThreadCompressor() : nullptr;
  if (cctx != nullptr) {
    size_t bound = ZSTD_compressBound(plaintext.size());
    out.resize(1 + bound);
    size_t n = ZSTD_compressCCtx(cctx, out.data() + 1, bound, plaintext.data(), plaintext.size(),
                                 kZstdLevel);
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

// Compresses `plaintext` against `base` (a zstd prefix dictionary): a new
// version of a conversation costs little more than what changed. Falls back
// to Pack when that fails or is no smaller than the plaintext (the prefix
// only adds matches, so plain zstd would not be smaller either).
Bytes PackDelta(ByteView plaintext, const DeltaBase& base) {
  if (base.ids.empty() || base.ids.size() > kMaxDeltaBaseIds) return Pack(plaintext, true);
  Bytes out;
  PutU8(out, kZstdDelta);
  PutU32(out, static_cast<uint32_t>(base.ids.size()));
  for (const ObjectId& id : base.ids) PutBytes(out, id);
  size_t header = out.size();
  size_t bound = ZSTD_compressBound(plaintext.size());
  out.resize(header + bound);
  // The thread's kept context (ThreadCompressor), cleared of whatever the
  // previous frame set; cleared again after, so Pack finds it plain.
  ZSTD_CCtx* cctx = ThreadCompressor();
  if (cctx == nullptr) return Pack(plaintext, true);
  int window_log = 10;  // zstd's smallest window
  while (window_log < kMaxDeltaWindowLog &&
         (size_t{1} << window_log) < base.bytes.size() + plaintext.size()) {
    ++window_log;
  }
  bool set =
      !ZSTD_isError(ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters)) &&
      !ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, kZstdDeltaLevel)) &&
      !ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, window_log)) &&
      !ZSTD_isError(ZSTD_CCtx_refPrefix(cctx, base.bytes.data(), base.bytes.size()));
  size_t n =
      set ? ZSTD_compress2(cctx, out.data() + header, bound, plaintext.data(), plaintext.size())
          : 0;
  ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
  if (!set || ZSTD_isError(n) || header + n >= 1 + plaintext.size()) return Pack(plaintext, true);
  out.resize(header + n);
  return out;
}

Result<Bytes> Decompress(ByteView frame, ByteView prefix) {
  unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxObjectSize) {
    return Status::Corruption("bad zstd frame");
  }
  Bytes out(size);
  ZSTD_DCtx* dctx = ThreadDecompressor();
  bool set = dctx != nullptr &&
             !ZSTD_isError(ZSTD_DCtx_reset(dctx, ZSTD_reset_session_and_parameters)) &&
             !ZSTD_isError(ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, kMaxDeltaWindowLog)) &&
             !ZSTD_isError(ZSTD_DCtx_refPrefix(dctx, prefix.data(), prefix.size()));
  size_t n =
      set ? ZSTD_decompressDCtx(dctx, out.data(), out.size(), frame.data(), frame.size()) : 0;
  // Drop the reference to `prefix`, which does not outlive this call.
  if (dctx != nullptr) ZSTD_DCtx_reset(dctx, ZSTD_reset_session_and_parameters);
  if (!set || ZSTD_isError(n) || n != size) return Status::Corruption("bad zstd frame");
  return out;
}

// A delta payload's base ids, after its method byte.
Result<std::vector<ObjectId>> ReadBaseIds(ByteReader& r) {
  uint32_t count = 0;
  if (!r.U32(count) || count == 0 || count > kMaxDeltaBaseIds) {
    return Status::Corruption("bad delta header");
  }
  std::vector<ObjectId> ids(count);
  for (ObjectId& id : ids) {
    ByteView raw;
    if (!r.Take(id.size(), raw)) return Status::Corruption("bad delta header");
    std::copy(raw.begin(), raw.end(), id.begin());
  }
  return ids;
}

// `load_base` is null where a payload may not be a delta (the vault's files).
Result<Bytes> Unpack(ByteView packed, ObjectType type, const BaseLoader* load_base) {
  if (packed.empty()) return Status::Corruption("empty object payload");
  ByteView body = packed.subspan(1);
  if (packed[0] == kRaw) return Bytes(body.begin(), body.end());
  if (packed[0] == kZstd) return Decompress(body, {});
  if (packed[0] != kZstdDelta || load_base == nullptr) {
    return Status::Corruption("unknown compression method");
  }
  ByteReader r(body);
  GV_ASSIGN_OR_RETURN(std::vector<ObjectId> ids, ReadBaseIds(r));
  auto base = (*load_base)(type, ids);
  if (!base.ok()) {
    return base.status().WithContext("it is stored as a change to object " +
                                     ToHex(ids[0]).substr(0, 12) + ", which cannot be read");
  }
  return Decompress(body.subspan(r.position()), *base);
}

}  // namespace

bool IsKnownObjectType(uint8_t type) { return type == 1 || type == 2; }

Bytes EncodeObject(const crypto::SecretBytes& seal_key, ObjectType type, const ObjectId& id,
                   ByteView plaintext, const DeltaBase* base) {
  Bytes packed = base ? PackDelta(plaintext, *base) : Pack(plaintext, true);
  return crypto::Seal(seal_key, ObjectAd(type, id), packed);
}

bool IsAuthenticObject(const crypto::SecretBytes& seal_key, ObjectType type, const ObjectId& id,
                       ByteView sealed) {
  return crypto::Open(seal_key, ObjectAd(type, id), sealed).ok();
}

Result<Bytes> DecodeObject(const crypto::SecretBytes& seal_key, const crypto::SecretBytes& id_key,
                           ObjectType type, const ObjectId& id, ByteView sealed,
                           const BaseLoader& load_base) {
  auto packed = crypto::Open(seal_key, ObjectAd(type, id), sealed);
  if (!packed.ok())
    return Status::Corruption("object " + ToHex(id).substr(0, 12) + " failed authentication");
  auto plain = Unpack(*packed, type, &load_base);
  if (!plain.ok()) return plain.status().WithContext("object " + ToHex(id).substr(0, 12));
  if (crypto::KeyedHash(id_key, *plain) != id) {
    return Status::Corruption("object " + ToHex(id).substr(0, 12) + " does not match its id");
  }
  return plain;
}

Result<std::vector<ObjectId>> DeltaBaseIds(const crypto::SecretBytes& seal_key, ObjectType type,
                                           const ObjectId& id, ByteView sealed) {
  auto packed = crypto::Open(seal_key, ObjectAd(type, id), sealed);
  if (!packed.ok())
    return Status::Corruption("object " + ToHex(id).substr(0, 12) + " failed authentication");
  if (packed->empty() || (*packed)[0] != kZstdDelta) return std::vector<ObjectId>{};
  ByteReader r(ByteView(*packed).subspan(1));
  return ReadBaseIds(r);
}

Bytes SealFile(const crypto::SecretBytes& seal_key, std::string_view purpose, ByteView plaintext,
               bool compress) {
  return crypto::Seal(seal_key, FileAd(purpose), Pack(plaintext, compress));
}

Result<Bytes> OpenFile(const crypto::SecretBytes& seal_key, std::string_view purpose,
                       ByteView sealed) {
  auto packed = crypto::Open(seal_key, FileAd(purpose), sealed);
  if (!packed.ok()) return packed.status();
  return Unpack(*packed, ObjectType::kData, nullptr);
}

}  // namespace gptvault::storage
