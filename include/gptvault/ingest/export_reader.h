// ExportReader: one ChatGPT export archive, whatever its layout year, read as
// a stream of members and conversations. It recognises the conversations
// files (2023-25 single file, 2026 shards), the 2026 asset-name maps, and the
// privacy-portal container, whose export is a ZIP nested inside: that inner
// ZIP is copied to an anonymous file that no name ever points at (memfd, else
// O_TMPFILE; its CRC checked on the way) and read like a top-level one.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gptvault/ingest/zip_reader.h"
#include "gptvault/util/bytes.h"
#include "gptvault/util/status.h"

namespace gptvault::ingest {

struct ExportMember {
  enum class Kind { kDirectory, kConversations, kNestedExport, kOther };
  size_t ordinal = 0;     // position in archive order (outer members, then inner)
  std::string name;       // path inside its archive: untrusted, never a path as-is
  std::string container;  // "" at the top level, else the nested export's member name
  uint64_t size = 0;      // declared uncompressed size
  uint64_t compressed_size = 0;
  uint32_t crc = 0;
  Kind kind = Kind::kOther;
};

struct ExportLayout {
  bool sharded = false;          // conversations-NNN.json rather than conversations.json
  bool dat_assets = false;       // 2026 <id>.dat files with conversation_asset_file_names.json
  std::string nested;            // the nested export's member name ("" when not a container)
  std::string Describe() const;  // "single", "sharded", "sharded + .dat assets", ...
};

// Receives an export's content. Conversations files come first (so a broken
// conversations file is refused before gigabytes of attachments stream by),
// then every other member in archive order.
class ExportVisitor {
 public:
  virtual ~ExportVisitor() = default;
  virtual Status OnMemberStart(const ExportMember& member) = 0;
  // The bytes of a kOther member, in pieces.
  virtual Status OnData(ByteView piece) = 0;
  // One conversation of a kConversations member: the bytes since the previous
  // one (brackets, commas, whitespace) and its exact bytes.
  virtual Status OnConversation(std::string_view glue, std::string_view json) = 0;
  // `trailing` is what follows the last conversation (kConversations only).
  virtual Status OnMemberEnd(const ExportMember& member, std::string_view trailing) = 0;
};

class ExportReader {
 public:
  // Opens the archive and classifies its members; refuses, with one line,
  // anything ZipReader refuses, and archives with no conversations file.
  static Result<std::unique_ptr<ExportReader>> Open(const std::string& path);
  ~ExportReader();

  const ExportLayout& layout() const { return layout_; }
  const std::vector<ExportMember>& members() const { return members_; }
  // "<assetId>.dat" -> original file name, from conversation_asset_file_names.json,
  // completed by library_files.json ("<file_id>" -> file_name).
  const std::map<std::string, std::string>& asset_names() const { return asset_names_; }
  uint64_t compressed_size() const;

  Status Read(ExportVisitor& visitor);
  // The conversations files only (no OnMemberStart/End for other members).
  Status ReadConversations(ExportVisitor& visitor);

 private:
  ExportReader() = default;
  Status Classify();
  Status LoadAssetNames();
  Status ReadMember(const ExportMember& m, ExportVisitor& visitor);
  ZipReader& ReaderFor(const ExportMember& m);
  const ZipMember& ZipMemberFor(const ExportMember& m) const;

  std::unique_ptr<ZipReader> outer_;
  std::unique_ptr<ZipReader> inner_;  // the nested export, when there is one
  ExportLayout layout_;
  std::vector<ExportMember> members_;
  std::vector<size_t> zip_index_;  // members_[i] -> index in its ZipReader's members()
  std::map<std::string, std::string> asset_names_;
};

}  // namespace gptvault::ingest
