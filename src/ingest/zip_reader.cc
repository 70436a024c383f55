#include "gptvault/ingest/zip_reader.h"

#include <sys/stat.h>
#include <zip.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <unordered_set>

namespace gptvault::ingest {
namespace {

constexpr size_t kPieceSize = size_t{1} << 20;
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
using ArchivePtr = std::unique_ptr<zip_t, ArchiveCloser>;

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

ArchivePtr OpenArchive(const std::string& path, int flags, int* error) {
  *error = ZIP_ER_OK;
  return ArchivePtr(zip_open(path.c_str(), flags, error));
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

class LibzipReader final : public ZipReader {
 public:
  LibzipReader(ArchivePtr archive, std::vector<ZipMember> members)
      : archive_(std::move(archive)), members_(std::move(members)) {}

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
    FilePtr file(zip_fopen_index(archive_.get(), m.index, 0));
    if (!file) return ReadError(m, zip_error_code_zip(zip_get_error(archive_.get())), 0);
    if (buffer_.empty()) buffer_.resize(kPieceSize);

    uint64_t total = 0;
    uLong crc = crc32(0L, Z_NULL, 0);
    for (;;) {
      const zip_int64_t n = zip_fread(file.get(), buffer_.data(), buffer_.size());
      if (n < 0) return ReadError(m, zip_error_code_zip(zip_file_get_error(file.get())), total);
      if (n == 0) break;
      const auto got = static_cast<uint64_t>(n);
      // Stop at the declared size: a member that inflates past it may be a
      // bomb, and none of its bytes are handed on.
      if (got > m.size - total) {
        return Status::InvalidArgument(SizeMismatch(m, m.size, true));
      }
      total += got;
      crc = crc32(crc, buffer_.data(), static_cast<uInt>(got));
      GV_RETURN_IF_ERROR(sink(ByteView(buffer_.data(), static_cast<size_t>(got))));
    }
    if (total != m.size) return Status::InvalidArgument(SizeMismatch(m, total, false));
    if (static_cast<uint32_t>(crc) != m.crc) {
      return Status::InvalidArgument("CRC mismatch in member " + Quote(m.name));
    }
    return Status::Ok();
  }

  ArchivePtr archive_;
  std::vector<ZipMember> members_;
  Bytes buffer_;  // one piece, reused for every member
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
    members.push_back(std::move(m));
  }
  return std::unique_ptr<ZipReader>(new LibzipReader(std::move(za), std::move(members)));
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
