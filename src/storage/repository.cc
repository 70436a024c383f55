#include "gptvault/storage/repository.h"

#include <cstring>
#include <ctime>

#include "gptvault/storage/file_names.h"
#include "gptvault/storage/key_file.h"
#include "gptvault/storage/key_ring.h"

namespace gptvault::storage {

namespace {}  // namespace

Status Repository::Init(Backend& backend, const crypto::SecretBytes& passphrase,
                        const crypto::KdfParams& kdf) {
  auto existing = backend.Get(kConfigFileName);
  if (existing.ok()) {
    return Status::AlreadyExists("a vault already exists at " + backend.Describe());
  }
  if (!existing.status().IsNotFound()) return existing.status();
  GV_ASSIGN_OR_RETURN(auto keys, backend.List("keys/"));
  if (!keys.empty()) {
    return Status::AlreadyExists("a vault already exists at " + backend.Describe());
  }

  crypto::SecretBytes master = crypto::SecretBytes::Random(crypto::kKeySize);
  GV_ASSIGN_OR_RETURN(Bytes key_file, WrapMasterKey(master, passphrase, kdf,
                                                    static_cast<uint64_t>(std::time(nullptr))));
  VaultConfig config;
  config.format_version = kFormatVersion;
  crypto::RandomBytes(config.vault_id.data(), config.vault_id.size());
  // Key file first: a crash before the config leaves no half-vault that
  // Open would accept, and Init can be re-run once the key file is removed.
  std::string key_name = "keys/" + ToHex(crypto::RandomBytes(16));
  GV_RETURN_IF_ERROR(backend.Put(key_name, key_file));
  return backend.Put(kConfigFileName, EncodeConfig(config, master));
}

Result<UnlockedKey> Repository::Unlock(Backend& backend, ByteView config_bytes,
                                       const crypto::SecretBytes& passphrase) {
  // A config of a newer format is refused before the slow unlock.
  GV_RETURN_IF_ERROR(DecodeConfig(config_bytes).status());
  GV_ASSIGN_OR_RETURN(UnlockedKey unlocked, KeyRing(backend).Unlock(passphrase));
  GV_RETURN_IF_ERROR(VerifyConfig(config_bytes, unlocked.master));
  return unlocked;
}

Result<std::unique_ptr<Repository>> Repository::Open(std::unique_ptr<Backend> backend,
                                                     const crypto::SecretBytes& passphrase) {
  GV_ASSIGN_OR_RETURN(Bytes config_bytes, ReadConfigFile(*backend));
  GV_ASSIGN_OR_RETURN(UnlockedKey unlocked, Unlock(*backend, config_bytes, passphrase));
  return OpenUnlocked(std::move(backend), config_bytes, unlocked.master);
}

Result<std::unique_ptr<Repository>> Repository::OpenWithMasterKey(
    std::unique_ptr<Backend> backend, const crypto::SecretBytes& master) {
  GV_ASSIGN_OR_RETURN(Bytes config_bytes, ReadConfigFile(*backend));
  return OpenUnlocked(std::move(backend), config_bytes, master);
}

Result<std::unique_ptr<Repository>> Repository::OpenUnlocked(std::unique_ptr<Backend> backend,
                                                             ByteView config_bytes,
                                                             const crypto::SecretBytes& master) {
  GV_ASSIGN_OR_RETURN(VaultConfig config, DecodeConfig(config_bytes));
  GV_RETURN_IF_ERROR(VerifyConfig(config_bytes, master));

  std::unique_ptr<Repository> repo(new Repository());
  repo->backend_ = std::move(backend);
  repo->config_ = config;
  repo->id_key_ = crypto::DeriveSubkey(master, crypto::KeyPurpose::kObjectId);
  repo->fingerprint_key_ = crypto::DeriveSubkey(master, crypto::KeyPurpose::kFingerprint);
  repo->seal_key_ = crypto::DeriveSubkey(master, crypto::KeyPurpose::kObjectSeal);
  repo->chunker_ = std::make_unique<Chunker>(
      crypto::DeriveSubkey(master, crypto::KeyPurpose::kChunker), config.chunker);
  GV_RETURN_IF_ERROR(repo->LoadIndex());
  return repo;
}

Repository::~Repository() { (void)FinishPackWrite(); }

Status Repository::FinishPackWrite() {
  if (pack_writer_.joinable()) pack_writer_.join();
  return pack_write_status_;
}

Backend& Repository::backend() {
  (void)FinishPackWrite();
  return *backend_;
}

// Loads the index files not loaded yet. A damaged one is remembered, not
// fatal, so check and repair can run and objects elsewhere stay readable.
Status Repository::LoadIndex() {
  GV_ASSIGN_OR_RETURN(auto files, backend().List("index/"));
  ignored_.clear();
  for (const FileInfo& f : files) {
    if (!IsHashName("index", f.name)) {
      ignored_.push_back(f.name);
      continue;
    }
    if (!loaded_index_.insert(f.name).second) continue;
    auto bytes = backend().Get(f.name);
    if (!bytes.ok() && bytes.status().code() == Status::Code::kIOError) return bytes.status();
    Status bad = bytes.status();
    std::vector<IndexedPack> packs;
    if (bytes.ok() && HashFileName("index", *bytes) != f.name) {
      bad = Status::Corruption("its bytes do not match its name");
    } else if (bytes.ok()) {
      auto decoded = DecodeIndexFile(seal_key_, *bytes);
      bad = decoded.status();
      if (decoded.ok()) packs = std::move(decoded).value();
    }
    if (!bad.ok()) {
      damaged_index_.push_back({f.name, bad.message()});
      continue;
    }
    for (const IndexedPack& p : packs) index_.AddPack(p.pack_id, p.entries);
  }
  return Status::Ok();
}

Status Repository::ReloadIndex() {
  index_ = Index();
  loaded_index_.clear();
  damaged_index_.clear();
  return LoadIndex();
}

ObjectId Repository::IdOf(ByteView plaintext) const {
  return crypto::KeyedHash(id_key_, plaintext);
}

crypto::KeyedHasher Repository::NewHasher() const { return crypto::KeyedHasher(id_key_); }

crypto::Fingerprint Repository::FingerprintOf(ByteView plaintext) const {
  return crypto::KeyedFingerprint(fingerprint_key_, plaintext);
}

bool Repository::Contains(const ObjectId& id) const {
  return index_.Contains(id) || pending_.count(id) != 0;
}

Result<ObjectId> Repository::Put(ObjectType type, ByteView plaintext) {
  return PutWithId(type, IdOf(plaintext), plaintext, nullptr);
}

Result<ObjectId> Repository::PutWithId(ObjectType type, const ObjectId& id, ByteView plaintext,
                                       const DeltaBase* base) {
  if (Contains(id)) {
    ++stats_.objects_reused;
    return id;
  }
  if (!sealer_) sealer_ = std::make_unique<SealPool>(seal_key_, DefaultSealWorkers());
  sealer_->Submit(type, id, plaintext, base != nullptr && !base->ids.empty() ? base : nullptr);
  pending_.insert(id);
  ++stats_.objects_added;
  GV_RETURN_IF_ERROR(TakeSealed(false));
  return id;
}

Status Repository::TakeSealed(bool all) {
  if (!sealer_) return Status::Ok();
  std::vector<SealPool::Sealed> sealed;
  sealer_->Take(&sealed, all);
  for (SealPool::Sealed& s : sealed) {
    stats_.bytes_sealed += s.blob.size();
    pack_.Add(s.type, s.id, std::move(s.blob));
    if (pack_.size() >= kPackTargetSize) GV_RETURN_IF_ERROR(FlushPack());
  }
  return Status::Ok();
}

Status Repository::FlushPack() {
  if (pack_.empty()) return Status::Ok();
  GV_RETURN_IF_ERROR(FinishPackWrite());
  std::vector<PackEntry> entries;
  Bytes bytes = pack_.Finish(seal_key_, &entries);
  std::string name = PackName(bytes);
  stats_.bytes_written += bytes.size();
  std::string pack_id = PackIdFromName(name);
  // Found from now on: a read of it (GetAt) goes through backend(), which
  // waits for the write.
  index_.AddPack(pack_id, entries);
  for (const PackEntry& e : entries) pending_.erase(e.id);
  uncommitted_.push_back({pack_id, std::move(entries)});
  pack_writer_ = std::thread([this, name = std::move(name), bytes = std::move(bytes)] {
    Status s;
    try {
      s = PutImmutable(*backend_, name, bytes);
    } catch (const std::exception& e) {
      s = Status::IOError("cannot write " + name + ": " + e.what());
    }
    if (!s.ok()) pack_write_status_ = s;
  });
  return Status::Ok();
}

Status Repository::Commit() {
  GV_RETURN_IF_ERROR(TakeSealed(true));
  GV_RETURN_IF_ERROR(FlushPack());
  GV_RETURN_IF_ERROR(FinishPackWrite());
  if (uncommitted_.empty()) return Status::Ok();
  Bytes file = EncodeIndexFile(seal_key_, uncommitted_);
  const std::string name = HashFileName("index", file);
  GV_RETURN_IF_ERROR(PutImmutable(backend(), name, file));
  // Its entries are in index_ already; a prune later in this command counts
  // it among the index files it read.
  loaded_index_.insert(name);
  stats_.bytes_written += file.size();
  uncommitted_.clear();
  return Status::Ok();
}

void Repository::Abandon() {
  if (sealer_) {
    std::vector<SealPool::Sealed> dropped;
    sealer_->Take(&dropped, true);
  }
  for (const IndexedPack& p : uncommitted_) {
    (void)backend().Delete(PackFileName(p.pack_id));
  }
  uncommitted_.clear();
  pending_.clear();
  // What failed was part of what was just abandoned: the next command starts clean.
  pack_write_status_ = Status::Ok();
  std::vector<PackEntry> dropped;
  (void)pack_.Finish(seal_key_, &dropped);
}

Result<Bytes> Repository::Get(ObjectType type, const ObjectId& id) { return GetAt(type, id, 0); }

BaseLoader Repository::BaseReader(int depth) {
  return [this, depth](ObjectType type, const std::vector<ObjectId>& ids) -> Result<Bytes> {
    if (depth >= kMaxDeltaChain) return Status::Corruption("the chain of changes is too long");
    Bytes base;
    for (const ObjectId& id : ids) {
      GV_ASSIGN_OR_RETURN(Bytes part, GetAt(type, id, depth + 1));
      base.insert(base.end(), part.begin(), part.end());
    }
    return base;
  };
}

Result<Bytes> Repository::GetAt(ObjectType type, const ObjectId& id, int depth) {
  if (pending_.count(id)) {
    // Put by this command and not yet in a written pack (e.g. the base of
    // a delta put just after it): write the pack out first.
    GV_RETURN_IF_ERROR(TakeSealed(true));
    GV_RETURN_IF_ERROR(FlushPack());
  }
  const Location* loc = index_.Find(id);
  if (loc == nullptr) {
    std::string why = damaged_index_.empty()
                          ? " (an index file may still be syncing; if not, run `gptvault repair`)"
                          : " (" + damaged_index_[0].name + " is damaged: run `gptvault repair`)";
    return Status::NotFound("object " + ToHex(id).substr(0, 12) + " is not in the index" + why);
  }
  auto plain = ReadAt(type, id, *loc, depth);
  if (plain.ok() || plain.status().code() == Status::Code::kIOError) return plain;
  for (const Location& other : index_.Alternatives(id)) {
    auto copy = ReadAt(type, id, other, depth);
    if (copy.ok()) return copy;
  }
  return plain;
}

Result<Bytes> Repository::GetElsewhere(ObjectType type, const ObjectId& id) {
  Status last = Status::NotFound("object " + ToHex(id).substr(0, 12) + " is stored nowhere else");
  for (const Location& other : index_.Alternatives(id)) {
    auto copy = ReadAt(type, id, other, 0);
    if (copy.ok()) return copy;
    last = copy.status();
  }
  return last;
}

Result<Bytes> Repository::ReadAt(ObjectType type, const ObjectId& id, const Location& at,
                                 int depth) {
  const Location* loc = &at;
  if (loc->type != type) {
    return Status::Corruption("object " + ToHex(id).substr(0, 12) + " has the wrong type");
  }
  const std::string& pack = index_.pack(loc->pack);
  std::string name = PackFileName(pack);
  auto sealed = backend().GetRange(name, loc->offset, loc->length);
  if (!sealed.ok()) {
    if (sealed.status().IsNotFound()) {
      return Status::NotFound("pack " + name + " is missing (still syncing?)");
    }
    return sealed.status();
  }
  auto plain = DecodeObject(seal_key_, id_key_, type, id, *sealed, BaseReader(depth));
  if (!plain.ok()) return plain.status().WithContext("pack " + name);
  return plain;
}

Result<std::string> Repository::WriteMetaFile(const std::string& folder, ByteView plaintext) {
  Bytes file;
  PutBytes(file, AsBytes(kMetaFileMagic));
  PutBytes(file, SealFile(seal_key_, "gptvault/" + folder, plaintext, true));
  std::string name = HashFileName(folder, file);
  GV_RETURN_IF_ERROR(PutImmutable(backend(), name, file));
  stats_.bytes_written += file.size();
  return name;
}

Result<Bytes> Repository::ReadMetaFile(const std::string& name) {
  size_t slash = name.find('/');
  if (slash == std::string::npos) return Status::InvalidArgument("bad metadata file name");
  GV_ASSIGN_OR_RETURN(Bytes file, backend().Get(name));
  if (HashFileName(name.substr(0, slash), file) != name) {
    return Status::Corruption(name + " does not match its name (damaged or replaced)");
  }
  if (!StartsWithMetaMagic(file)) {
    return Status::Corruption(name + " is not a gptvault metadata file");
  }
  auto plain = OpenFile(seal_key_, "gptvault/" + name.substr(0, slash),
                        ByteView(file).subspan(kMetaFileMagic.size()));
  if (!plain.ok()) return Status::Corruption(name + " failed authentication");
  return plain;
}

}  // namespace gptvault::storage
