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
#include "interrupt.h"
#include "progress.h"

namespace gptvault::cli {

namespace {

constexpr size_t kWarningsShown = 20;

void PrintResult(Context& ctx, const vault::AddResult& r) {
  const vault::AddCounts& c = r.snapshot.counts;
  if (r.same_as) {
    ctx.out() << r.snapshot.source << ": same as snapshot " << *r.same_as << "; nothing added\n";
    return;
  }
  ctx.out() << r.snapshot.source << ": snapshot " << r.snapshot.seq << "\n";
  if (r.newer) {
    ctx.out() << "  this export is from " << FormatUtcDay(r.snapshot.export_time)
              << ", older than snapshot " << r.newer->seq << " from "
              << FormatUtcDay(r.newer->export_time) << ": its changes are kept as history, ";
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

std::string FileName(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

// An archive that was not added, and why (one line).
struct Refusal {
  std::string archive;
  std::string why;
};

// The archives, oldest export first (by the newest update_time each holds),
// so that snapshots follow time; archives of one date keep the order given.
// One whose date cannot be read is refused here, and the others go on.
std::vector<std::string> OldestFirst(const std::vector<std::string>& archives,
                                     std::vector<Refusal>* refused) {
  if (archives.size() < 2) return archives;
  std::vector<std::pair<double, std::string>> dated;
  for (const std::string& path : archives) {
    auto t = ingest::ReadExportTime(path);
    if (!t.ok()) {
      refused->push_back({path, t.status().WithContext(FileName(path)).message()});
      continue;
    }
    dated.emplace_back(t->value_or(-1), path);
  }
  std::stable_sort(dated.begin(), dated.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& [t, path] : dated) out.push_back(std::move(path));
  return out;
}

// Several archives: every one that could be added was; this names the rest.
int ReportRefused(Context& ctx, const std::vector<Refusal>& refused, size_t given) {
  if (refused.size() == 1 && given == 1) {
    return ctx.Fail(Status::Refused(refused[0].why));
  }
  ctx.err() << "gptvault: " << refused.size() << " of " << given
            << " archives were refused (the others were added):\n";
  for (const Refusal& r : refused) ctx.err() << "  " << r.why << "\n";
  return kExitRefused;
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
              std::vector<Refusal> refused;
              const std::vector<std::string> ordered = OldestFirst(*archives, &refused);
              InterruptGuard interrupt;
              for (const std::string& path : ordered) {
                long unlock_peak = stats ? PeakMemoryKiB() : 0;
                ProgressLine progress(ctx.err(), IsTerminalStderr(ctx.err()), FileName(path));
                auto result = (*vault)->Add(path, [&](const vault::AddProgress& p) -> Status {
                  if (interrupt.Requested()) {
                    return Status::Cancelled("interrupted: nothing of this archive was committed");
                  }
                  progress.Update(p);
                  return Status::Ok();
                });
                progress.Clear();
                if (!result.ok() && result.status().code() == Status::Code::kRefused) {
                  refused.push_back({path, result.status().message()});
                  continue;
                }
                if (!result.ok()) return ctx.Fail(result.status());
                PrintResult(ctx, *result);
                if (stats) PrintStats(ctx, *result, unlock_peak);
                if (interrupt.Requested() && &path != &ordered.back()) {
                  return ctx.Fail(Status::Cancelled(
                      "interrupted after snapshot " + std::to_string(result->snapshot.seq) +
                      " was committed; the archives after " + FileName(path) + " were not added"));
                }
              }
              if (!refused.empty()) return ReportRefused(ctx, refused, archives->size());
              return kExitOk;
            };
          }};
}

}  // namespace gptvault::cli
