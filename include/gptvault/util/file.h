// Local files outside the vault (restored output, passphrase files, state).
// Vault files go through storage::Backend instead.
#pragma once

#include <string>

#include "gptvault/util/bytes.h"
#include "gptvault/util/status.h"

namespace gptvault {

// Writes `data` to `path` so that it appears whole or not at all: a temp file
// beside it, fsync, rename over `path`, fsync of the folder. Mode `mode`.
Status WriteFileAtomically(const std::string& path, ByteView data, int mode = 0600);

// Reads a whole file of at most `max_size` bytes.
Result<Bytes> ReadFile(const std::string& path, size_t max_size);

}  // namespace gptvault
