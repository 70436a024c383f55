// ZipReader: reads an export archive member by member, inflating each as a
// stream and checking its CRC-32, so no member is ever held whole in memory
// and no damaged byte is ever trusted. The only module that includes <zip.h>;
// deflated members are inflated by ISA-L (src/ingest/raw_inflater.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gptvault/util/bytes.h"
#include "gptvault/util/status.h"

namespace gptvault::ingest {

struct ZipMember {
  uint64_t index = 0;
  std::string name;   // as stored in the archive: untrusted, never a path as-is
  uint64_t size = 0;  // declared uncompressed size
  uint64_t compressed_size = 0;
  uint32_t crc = 0;
  bool is_directory = false;
};

class ZipReader {
 public:
  using Sink = std::function<Status(ByteView piece)>;

  // Opens the archive at `path`, reads its central directory and checks it
  // against the local headers. Refuses (kInvalidArgument), with one line
  // naming the problem: a file that is not a ZIP, a truncated or damaged one,
  // encrypted members, duplicate member names, unsupported compression
  // methods, declared sizes the compressed data cannot hold. A path that
  // cannot be opened is kIOError. Messages quote member names with control
  // bytes escaped and name no path: callers add it with WithContext.
  static Result<std::unique_ptr<ZipReader>> Open(const std::string& path);
  virtual ~ZipReader() = default;

  // Members in central-directory order, directories included.
  virtual const std::vector<ZipMember>& members() const = 0;

  // Inflates `member` (found by its index; the rest of the struct is not
  // trusted) and hands its bytes to `sink` in pieces of at most 1 MiB, in
  // order. Reading stops, before the sink sees the excess, once the member
  // inflates past its declared size. After the last piece checks the CRC-32
  // and the size against the central directory. A mismatch or damaged data
  // is kInvalidArgument naming the member; by then the sink may have had
  // earlier pieces, which the caller must discard. An error returned by
  // `sink` stops reading and is returned as is.
  virtual Status ReadMember(const ZipMember& member, const Sink& sink) = 0;
};

}  // namespace gptvault::ingest
