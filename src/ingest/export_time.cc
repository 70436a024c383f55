#include "gptvault/ingest/export_time.h"

#include "gptvault/ingest/conversation.h"
#include "gptvault/ingest/export_reader.h"

namespace gptvault::ingest {

namespace {

class NewestUpdate : public ExportVisitor {
 public:
  Status OnMemberStart(const ExportMember&) override { return Status::Ok(); }
  Status OnData(ByteView) override { return Status::Ok(); }
  Status OnMemberEnd(const ExportMember&, std::string_view) override { return Status::Ok(); }
  Status OnConversation(std::string_view, std::string_view json) override {
    ++count_;
    auto info = ParseConversation(json);
    if (!info.ok()) return info.status().WithContext("conversation " + std::to_string(count_));
    if (info->update_time && (!newest_ || *info->update_time > *newest_)) {
      newest_ = info->update_time;
    }
    return Status::Ok();
  }
  std::optional<double> newest() const { return newest_; }

 private:
  uint64_t count_ = 0;
  std::optional<double> newest_;
};

}  // namespace

Result<std::optional<double>> ReadExportTime(const std::string& archive_path) {
  GV_ASSIGN_OR_RETURN(auto reader, ExportReader::Open(archive_path));
  NewestUpdate visitor;
  GV_RETURN_IF_ERROR(reader->ReadConversations(visitor));
  return visitor.newest();
}

}  // namespace gptvault::ingest
