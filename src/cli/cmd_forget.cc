// gptvault forget: removes snapshots from the history, by restic's policy
// flags or by name; the versions only they held go with them, and
// `--prune` (or a later `gptvault prune`) reclaims the space.
#include <CLI/CLI.hpp>
#include <climits>
#include <ostream>
#include <set>

#include "context.h"
#include "gptvault/util/time_format.h"
#include "gptvault/vault/json_report.h"
#include "gptvault/vault/retention.h"
#include "gptvault/vault/snapshot.h"
#include "prune_run.h"

namespace gptvault::cli {

namespace {

struct ForgetFlags {
  std::vector<std::string> snapshots;
  vault::RetentionPolicy policy;
  std::string within;
  bool dry_run = false;
  bool prune = false;
  bool json = false;
  std::string grace = "24h";
};

int Usage(Context& ctx, const std::string& message) {
  ctx.err() << "gptvault: " << message << " (see gptvault forget --help)\n";
  return kExitUsage;
}

// -1 (every one) or a count of at least 1, as restic takes them.
const CLI::Validator kCount(
    [](const std::string& text) -> std::string {
      try {
        long n = std::stol(text);
        if (n == -1 || (n >= 1 && n <= INT_MAX)) return "";
      } catch (const std::exception&) {
      }
      return "a count is 1 or more (or -1 for all), not " + text;
    },
    "N");

}  // namespace

Command ForgetCommand() {
  return {
      "forget", "remove snapshots by a retention policy or by name", [](CLI::App& app) {
        auto opt = std::make_shared<ForgetFlags>();
        vault::RetentionPolicy& p = opt->policy;
        app.add_option("snapshots", opt->snapshots,
                       "snapshots to forget: numbers, ids or id prefixes");
        app.add_option("--keep-last", p.keep_last, "keep the N newest snapshots")->check(kCount);
        app.add_option("--keep-hourly", p.keep_hourly, "keep the newest of each of N hours")
            ->check(kCount);
        app.add_option("--keep-daily", p.keep_daily, "keep the newest of each of N days")
            ->check(kCount);
        app.add_option("--keep-weekly", p.keep_weekly, "keep the newest of each of N weeks")
            ->check(kCount);
        app.add_option("--keep-monthly", p.keep_monthly, "keep the newest of each of N months")
            ->check(kCount);
        app.add_option("--keep-yearly", p.keep_yearly, "keep the newest of each of N years")
            ->check(kCount);
        app.add_option("--keep-within", opt->within,
                       "keep every snapshot within this long of the newest (e.g. 1y6m)");
        app.add_flag("-n,--dry-run", opt->dry_run, "say what would be forgotten, change nothing");
        app.add_flag("--prune", opt->prune, "prune afterwards, reclaiming the space");
        app.add_option("--grace", opt->grace, "with --prune: as `gptvault prune --grace`")
            ->capture_default_str();
        app.add_flag("--json", opt->json, "print JSON instead of text");
        app.footer(
            "Snapshots are dated by their export's own date, not by when they were added. "
            "The newest snapshot is never forgotten, so the newest version of every "
            "conversation ever added stays: forgetting drops older versions, never "
            "conversations.\n\nExamples:\n"
            "  gptvault forget --keep-monthly 12 --keep-yearly -1 --dry-run\n"
            "  gptvault forget --keep-last 3 --prune\n"
            "  gptvault forget 2 5");
        return [opt](Context& ctx) -> int {
          if (!ParseGrace(opt->grace)) return GraceUsage(ctx, opt->grace, "forget");
          if (!opt->within.empty()) {
            auto d = vault::ParseRetentionDuration(opt->within);
            if (!d.ok()) return Usage(ctx, "--keep-within: " + d.status().message());
            opt->policy.keep_within = *d;
          }
          if (opt->policy.empty() == opt->snapshots.empty()) {
            return Usage(ctx, opt->snapshots.empty()
                                  ? "forget needs a policy (--keep-last, --keep-daily, ..., "
                                    "--keep-within) or the snapshots to forget"
                                  : "forget takes a policy or snapshots, not both");
          }
          auto opened = ctx.OpenVault();
          if (!opened.ok()) return ctx.Fail(opened.status());
          vault::Vault& v = **opened;
          auto history = v.Snapshots();
          if (!history.ok()) return ctx.Fail(history.status());
          if (history->empty()) {
            return ctx.Fail(Status::NotFound("the vault has no snapshots yet"));
          }
          auto latest = v.CatalogAt(history->back());
          if (!latest.ok()) return ctx.Fail(latest.status());
          std::vector<vault::SnapshotTime> times;
          for (const vault::Snapshot& s : *history) {
            auto t = vault::ExportTimeOf(s, **latest);
            times.push_back({s.seq, static_cast<int64_t>(t.value_or(0))});
          }

          // The policy sees export dates; the snapshot added last (whose
          // catalog is the current view) is kept whatever its date.
          std::vector<vault::RetentionDecision> decisions;
          if (!opt->snapshots.empty()) {
            std::set<std::string> named;
            for (const std::string& sel : opt->snapshots) {
              auto s = v.ResolveSnapshot(sel);
              if (!s.ok()) return ctx.Fail(s.status());
              if (s->name == history->back().name) {
                return ctx.Fail(Status::InvalidArgument(
                    "snapshot " + std::to_string(s->seq) +
                    " is the newest: it is never forgotten, so the newest version of every "
                    "conversation stays"));
              }
              named.insert(s->name);
            }
            for (size_t i = 0; i < history->size(); ++i) {
              const vault::Snapshot& s = (*history)[i];
              vault::RetentionDecision d{s.seq, times[i].time, named.count(s.name) == 0, {}};
              if (d.keep) d.reasons.push_back("not named");
              decisions.push_back(d);
            }
          } else {
            auto applied = vault::ApplyRetention(times, opt->policy);
            if (!applied.ok()) return Usage(ctx, applied.status().message());
            decisions = std::move(applied).value();
            vault::RetentionDecision& last = decisions.back();
            if (!last.keep) {
              last.keep = true;
              last.reasons.push_back("added last");
            }
          }

          std::vector<std::string> forget;
          for (size_t i = 0; i < decisions.size(); ++i) {
            if (!decisions[i].keep) forget.push_back((*history)[i].name);
          }
          auto result = v.Forget(forget, opt->dry_run);
          if (!result.ok()) return ctx.Fail(result.status());
          if (opt->json) {
            ctx.out() << vault::ForgetJson(*history, decisions, *result, opt->dry_run) << "\n";
          } else {
            std::ostream& out = ctx.out();
            for (size_t i = 0; i < decisions.size(); ++i) {
              const vault::Snapshot& s = (*history)[i];
              const vault::RetentionDecision& d = decisions[i];
              std::string what = "snapshot " + std::to_string(s.seq) + " (" +
                                 FormatUtcDay(vault::ExportTimeOf(s, **latest)) + ", " + s.source +
                                 ")";
              if (d.keep) {
                out << "keep " << what << ":";
                const char* sep = " ";
                for (const std::string& r : d.reasons) {
                  out << sep << r;
                  sep = ", ";
                }
                out << "\n";
              } else {
                out << (opt->dry_run ? "would forget " : "forgot ") << what << "\n";
              }
            }
            if (forget.empty()) {
              out << "nothing to forget\n";
            } else {
              out << (opt->dry_run ? "would drop " : "dropped ") << result->versions_dropped
                  << " older versions from " << result->rewritten << " snapshots kept"
                  << (opt->dry_run || opt->prune
                          ? ""
                          : "; `gptvault prune` reclaims the space they used")
                  << "\n";
            }
          }
          for (const std::string& w : result->warnings) ctx.err() << "warning: " << w << "\n";
          if (opt->prune && !opt->dry_run) {
            PruneFlags prune;
            prune.grace = opt->grace;
            prune.json = opt->json;
            return RunPrune(ctx, v, prune);
          }
          return kExitOk;
        };
      }};
}

}  // namespace gptvault::cli
