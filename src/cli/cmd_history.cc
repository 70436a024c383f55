// gptvault history ID: every version of one conversation, oldest first.
#include <CLI/CLI.hpp>
#include <ostream>

#include "context.h"
#include "gptvault/vault/json_report.h"
#include "table.h"
#include "text.h"

namespace gptvault::cli {

namespace {

struct HistoryOptions {
  std::string id;
  bool json = false;
};

// Snapshot numbers as ranges: "1-3, 5".
std::string Ranges(const std::vector<uint64_t>& seqs) {
  std::string out;
  for (size_t i = 0; i < seqs.size();) {
    size_t j = i;
    while (j + 1 < seqs.size() && seqs[j + 1] == seqs[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += std::to_string(seqs[i]);
    if (j > i) out += "-" + std::to_string(seqs[j]);
    i = j + 1;
  }
  return out.empty() ? "-" : out;
}

void PrintHistory(std::ostream& out, const vault::ConversationHistory& h) {
  const vault::VersionEntry* current = nullptr;
  for (const vault::VersionEntry& e : h.versions) {
    if (e.current) current = &e;
  }
  const auto& title = current ? current->version.title : std::nullopt;
  out << OneLine(h.id, 80) << "  " << (title ? OneLine(*title, 80) : "(untitled)") << "\n"
      << "created " << FormatTime(h.create_time) << " UTC; " << h.versions.size()
      << (h.versions.size() == 1 ? " version" : " versions");
  if (current) out << ", the current one is " << current->number;
  out << "\n";
  if (!h.in_newest_export) {
    out << "not in the newest export (snapshot " << h.newest_export_seq
        << "): the vault keeps it from earlier ones\n";
  }
  out << "\n";
  std::vector<std::vector<std::string>> rows = {{"", "VERSION", "SNAPSHOTS", "UPDATED (UTC)",
                                                 "MESSAGES", "ALL", "BRANCHES", "SIZE", "TITLE"}};
  for (const vault::VersionEntry& e : h.versions) {
    const vault::ConversationVersion& v = e.version;
    std::string shown = v.title ? OneLine(*v.title, 60) : "(untitled)";
    if (e.title_changed) shown += "  [renamed]";
    rows.push_back({e.current ? "*" : "", std::to_string(e.number), Ranges(e.snapshots),
                    FormatTime(v.update_time), std::to_string(v.messages),
                    std::to_string(v.all_messages), std::to_string(v.branches),
                    HumanBytes(v.content.size), shown});
  }
  out << FormatTable(rows, "lrllrrrr", 100);
  out << "* current: what restore " << OneLine(h.id, 80) << " gives; --version N gives another\n";
}

}  // namespace

Command HistoryCommand() {
  return {"history", "every version of one conversation, oldest first", [](CLI::App& app) {
            auto opt = std::make_shared<HistoryOptions>();
            app.add_option("id", opt->id, "conversation id, or a unique prefix of 6+ characters")
                ->required();
            app.add_flag("--json", opt->json, "print JSON instead of a table");
            app.footer(
                "Each version: its number (1 is the oldest; restore --version takes it), the "
                "snapshots whose export holds exactly these bytes, its update_time, its title "
                "([renamed] when it differs from the version before), messages on the current "
                "branch, on all branches, branches, and size. * marks the current version.\n\n"
                "Example:\n  gptvault history 684e65c7\n"
                "  gptvault restore 684e65c7 --version 1 --format md");
            return [opt](Context& ctx) -> int {
              auto vault = ctx.OpenVault();
              if (!vault.ok()) return ctx.Fail(vault.status());
              auto id = (*vault)->ResolveId(opt->id);
              if (!id.ok()) return ctx.Fail(id.status());
              auto history = (*vault)->VersionsOf(*id);
              if (!history.ok()) return ctx.Fail(history.status());
              if (opt->json) {
                ctx.out() << vault::HistoryJson(*history) << "\n";
              } else {
                PrintHistory(ctx.out(), *history);
              }
              return kExitOk;
            };
          }};
}

}  // namespace gptvault::cli
