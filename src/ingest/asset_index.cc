#include "gptvault/ingest/asset_index.h"

#include <algorithm>

namespace gptvault::ingest {

namespace {

std::string_view BaseName(std::string_view path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// The id a member's base name stands for: everything before the first '-'
// or '.' that follows the "file-"/"file_" prefix (ids have neither).
std::string_view KeyOf(std::string_view base) {
  size_t from = (base.starts_with("file-") || base.starts_with("file_")) ? 5 : 0;
  size_t cut = base.find_first_of("-.", from);
  return cut == std::string_view::npos ? base : base.substr(0, cut);
}

// Lower is better: the root, dalle-generations/, user-*/, then anywhere.
int Preference(std::string_view name) {
  if (name.find('/') == std::string_view::npos) return 0;
  if (name.starts_with("dalle-generations/")) return 1;
  if (name.starts_with("user-")) return 2;
  return 3;
}

}  // namespace

AssetIndex::AssetIndex(const std::vector<ExportMember>& members,
                       const std::map<std::string, std::string>& asset_names)
    : members_(members), asset_names_(asset_names) {
  for (const ExportMember& m : members_) {
    if (m.kind != ExportMember::Kind::kOther) continue;
    by_key_[std::string(KeyOf(BaseName(m.name)))].push_back(m.ordinal);
  }
  for (auto& [key, list] : by_key_) {
    std::stable_sort(list.begin(), list.end(), [&](size_t a, size_t b) {
      return Preference(members_[a].name) < Preference(members_[b].name);
    });
  }
}

std::optional<AssetIndex::Hit> AssetIndex::ResolveSpelling(std::string_view id) const {
  auto it = by_key_.find(std::string(id));
  if (it == by_key_.end()) return std::nullopt;
  // A .dat member wins: it is the 2026 form, with a name map beside it.
  for (size_t ordinal : it->second) {
    std::string_view base = BaseName(members_[ordinal].name);
    if (base.size() == id.size() + 4 && base.ends_with(".dat")) {
      auto named = asset_names_.find(std::string(base));
      return Hit{ordinal, named != asset_names_.end() ? named->second : std::string(base)};
    }
  }
  for (size_t ordinal : it->second) {
    std::string_view base = BaseName(members_[ordinal].name);
    // "file-<id>-<name>" (uploads, DALL-E images): the original name follows
    // the id. "file_<hex>-<uuid>" files (image generation, voice) carry no
    // name of their own, so they keep theirs.
    if (id.starts_with("file-") && base.size() > id.size() + 1 && base[id.size()] == '-') {
      return Hit{ordinal, std::string(base.substr(id.size() + 1))};
    }
    return Hit{ordinal, std::string(base)};
  }
  return std::nullopt;
}

std::optional<AssetIndex::Hit> AssetIndex::Resolve(std::string_view id) const {
  if (id.empty()) return std::nullopt;
  if (auto hit = ResolveSpelling(id)) return hit;
  if (id.starts_with("file_") || id.starts_with("file-")) {
    std::string other(id);
    other[4] = id[4] == '_' ? '-' : '_';
    return ResolveSpelling(other);
  }
  return std::nullopt;
}

}  // namespace gptvault::ingest
