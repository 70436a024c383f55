// Chunker: keyed content-defined chunking (FastCDC with normalised chunking,
// Xia et al., USENIX ATC 2016). Boundaries depend on the content, so a
// conversation that grew by three messages keeps most of its chunks; the gear
// table is derived from a vault key, so the boundaries, and hence the chunk
// sizes the host can see, do not reveal the content.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "gptvault/crypto/secret.h"
#include "gptvault/util/bytes.h"

namespace gptvault::storage {

struct ChunkerParams {
  uint32_t min_size = 4 * 1024;
  uint32_t avg_size = 16 * 1024;  // a power of two
  uint32_t max_size = 64 * 1024;
};

class Chunker {
 public:
  // `key` seeds the gear table (crypto::KeyPurpose::kChunker).
  Chunker(const crypto::SecretBytes& key, ChunkerParams params = {});
  // The gear table is key-derived, so it is wiped like a key.
  ~Chunker();
  Chunker(const Chunker&) = delete;
  Chunker& operator=(const Chunker&) = delete;

  // Length of the first chunk of `data`: the whole of `data` when it is no
  // longer than min_size, never more than max_size. For a stream, call with
  // at least max_size bytes buffered (or all that is left at the end); the
  // same bytes always give the same cut.
  size_t NextCut(ByteView data) const;

  const ChunkerParams& params() const { return params_; }

 private:
  ChunkerParams params_;
  uint64_t mask_small_;  // stricter mask before the average size
  uint64_t mask_large_;  // looser mask after it
  std::array<uint64_t, 256> gear_;
};

}  // namespace gptvault::storage
