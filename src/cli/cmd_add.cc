// gptvault add EXPORT.zip...: one snapshot per archive, in the order given.
#include <CLI/CLI.hpp>
#include <ostream>

#include "context.h"

namespace gptvault::cli {

namespace {

constexpr size_t kWarningsShown = 20;

void PrintResult(Context& ctx, const vault::AddResult& r) {
  const vault::AddCounts& c = r.snapshot.counts;
  ctx.out() << r.snapshot.source << ": snapshot " << r.snapshot.seq << "\n"
            << "  conversations: " << c.conversations << " in the export: "
            << c.new_conversations << " new, " << c.updated << " updated, " << c.unchanged
            << " unchanged; " << c.kept << " kept from earlier exports\n"
            << "  members: " << c.members << "; read " << HumanBytes(c.bytes_read)
            << ", stored " << HumanBytes(c.bytes_stored) << "\n";
  for (size_t i = 0; i < r.warnings.size() && i < kWarningsShown; ++i) {
    ctx.err() << "warning: " << r.warnings[i] << "\n";
  }
  if (r.warnings.size() > kWarningsShown) {
    ctx.err() << "warning: ... and " << r.warnings.size() - kWarningsShown
              << " more warnings\n";
  }
}

}  // namespace

Command AddCommand() {
  return {"add", "verify export archives and add each as a snapshot", [](CLI::App& app) {
            auto archives = std::make_shared<std::vector<std::string>>();
            app.add_option("archives", *archives, "ChatGPT export ZIP files")->required();
            return [archives](Context& ctx) -> int {
              auto vault = ctx.OpenVault();
              if (!vault.ok()) return ctx.Fail(vault.status());
              for (const std::string& path : *archives) {
                auto result = (*vault)->Add(path);
                if (!result.ok()) return ctx.Fail(result.status());
                PrintResult(ctx, *result);
              }
              return kExitOk;
            };
          }};
}

}  // namespace gptvault::cli
