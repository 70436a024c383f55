// Vault: the operations the command line offers, on top of a Repository.
// Every operation either completes or leaves the vault as it was.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "gptvault/crypto/secret.h"
#include "gptvault/storage/backend.h"
#include "gptvault/storage/repository.h"
#include "gptvault/util/status.h"
#include "gptvault/vault/catalog.h"
#include "gptvault/vault/snapshot.h"

namespace gptvault::vault {

struct AddResult {
  Snapshot snapshot;                  // when same_as is set: the one that was not written
  std::vector<std::string> warnings;  // one line each, about the archive
  // The export is the same as this snapshot's: nothing was written.
  std::optional<uint64_t> same_as;
  // Set when the export is older than the newest one in the vault: that
  // snapshot, its export date, and how many conversations' current versions
  // this one set anyway (new to the vault, or newer than any other export has).
  struct NewerExport {
    uint64_t seq = 0;
    double export_time = 0;
    uint64_t current_changed = 0;
  };
  std::optional<NewerExport> newer;
  // Where the new sealed bytes went (for GPTVAULT_STATS and the bench).
  uint64_t sealed_conversations = 0;
  uint64_t sealed_chat_html = 0;
  uint64_t sealed_other_members = 0;
  uint64_t sealed_metadata = 0;
  uint64_t sealed_catalog = 0;  // of sealed_metadata
  // Resident memory of the process sampled during the ingest (every 4 MiB
  // read, and at the end), in KiB: the ingest's own peak, which the process
  // peak hides behind the 256 MiB Argon2id takes to unlock.
  long ingest_peak_rss_kib = 0;
};

// How far an add has come, for a progress display.
struct AddProgress {
  uint64_t bytes_read = 0;     // of the export's members, uncompressed, so far
  uint64_t bytes_total = 0;    // of all its members, as its directory declares them
  uint64_t conversations = 0;  // read so far
};
// Called on the adding thread about every MiB read, and once more just
// before the commit; must be quick. An error it returns (kCancelled: the
// user interrupted) stops the add with that error, nothing committed.
using AddProgressFn = std::function<Status(const AddProgress&)>;

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
  // list --search: the words around where its messages say the text.
  std::optional<std::string> match;
};

struct CheckReport {
  uint64_t snapshots = 0;
  uint64_t objects_checked = 0;
  uint64_t packs = 0;
  std::vector<std::string> problems;  // one line each; empty means sound
  std::vector<std::string> notes;     // one line each: ignored files, stale locks; not problems
};

// Every file in snapshots/, sorted out.
struct SnapshotScan {
  std::vector<Snapshot> snapshots;            // readable, oldest first
  std::vector<storage::DamagedFile> damaged;  // snapshot names whose file cannot be used
  std::vector<std::string> ignored;           // other names ("conflicted copy" files)
  // Files a readable snapshot supersedes (forget rewrote or forgot them),
  // still there because a forget was interrupted: passed over, and deleted
  // by the next forget or prune.
  std::vector<std::string> superseded;
};

struct OpenOptions {
  // Where this machine remembers the newest snapshot it has seen of each
  // vault ($XDG_STATE_HOME/gptvault); empty: nothing is remembered or checked.
  std::string state_dir;
  // Accept a vault older than remembered, and remember what it holds now.
  bool accept_rollback = false;
  // For writers: how long to wait for another writer, when a lock is stale.
  storage::LockOptions lock;
};

// Bytes of one stored version, with the version it is.
struct RestoredConversation {
  std::string id;
  ConversationVersion version;
  Bytes bytes;
};

// One version of a conversation, as `history` shows it.
struct VersionEntry {
  size_t number = 0;  // history's numbering (VersionsOldestFirst): 1 is the oldest
  ConversationVersion version;
  // The snapshots whose export holds exactly these bytes (their manifests
  // list its hash), by seq, ascending; version.first_seq is the first.
  std::vector<uint64_t> snapshots;
  bool current = false;        // the one the current view shows
  bool title_changed = false;  // its title differs from the version numbered before it
};

// Every version of one conversation, oldest first.
struct ConversationHistory {
  std::string id;
  std::optional<double> create_time;
  std::vector<VersionEntry> versions;
  // The snapshot of the newest export (NewestExport), and whether that
  // export holds any version of the conversation.
  uint64_t newest_export_seq = 0;
  bool in_newest_export = false;
};

// What the whole vault holds, and what it took to hold it.
struct VaultStats {
  uint64_t conversations = 0;  // ever added
  uint64_t in_newest_export = 0;
  uint64_t versions = 0;  // distinct versions of all of them
  uint64_t assets = 0;    // attached files kept
  uint64_t asset_bytes = 0;
  std::vector<Snapshot> snapshots;  // oldest first, as `log` shows them
  // Sums over `snapshots`: the archives' sizes, their members' inflated
  // bytes (counts.bytes_read) and what each add wrote (counts.bytes_stored).
  uint64_t archive_bytes = 0;
  uint64_t bytes_read = 0;
  uint64_t bytes_stored = 0;
};

