// `add`: one export archive in, one snapshot out.
//
// Conversations are recognised by a keyed fingerprint of their exact bytes
// before anything is parsed: bytes already in the vault cost a fingerprint and
// a lookup.
// Only new bytes are parsed, chunked, compressed, sealed and packed. The same
// checks as `verify` run on the way; a refused archive leaves no trace.
#include <ctime>
#include <future>
#include <unordered_map>
#include <unordered_set>

#include "chunk_stream.h"
#include "gptvault/ingest/conversation.h"
#include "gptvault/ingest/export_reader.h"
#include "gptvault/ingest/export_report.h"
#include "gptvault/util/file.h"
#include "gptvault/vault/vault.h"
#include "html_recipe.h"

namespace gptvault::vault {

namespace {

using ingest::ExportMember;
using storage::ObjectId;
using storage::ObjectIdHash;
using storage::ObjectType;

std::string NowIso8601() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// What the checker needs of a conversation whose bytes were seen before: the
// facts recorded when they were first parsed (their warnings were reported
// then and are not repeated).
ingest::ConversationInfo FactsOf(const ConversationRecord& rec, const ConversationVersion& v) {
  ingest::ConversationInfo info;
  info.id = rec.id;
  info.title = v.title;
  info.total_messages = v.all_messages;
  info.branches = v.branches;
  info.message_count = v.messages;
  for (const auto& a : v.assets) info.assets.push_back({a.id, a.name});
  return info;
}

class Ingester : public ingest::ExportVisitor {
 public:
  Ingester(storage::Repository& repo, const ingest::ExportReader& reader, Catalog catalog,
           uint64_t seq, AddProgressFn progress)
      : repo_(repo),
        reader_(reader),
        checker_(reader),
        catalog_(std::move(catalog)),
        seq_(seq),
        manifest_{std::vector<ManifestMember>(reader.members().size())},
        file_fingerprints_(reader.members().size()),
        progress_fn_(std::move(progress)) {
    catalog_.seq = seq;
    for (const ExportMember& m : reader.members()) {
      // A nested export's bytes are counted as its own members are read.
      if (m.kind != ExportMember::Kind::kDirectory && m.kind != ExportMember::Kind::kNestedExport) {
        progress_.bytes_total += m.size;
      }
    }
    for (auto& [id, rec] : catalog_.conversations) {
      for (size_t i = 0; i < rec.versions.size(); ++i) {
        const ConversationVersion& v = rec.versions[i];
        known_.emplace(v.hash, Known{&rec, i});
        if (v.fingerprint) known_fp_.emplace(*v.fingerprint, Known{&rec, i});
      }
    }
    for (const auto& [id, asset] : catalog_.assets) {
      if (asset.fingerprint) known_files_.emplace(*asset.fingerprint, &asset.content);
    }
  }

  Status OnMemberStart(const ExportMember& m) override {
    sealed_at_start_ = repo_.stats().bytes_sealed;
    ManifestMember& mm = manifest_.members[m.ordinal];
    mm.name = m.name;
    mm.container = m.container;
    mm.crc = m.crc;
    mm.directory = m.kind == ExportMember::Kind::kDirectory;
    mm.nested_export = m.kind == ExportMember::Kind::kNestedExport;
    mm.conversations = m.kind == ExportMember::Kind::kConversations;
    current_ = &mm;
    if (m.kind == ExportMember::Kind::kOther) {
      if (BaseName(m.name) == "chat.html") {
        mm.recipe = true;
        recipe_.emplace(repo_, [this](std::string_view bytes) -> std::optional<ObjectId> {
          std::optional<ObjectId> hash;
          const Known* known = Recognise(AsBytes(bytes), repo_.FingerprintOf(AsBytes(bytes)), hash);
          if (!known) return std::nullopt;
          return known->version().hash;
        });
      } else if (m.size <= kWholeFileLimit) {
        whole_file_.emplace();
        whole_file_->reserve(m.size);
      } else {
        writer_.emplace(repo_, ObjectType::kData);
      }
    }
    return Status::Ok();
  }

  Status OnData(ByteView piece) override {
    counts_.bytes_read += piece.size();
    GV_RETURN_IF_ERROR(Report());
    if (whole_file_) {
      whole_file_->insert(whole_file_->end(), piece.begin(), piece.end());
      return Status::Ok();
    }
    return recipe_ ? recipe_->Feed(piece) : writer_->Feed(piece);
  }

  Status OnConversation(std::string_view glue, std::string_view json) override {
    counts_.bytes_read += glue.size() + json.size();
    current_->glue.emplace_back(glue);
    GV_ASSIGN_OR_RETURN(ObjectId hash, AddConversation(json));
    current_->conversation_hashes.push_back(hash);
    return Status::Ok();
  }

