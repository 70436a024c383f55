// gptvault diff ID [--from K] [--to L]: what changed between two versions
// of one conversation, message by message; diff --snapshot A B: the
// conversations new, changed and gone between two snapshots' exports.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <map>
#include <ostream>

#include "context.h"
#include "gptvault/storage/file_names.h"
#include "gptvault/util/time_format.h"
#include "gptvault/vault/diff.h"
#include "text.h"

namespace gptvault::cli {

namespace {

struct DiffOptions {
  std::string id;
  size_t from = 0, to = 0;  // 0: not given
  std::vector<std::string> snapshots;
  bool json = false;
};

constexpr size_t kWhole = std::numeric_limits<size_t>::max();
constexpr size_t kPreview = 100;  // code points of a one-line preview

// ANSI colour only on a terminal, and never when NO_COLOR is set
// (no-color.org: present and not empty).
class Paint {
 public:
  explicit Paint(Context& ctx) {
    const char* no = std::getenv("NO_COLOR");
    on_ = &ctx.out() == &std::cout && ::isatty(STDOUT_FILENO) == 1 && !(no && *no);
  }
  std::string operator()(const char* sgr, const std::string& s) const {
    return on_ ? "\x1b[" + std::string(sgr) + "m" + s + "\x1b[0m" : s;
  }

 private:
  bool on_ = false;
};
constexpr const char* kBold = "1";
constexpr const char* kRed = "31";
constexpr const char* kGreen = "32";
constexpr const char* kYellow = "33";
constexpr const char* kCyan = "36";
constexpr const char* kDim = "2";

int Usage(Context& ctx, const std::string& message) {
  ctx.err() << "gptvault: " << message << " (see gptvault diff --help)\n";
  return kExitUsage;
}

std::string Quoted(const std::optional<std::string>& title) {
  return title ? "\"" + OneLine(*title, 80) + "\"" : "(no title)";
}

std::string Plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// A message's text, every line made safe for the terminal and indented.
void PrintText(std::ostream& out, const std::string& text, const std::string& indent) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = OneLine(std::string_view(text).substr(start, end - start), kWhole);
    out << (line.empty() ? "" : indent) << line << "\n";
    start = end + 1;
  }
}

// The first line of a message's text, cut to a preview.
std::string Preview(const ingest::DiffMessage& m) {
  if (!m.shown()) return "(not shown on the page)";
  const size_t end = m.text.find('\n');
  std::string line = OneLine(m.text.substr(0, end), kPreview);
  if (end != std::string::npos && !line.ends_with("\u2026")) line += " \u2026";
  return line;
}

std::string Heading(const ingest::DiffMessage& m) {
  std::string h = OneLine(m.who, 40);
  if (m.time) h += " \u00b7 " + FormatTime(m.time) + " UTC";
  return h;
}

void PrintVersionLine(std::ostream& out, size_t n, const vault::ConversationVersion& v,
                      const vault::VersionDiff& d) {
  out << "  version " << n << ": updated " << FormatTime(v.update_time)
      << " UTC, first in snapshot " << v.first_seq << ", " << v.messages
      << " messages on its current branch" << (n == d.current ? " (the current version)" : "")
      << "\n";
}

void PrintBranch(std::ostream& out, const Paint& paint, const ingest::NewBranch& b,
                 const vault::VersionDiff& d) {
  const char* what = b.kind == ingest::NewBranch::Kind::kEditedPrompt        ? "edited prompt"
                     : b.kind == ingest::NewBranch::Kind::kRegeneratedAnswer ? "regenerated answer"
                                                                             : "new branch";
  out << paint(kCyan, std::string(what) + ": a new branch") << " "
      << (b.parent ? "after" : "at the start of the conversation") << "\n";
  if (b.parent) out << "    " << OneLine(b.parent->who, 40) << ": " << Preview(*b.parent) << "\n";
  auto mark = [&](const std::string& node) {
    std::string m;
    if (node == b.current_from) m += "version " + std::to_string(d.from);
    if (node == b.current_to) m += (m.empty() ? "version " : " and ") + std::to_string(d.to);
    return m.empty() ? "" : paint(kDim, "  [current in " + m + "]");
  };
  for (const ingest::DiffMessage& m : b.before) {
    out << "  " << paint(kRed, "was") << "  " << OneLine(m.who, 40) << ": " << Preview(m)
        << mark(m.node) << "\n";
  }
  for (const ingest::DiffMessage& m : b.added) {
    out << "  " << paint(kGreen, "new") << "  " << OneLine(m.who, 40) << ": " << Preview(m)
        << mark(m.node) << "\n";
  }
}

