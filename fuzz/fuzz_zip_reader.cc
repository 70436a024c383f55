// libFuzzer target: ZipReader on arbitrary bytes. The input is opened as an
// archive and every member is read to its end, so the directory checks, the
// inflater and the CRC and size checks all meet hostile input. The bytes live
// in a memfd (memory, not disk), which Open reaches through /proc/self/fd.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "gptvault/ingest/zip_reader.h"

namespace {

using gptvault::ByteView;
using gptvault::Status;
using gptvault::ingest::ZipReader;

// Inflating is bounded by the 1032:1 deflate ratio the reader enforces; this
// keeps one input from spending more than a moment on it anyway.
constexpr uint64_t kReadBudget = uint64_t{64} << 20;

// The path of a memory file holding exactly `data`.
const std::string& WriteToMemoryFile(const uint8_t* data, size_t size) {
  static const int fd = memfd_create("fuzz_zip_reader", MFD_CLOEXEC);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (fd < 0 || ftruncate(fd, 0) != 0) std::abort();
  for (size_t done = 0; done < size;) {
    const ssize_t n = pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (n <= 0) std::abort();
    done += static_cast<size_t>(n);
  }
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = ZipReader::Open(WriteToMemoryFile(data, size));
  if (!reader.ok()) {
    if (reader.status().message().empty()) std::abort();  // every refusal explains itself
    return 0;
  }
  uint64_t budget = kReadBudget;
  for (const auto& member : (*reader)->members()) {
    if (member.is_directory) continue;
    uint64_t read = 0;
    Status s = (*reader)->ReadMember(member, [&](ByteView piece) -> Status {
      if (piece.size() > budget) return Status::InvalidArgument("fuzzer read budget spent");
      budget -= piece.size();
      read += piece.size();
      return Status::Ok();
    });
    // A member read to its end is exactly as large as its directory says.
    if (s.ok() && read != member.size) std::abort();
    if (budget == 0) break;
  }
  return 0;
}
