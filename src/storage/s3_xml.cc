#include "s3_xml.h"

#include <cstddef>

#include "gptvault/util/time_format.h"

namespace gptvault::storage::s3xml {

namespace {

constexpr std::string_view kCdataOpen = "<![CDATA[";
constexpr std::string_view kCdataClose = "]]>";

struct Element {
  std::string_view inner;  // raw content between the tags
  size_t end = 0;          // position just after the element
};

bool IsNameEnd(char c) {
  return c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Skips a comment, CDATA section or processing instruction starting at
// `pos`; returns the position after it, `pos` when there is none there, and
// npos when it never ends.
size_t SkipSpecial(std::string_view xml, size_t pos) {
  auto skip_to = [&](std::string_view close) {
    size_t e = xml.find(close, pos);
    return e == std::string_view::npos ? e : e + close.size();
  };
  std::string_view rest = xml.substr(pos);
  if (rest.starts_with("<!--")) return skip_to("-->");
  if (rest.starts_with(kCdataOpen)) return skip_to(kCdataClose);
  if (rest.starts_with("<?")) return skip_to("?>");
  return pos;
}

// The first <tag ...>...</tag> or <tag/> at or after `from`. Elements of one
// name do not nest in S3 responses, so the first closing tag ends it.
std::optional<Element> FindElement(std::string_view xml, std::string_view tag, size_t from) {
  size_t pos = from;
  while ((pos = xml.find('<', pos)) != std::string_view::npos) {
    const size_t skipped = SkipSpecial(xml, pos);
    if (skipped == std::string_view::npos) return std::nullopt;
    if (skipped != pos) {
      pos = skipped;
      continue;
    }
    const size_t name_end = pos + 1 + tag.size();
    if (xml.substr(pos + 1, tag.size()) != tag || name_end >= xml.size() ||
        !IsNameEnd(xml[name_end])) {
      ++pos;
      continue;
    }
    const size_t gt = xml.find('>', name_end);
    if (gt == std::string_view::npos) return std::nullopt;
    if (xml[gt - 1] == '/') return Element{{}, gt + 1};
    const size_t start = gt + 1;
    size_t p = start;
    while ((p = xml.find('<', p)) != std::string_view::npos) {
      const size_t after = SkipSpecial(xml, p);
      if (after == std::string_view::npos) return std::nullopt;
      if (after != p) {
        p = after;
        continue;
      }
      if (xml.substr(p, 2) == "</" && xml.substr(p + 2, tag.size()) == tag) {
        size_t q = p + 2 + tag.size();
        while (q < xml.size() &&
               (xml[q] == ' ' || xml[q] == '\t' || xml[q] == '\r' || xml[q] == '\n')) {
          ++q;
        }
        if (q < xml.size() && xml[q] == '>') return Element{xml.substr(start, p - start), q + 1};
      }
      ++p;
    }
    return std::nullopt;  // never closed
  }
  return std::nullopt;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes the reference `ref` (between '&' and ';'); false when it is not
// one we know.
bool DecodeReference(std::string_view ref, std::string& out) {
  if (ref == "amp") return out.push_back('&'), true;
  if (ref == "lt") return out.push_back('<'), true;
  if (ref == "gt") return out.push_back('>'), true;
  if (ref == "quot") return out.push_back('"'), true;
  if (ref == "apos") return out.push_back('\''), true;
  if (ref.size() < 2 || ref[0] != '#') return false;
  const bool hex = ref[1] == 'x' || ref[1] == 'X';
  std::string_view digits = ref.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 8) return false;
  uint32_t cp = 0;
  for (char c : digits) {
    uint32_t d;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint32_t>(c - '0');
    } else if (hex && c >= 'a' && c <= 'f') {
      d = static_cast<uint32_t>(c - 'a' + 10);
    } else if (hex && c >= 'A' && c <= 'F') {
      d = static_cast<uint32_t>(c - 'A' + 10);
    } else {
      return false;
    }
    cp = cp * (hex ? 16 : 10) + d;
  }
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  AppendUtf8(out, cp);
  return true;
}

std::optional<uint64_t> ParseUnsigned(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\n' || s.front() == '\r' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  if (s.empty() || s.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

}  // namespace

std::string DecodeText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text.substr(i).starts_with(kCdataOpen)) {
      const size_t start = i + kCdataOpen.size();
      const size_t end = text.find(kCdataClose, start);
      if (end == std::string_view::npos) {
        out.append(text.substr(i));
        break;
      }
      out.append(text.substr(start, end - start));
      i = end + kCdataClose.size();
      continue;
    }
    if (text[i] == '&') {
      const size_t semi = text.find(';', i + 1);
      if (semi != std::string_view::npos && semi - i <= 12 &&
          DecodeReference(text.substr(i + 1, semi - i - 1), out)) {
        i = semi + 1;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

std::optional<std::string> FirstText(std::string_view xml, std::string_view tag) {
  auto e = FindElement(xml, tag, 0);
  if (!e) return std::nullopt;
  return DecodeText(e->inner);
}

Result<ListPage> ParseListObjectsV2(std::string_view xml) {
  auto malformed = [](const std::string& why) {
    return Status::Corruption("malformed S3 listing: " + why);
  };
  if (!FindElement(xml, "ListBucketResult", 0)) return malformed("no ListBucketResult");
  ListPage page;
  size_t pos = 0;
  while (auto contents = FindElement(xml, "Contents", pos)) {
    pos = contents->end;
    auto key = FindElement(contents->inner, "Key", 0);
    auto size = FindElement(contents->inner, "Size", 0);
    if (!key) return malformed("an entry without a Key");
    ListedObject obj;
    obj.key = DecodeText(key->inner);
    if (obj.key.empty()) return malformed("an entry with an empty Key");
    std::optional<uint64_t> n = size ? ParseUnsigned(DecodeText(size->inner)) : std::nullopt;
    if (!n) return malformed("no valid Size for " + obj.key);
    obj.size = *n;
    if (auto when = FindElement(contents->inner, "LastModified", 0)) {
      if (auto t = ParseUtcInstant(DecodeText(when->inner))) {
        obj.last_modified = static_cast<int64_t>(*t);
      }
    }
    page.objects.push_back(std::move(obj));
  }
  const std::string truncated = FirstText(xml, "IsTruncated").value_or("false");
  if (truncated == "true") {
    page.truncated = true;
    page.next_continuation_token = FirstText(xml, "NextContinuationToken").value_or("");
    if (page.next_continuation_token.empty()) {
      return malformed("truncated without a NextContinuationToken");
    }
  } else if (truncated != "false") {
    return malformed("IsTruncated is \"" + truncated + "\"");
  }
  return page;
}

ErrorInfo ParseError(std::string_view xml) {
  ErrorInfo info;
  auto error = FindElement(xml, "Error", 0);
  if (!error) return info;
  info.code = FirstText(error->inner, "Code").value_or("");
  info.message = FirstText(error->inner, "Message").value_or("");
  return info;
}

}  // namespace gptvault::storage::s3xml
