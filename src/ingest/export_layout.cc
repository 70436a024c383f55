#include "gptvault/ingest/export_layout.h"

namespace gptvault::ingest {

// Matches ^(.*/)?conversations(-\d+)?\.json$ by hand: a regex library would
// be slower and no clearer for one fixed pattern. Case matters, as in real
// exports; the dash is optional so that pre-2026 single files still match.
bool IsConversationsFile(std::string_view member_name) {
  const size_t slash = member_name.rfind('/');
  std::string_view base =
      slash == std::string_view::npos ? member_name : member_name.substr(slash + 1);
  constexpr std::string_view kStem = "conversations";
  constexpr std::string_view kExt = ".json";
  if (!base.starts_with(kStem) || !base.ends_with(kExt)) return false;
  if (base.size() < kStem.size() + kExt.size()) return false;
  std::string_view middle = base.substr(kStem.size(), base.size() - kStem.size() - kExt.size());
  if (middle.empty()) return true;
  if (middle.size() < 2 || middle[0] != '-') return false;
  for (char c : middle.substr(1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace gptvault::ingest
