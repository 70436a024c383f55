#include "gptvault/util/json_sax.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace gptvault::json_scan {

namespace {

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHigh = 0x8080808080808080ULL;

// Whether any of the eight bytes may need a closer look: a quote, a
// backslash, a control byte or a byte of a multi-byte UTF-8 sequence. May
// say yes for a plain word (the byte loop then finds nothing); never no for
// a word that holds one.
inline bool MayBeSpecial(uint64_t w) {
  const uint64_t below_space = (w - kOnes * 0x20) & ~w;
  const uint64_t q = w ^ (kOnes * '"');
  const uint64_t b = w ^ (kOnes * '\\');
  const uint64_t quote = (q - kOnes) & ~q;
  const uint64_t backslash = (b - kOnes) & ~b;
  return ((below_space | quote | backslash) & kHigh) != 0 || (w & kHigh) != 0;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Four hex digits after "\u".
bool Hex4(const char*& p, const char* end, uint32_t& out) {
  if (end - p < 4) return false;
  out = 0;
  for (int i = 0; i < 4; ++i) {
    const int v = HexValue(p[i]);
    if (v < 0) return false;
    out = out << 4 | static_cast<uint32_t>(v);
  }
  p += 4;
  return true;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | cp >> 6));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | cp >> 12));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | cp >> 18));
    out.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

inline bool InRange(const char* p, unsigned char lo, unsigned char hi) {
  const auto u = static_cast<unsigned char>(*p);
  return u >= lo && u <= hi;
}

// The length of the well-formed UTF-8 sequence at `p` (RFC 3629, as
// nlohmann checks it: no overlong forms, no surrogates, nothing past
// U+10FFFF), or 0.
size_t Utf8Length(const char* p, const char* end) {
  const auto u = static_cast<unsigned char>(*p);
  const ptrdiff_t left = end - p;
  if (u >= 0xC2 && u <= 0xDF) return left >= 2 && InRange(p + 1, 0x80, 0xBF) ? 2 : 0;
  if (u >= 0xE0 && u <= 0xEF) {
    if (left < 3) return 0;
    const unsigned char lo = u == 0xE0 ? 0xA0 : 0x80;
    const unsigned char hi = u == 0xED ? 0x9F : 0xBF;
    return InRange(p + 1, lo, hi) && InRange(p + 2, 0x80, 0xBF) ? 3 : 0;
  }
  if (u >= 0xF0 && u <= 0xF4) {
    if (left < 4) return 0;
    const unsigned char lo = u == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = u == 0xF4 ? 0x8F : 0xBF;
    return InRange(p + 1, lo, hi) && InRange(p + 2, 0x80, 0xBF) && InRange(p + 3, 0x80, 0xBF) ? 4
                                                                                              : 0;
  }
  return 0;
}

bool Escape(const char*& p, const char* end, std::string& out) {
  if (p == end) return false;
  const char c = *p++;
  switch (c) {
    case '"':
    case '\\':
    case '/':
      out.push_back(c);
      return true;
    case 'b':
      out.push_back('\b');
      return true;
    case 'f':
      out.push_back('\f');
      return true;
    case 'n':
      out.push_back('\n');
      return true;
    case 'r':
      out.push_back('\r');
      return true;
    case 't':
      out.push_back('\t');
      return true;
    case 'u':
      break;
    default:
      return false;
  }
  uint32_t cp;
  if (!Hex4(p, end, cp)) return false;
  if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low half alone
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    uint32_t low;
    if (end - p < 2 || p[0] != '\\' || p[1] != 'u') return false;
    p += 2;
    if (!Hex4(p, end, low) || low < 0xDC00 || low > 0xDFFF) return false;
    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
  }
  AppendUtf8(cp, out);
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool String(const char*& p, const char* end, std::string& out) {
  out.clear();
  const char* run = p;  // plain bytes not yet appended
  for (;;) {
    while (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      if (MayBeSpecial(w)) break;
      p += 8;
    }
    if (p == end) return false;
    const auto u = static_cast<unsigned char>(*p);
    if (u == '"') {
      out.append(run, p);
      ++p;
      return true;
    }
    if (u == '\\') {
      out.append(run, p);
      ++p;
      if (!Escape(p, end, out)) return false;
      run = p;
    } else if (u < 0x20) {
      return false;
    } else if (u >= 0x80) {
      const size_t n = Utf8Length(p, end);
      if (n == 0) return false;
      p += n;
    } else {
      ++p;
    }
  }
}

bool ReadNumber(const char*& p, const char* end, Number& out) {
  const char* start = p;
  const char* q = p;
  if (q < end && *q == '-') ++q;
  if (q == end || !IsDigit(*q)) return false;
  if (*q == '0') {
    ++q;
  } else {
    while (q < end && IsDigit(*q)) ++q;
  }
  bool integral = true;
  if (q < end && *q == '.') {
    ++q;
    if (q == end || !IsDigit(*q)) return false;
    while (q < end && IsDigit(*q)) ++q;
    integral = false;
  }
  if (q < end && (*q == 'e' || *q == 'E')) {
    ++q;
    if (q < end && (*q == '+' || *q == '-')) ++q;
    if (q == end || !IsDigit(*q)) return false;
    while (q < end && IsDigit(*q)) ++q;
    integral = false;
  }
  // As nlohmann: an integer that does not fit 64 bits is read as a double.
  if (integral) {
    if (*start == '-') {
      auto r = std::from_chars(start, q, out.integer);
      if (r.ec == std::errc() && r.ptr == q) {
        out.kind = Number::Kind::kInteger;
        p = q;
        return true;
      }
    } else {
      auto r = std::from_chars(start, q, out.unsigned_value);
      if (r.ec == std::errc() && r.ptr == q) {
        out.kind = Number::Kind::kUnsigned;
        p = q;
        return true;
      }
    }
  }
  // Out of range either way (overflow, or underflow to a denormal or zero)
  // is left to nlohmann, which reads it with strtod and judges it.
  auto r = std::from_chars(start, q, out.real);
  if (r.ec != std::errc() || r.ptr != q || !std::isfinite(out.real)) return false;
  out.kind = Number::Kind::kFloat;
  out.text.assign(start, q);
  p = q;
  return true;
}

}  // namespace gptvault::json_scan
