#include "gptvault/vault/vault.h"

#include <algorithm>

#include "chunk_stream.h"

namespace gptvault::vault {

using storage::ObjectType;

Status Vault::Init(storage::Backend& backend, const crypto::SecretBytes& passphrase) {
  return storage::Repository::Init(backend, passphrase, crypto::DefaultKdfParams());
}

Result<std::unique_ptr<Vault>> Vault::Open(std::unique_ptr<storage::Backend> backend,
                                           const crypto::SecretBytes& passphrase) {
  GV_ASSIGN_OR_RETURN(auto repo, storage::Repository::Open(std::move(backend), passphrase));
  return std::unique_ptr<Vault>(new Vault(std::move(repo)));
}

Result<std::vector<Snapshot>> Vault::Snapshots() {
  GV_ASSIGN_OR_RETURN(auto files, repo_->backend().List("snapshots/"));
  std::vector<Snapshot> out;
  for (const storage::FileInfo& f : files) {
    GV_ASSIGN_OR_RETURN(Bytes plain, repo_->ReadMetaFile(f.name));
    auto s = DecodeSnapshot(AsChars(plain));
    if (!s.ok()) return s.status().WithContext(f.name);
    s->name = f.name;
    out.push_back(std::move(s).value());
  }
  std::sort(out.begin(), out.end(), [](const Snapshot& a, const Snapshot& b) {
    return a.seq != b.seq ? a.seq < b.seq : a.name < b.name;
  });
  return out;
}

Result<std::optional<Snapshot>> Vault::LatestSnapshot() {
  GV_ASSIGN_OR_RETURN(auto all, Snapshots());
  if (all.empty()) return std::optional<Snapshot>();
  return std::optional<Snapshot>(std::move(all.back()));
}

Result<Catalog> Vault::LoadCatalog(const Snapshot& s) {
  GV_ASSIGN_OR_RETURN(Bytes json, LoadChunked(*repo_, ObjectType::kTree, s.catalog));
  return DecodeCatalog(AsChars(json));
}

Result<std::vector<ConversationSummary>> Vault::List() {
  GV_ASSIGN_OR_RETURN(auto latest, LatestSnapshot());
  std::vector<ConversationSummary> out;
  if (!latest) return out;
  GV_ASSIGN_OR_RETURN(Catalog catalog, LoadCatalog(*latest));
  for (const auto& [id, rec] : catalog.conversations) {
    const ConversationVersion& v = rec.latest();
    out.push_back({id, v.title, rec.create_time, v.update_time, v.messages, rec.versions.size(),
                   rec.last_seq == latest->seq, v.content.size});
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

Result<Catalog> Vault::LoadLatestCatalog() {
  GV_ASSIGN_OR_RETURN(auto latest, LatestSnapshot());
  if (!latest) return Catalog{};
  return LoadCatalog(*latest);
}

Result<RestoredConversation> Vault::RestoreVersion(const ConversationRecord& record) {
  RestoredConversation out{record.id, record.latest(), {}};
  auto bytes = LoadChunked(*repo_, ObjectType::kData, out.version.content);
  if (!bytes.ok()) {
    return bytes.status().WithContext("conversation " + record.id + " cannot be restored");
  }
  // End to end: the bytes handed out are exactly the bytes that went in.
  if (repo_->IdOf(*bytes) != out.version.hash) {
    return Status::Corruption("conversation " + record.id + " does not match its recorded hash");
  }
  out.bytes = std::move(bytes).value();
  return out;
}

Result<RestoredConversation> Vault::Restore(const std::string& id) {
  GV_ASSIGN_OR_RETURN(Catalog catalog, LoadLatestCatalog());
  auto it = catalog.conversations.find(id);
  if (it == catalog.conversations.end()) return Status::NotFound("no conversation with id " + id);
  return RestoreVersion(it->second);
}

Result<Vault::Assets> Vault::AssetsOf(const std::string& id) {
  GV_ASSIGN_OR_RETURN(Catalog catalog, LoadLatestCatalog());
  auto it = catalog.conversations.find(id);
  if (it == catalog.conversations.end()) return Status::NotFound("no conversation with id " + id);
  Assets out;
  for (const ConversationVersion::AssetRef& ref : it->second.latest().assets) {
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

Status Vault::RestoreAll(const std::function<Status(const RestoredConversation&)>& sink) {
  GV_ASSIGN_OR_RETURN(Catalog catalog, LoadLatestCatalog());
  for (const auto& [id, record] : catalog.conversations) {
    GV_ASSIGN_OR_RETURN(RestoredConversation conv, RestoreVersion(record));
    GV_RETURN_IF_ERROR(sink(conv));
  }
  return Status::Ok();
}

}  // namespace gptvault::vault
