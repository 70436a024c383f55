#include "gptvault/ingest/json_array_splitter.h"

#include <cstdio>
#include <exception>
#include <new>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gptvault::ingest {
namespace {

constexpr unsigned char kBom[3] = {0xEF, 0xBB, 0xBF};

bool IsJsonSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Bytes that may continue a number or a literal (true, false, null). Anything
// else ends it; the splitter leaves judging the scalar to its consumer.
bool IsScalarByte(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
         c == '+' || c == '.';
}

bool StartsScalar(char c) {
  return c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n';
}

// "','" for printable ASCII, "byte 0x01" otherwise: input bytes never reach
// a message raw, so it stays one printable line.
std::string Describe(char c) {
  const auto u = static_cast<unsigned char>(c);
  char buf[16];
  if (u >= 0x21 && u < 0x7F) {
    std::snprintf(buf, sizeof buf, "'%c'", c);
  } else {
    std::snprintf(buf, sizeof buf, "byte 0x%02X", u);
  }
  return buf;
}

// Finds the first '"' or '\\' in [p, end): the only bytes that matter inside
// a string. Most of a conversations file is string content, so this loop is
// where the time goes.
const char* FindQuoteOrBackslash(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const int mask =
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  for (; p < end; ++p) {
    if (*p == '"' || *p == '\\') return p;
  }
  return end;
}

// Finds the first '"', '[', ']', '{' or '}' in [p, end): the bytes that
// matter outside strings. Clearing bit 5 maps '{' onto '[' and '}' onto ']'
// and nothing else onto either.
const char* FindStructural(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i fold = _mm_set1_epi8(static_cast<char>(0xDF));
  const __m128i open = _mm_set1_epi8('[');
  const __m128i close = _mm_set1_epi8(']');
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i folded = _mm_and_si128(v, fold);
    const __m128i hit =
        _mm_or_si128(_mm_cmpeq_epi8(v, quote),
                     _mm_or_si128(_mm_cmpeq_epi8(folded, open), _mm_cmpeq_epi8(folded, close)));
    const int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  for (; p < end; ++p) {
    const char folded = static_cast<char>(*p & 0xDF);
    if (*p == '"' || folded == '[' || folded == ']') return p;
  }
  return end;
}

}  // namespace

JsonArraySplitter::JsonArraySplitter(Sink sink, size_t max_element, size_t max_glue)
    : sink_(std::move(sink)), max_element_(max_element), max_glue_(max_glue) {}

Status JsonArraySplitter::Fail(std::string what) {
  error_ = Status::InvalidArgument(std::move(what));
  return error_;
}

Status JsonArraySplitter::Feed(ByteView piece) { return FeedImpl(piece, false, nullptr); }

Status JsonArraySplitter::FeedUntilEnd(ByteView piece, size_t* consumed) {
  *consumed = 0;
  return FeedImpl(piece, true, consumed);
}

Status JsonArraySplitter::FeedImpl(ByteView piece, bool stop_at_end, size_t* used) {
  if (!error_.ok()) return error_;
  try {
    const char* const begin = reinterpret_cast<const char*>(piece.data());
    const char* const end = begin + piece.size();
    const char* p = begin;
    while (p < end) {
      if (stop_at_end && state_ == State::kDone) break;
      if (state_ != State::kInElement) {
        bool consumed = false;
        GV_RETURN_IF_ERROR(StepOutside(*p, &consumed));
        if (consumed) {
          ++p;
          ++offset_;
        }
        if (used != nullptr) *used = static_cast<size_t>(p - begin);
        continue;
      }
      const char* start = p;
      bool complete = false;
      p = ScanElement(p, end, &complete);
      const auto scanned = static_cast<size_t>(p - start);
      offset_ += scanned;
      if (element_.size() + scanned > max_element_) {
        return Fail("element " + std::to_string(elements_ + 1) + " is larger than " +
                    (max_element_ % (1 << 20) == 0 ? std::to_string(max_element_ >> 20) + " MiB"
                                                   : std::to_string(max_element_) + " bytes"));
      }
      if (!complete) {
        element_.append(start, scanned);
      } else if (element_.empty()) {
        // The whole element lies in this piece: hand it over without a copy.
        GV_RETURN_IF_ERROR(Deliver(std::string_view(start, scanned)));
      } else {
        element_.append(start, scanned);
        GV_RETURN_IF_ERROR(Deliver(element_));
      }
      if (used != nullptr) *used = static_cast<size_t>(p - begin);
    }
    return Status::Ok();
  } catch (const std::bad_alloc&) {
    return Fail("out of memory while splitting the array");
  } catch (const std::exception& e) {
    return Fail(std::string("splitting the array failed: ") + e.what());
  }
}

