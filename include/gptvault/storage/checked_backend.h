// A Backend wrapper the vault puts around every backend it opens:
//
// - Every Put is read back (the file's last bytes), so a disk, network file
//   system or sync client that keeps a short file and reports success is
//   caught while the writer can still give up cleanly: the short file is
//   deleted and Put fails, instead of a snapshot pointing at damage.
// - Calls are serialised with a mutex, so a second thread (the writer
//   lock's refresher, lock.h) may use the backend beside the writer even
//   when the wrapped backend allows one thread at a time.
#pragma once

#include <memory>

#include "gptvault/storage/backend.h"

namespace gptvault::storage {

std::unique_ptr<Backend> NewCheckedBackend(std::unique_ptr<Backend> target);

}  // namespace gptvault::storage
