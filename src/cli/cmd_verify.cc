// gptvault verify EXPORT.zip: the checks `add` runs, with no vault.
#include <CLI/CLI.hpp>
#include <ostream>

#include "context.h"
#include "gptvault/ingest/export_report.h"
#include "gptvault/vault/json_report.h"
#include "text.h"

namespace gptvault::cli {

namespace {

struct VerifyOptions {
  std::string archive;
  bool json = false;
};

constexpr size_t kListed = 20;

void PrintReport(Context& ctx, const std::string& archive, const ingest::ExportReport& r) {
  std::ostream& out = ctx.out();
  out << OneLine(archive, 200) << ": " << (r.sound() ? "sound" : "NOT sound") << "\n"
      << "  layout: " << r.layout.Describe() << "\n"
      << "  members: " << r.members << ", " << HumanBytes(r.bytes) << " uncompressed\n"
      << "  conversations: " << r.conversations << ", messages: " << r.messages
      << ", branches: " << r.branches << "\n"
      << "  attachments: " << r.attachments_referenced << " referenced, " << r.attachments_found
      << " found, " << r.attachments_missing << " missing\n";
  if (!r.anomalies.empty()) {
    out << "  anomalies (" << r.anomalies.size() << "):\n";
    for (size_t i = 0; i < r.anomalies.size() && i < kListed; ++i) {
      out << "    " << OneLine(r.anomalies[i].conversation, 60) << ": "
          << OneLine(r.anomalies[i].what, 120) << "\n";
    }
    if (r.anomalies.size() > kListed)
      out << "    ... and " << r.anomalies.size() - kListed << " more\n";
  }
  if (!r.missing.empty()) {
    out << "  missing attachments (" << r.missing.size() << "):\n";
    for (size_t i = 0; i < r.missing.size() && i < kListed; ++i) {
      out << "    " << OneLine(r.missing[i].conversation, 60) << ": "
          << OneLine(r.missing[i].id, 120) << "\n";
    }
    if (r.missing.size() > kListed)
      out << "    ... and " << r.missing.size() - kListed << " more\n";
  }
  for (const std::string& p : r.problems) out << "  problem: " << p << "\n";
}

}  // namespace

Command VerifyCommand() {
  return {"verify", "check an export archive without adding it (no vault needed)",
          [](CLI::App& app) {
            auto opt = std::make_shared<VerifyOptions>();
            app.add_option("archive", opt->archive, "a ChatGPT export ZIP")->required();
            app.add_flag("--json", opt->json, "print JSON instead of text");
            return [opt](Context& ctx) -> int {
              auto report = ingest::VerifyExport(opt->archive);
              if (!report.ok()) return ctx.Fail(report.status());
              if (opt->json) {
                ctx.out() << vault::ExportReportJson(*report) << "\n";
              } else {
                PrintReport(ctx, opt->archive, *report);
              }
              if (!report->sound()) {
                ctx.err() << "gptvault: " << report->problems.front() << "\n";
                return kExitFailure;
              }
              return kExitOk;
            };
          }};
}

}  // namespace gptvault::cli
