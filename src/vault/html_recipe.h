// chat.html embeds every conversation again (`var jsonData = [...]`), so
// storing it as plain chunks would cost a second copy of the export every
// month. HtmlRecipeWriter stores it as a recipe instead: the text around the
// array as chunks, and each embedded conversation whose bytes are a stored
// conversation version as a reference to that version. Anything it does not
// recognise (another layout, a malformed array) is simply stored as bytes;
// the member always rebuilds exactly. Private to the vault layer.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "chunk_stream.h"
#include "gptvault/ingest/json_array_splitter.h"
#include "gptvault/storage/repository.h"
#include "gptvault/vault/snapshot.h"

namespace gptvault::vault {

class HtmlRecipeWriter {
 public:
  // Returns the hash of a stored conversation version with exactly these
  // bytes, if there is one.
  using Lookup = std::function<std::optional<storage::ObjectId>(std::string_view)>;

  HtmlRecipeWriter(storage::Repository& repo, Lookup lookup);
  Status Feed(ByteView piece);
  Result<std::vector<RecipeSegment>> Finish();

 private:
  enum class Phase { kBeforeArray, kInArray, kAfterArray };
  Status Raw(std::string_view bytes);  // appends to the current raw segment
  Status CloseRaw();                   // ends it, as text or chunks
  Status OnElement(std::string_view glue, std::string_view element);
  Status FeedArray(ByteView piece);
  std::string TakeUnaccounted();  // what is left of unaccounted_, emptying it

  storage::Repository& repo_;
  Lookup lookup_;
  Phase phase_ = Phase::kBeforeArray;
  std::string carry_;  // tail that may be the start of the marker
  ingest::JsonArraySplitter splitter_;
  // Array bytes fed to the splitter but not yet accounted for by a delivered
  // element: what must still be stored if the splitter gives up.
  std::string unaccounted_;
  size_t accounted_ = 0;   // bytes at the front of unaccounted_ already delivered
  std::string raw_small_;  // the current raw segment while it is small
  std::optional<ChunkStreamWriter> raw_;
  std::vector<RecipeSegment> segments_;
};

}  // namespace gptvault::vault
