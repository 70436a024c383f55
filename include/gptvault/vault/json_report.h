// Machine-readable renderings for the --json flags. The field names are a
// stable interface for scripts: add fields, never rename them.
#pragma once

#include <string>
#include <vector>

#include "gptvault/ingest/export_report.h"
#include "gptvault/storage/key_ring.h"
#include "gptvault/vault/retention.h"
#include "gptvault/vault/snapshot.h"
#include "gptvault/vault/vault.h"

namespace gptvault::vault {

std::string ConversationsJson(const std::vector<ConversationSummary>& list);
// `latest`, when given, dates the snapshots written before export dates
// were recorded ("export_date"; ExportTimeOf).
std::string SnapshotsJson(const std::vector<Snapshot>& list, const Catalog* latest = nullptr);
std::string HistoryJson(const ConversationHistory& history);
std::string StatsJson(const VaultStats& stats);
std::string CheckJson(const CheckReport& report);
// `forget --json`: decisions[i] for history[i] (retention.h).
std::string ForgetJson(const std::vector<Snapshot>& history,
                       const std::vector<RetentionDecision>& decisions, const ForgetResult& result,
                       bool dry_run);
std::string PruneJson(const storage::PruneReport& report, bool dry_run);
std::string ExportReportJson(const ingest::ExportReport& report);
// `key list --json`; `unlocked`: the id of the key file that took the passphrase.
std::string KeysJson(const std::vector<storage::KeyEntry>& keys, const std::string& unlocked);

}  // namespace gptvault::vault
