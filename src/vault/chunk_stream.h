// Storing byte streams as content-defined chunks, and reading them back.
// Private to the vault layer.
#pragma once

#include <functional>

#include "gptvault/storage/repository.h"
#include "gptvault/util/bytes.h"
#include "gptvault/util/status.h"
#include "gptvault/vault/catalog.h"

namespace gptvault::vault {

// Cuts a whole buffer into chunks and stores each.
Result<ChunkList> StoreChunked(storage::Repository& repo, storage::ObjectType type, ByteView data);

// A byte string stored whole, as one object: a conversation's version.
// With a `base` (the version before, itself `base_depth` deltas deep) it is
// compressed against that (storage::Repository::PutWithId), so what costs
// space is what changed. One object compresses better than content-defined
// chunks and costs no hash beyond `id` (= repo.IdOf(data), which the caller
// computed to look the bytes up); chunks are for what is larger than
// kMaxWholeSize, and the chain is cut after kMaxDeltaDepth deltas so a read
// goes through a bounded number of objects.
struct StoredDelta {
  ChunkList list;
  uint32_t depth = 0;  // 0: not a delta
};
constexpr uint32_t kMaxDeltaDepth = 8;
constexpr size_t kMaxWholeSize = 8 << 20;
// `base` may be null (no earlier version): one plain object.
Result<StoredDelta> StoreAgainst(storage::Repository& repo, storage::ObjectType type, ByteView data,
                                 const storage::ObjectId& id, const ChunkList* base,
                                 uint32_t base_depth);

// Same, for data that arrives in pieces: memory stays at about twice the
// chunker's maximum chunk size whatever the stream's length.
class ChunkStreamWriter {
 public:
  ChunkStreamWriter(storage::Repository& repo, storage::ObjectType type);
  Status Feed(ByteView piece);
  Result<ChunkList> Finish();

 private:
  Status Drain(bool final);
  storage::Repository& repo_;
  storage::ObjectType type_;
  Bytes buffer_;
  size_t start_ = 0;
  ChunkList list_;
};

// Stores a text as `write` produces it, in pieces (EncodeCatalog,
// EncodeManifest): the same chunks as StoreChunked of the whole text, without
// ever holding it whole.
Result<ChunkList> StoreWritten(storage::Repository& repo, storage::ObjectType type,
                               const std::function<Status(const TextSink&)>& write);

// Reads a chunk list back and hands each chunk to `sink`, in order.
Status LoadChunked(storage::Repository& repo, storage::ObjectType type, const ChunkList& list,
                   const std::function<Status(ByteView)>& sink);
Result<Bytes> LoadChunked(storage::Repository& repo, storage::ObjectType type,
                          const ChunkList& list);

}  // namespace gptvault::vault
