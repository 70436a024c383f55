#include "json_text.h"

namespace gptvault::ingest {

// nlohmann's messages carry a "[json.exception.parse_error.101] " prefix and
// may quote input bytes; the user gets one printable line of modest length.
std::string OneLine(std::string_view what) {
  if (what.starts_with("[json.exception.")) {
    const size_t close = what.find("] ");
    if (close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  constexpr size_t kMax = 200;
  std::string out;
  for (char c : what) {
    if (out.size() >= kMax) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7F ? ' ' : c);
  }
  return out;
}

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of a "\uXXXX" escape starting at json[i], or -1.
int EscapedUnit(std::string_view json, size_t i) {
  if (i + 6 > json.size() || json[i] != '\\' || json[i + 1] != 'u') return -1;
  int unit = 0;
  for (size_t k = i + 2; k < i + 6; ++k) {
    const int h = HexValue(json[k]);
    if (h < 0) return -1;
    unit = unit << 4 | h;
  }
  return unit;
}

}  // namespace

// Real exports hold lone UTF-16 surrogates as "\uD83D" escapes, which
// nlohmann rejects. Each becomes "\uFFFD" (same length), which is enough for
// a summary: the vault keeps the original bytes, not these.
std::string ReplaceLoneSurrogates(std::string_view json, size_t* replaced) {
  std::string out(json);
  *replaced = 0;
  for (size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] != '\\') continue;
    const int unit = EscapedUnit(out, i);
    if (unit < 0) {
      ++i;  // skip the escaped byte, so "\\" never starts a new escape
      continue;
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      const int next = EscapedUnit(out, i + 6);
      if (next >= 0xDC00 && next <= 0xDFFF) {
        i += 11;  // a proper pair
        continue;
      }
    }
    if (unit >= 0xD800 && unit <= 0xDFFF) {
      out.replace(i + 2, 4, "FFFD");
      ++*replaced;
    }
    i += 5;
  }
  return out;
}

std::optional<std::string> AssetIdOfPointer(std::string_view pointer) {
  for (std::string_view scheme : {"file-service://", "sediment://"}) {
    if (pointer.starts_with(scheme) && pointer.size() > scheme.size()) {
      return std::string(pointer.substr(scheme.size()));
    }
  }
  return std::nullopt;
}

}  // namespace gptvault::ingest
