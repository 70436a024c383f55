#include "chunk_stream.h"

namespace gptvault::vault {

Result<ChunkList> StoreChunked(storage::Repository& repo, storage::ObjectType type, ByteView data) {
  ChunkList list;
  list.size = data.size();
  const storage::Chunker& chunker = repo.chunker();
  while (!data.empty()) {
    size_t cut = chunker.NextCut(data);
    GV_ASSIGN_OR_RETURN(storage::ObjectId id, repo.Put(type, data.first(cut)));
    list.chunks.push_back(id);
    data = data.subspan(cut);
  }
  return list;
}

Result<StoredDelta> StoreAgainst(storage::Repository& repo, storage::ObjectType type, ByteView data,
                                 const storage::ObjectId& id, const ChunkList* base,
                                 uint32_t base_depth) {
  StoredDelta out;
  if (data.size() > kMaxWholeSize) {
    GV_ASSIGN_OR_RETURN(out.list, StoreChunked(repo, type, data));
    return out;
  }
  storage::DeltaBase delta;
  if (base != nullptr && base_depth < kMaxDeltaDepth && base->size <= kMaxWholeSize &&
      !base->chunks.empty()) {
    delta.ids = base->chunks;
    GV_ASSIGN_OR_RETURN(delta.bytes, LoadChunked(repo, type, *base));
    out.depth = base_depth + 1;
  }
  GV_ASSIGN_OR_RETURN(storage::ObjectId stored, repo.PutWithId(type, id, data, &delta));
  out.list = ChunkList{data.size(), {stored}};
  return out;
}

ChunkStreamWriter::ChunkStreamWriter(storage::Repository& repo, storage::ObjectType type)
    : repo_(repo), type_(type) {}

Status ChunkStreamWriter::Feed(ByteView piece) {
  list_.size += piece.size();
  buffer_.insert(buffer_.end(), piece.begin(), piece.end());
  return Drain(false);
}

Status ChunkStreamWriter::Drain(bool final) {
  const size_t max = repo_.chunker().params().max_size;
  while (buffer_.size() - start_ >= max || (final && start_ < buffer_.size())) {
    ByteView rest = ByteView(buffer_).subspan(start_);
    size_t cut = repo_.chunker().NextCut(rest);
    GV_ASSIGN_OR_RETURN(storage::ObjectId id, repo_.Put(type_, rest.first(cut)));
    list_.chunks.push_back(id);
    start_ += cut;
  }
  // Compact once the consumed prefix dominates, so the buffer stays small.
  if (start_ > max) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<ptrdiff_t>(start_));
    start_ = 0;
  }
  return Status::Ok();
}

Result<ChunkList> ChunkStreamWriter::Finish() {
  GV_RETURN_IF_ERROR(Drain(true));
  buffer_.clear();
  start_ = 0;
  return std::move(list_);
}

Result<ChunkList> StoreWritten(storage::Repository& repo, storage::ObjectType type,
                               const std::function<Status(const TextSink&)>& write) {
  ChunkStreamWriter writer(repo, type);
  GV_RETURN_IF_ERROR(
      write([&writer](std::string_view piece) { return writer.Feed(AsBytes(piece)); }));
  return writer.Finish();
}

Status LoadChunked(storage::Repository& repo, storage::ObjectType type, const ChunkList& list,
                   const std::function<Status(ByteView)>& sink) {
  uint64_t total = 0;
  for (const storage::ObjectId& id : list.chunks) {
    GV_ASSIGN_OR_RETURN(Bytes chunk, repo.Get(type, id));
    total += chunk.size();
    GV_RETURN_IF_ERROR(sink(chunk));
  }
  if (total != list.size) return Status::Corruption("stored stream has the wrong length");
  return Status::Ok();
}

Result<Bytes> LoadChunked(storage::Repository& repo, storage::ObjectType type,
                          const ChunkList& list) {
  Bytes out;
  out.reserve(list.size);
  GV_RETURN_IF_ERROR(LoadChunked(repo, type, list, [&](ByteView c) {
    out.insert(out.end(), c.begin(), c.end());
    return Status::Ok();
  }));
  return out;
}

}  // namespace gptvault::vault
