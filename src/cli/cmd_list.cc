// gptvault list: every conversation ever added, newest activity first.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <ostream>
#include <unordered_map>

#include "context.h"
#include "gptvault/ingest/conversation_search.h"
#include "gptvault/vault/json_report.h"
#include "text.h"

namespace gptvault::cli {

namespace {

struct ListOptions {
  bool json = false;
  std::string search;
};

void PrintTable(Context& ctx, const std::vector<vault::ConversationSummary>& list) {
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
  ctx.out() << "\n";
}

// The conversations whose title, id or messages hold `text`. Messages are
// searched in each conversation's newest version, so every conversation is
// read and decrypted: seconds for a large vault.
Result<std::vector<vault::ConversationSummary>> Search(vault::Vault& vault,
                                                       std::vector<vault::ConversationSummary> all,
                                                       const std::string& text) {
  std::unordered_map<std::string, std::string> in_messages;
  GV_RETURN_IF_ERROR(vault.RestoreAll([&](const vault::RestoredConversation& c) {
    if (auto hit = ingest::FindInConversation(AsChars(c.bytes), text)) in_messages[c.id] = *hit;
    return Status::Ok();
  }));
  std::vector<vault::ConversationSummary> shown;
  for (auto& c : all) {
    auto hit = in_messages.find(c.id);
    if (hit != in_messages.end()) c.match = hit->second;
    if (hit != in_messages.end() || ContainsIgnoreCase(c.title.value_or(""), text) ||
        ContainsIgnoreCase(c.id, text)) {
      shown.push_back(std::move(c));
    }
  }
  return shown;
}

}  // namespace

Command ListCommand() {
  return {"list", "list every conversation ever added", [](CLI::App& app) {
            auto opt = std::make_shared<ListOptions>();
            app.add_flag("--json", opt->json, "print JSON instead of a table");
            app.add_option("--search", opt->search,
                           "only conversations whose title, id or messages contain TEXT "
                           "(ASCII letters in any case)");
            return [opt](Context& ctx) -> int {
              auto vault = ctx.OpenVault();
              if (!vault.ok()) return ctx.Fail(vault.status());
              auto list = (*vault)->List();
              if (!list.ok()) return ctx.Fail(list.status());
              std::vector<vault::ConversationSummary> shown = std::move(*list);
              if (!opt->search.empty()) {
                auto found = Search(**vault, std::move(shown), opt->search);
                if (!found.ok()) return ctx.Fail(found.status());
                shown = std::move(*found);
              }
              std::stable_sort(shown.begin(), shown.end(), [](const auto& a, const auto& b) {
                return a.update_time.value_or(0) > b.update_time.value_or(0);
              });
              if (opt->json) {
                ctx.out() << vault::ConversationsJson(shown) << "\n";
              } else {
                PrintTable(ctx, shown);
              }
              return kExitOk;
            };
          }};
}

}  // namespace gptvault::cli
