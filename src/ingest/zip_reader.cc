#include "gptvault/ingest/zip_reader.h"

#include <sys/stat.h>
#include <zip.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <new>
#include <thread>
#include <unordered_set>
#include <utility>

#include "raw_inflater.h"

namespace gptvault::ingest {
namespace {

constexpr size_t kPieceSize = size_t{1} << 20;
constexpr size_t kFileBuffer = size_t{1} << 20;
// Members from this size on are inflated on a thread of their own (ReadAhead).
constexpr uint64_t kReadAheadFrom = uint64_t{4} << 20;
constexpr size_t kAheadPieces = 4;
// Deflate cannot expand more than 1032:1; a directory claiming more lies.
constexpr uint64_t kMaxDeflateRatio = 1032;
constexpr uint64_t kDeflateSlack = 4096;

// A member name as it may appear in a one-line message: quoted, control
// bytes escaped, and cut short, since the name comes from the archive.
std::string Quote(std::string_view name) {
  constexpr size_t kMax = 160;
  std::string out = "\"";
  for (size_t i = 0; i < name.size(); ++i) {
    if (i == kMax) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(name[i]);
    if (u < 0x20 || u == 0x7F || u == '"' || u == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", u);
      out += buf;
    } else {
      out.push_back(name[i]);
    }
  }
  out += "\"";
  return out;
}

struct ArchiveCloser {
  void operator()(zip_t* za) const { zip_discard(za); }  // read-only: never writes
};
// The stdio buffer the archive's stream reads through outlives the stream.
struct ArchivePtr {
  std::unique_ptr<char[]> buffer;
  std::unique_ptr<zip_t, ArchiveCloser> za;
  zip_t* get() const { return za.get(); }
  explicit operator bool() const { return za != nullptr; }
};

struct FileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
using FilePtr = std::unique_ptr<zip_file_t, FileCloser>;

std::string LibzipMessage(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

// Whether the file begins with a local file header: a ZIP whose end (and so
// its central directory) is missing, rather than something else entirely.
bool StartsLikeZip(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  unsigned char magic[4] = {};
  const size_t n = std::fread(magic, 1, sizeof magic, f);
  std::fclose(f);
  return n == 4 && std::memcmp(magic, "PK\x03\x04", 4) == 0;
}

// libzip's own file source reads through a stdio stream with a 4 KiB buffer:
// a 100 MB member costs 25,000 read and 15,000 lseek calls. The same source
// over a stream with a 1 MiB buffer makes far fewer.
ArchivePtr OpenArchive(const std::string& path, int flags, int* error) {
  *error = ZIP_ER_OK;
  ArchivePtr out;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    *error = ZIP_ER_OPEN;
    return out;
  }
  out.buffer.reset(new char[kFileBuffer]);
  std::setvbuf(f, out.buffer.get(), _IOFBF, kFileBuffer);
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t* src = zip_source_filep_create(f, 0, -1, &ze);
  if (src == nullptr) {
    std::fclose(f);
    *error = zip_error_code_zip(&ze);
    zip_error_fini(&ze);
    return out;
  }
  out.za.reset(zip_open_from_source(src, flags, &ze));
  if (!out.za) {
    zip_source_free(src);  // closes f
    *error = zip_error_code_zip(&ze);
  }
  zip_error_fini(&ze);
  return out;
}

// Names the first name that two members share; libzip reports only that
// some do, so the archive is reopened without the check to find it.
Status DuplicateNameError(const std::string& path) {
  int error = 0;
  ArchivePtr za = OpenArchive(path, ZIP_RDONLY, &error);
  if (za) {
    std::unordered_set<std::string> seen;
    const zip_int64_t n = zip_get_num_entries(za.get(), 0);
    for (zip_int64_t i = 0; i < n; ++i) {
      const char* name = zip_get_name(za.get(), static_cast<zip_uint64_t>(i), 0);
      if (name != nullptr && !seen.insert(name).second) {
        return Status::InvalidArgument("duplicate member name " + Quote(name));
      }
    }
  }
  return Status::InvalidArgument("duplicate member names");
}

Status OpenError(const std::string& path, int code, int system_errno) {
  switch (code) {
    case ZIP_ER_NOZIP:
      if (StartsLikeZip(path)) {
        return Status::InvalidArgument(
            "truncated or damaged archive: its central directory is missing");
      }
      return Status::InvalidArgument("not a ZIP archive");
    case ZIP_ER_EXISTS:
      return DuplicateNameError(path);
    case ZIP_ER_INCONS:
      return Status::InvalidArgument(
          "truncated or damaged archive: its directory disagrees with its contents");
    case ZIP_ER_EOF:
    case ZIP_ER_SEEK:
    case ZIP_ER_READ:
      return Status::InvalidArgument("truncated or damaged archive: " + LibzipMessage(code));
    case ZIP_ER_MULTIDISK:
      return Status::InvalidArgument("split (multi-part) ZIP archives are not supported");
    case ZIP_ER_OPEN:
      return Status::IOError("cannot open the archive: " +
                             std::string(std::strerror(system_errno)));
    case ZIP_ER_MEMORY:
      return Status::IOError("out of memory while reading the archive directory");
    default:
      return Status::InvalidArgument("cannot read the archive: " + LibzipMessage(code));
  }
}

// Judges one directory entry: refuses what could not be read faithfully.
Status CheckEntry(const zip_stat_t& st, const std::string& name) {
  if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) != 0 && st.encryption_method != ZIP_EM_NONE) {
    return Status::InvalidArgument("encrypted member " + Quote(name));
  }
  constexpr zip_uint64_t kNeeded = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_CRC;
  if ((st.valid & kNeeded) != kNeeded) {
    return Status::InvalidArgument("truncated or damaged archive: the directory entry of " +
                                   Quote(name) + " is incomplete");
  }
  if ((st.valid & ZIP_STAT_COMP_METHOD) == 0 ||
      zip_compression_method_supported(st.comp_method, 0) == 0) {
    return Status::InvalidArgument("member " + Quote(name) +
                                   " uses an unsupported compression method (" +
                                   std::to_string(st.comp_method) + ")");
  }
  const bool stored_mismatch = st.comp_method == ZIP_CM_STORE && st.size != st.comp_size;
  const bool deflate_impossible = st.comp_method == ZIP_CM_DEFLATE && st.size > kDeflateSlack &&
                                  (st.size - kDeflateSlack) / kMaxDeflateRatio > st.comp_size;
  if (stored_mismatch || deflate_impossible) {
    return Status::InvalidArgument("member " + Quote(name) + " claims " + std::to_string(st.size) +
                                   " bytes, which its " + std::to_string(st.comp_size) +
                                   " stored bytes cannot hold");
  }
  return Status::Ok();
}

