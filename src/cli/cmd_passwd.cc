// gptvault passwd: change the passphrase. A key file for the new passphrase
// is written (durably) first, then the key file the old one opened is
// removed, so an interruption at any point leaves a vault that opens with
// the old passphrase, the new one, or both. No data is re-encrypted.
#include <CLI/CLI.hpp>
#include <ostream>

#include "context.h"
#include "gptvault/storage/key_ring.h"

namespace gptvault::cli {

Command PasswdCommand() {
  return {"passwd", "change the passphrase (the other passphrases stay)", [](CLI::App& app) {
            auto file = std::make_shared<std::string>();
            app.add_option("--new-passphrase-file", *file,
                           "read the new passphrase from this file (default: "
                           "$GPTVAULT_NEW_PASSPHRASE, else ask twice on the terminal)");
            return [file](Context& ctx) -> int {
              auto backend = ctx.OpenBackend();
              if (!backend.ok()) return ctx.Fail(backend.status());
              auto passphrase = ctx.Passphrase(false);
              if (!passphrase.ok()) return ctx.Fail(passphrase.status());
              storage::KeyRing ring(**backend);
              auto unlocked = ring.Unlock(*passphrase);
              if (!unlocked.ok()) return ctx.Fail(unlocked.status());
              auto fresh = ctx.NewPassphrase(*file);
              if (!fresh.ok()) return ctx.Fail(fresh.status());
              auto lock = ctx.LockForKeyChange(**backend, unlocked->master);
              if (!lock.ok()) return ctx.Fail(lock.status());
              auto id = ring.Add(unlocked->master, *fresh, crypto::DefaultKdfParams());
              if (!id.ok()) return ctx.Fail(id.status());
              if (Status s = ring.Remove(unlocked->id, {*id}); !s.ok()) {
                return ctx.Fail(s.WithContext("the new passphrase works, but the old key file " +
                                              unlocked->id + " could not be removed"));
              }
              ctx.out() << "passphrase changed: key " << *id << " replaces key " << unlocked->id
                        << "\n";
              return kExitOk;
            };
          }};
}

}  // namespace gptvault::cli
