// gptvault restore ID: the newest version of one conversation; with --all,
// of every conversation, one file each.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "context.h"
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

// Conversation ids come from the archive, so they are file names only when
// they look like ids; anything else is named after its content hash.
std::string ConversationFileName(const vault::RestoredConversation& c) {
  bool plain = !c.id.empty() && c.id.size() <= 128 && c.id[0] != '.';
  for (char ch : c.id) {
    plain = plain && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' ||
                      ch == '.');
  }
  if (plain) return c.id + ".json";
  return "conversation-" + ToHex(c.version.hash).substr(0, 16) + ".json";
}

int RestoreAll(Context& ctx, vault::Vault& vault, const std::string& dir) {
  if (dir.empty() || dir == "-") {
    return ctx.Fail(Status::InvalidArgument("restore --all needs -o DIR"));
  }
  if (Status made = MakeDirectories(dir, 0700); !made.ok()) return ctx.Fail(made);
  size_t count = 0;
  Status s = vault.RestoreAll([&](const vault::RestoredConversation& c) {
    ++count;
    return WriteFileAtomically(dir + "/" + ConversationFileName(c), c.bytes, 0600);
  });
  if (!s.ok()) return ctx.Fail(s);
  ctx.err() << "restored " << count << " conversations to " << dir << "\n";
  return kExitOk;
}

// Writes the files conversation `id` points at into `dir`, under their
// original names made safe and unique, never outside `dir`.
int RestoreAssets(Context& ctx, vault::Vault& vault, const std::string& id,
                  const std::string& dir) {
  auto assets = vault.AssetsOf(id);
  if (!assets.ok()) return ctx.Fail(assets.status());
  if (Status made = MakeDirectories(dir, 0700); !made.ok()) return ctx.Fail(made);
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) {
    return ctx.Fail(Status::IOError("cannot open " + dir + ": " + std::strerror(errno)));
  }
  size_t written = 0;
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
    ++written;
  }
  ::close(dir_fd);
  if (!s.ok()) return ctx.Fail(s.WithContext("attachments"));
  ctx.err() << "wrote " << written << " attachments to " << dir;
  if (!assets->missing.empty()) {
    ctx.err() << "; " << assets->missing.size()
              << " the conversation points at were in no export added:";
    for (const std::string& m : assets->missing) ctx.err() << " " << m;
  }
  ctx.err() << "\n";
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
                           "json: the conversation object exactly as in the export")
                ->check(CLI::IsMember({"json"}));
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
              if (opt->all) return RestoreAll(ctx, **vault, opt->output);
              auto id = (*vault)->ResolveId(opt->id);
              if (!id.ok()) return ctx.Fail(id.status());
              auto conv = (*vault)->Restore(*id);
              if (!conv.ok()) return ctx.Fail(conv.status());
              if (opt->output.empty() || opt->output == "-") {
                ctx.out().write(reinterpret_cast<const char*>(conv->bytes.data()),
                                static_cast<std::streamsize>(conv->bytes.size()));
                ctx.out().flush();
                if (!ctx.out()) return ctx.Fail(Status::IOError("cannot write to stdout"));
              } else if (Status s = WriteFileAtomically(opt->output, conv->bytes, 0600); !s.ok()) {
                return ctx.Fail(s);
              }
              if (!opt->assets.empty()) return RestoreAssets(ctx, **vault, *id, opt->assets);
              return kExitOk;
            };
          }};
}

}  // namespace gptvault::cli
