// gptvault stats: what the vault holds, and what it took to hold it.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <ostream>

#include "context.h"
#include "gptvault/storage/file_names.h"
#include "gptvault/vault/json_report.h"
#include "table.h"
#include "text.h"

namespace gptvault::cli {

namespace {

// "4.2x": how many times `a` is `b`; "-" when b is 0.
std::string Ratio(uint64_t a, uint64_t b) {
  if (b == 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fx", static_cast<double>(a) / static_cast<double>(b));
  return buf;
}

void PrintStats(std::ostream& out, const vault::VaultStats& st) {
  out << "conversations  " << st.conversations << " (" << st.in_newest_export
      << " in the newest export)\n"
      << "versions       " << st.versions << "\n"
      << "snapshots      " << st.snapshots.size() << "\n"
      << "attachments    " << st.assets << " files, " << HumanBytes(st.asset_bytes) << "\n"
      << "archives added " << HumanBytes(st.archive_bytes) << " as ZIP, "
      << HumanBytes(st.bytes_read) << " of members read\n"
      << "stored         " << HumanBytes(st.bytes_stored) << ": "
      << Ratio(st.bytes_read, st.bytes_stored) << " less than read, "
      << Ratio(st.archive_bytes, st.bytes_stored) << " less than the archives\n";
  if (st.snapshots.empty()) return;
  out << "\ngrowth per snapshot:\n";
  std::vector<std::vector<std::string>> rows = {
      {"#", "ID", "ADDED (UTC)", "READ", "STORED", "TOTAL STORED", "ARCHIVE"}};
  uint64_t total = 0;
  for (const vault::Snapshot& s : st.snapshots) {
    total += s.counts.bytes_stored;
    rows.push_back({std::to_string(s.seq), storage::SnapshotShortId(s.name), TableMinute(s.time),
                    HumanBytes(s.counts.bytes_read), HumanBytes(s.counts.bytes_stored),
                    HumanBytes(total), s.source});
  }
  out << FormatTable(rows, "rllrrr", 200);
}

}  // namespace

Command StatsCommand() {
  return {"stats", "what the vault holds and what it took to hold it", [](CLI::App& app) {
            auto json = std::make_shared<bool>(false);
            app.add_flag("--json", *json, "print JSON instead of text");
            app.footer(
                "Conversations ever added, their versions, snapshots and attached files; the "
                "bytes of every archive added (as ZIP, and their members inflated) against the "
                "bytes the adds stored, and what each snapshot added. The sums are those of "
                "`gptvault log`.\n\nExample:\n  gptvault stats\n  gptvault stats --json");
            return [json](Context& ctx) -> int {
              auto vault = ctx.OpenVault();
              if (!vault.ok()) return ctx.Fail(vault.status());
              auto stats = (*vault)->Stats();
              if (!stats.ok()) return ctx.Fail(stats.status());
              if (*json) {
                ctx.out() << vault::StatsJson(*stats) << "\n";
              } else {
                PrintStats(ctx.out(), *stats);
              }
              return kExitOk;
            };
          }};
}

}  // namespace gptvault::cli
