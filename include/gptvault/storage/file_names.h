// The names of a vault's files (docs/FORMAT.md, "Files"). Readers accept
// exactly these and ignore everything else a host or a sync client may put
// beside them: temporary files, "conflicted copy" duplicates such as
// "index/<hex> (1)", stray files.
#pragma once

#include <string>
#include <string_view>

namespace gptvault::storage {

// "index/<64 hex>" or "snapshots/<64 hex>": `folder` + "/" + the hex of a
// 32-byte hash, lower case. (Pack names: PackIdFromName in pack.h.)
bool IsHashName(std::string_view folder, std::string_view name);

// "keys/<32 hex>": a key file.
bool IsKeyName(std::string_view name);

// "locks/<32 hex>": a writer's lock file.
bool IsLockName(std::string_view name);

// The hex id part of a key or lock name ("" when `name` is not one).
std::string RandomIdOf(std::string_view name);

}  // namespace gptvault::storage
