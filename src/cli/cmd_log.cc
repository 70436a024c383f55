// gptvault log: the snapshots, one per added archive, oldest first.
#include <sys/ioctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <ostream>

#include "context.h"
#include "gptvault/storage/file_names.h"
#include "gptvault/util/time_format.h"
#include "gptvault/vault/json_report.h"
#include "table.h"
#include "text.h"

namespace gptvault::cli {

namespace {

// The terminal's width when `out` is stdout on a terminal, else 0.
size_t TerminalWidth(std::ostream& out) {
  if (&out != &std::cout || ::isatty(STDOUT_FILENO) != 1) return 0;
  struct winsize ws {};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

// On a terminal: one row a snapshot, the archive's name cut to what the
// width leaves.
void PrintTable(std::ostream& out, const std::vector<vault::Snapshot>& list,
                const std::vector<std::optional<double>>& dates, size_t width) {
  std::vector<std::vector<std::string>> rows = {{"#", "ID", "ADDED (UTC)", "EXPORT OF", "NEW",
                                                 "UPDATED", "UNCHANGED", "KEPT", "READ", "STORED",
                                                 "ARCHIVE"}};
  for (size_t i = 0; i < list.size(); ++i) {
    const vault::Snapshot& s = list[i];
    const vault::AddCounts& c = s.counts;
    const std::string day = FormatUtcDay(dates[i]);
    rows.push_back({std::to_string(s.seq), storage::SnapshotShortId(s.name), TableMinute(s.time),
                    day.empty() ? "-" : day, std::to_string(c.new_conversations),
                    std::to_string(c.updated), std::to_string(c.unchanged), std::to_string(c.kept),
                    HumanBytes(c.bytes_read), HumanBytes(c.bytes_stored), s.source});
  }
  const size_t lead = TableLeadWidth(rows);
  out << FormatTable(rows, "rlllrrrrrr", width > lead + 16 ? width - lead - 1 : 16);
}

// Elsewhere: two labelled lines a snapshot, every name whole, so a script
// or a reader of a log file sees the same text whatever the width.
void PrintRecords(std::ostream& out, const std::vector<vault::Snapshot>& list,
                  const std::vector<std::optional<double>>& dates) {
  for (size_t i = 0; i < list.size(); ++i) {
    const vault::Snapshot& s = list[i];
    const vault::AddCounts& c = s.counts;
    const std::string day = FormatUtcDay(dates[i]);
    out << "snapshot " << s.seq << "  " << storage::SnapshotShortId(s.name) << "  added " << s.time
        << "  " << OneLine(s.source, 200) << (day.empty() ? "" : "  (export of " + day + ")")
        << "\n"
        << "  " << c.conversations << " conversations: " << c.new_conversations << " new, "
        << c.updated << " updated, " << c.unchanged << " unchanged, " << c.kept
        << " kept from earlier; read " << HumanBytes(c.bytes_read) << ", stored "
        << HumanBytes(c.bytes_stored) << "\n";
  }
}

}  // namespace

Command LogCommand() {
  return {"log", "list the snapshots, one per added archive", [](CLI::App& app) {
            auto json = std::make_shared<bool>(false);
            app.add_flag("--json", *json, "print JSON instead of text");
            app.footer(
                "Each snapshot: its number and short id (either names it in restore and list "
                "--snapshot), when it was added, the export's own date (the newest update_time in "
                "it), the conversations new, updated, unchanged and kept from earlier exports, and "
                "the bytes read and stored. A table on a terminal, two lines a snapshot "
                "elsewhere.\n\nExample:\n  gptvault log\n  gptvault restore 684e65c7 --snapshot 2");
            return [json](Context& ctx) -> int {
              auto vault = ctx.OpenVault();
              if (!vault.ok()) return ctx.Fail(vault.status());
              auto snapshots = (*vault)->Snapshots();
              if (!snapshots.ok()) return ctx.Fail(snapshots.status());
              // Snapshots written before export dates were recorded are
              // dated from the newest catalog; when it cannot be read, they
              // show none rather than the whole log failing.
              const vault::Catalog* latest = nullptr;
              const bool undated =
                  std::any_of(snapshots->begin(), snapshots->end(),
                              [](const vault::Snapshot& s) { return !s.export_time; });
              if (undated && !snapshots->empty()) {
                auto catalog = (*vault)->CatalogAt(snapshots->back());
                if (catalog.ok()) latest = *catalog;
              }
              if (*json) {
                ctx.out() << vault::SnapshotsJson(*snapshots, latest) << "\n";
                return kExitOk;
              }
              if (snapshots->empty()) {
                ctx.out() << "no snapshots yet\n";
                return kExitOk;
              }
              std::vector<std::optional<double>> dates;
              for (const vault::Snapshot& s : *snapshots) {
                dates.push_back(latest ? vault::ExportTimeOf(s, *latest) : s.export_time);
              }
              if (size_t width = TerminalWidth(ctx.out()); width > 0) {
                PrintTable(ctx.out(), *snapshots, dates, width);
              } else {
                PrintRecords(ctx.out(), *snapshots, dates);
              }
              return kExitOk;
            };
          }};
}

}  // namespace gptvault::cli
