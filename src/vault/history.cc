// The vault's past: every version of a conversation, the version current at
// a time, and what the whole vault took to hold.
#include <algorithm>
#include <limits>

#include "gptvault/util/time_format.h"
#include "gptvault/vault/vault.h"

namespace gptvault::vault {

Result<ConversationHistory> Vault::VersionsOf(const std::string& id) {
  GV_ASSIGN_OR_RETURN(std::vector<Snapshot> history, History());
  if (history.empty()) return Status::NotFound("no conversation with id " + id);
  GV_ASSIGN_OR_RETURN(const Catalog* catalog, CatalogAt(history.back()));
  GV_ASSIGN_OR_RETURN(const ConversationRecord* found, FindConversation(*catalog, id));
  const ConversationRecord& rec = *found;

  // Which exports hold which bytes is in the manifests, not in the catalog
  // (which keeps per-snapshot state out so that its chunks are shared).
  std::vector<const HashSet*> held(history.size());
  for (size_t i = 0; i < history.size(); ++i) {
    GV_ASSIGN_OR_RETURN(held[i], ConversationsIn(history[i]));
  }
  ConversationHistory out;
  out.id = id;
  out.create_time = rec.create_time;
  const Snapshot* newest = NewestExport(history, *catalog);
  out.newest_export_seq = newest->seq;
  const std::vector<size_t> order = VersionsOldestFirst(rec);
  for (size_t k = 0; k < order.size(); ++k) {
    VersionEntry e;
    e.number = k + 1;
    e.version = rec.versions[order[k]];
    e.current = order[k] == rec.current;
    e.title_changed = k > 0 && e.version.title != rec.versions[order[k - 1]].title;
    for (size_t i = 0; i < history.size(); ++i) {
      const bool has = held[i]->count(e.version.hash) != 0;
      if (has && (e.snapshots.empty() || e.snapshots.back() != history[i].seq)) {
        e.snapshots.push_back(history[i].seq);
      }
      if (&history[i] == newest && has && e.current) out.in_newest_export = true;
    }
    out.versions.push_back(std::move(e));
  }
  return out;
}

Result<RestoredConversation> Vault::RestoreAsOf(const std::string& id, double time) {
  GV_ASSIGN_OR_RETURN(std::vector<Snapshot> history, History());
  if (history.empty()) return Status::NotFound("no conversation with id " + id);
  GV_ASSIGN_OR_RETURN(const Catalog* catalog, CatalogAt(history.back()));
  GV_ASSIGN_OR_RETURN(const ConversationRecord* found, FindConversation(*catalog, id));
  const ConversationRecord& rec = *found;

  constexpr double kNoDate = -std::numeric_limits<double>::infinity();
  auto date_of = [&](const ConversationVersion& v) -> double {
    if (v.update_time) return *v.update_time;
    for (const Snapshot& s : history) {
      if (s.seq == v.first_seq) return ExportTimeOf(s, *catalog).value_or(kNoDate);
    }
    return kNoDate;
  };
  const std::vector<size_t> order = VersionsOldestFirst(rec);
  std::optional<size_t> best;
  double best_date = kNoDate;
  for (size_t index : order) {
    const double d = date_of(rec.versions[index]);
    if (d > time) continue;
    // As new as the best so far: the later in history's order, unless the
    // best is the current one (ties go to the newer export, as TakeIfNewer).
    if (!best || d > best_date || (d == best_date && *best != rec.current)) {
      best = index;
      best_date = d;
    }
  }
  if (!best) {
    const std::string first = FormatUtcMinute(date_of(rec.versions[order[0]]));
    return Status::NotFound("conversation " + id + " has no version from " + FormatUtcMinute(time) +
                            " UTC or before: its oldest, version 1, is from " + first +
                            " UTC (gptvault history " + id + " lists them)");
  }
  return LoadVersion(rec, *best);
}

Result<VaultStats> Vault::Stats() {
  VaultStats out;
  // The same snapshots `log` shows, so that the sums agree with it.
  GV_ASSIGN_OR_RETURN(out.snapshots, Snapshots());
  for (const Snapshot& s : out.snapshots) {
    out.archive_bytes += s.source_size;
    out.bytes_read += s.counts.bytes_read;
    out.bytes_stored += s.counts.bytes_stored;
  }
  if (out.snapshots.empty()) return out;
  GV_ASSIGN_OR_RETURN(std::vector<ConversationSummary> listed, List());
  for (const ConversationSummary& c : listed) {
    out.versions += c.versions;
    out.in_newest_export += c.in_latest ? 1 : 0;
  }
  out.conversations = listed.size();
  GV_ASSIGN_OR_RETURN(const Catalog* catalog, LoadLatestCatalog());
  out.assets = catalog->assets.size();
  for (const auto& [asset_id, asset] : catalog->assets) out.asset_bytes += asset.content.size;
  return out;
}

}  // namespace gptvault::vault
