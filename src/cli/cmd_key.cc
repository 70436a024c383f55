// gptvault key list|add|remove: the vault's passphrases, one key file each.
// Every one wraps the same master key, so none of this re-encrypts data.
#include <CLI/CLI.hpp>
#include <algorithm>
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
  std::string other_passphrase_file;
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
  // The last-key rule counts only keys proven to open the vault here: a
  // planted or damaged key file looks usable from outside. Removing the key
  // that opened this command therefore needs a second passphrase, for a key
  // that stays (asked only when there is another key file at all).
  std::vector<std::string> proven{unlocked->id};
  if (*id == unlocked->id) {
    auto keys = ring.List();
    if (!keys.ok()) return ctx.Fail(keys.status());
    bool others = std::any_of(keys->begin(), keys->end(), [&](const storage::KeyEntry& k) {
      return k.id != *id && k.problem.empty();
    });
    if (others) {
      auto other = ctx.OtherPassphrase(opt.other_passphrase_file,
                                       "keys/" + *id + " is the key this passphrase opens");
      if (!other.ok()) return ctx.Fail(other.status());
      auto stays = ring.Prove(*other, unlocked->master, *id);
      if (!stays.ok()) return ctx.Fail(stays.status());
      proven = {*stays};
    }
  }
  if (Status s = ring.Remove(*id, proven); !s.ok()) return ctx.Fail(s);
  ctx.out() << "removed key " << *id;
  if (*id == unlocked->id) ctx.out() << ": the passphrase just given no longer opens the vault";
  ctx.out() << "\n";
  return kExitOk;
}

}  // namespace

Command KeyCommand() {
  return {"key", "list, add or remove the vault's passphrases (key files)", [](CLI::App& app) {
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
                "remove", "remove a key file by id or unique prefix (never the last proven one)");
            remove->add_option("keyid", opt->remove_id, "key id or a unique prefix of 8 or more")
                ->required();
            remove->add_option("--other-passphrase-file", opt->other_passphrase_file,
                               "removing the key the passphrase opens: the passphrase of a key "
                               "that stays, from this file (else $GPTVAULT_OTHER_PASSPHRASE, else "
                               "asked on the terminal)");
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
