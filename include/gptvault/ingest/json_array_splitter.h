// JsonArraySplitter: cuts a top-level JSON array, fed in arbitrary pieces,
// into the exact bytes of its elements without parsing them, so memory grows
// with the largest conversation, not with the conversations file. It tracks
// only strings, escapes and bracket depth; each element is validated later by
// the conversation parser.
//
// Everything between elements (a UTF-8 byte order mark, the '[', commas,
// whitespace, the ']') is handed over too, so the file can be rebuilt byte for
// byte:
//   file = glue_0 element_0 glue_1 element_1 ... element_n-1 trailing
// Elements may be objects, arrays, strings, numbers or literals; the sink
// decides which it accepts. Error messages name no file: callers add the
// member name with Status::WithContext.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "gptvault/util/bytes.h"
#include "gptvault/util/status.h"

namespace gptvault::ingest {

class JsonArraySplitter {
 public:
  // Called once per element with the bytes since the previous element (or
  // the start of the file) and the element itself. Both views are valid only
  // during the call. An error stops the split and is returned by Feed, as is,
  // and by every later call.
  using Sink = std::function<Status(std::string_view glue, std::string_view element)>;

  // `max_element` bounds the memory of one element; a larger element is an
  // error. `max_glue` likewise bounds whitespace between elements.
  explicit JsonArraySplitter(Sink sink, size_t max_element = size_t{1} << 31,
                             size_t max_glue = size_t{1} << 20);

  // Fails (kInvalidArgument) when the bytes are not a JSON array of values (a
  // top level that is an object or a scalar, a stray byte between elements, a
  // stray closing bracket), naming what was found and its 1-based byte
  // offset, e.g. "unexpected ',' at byte 12". Errors are sticky.
  Status Feed(ByteView piece);
  // For an array embedded in other text (chat.html's `var jsonData = [...]`):
  // like Feed, but stops right after the array's closing bracket and sets
  // `*consumed` to the bytes of `piece` it used; done() then turns true.
  Status FeedUntilEnd(ByteView piece, size_t* consumed);
  bool done() const { return state_ == State::kDone; }
  // Fails when the array is unterminated or anything but whitespace follows.
  Status Finish();

  uint64_t elements() const { return elements_; }
  // Everything after the last element (for an empty array, the whole file):
  // the ']' and whitespace around it. Valid after Finish().
  const std::string& trailing() const { return glue_; }

 private:
  enum class State { kBeforeArray, kBeforeElement, kInElement, kAfterElement, kDone };
  // Consumes one byte outside any element; may switch to kInElement without
  // consuming the byte, which then starts the element.
  Status StepOutside(char c, bool* consumed);
  // Scans element bytes from `p`; returns where the scan stopped and sets
  // `*complete` when the element ended just before that point.
  const char* ScanElement(const char* p, const char* end, bool* complete);
  Status Deliver(std::string_view element);
  Status AppendGlue(char c);
  // Records `what` (with the byte offset where useful) as the sticky error.
  Status Fail(std::string what);
  Status FeedImpl(ByteView piece, bool stop_at_end, size_t* consumed);

  Sink sink_;
  size_t max_element_;
  size_t max_glue_;
  State state_ = State::kBeforeArray;
  Status error_;         // once set, every later call returns it
  std::string glue_;     // bytes since the previous element
  std::string element_;  // the current element, when it spans pieces
  uint64_t depth_ = 0;   // bracket depth inside the current element
  bool in_string_ = false;
  bool escape_ = false;          // the previous byte was a backslash inside a string
  bool scalar_element_ = false;  // a number or literal: ends at a delimiter
  int bom_matched_ = 0;          // leading bytes of a UTF-8 byte order mark seen
  uint64_t elements_ = 0;
  uint64_t offset_ = 0;  // bytes consumed so far
};

}  // namespace gptvault::ingest
