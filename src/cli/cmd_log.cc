// gptvault log: the snapshots, one per added archive, oldest first.
#include <CLI/CLI.hpp>
#include <ostream>

#include "context.h"
#include "gptvault/util/time_format.h"
#include "gptvault/vault/json_report.h"
#include "text.h"

namespace gptvault::cli {

Command LogCommand() {
  return {"log", "list the snapshots, one per added archive", [](CLI::App& app) {
            auto json = std::make_shared<bool>(false);
            app.add_flag("--json", *json, "print JSON instead of text");
            return [json](Context& ctx) -> int {
              auto vault = ctx.OpenVault();
              if (!vault.ok()) return ctx.Fail(vault.status());
              auto snapshots = (*vault)->Snapshots();
              if (!snapshots.ok()) return ctx.Fail(snapshots.status());
              if (*json) {
                ctx.out() << vault::SnapshotsJson(*snapshots) << "\n";
                return kExitOk;
              }
              for (const vault::Snapshot& s : *snapshots) {
                const vault::AddCounts& c = s.counts;
                std::string day = FormatUtcMinute(s.export_time).substr(0, 10);
                ctx.out() << "snapshot " << s.seq << "  " << s.time << "  " << OneLine(s.source, 80)
                          << (day.empty() ? "" : "  (export of " + day + ")") << "\n"
                          << "  " << c.conversations << " conversations: " << c.new_conversations
                          << " new, " << c.updated << " updated, " << c.unchanged << " unchanged, "
                          << c.kept << " kept; stored " << HumanBytes(c.bytes_stored) << " of "
                          << HumanBytes(c.bytes_read) << "\n";
              }
              if (snapshots->empty()) ctx.out() << "no snapshots yet\n";
              return kExitOk;
            };
          }};
}

}  // namespace gptvault::cli
