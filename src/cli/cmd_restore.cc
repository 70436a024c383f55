// gptvault restore ID: the newest version of one conversation; with --all,
// of every conversation, one file each.
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

namespace gptvault::cli {

namespace {

struct RestoreOptions {
  std::string id;
  bool all = false;
  std::string format = "json";
  std::string output;
  std::string assets;
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

int RestoreAll(Context& ctx, vault::Vault& vault, const std::string& dir,
               const std::string& format) {
  if (dir.empty() || dir == "-") {
    return ctx.Fail(Status::InvalidArgument("restore --all needs -o DIR"));
  }
  if (Status made = MakeDirectories(dir, 0700); !made.ok()) return ctx.Fail(made);
  size_t count = 0;
  Status s = vault.RestoreAll([&](const vault::RestoredConversation& c) {
    ++count;
    GV_ASSIGN_OR_RETURN(std::string text, Formatted(c, format, {}));
    return WriteFileAtomically(dir + "/" + ConversationFileName(c, format), AsBytes(text), 0600);
  });
  if (!s.ok()) return ctx.Fail(s);
  ctx.err() << "restored " << count << " conversations to " << dir << "\n";
  return kExitOk;
}

// Writes the files conversation `id` points at into `dir`, under their
// original names made safe and unique, never outside `dir`, and records
// each as asset id -> file name in `written`.
int RestoreAssets(Context& ctx, vault::Vault& vault, const std::string& id, const std::string& dir,
                  std::map<std::string, std::string>* written) {
  auto assets = vault.AssetsOf(id);
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
  auto conv = vault.Restore(*id);
  if (!conv.ok()) return ctx.Fail(conv.status());
  std::map<std::string, std::string> links;
  if (!opt.assets.empty()) {
    std::map<std::string, std::string> written;
    if (int rc = RestoreAssets(ctx, vault, *id, opt.assets, &written); rc != kExitOk) return rc;
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
  return {"restore", "restore the newest version of a conversation", [](CLI::App& app) {
            auto opt = std::make_shared<RestoreOptions>();
            auto* id = app.add_option("id", opt->id,
                                      "conversation id, or a unique prefix of 6+ characters");
            auto* all = app.add_flag("--all", opt->all,
                                     "restore every conversation ever added into -o DIR");
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
            return [opt](Context& ctx) -> int {
              if (!opt->all && opt->id.empty()) {
                ctx.err() << "gptvault: restore needs a conversation id (or --all)\n";
                return kExitUsage;
              }
              auto vault = ctx.OpenVault();
              if (!vault.ok()) return ctx.Fail(vault.status());
              if (opt->all) return RestoreAll(ctx, **vault, opt->output, opt->format);
              return RestoreOne(ctx, **vault, *opt);
            };
          }};
}

}  // namespace gptvault::cli