  Status OnMemberEnd(const ExportMember& m, std::string_view trailing) override {
    counts_.bytes_read += trailing.size();
    if (m.kind == ExportMember::Kind::kConversations) {
      current_->glue.emplace_back(trailing);
    } else if (recipe_) {
      GV_ASSIGN_OR_RETURN(current_->segments, recipe_->Finish());
      recipe_.reset();
    } else if (whole_file_) {
      GV_RETURN_IF_ERROR(StoreWholeFile(m.ordinal, *whole_file_));
      whole_file_.reset();
    } else if (m.kind == ExportMember::Kind::kOther) {
      GV_ASSIGN_OR_RETURN(current_->content, writer_->Finish());
      writer_.reset();
    }
    ++counts_.members;
    SampleMemory();
    uint64_t sealed = repo_.stats().bytes_sealed - sealed_at_start_;
    if (m.kind == ExportMember::Kind::kConversations) {
      sealed_conversations_ += sealed;
    } else if (m.name.ends_with("chat.html")) {
      sealed_chat_html_ += sealed;
    } else {
      sealed_other_ += sealed;
    }
    return Status::Ok();
  }

  // Tells the progress display, about once per MiB read.
  Status Report(bool now = false) {
    if (!progress_fn_ || (!now && counts_.bytes_read < next_report_)) return Status::Ok();
    next_report_ = counts_.bytes_read + kReportEvery;
    progress_.bytes_read = counts_.bytes_read;
    progress_.conversations = counts_.conversations;
    return progress_fn_(progress_);
  }

  // Reading /proc costs a system call and a file: once per few MiB read is
  // enough to catch the peak, once per (mostly small) member was not.
  void SampleMemory() {
    if (counts_.bytes_read - sampled_at_ < kSampleEvery) return;
    sampled_at_ = counts_.bytes_read;
    peak_rss_ = std::max(peak_rss_, CurrentRssKiB());
  }

  void FillStats(AddResult& r) const {
    r.ingest_peak_rss_kib = peak_rss_;
    r.sealed_conversations = sealed_conversations_;
    r.sealed_chat_html = sealed_chat_html_;
    r.sealed_other_members = sealed_other_;
  }

  // After the archive was read: the verdict, and the files conversations
  // point at recorded in the catalog's asset table. `wins_ties` as for
  // SettleCurrent: the file of an older export fills a gap, never replaces.
  Status Finish(bool wins_ties) {
    peak_rss_ = std::max(peak_rss_, CurrentRssKiB());
    ingest::ExportReport report = checker_.Finish();
    if (!report.sound()) return Status::InvalidArgument(report.problems.front());
    for (const auto& a : report.anomalies) {
      warnings_.push_back("conversation " + a.conversation + ": " + a.what);
    }
    for (const auto& [id, hit] : checker_.resolved()) {
      AssetRecord& rec = catalog_.assets[id];
      if (rec.id.empty()) {
        rec.id = id;
        rec.first_seq = seq_;
      } else if (!wins_ties) {
        continue;
      }
      rec.name = hit.name;
      rec.content = manifest_.members[hit.member].content;
      rec.fingerprint = file_fingerprints_[hit.member];
    }
    counts_.attachments_referenced = report.attachments_referenced;
    counts_.attachments_missing = report.attachments_missing;
    std::unordered_set<std::string> missing_ids;
    for (const auto& m : report.missing) missing_ids.insert(m.id);
    for (const std::string& id : missing_ids) {
      if (catalog_.assets.count(id)) ++counts_.attachments_from_earlier;
    }
    if (!missing_ids.empty()) {
      warnings_.push_back(std::to_string(missing_ids.size()) +
                          " files that conversations point at are not in this export (" +
                          std::to_string(counts_.attachments_from_earlier) +
                          " of them are kept from earlier exports)");
    }
    for (const auto& [id, rec] : catalog_.conversations) {
      if (rec.last_seq != seq_) ++counts_.kept;
    }
    return Status::Ok();
  }

  // Once the export's date is known (it is the newest update_time in it, so
  // only at the end): each conversation it has moves to its version here if
  // that is newer than the current one (catalog.h). `wins_ties`: this export
  // is at least as new as every one before it. Returns how many current
  // versions changed, conversations new to the vault not counted.
  uint64_t SettleCurrent(bool wins_ties) {
    uint64_t changed = 0;
    for (const auto& [rec, version] : here_) {
      if (TakeIfNewer(*rec, version, wins_ties)) ++changed;
    }
    return changed;
  }

