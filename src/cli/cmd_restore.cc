// gptvault restore ID: the newest version of one conversation; with --all,
// of every conversation, one file each.
#include <sys/stat.h>

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
};

// Conversation ids come from the archive, so they are file names only when
// they look like ids; anything else is named after its content hash.
std::string SafeFileName(const vault::RestoredConversation& c) {
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
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return ctx.Fail(Status::IOError("cannot create " + dir + ": " + std::strerror(errno)));
  }
  size_t count = 0;
  Status s = vault.RestoreAll([&](const vault::RestoredConversation& c) {
    ++count;
    return WriteFileAtomically(dir + "/" + SafeFileName(c), c.bytes, 0600);
  });
  if (!s.ok()) return ctx.Fail(s);
  ctx.err() << "restored " << count << " conversations to " << dir << "\n";
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
                return kExitOk;
              }
              Status s = WriteFileAtomically(opt->output, conv->bytes, 0600);
              if (!s.ok()) return ctx.Fail(s);
              return kExitOk;
            };
          }};
}

}  // namespace gptvault::cli
