#include "gptvault/vault/diff.h"

#include <algorithm>
#include <map>
#include <unordered_set>

#include "gptvault/storage/file_names.h"
#include "json_codec.h"

namespace gptvault::vault {

using namespace detail;

namespace {

// Conversation id -> index in its record's versions, for every
// conversation snapshot `s`'s export held (by its manifest's conversation
// hashes; the catalog keeps conversations the export no longer has).
using ExportContents = std::map<std::string, size_t>;

ExportContents ContentsOf(
    const std::unordered_set<storage::ObjectId, storage::ObjectIdHash>& hashes,
    const Catalog& catalog) {
  ExportContents out;
  for (const auto& [id, rec] : catalog.conversations) {
    for (size_t i = 0; i < rec.versions.size(); ++i) {
      if (!hashes.contains(rec.versions[i].hash)) continue;
      // An export holding one id twice (with other bytes): its current version.
      auto [it, fresh] = out.emplace(id, i);
      if (!fresh && i == rec.current) it->second = i;
    }
  }
  return out;
}

// History's number of the version with `hash`, in `latest`'s numbering (what
// `diff ID --from K` and `restore --version K` take); 0 when none.
size_t NumberOf(const Catalog& latest, const std::string& id, const storage::ObjectId& hash) {
  auto it = latest.conversations.find(id);
  if (it == latest.conversations.end()) return 0;
  const std::vector<size_t> order = VersionsOldestFirst(it->second);
  for (size_t k = 0; k < order.size(); ++k) {
    if (it->second.versions[order[k]].hash == hash) return k + 1;
  }
  return 0;
}

json MessageJson(const ingest::DiffMessage& m) {
  return {{"node", m.node},
          {"parent", m.parent.empty() ? json(nullptr) : json(m.parent)},
          {"role", m.role},
          {"author", m.who},
          {"create_time", OptDouble(m.time)},
          {"text", m.text},
          {"shown", m.shown()},
          {"current", m.current}};
}

json MessagesJson(const std::vector<ingest::DiffMessage>& list) {
  json out = json::array();
  for (const ingest::DiffMessage& m : list) out.push_back(MessageJson(m));
  return out;
}

json VersionJson(size_t number, const ConversationVersion& v, const std::string& tip) {
  return {{"version", number},
          {"first_snapshot", v.first_seq},
          {"update_time", OptDouble(v.update_time)},
          {"title", OptString(v.title)},
          {"messages", v.messages},
          {"all_messages", v.all_messages},
          {"branches", v.branches},
          {"size", v.content.size},
          {"current_node", tip.empty() ? json(nullptr) : json(tip)}};
}

json NodeOrNull(const std::string& node) { return node.empty() ? json(nullptr) : json(node); }

json SnapshotJson(const Snapshot& s) {
  return {{"seq", s.seq},
          {"id", storage::SnapshotShortId(s.name)},
          {"time", s.time},
          {"source", s.source},
          {"export_time", OptDouble(s.export_time)}};
}

json EntriesJson(const std::vector<SnapshotDiff::Entry>& list, bool from, bool to) {
  json out = json::array();
  for (const SnapshotDiff::Entry& e : list) {
    json j = {{"id", e.id}};
    if (from) j["title_from"] = OptString(e.title_from), j["version_from"] = e.version_from;
    if (to) j["title_to"] = OptString(e.title_to), j["version_to"] = e.version_to;
    j["title"] = OptString(to ? e.title_to : e.title_from);
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

Result<VersionDiff> DiffVersions(Vault& vault, const std::string& id, std::optional<size_t> from,
                                 std::optional<size_t> to) {
  GV_ASSIGN_OR_RETURN(Snapshot latest, vault.ResolveSnapshot("latest"));
  GV_ASSIGN_OR_RETURN(const Catalog* catalog, vault.CatalogAt(latest));
  GV_ASSIGN_OR_RETURN(const ConversationRecord* found, FindConversation(*catalog, id));
  const ConversationRecord& rec = *found;
  const std::vector<size_t> order = VersionsOldestFirst(rec);
  VersionDiff out;
  out.id = id;
  out.versions = order.size();
  out.current =
      static_cast<size_t>(std::find(order.begin(), order.end(), rec.current) - order.begin()) + 1;
  const std::string has =
      " (it has " + std::to_string(order.size()) + "; gptvault history lists them)";
  auto exists = [&](size_t k) -> Status {
    if (k >= 1 && k <= order.size()) return Status::Ok();
    return Status::NotFound("conversation " + id + " has no version " + std::to_string(k) + has);
  };
  if (to) GV_RETURN_IF_ERROR(exists(*to));
  if (from) GV_RETURN_IF_ERROR(exists(*from));
  if (from && to && *from > *to) {
    return Status::InvalidArgument("--from " + std::to_string(*from) + " is newer than --to " +
                                   std::to_string(*to) + ": give the older version first");
  }
  if (!from && !to && order.size() == 1) {
    out.to = 1;
    out.to_version = rec.versions[order[0]];
    return out;
  }
  out.to = to.value_or(order.size());
  if (!from && out.to == 1) {
    return Status::InvalidArgument("version 1 of conversation " + id +
                                   " is its oldest: there is none before it to compare with" +
                                   (order.size() == 1 ? " (it has only one)" : ""));
  }
  out.from = from.value_or(out.to - 1);
  GV_ASSIGN_OR_RETURN(RestoredConversation a, vault.RestoreVersion(id, out.from));
  GV_ASSIGN_OR_RETURN(RestoredConversation b, vault.RestoreVersion(id, out.to));
  out.from_version = a.version;
  out.to_version = b.version;
  auto diff = ingest::DiffConversations(AsChars(a.bytes), AsChars(b.bytes));
  if (!diff.ok()) return diff.status().WithContext("conversation " + id);
  out.diff = std::move(diff).value();
  return out;
}

Result<SnapshotDiff> Vault::DiffSnapshots(const Snapshot& from, const Snapshot& to) {
  auto contents = [&](const Snapshot& s) -> Result<std::pair<ExportContents, const Catalog*>> {
    GV_ASSIGN_OR_RETURN(const Catalog* catalog, CatalogAt(s));
    GV_ASSIGN_OR_RETURN(const HashSet* hashes, ConversationsIn(s));
    return std::make_pair(ContentsOf(*hashes, *catalog), catalog);
  };
  GV_ASSIGN_OR_RETURN(auto a, contents(from));
  GV_ASSIGN_OR_RETURN(auto b, contents(to));
  GV_ASSIGN_OR_RETURN(const Catalog* latest, LoadLatestCatalog());
  const auto& [in_a, catalog_a] = a;
  const auto& [in_b, catalog_b] = b;
  auto version = [](const Catalog* c, const std::string& id, size_t index) -> const auto& {
    return c->conversations.at(id).versions[index];
  };
  SnapshotDiff out;
  out.from = from;
  out.to = to;
  for (const auto& [id, index] : in_b) {
    const ConversationVersion& now = version(catalog_b, id, index);
    SnapshotDiff::Entry e{id, std::nullopt, now.title, 0, NumberOf(*latest, id, now.hash)};
    auto was = in_a.find(id);
    if (was == in_a.end()) {
      out.added.push_back(std::move(e));
      continue;
    }
    const ConversationVersion& old = version(catalog_a, id, was->second);
    if (old.hash == now.hash) {
      ++out.unchanged;
      continue;
    }
    e.title_from = old.title;
    e.version_from = NumberOf(*latest, id, old.hash);
    out.changed.push_back(std::move(e));
  }
  for (const auto& [id, index] : in_a) {
    if (in_b.contains(id)) continue;
    const ConversationVersion& old = version(catalog_a, id, index);
    out.gone.push_back({id, old.title, std::nullopt, NumberOf(*latest, id, old.hash), 0});
  }
  return out;
}

std::string VersionDiffJson(const VersionDiff& v) {
  const ingest::ConversationDiff& d = v.diff;
  json changed = json::array();
  for (const ingest::ChangedMessage& c : d.changed) {
    changed.push_back(
        {{"node", c.to.node}, {"from", MessageJson(c.from)}, {"to", MessageJson(c.to)}});
  }
  json branches = json::array();
  for (const ingest::NewBranch& b : d.branches) {
    branches.push_back({{"kind", ingest::BranchKindName(b.kind)},
                        {"parent_node", b.parent_node},
                        {"parent", b.parent ? MessageJson(*b.parent) : json(nullptr)},
                        {"before", MessagesJson(b.before)},
                        {"added", MessagesJson(b.added)},
                        {"current_in_from", NodeOrNull(b.current_from)},
                        {"current_in_to", NodeOrNull(b.current_to)}});
  }
  json out = {{"id", v.id},
              {"versions", v.versions},
              {"current_version", v.current},
              {"from", v.from ? VersionJson(v.from, v.from_version, d.tip_from) : json(nullptr)},
              {"to", VersionJson(v.to, v.to_version, v.from ? d.tip_to : "")},
              {"title_changed", d.title_changed()},
              {"added", MessagesJson(d.added)},
              {"changed", std::move(changed)},
              {"removed", MessagesJson(d.removed)},
              {"branches", std::move(branches)},
              {"current_branch_moved", d.switched}};
  return out.dump(2, ' ', false, json::error_handler_t::replace);
}

std::string SnapshotDiffJson(const SnapshotDiff& d) {
  json out = {{"from", SnapshotJson(d.from)},
              {"to", SnapshotJson(d.to)},
              {"new", EntriesJson(d.added, false, true)},
              {"changed", EntriesJson(d.changed, true, true)},
              {"gone", EntriesJson(d.gone, true, false)},
              {"unchanged", d.unchanged}};
  return out.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace gptvault::vault