  std::optional<double> export_time() const { return export_time_; }

  const Catalog& catalog() const { return catalog_; }
  Catalog TakeCatalog() { return std::move(catalog_); }
  const Manifest& manifest() const { return manifest_; }
  AddCounts& counts() { return counts_; }
  std::vector<std::string>& warnings() { return warnings_; }

 private:
  struct Known {
    ConversationRecord* record;
    size_t index;
    const ConversationVersion& version() const { return record->versions[index]; }
  };

  // The version these exact bytes are, if the vault or this export has them:
  // found by fingerprint, else by hash (a version recorded before
  // fingerprints existed, which gets one now). Sets `hash` when it had to be
  // computed, so bytes that turn out new are not hashed twice.
  const Known* Recognise(ByteView bytes, const crypto::Fingerprint& fingerprint,
                         std::optional<ObjectId>& hash) {
    if (auto it = known_fp_.find(fingerprint); it != known_fp_.end()) return &it->second;
    hash = repo_.IdOf(bytes);
    auto it = known_.find(*hash);
    if (it == known_.end()) return nullptr;
    it->second.record->versions[it->second.index].fingerprint = fingerprint;
    return &known_fp_.emplace(fingerprint, it->second).first->second;
  }

  Result<ObjectId> AddConversation(std::string_view json) {
    ++counts_.conversations;
    SampleMemory();
    GV_RETURN_IF_ERROR(Report());
    crypto::Fingerprint fingerprint = repo_.FingerprintOf(AsBytes(json));
    std::optional<ObjectId> seen_hash;
    if (const Known* known = Recognise(AsBytes(json), fingerprint, seen_hash)) {
      ConversationRecord& rec = *known->record;
      checker_.Add(FactsOf(rec, known->version()));
      Touch(rec, known->index, /*is_new_version=*/false);
      return known->version().hash;
    }
    ObjectId hash = *seen_hash;
    auto info = ingest::ParseConversation(json);
    if (!info.ok()) {
      return info.status().WithContext("conversation " + std::to_string(counts_.conversations));
    }
    checker_.Add(*info);
    ConversationVersion v;
    v.hash = hash;
    v.fingerprint = fingerprint;
    v.first_seq = seq_;
    v.title = info->title;
    v.update_time = info->update_time;
    v.messages = info->message_count;
    v.all_messages = info->total_messages;
    v.branches = info->branches;
    for (const auto& a : info->assets) v.assets.push_back({a.id, a.name});
    auto [it, inserted] = catalog_.conversations.try_emplace(info->id);
    ConversationRecord& rec = it->second;
    GV_RETURN_IF_ERROR(StoreVersion(rec, json, v));
    if (inserted) {
      rec.id = info->id;
      rec.create_time = info->create_time;
    }
    rec.versions.push_back(std::move(v));
    size_t index = rec.versions.size() - 1;
    known_.emplace(hash, Known{&rec, index});
    known_fp_.emplace(fingerprint, Known{&rec, index});
    Touch(rec, index, /*is_new_version=*/true);
    return hash;
  }

  // A file small enough to hold is recognised whole by its fingerprint, so
  // an attachment already in the vault costs neither chunking nor hashing.
  // Sets manifest_.members[ordinal].content.
  Status StoreWholeFile(size_t ordinal, const Bytes& bytes) {
    crypto::Fingerprint fingerprint = repo_.FingerprintOf(bytes);
    file_fingerprints_[ordinal] = fingerprint;
    ChunkList& content = manifest_.members[ordinal].content;
    if (auto it = known_files_.find(fingerprint);
        it != known_files_.end() && it->second->size == bytes.size()) {
      content = *it->second;
      return Status::Ok();
    }
    GV_ASSIGN_OR_RETURN(content, StoreChunked(repo_, ObjectType::kData, bytes));
    known_files_.emplace(fingerprint, &content);
    return Status::Ok();
  }

  // A conversation seen before is stored as a change to its newest stored
  // version (chunk_stream.h): most months it grew by a few messages.
  Status StoreVersion(const ConversationRecord& rec, std::string_view json,
                      ConversationVersion& v) {
    const ConversationVersion* base = rec.versions.empty() ? nullptr : &rec.versions.back();
    GV_ASSIGN_OR_RETURN(StoredDelta stored, StoreAgainst(repo_, ObjectType::kData, AsBytes(json),
                                                         v.hash, base ? &base->content : nullptr,
                                                         base ? base->delta_depth : 0));
    v.content = std::move(stored.list);
    v.delta_depth = stored.depth;
    return Status::Ok();
  }

