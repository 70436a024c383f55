// gptvault restore ID: the current version of one conversation, or the one
// a snapshot, a version number or a date names; with --all, of every
// conversation, one file each.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>

#include "context.h"
#include "gptvault/ingest/conversation_render.h"
#include "gptvault/util/file.h"
#include "gptvault/util/time_format.h"

namespace gptvault::cli {

namespace {

struct RestoreOptions {
  std::string id;
  bool all = false;
  std::string format = "json";
  std::string output;
  std::string assets;
  // At most one of these (CLI11 enforces it): which version.
  std::string snapshot;
  size_t version = 0;
  bool by_version = false;
  std::optional<double> at;
};

// The conversation's bytes in the format asked for: its own JSON as stored,
// or rendered for reading, linking the attachments `written` (asset id ->
// path relative to the document).
Result<std::string> Formatted(const vault::RestoredConversation& c, const std::string& format,
                              const std::map<std::string, std::string>& written) {
  if (format == "json") return std::string(AsChars(c.bytes));
  auto link = [&written](const std::string& asset) -> std::optional<std::string> {
    auto it = written.find(asset);
    if (it == written.end()) return std::nullopt;
    return it->second;
  };
  auto rendered = ingest::RenderConversation(
      AsChars(c.bytes),
      format == "html" ? ingest::RenderFormat::kHtml : ingest::RenderFormat::kMarkdown, link);
  if (!rendered.ok()) return rendered.status().WithContext("conversation " + c.id);
  return rendered;
}

// Conversation ids come from the archive, so they are file names only when
// they look like ids; anything else is named after its content hash.
std::string ConversationFileName(const vault::RestoredConversation& c, const std::string& format) {
  bool plain = !c.id.empty() && c.id.size() <= 128 && c.id[0] != '.';
  for (char ch : c.id) {
    plain = plain &&
            (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.');
  }
  const std::string ext = "." + format;
  if (plain) return c.id + ext;
  return "conversation-" + ToHex(c.version.hash).substr(0, 16) + ext;
}

// Every conversation that can be read is written; each one that cannot is
// named on stderr, and then the exit is 1. A failure to write stops it.
int RestoreAll(Context& ctx, vault::Vault& vault, const RestoreOptions& opt) {
  const std::string& dir = opt.output;
  if (dir.empty() || dir == "-") {
    return ctx.Fail(Status::InvalidArgument("restore --all needs -o DIR"));
  }
  std::optional<vault::Snapshot> as_of;
  if (!opt.snapshot.empty()) {
    auto snap = vault.ResolveSnapshot(opt.snapshot);
    if (!snap.ok()) return ctx.Fail(snap.status());
    as_of = std::move(*snap);
  }
  // The folder is made once there is something to put in it, so a vault
  // whose catalog cannot be read leaves nothing behind.
  bool made = false;
  auto make = [&]() -> Status {
    if (made) return Status::Ok();
    made = true;
    return MakeDirectories(dir, 0700);
  };
  size_t count = 0, failed = 0;
  auto unreadable = [&](const std::string& id, const Status& why) {
    ctx.err() << "gptvault: " << why.message() << "\n";
    ++failed;
    return Status::Ok();
  };
  Status s = vault.RestoreAll(
      [&](const vault::RestoredConversation& c) -> Status {
        auto text = Formatted(c, opt.format, {});
        if (!text.ok()) return unreadable(c.id, text.status());
        GV_RETURN_IF_ERROR(make());
        GV_RETURN_IF_ERROR(WriteFileAtomically(dir + "/" + ConversationFileName(c, opt.format),
                                               AsBytes(*text), 0600));
        ++count;
        return Status::Ok();
      },
      as_of ? &*as_of : nullptr, unreadable);
  if (s.ok()) s = make();
  if (!s.ok()) return ctx.Fail(s);
  const std::string when = as_of ? " as of snapshot " + std::to_string(as_of->seq) : "";
  if (failed > 0) {
    ctx.err() << "gptvault: restored " << count << " of " << count + failed << " conversations to "
              << dir << when << "; " << failed << (failed == 1 ? " was" : " were")
              << " not readable (gptvault check --read-data names the damage)\n";
    return kExitFailure;
  }
  ctx.err() << "restored " << count << " conversations to " << dir << when << "\n";
  return kExitOk;
}

// Writes the files a version of a conversation points at into `dir`, under their
// original names made safe and unique, never outside `dir`, and records
// each as asset id -> file name in `written`.
int RestoreAssets(Context& ctx, vault::Vault& vault, const vault::ConversationVersion& version,
                  const std::string& dir, std::map<std::string, std::string>* written) {
  auto assets = vault.AssetsOf(version);
  if (!assets.ok()) return ctx.Fail(assets.status());
  if (Status made = MakeDirectories(dir, 0700); !made.ok()) return ctx.Fail(made);
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) {
    return ctx.Fail(Status::IOError("cannot open " + dir + ": " + std::strerror(errno)));
  }
  Status s;
  for (const vault::AssetRecord& asset : assets->present) {
    std::string chosen;
    auto fd = CreateUniqueFile(dir_fd, ::gptvault::SafeFileName(asset.name, asset.id), &chosen);
    if (!fd.ok()) {
      s = fd.status();
      break;
    }
    s = vault.ReadAsset(asset, [&](ByteView piece) -> Status {
      size_t done = 0;
      while (done < piece.size()) {
        ssize_t n = ::write(*fd, piece.data() + done, piece.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Status::IOError("cannot write " + chosen + ": " + std::strerror(errno));
        done += static_cast<size_t>(n);
      }
      return Status::Ok();
    });
    if (s.ok() && ::fsync(*fd) != 0) s = Status::IOError("cannot write " + chosen);
    ::close(*fd);
    if (!s.ok()) {
      ::unlinkat(dir_fd, chosen.c_str(), 0);  // never leave a partial file behind
      break;
    }
    (*written)[asset.id] = chosen;
  }
  ::close(dir_fd);
  if (!s.ok()) return ctx.Fail(s.WithContext("attachments"));
  ctx.err() << "wrote " << written->size() << " attachments to " << dir;
  if (!assets->missing.empty()) {
    ctx.err() << "; " << assets->missing.size()
              << " the conversation points at were in no export added:";
    for (const std::string& m : assets->missing) ctx.err() << " " << m;
  }
  ctx.err() << "\n";
  return kExitOk;
}

// `target` as a link from the document written to `output`: relative to
// its folder, or as given when the document goes to stdout.
std::string LinkFrom(const std::string& output, const std::string& target) {
  namespace fs = std::filesystem;
  if (output.empty() || output == "-") return target;
  std::error_code ec;
  const fs::path base = fs::absolute(output, ec).parent_path().lexically_normal();
  const fs::path full = fs::absolute(target, ec).lexically_normal();
  if (ec) return target;
  const fs::path relative = full.lexically_relative(base);
  return relative.empty() ? full.generic_string() : relative.generic_string();
}

// Attachments are written first, so that the rendered forms can link them.
int RestoreOne(Context& ctx, vault::Vault& vault, const RestoreOptions& opt) {
  auto id = vault.ResolveId(opt.id);
  if (!id.ok()) return ctx.Fail(id.status());
  auto conv = [&]() -> Result<vault::RestoredConversation> {
    if (!opt.snapshot.empty()) {
      GV_ASSIGN_OR_RETURN(vault::Snapshot snap, vault.ResolveSnapshot(opt.snapshot));
      return vault.RestoreAt(*id, snap);
    }
    if (opt.by_version) return vault.RestoreVersion(*id, opt.version);
    if (opt.at) return vault.RestoreAsOf(*id, *opt.at);
    return vault.Restore(*id);
  }();
  if (!conv.ok()) return ctx.Fail(conv.status());
  std::map<std::string, std::string> links;
  if (!opt.assets.empty()) {
    std::map<std::string, std::string> written;
    if (int rc = RestoreAssets(ctx, vault, conv->version, opt.assets, &written); rc != kExitOk)
      return rc;
    for (const auto& [asset, name] : written) {
      links[asset] = LinkFrom(opt.output, (std::filesystem::path(opt.assets) / name).string());
    }
  }
  auto text = Formatted(*conv, opt.format, links);
  if (!text.ok()) return ctx.Fail(text.status());
  if (opt.output.empty() || opt.output == "-") {
    ctx.out().write(text->data(), static_cast<std::streamsize>(text->size()));
    ctx.out().flush();
    if (!ctx.out()) return ctx.Fail(Status::IOError("cannot write to stdout"));
  } else if (Status s = WriteFileAtomically(opt.output, AsBytes(*text), 0600); !s.ok()) {
    return ctx.Fail(s);
  }
  return kExitOk;
}

}  // namespace

Command RestoreCommand() {
  return {
      "restore", "restore a conversation: its current version, or an earlier one",
      [](CLI::App& app) {
        auto opt = std::make_shared<RestoreOptions>();
        auto* id =
            app.add_option("id", opt->id, "conversation id, or a unique prefix of 6+ characters");
        auto* all =
            app.add_flag("--all", opt->all, "restore every conversation ever added into -o DIR");
        id->excludes(all);
        app.add_option("--format", opt->format,
                       "json: the conversation object exactly as in the export (default); "
                       "md or html: the current branch, for reading")
            ->check(CLI::IsMember({"json", "md", "html"}));
        app.add_option("-o,--output", opt->output,
                       "write to FILE (with --all: into folder DIR) instead of stdout");
        app.add_option("--assets", opt->assets,
                       "also write the conversation's attachments into folder DIR")
            ->excludes(all);
        auto* snapshot = app.add_option(
            "--snapshot", opt->snapshot,
            "the version current in snapshot S, as the vault was right after adding it: a "
            "number from `gptvault log`, an id prefix of 8+ characters, or latest (with "
            "--all: every conversation as of S)");
        snapshot->type_name("S");
        auto* version = app.add_option_function<size_t>(
                               "--version",
                               [opt](const size_t& k) {
                                 opt->version = k;
                                 opt->by_version = true;
                               },
                               "version K in `gptvault history` (1 is the oldest)")
                            ->type_name("K");
        auto* at =
            app.add_option_function<std::string>(
                   "--at", [opt](const std::string& text) { opt->at = ParseUtcInstant(text); },
                   "the version current at DATE: the newest updated at or before it "
                   "(YYYY-MM-DD takes in that whole day; or YYYY-MM-DDTHH:MM[:SS]Z, UTC "
                   "unless an offset is given)")
                ->type_name("DATE")
                ->check(CLI::Validator(
                    [](std::string& text) -> std::string {
                      return ParseUtcInstant(text)
                                 ? ""
                                 : "not a date: " + text + " (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)";
                    },
                    ""));
        snapshot->excludes(version)->excludes(at);
        version->excludes(snapshot)->excludes(at)->excludes(all);
        at->excludes(snapshot)->excludes(version)->excludes(all);
        app.footer(
            "Without --snapshot, --version or --at: the current version, the newest by "
            "update_time whatever order the exports were added in. --at goes by the "
            "conversations' own dates, not by when an export was added, so a pile of old "
            "exports added today still shows each month as it was.\n\nExamples:\n"
            "  gptvault restore 684e65c7 --format md -o chat.md --assets ./files\n"
            "  gptvault restore 684e65c7 --version 1\n"
            "  gptvault restore 684e65c7 --at 2026-03-01 --format html -o march.html\n"
            "  gptvault restore --all --snapshot 2 -o ./as-of-2");
        return [opt](Context& ctx) -> int {
          if (!opt->all && opt->id.empty()) {
            ctx.err() << "gptvault: restore needs a conversation id (or --all)\n";
            return kExitUsage;
          }
          auto vault = ctx.OpenVault();
          if (!vault.ok()) return ctx.Fail(vault.status());
          if (opt->all) return RestoreAll(ctx, **vault, *opt);
          return RestoreOne(ctx, **vault, *opt);
        };
      }};
}

}  // namespace gptvault::cli
