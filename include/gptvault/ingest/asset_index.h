// AssetIndex: which archive member a conversation's file pointer names, by
// the rules of the export field guide (§2.2), since no export says so
// directly: strip the scheme; `<id>.dat` (2026, friendly name from
// conversation_asset_file_names.json); else a member whose base name is
// `<id>`, `<id>-<name>` or `<id>.<ext>`, preferring the root, then
// dalle-generations/, then user-*/, then anywhere; else the same with the
// other spelling of the id (`file_X` <-> `file-X`). A pointer that resolves to
// nothing is normal: exports omit expired files.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gptvault/ingest/export_reader.h"

namespace gptvault::ingest {

class AssetIndex {
 public:
  struct Hit {
    size_t member;     // ordinal in ExportReader::members()
    std::string name;  // the file's original name, untrusted: sanitise before use
  };

  AssetIndex(const std::vector<ExportMember>& members,
             const std::map<std::string, std::string>& asset_names);

  std::optional<Hit> Resolve(std::string_view id) const;

 private:
  std::optional<Hit> ResolveSpelling(std::string_view id) const;

  const std::vector<ExportMember>& members_;
  const std::map<std::string, std::string>& asset_names_;
  // Base-name key -> member ordinals, best candidate first. The key of
  // "file-Abc-photo.png" and of "file-Abc.dat" is "file-Abc".
  std::unordered_map<std::string, std::vector<size_t>> by_key_;
};

}  // namespace gptvault::ingest
