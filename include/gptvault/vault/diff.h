// `gptvault diff`: what changed between two versions of one conversation,
// and (Vault::DiffSnapshots) between the exports two snapshots hold; with
// their --json renderings, a stable interface for scripts (fields are added,
// never renamed; the shapes are in `gptvault diff --help`).
#pragma once

#include <optional>
#include <string>

#include "gptvault/ingest/conversation_diff.h"
#include "gptvault/vault/vault.h"

namespace gptvault::vault {

struct VersionDiff {
  std::string id;
  size_t versions = 0;  // how many the conversation has
  size_t current = 0;   // the number of the version the current view shows
  // History's numbers (VersionsOldestFirst, 1 = oldest). from == 0: the
  // conversation has one version only and none was asked for, so there is
  // nothing to compare; `diff` is then empty and to_version is that one.
  size_t from = 0, to = 0;
  ConversationVersion from_version, to_version;
  ingest::ConversationDiff diff;
};

// Versions `from` and `to` of conversation `id` (a full id), compared.
// Without them: the two newest, the newest against the one before it;
// `from` alone goes to the newest, `to` alone from the one before it.
// kNotFound for an id or a version the vault does not have, kInvalidArgument
// for `from` after `to` and for a `to` of 1 without a `from`.
Result<VersionDiff> DiffVersions(Vault& vault, const std::string& id, std::optional<size_t> from,
                                 std::optional<size_t> to);

std::string VersionDiffJson(const VersionDiff& d);
std::string SnapshotDiffJson(const SnapshotDiff& d);

}  // namespace gptvault::vault
