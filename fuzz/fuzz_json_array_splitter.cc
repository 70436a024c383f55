// libFuzzer target: JsonArraySplitter fed the same bytes whole and in pieces
// cut at points the input chooses, checking its contracts:
//  * the outcome does not depend on where the pieces are cut (the same
//    elements and glue, or the same error message);
//  * a successful split rebuilds the input byte for byte from the glue, the
//    elements and the trailing bytes;
//  * FeedUntilEnd, as chat.html's embedded array is read, stops right after
//    a closing bracket, says how much of the last piece it used, and splits
//    what it consumed exactly as Feed splits those bytes alone.
// Input format: byte 0 is the number of cuts (mod 16), then two bytes per
// cut (little-endian offsets into the rest), then the JSON.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "gptvault/ingest/json_array_splitter.h"

namespace {

using gptvault::ByteView;
using gptvault::Status;
using gptvault::ingest::JsonArraySplitter;

constexpr size_t kMaxElement = size_t{1} << 20;

struct Outcome {
  bool ok = false;
  std::string error;
  std::vector<std::string> parts;  // glue, element, glue, element, ..., trailing
};

// A splitter that records glue and elements, in order, in `out.parts`.
JsonArraySplitter Recording(Outcome& out) {
  return JsonArraySplitter(
      [&out](std::string_view glue, std::string_view element) {
        out.parts.emplace_back(glue);
        out.parts.emplace_back(element);
        return Status::Ok();
      },
      kMaxElement);
}

Outcome Split(std::string_view json, const std::vector<size_t>& cuts) {
  Outcome out;
  JsonArraySplitter splitter = Recording(out);
  size_t at = 0;
  Status s;
  for (size_t cut : cuts) {
    s = splitter.Feed(ByteView(reinterpret_cast<const uint8_t*>(json.data()) + at, cut - at));
    at = cut;
    if (!s.ok()) break;
  }
  if (s.ok()) {
    s = splitter.Feed(
        ByteView(reinterpret_cast<const uint8_t*>(json.data()) + at, json.size() - at));
  }
  if (s.ok()) s = splitter.Finish();
  out.ok = s.ok();
  if (!s.ok()) {
    out.error = s.message();
  } else {
    out.parts.push_back(splitter.trailing());
  }
  return out;
}

// The array at the start of `json`, read with FeedUntilEnd as if text
// followed it. Sets `*consumed` to the bytes used when it found the end.
Outcome SplitEmbedded(std::string_view json, const std::vector<size_t>& cuts, size_t* consumed) {
  Outcome out;
  JsonArraySplitter splitter = Recording(out);
  std::vector<size_t> ends = cuts;
  ends.push_back(json.size());
  size_t at = 0;
  Status s;
  *consumed = 0;
  for (size_t end : ends) {
    size_t used = 0;
    s = splitter.FeedUntilEnd(
        ByteView(reinterpret_cast<const uint8_t*>(json.data()) + at, end - at), &used);
    if (s.ok() && !splitter.done() && used != end - at) std::abort();  // a piece is used whole
    if (used > end - at) std::abort();
    *consumed = at + used;
    at = end;
    if (!s.ok() || splitter.done()) break;
  }
  if (s.ok() && !splitter.done()) s = Status::InvalidArgument("no end");
  if (s.ok()) s = splitter.Finish();
  out.ok = s.ok();
  if (s.ok()) out.parts.push_back(splitter.trailing());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t ncuts = data[0] % 16;
  if (size < 1 + 2 * ncuts) return 0;
  const std::string_view json(reinterpret_cast<const char*>(data) + 1 + 2 * ncuts,
                              size - 1 - 2 * ncuts);
  std::vector<size_t> cuts;
  for (size_t i = 0; i < ncuts; ++i) {
    const size_t raw = data[1 + 2 * i] | size_t{data[2 + 2 * i]} << 8;
    const size_t cut = json.empty() ? 0 : raw % (json.size() + 1);
    if (cuts.empty() || cut >= cuts.back()) cuts.push_back(cut);  // in order; empty pieces too
  }

  const Outcome whole = Split(json, {});
  const Outcome pieces = Split(json, cuts);
  if (whole.ok != pieces.ok || whole.error != pieces.error) std::abort();
  if (whole.ok) {
    if (whole.parts != pieces.parts) std::abort();
    std::string rebuilt;
    for (const std::string& part : whole.parts) rebuilt += part;
    if (rebuilt != json) std::abort();
  }

  size_t consumed = 0;
  const Outcome embedded = SplitEmbedded(json, cuts, &consumed);
  if (whole.ok && !embedded.ok) std::abort();  // an array alone is an embedded array too
  if (embedded.ok) {
    if (consumed == 0 || json[consumed - 1] != ']') std::abort();
    const Outcome prefix = Split(json.substr(0, consumed), {});
    if (!prefix.ok || prefix.parts != embedded.parts) std::abort();
  }
  return 0;
}
