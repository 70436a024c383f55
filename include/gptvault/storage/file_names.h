// The names of a vault's files (docs/FORMAT.md, "Files"). Readers accept
// exactly these and ignore everything else a host or a sync client may put
// beside them: temporary files, "conflicted copy" duplicates such as
// "index/<hex> (1)", stray files.
#pragma once

#include <string>
#include <string_view>

#include "gptvault/util/bytes.h"
#include "gptvault/util/status.h"

namespace gptvault::storage {

// Backends write a file under a temporary name starting with this, then
// rename it; readers and listings never see such names.
inline constexpr std::string_view kTempPrefix = ".tmp-";

// What every Backend accepts as a file name. Names come from our own code,
// but a corrupt or hostile index could carry one, so backends check them
// (defence in depth): relative, '/'-separated, no empty, "." or ".."
// components, no backslash or NUL, never a temporary name (which List hides).
// kInvalidArgument naming the problem otherwise.
Status CheckStorageName(const std::string& name);

// "index/<64 hex>" or "snapshots/<64 hex>": `folder` + "/" + the hex of a
// 32-byte hash, lower case. (Pack names: PackIdFromName in pack.h.)
bool IsHashName(std::string_view folder, std::string_view name);

// The makers, beside the parsers: each name grammar of FORMAT.md is built
// here and nowhere else.
// "data/<first 2 hex>/<64 hex>" for a pack id (PackIdFromName in pack.h
// parses it back).
std::string PackFileName(std::string_view pack_id);
// `folder` "/" the hex of the BLAKE2b-256 hash of `bytes`: the name of an
// index, snapshot or pack-id-named file holding exactly those bytes.
std::string HashFileName(std::string_view folder, ByteView bytes);

// "GVMETA01": the first bytes of every snapshot file (sealed metadata).
inline constexpr std::string_view kMetaFileMagic = "GVMETA01";
bool StartsWithMetaMagic(ByteView file);

// A snapshot's id as people see it: the first `chars` hex digits of its
// file name (8 in `log`, as git shows commits). Prefixes given to name a
// snapshot need at least kMinSnapshotPrefix of them.
std::string SnapshotShortId(std::string_view snapshot_name, size_t chars = 8);
inline constexpr size_t kMinSnapshotPrefix = 8;

// "keys/<32 hex>": a key file.
bool IsKeyName(std::string_view name);

// "locks/<32 hex>": a writer's lock file.
bool IsLockName(std::string_view name);

// The hex id part of a key or lock name ("" when `name` is not one).
std::string RandomIdOf(std::string_view name);

}  // namespace gptvault::storage
