#include "gptvault/ingest/export_report.h"

#include <unordered_set>

namespace gptvault::ingest {

ExportChecker::ExportChecker(const ExportReader& reader) : reader_(reader) {
  report_.layout = reader.layout();
  for (const ExportMember& m : reader.members()) {
    ++report_.members;
    report_.bytes += m.size;
  }
}

void ExportChecker::Add(const ConversationInfo& info) {
  ++report_.conversations;
  report_.messages += info.total_messages;
  report_.branches += info.branches;
  for (const std::string& w : info.warnings) report_.anomalies.push_back({info.id, w});
  if (++seen_[info.id] == 2) {
    report_.anomalies.push_back(
        {info.id, "the same conversation id appears more than once; the later copy is current"});
  }
  for (const ConversationInfo::AssetRef& a : info.assets) refs_.emplace_back(info.id, a.id);
}

ExportReport ExportChecker::Finish() {
  AssetIndex index(reader_.members(), reader_.asset_names());
  std::unordered_set<std::string> distinct, missing;
  for (const auto& [conversation, id] : refs_) {
    if (distinct.insert(id).second) {
      if (auto hit = index.Resolve(id)) {
        resolved_.emplace(id, *hit);
      } else {
        missing.insert(id);
      }
    }
    if (missing.count(id)) report_.missing.push_back({conversation, id});
  }
  report_.attachments_referenced = distinct.size();
  report_.attachments_missing = missing.size();
  report_.attachments_found = distinct.size() - missing.size();
  if (report_.conversations == 0)
    report_.problems.push_back("the archive holds zero conversations");
  return report_;
}

namespace {

class Verifier : public ExportVisitor {
 public:
  explicit Verifier(ExportChecker& checker) : checker_(checker) {}
  Status OnMemberStart(const ExportMember&) override { return Status::Ok(); }
  Status OnData(ByteView) override { return Status::Ok(); }
  Status OnConversation(std::string_view, std::string_view json) override {
    ++count_;
    auto info = ParseConversation(json);
    if (!info.ok()) return info.status().WithContext("conversation " + std::to_string(count_));
    checker_.Add(*info);
    return Status::Ok();
  }
  Status OnMemberEnd(const ExportMember&, std::string_view) override { return Status::Ok(); }

 private:
  ExportChecker& checker_;
  uint64_t count_ = 0;
};

}  // namespace

Result<ExportReport> VerifyExport(const std::string& path) {
  GV_ASSIGN_OR_RETURN(auto reader, ExportReader::Open(path));
  ExportChecker checker(*reader);
  Verifier verifier(checker);
  GV_RETURN_IF_ERROR(reader->Read(verifier));
  return checker.Finish();
}

}  // namespace gptvault::ingest