std::string SizeMismatch(const ZipMember& m, uint64_t actual, bool at_least) {
  return "member " + Quote(m.name) + " inflates to " + (at_least ? "more than " : "") +
         std::to_string(actual) + " bytes, but the directory says " + std::to_string(m.size);
}

Status ReadError(const ZipMember& m, int code, uint64_t read_so_far) {
  switch (code) {
    case ZIP_ER_CRC:
      return Status::InvalidArgument("CRC mismatch in member " + Quote(m.name));
    case ZIP_ER_ZLIB:
    case ZIP_ER_COMPRESSED_DATA:
      return Status::InvalidArgument("damaged compressed data in member " + Quote(m.name));
    case ZIP_ER_INCONS:
      // libzip checks the size at the end of the data, after everything has
      // been read, so a different count is the member's real size.
      if (read_so_far != m.size)
        return Status::InvalidArgument(SizeMismatch(m, read_so_far, false));
      return Status::InvalidArgument("member " + Quote(m.name) +
                                     " disagrees with its directory entry");
    case ZIP_ER_ENCRNOTSUPP:
    case ZIP_ER_NOPASSWD:
    case ZIP_ER_WRONGPASSWD:
      return Status::InvalidArgument("encrypted member " + Quote(m.name));
    case ZIP_ER_COMPNOTSUPP:
      return Status::InvalidArgument("member " + Quote(m.name) +
                                     " uses an unsupported compression method");
    case ZIP_ER_EOF:
    case ZIP_ER_SEEK:
    case ZIP_ER_READ:
      return Status::InvalidArgument("truncated or damaged archive: cannot read member " +
                                     Quote(m.name) + " (" + LibzipMessage(code) + ")");
    case ZIP_ER_MEMORY:
      return Status::IOError("out of memory while reading member " + Quote(m.name));
    default:
      return Status::InvalidArgument("cannot read member " + Quote(m.name) + ": " +
                                     LibzipMessage(code));
  }
}

