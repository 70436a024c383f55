#include "gptvault/ingest/export_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "gptvault/ingest/export_layout.h"
#include "gptvault/ingest/json_array_splitter.h"

namespace gptvault::ingest {

namespace {

// The asset-name maps are small (a few KB in real exports); anything far
// larger is not one.
constexpr uint64_t kMaxNameMapSize = 64u << 20;
// One conversation is held whole while it is parsed; real ones stay in the
// megabytes. The bound keeps a hostile archive (gigabytes of whitespace
// inside one object) from taking the machine's memory; just under a power
// of two, since the buffer grows by doubling.
constexpr size_t kMaxConversationSize = size_t{120} << 20;

std::string BaseName(std::string_view path) {
  size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A descriptor for the inner archive's bytes that no name ever points at,
// so a kill at any moment leaves no plaintext copy of the chat history
// behind: an anonymous memory file (RAM, or swap under pressure), else an
// unnamed file in $TMPDIR (O_TMPFILE: its blocks are freed with the last
// descriptor). Never a named temporary file, not even for a moment.
Result<int> AnonymousFile() {
  int fd = ::memfd_create("gptvault-nested", MFD_CLOEXEC);
  if (fd >= 0) return fd;
  const char* tmpdir = std::getenv("TMPDIR");
  std::string dir = tmpdir && *tmpdir ? tmpdir : "/tmp";
  fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  return Status::IOError(
      "cannot hold the nested export without a named temporary file (no memfd_create, and " + dir +
      " refuses O_TMPFILE): unzip the outer archive and add the inner ZIP");
}

// Copies a member to an anonymous file and opens it as a ZIP. The CRC is
// checked on the way, so the inner archive is trusted no more than the
// outer one.
Result<std::unique_ptr<ZipReader>> OpenNested(ZipReader& outer, const ZipMember& member) {
  GV_ASSIGN_OR_RETURN(int fd, AnonymousFile());
  Status s = outer.ReadMember(member, [&](ByteView piece) -> Status {
    size_t done = 0;
    while (done < piece.size()) {
      ssize_t n = ::write(fd, piece.data() + done, piece.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::IOError("cannot write a temporary copy of the nested export");
      done += static_cast<size_t>(n);
    }
    return Status::Ok();
  });
  if (!s.ok()) {
    ::close(fd);
    return s;
  }
  // libzip opens by path; /proc/self/fd/N reopens this descriptor's file,
  // which still has no name of its own. libzip keeps what it opened.
  auto inner = ZipReader::Open("/proc/self/fd/" + std::to_string(fd));
  ::close(fd);
  if (!inner.ok()) return inner.status().WithContext("nested export " + member.name);
  return inner;
}

bool HasConversations(const std::vector<ZipMember>& members) {
  return std::any_of(members.begin(), members.end(), [](const ZipMember& m) {
    return !m.is_directory && IsConversationsFile(m.name);
  });
}

}  // namespace

std::string ExportLayout::Describe() const {
  std::string out = sharded ? "sharded" : "single";
  if (dat_assets) out += " + .dat assets";
  if (!nested.empty()) out += " (nested in a privacy-portal container)";
  return out;
}

ExportReader::~ExportReader() = default;

Result<std::unique_ptr<ExportReader>> ExportReader::Open(const std::string& path) {
  std::unique_ptr<ExportReader> r(new ExportReader());
  GV_ASSIGN_OR_RETURN(r->outer_, ZipReader::Open(path));
  GV_RETURN_IF_ERROR(r->Classify());
  GV_RETURN_IF_ERROR(r->LoadAssetNames());
  return r;
}

Status ExportReader::Classify() {
  const std::vector<ZipMember>& outer = outer_->members();
  const ZipMember* nested = nullptr;
  if (!HasConversations(outer)) {
    // The privacy-portal container: prefer a nested ZIP whose name says it
    // holds conversations ("Conversations__<id>-chatgpt-0001.zip").
    for (const ZipMember& m : outer) {
      if (m.is_directory || !EndsWith(Lower(m.name), ".zip")) continue;
      bool named = Lower(BaseName(m.name)).find("conversations") != std::string::npos;
      if (nested == nullptr || named) nested = &m;
      if (named) break;
    }
    if (nested == nullptr) {
      return Status::InvalidArgument(
          "no conversations file (conversations.json or conversations-NNN.json) in the archive");
    }
    GV_ASSIGN_OR_RETURN(inner_, OpenNested(*outer_, *nested));
    if (!HasConversations(inner_->members())) {
      return Status::InvalidArgument("no conversations file in the archive nor in its nested " +
                                     BaseName(nested->name));
    }
    layout_.nested = nested->name;
  }

  auto add = [&](const ZipMember& m, size_t zip_index, const std::string& container) {
    ExportMember e;
    e.ordinal = members_.size();
    e.name = m.name;
    e.container = container;
    e.size = m.size;
    e.compressed_size = m.compressed_size;
    e.crc = m.crc;
    if (m.is_directory) {
      e.kind = ExportMember::Kind::kDirectory;
    } else if (&m == nested) {
      e.kind = ExportMember::Kind::kNestedExport;
    } else if (IsConversationsFile(m.name)) {
      e.kind = ExportMember::Kind::kConversations;
      if (BaseName(m.name) != "conversations.json") layout_.sharded = true;
    }
    std::string base = BaseName(m.name);
    if (base == "conversation_asset_file_names.json" || EndsWith(base, ".dat")) {
      layout_.dat_assets = true;
    }
    members_.push_back(std::move(e));
    zip_index_.push_back(zip_index);
  };
  for (size_t i = 0; i < outer.size(); ++i) add(outer[i], i, "");
  if (inner_) {
    for (size_t i = 0; i < inner_->members().size(); ++i) {
      add(inner_->members()[i], i, layout_.nested);
    }
  }
  return Status::Ok();
}

ZipReader& ExportReader::ReaderFor(const ExportMember& m) {
  return m.container.empty() ? *outer_ : *inner_;
}

const ZipMember& ExportReader::ZipMemberFor(const ExportMember& m) const {
  const ZipReader& z = m.container.empty() ? *outer_ : *inner_;
  return z.members()[zip_index_[m.ordinal]];
}

Status ExportReader::LoadAssetNames() {
  for (const ExportMember& m : members_) {
    std::string base = BaseName(m.name);
    bool names = base == "conversation_asset_file_names.json";
    bool library = base == "library_files.json";
    if (m.kind != ExportMember::Kind::kOther || (!names && !library)) continue;
    std::string text;
    Status s = ReaderFor(m).ReadMember(ZipMemberFor(m), [&](ByteView piece) -> Status {
      if (text.size() + piece.size() > kMaxNameMapSize) {
        return Status::InvalidArgument(base + " is implausibly large");
      }
      text.append(AsChars(piece));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    // The maps only lend friendly names; a damaged one costs names, not data.
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (names && j.is_object()) {
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (it.value().is_string()) asset_names_[it.key()] = it.value().get<std::string>();
      }
    } else if (library && j.is_array()) {
      for (const auto& e : j) {
        if (!e.is_object() || !e.contains("file_id") || !e.contains("file_name")) continue;
        if (!e["file_id"].is_string() || !e["file_name"].is_string()) continue;
        asset_names_.try_emplace(e["file_id"].get<std::string>() + ".dat",
                                 e["file_name"].get<std::string>());
      }
    }
  }
  return Status::Ok();
}

uint64_t ExportReader::compressed_size() const {
  uint64_t total = 0;
  for (const ZipMember& m : outer_->members()) total += m.compressed_size;
  return total;
}

Status ExportReader::ReadMember(const ExportMember& m, ExportVisitor& visitor) {
  GV_RETURN_IF_ERROR(visitor.OnMemberStart(m));
  if (m.kind == ExportMember::Kind::kConversations) {
    JsonArraySplitter splitter(
        [&](std::string_view glue, std::string_view element) {
          return visitor.OnConversation(glue, element);
        },
        kMaxConversationSize);
    Status s = ReaderFor(m).ReadMember(ZipMemberFor(m),
                                       [&](ByteView piece) { return splitter.Feed(piece); });
    if (s.ok()) s = splitter.Finish();
    if (!s.ok()) return s.WithContext(m.name);
    return visitor.OnMemberEnd(m, splitter.trailing());
  }
  if (m.kind == ExportMember::Kind::kOther) {
    GV_RETURN_IF_ERROR(ReaderFor(m).ReadMember(
        ZipMemberFor(m), [&](ByteView piece) { return visitor.OnData(piece); }));
  }
  return visitor.OnMemberEnd(m, {});
}

Status ExportReader::ReadConversations(ExportVisitor& visitor) {
  for (const ExportMember& m : members_) {
    if (m.kind == ExportMember::Kind::kConversations) GV_RETURN_IF_ERROR(ReadMember(m, visitor));
  }
  return Status::Ok();
}

Status ExportReader::Read(ExportVisitor& visitor) {
  GV_RETURN_IF_ERROR(ReadConversations(visitor));
  for (const ExportMember& m : members_) {
    if (m.kind != ExportMember::Kind::kConversations) GV_RETURN_IF_ERROR(ReadMember(m, visitor));
  }
  return Status::Ok();
}

}  // namespace gptvault::ingest
