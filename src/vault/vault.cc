#include "gptvault/vault/vault.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "chunk_stream.h"
#include "gptvault/ingest/conversation_search.h"
#include "gptvault/storage/checked_backend.h"
#include "gptvault/storage/file_names.h"
#include "gptvault/util/ascii.h"
#include "rollback_guard.h"

namespace gptvault::vault {

using storage::ObjectType;

Status Vault::Init(storage::Backend& backend, const crypto::SecretBytes& passphrase) {
  return storage::Repository::Init(backend, passphrase, crypto::DefaultKdfParams());
}

Result<std::unique_ptr<Vault>> Vault::Open(std::unique_ptr<storage::Backend> backend,
                                           const crypto::SecretBytes& passphrase,
                                           const OpenOptions& options) {
  // Writes read back, calls serialised for the lock's refresher.
  backend = storage::NewCheckedBackend(std::move(backend));
  GV_ASSIGN_OR_RETURN(auto repo, storage::Repository::Open(std::move(backend), passphrase));
  return Opened(std::move(repo), options);
}

Result<std::unique_ptr<Vault>> Vault::OpenWithMasterKey(std::unique_ptr<storage::Backend> backend,
                                                        const crypto::SecretBytes& master,
                                                        const OpenOptions& options) {
  backend = storage::NewCheckedBackend(std::move(backend));
  GV_ASSIGN_OR_RETURN(auto repo,
                      storage::Repository::OpenWithMasterKey(std::move(backend), master));
  return Opened(std::move(repo), options);
}

Result<std::unique_ptr<Vault>> Vault::Opened(std::unique_ptr<storage::Repository> repo,
                                             const OpenOptions& options) {
  std::unique_ptr<Vault> vault(new Vault(std::move(repo)));
  vault->options_ = options;
  // Rollback guard: refuse a vault older than this machine has seen it.
  if (!options.state_dir.empty()) {
    GV_ASSIGN_OR_RETURN(SnapshotScan scan, vault->ScanSnapshots());
    RollbackGuard guard(options.state_dir, vault->repo_->config().vault_id);
    GV_RETURN_IF_ERROR(guard.Verify(scan, options.accept_rollback));
  }
  return vault;
}

Result<SnapshotScan> Vault::ScanSnapshots() {
  GV_ASSIGN_OR_RETURN(auto files, repo_->backend().List("snapshots/"));
  SnapshotScan scan;
  for (const storage::FileInfo& f : files) {
    if (!storage::IsHashName("snapshots", f.name)) {
      scan.ignored.push_back(f.name);
      continue;
    }
    if (auto hit = snapshot_cache_.find(f.name); hit != snapshot_cache_.end()) {
      scan.snapshots.push_back(hit->second);
      continue;
    }
    auto plain = repo_->ReadMetaFile(f.name);
    if (!plain.ok() && plain.status().code() == Status::Code::kIOError) return plain.status();
    if (!plain.ok()) {
      if (!plain.status().IsNotFound()) scan.damaged.push_back({f.name, plain.status().message()});
      continue;
    }
    auto s = DecodeSnapshot(AsChars(*plain));
    if (!s.ok()) {
      scan.damaged.push_back({f.name, f.name + ": " + s.status().message()});
      continue;
    }
    s->name = f.name;
    snapshot_cache_.emplace(f.name, *s);
    scan.snapshots.push_back(std::move(s).value());
  }
  // A file named in a readable snapshot's `supersedes` is history that a
  // forget rewrote: passed over whether or not it can still be read.
  std::unordered_set<std::string> gone;
  for (const Snapshot& s : scan.snapshots) gone.insert(s.supersedes.begin(), s.supersedes.end());
  if (!gone.empty()) {
    auto superseded = [&](const std::string& name) {
      if (gone.count(name) == 0) return false;
      scan.superseded.push_back(name);
      return true;
    };
    std::erase_if(scan.snapshots, [&](const Snapshot& s) { return superseded(s.name); });
    std::erase_if(scan.damaged, [&](const storage::DamagedFile& d) { return superseded(d.name); });
  }
  std::sort(scan.snapshots.begin(), scan.snapshots.end(), [](const Snapshot& a, const Snapshot& b) {
    return a.seq != b.seq ? a.seq < b.seq : a.name < b.name;
  });
  return scan;
}

Result<std::vector<Snapshot>> Vault::Snapshots() {
  GV_ASSIGN_OR_RETURN(SnapshotScan scan, ScanSnapshots());
  if (!scan.damaged.empty()) {
    return Status::Corruption(scan.damaged[0].reason + " (see `gptvault check`)");
  }
  return std::move(scan.snapshots);
}

Result<std::vector<Snapshot>> Vault::History() {
  GV_ASSIGN_OR_RETURN(SnapshotScan scan, ScanSnapshots());
  // A damaged snapshot that no readable one follows may be the newest:
  // refuse rather than present an older state as the current one.
  for (const storage::DamagedFile& d : scan.damaged) {
    bool followed = std::any_of(scan.snapshots.begin(), scan.snapshots.end(),
                                [&](const Snapshot& s) { return s.parent == d.name; });
    if (!followed) {
      return Status::Corruption(d.reason +
                                ", and it may be the newest snapshot (see `gptvault check`)");
    }
  }
  return std::move(scan.snapshots);
}

Result<std::optional<Snapshot>> Vault::LatestSnapshot() {
  GV_ASSIGN_OR_RETURN(std::vector<Snapshot> history, History());
  if (history.empty()) return std::optional<Snapshot>();
  return std::optional<Snapshot>(std::move(history.back()));
}

Status Vault::RememberSnapshot(const Snapshot& snapshot) {
  return RollbackGuard(options_.state_dir, repo_->config().vault_id).Remember(snapshot);
}

Result<const Catalog*> Vault::CatalogAt(const Snapshot& s) {
  if (auto hit = catalogs_.find(s.name); hit != catalogs_.end()) return hit->second.get();
  auto json = LoadChunked(*repo_, ObjectType::kTree, s.catalog);
  if (!json.ok()) {
    return json.status().WithContext("the catalog of snapshot " + std::to_string(s.seq) +
                                     " cannot be read");
  }
  GV_ASSIGN_OR_RETURN(Catalog decoded, DecodeCatalog(AsChars(*json)));
  auto& slot = catalogs_[s.name];
  slot = std::make_unique<Catalog>(std::move(decoded));
  return slot.get();
}

Result<Snapshot> Vault::ResolveSnapshot(const std::string& selector) {
  GV_ASSIGN_OR_RETURN(std::vector<Snapshot> history, History());
  if (history.empty()) return Status::NotFound("the vault has no snapshots yet");
  if (selector == "latest") return history.back();
  const bool number =
      !selector.empty() && selector.size() <= 19 &&
      std::all_of(selector.begin(), selector.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (number) {
    const uint64_t seq = std::stoull(selector);
    std::vector<const Snapshot*> hits;
    for (const Snapshot& s : history) {
      if (s.seq == seq) hits.push_back(&s);
    }
    // Two writers that raced both wrote this number; the id tells them apart.
    if (hits.size() == 1) return *hits[0];
    if (hits.size() > 1) {
      std::string msg =
          "snapshot " + selector + " is ambiguous: two writers both wrote it; name one by id:";
      for (const Snapshot* s : hits) msg += " " + storage::SnapshotShortId(s->name);
      return Status::InvalidArgument(msg);
    }
    if (selector.size() < storage::kMinSnapshotPrefix) {
      return Status::NotFound("no snapshot " + selector + " (gptvault log lists them, 1 to " +
                              std::to_string(history.back().seq) + ")");
    }
  }
  if (selector.size() < storage::kMinSnapshotPrefix) {
    return Status::InvalidArgument("a snapshot is named by its number, latest, or at least " +
                                   std::to_string(storage::kMinSnapshotPrefix) +
                                   " characters of its id; got " + selector);
  }
  std::vector<const Snapshot*> hits;
  for (const Snapshot& s : history) {
    if (storage::SnapshotShortId(s.name, 64).compare(0, selector.size(), selector) == 0) {
      hits.push_back(&s);
    }
  }
  if (hits.empty()) return Status::NotFound("no snapshot with id " + selector);
  if (hits.size() == 1) return *hits[0];
  std::string msg = "snapshot id " + selector + " is ambiguous; it matches";
  for (const Snapshot* s : hits) {
    msg +=
        " " + storage::SnapshotShortId(s->name, 16) + " (snapshot " + std::to_string(s->seq) + ")";
  }
  return Status::InvalidArgument(msg);
}

Result<const Vault::HashSet*> Vault::ConversationsIn(const Snapshot& s) {
  if (auto hit = exports_.find(s.name); hit != exports_.end()) return hit->second.get();
  auto json = LoadChunked(*repo_, ObjectType::kTree, s.manifest);
  if (!json.ok()) {
    return json.status().WithContext("the manifest of snapshot " + std::to_string(s.seq) +
                                     " cannot be read");
  }
  auto manifest = DecodeManifest(AsChars(*json));
  if (!manifest.ok()) {
    return manifest.status().WithContext("the manifest of snapshot " + std::to_string(s.seq));
  }
  auto set = std::make_unique<HashSet>();
  for (const ManifestMember& m : manifest->members) {
    set->insert(m.conversation_hashes.begin(), m.conversation_hashes.end());
  }
  auto& slot = exports_[s.name];
  slot = std::move(set);
  return slot.get();
}

Result<std::vector<ConversationSummary>> Vault::List(const Snapshot* as_of) {
  GV_ASSIGN_OR_RETURN(std::vector<Snapshot> history, History());
  std::vector<ConversationSummary> out;
  if (history.empty()) return out;
  // As of a snapshot: the vault as it was right after that add, so the
  // snapshots after it (and a racing writer's of the same number) are not
  // there.
  if (as_of) {
    std::erase_if(history, [as_of](const Snapshot& s) {
      return s.seq > as_of->seq || (s.seq == as_of->seq && s.name != as_of->name);
    });
  }
  GV_ASSIGN_OR_RETURN(const Catalog* loaded, CatalogAt(as_of ? *as_of : history.back()));
  const Catalog& catalog = *loaded;
  // In the latest export means: its current version is one of the
  // conversations that the newest export's manifest lists (NewestExport:
  // by export date, not by the order of the adds).
  GV_ASSIGN_OR_RETURN(const HashSet* in_latest, ConversationsIn(*NewestExport(history, catalog)));
  for (const auto& [id, rec] : catalog.conversations) {
    const ConversationVersion& v = rec.latest();
    out.push_back({id, v.title, rec.create_time, v.update_time, v.messages, rec.versions.size(),
                   in_latest->count(v.hash) != 0, v.content.size, std::nullopt});
  }
  return out;
}

Result<std::string> Vault::ResolveId(const std::string& prefix) {
  if (prefix.size() < 6) {
    return Status::InvalidArgument("a conversation id prefix needs at least 6 characters");
  }
  GV_ASSIGN_OR_RETURN(auto all, List());
  std::vector<const ConversationSummary*> hits;
  for (const ConversationSummary& c : all) {
    if (c.id == prefix) return c.id;
    if (c.id.compare(0, prefix.size(), prefix) == 0) hits.push_back(&c);
  }
  if (hits.empty()) return Status::NotFound("no conversation with id " + prefix);
  if (hits.size() == 1) return hits[0]->id;
  std::string msg = "id prefix " + prefix + " is ambiguous; it matches";
  for (size_t i = 0; i < hits.size() && i < 10; ++i) {
    msg += (i ? ", " : " ") + hits[i]->id;
    if (hits[i]->title) msg += " (" + *hits[i]->title + ")";
  }
  if (hits.size() > 10) msg += " and " + std::to_string(hits.size() - 10) + " more";
  return Status::InvalidArgument(msg);
}

Result<const Catalog*> Vault::LoadLatestCatalog() {
  GV_ASSIGN_OR_RETURN(auto latest, LatestSnapshot());
  if (!latest) {
    static const Catalog kEmpty;
    return &kEmpty;
  }
  return CatalogAt(*latest);
}

Result<RestoredConversation> Vault::LoadVersion(const ConversationRecord& rec, size_t index) {
  RestoredConversation out{rec.id, rec.versions[index], {}};
  auto bytes = LoadChunked(*repo_, ObjectType::kData, out.version.content);
  if (!bytes.ok()) {
    return bytes.status().WithContext("conversation " + rec.id + " cannot be restored");
  }
  // End to end: the bytes handed out are exactly the bytes that went in.
  if (repo_->IdOf(*bytes) != out.version.hash) {
    return Status::Corruption("conversation " + rec.id + " does not match its recorded hash");
  }
  out.bytes = std::move(bytes).value();
  return out;
}

Result<RestoredConversation> Vault::Restore(const std::string& id) {
  GV_ASSIGN_OR_RETURN(const Catalog* catalog, LoadLatestCatalog());
  GV_ASSIGN_OR_RETURN(const ConversationRecord* rec, FindConversation(*catalog, id));
  return LoadVersion(*rec, rec->current);
}

Result<RestoredConversation> Vault::RestoreVersion(const std::string& id, size_t number) {
  GV_ASSIGN_OR_RETURN(const Catalog* catalog, LoadLatestCatalog());
  GV_ASSIGN_OR_RETURN(const ConversationRecord* rec, FindConversation(*catalog, id));
  const std::vector<size_t> order = VersionsOldestFirst(*rec);
  if (number < 1 || number > order.size()) {
    return Status::NotFound("conversation " + id + " has no version " + std::to_string(number) +
                            " (it has " + std::to_string(order.size()) +
                            "; gptvault history lists them)");
  }
  return LoadVersion(*rec, order[number - 1]);
}

Result<RestoredConversation> Vault::RestoreAt(const std::string& id, const Snapshot& s) {
  GV_ASSIGN_OR_RETURN(const Catalog* catalog, CatalogAt(s));
  auto it = catalog->conversations.find(id);
  if (it == catalog->conversations.end()) {
    return Status::NotFound("conversation " + id + " is not in snapshot " + std::to_string(s.seq) +
                            ": it was first added later");
  }
  return LoadVersion(it->second, it->second.current);
}

Result<Vault::Assets> Vault::AssetsOf(const std::string& id) {
  GV_ASSIGN_OR_RETURN(const Catalog* catalog, LoadLatestCatalog());
  GV_ASSIGN_OR_RETURN(const ConversationRecord* rec, FindConversation(*catalog, id));
  return AssetsOf(rec->latest());
}

Result<Vault::Assets> Vault::AssetsOf(const ConversationVersion& version) {
  // The newest catalog: an attachment is kept once any export had it, and
  // its bytes are the same whichever did, so it holds every file an older
  // snapshot's catalog does and those later exports filled in.
  GV_ASSIGN_OR_RETURN(const Catalog* loaded, LoadLatestCatalog());
  const Catalog& catalog = *loaded;
  Assets out;
  for (const ConversationVersion::AssetRef& ref : version.assets) {
    auto found = catalog.assets.find(ref.id);
    if (found == catalog.assets.end()) {
      out.missing.push_back(ref.id);
      continue;
    }
    AssetRecord rec = found->second;
    // A 2026 ".dat" member without a name map is better named by the
    // conversation's own attachment record.
    if (ref.name && rec.name.size() >= 4 && rec.name.ends_with(".dat")) rec.name = *ref.name;
    out.present.push_back(std::move(rec));
  }
  return out;
}

Status Vault::ReadAsset(const AssetRecord& asset, const std::function<Status(ByteView)>& sink) {
  return LoadChunked(*repo_, ObjectType::kData, asset.content, sink);
}

Status Vault::RestoreAll(const std::function<Status(const RestoredConversation&)>& sink,
                         const Snapshot* as_of, const UnreadableFn& unreadable) {
  const Catalog* catalog = nullptr;
  if (as_of) {
    GV_ASSIGN_OR_RETURN(catalog, CatalogAt(*as_of));
  } else {
    GV_ASSIGN_OR_RETURN(catalog, LoadLatestCatalog());
  }
  for (const auto& [id, record] : catalog->conversations) {
    auto conv = LoadVersion(record, record.current);
    if (!conv.ok()) {
      if (!unreadable) return conv.status();
      GV_RETURN_IF_ERROR(unreadable(id, conv.status()));
      continue;
    }
    GV_RETURN_IF_ERROR(sink(*conv));
  }
  return Status::Ok();
}

Result<std::vector<ConversationSummary>> Vault::Search(const std::string& text,
                                                       const Snapshot* as_of) {
  GV_ASSIGN_OR_RETURN(std::vector<ConversationSummary> all, List(as_of));
  std::unordered_map<std::string, std::string> in_messages;
  // A conversation that cannot be read fails the search: leaving it out
  // would report "not found" where the answer is unknown.
  GV_RETURN_IF_ERROR(RestoreAll(
      [&](const RestoredConversation& c) {
        if (auto hit = ingest::FindInConversation(AsChars(c.bytes), text)) {
          in_messages[c.id] = *hit;
        }
        return Status::Ok();
      },
      as_of));
  auto holds = [&](std::string_view s) {
    return text.empty() || FindIgnoringAsciiCase(s, text) != std::string_view::npos;
  };
  std::vector<ConversationSummary> shown;
  for (ConversationSummary& c : all) {
    auto hit = in_messages.find(c.id);
    if (hit != in_messages.end()) c.match = hit->second;
    if (hit != in_messages.end() || holds(c.title.value_or("")) || holds(c.id)) {
      shown.push_back(std::move(c));
    }
  }
  return shown;
}

Result<storage::RepairReport> Vault::Repair() {
  GV_ASSIGN_OR_RETURN(auto writer_lock, repo_->AcquireLock(options_.lock));
  return repo_->Repair();
}

}  // namespace gptvault::vault