// What changed between the exports two snapshots hold (diff --snapshot).
// Presence is judged by each snapshot's manifest, not its catalog, which
// keeps every conversation ever added.
struct SnapshotDiff {
  struct Entry {
    std::string id;
    std::optional<std::string> title_from, title_to;  // of its version in each export having it
    size_t version_from = 0, version_to = 0;          // history's numbers (0: not in that export)
  };
  Snapshot from, to;
  std::vector<Entry> added;    // in to's export and not in from's, in id order
  std::vector<Entry> changed;  // in both, with other bytes
  std::vector<Entry> gone;     // in from's export and not in to's (the vault keeps them)
  uint64_t unchanged = 0;
};

// What forget did, or would do.
struct ForgetResult {
  std::vector<Snapshot> forgotten;  // oldest first
  std::vector<Snapshot> kept;       // oldest first, as they were before
  uint64_t rewritten = 0;           // kept snapshots written anew without the dropped versions
  uint64_t versions_dropped = 0;    // distinct versions no kept catalog lists any more
  std::vector<std::string> warnings;
};

// What purge did.
struct PurgeResult {
  uint64_t conversations = 0;  // removed
  uint64_t versions = 0;       // of theirs, across the history
  uint64_t assets = 0;         // attached files only they pointed at, removed
  uint64_t snapshots_rewritten = 0;
  storage::PruneReport prune;
  std::vector<std::string> warnings;
};

class Vault {
 public:
  static Status Init(storage::Backend& backend, const crypto::SecretBytes& passphrase);
  // Unlocks the vault and, when options.state_dir is set, refuses a vault
  // that has gone back in time (rollback_guard.h).
  static Result<std::unique_ptr<Vault>> Open(std::unique_ptr<storage::Backend> backend,
                                             const crypto::SecretBytes& passphrase,
                                             const OpenOptions& options = {});
  // The same with the master key, as an unlocked session holds it.
  static Result<std::unique_ptr<Vault>> OpenWithMasterKey(std::unique_ptr<storage::Backend> backend,
                                                          const crypto::SecretBytes& master,
                                                          const OpenOptions& options = {});

  // Verifies and ingests one export archive and records one snapshot for it.
  // A refused archive (kRefused) leaves no trace in the vault. `progress`,
  // when given, hears how far the reading has come and may stop it.
  Result<AddResult> Add(const std::string& archive_path, const AddProgressFn& progress = {});

  // Snapshots, oldest first; fails naming a snapshot file that cannot be read.
  Result<std::vector<Snapshot>> Snapshots();
  // The snapshot `selector` names: its number in `log`, "latest" (the one
  // added last, whose catalog is the current view), or a prefix of at
  // least 8 characters of its id (the hex of its file name). kNotFound for
  // none, kInvalidArgument listing the candidates when ambiguous.
  Result<Snapshot> ResolveSnapshot(const std::string& selector);
  // The catalog as snapshot `s` wrote it: the vault as it was then. Decoded
  // once per process; the pointer lives as long as the Vault.
  Result<const Catalog*> CatalogAt(const Snapshot& s);
  // Every snapshot file, readable or not.
  Result<SnapshotScan> ScanSnapshots();
  // Every conversation ever added, as the newest snapshot shows them; with
  // `as_of`, as that snapshot showed them (its catalog, "in latest" judged
  // by the newest export among it and the snapshots before it).
  Result<std::vector<ConversationSummary>> List(const Snapshot* as_of = nullptr);

  // Resolves a full id or a unique prefix of at least 6 characters;
  // kInvalidArgument listing the candidates when ambiguous.
  Result<std::string> ResolveId(const std::string& id_or_prefix);
  // The newest version of conversation `id`, verified against its hash.
  Result<RestoredConversation> Restore(const std::string& id);
  // Version `number` of conversation `id` in history's numbering
  // (VersionsOldestFirst: 1 is the oldest), verified against its hash.
  Result<RestoredConversation> RestoreVersion(const std::string& id, size_t number);
  // The current version of `id` as snapshot `s` saw it.
  Result<RestoredConversation> RestoreAt(const std::string& id, const Snapshot& s);
  // The version of `id` current at `time` (seconds since 1970): the newest
  // by update_time among those updated at or before it (a version without
  // an update_time counts from its first snapshot's export date), so a time
  // after every version gives the current one. kNotFound, naming the oldest
  // version's date, when every version is newer.
  Result<RestoredConversation> RestoreAsOf(const std::string& id, double time);
  // Called with a conversation that cannot be read and why; Ok goes on to
  // the next one, an error stops the walk with it.
  using UnreadableFn = std::function<Status(const std::string& id, const Status& why)>;
  // Every conversation ever added, current version each (as snapshot
  // `as_of` saw them when given), in id order. An error from `sink` stops
  // the walk; so does one reading a conversation, unless `unreadable` is
  // given and lets it go on.
  Status RestoreAll(const std::function<Status(const RestoredConversation&)>& sink,
                    const Snapshot* as_of = nullptr, const UnreadableFn& unreadable = {});

