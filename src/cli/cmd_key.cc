// gptvault key list|add|remove: the vault's passphrases, one key file each.
// Every one wraps the same master key, so none of this re-encrypts data.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <ostream>

#include "context.h"
#include "gptvault/storage/key_ring.h"
#include "gptvault/vault/json_report.h"
#include "text.h"

namespace gptvault::cli {

namespace {

struct KeyOptions {
  bool json = false;
  std::string new_passphrase_file;
  std::string remove_id;
};

std::string Limits(const crypto::KdfParams& kdf) {
  return std::to_string(kdf.opslimit) + " passes, " + std::to_string(kdf.memlimit >> 20) + " MiB";
}

int List(Context& ctx, storage::Backend& backend, const KeyOptions& opt) {
  auto passphrase = ctx.Passphrase(false);
  if (!passphrase.ok()) return ctx.Fail(passphrase.status());
  storage::KeyRing ring(backend);
  auto unlocked = ring.Unlock(*passphrase);
  if (!unlocked.ok()) return ctx.Fail(unlocked.status());
  auto keys = ring.List();
  if (!keys.ok()) return ctx.Fail(keys.status());
  if (opt.json) {
    ctx.out() << vault::KeysJson(*keys, unlocked->id) << "\n";
    return kExitOk;
  }
  char line[160];
  std::snprintf(line, sizeof line, "%-32s  %-16s  %s\n", "KEY ID", "CREATED (UTC)", "ARGON2ID");
  ctx.out() << line;
  for (const storage::KeyEntry& k : *keys) {
    if (!k.problem.empty()) {
      ctx.out() << k.id << "  damaged: " << OneLine(k.problem, 80) << "\n";
      continue;
    }
    std::snprintf(line, sizeof line, "%-32s  %-16s  %s", k.id.c_str(),
                  FormatTime(static_cast<double>(k.info.created)).c_str(),
                  Limits(k.info.kdf).c_str());
    ctx.out() << line << (k.id == unlocked->id ? "  (unlocked now)" : "") << "\n";
  }
  ctx.out() << keys->size() << (keys->size() == 1 ? " key file" : " key files") << "\n";
  return kExitOk;
}

int Add(Context& ctx, storage::Backend& backend, const KeyOptions& opt) {
  auto passphrase = ctx.Passphrase(false);
  if (!passphrase.ok()) return ctx.Fail(passphrase.status());
  storage::KeyRing ring(backend);
  auto unlocked = ring.Unlock(*passphrase);
  if (!unlocked.ok()) return ctx.Fail(unlocked.status());
  auto fresh = ctx.NewPassphrase(opt.new_passphrase_file);
  if (!fresh.ok()) return ctx.Fail(fresh.status());
  auto lock = ctx.LockForKeyChange(backend, unlocked->master);
  if (!lock.ok()) return ctx.Fail(lock.status());
  auto id = ring.Add(unlocked->master, *fresh, crypto::DefaultKdfParams());
  if (!id.ok()) return ctx.Fail(id.status());
  ctx.out() << "added key " << *id << ": the vault now also opens with the new passphrase\n";
  return kExitOk;
}

int Remove(Context& ctx, storage::Backend& backend, const KeyOptions& opt) {
  auto passphrase = ctx.Passphrase(false);
  if (!passphrase.ok()) return ctx.Fail(passphrase.status());
  storage::KeyRing ring(backend);
  auto unlocked = ring.Unlock(*passphrase);
  if (!unlocked.ok()) return ctx.Fail(unlocked.status());
  // Under the lock, so a second remove cannot count this key as the one
  // that remains while this one counts that one.
  auto lock = ctx.LockForKeyChange(backend, unlocked->master);
  if (!lock.ok()) return ctx.Fail(lock.status());
  auto id = ring.Resolve(opt.remove_id);
  if (!id.ok()) return ctx.Fail(id.status());
  if (Status s = ring.Remove(*id); !s.ok()) return ctx.Fail(s);
  ctx.out() << "removed key " << *id;
  if (*id == unlocked->id) ctx.out() << ": the passphrase just given no longer opens the vault";
  ctx.out() << "\n";
  return kExitOk;
}

}  // namespace

Command KeyCommand() {
  return {
      "key", "list, add or remove the vault's passphrases (key files)", [](CLI::App& app) {
        auto opt = std::make_shared<KeyOptions>();
        app.require_subcommand(1);
        CLI::App* list = app.add_subcommand(
            "list", "key files: id, created, Argon2id limits, which one the passphrase opens");
        list->add_flag("--json", opt->json, "print JSON instead of a table");
        CLI::App* add = app.add_subcommand("add",
                                           "add a passphrase (from GPTVAULT_NEW_PASSPHRASE, "
                                           "--new-passphrase-file, or asked twice)");
        add->add_option("--new-passphrase-file", opt->new_passphrase_file,
                        "read the new passphrase from this file");
        CLI::App* remove = app.add_subcommand(
            "remove", "remove a key file by id or unique prefix (never the last one)");
        remove->add_option("keyid", opt->remove_id, "key id (see gptvault key list)")->required();
        return [opt, list, add](Context& ctx) -> int {
          auto backend = ctx.OpenBackend();
          if (!backend.ok()) return ctx.Fail(backend.status());
          if (list->parsed()) return List(ctx, **backend, *opt);
          if (add->parsed()) return Add(ctx, **backend, *opt);
          return Remove(ctx, **backend, *opt);
        };
      }};
}

}  // namespace gptvault::cli
