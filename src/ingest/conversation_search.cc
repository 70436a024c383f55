#include "gptvault/ingest/conversation_search.h"

#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "gptvault/util/ascii.h"
#include "gptvault/util/json_sax.h"
#include "json_text.h"

namespace gptvault::ingest {
namespace {

using Json = nlohmann::json;

bool ContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// About 40 bytes before the match and 60 after, on character boundaries,
// whitespace runs as one space.
std::string Context(std::string_view text, size_t at, size_t length) {
  size_t begin = at > 40 ? at - 40 : 0;
  size_t end = std::min(text.size(), at + length + 60);
  while (begin > 0 && ContinuationByte(text[begin])) --begin;
  while (end < text.size() && ContinuationByte(text[end])) ++end;
  std::string out = begin > 0 ? "…" : "";
  bool space = false;
  for (char c : text.substr(begin, end - begin)) {
    const bool blank =
        c == ' ' || c == '\n' || c == '\t' || c == '\r' || (static_cast<unsigned char>(c) < 0x20);
    if (blank) {
      space = true;
      continue;
    }
    if (space && !out.empty() && out != "…") out += ' ';
    space = false;
    out += c;
  }
  if (end < text.size()) out += "…";
  return out;
}

// Follows the document's shape just enough to know whether a string is the
// title or lies under some "content" member; stops at the first match.
class Finder {
 public:
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  explicit Finder(std::string_view query) : query_(query) {}
  std::string_view query() const { return query_; }
  const std::optional<std::string>& found() const { return found_; }
  const std::string& error() const { return error_; }

  bool null() { return Value(); }
  bool boolean(bool) { return Value(); }
  bool number_integer(number_integer_t) { return Value(); }
  bool number_unsigned(number_unsigned_t) { return Value(); }
  bool number_float(number_float_t, const string_t&) { return Value(); }
  bool binary(binary_t&) { return Value(); }
  bool string(string_t& s) {
    const bool searched = next_ || (InScope() && !skip_);
    next_ = skip_ = false;
    if (!searched) return true;
    size_t at = FindIgnoringAsciiCase(s, query_);
    if (at == std::string_view::npos) return true;
    found_ = Context(s, at, query_.size());
    return false;  // found: stop reading
  }
  bool start_object(std::size_t) { return Open(); }
  bool start_array(std::size_t) { return Open(); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }
  bool key(string_t& k) {
    next_ = k == "content" || (scope_.size() == 1 && k == "title");
    skip_ = kStructural.contains(k);
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    error_ = e.what();
    return false;
  }

 private:
  bool InScope() const { return !scope_.empty() && scope_.back(); }
  bool Value() {
    next_ = skip_ = false;
    return true;
  }
  bool Open() {
    scope_.push_back(next_ || (InScope() && !skip_));
    next_ = skip_ = false;
    return true;
  }

  // Members inside content that say what a part is, not what it says.
  static inline const std::set<std::string, std::less<>> kStructural = {
      "content_type",       "asset_pointer", "expiry_datetime",      "format",
      "direction",          "decoding_id",   "response_format_name", "gen_id",
      "serialization_title"};
  bool Close() {
    scope_.pop_back();
    return true;
  }

  std::string_view query_;
  std::vector<bool> scope_;  // per open container: inside a "content" member
  bool next_ = false;        // the value about to be read is searched
  bool skip_ = false;        // ... or is not, though in a content member
  std::optional<std::string> found_;
  std::string error_;
};

// Reads `json` with the fast reader, else with nlohmann's; a match ends
// the reading either way.
void Search(std::string_view json, Finder& finder) {
  if (FastSaxParse(json, finder) != FastJson::kNotHandled) return;
  finder = Finder(finder.query());
  Json::sax_parse(json.begin(), json.end(), &finder);
}

std::optional<std::string> Find(std::string_view json, std::string_view query) {
  Finder finder(query);
  Search(json, finder);
  if (!finder.found() && finder.error().find("surrogate") != std::string::npos) {
    size_t replaced = 0;
    const std::string repaired = ReplaceLoneSurrogates(json, &replaced);
    finder = Finder(query);
    Search(repaired, finder);
  }
  return finder.found();
}

}  // namespace

std::optional<std::string> FindInConversation(std::string_view json, std::string_view query) {
  if (query.empty()) return std::nullopt;
  try {
    return Find(json, query);
  } catch (const std::exception&) {
    return std::nullopt;  // out of memory: treated as no match, like invalid JSON
  }
}

}  // namespace gptvault::ingest