  // Every version of conversation `id`, oldest first, with the snapshots
  // that hold each. Reads the manifest of every snapshot.
  Result<ConversationHistory> VersionsOf(const std::string& id);
  // Counts and sizes of the whole vault.
  Result<VaultStats> Stats();
  // The conversations new, changed and gone from snapshot `from`'s export to
  // snapshot `to`'s (src/vault/diff.cc).
  Result<SnapshotDiff> DiffSnapshots(const Snapshot& from, const Snapshot& to);

  // The files the newest version of conversation `id` points at: those the
  // vault holds (from whichever export had them) and the ids it never saw.
  struct Assets {
    std::vector<AssetRecord> present;
    std::vector<std::string> missing;
  };
  Result<Assets> AssetsOf(const std::string& id);
  // The same for one version of it (any version, of any snapshot): the
  // files it points at, from whichever export had them.
  Result<Assets> AssetsOf(const ConversationVersion& version);
  // Streams one file's bytes, in order.
  Status ReadAsset(const AssetRecord& asset, const std::function<Status(ByteView)>& sink);

  // The conversations whose title, id or newest version's messages hold
  // `text` (ASCII letters in any case), each with the matching passage when
  // it is in a message. Reads and decrypts every conversation. With
  // `as_of`, among the versions that snapshot showed.
  Result<std::vector<ConversationSummary>> Search(const std::string& text,
                                                  const Snapshot* as_of = nullptr);

  Result<CheckReport> Check(bool read_data);
  // Under the writer's lock: moves authentic files back to their names and
  // rebuilds the index from the packs (storage::Repository::Repair).
  Result<storage::RepairReport> Repair();

  // Under the writer's lock: removes the snapshots named (file names) from
  // the history and the versions only they held from the catalogs of the
  // snapshots after them (forget.cc). The newest snapshot is refused.
  Result<ForgetResult> Forget(const std::vector<std::string>& names, bool dry_run);
  // Under the writer's lock: removes conversations `ids` (full ids) from
  // every snapshot for good, and the attached files no other conversation
  // points at (purge.cc), then prunes with no grace and no unused space
  // left, so no object still holds their bytes.
  Result<PurgeResult> Purge(const std::vector<std::string>& ids);
  // Under the writer's lock: deletes what no snapshot reaches (prune.cc and
  // storage::Repository::Prune). Refuses, deleting nothing, while a
  // snapshot, an index file or a needed object is missing or damaged.
  Result<storage::PruneReport> Prune(const storage::PruneOptions& options);
  // Every object some snapshot names, and which of them may be deltas.
  Result<storage::Reachable> NeededObjects();

  // For tests that plant or inspect objects; commands go through the
  // methods above, never around the vault.
  storage::Repository& repository() { return *repo_; }

 private:
  explicit Vault(std::unique_ptr<storage::Repository> repo) : repo_(std::move(repo)) {}
  static Result<std::unique_ptr<Vault>> Opened(std::unique_ptr<storage::Repository> repo,
                                               const OpenOptions& options);
  // Every snapshot, oldest first; refuses when a damaged one may be the newest.
  Result<std::vector<Snapshot>> History();
  Result<std::optional<Snapshot>> LatestSnapshot();
  Result<const Catalog*> LoadLatestCatalog();
  // rec.versions[index], its bytes checked against its hash.
  Result<RestoredConversation> LoadVersion(const ConversationRecord& rec, size_t index);
  // Deletes the snapshot files a forget superseded and left behind.
  Status DeleteSuperseded(const SnapshotScan& scan);
  // forget.cc: commits what the rewritten snapshots' new catalogs and
  // manifests put, writes the snapshots oldest first (parents renamed,
  // forgotten ones skipped to the nearest kept one), remembers the newest,
  // then deletes the files they supersede.
  Status WriteRewritten(std::vector<Snapshot>& rewritten, const std::vector<Snapshot>& kept,
                        const std::set<std::string>& forget, std::vector<std::string>& warnings);
  // After a snapshot is written: this machine has seen it (rollback guard).
  Status RememberSnapshot(const Snapshot& snapshot);
  using HashSet = std::unordered_set<storage::ObjectId, storage::ObjectIdHash>;
  // The conversation versions snapshot `s`'s export holds: the hashes its
  // manifest lists. Read once per process, like the catalogs.
  Result<const HashSet*> ConversationsIn(const Snapshot& s);

  std::unique_ptr<storage::Repository> repo_;
  OpenOptions options_;
  // What this process has read of the vault's state, so each file is read
  // once however many commands' steps ask: snapshot files and the catalogs
  // they point at, by file name (a name is the hash of the file's bytes, so
  // what it decoded to cannot change; Add hands over the catalog it wrote).
  // snapshots/ itself is listed each time, so
  // Add, under the lock, builds on another writer's newer snapshot. (The
  // index is read at open: a Vault serves one command, not a long life.)
  std::map<std::string, Snapshot> snapshot_cache_;
  std::map<std::string, std::unique_ptr<Catalog>> catalogs_;
  std::map<std::string, std::unique_ptr<HashSet>> exports_;
};

}  // namespace gptvault::vault