void PrintVersionDiff(Context& ctx, const vault::VersionDiff& v) {
  std::ostream& out = ctx.out();
  const Paint paint(ctx);
  const ingest::ConversationDiff& d = v.diff;
  out << paint(kBold, "conversation " + OneLine(v.id, 80)) << "  " << Quoted(v.to_version.title)
      << "\n";
  if (v.from == 0) {
    out << "it has only one version (first in snapshot " << v.to_version.first_seq
        << "): nothing to compare it with; gptvault restore " << ShellWord(v.id) << " shows it\n";
    return;
  }
  out << "version " << v.from << " \u2192 version " << v.to << " (of " << v.versions << ")\n";
  PrintVersionLine(out, v.from, v.from_version, v);
  if (v.from == v.to) {
    out << "\nthe same version twice: nothing to compare\n";
    return;
  }
  PrintVersionLine(out, v.to, v.to_version, v);
  if (d.title_changed()) {
    out << "\n"
        << paint(kYellow, "title: " + Quoted(d.title_from) + " \u2192 " + Quoted(d.title_to))
        << "\n";
  }
  for (const ingest::NewBranch& b : d.branches) {
    out << "\n";
    PrintBranch(out, paint, b, v);
  }
  if (!d.added.empty()) {
    size_t hidden = 0;
    for (const ingest::DiffMessage& m : d.added) hidden += m.shown() ? 0 : 1;
    out << "\n" << paint(kBold, Plural(d.added.size(), "message added", "messages added")) << "\n";
    for (const ingest::DiffMessage& m : d.added) {
      if (!m.shown()) continue;
      out << "\n"
          << paint(kGreen, "+ " + Heading(m))
          << (m.current ? "" : paint(kDim, "  (not on the current branch)")) << "\n";
      PrintText(out, m.text, "    ");
    }
    if (hidden) {
      out << "\n"
          << paint(kDim, "+ " + Plural(hidden, "message", "messages") +
                             " the ChatGPT page does not show (tool calls, search results, "
                             "reasoning, hidden context); --json lists them")
          << "\n";
    }
  }
  if (!d.changed.empty()) {
    out << "\n"
        << paint(kBold, Plural(d.changed.size(), "message changed", "messages changed")) << "\n";
    for (const ingest::ChangedMessage& c : d.changed) {
      out << "\n" << paint(kYellow, "~ " + Heading(c.to)) << "\n";
      out << paint(kRed, "  was:") << "\n";
      PrintText(out, c.from.shown() ? c.from.text : "(not shown on the page)", "    ");
      out << paint(kGreen, "  now:") << "\n";
      PrintText(out, c.to.shown() ? c.to.text : "(not shown on the page)", "    ");
    }
  }
  if (!d.removed.empty()) {
    out << "\n" << paint(kBold, Plural(d.removed.size(), "message gone", "messages gone")) << "\n";
    for (const ingest::DiffMessage& m : d.removed) {
      out << "\n" << paint(kRed, "- " + Heading(m)) << "\n";
      PrintText(out, m.shown() ? m.text : "(not shown on the page)", "    ");
    }
  }
  out << "\n";
  if (d.switched) {
    out << "current branch: moved to another branch (" << v.from_version.messages << " \u2192 "
        << v.to_version.messages << " messages)\n";
  } else if (d.tip_from != d.tip_to) {
    out << "current branch: grew, " << v.from_version.messages << " \u2192 "
        << v.to_version.messages << " messages\n";
  }
  if (d.empty()) {
    out << "no message or title changed (the versions differ in other fields: times, "
           "metadata)\n";
  }
}