// Where a member's inflated bytes come from, piece by piece, checked.
class Pieces {
 public:
  virtual ~Pieces() = default;
  // Fills `buf` with the member's next bytes: how many, or 0 once the member
  // ended where its directory entry says, with the CRC-32 it declares.
  virtual Result<size_t> Next(Bytes& buf) = 0;
};

// Any member through libzip, which inflates it (when it must) and checks the
// CRC-32 as the last byte is read (ZIP_ER_CRC) and the inflated size.
class LibzipPieces final : public Pieces {
 public:
  LibzipPieces(const ZipMember& m, FilePtr file) : m_(m), file_(std::move(file)) {}

  Result<size_t> Next(Bytes& buf) override {
    const zip_int64_t n = zip_fread(file_.get(), buf.data(), buf.size());
    if (n < 0) return ReadError(m_, zip_error_code_zip(zip_file_get_error(file_.get())), total_);
    const auto got = static_cast<uint64_t>(n);
    if (got == 0) {
      if (total_ != m_.size) return Status::InvalidArgument(SizeMismatch(m_, total_, false));
      return size_t{0};
    }
    // Stop at the declared size: a member that inflates past it may be a
    // bomb, and none of its bytes are handed on.
    if (got > m_.size - total_) return Status::InvalidArgument(SizeMismatch(m_, m_.size, true));
    total_ += got;
    return static_cast<size_t>(got);
  }

 private:
  const ZipMember& m_;
  FilePtr file_;
  uint64_t total_ = 0;
};

// A deflated member: libzip hands over its compressed bytes as stored, and
// RawInflater (ISA-L) inflates them and computes their CRC-32. Same checks,
// same messages as LibzipPieces; the size and CRC are judged before the last
// piece is handed on.
class DeflatedPieces final : public Pieces {
 public:
  DeflatedPieces(const ZipMember& m, FilePtr raw) : m_(m), raw_(std::move(raw)) {}

  Result<size_t> Next(Bytes& buf) override {
    if (inflater_.finished()) return size_t{0};
    // One byte beyond the declared size is enough to catch a member that
    // inflates past it, before any of the excess is handed on.
    const size_t room = static_cast<size_t>(std::min<uint64_t>(buf.size(), m_.size - total_ + 1));
    size_t filled = 0;
    while (filled < room) {
      if (inflater_.needs_input() && !input_done_) {
        if (in_.empty()) in_.resize(kCompressedPiece);
        const zip_int64_t n = zip_fread(raw_.get(), in_.data(), in_.size());
        if (n < 0) {
          return ReadError(m_, zip_error_code_zip(zip_file_get_error(raw_.get())), total_);
        }
        if (n == 0) {
          input_done_ = true;
        } else {
          inflater_.Feed(ByteView(in_.data(), static_cast<size_t>(n)));
        }
      }
      size_t produced = 0;
      const RawInflater::Step step =
          inflater_.Inflate(buf.data() + filled, room - filled, &produced);
      filled += produced;
      if (step == RawInflater::Step::kDamaged) return Damaged();
      if (step == RawInflater::Step::kFinished) break;
      // Stuck with input left, or out of input before the final block.
      if (step == RawInflater::Step::kStalled && (input_done_ || !inflater_.needs_input())) {
        return Damaged();
      }
    }
    if (filled > m_.size - total_) return Status::InvalidArgument(SizeMismatch(m_, m_.size, true));
    total_ += filled;
    if (inflater_.finished()) {
      if (total_ != m_.size) return Status::InvalidArgument(SizeMismatch(m_, total_, false));
      if (inflater_.crc() != m_.crc) return ReadError(m_, ZIP_ER_CRC, total_);
    }
    return filled;
  }

