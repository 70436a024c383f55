// gptvault add EXPORT.zip...: one snapshot per archive, in the order given.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "context.h"
#include "progress.h"

namespace gptvault::cli {

namespace {

constexpr size_t kWarningsShown = 20;

void PrintResult(Context& ctx, const vault::AddResult& r) {
  const vault::AddCounts& c = r.snapshot.counts;
  ctx.out() << r.snapshot.source << ": snapshot " << r.snapshot.seq << "\n"
            << "  conversations: " << c.conversations << " in the export: " << c.new_conversations
            << " new, " << c.updated << " updated, " << c.unchanged << " unchanged; " << c.kept
            << " kept from earlier exports\n"
            << "  members: " << c.members << "; read " << HumanBytes(c.bytes_read) << ", stored "
            << HumanBytes(c.bytes_stored) << "\n";
  for (size_t i = 0; i < r.warnings.size() && i < kWarningsShown; ++i) {
    ctx.err() << "warning: " << r.warnings[i] << "\n";
  }
  if (r.warnings.size() > kWarningsShown) {
    ctx.err() << "warning: ... and " << r.warnings.size() - kWarningsShown << " more warnings\n";
  }
}

// Peak resident memory of the process so far (Linux VmHWM), in KiB.
long PeakMemoryKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

void PrintStats(Context& ctx, const vault::AddResult& r, long process_peak_kib) {
  ctx.err() << "stats: sealed_conversations=" << r.sealed_conversations
            << " sealed_chat_html=" << r.sealed_chat_html
            << " sealed_other_members=" << r.sealed_other_members
            << " sealed_metadata=" << r.sealed_metadata << " sealed_catalog=" << r.sealed_catalog
            << "\n"
            << "stats: ingest_peak_rss_kb=" << r.ingest_peak_rss_kib
            << " process_peak_rss_kb=" << PeakMemoryKiB()
            << " unlock_peak_rss_kb=" << process_peak_kib << "\n";
}

}  // namespace

Command AddCommand() {
  return {"add", "verify export archives and add each as a snapshot", [](CLI::App& app) {
            auto archives = std::make_shared<std::vector<std::string>>();
            app.add_option("archives", *archives, "ChatGPT export ZIP files")->required();
            return [archives](Context& ctx) -> int {
              auto vault = ctx.OpenVault();
              if (!vault.ok()) return ctx.Fail(vault.status());
              const bool stats = std::getenv("GPTVAULT_STATS") != nullptr;
              for (const std::string& path : *archives) {
                long unlock_peak = stats ? PeakMemoryKiB() : 0;
                ProgressLine progress(ctx.err(), IsTerminalStderr(ctx.err()),
                                      std::filesystem::path(path).filename().string());
                auto result = (*vault)->Add(
                    path, [&progress](const vault::AddProgress& p) { progress.Update(p); });
                progress.Clear();
                if (!result.ok()) return ctx.Fail(result.status());
                PrintResult(ctx, *result);
                if (stats) PrintStats(ctx, *result, unlock_peak);
              }
              return kExitOk;
            };
          }};
}

}  // namespace gptvault::cli
