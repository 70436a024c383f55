// Backend: the only way anything reaches a vault's storage. A vault is a flat
// namespace of immutable files named by slash-separated relative names
// ("data/3f/3f9a..."). Implementations: a local folder, S3, and in tests a
// fault-injecting wrapper. Like leveldb's Env, it lets tests put a failure at
// any point of any command.
//
// Every method may be called from any one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gptvault/util/bytes.h"
#include "gptvault/util/status.h"

namespace gptvault::storage {

struct FileInfo {
  std::string name;
  uint64_t size = 0;
  // When the file was written, in seconds since 1970 as the storage's clock
  // has it; 0 when the storage does not say. Prune's grace period reads it.
  int64_t mtime = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // Stores `data` under `name` durably and atomically: after a crash the file
  // is either absent or complete (local: write temp, fsync, rename, fsync
  // dir). If `name` exists already it is left untouched and this returns
  // kAlreadyExists; files are never rewritten in place.
  virtual Status Put(const std::string& name, ByteView data) = 0;

  // kNotFound when absent.
  virtual Result<Bytes> Get(const std::string& name) = 0;
  // `length` bytes from `offset`; kCorruption when the file is shorter.
  virtual Result<Bytes> GetRange(const std::string& name, uint64_t offset, uint64_t length) = 0;

  // Files whose names start with `prefix` (a folder such as "data/"),
  // recursively, in no particular order. Temporary files of unfinished
  // writes are not listed.
  virtual Result<std::vector<FileInfo>> List(const std::string& prefix) = 0;

  // Removing an absent file is not an error.
  virtual Status Delete(const std::string& name) = 0;

  // Where this backend points, for messages ("/home/a/.local/share/gptvault").
  virtual std::string Describe() const = 0;
};

// A backend on the local folder `root`; the folder need not exist yet (Put
// creates what it needs, with mode 0700 for folders, 0600 for files).
std::unique_ptr<Backend> NewLocalBackend(const std::string& root);

// Put for a file named after its own bytes (packs, index and snapshot files,
// a repair's staged copy): a file already under the name is this very file,
// so kAlreadyExists counts as done.
Status PutImmutable(Backend& backend, const std::string& name, ByteView data);

// Opens the backend a location names: a path, or s3://bucket/prefix.
Result<std::unique_ptr<Backend>> OpenBackend(const std::string& location);

}  // namespace gptvault::storage
