// gptvault repair: for a vault whose index files were lost or damaged, or
// whose files the host swapped or renamed. Moves authentic packs and
// snapshot files back to their own names, rebuilds the index from the packs'
// sealed headers as one new index file, then deletes the index files that
// are damaged or that it supersedes.
#include <CLI/CLI.hpp>
#include <ostream>

#include "context.h"
#include "text.h"

namespace gptvault::cli {

Command RepairCommand() {
  return {"repair", "rebuild a lost or damaged index from the packs", [](CLI::App&) {
            return [](Context& ctx) -> int {
              auto vault = ctx.OpenVault();
              if (!vault.ok()) return ctx.Fail(vault.status());
              auto report = (*vault)->Repair();
              if (!report.ok()) return ctx.Fail(report.status());
              std::ostream& out = ctx.out();
              for (const std::string& name : report->ignored) {
                out << "ignored " << OneLine(name, 200) << ": not a vault file name\n";
              }
              for (const auto& p : report->packs_skipped) {
                out << "skipped pack " << p.name << ": " << p.reason << "\n";
              }
              for (const auto& [from, to] : report->moved) {
                out << "moved " << from << " to " << to << ": its bytes belong under that name\n";
              }
              for (const std::string& name : report->packs_misnamed) {
                out << "pack " << name
                    << " is damaged and does not hash to its name; what still opens in it was "
                       "indexed where it is\n";
              }
              out << "read " << report->packs_indexed << " packs: " << report->objects_indexed
                  << " objects";
              if (!report->index_written.empty()) out << " indexed in " << report->index_written;
              out << "\n";
              for (const auto& d : report->index_deleted) {
                out << "deleted " << d.name << " (" << d.reason << ")\n";
              }
              for (const auto& k : report->index_kept) {
                out << "kept " << k.name << ": " << k.reason << "\n";
              }
              if (!report->packs_skipped.empty()) {
                ctx.err() << "gptvault: " << report->packs_skipped.size()
                          << " packs could not be read; `gptvault check` names what they held\n";
                return kExitFailure;
              }
              return kExitOk;
            };
          }};
}

}  // namespace gptvault::cli
