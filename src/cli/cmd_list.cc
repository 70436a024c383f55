// gptvault list: every conversation ever added, newest activity first.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <ostream>

#include "context.h"
#include "gptvault/vault/json_report.h"
#include "text.h"

namespace gptvault::cli {

namespace {

struct ListOptions {
  bool json = false;
  std::string search;
  std::string snapshot;
};

void PrintTable(Context& ctx, const std::vector<vault::ConversationSummary>& list,
                const std::optional<vault::Snapshot>& as_of) {
  char line[128];
  std::snprintf(line, sizeof line, "%-36s  %-16s  %5s  %4s  %s\n", "ID", "UPDATED (UTC)", "MSGS",
                "VERS", "TITLE");
  ctx.out() << line;
  size_t gone = 0;
  for (const auto& c : list) {
    std::snprintf(line, sizeof line, "%-36s  %-16s  %5llu  %4zu  ", OneLine(c.id, 36).c_str(),
                  FormatTime(c.update_time).c_str(), static_cast<unsigned long long>(c.messages),
                  c.versions);
    ctx.out() << line << (c.title ? OneLine(*c.title, 60) : "(untitled)");
    if (!c.in_latest) {
      ctx.out() << "  [not in latest export]";
      ++gone;
    }
    ctx.out() << "\n";
    if (c.match) ctx.out() << "    " << OneLine(*c.match, 110) << "\n";
  }
  ctx.out() << list.size() << " conversations";
  if (gone) ctx.out() << ", " << gone << " of them no longer in the latest export";
  if (as_of) ctx.out() << ", as of snapshot " << as_of->seq << " (" << as_of->time << ")";
  ctx.out() << "\n";
}

}  // namespace

Command ListCommand() {
  return {"list", "list every conversation ever added", [](CLI::App& app) {
            auto opt = std::make_shared<ListOptions>();
            app.add_flag("--json", opt->json, "print JSON instead of a table");
            app.add_option("--search", opt->search,
                           "only conversations whose title, id or messages contain TEXT "
                           "(ASCII letters in any case)");
            app.add_option("--snapshot", opt->snapshot,
                           "the vault as it was right after snapshot S was added (a number from "
                           "`gptvault log`, an id prefix of 8+ characters, or latest); "
                           "\"latest export\" then means the newest export up to S")
                ->type_name("S");
            app.footer(
                "Example:\n  gptvault list --search \"tax return\"\n"
                "  gptvault list --snapshot 2 --json");
            return [opt](Context& ctx) -> int {
              auto vault = ctx.OpenVault();
              if (!vault.ok()) return ctx.Fail(vault.status());
              std::optional<vault::Snapshot> as_of;
              if (!opt->snapshot.empty()) {
                auto snap = (*vault)->ResolveSnapshot(opt->snapshot);
                if (!snap.ok()) return ctx.Fail(snap.status());
                as_of = std::move(*snap);
              }
              const vault::Snapshot* at = as_of ? &*as_of : nullptr;
              auto list =
                  opt->search.empty() ? (*vault)->List(at) : (*vault)->Search(opt->search, at);
              if (!list.ok()) return ctx.Fail(list.status());
              std::vector<vault::ConversationSummary> shown = std::move(*list);
              std::stable_sort(shown.begin(), shown.end(), [](const auto& a, const auto& b) {
                return a.update_time.value_or(0) > b.update_time.value_or(0);
              });
              if (opt->json) {
                ctx.out() << vault::ConversationsJson(shown) << "\n";
              } else {
                PrintTable(ctx, shown, as_of);
              }
              return kExitOk;
            };
          }};
}

}  // namespace gptvault::cli
