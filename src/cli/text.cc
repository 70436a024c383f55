#include "text.h"

#include "gptvault/util/time_format.h"

namespace gptvault::cli {

namespace {

// Decodes one UTF-8 sequence at `s[i]`; returns its length, 0 if invalid.
size_t Utf8Length(std::string_view s, size_t i, uint32_t& cp) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  cp = len == 1 ? c : c & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc >> 6) != 2) return 0;
    cp = cp << 6 | (cc & 0x3F);
  }
  return len;
}

bool IsUnsafe(uint32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

std::string OneLine(std::string_view text, size_t width) {
  std::string out;
  size_t points = 0;
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    size_t len = Utf8Length(text, i, cp);
    if (points == width) {
      out += "\u2026";
      break;
    }
    if (len == 0) {
      out += "\uFFFD";
      i += 1;
    } else {
      if (IsUnsafe(cp)) {
        out += ' ';
      } else {
        out.append(text.substr(i, len));
      }
      i += len;
    }
    ++points;
  }
  return out;
}

std::string ShellWord(std::string_view word) {
  auto plain = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
  };
  bool quote = word.empty();
  for (char c : word) quote = quote || !plain(c);
  if (!quote) return std::string(word);
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string FormatTime(std::optional<double> epoch) {
  std::string t = FormatUtcMinute(epoch);
  return t.empty() ? "-" : t;
}

}  // namespace gptvault::cli
