// gptvault prune: deletes the data no snapshot needs any more (what forget
// left, what an interrupted add left) and rewrites packs that are mostly
// unused, under the writer's lock.
#include <CLI/CLI.hpp>
#include <charconv>
#include <ostream>

#include "context.h"
#include "gptvault/util/bytes.h"
#include "gptvault/vault/json_report.h"
#include "prune_run.h"

namespace gptvault::cli {

std::optional<int64_t> ParseGrace(const std::string& text) {
  int64_t n = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, n);
  if (ec != std::errc() || n < 0 || n > 100'000) return std::nullopt;
  if (p == end || (*p == 'h' && p + 1 == end)) return n * 3600;
  if (*p == 'd' && p + 1 == end) return n * 86400;
  return std::nullopt;
}

namespace {

std::string Packs(const storage::PruneReport::Count& c) {
  return std::to_string(c.packs) + (c.packs == 1 ? " pack (" : " packs (") + HumanBytes(c.bytes) +
         ")";
}

void PrintText(std::ostream& out, const storage::PruneReport& r, bool dry_run,
               const std::string& grace) {
  const char* del = dry_run ? "would delete " : "deleted ";
  if (r.unused.packs) out << del << Packs(r.unused) << " that no snapshot uses\n";
  if (r.unindexed.packs) {
    out << del << Packs(r.unindexed) << " that an interrupted write left behind\n";
  }
  if (r.objects_rewritten_whole) {
    out << (dry_run ? "would store " : "stored ") << r.objects_rewritten_whole
        << " kept versions whole, so the older versions they were stored against can go\n";
  }
  if (r.repacked.packs) {
    out << (dry_run ? "would rewrite " : "rewrote ") << Packs(r.repacked)
        << " without their unused objects"
        << (dry_run ? "" : " into " + HumanBytes(r.written.bytes)) << "\n";
  }
  if (r.young.packs) {
    out << "kept " << Packs(r.young) << " that no snapshot uses but that are younger than " << grace
        << ": a writer this machine cannot see may still need them (`--grace 0` when "
        << "no other machine writes to this vault)\n";
  }
  if (r.nothing_to_do()) {
    out << "nothing to prune: every pack is in use";
  } else if (r.reclaimed() < 0) {
    out << (dry_run ? "would grow the vault by about " : "the vault grew by ")
        << HumanBytes(static_cast<uint64_t>(-r.reclaimed()))
        << ": the kept versions stored whole take more than what they let go";
  } else {
    out << (dry_run ? "would reclaim about " : "reclaimed ")
        << HumanBytes(static_cast<uint64_t>(r.reclaimed())) << " of " << HumanBytes(r.total.bytes);
  }
  if (r.unused_bytes_kept)
    out << "; " << HumanBytes(r.unused_bytes_kept) << " unused left in packs";
  out << "\n";
}

}  // namespace

int GraceUsage(Context& ctx, const std::string& grace, const char* command) {
  ctx.err() << "gptvault: --grace " << grace
            << " is not a duration: give hours (24, 24h) or days (2d), or 0 (see gptvault "
            << command << " --help)\n";
  return kExitUsage;
}

int RunPrune(Context& ctx, vault::Vault& v, const PruneFlags& flags) {
  storage::PruneOptions options;
  options.dry_run = flags.dry_run;
  options.grace_seconds = ParseGrace(flags.grace).value_or(options.grace_seconds);
  options.max_unused = flags.max_unused / 100.0;
  auto report = v.Prune(options);
  if (!report.ok()) return ctx.Fail(report.status());
  if (flags.json) {
    ctx.out() << vault::PruneJson(*report, flags.dry_run) << "\n";
  } else {
    PrintText(ctx.out(), *report, flags.dry_run, flags.grace);
  }
  return kExitOk;
}

Command PruneCommand() {
  return {"prune", "delete data that no snapshot needs any more", [](CLI::App& app) {
            auto opt = std::make_shared<PruneFlags>();
            app.add_flag("-n,--dry-run", opt->dry_run, "say what would be deleted, delete nothing");
            app.add_option("--max-unused", opt->max_unused,
                           "rewrite a pack when more than this percent of it is unused")
                ->check(CLI::Range(0.0, 100.0))
                ->capture_default_str();
            app.add_option("--grace", opt->grace,
                           "never delete unused files younger than this (hours, or e.g. 2d)")
                ->capture_default_str();
            app.add_flag("--json", opt->json, "print JSON instead of text");
            app.footer(
                "Examples:\n"
                "  gptvault prune --dry-run     what would go, and what it would reclaim\n"
                "  gptvault forget --keep-monthly 12 && gptvault prune\n"
                "  gptvault prune --grace 0     also what a killed add left minutes ago");
            return [opt](Context& ctx) -> int {
              if (!ParseGrace(opt->grace)) return GraceUsage(ctx, opt->grace, "prune");
              auto vault = ctx.OpenVault();
              if (!vault.ok()) return ctx.Fail(vault.status());
              return RunPrune(ctx, **vault, *opt);
            };
          }};
}

}  // namespace gptvault::cli
