// `add`: one export archive in, one snapshot out.
//
// Conversations are recognised by the keyed hash of their exact bytes before
// anything is parsed: bytes already in the vault cost a hash and a lookup.
// Only new bytes are parsed, chunked, compressed, sealed and packed.
#include <ctime>
#include <unordered_map>
#include <unordered_set>

#include "chunk_stream.h"
#include "gptvault/ingest/conversation.h"
#include "gptvault/ingest/export_layout.h"
#include "gptvault/ingest/json_array_splitter.h"
#include "gptvault/ingest/zip_reader.h"
#include "gptvault/vault/vault.h"

namespace gptvault::vault {

namespace {

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

class Ingester {
 public:
  Ingester(storage::Repository& repo, Catalog catalog, uint64_t seq)
      : repo_(repo), catalog_(std::move(catalog)), seq_(seq) {
    catalog_.seq = seq;
    for (auto& [id, rec] : catalog_.conversations) {
      for (size_t i = 0; i < rec.versions.size(); ++i) {
        known_.emplace(rec.versions[i].hash, Known{&rec, i});
      }
    }
  }

  Status Run(ingest::ZipReader& zip) {
    for (const ingest::ZipMember& member : zip.members()) {
      ManifestMember mm;
      mm.name = member.name;
      mm.crc = member.crc;
      if (member.is_directory) {
        mm.directory = true;
      } else if (ingest::IsConversationsFile(member.name)) {
        mm.conversations = true;
        ++conversation_files_;
        GV_RETURN_IF_ERROR(ReadConversations(zip, member, mm));
      } else {
        ChunkStreamWriter writer(repo_, ObjectType::kData);
        GV_RETURN_IF_ERROR(zip.ReadMember(member, [&](ByteView piece) {
          counts_.bytes_read += piece.size();
          return writer.Feed(piece);
        }));
        GV_ASSIGN_OR_RETURN(mm.content, writer.Finish());
      }
      ++counts_.members;
      manifest_.members.push_back(std::move(mm));
    }
    if (conversation_files_ == 0) {
      return Status::InvalidArgument(
          "no conversations file (conversations.json or conversations-NNN.json) in the archive");
    }
    if (counts_.conversations == 0) {
      return Status::InvalidArgument("the archive holds zero conversations");
    }
    for (const auto& [id, rec] : catalog_.conversations) {
      if (rec.last_seq != seq_) ++counts_.kept;
    }
    return Status::Ok();
  }

  const Catalog& catalog() const { return catalog_; }
  const Manifest& manifest() const { return manifest_; }
  AddCounts& counts() { return counts_; }
  std::vector<std::string>& warnings() { return warnings_; }

 private:
  struct Known {
    ConversationRecord* record;
    size_t version;
  };

  Status ReadConversations(ingest::ZipReader& zip, const ingest::ZipMember& member,
                           ManifestMember& mm) {
    ingest::JsonArraySplitter splitter(
        [&](std::string_view glue, std::string_view element) -> Status {
          mm.glue.emplace_back(glue);
          GV_ASSIGN_OR_RETURN(ObjectId hash, AddConversation(element));
          mm.conversation_hashes.push_back(hash);
          return Status::Ok();
        });
    Status s = zip.ReadMember(member, [&](ByteView piece) {
      counts_.bytes_read += piece.size();
      return splitter.Feed(piece);
    });
    if (s.ok()) s = splitter.Finish();
    if (!s.ok()) return s.WithContext(member.name);
    mm.glue.push_back(splitter.trailing());
    return Status::Ok();
  }

