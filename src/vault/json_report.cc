#include "gptvault/vault/json_report.h"

#include <cmath>
#include <ctime>

#include "gptvault/storage/file_names.h"
#include "gptvault/util/time_format.h"
#include "json_codec.h"

namespace gptvault::vault {

using namespace detail;

namespace {

// RFC 3339 UTC to the second ("2026-03-01T12:00:00Z"), null for none or a
// time no calendar shows.
json Rfc3339(std::optional<double> epoch) {
  std::string when = FormatUtcRfc3339(epoch);
  if (when.empty()) return nullptr;
  return when;
}

}  // namespace

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

std::string SnapshotsJson(const std::vector<Snapshot>& list, const Catalog* latest) {
  json out = json::array();
  for (const Snapshot& s : list) {
    const AddCounts& c = s.counts;
    const std::optional<double> export_time = latest ? ExportTimeOf(s, *latest) : s.export_time;
    out.push_back({{"seq", s.seq},
                   {"id", storage::SnapshotShortId(s.name, 64)},
                   {"short_id", storage::SnapshotShortId(s.name)},
                   {"time", s.time},
                   {"source", s.source},
                   {"source_size", s.source_size},
                   {"export_time", OptDouble(s.export_time)},
                   {"export_date", Rfc3339(export_time)},
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

std::string HistoryJson(const ConversationHistory& h) {
  json versions = json::array();
  std::optional<size_t> current;
  for (const VersionEntry& e : h.versions) {
    const ConversationVersion& v = e.version;
    if (e.current) current = e.number;
    versions.push_back(
        {{"version", e.number},
         {"current", e.current},
         {"snapshots", e.snapshots},
         {"first_snapshot", v.first_seq},
         {"last_snapshot", e.snapshots.empty() ? json(nullptr) : json(e.snapshots.back())},
         {"update_time", OptDouble(v.update_time)},
         {"updated", Rfc3339(v.update_time)},
         {"title", OptString(v.title)},
         {"title_changed", e.title_changed},
         {"messages", v.messages},
         {"all_messages", v.all_messages},
         {"branches", v.branches},
         {"size", v.content.size}});
  }
  return json{{"id", h.id},
              {"create_time", OptDouble(h.create_time)},
              {"versions", std::move(versions)},
              {"current_version", current ? json(*current) : json(nullptr)},
              {"newest_export_snapshot", h.newest_export_seq},
              {"in_newest_export", h.in_newest_export}}
      .dump(2, ' ', false, json::error_handler_t::replace);
}

std::string StatsJson(const VaultStats& st) {
  json growth = json::array();
  uint64_t total = 0;
  for (const Snapshot& s : st.snapshots) {
    total += s.counts.bytes_stored;
    growth.push_back({{"seq", s.seq},
                      {"id", storage::SnapshotShortId(s.name, 64)},
                      {"time", s.time},
                      {"source", s.source},
                      {"source_size", s.source_size},
                      {"bytes_read", s.counts.bytes_read},
                      {"bytes_stored", s.counts.bytes_stored},
                      {"total_stored", total}});
  }
  auto ratio = [](uint64_t a, uint64_t b) { return b == 0 ? json(nullptr) : json(double(a) / b); };
  return json{{"conversations", st.conversations},
              {"in_newest_export", st.in_newest_export},
              {"versions", st.versions},
              {"snapshots", st.snapshots.size()},
              {"assets", st.assets},
              {"asset_bytes", st.asset_bytes},
              {"archive_bytes", st.archive_bytes},
              {"bytes_read", st.bytes_read},
              {"bytes_stored", st.bytes_stored},
              {"dedupe_ratio", ratio(st.bytes_read, st.bytes_stored)},
              {"archive_ratio", ratio(st.archive_bytes, st.bytes_stored)},
              {"growth", std::move(growth)}}
      .dump(2, ' ', false, json::error_handler_t::replace);
}

std::string CheckJson(const CheckReport& r) {
  return json{{"ok", r.problems.empty()}, {"snapshots", r.snapshots},
              {"packs", r.packs},         {"objects_checked", r.objects_checked},
              {"problems", r.problems},   {"notes", r.notes}}
      .dump(2, ' ', false, json::error_handler_t::replace);
}

std::string ForgetJson(const std::vector<Snapshot>& history,
                       const std::vector<RetentionDecision>& decisions, const ForgetResult& result,
                       bool dry_run) {
  json forget = json::array(), keep = json::array();
  for (size_t i = 0; i < history.size() && i < decisions.size(); ++i) {
    const Snapshot& s = history[i];
    json entry = {{"seq", s.seq},
                  {"id", storage::SnapshotShortId(s.name, 64)},
                  {"source", s.source},
                  {"export_date", FormatUtcRfc3339(static_cast<double>(decisions[i].time))}};
    if (decisions[i].keep) {
      entry["reasons"] = decisions[i].reasons;
      keep.push_back(std::move(entry));
    } else {
      forget.push_back(std::move(entry));
    }
  }
  return json{{"dry_run", dry_run},
              {"forget", forget},
              {"keep", keep},
              {"snapshots_rewritten", result.rewritten},
              {"versions_dropped", result.versions_dropped}}
      .dump(2, ' ', false, json::error_handler_t::replace);
}

std::string PruneJson(const storage::PruneReport& r, bool dry_run) {
  auto count = [](const storage::PruneReport::Count& c) {
    return json{{"packs", c.packs}, {"bytes", c.bytes}};
  };
  return json{{"dry_run", dry_run},
              {"total", count(r.total)},
              {"unused", count(r.unused)},
              {"unindexed", count(r.unindexed)},
              {"repacked", count(r.repacked)},
              {"written", count(r.written)},
              {"young", count(r.young)},
              {"unused_bytes_kept", r.unused_bytes_kept},
              {"reclaimed_bytes", r.reclaimed()},
              {"objects_needed", r.objects_needed},
              {"objects_rewritten_whole", r.objects_rewritten_whole},
              {"index_files_deleted", r.index_files_deleted}}
      .dump(2);
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
