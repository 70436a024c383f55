// gptvault add EXPORT.zip...: one snapshot per archive, oldest export first.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "context.h"
#include "gptvault/ingest/export_time.h"
#include "gptvault/util/time_format.h"
#include "progress.h"

namespace gptvault::cli {

namespace {

constexpr size_t kWarningsShown = 20;

// "2023-04-10": the day of an export, in UTC.
std::string Day(std::optional<double> t) { return FormatUtcMinute(t).substr(0, 10); }

void PrintResult(Context& ctx, const vault::AddResult& r) {
  const vault::AddCounts& c = r.snapshot.counts;
  if (r.same_as) {
    ctx.out() << r.snapshot.source << ": same as snapshot " << *r.same_as << "; nothing added\n";
    return;
  }
  ctx.out() << r.snapshot.source << ": snapshot " << r.snapshot.seq << "\n";
  if (r.newer) {
    ctx.out() << "  this export is from " << Day(r.snapshot.export_time) << ", older than snapshot "
              << r.newer->seq << " from " << Day(r.newer->export_time)
              << ": its changes are kept as history, ";
    if (r.newer->current_changed == 0) {
      ctx.out() << "the current view is unchanged\n";
    } else {
      ctx.out() << "and only the " << r.newer->current_changed
                << " conversations no newer export has join the current view\n";
    }
  }
  ctx.out() << "  conversations: " << c.conversations << " in the export: " << c.new_conversations
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

// The archives, oldest export first (by the newest update_time each holds),
// so that snapshots follow time; archives of one date keep the order given.
Result<std::vector<std::string>> OldestFirst(const std::vector<std::string>& archives) {
  if (archives.size() < 2) return archives;
  std::vector<std::pair<double, std::string>> dated;
  for (const std::string& path : archives) {
    auto t = ingest::ReadExportTime(path);
    if (!t.ok()) {
      return t.status().WithContext(std::filesystem::path(path).filename().string());
    }
    dated.emplace_back(t->value_or(-1), path);
  }
  std::stable_sort(dated.begin(), dated.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& [t, path] : dated) out.push_back(std::move(path));
  return out;
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
              auto ordered = OldestFirst(*archives);
              if (!ordered.ok()) return ctx.Fail(ordered.status());
              for (const std::string& path : *ordered) {
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
