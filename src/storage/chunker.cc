#include "gptvault/storage/chunker.h"

#include <bit>
#include <cassert>

#include "gptvault/crypto/crypto.h"

namespace gptvault::storage {

namespace {

// A mask with the `bits` highest bits set. The gear hash is updated as
// `hash = (hash << 1) + gear[b]`, so bit j of the hash depends only on the last
// j + 1 bytes (carries travel upwards, shifts push old bytes out at the top).
// Testing the highest bits therefore makes every cut depend on a window of at
// least 64 - bits + 1 bytes (about 48 bytes for the default sizes, the window
// the FastCDC paper's spread masks aim for), whereas low bits would make a cut
// depend on the last byte or two. The paper spreads its one-bits to widen the
// window of an unkeyed table; with a keyed table every bit is as good as any
// other, and contiguous high bits also let the test be a plain comparison.
constexpr uint64_t HighBitsMask(int bits) { return bits == 0 ? 0 : ~uint64_t{0} << (64 - bits); }

// Scans data[i, end) for the first position whose hash has no bits of `mask`
// set, carrying `hash` across calls. Returns the cut (one past that byte) or 0
// when there is none. (Unrolling two bytes per step, as some FastCDC ports do,
// measured no faster here: the loop already runs at about one byte per cycle.)
inline size_t Scan(const uint8_t* data, size_t i, size_t end, uint64_t mask, uint64_t& hash,
                   const uint64_t* gear) {
  uint64_t h = hash;
  for (; i < end; ++i) {
    h = (h << 1) + gear[data[i]];
    if ((h & mask) == 0) {
      hash = h;
      return i + 1;
    }
  }
  hash = h;
  return 0;
}

}  // namespace

Chunker::~Chunker() { crypto::Wipe(gear_.data(), sizeof gear_); }

Chunker::Chunker(const crypto::SecretBytes& key, ChunkerParams params) : params_(params) {
  // Parameters are chosen by code (or validated by whoever reads them from a
  // vault file), so a bad set is a programming error. NextCut stays within
  // bounds even if these do not hold.
  assert(std::has_single_bit(params_.avg_size) && "avg_size must be a power of two");
  assert(params_.avg_size >= 64 && "avg_size too small for normalised chunking");
  assert(params_.min_size < params_.avg_size && params_.avg_size < params_.max_size);

  // Normalisation level 2: four times harder to cut before the average size,
  // four times easier after it, which narrows the chunk size distribution.
  const int k = std::bit_width(params_.avg_size | 1u) - 1;  // floor(log2(avg))
  const int small_bits = k + 2;
  const int large_bits = k > 2 ? k - 2 : 0;
  mask_small_ = HighBitsMask(small_bits);
  mask_large_ = HighBitsMask(large_bits);

  // gear[i] = first 8 bytes, little-endian, of keyed BLAKE2b(LE32(i)). The
  // derivation is part of the vault format: changing it changes every cut.
  for (uint32_t i = 0; i < gear_.size(); ++i) {
    const uint8_t le[4] = {static_cast<uint8_t>(i), static_cast<uint8_t>(i >> 8),
                           static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 24)};
    crypto::Hash h = crypto::KeyedHash(key, ByteView(le, sizeof le));
    uint64_t v = 0;
    for (int b = 7; b >= 0; --b) v = (v << 8) | h[b];
    gear_[i] = v;
    crypto::Wipe(h.data(), h.size());
  }
}

size_t Chunker::NextCut(ByteView data) const {
  size_t n = data.size();
  if (n <= params_.min_size) return n;
  if (n > params_.max_size) n = params_.max_size;
  size_t normal = params_.avg_size;
  if (normal > n) normal = n;

  // The first min_size bytes can never hold a cut, so they are not hashed;
  // the hash starts from zero at min_size, as in FastCDC.
  uint64_t hash = 0;
  size_t i = params_.min_size;
  if (i < normal) {
    if (size_t cut = Scan(data.data(), i, normal, mask_small_, hash, gear_.data())) return cut;
    i = normal;
  }
  if (size_t cut = Scan(data.data(), i, n, mask_large_, hash, gear_.data())) return cut;
  return n;
}

}  // namespace gptvault::storage
