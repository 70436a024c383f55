#include "gptvault/vault/json_report.h"

#include <ctime>

#include "json_codec.h"

namespace gptvault::vault {

using namespace detail;

std::string ConversationsJson(const std::vector<ConversationSummary>& list) {
  json out = json::array();
  for (const ConversationSummary& c : list) {
    out.push_back({{"id", c.id},
                   {"title", OptString(c.title)},
                   {"create_time", OptDouble(c.create_time)},
                   {"update_time", OptDouble(c.update_time)},
                   {"messages", c.messages},
                   {"versions", c.versions},
                   {"in_latest_export", c.in_latest},
                   {"size", c.size}});
    if (c.match) out.back()["match"] = *c.match;
  }
  return out.dump(2, ' ', false, json::error_handler_t::replace);
}

std::string SnapshotsJson(const std::vector<Snapshot>& list) {
  json out = json::array();
  for (const Snapshot& s : list) {
    const AddCounts& c = s.counts;
    out.push_back({{"seq", s.seq},
                   {"time", s.time},
                   {"source", s.source},
                   {"source_size", s.source_size},
                   {"export_time", OptDouble(s.export_time)},
                   {"conversations", c.conversations},
                   {"new", c.new_conversations},
                   {"updated", c.updated},
                   {"unchanged", c.unchanged},
                   {"kept", c.kept},
                   {"members", c.members},
                   {"bytes_read", c.bytes_read},
                   {"bytes_stored", c.bytes_stored}});
  }
  return out.dump(2, ' ', false, json::error_handler_t::replace);
}

std::string CheckJson(const CheckReport& r) {
  return json{{"ok", r.problems.empty()}, {"snapshots", r.snapshots},
              {"packs", r.packs},         {"objects_checked", r.objects_checked},
              {"problems", r.problems},   {"notes", r.notes}}
      .dump(2, ' ', false, json::error_handler_t::replace);
}

std::string ExportReportJson(const ingest::ExportReport& r) {
  json anomalies = json::array();
  for (const auto& a : r.anomalies)
    anomalies.push_back({{"conversation", a.conversation}, {"what", a.what}});
  json missing = json::array();
  for (const auto& m : r.missing)
    missing.push_back({{"conversation", m.conversation}, {"id", m.id}});
  return json{{"ok", r.sound()},
              {"layout", r.layout.sharded ? "sharded" : "single"},
              {"dat_assets", r.layout.dat_assets},
              {"nested", r.layout.nested.empty() ? json(nullptr) : json(r.layout.nested)},
              {"members", r.members},
              {"bytes", r.bytes},
              {"conversations", r.conversations},
              {"messages", r.messages},
              {"branches", r.branches},
              {"attachments",
               {{"referenced", r.attachments_referenced},
                {"found", r.attachments_found},
                {"missing", r.attachments_missing}}},
              {"missing_attachments", std::move(missing)},
              {"anomalies", std::move(anomalies)},
              {"problems", r.problems}}
      .dump(2, ' ', false, json::error_handler_t::replace);
}

std::string KeysJson(const std::vector<storage::KeyEntry>& keys, const std::string& unlocked) {
  json out = json::array();
  for (const storage::KeyEntry& k : keys) {
    json e{{"id", k.id}, {"unlocked", k.id == unlocked}};
    if (k.problem.empty()) {
      std::time_t t = static_cast<std::time_t>(k.info.created);
      std::tm tm{};
      gmtime_r(&t, &tm);
      char when[32];
      std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
      e["created"] = when;
      e["opslimit"] = k.info.kdf.opslimit;
      e["memlimit"] = k.info.kdf.memlimit;
      e["problem"] = nullptr;
    } else {
      e["created"] = nullptr;
      e["problem"] = k.problem;
    }
    out.push_back(std::move(e));
  }
  return out.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace gptvault::vault
