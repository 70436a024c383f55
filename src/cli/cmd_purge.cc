// gptvault purge: removes conversations from every snapshot for good, with
// the attached files only they pointed at, and prunes what held them.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <ostream>

#include "context.h"
#include "gptvault/util/bytes.h"

namespace gptvault::cli {

namespace {

struct PurgeFlags {
  std::vector<std::string> ids;
  bool yes = false;
};

}  // namespace

Command PurgeCommand() {
  return {"purge", "remove conversations from every snapshot, for good", [](CLI::App& app) {
            auto opt = std::make_shared<PurgeFlags>();
            app.add_option("ids", opt->ids, "conversation ids or unique prefixes (6+ characters)")
                ->required();
            app.add_flag("-y,--yes", opt->yes, "do not ask (needed without a terminal)");
            app.footer(
                "Every version of each conversation goes from every snapshot, with its title and "
                "text, its copy in chat.html and the attached files no other conversation points "
                "at; the packs that held them are rewritten, so no file of the vault holds their "
                "bytes afterwards. Other machines that saw the vault accept the rewritten "
                "history. There is no undo.\n\nExamples:\n"
                "  gptvault purge 684e65c7\n"
                "  gptvault purge 684e65c7 6b0f0d9c --yes");
            return [opt](Context& ctx) -> int {
              const bool terminal = ::isatty(STDIN_FILENO) == 1;
              if (!opt->yes && !terminal) {
                ctx.err() << "gptvault: purge removes conversations for good and there is no "
                             "terminal to ask: add --yes (see gptvault purge --help)\n";
                return kExitUsage;
              }
              auto opened = ctx.OpenVault();
              if (!opened.ok()) return ctx.Fail(opened.status());
              vault::Vault& v = **opened;
              std::vector<std::string> ids;
              for (const std::string& given : opt->ids) {
                auto id = v.ResolveId(given);
                if (!id.ok()) return ctx.Fail(id.status());
                ids.push_back(*id);
              }
              if (!opt->yes) {
                std::cerr << "purge " << ids.size()
                          << (ids.size() == 1 ? " conversation" : " conversations")
                          << " from every snapshot, for good? type yes: " << std::flush;
                std::string answer;
                std::getline(std::cin, answer);
                if (answer != "yes" && answer != "y") {
                  ctx.err() << "gptvault: nothing purged\n";
                  return kExitFailure;
                }
              }
              auto result = v.Purge(ids);
              if (!result.ok()) return ctx.Fail(result.status());
              ctx.out() << "purged " << result->conversations
                        << (result->conversations == 1 ? " conversation (" : " conversations (")
                        << result->versions << " versions) and " << result->assets
                        << " attached files from " << result->snapshots_rewritten
                        << " snapshots; the packs that held them were rewritten ("
                        << HumanBytes(result->prune.repacked.bytes + result->prune.unused.bytes)
                        << " of packs replaced by " << HumanBytes(result->prune.written.bytes)
                        << ")\n";
              for (const std::string& w : result->warnings) ctx.err() << "warning: " << w << "\n";
              return kExitOk;
            };
          }};
}

}  // namespace gptvault::cli
