#include "html_recipe.h"

#include <algorithm>

namespace gptvault::vault {

namespace {
// The assignment the offline viewer uses; the '[' may follow after spaces.
constexpr std::string_view kMarker = "jsonData = ";
// Raw segments up to this size live in the manifest as text.
constexpr size_t kInlineText = 256;
// An embedded conversation larger than this is stored as plain bytes; the
// bound keeps the bytes held while splitting small.
constexpr size_t kMaxElement = size_t{64} << 20;

bool IsUtf8Ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}
}  // namespace

HtmlRecipeWriter::HtmlRecipeWriter(storage::Repository& repo, Lookup lookup)
    : repo_(repo),
      lookup_(std::move(lookup)),
      splitter_([this](std::string_view glue,
                       std::string_view element) { return OnElement(glue, element); },
                kMaxElement) {}

Status HtmlRecipeWriter::Raw(std::string_view bytes) {
  if (bytes.empty()) return Status::Ok();
  if (!raw_ && raw_small_.size() + bytes.size() <= kInlineText) {
    raw_small_.append(bytes);
    return Status::Ok();
  }
  if (!raw_) {
    raw_.emplace(repo_, storage::ObjectType::kData);
    GV_RETURN_IF_ERROR(raw_->Feed(AsBytes(raw_small_)));
    raw_small_.clear();
  }
  return raw_->Feed(AsBytes(bytes));
}

Status HtmlRecipeWriter::CloseRaw() {
  RecipeSegment seg;
  if (raw_) {
    GV_ASSIGN_OR_RETURN(seg.chunks, raw_->Finish());
    raw_.reset();
  } else if (raw_small_.empty()) {
    return Status::Ok();
  } else if (IsUtf8Ascii(raw_small_)) {
    seg.kind = RecipeSegment::Kind::kText;
    seg.text = std::move(raw_small_);
  } else {
    GV_ASSIGN_OR_RETURN(seg.chunks,
                        StoreChunked(repo_, storage::ObjectType::kData, AsBytes(raw_small_)));
  }
  raw_small_.clear();
  segments_.push_back(std::move(seg));
  return Status::Ok();
}

Status HtmlRecipeWriter::OnElement(std::string_view glue, std::string_view element) {
  accounted_ += glue.size() + element.size();
  GV_RETURN_IF_ERROR(Raw(glue));
  if (auto hash = lookup_(element)) {
    GV_RETURN_IF_ERROR(CloseRaw());
    RecipeSegment seg;
    seg.kind = RecipeSegment::Kind::kConversation;
    seg.conversation = *hash;
    segments_.push_back(std::move(seg));
    return Status::Ok();
  }
  return Raw(element);
}

std::string HtmlRecipeWriter::TakeUnaccounted() {
  std::string rest = unaccounted_.substr(std::min(accounted_, unaccounted_.size()));
  unaccounted_.clear();
  accounted_ = 0;
  return rest;
}

Status HtmlRecipeWriter::FeedArray(ByteView piece) {
  size_t used = 0;
  // Dropping the accounted front once per piece, not once per element: an
  // erase per element moved the rest of the piece each time.
  unaccounted_.erase(0, accounted_);
  accounted_ = 0;
  unaccounted_.append(AsChars(piece));
  Status s = splitter_.FeedUntilEnd(piece, &used);
  if (!s.ok()) {
    // Not an array we understand after all: what the splitter holds, and
    // everything after, is stored as it is.
    phase_ = Phase::kAfterArray;
    return Raw(TakeUnaccounted());
  }
  if (splitter_.done()) {
    phase_ = Phase::kAfterArray;
    // The closing glue (']' and spaces) is still unaccounted; keep it and the
    // bytes after the array as raw text.
    return Raw(TakeUnaccounted());
  }
  return Status::Ok();
}

Status HtmlRecipeWriter::Feed(ByteView piece) {
  switch (phase_) {
    case Phase::kAfterArray:
      return Raw(AsChars(piece));
    case Phase::kInArray:
      return FeedArray(piece);
    case Phase::kBeforeArray:
      break;
  }
  std::string text = std::move(carry_);
  text.append(AsChars(piece));
  carry_.clear();
  size_t at = text.find(kMarker);
  if (at == std::string::npos) {
    // Keep a tail that could be the start of the marker for the next piece.
    size_t keep = std::min(text.size(), kMarker.size() - 1);
    GV_RETURN_IF_ERROR(Raw(std::string_view(text).substr(0, text.size() - keep)));
    carry_ = text.substr(text.size() - keep);
    return Status::Ok();
  }
  size_t array_at = at + kMarker.size();
  GV_RETURN_IF_ERROR(Raw(std::string_view(text).substr(0, array_at)));
  phase_ = Phase::kInArray;
  std::string rest = text.substr(array_at);
  return FeedArray(AsBytes(rest));
}

Result<std::vector<RecipeSegment>> HtmlRecipeWriter::Finish() {
  if (phase_ == Phase::kBeforeArray) {
    GV_RETURN_IF_ERROR(Raw(carry_));
  } else if (phase_ == Phase::kInArray) {
    GV_RETURN_IF_ERROR(Raw(TakeUnaccounted()));  // the file ended inside the array
  }
  carry_.clear();
  GV_RETURN_IF_ERROR(CloseRaw());
  return std::move(segments_);
}

}  // namespace gptvault::vault