 private:
  static constexpr size_t kCompressedPiece = size_t{256} << 10;
  Status Damaged() const { return ReadError(m_, ZIP_ER_COMPRESSED_DATA, total_); }

  const ZipMember& m_;
  FilePtr raw_;
  RawInflater inflater_;
  Bytes in_;  // compressed bytes being inflated
  bool input_done_ = false;
  uint64_t total_ = 0;
};

class LibzipReader final : public ZipReader {
 public:
  LibzipReader(ArchivePtr archive, std::vector<ZipMember> members, std::vector<bool> deflated)
      : archive_(std::move(archive)),
        members_(std::move(members)),
        deflated_(std::move(deflated)) {}

  const std::vector<ZipMember>& members() const override { return members_; }

  Status ReadMember(const ZipMember& member, const Sink& sink) override {
    try {
      return Read(member, sink);
    } catch (const std::bad_alloc&) {
      return Status::IOError("out of memory while reading member " + Quote(member.name));
    } catch (const std::exception& e) {
      return Status::IOError("reading member " + Quote(member.name) + " failed: " + e.what());
    }
  }

 private:
  Status Read(const ZipMember& requested, const Sink& sink) {
    if (requested.index >= members_.size()) {
      return Status::InvalidArgument("no member with index " + std::to_string(requested.index));
    }
    // The directory as read at Open is the reference, not the caller's copy.
    const ZipMember& m = members_[requested.index];
    const bool deflated = deflated_[m.index];
    FilePtr file(zip_fopen_index(archive_.get(), m.index, deflated ? ZIP_FL_COMPRESSED : 0));
    if (!file) return ReadError(m, zip_error_code_zip(zip_get_error(archive_.get())), 0);
    std::unique_ptr<Pieces> pieces;
    if (deflated) {
      pieces = std::make_unique<DeflatedPieces>(m, std::move(file));
    } else {
      pieces = std::make_unique<LibzipPieces>(m, std::move(file));
    }
    if (m.size >= kReadAheadFrom && std::thread::hardware_concurrency() > 1) {
      return ReadAhead(m, *pieces, sink);
    }
    if (buffer_.empty()) buffer_.resize(kPieceSize);
    for (;;) {
      GV_ASSIGN_OR_RETURN(size_t got, pieces->Next(buffer_));
      if (got == 0) return Status::Ok();
      GV_RETURN_IF_ERROR(sink(ByteView(buffer_.data(), got)));
    }
  }