void PrintEntries(std::ostream& out, const Paint& paint, const char* sign, const char* colour,
                  const std::vector<vault::SnapshotDiff::Entry>& list, bool changed, bool gone) {
  for (const vault::SnapshotDiff::Entry& e : list) {
    const std::optional<std::string>& title = gone ? e.title_from : e.title_to;
    out << "  " << paint(colour, std::string(sign) + " " + OneLine(e.id, 80)) << "  "
        << Quoted(title);
    if (changed && e.title_from != e.title_to) out << "  (was " << Quoted(e.title_from) << ")";
    if (changed)
      out << paint(kDim, "  version " + std::to_string(e.version_from) + " \u2192 " +
                             std::to_string(e.version_to));
    out << "\n";
  }
}

std::string Describe(const vault::Snapshot& s) {
  std::string day = FormatUtcDay(s.export_time);
  return "snapshot " + std::to_string(s.seq) + " (" + storage::SnapshotShortId(s.name) + ", " +
         OneLine(s.source, 60) + (day.empty() ? "" : ", export of " + day) + ")";
}

void PrintSnapshotDiff(Context& ctx, const vault::SnapshotDiff& d) {
  std::ostream& out = ctx.out();
  const Paint paint(ctx);
  out << paint(kBold, Describe(d.from) + " \u2192 " + Describe(d.to)) << "\n"
      << d.added.size() << " new, " << d.changed.size() << " changed, " << d.gone.size()
      << " gone, " << d.unchanged << " unchanged\n";
  const std::string a = std::to_string(d.from.seq), b = std::to_string(d.to.seq);
  if (!d.added.empty()) {
    out << "\n" << paint(kBold, "new: in snapshot " + b + "'s export, not in " + a + "'s") << "\n";
    PrintEntries(out, paint, "+", kGreen, d.added, false, false);
  }
  if (!d.changed.empty()) {
    out << "\n" << paint(kBold, "changed (gptvault diff ID --from K --to L shows how)") << "\n";
    PrintEntries(out, paint, "~", kYellow, d.changed, true, false);
  }
  if (!d.gone.empty()) {
    out << "\n"
        << paint(kBold,
                 "gone: in snapshot " + a + "'s export, not in " + b + "'s (the vault keeps them)")
        << "\n";
    PrintEntries(out, paint, "-", kRed, d.gone, false, true);
  }
}

int DiffSnapshots(Context& ctx, const DiffOptions& opt) {
  auto vault = ctx.OpenVault();
  if (!vault.ok()) return ctx.Fail(vault.status());
  auto a = (*vault)->ResolveSnapshot(opt.snapshots[0]);
  if (!a.ok()) return ctx.Fail(a.status());
  auto b = (*vault)->ResolveSnapshot(opt.snapshots[1]);
  if (!b.ok()) return ctx.Fail(b.status());
  if (a->seq > b->seq) {
    return Usage(ctx, "snapshot " + std::to_string(a->seq) + " is newer than snapshot " +
                          std::to_string(b->seq) + ": give the older first (diff --snapshot " +
                          ShellWord(opt.snapshots[1]) + " " + ShellWord(opt.snapshots[0]) + ")");
  }
  auto d = (*vault)->DiffSnapshots(*a, *b);
  if (!d.ok()) return ctx.Fail(d.status());
  if (opt.json) {
    ctx.out() << vault::SnapshotDiffJson(*d) << "\n";
  } else {
    PrintSnapshotDiff(ctx, *d);
  }
  return kExitOk;
}

int DiffConversation(Context& ctx, const DiffOptions& opt) {
  auto vault = ctx.OpenVault();
  if (!vault.ok()) return ctx.Fail(vault.status());
  auto id = (*vault)->ResolveId(opt.id);
  if (!id.ok()) return ctx.Fail(id.status());
  auto d =
      vault::DiffVersions(**vault, *id, opt.from ? std::optional<size_t>(opt.from) : std::nullopt,
                          opt.to ? std::optional<size_t>(opt.to) : std::nullopt);
  if (!d.ok()) return ctx.Fail(d.status());
  if (opt.json) {
    ctx.out() << vault::VersionDiffJson(*d) << "\n";
  } else {
    PrintVersionDiff(ctx, *d);
  }
  return kExitOk;
}