  // Records that this export has `rec` at `version`, and counts it against
  // the vault's current version. Of two copies of one id in the same export
  // the later one counts (SettleCurrent).
  void Touch(ConversationRecord& rec, size_t version, bool is_new_version) {
    bool again = here_.count(&rec) != 0;
    if (!again) {
      if (rec.versions.size() == 1 && is_new_version) {
        ++counts_.new_conversations;
      } else if (version == rec.current && !is_new_version) {
        ++counts_.unchanged;
      } else {
        ++counts_.updated;
      }
    }
    here_[&rec] = version;
    rec.last_seq = seq_;
    const std::optional<double>& t = rec.versions[version].update_time;
    if (t && (!export_time_ || *t > *export_time_)) export_time_ = t;
  }

  storage::Repository& repo_;
  const ingest::ExportReader& reader_;
  ingest::ExportChecker checker_;
  Catalog catalog_;
  uint64_t seq_;
  Manifest manifest_;  // members by ordinal: archive order
  // Of the members held whole (StoreWholeFile), by ordinal.
  std::vector<std::optional<crypto::Fingerprint>> file_fingerprints_;
  ManifestMember* current_ = nullptr;
  std::optional<ChunkStreamWriter> writer_;
  std::optional<HtmlRecipeWriter> recipe_;
  std::optional<Bytes> whole_file_;
  // Files already stored, by fingerprint: from the catalog's assets and
  // from this export. The lists live in catalog_ and manifest_.
  std::unordered_map<crypto::Fingerprint, const ChunkList*, UniformBytesHash> known_files_;
  // Larger files stream through the chunker instead of being held.
  static constexpr uint64_t kWholeFileLimit = 16 << 20;
  AddCounts counts_;
  std::vector<std::string> warnings_;
  std::unordered_map<ObjectId, Known, ObjectIdHash> known_;
  std::unordered_map<crypto::Fingerprint, Known, UniformBytesHash> known_fp_;
  // What this export has: conversation -> its version here. The records
  // live in catalog_.conversations, whose nodes do not move.
  std::unordered_map<ConversationRecord*, size_t> here_;
  std::optional<double> export_time_;  // the newest update_time seen
  uint64_t sealed_at_start_ = 0;
  uint64_t sealed_conversations_ = 0;
  uint64_t sealed_chat_html_ = 0;
  uint64_t sealed_other_ = 0;
  static constexpr uint64_t kSampleEvery = 4 << 20;
  static constexpr uint64_t kReportEvery = 1 << 20;
  AddProgressFn progress_fn_;
  AddProgress progress_;
  uint64_t next_report_ = 0;
  uint64_t sampled_at_ = 0;
  long peak_rss_ = 0;
};

// An error met while reading the archive is the archive's (kRefused), unless
// it is the vault's own: a backend that failed, a lock lost, an interrupt.
Status AsArchiveError(const Status& s) {
  switch (s.code()) {
    case Status::Code::kOk:
    case Status::Code::kIOError:
    case Status::Code::kLocked:
    case Status::Code::kCancelled:
      return s;
    default:
      return Status::Refused(s.message());
  }
}

}  // namespace

Result<AddResult> Vault::Add(const std::string& archive_path, const AddProgressFn& progress) {
  // One writer at a time, held until Add returns (storage/lock.h).
  GV_ASSIGN_OR_RETURN(auto writer_lock, repo_->AcquireLock(options_.lock));
  // The archive's directory is read (and every local header checked against
  // it) on a second thread while the newest catalog is read and decrypted
  // here: neither needs the other, and on a large export each takes ~0.1 s.
  auto opening = std::async(std::launch::async,
                            [&archive_path] { return ingest::ExportReader::Open(archive_path); });
  Result<std::vector<Snapshot>> earlier = History();
  Result<const Catalog*> loaded = static_cast<const Catalog*>(nullptr);
  if (earlier.ok() && !earlier->empty()) loaded = CatalogAt(earlier->back());
  // A bad archive is reported first, as when the two ran in turn.
  auto opened = opening.get();
  if (!opened.ok()) return AsArchiveError(opened.status());
  std::unique_ptr<ingest::ExportReader> reader = std::move(opened).value();
  GV_ASSIGN_OR_RETURN(std::vector<Snapshot> history, std::move(earlier));
  GV_ASSIGN_OR_RETURN(const Catalog* latest, std::move(loaded));
  Catalog catalog = latest ? *latest : Catalog{};  // this add's working copy
  const Snapshot* previous = history.empty() ? nullptr : &history.back();
  Snapshot snap;
  snap.seq = previous ? previous->seq + 1 : 1;
  snap.parent = previous ? previous->name : "";
  snap.time = NowIso8601();
  snap.source = BaseName(archive_path);
  snap.source_size = reader->compressed_size();
  snap.layout = reader->layout().Describe();

  uint64_t written_before = repo_->stats().bytes_written;
  Ingester ingester(*repo_, *reader, std::move(catalog), snap.seq, progress);
  uint64_t sealed_metadata = 0, sealed_catalog = 0, sealed_manifest = 0;
  AddResult result;
  auto body = [&]() -> Status {
    GV_RETURN_IF_ERROR(AsArchiveError(reader->Read(ingester)));
    // Time never runs backwards: an export older than the newest one in the
    // vault adds history; the current view moves only where it has
    // something newer than every other export (a conversation they lack).
    snap.export_time = ingester.export_time();
    const Snapshot* newest = NewestExport(history, ingester.catalog());
    std::optional<double> newest_time =
        newest ? ExportTimeOf(*newest, ingester.catalog()) : std::nullopt;
    bool older = snap.export_time && newest_time && *snap.export_time < *newest_time;
    GV_RETURN_IF_ERROR(AsArchiveError(ingester.Finish(/*wins_ties=*/!older)));
    uint64_t changed = ingester.SettleCurrent(/*wins_ties=*/!older);
    if (older) {
      result.newer = AddResult::NewerExport{newest->seq, *newest_time,
                                            changed + ingester.counts().new_conversations};
    }
    GV_RETURN_IF_ERROR(repo_->Flush());
    uint64_t sealed_before = repo_->stats().bytes_sealed;
    GV_ASSIGN_OR_RETURN(snap.manifest,
                        StoreWritten(*repo_, ObjectType::kTree, [&](const TextSink& sink) {
                          return EncodeManifest(ingester.manifest(), sink);
                        }));
    // The same export again (chunks are content-addressed, so the same
    // manifest is the same chunk list): nothing to record.
    for (const Snapshot& s : history) {
      if (s.manifest.size == snap.manifest.size && s.manifest.chunks == snap.manifest.chunks) {
        result.same_as = s.seq;
        return Status::Ok();
      }
    }
    GV_RETURN_IF_ERROR(repo_->Flush());
    sealed_manifest = repo_->stats().bytes_sealed - sealed_before;
    // Not stored as changes to the previous snapshot's, though most entries
    // are the same: then one lost pack would make every later catalog
    // unreadable, where now it costs only what it held.
    GV_ASSIGN_OR_RETURN(snap.catalog,
                        StoreWritten(*repo_, ObjectType::kTree, [&](const TextSink& sink) {
                          return EncodeCatalog(ingester.catalog(), sink);
                        }));
    GV_RETURN_IF_ERROR(repo_->Flush());
    sealed_metadata = repo_->stats().bytes_sealed - sealed_before;
    sealed_catalog = sealed_metadata - sealed_manifest;
    // The last moment to stop with nothing committed.
    GV_RETURN_IF_ERROR(ingester.Report(/*now=*/true));
    return repo_->Commit();
  };
  Status s = body();
  if (!s.ok() || result.same_as) repo_->Abandon();
  if (!s.ok()) return s.WithContext(snap.source);
  snap.counts = ingester.counts();
  if (result.same_as) {
    result.snapshot = std::move(snap);
    return result;
  }
  snap.counts.bytes_stored = repo_->stats().bytes_written - written_before;
  // The commit point: until this file exists the new packs are unreferenced.
  const std::string encoded = EncodeSnapshot(snap);
  GV_ASSIGN_OR_RETURN(snap.name, repo_->WriteMetaFile("snapshots", AsBytes(encoded)));

  // Rollback guard (rollback_guard.h): this machine has seen this snapshot.
  // The add itself is done, so a failure here is only a warning.
  if (Status r = RememberSnapshot(snap); !r.ok()) ingester.warnings().push_back(r.message());

  result.warnings = std::move(ingester.warnings());
  ingester.FillStats(result);
  result.sealed_metadata = sealed_metadata;
  result.sealed_catalog = sealed_catalog;
  // What was just written is the vault's state now: the next step (a second
  // archive, a list) reads neither back.
  if (auto as_read = DecodeSnapshot(encoded); as_read.ok()) {
    as_read->name = snap.name;
    snapshot_cache_.emplace(snap.name, std::move(as_read).value());
  }
  catalogs_[snap.name] = std::make_unique<Catalog>(ingester.TakeCatalog());
  result.snapshot = std::move(snap);
  return result;
}

}  // namespace gptvault::vault
