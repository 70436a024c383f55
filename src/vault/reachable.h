// What a snapshot reaches, for prune's mark phase and for check's count of
// unused packs: one rule, applied to what each already decoded. Private to
// the vault layer.
#pragma once

#include "gptvault/storage/prune.h"
#include "gptvault/vault/snapshot.h"

namespace gptvault::vault {

// The snapshot's own catalog and manifest chunks.
void MarkSnapshot(const Snapshot& s, storage::Reachable& out);
// Every version's and every asset's content; versions stored as one object
// are also noted as maybe deltas.
void MarkCatalog(const Catalog& catalog, storage::Reachable& out);
// Every member's content and chat.html's recipe chunks (its conversations
// are versions the catalog lists).
void MarkManifest(const Manifest& manifest, storage::Reachable& out);

}  // namespace gptvault::vault