const char* JsonArraySplitter::ScanElement(const char* p, const char* end, bool* complete) {
  if (scalar_element_) {
    while (p < end && IsScalarByte(*p)) ++p;
    // The delimiter is left for StepOutside, which judges it.
    *complete = p < end;
    return p;
  }
  while (p < end) {
    if (escape_) {
      escape_ = false;
      ++p;
      continue;
    }
    if (in_string_) {
      p = FindQuoteOrBackslash(p, end);
      if (p == end) break;
      if (*p == '\\') {
        escape_ = true;
        ++p;
        continue;
      }
      ++p;
      in_string_ = false;
      if (depth_ == 0) {  // a string element: its closing quote ends it
        *complete = true;
        return p;
      }
      continue;
    }
    p = FindStructural(p, end);
    if (p == end) break;
    const char c = *p++;
    if (c == '"') {
      in_string_ = true;
    } else if (c == '[' || c == '{') {
      ++depth_;
    } else if (--depth_ == 0) {  // ']' or '}'
      *complete = true;
      return p;
    }
  }
  *complete = false;
  return end;
}

Status JsonArraySplitter::Deliver(std::string_view element) {
  ++elements_;
  state_ = State::kAfterElement;
  Status s = sink_(glue_, element);
  glue_.clear();
  element_.clear();
  if (!s.ok()) error_ = s;
  return s;
}

Status JsonArraySplitter::AppendGlue(char c) {
  if (glue_.size() >= max_glue_) {
    return Fail("more than " + std::to_string(max_glue_) + " bytes between elements at byte " +
                std::to_string(offset_ + 1));
  }
  glue_.push_back(c);
  return Status::Ok();
}

Status JsonArraySplitter::StepOutside(char c, bool* consumed) {
  // Built only on failure: this runs for every byte between elements.
  auto at = [this] { return " at byte " + std::to_string(offset_ + 1); };
  *consumed = true;
  switch (state_) {
    case State::kBeforeArray: {
      const auto u = static_cast<unsigned char>(c);
      if (bom_matched_ < 3 && offset_ == static_cast<uint64_t>(bom_matched_) &&
          u == kBom[bom_matched_]) {
        ++bom_matched_;
        return AppendGlue(c);
      }
      if (bom_matched_ > 0 && bom_matched_ < 3) {
        return Fail("not UTF-8 JSON: the file starts with a broken byte order mark");
      }
      if (IsJsonSpace(c)) return AppendGlue(c);
      if (c == '[') {
        state_ = State::kBeforeElement;
        return AppendGlue(c);
      }
      if (offset_ == 0 && (u == 0xFF || u == 0xFE)) {
        return Fail("not UTF-8 JSON: the file starts like UTF-16 text");
      }
      if (c == '{') return Fail("top level is an object, not an array");
      if (c == '"') return Fail("top level is a string, not an array");
      if (c == '-' || (c >= '0' && c <= '9')) return Fail("top level is a number, not an array");
      if (c == 't' || c == 'f') return Fail("top level is a boolean, not an array");
      if (c == 'n') return Fail("top level is null, not an array");
      return Fail("not JSON: unexpected " + Describe(c) + at());
    }
    case State::kBeforeElement:
      if (IsJsonSpace(c)) return AppendGlue(c);
      if (c == ']') {
        if (elements_ > 0) return Fail("unexpected ']' after ','" + at());
        state_ = State::kDone;
        return AppendGlue(c);
      }
      if (c == '{' || c == '[' || c == '"' || StartsScalar(c)) {
        state_ = State::kInElement;
        scalar_element_ = c != '{' && c != '[' && c != '"';
        depth_ = 0;
        in_string_ = false;
        escape_ = false;
        *consumed = false;
        return Status::Ok();
      }
      return Fail("unexpected " + Describe(c) + at());
    case State::kAfterElement:
      if (IsJsonSpace(c)) return AppendGlue(c);
      if (c == ',') {
        state_ = State::kBeforeElement;
        return AppendGlue(c);
      }
      if (c == ']') {
        state_ = State::kDone;
        return AppendGlue(c);
      }
      return Fail("expected ',' or ']' after element " + std::to_string(elements_) + ", found " +
                  Describe(c) + at());
    case State::kDone:
      if (IsJsonSpace(c)) return AppendGlue(c);
      return Fail("unexpected " + Describe(c) + " after the end of the array" + at());
    case State::kInElement:
      break;
  }
  return Fail("internal error: splitter state");
}

Status JsonArraySplitter::Finish() {
  if (!error_.ok()) return error_;
  switch (state_) {
    case State::kDone:
      return Status::Ok();
    case State::kBeforeArray:
      if (offset_ == static_cast<uint64_t>(bom_matched_)) {
        return Fail("not a JSON array: the file is empty");
      }
      return Fail("not a JSON array: the file holds only whitespace");
    case State::kBeforeElement:
    case State::kAfterElement:
      return Fail("unterminated array: the file ends after element " + std::to_string(elements_));
    case State::kInElement:
      return Fail("unterminated array: the file ends inside element " +
                  std::to_string(elements_ + 1));
  }
  return Fail("internal error: splitter state");
}

}  // namespace gptvault::ingest
