// ExportReport: what `verify` says of an archive, and what `add` checks
// before it records a snapshot. ExportChecker accumulates it as the
// conversations stream by, then resolves every file pointer.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "gptvault/ingest/asset_index.h"
#include "gptvault/ingest/conversation.h"
#include "gptvault/ingest/export_reader.h"

namespace gptvault::ingest {

struct ExportReport {
  struct Anomaly {
    std::string conversation;  // its id
    std::string what;          // one short sentence
  };
  struct MissingAsset {
    std::string conversation;
    std::string id;
  };
  ExportLayout layout;
  uint64_t members = 0;
  uint64_t bytes = 0;  // uncompressed, as declared
  uint64_t conversations = 0;
  uint64_t messages = 0;  // on every branch
  uint64_t branches = 0;
  uint64_t attachments_referenced = 0;  // distinct ids
  uint64_t attachments_found = 0;
  uint64_t attachments_missing = 0;
  std::vector<Anomaly> anomalies;
  std::vector<MissingAsset> missing;
  std::vector<std::string> problems;  // anything that makes the archive unsound
  bool sound() const { return problems.empty(); }
};

class ExportChecker {
 public:
  explicit ExportChecker(const ExportReader& reader);

  // Every conversation of the export, in order. Duplicated ids are reported.
  void Add(const ConversationInfo& info);
  // Fills attachments found/missing; call once, after every Add.
  ExportReport Finish();

  // Where each referenced id was found (valid after Finish).
  const std::unordered_map<std::string, AssetIndex::Hit>& resolved() const { return resolved_; }

 private:
  const ExportReader& reader_;
  ExportReport report_;
  std::unordered_map<std::string, int> seen_;
  std::vector<std::pair<std::string, std::string>> refs_;  // (conversation, asset id)
  std::unordered_map<std::string, AssetIndex::Hit> resolved_;
};

// `verify`: reads the whole archive at `path`, parses every conversation and
// resolves every file pointer. Fails (one line) where `add` would refuse the
// archive outright: not a ZIP, a bad CRC, a conversations file that is not a
// JSON array of conversations, ...; otherwise returns the report, whose
// problems are empty when the archive is sound.
Result<ExportReport> VerifyExport(const std::string& path);

}  // namespace gptvault::ingest
