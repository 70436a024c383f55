// Vault: the operations the command line offers, on top of a Repository.
// Every operation either completes or leaves the vault as it was.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "gptvault/crypto/secret.h"
#include "gptvault/storage/backend.h"
#include "gptvault/storage/repository.h"
#include "gptvault/util/status.h"
#include "gptvault/vault/catalog.h"
#include "gptvault/vault/snapshot.h"

namespace gptvault::vault {

struct AddResult {
  Snapshot snapshot;
  std::vector<std::string> warnings;  // one line each, about the archive
};

// What `list` shows of one conversation.
struct ConversationSummary {
  std::string id;
  std::optional<std::string> title;
  std::optional<double> create_time;
  std::optional<double> update_time;
  uint64_t messages = 0;
  size_t versions = 0;
  bool in_latest = false;  // present in the newest snapshot's export
  uint64_t size = 0;       // bytes of the current version
};

struct CheckReport {
  uint64_t snapshots = 0;
  uint64_t objects_checked = 0;
  uint64_t packs = 0;
  std::vector<std::string> problems;  // one line each; empty means sound
};

// Bytes of one stored version, with the version it is.
struct RestoredConversation {
  std::string id;
  ConversationVersion version;
  Bytes bytes;
};

class Vault {
 public:
  static Status Init(storage::Backend& backend, const crypto::SecretBytes& passphrase);
  static Result<std::unique_ptr<Vault>> Open(std::unique_ptr<storage::Backend> backend,
                                             const crypto::SecretBytes& passphrase);

  // Verifies and ingests one export archive and records one snapshot for it.
  // A refused archive leaves no trace in the vault.
  Result<AddResult> Add(const std::string& archive_path);

  // Snapshots, oldest first.
  Result<std::vector<Snapshot>> Snapshots();
  Result<std::vector<ConversationSummary>> List();

  // Resolves a full id or a unique prefix of at least 6 characters;
  // kInvalidArgument listing the candidates when ambiguous.
  Result<std::string> ResolveId(const std::string& id_or_prefix);
  // The newest version of conversation `id`, verified against its hash.
  Result<RestoredConversation> Restore(const std::string& id);
  // Every conversation ever added, newest version each, in id order; stops
  // at the first error (from the vault or from `sink`).
  Status RestoreAll(const std::function<Status(const RestoredConversation&)>& sink);

  // The files the newest version of conversation `id` points at: those the
  // vault holds (from whichever export had them) and the ids it never saw.
  struct Assets {
    std::vector<AssetRecord> present;
    std::vector<std::string> missing;
  };
  Result<Assets> AssetsOf(const std::string& id);
  // Streams one file's bytes, in order.
  Status ReadAsset(const AssetRecord& asset, const std::function<Status(ByteView)>& sink);

  Result<CheckReport> Check(bool read_data);

  storage::Repository& repository() { return *repo_; }

 private:
  explicit Vault(std::unique_ptr<storage::Repository> repo) : repo_(std::move(repo)) {}
  Result<std::optional<Snapshot>> LatestSnapshot();
  Result<Catalog> LoadCatalog(const Snapshot& s);
  Result<Catalog> LoadLatestCatalog();
  Result<RestoredConversation> RestoreVersion(const ConversationRecord& record);

  std::unique_ptr<storage::Repository> repo_;
};

}  // namespace gptvault::vault
