// gptvault check: is every snapshot readable and every object it needs there?
#include <CLI/CLI.hpp>
#include <ostream>

#include "context.h"
#include "gptvault/vault/json_report.h"
#include "text.h"

namespace gptvault::cli {

namespace {
struct CheckOptions {
  bool read_data = false;
  bool json = false;
};
}  // namespace

Command CheckCommand() {
  return {"check", "check the vault's integrity", [](CLI::App& app) {
            auto opt = std::make_shared<CheckOptions>();
            app.add_flag("--read-data", opt->read_data,
                         "also fetch, decrypt and authenticate every object");
            app.add_flag("--json", opt->json, "print JSON instead of text");
            return [opt](Context& ctx) -> int {
              auto vault = ctx.OpenVault();
              if (!vault.ok()) return ctx.Fail(vault.status());
              auto report = (*vault)->Check(opt->read_data);
              if (!report.ok()) return ctx.Fail(report.status());
              if (opt->json) {
                ctx.out() << vault::CheckJson(*report) << "\n";
              } else {
                // Problems quote names from the archive: one terminal line each.
                for (const std::string& n : report->notes) {
                  ctx.out() << "note: " << OneLine(n, 1000) << "\n";
                }
                for (const std::string& p : report->problems) {
                  ctx.out() << "problem: " << OneLine(p, 1000) << "\n";
                }
                ctx.out() << report->snapshots << " snapshots, " << report->packs << " packs, "
                          << report->objects_checked << " objects "
                          << (opt->read_data ? "read and authenticated" : "located") << ": "
                          << (report->problems.empty()
                                  ? std::string("no problems")
                                  : std::to_string(report->problems.size()) + " problems")
                          << "\n";
              }
              if (!report->problems.empty()) {
                ctx.err() << "gptvault: the vault has " << report->problems.size() << " problems\n";
                return kExitFailure;
              }
              return kExitOk;
            };
          }};
}

}  // namespace gptvault::cli