  Result<ObjectId> AddConversation(std::string_view element) {
    ++counts_.conversations;
    ObjectId hash = repo_.IdOf(AsBytes(element));
    auto known = known_.find(hash);
    if (known != known_.end()) {
      Touch(*known->second.record, known->second.version, /*is_new_version=*/false);
      return hash;
    }
    auto info = ingest::ParseConversation(element);
    if (!info.ok()) {
      return info.status().WithContext("conversation " + std::to_string(counts_.conversations));
    }
    for (const std::string& w : info->warnings) {
      warnings_.push_back("conversation " + info->id + ": " + w);
    }
    ConversationVersion v;
    v.hash = hash;
    v.first_seq = seq_;
    v.title = info->title;
    v.update_time = info->update_time;
    v.messages = info->message_count;
    GV_ASSIGN_OR_RETURN(v.content, StoreChunked(repo_, ObjectType::kData, AsBytes(element)));

    auto [it, inserted] = catalog_.conversations.try_emplace(info->id);
    ConversationRecord& rec = it->second;
    if (inserted) {
      rec.id = info->id;
      rec.create_time = info->create_time;
    }
    rec.versions.push_back(std::move(v));
    size_t index = rec.versions.size() - 1;
    known_.emplace(hash, Known{&rec, index});
    Touch(rec, index, /*is_new_version=*/true);
    return hash;
  }

  // Records that this export has `rec` at `version`, and counts it.
  void Touch(ConversationRecord& rec, size_t version, bool is_new_version) {
    bool seen_before_here = !seen_here_.insert(rec.id).second;
    if (seen_before_here) {
      warnings_.push_back("conversation " + rec.id +
                          " appears more than once in this export; the later copy is current");
    } else if (rec.versions.size() == 1 && is_new_version) {
      ++counts_.new_conversations;
    } else if (version == rec.current && rec.last_seq != 0 && !is_new_version) {
      ++counts_.unchanged;
    } else {
      ++counts_.updated;
    }
    rec.current = version;
    rec.last_seq = seq_;
  }

  storage::Repository& repo_;
  Catalog catalog_;
  uint64_t seq_;
  Manifest manifest_;
  AddCounts counts_;
  std::vector<std::string> warnings_;
  std::unordered_map<ObjectId, Known, ObjectIdHash> known_;
  std::unordered_set<std::string> seen_here_;
  int conversation_files_ = 0;
};

}  // namespace

Result<AddResult> Vault::Add(const std::string& archive_path) {
  GV_ASSIGN_OR_RETURN(auto zip, ingest::ZipReader::Open(archive_path));
  GV_ASSIGN_OR_RETURN(auto previous, LatestSnapshot());
  Catalog catalog;
  if (previous) {
    GV_ASSIGN_OR_RETURN(catalog, LoadCatalog(*previous));
  }
  Snapshot snap;
  snap.seq = previous ? previous->seq + 1 : 1;
  snap.parent = previous ? previous->name : "";
  snap.time = NowIso8601();
  snap.source = BaseName(archive_path);

  uint64_t written_before = repo_->stats().bytes_written;
  Ingester ingester(*repo_, std::move(catalog), snap.seq);
  auto body = [&]() -> Status {
    GV_RETURN_IF_ERROR(ingester.Run(*zip));
    GV_ASSIGN_OR_RETURN(snap.catalog, StoreChunked(*repo_, ObjectType::kTree,
                                                   AsBytes(EncodeCatalog(ingester.catalog()))));
    GV_ASSIGN_OR_RETURN(snap.manifest, StoreChunked(*repo_, ObjectType::kTree,
                                                    AsBytes(EncodeManifest(ingester.manifest()))));
    return repo_->Commit();
  };
  Status s = body();
  if (!s.ok()) {
    repo_->Abandon();
    return s.WithContext(snap.source);
  }
  for (const ingest::ZipMember& m : zip->members()) snap.source_size += m.compressed_size;
  snap.counts = ingester.counts();
  snap.counts.bytes_stored = repo_->stats().bytes_written - written_before;
  // The commit point: until this file exists the new packs are unreferenced.
  GV_ASSIGN_OR_RETURN(snap.name, repo_->WriteMetaFile("snapshots", AsBytes(EncodeSnapshot(snap))));
  return AddResult{std::move(snap), std::move(ingester.warnings())};
}

}  // namespace gptvault::vault
