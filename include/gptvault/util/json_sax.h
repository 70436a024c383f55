// A strict, fast JSON reader that drives an nlohmann SAX handler.
//
// nlohmann's lexer reads one byte at a time through an input adapter and
// builds every string a byte at a time: ~200 MB/s here, and on a first add
// summarising the conversations took more time than anything else. This
// reader scans runs of plain bytes eight at a time and appends them whole.
//
// Contract: for input it accepts, the handler sees exactly the events, in
// the same order and with the same values, that nlohmann::json::sax_parse
// would give it (tests/unit/util_json_sax_test.cc checks this against
// nlohmann on every fixture and a table of edge cases). It accepts no input
// that nlohmann rejects, and gives up (kNotHandled) on anything unusual it
// does not need to judge itself: every syntax error, a byte-order mark, a
// lone surrogate escape, a number out of double range. The caller then runs
// nlohmann's parser, whose verdict and message stand. So this reader only
// ever decides how fast, never what.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gptvault {

enum class FastJson {
  kDone,            // the whole input was one JSON value; every event delivered
  kHandlerStopped,  // a handler callback returned false
  kNotHandled,      // not judged here: run nlohmann's parser instead
};

namespace json_scan {

// Reads a string body after its opening quote, up to and past the closing
// one, into `out` (decoded). False if it is not a string nlohmann accepts as
// is (control byte, invalid UTF-8, bad escape, lone surrogate, no end).
bool String(const char*& p, const char* end, std::string& out);

// A number token as nlohmann classifies it.
struct Number {
  enum class Kind { kInteger, kUnsigned, kFloat } kind = Kind::kUnsigned;
  int64_t integer = 0;
  uint64_t unsigned_value = 0;
  double real = 0;
  std::string text;  // the token, for number_float
};

// Reads a number at `p`. False if it is not a JSON number or does not fit a
// finite double.
bool ReadNumber(const char*& p, const char* end, Number& out);

inline void SkipSpace(const char*& p, const char* end) {
  while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
}

inline bool Literal(const char*& p, const char* end, std::string_view word) {
  if (static_cast<size_t>(end - p) < word.size() || std::string_view(p, word.size()) != word) {
    return false;
  }
  p += word.size();
  return true;
}

}  // namespace json_scan

// Parses `in` as one JSON value, calling `h` as nlohmann's sax_parse would.
// Nesting is kept on the heap (one byte per open container), never the stack.
template <class Handler>
FastJson FastSaxParse(std::string_view in, Handler& h) {
  using namespace json_scan;
  constexpr std::size_t kUnknownSize = static_cast<std::size_t>(-1);
  const char* p = in.data();
  const char* const end = p + in.size();
  std::vector<uint8_t> open;  // 1: object, 0: array
  std::string text;
  Number number;
  enum class Next { kValue, kKey, kAfterValue } next = Next::kValue;
  SkipSpace(p, end);
  for (;;) {
    switch (next) {
      case Next::kValue: {
        if (p == end) return FastJson::kNotHandled;
        const char c = *p;
        if (c == '{') {
          ++p;
          if (!h.start_object(kUnknownSize)) return FastJson::kHandlerStopped;
          SkipSpace(p, end);
          if (p < end && *p == '}') {
            ++p;
            if (!h.end_object()) return FastJson::kHandlerStopped;
            next = Next::kAfterValue;
          } else {
            open.push_back(1);
            next = Next::kKey;
          }
        } else if (c == '[') {
          ++p;
          if (!h.start_array(kUnknownSize)) return FastJson::kHandlerStopped;
          SkipSpace(p, end);
          if (p < end && *p == ']') {
            ++p;
            if (!h.end_array()) return FastJson::kHandlerStopped;
            next = Next::kAfterValue;
          } else {
            open.push_back(0);
            next = Next::kValue;
          }
        } else if (c == '"') {
          ++p;
          if (!String(p, end, text)) return FastJson::kNotHandled;
          if (!h.string(text)) return FastJson::kHandlerStopped;
          next = Next::kAfterValue;
        } else if (c == 't' || c == 'f' || c == 'n') {
          bool ok;
          if (Literal(p, end, "true")) {
            ok = h.boolean(true);
          } else if (Literal(p, end, "false")) {
            ok = h.boolean(false);
          } else if (Literal(p, end, "null")) {
            ok = h.null();
          } else {
            return FastJson::kNotHandled;
          }
          if (!ok) return FastJson::kHandlerStopped;
          next = Next::kAfterValue;
        } else {
          if (!ReadNumber(p, end, number)) return FastJson::kNotHandled;
          bool ok;
          switch (number.kind) {
            case Number::Kind::kInteger:
              ok = h.number_integer(number.integer);
              break;
            case Number::Kind::kUnsigned:
              ok = h.number_unsigned(number.unsigned_value);
              break;
            default:
              ok = h.number_float(number.real, number.text);
              break;
          }
          if (!ok) return FastJson::kHandlerStopped;
          next = Next::kAfterValue;
        }
        break;
      }
      case Next::kKey: {
        SkipSpace(p, end);
        if (p == end || *p != '"') return FastJson::kNotHandled;
        ++p;
        if (!String(p, end, text)) return FastJson::kNotHandled;
        SkipSpace(p, end);
        if (p == end || *p != ':') return FastJson::kNotHandled;
        ++p;
        if (!h.key(text)) return FastJson::kHandlerStopped;
        SkipSpace(p, end);
        next = Next::kValue;
        break;
      }
      case Next::kAfterValue: {
        SkipSpace(p, end);
        if (open.empty()) return p == end ? FastJson::kDone : FastJson::kNotHandled;
        if (p == end) return FastJson::kNotHandled;
        const bool in_object = open.back() == 1;
        if (*p == ',') {
          ++p;
          SkipSpace(p, end);
          next = in_object ? Next::kKey : Next::kValue;
        } else if (*p == (in_object ? '}' : ']')) {
          ++p;
          open.pop_back();
          if (!(in_object ? h.end_object() : h.end_array())) return FastJson::kHandlerStopped;
        } else {
          return FastJson::kNotHandled;
        }
        break;
      }
    }
  }
}

}  // namespace gptvault