  // A large member is read and inflated on a second thread while the caller
  // consumes the pieces before: inflate (igzip, ~1.1 GB/s) and whatever the
  // sink does (split, hash) then take one core each instead of adding up.
  // At most kAheadPieces pieces wait; the sink sees the same pieces, in the
  // same order, and the same error after them, as without the thread.
  Status ReadAhead(const ZipMember& m, Pieces& pieces, const Sink& sink) {
    if (ahead_.empty()) ahead_.assign(kAheadPieces, Bytes(kPieceSize));
    std::mutex mu;
    std::condition_variable changed;
    std::vector<size_t> empty;                   // slots the producer may fill
    std::deque<std::pair<size_t, size_t>> full;  // (slot, size), in member order
    for (size_t i = 0; i < ahead_.size(); ++i) empty.push_back(i);
    Status ended;       // the producer's last word: Ok at the end, or the error
    bool done = false;  // set with `ended`
    bool stop = false;  // the consumer needs no more

    std::thread producer([&] {
      Status last;
      try {
        for (;;) {
          size_t slot;
          {
            std::unique_lock lock(mu);
            changed.wait(lock, [&] { return stop || !empty.empty(); });
            if (stop) break;
            slot = empty.back();
            empty.pop_back();
          }
          Result<size_t> got = pieces.Next(ahead_[slot]);
          if (!got.ok()) {
            last = got.status();
            break;
          }
          if (*got == 0) break;
          std::lock_guard lock(mu);
          full.emplace_back(slot, *got);
          changed.notify_all();
        }
      } catch (const std::exception& e) {
        last = Status::IOError("reading member " + Quote(m.name) + " failed: " + e.what());
      }
      std::lock_guard lock(mu);
      ended = std::move(last);
      done = true;
      changed.notify_all();
    });
    // Whatever way this function is left, the producer is told and joined.
    struct Joiner {
      std::thread& t;
      std::mutex& mu;
      bool& stop;
      std::condition_variable& changed;
      ~Joiner() {
        {
          std::lock_guard lock(mu);
          stop = true;
        }
        changed.notify_all();
        t.join();
      }
    } joiner{producer, mu, stop, changed};

    for (;;) {
      std::pair<size_t, size_t> piece;
      {
        std::unique_lock lock(mu);
        changed.wait(lock, [&] { return !full.empty() || done; });
        if (full.empty()) return ended;
        piece = full.front();
        full.pop_front();
      }
      Status s = sink(ByteView(ahead_[piece.first].data(), piece.second));
      {
        std::lock_guard lock(mu);
        empty.push_back(piece.first);
      }
      changed.notify_all();
      if (!s.ok()) return s;
    }
  }

  ArchivePtr archive_;
  std::vector<ZipMember> members_;
  std::vector<bool> deflated_;  // by index: read through DeflatedPieces
  Bytes buffer_;                // one piece, reused for every small member
  std::vector<Bytes> ahead_;    // kAheadPieces pieces, reused for every large one
};

Result<std::unique_ptr<ZipReader>> OpenChecked(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    return Status::IOError("cannot open the archive: " + std::string(std::strerror(errno)));
  }
  if (S_ISDIR(info.st_mode)) return Status::InvalidArgument("a directory, not a ZIP archive");
  if (!S_ISREG(info.st_mode)) return Status::InvalidArgument("not a regular file");
  if (info.st_size == 0) return Status::InvalidArgument("not a ZIP archive: the file is empty");

  int code = ZIP_ER_OK;
  ArchivePtr za = OpenArchive(path, ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (!za) return OpenError(path, code, errno);

  const zip_int64_t count = zip_get_num_entries(za.get(), 0);
  if (count < 0) return Status::InvalidArgument("truncated or damaged archive");
  std::vector<ZipMember> members;
  std::vector<bool> deflated;
  std::unordered_set<std::string> names;
  for (zip_int64_t i = 0; i < count; ++i) {
    const auto index = static_cast<zip_uint64_t>(i);
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za.get(), index, 0, &st) != 0 || (st.valid & ZIP_STAT_NAME) == 0) {
      return Status::InvalidArgument("truncated or damaged archive: member " +
                                     std::to_string(index + 1) + " cannot be read");
    }
    ZipMember m;
    m.index = index;
    m.name = st.name;
    m.size = st.size;
    m.compressed_size = st.comp_size;
    m.crc = st.crc;
    m.is_directory = !m.name.empty() && m.name.back() == '/';
    GV_RETURN_IF_ERROR(CheckEntry(st, m.name));
    if (!names.insert(m.name).second) {
      return Status::InvalidArgument("duplicate member name " + Quote(m.name));
    }
    deflated.push_back(st.comp_method == ZIP_CM_DEFLATE);
    members.push_back(std::move(m));
  }
  return std::unique_ptr<ZipReader>(
      new LibzipReader(std::move(za), std::move(members), std::move(deflated)));
}

}  // namespace

Result<std::unique_ptr<ZipReader>> ZipReader::Open(const std::string& path) {
  try {
    return OpenChecked(path);
  } catch (const std::bad_alloc&) {
    return Status::IOError("out of memory while reading the archive directory");
  } catch (const std::exception& e) {
    return Status::IOError(std::string("opening the archive failed: ") + e.what());
  }
}

}  // namespace gptvault::ingest