constexpr const char* kFooter = R"(Examples:
  gptvault diff 684e65c7                  # the newest version against the one before it
  gptvault diff 684e65c7 --from 1 --to 3  # version numbers as gptvault history shows them
  gptvault diff --snapshot 1 2            # conversations new, changed and gone between two exports

A message is its node in the conversation's mapping. An edited prompt or a
regenerated answer is a new branch beside the old one: both are shown, and
which one each version's current branch goes through. A conversation with
one version has nothing to compare: diff says so and exits 0.

--json, for a conversation:
  {id, versions, current_version,
   from: {version, first_snapshot, update_time, title, messages, all_messages,
          branches, size, current_node} or null (one version only), to: {...},
   title_changed, current_branch_moved,
   added: [MESSAGE], removed: [MESSAGE], changed: [{node, from: MESSAGE, to: MESSAGE}],
   branches: [{kind: edited_prompt|regenerated_answer|other, parent_node,
               parent: MESSAGE or null, before: [MESSAGE], added: [MESSAGE],
               current_in_from, current_in_to}]}
  MESSAGE: {node, parent, role, author, create_time, text, shown, current}
  (text as restore --format md shows it; "" and shown false for what the page hides)
--json, for --snapshot A B:
  {from: SNAPSHOT, to: SNAPSHOT, unchanged,
   new: [{id, title, title_to, version_to}],
   changed: [{id, title, title_from, title_to, version_from, version_to}],
   gone: [{id, title, title_from, version_from}]}
  SNAPSHOT: {seq, id, time, source, export_time}
Times are seconds since 1970 (UTC), as the export gives them.)";

}  // namespace

Command DiffCommand() {
  return {"diff", "what changed between two versions of a conversation, or two snapshots",
          [](CLI::App& app) {
            auto opt = std::make_shared<DiffOptions>();
            auto version_number = CLI::Validator(
                [](std::string& value) {
                  const bool digits = !value.empty() && value.size() <= 18 &&
                                      value.find_first_not_of("0123456789") == std::string::npos;
                  return digits && std::stoull(value) >= 1
                             ? std::string()
                             : "a version is a number from 1 (gptvault history lists them), not " +
                                   value;
                },
                "");
            app.add_option("ID", opt->id, "conversation id or a unique prefix of 6+ characters");
            app.add_option("--from", opt->from, "the older version (default: the one before --to)")
                ->type_name("K")
                ->check(version_number);
            app.add_option("--to", opt->to, "the newer version (default: the newest)")
                ->type_name("L")
                ->check(version_number);
            app.add_option("--snapshot", opt->snapshots,
                           "compare two snapshots' exports instead: numbers from gptvault log, id "
                           "prefixes or latest")
                ->type_name("SNAPSHOT")
                ->expected(2);
            app.add_flag("--json", opt->json, "print JSON instead of text");
            app.footer(kFooter);
            return [opt](Context& ctx) -> int {
              const bool snapshot = !opt->snapshots.empty();
              if (snapshot && !opt->id.empty()) {
                return Usage(ctx, "diff takes a conversation ID or --snapshot A B, not both");
              }
              if (snapshot && (opt->from || opt->to)) {
                return Usage(ctx,
                             "--from and --to choose versions of one conversation; "
                             "--snapshot compares whole snapshots");
              }
              if (!snapshot && opt->id.empty()) {
                return Usage(ctx, "diff needs a conversation ID, or --snapshot A B");
              }
              if (opt->from && opt->to && opt->from > opt->to) {
                return Usage(ctx, "--from " + std::to_string(opt->from) + " is newer than --to " +
                                      std::to_string(opt->to) + ": give the older version first");
              }
              return snapshot ? DiffSnapshots(ctx, *opt) : DiffConversation(ctx, *opt);
            };
          }};
}

}  // namespace gptvault::cli
