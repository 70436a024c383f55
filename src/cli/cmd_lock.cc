// gptvault lock: ends this user's unlocked session for the vault, if any;
// the session wipes the key it held. Commands ask for the passphrase again.
#include <CLI/CLI.hpp>
#include <ostream>

#include "context.h"
#include "session.h"

namespace gptvault::cli {

Command LockCommand() {
  return {"lock", "end the session `gptvault unlock` started", [](CLI::App&) {
            return [](Context& ctx) -> int {
              auto backend = ctx.OpenBackend();
              if (!backend.ok()) return ctx.Fail(backend.status());
              auto config = ctx.ReadConfig(**backend);
              if (!config.ok()) return ctx.Fail(config.status());
              bool ended = session::End(config->vault_id);
              ctx.out() << (ended ? "locked " : "was not unlocked: ") << ctx.VaultLocation()
                        << "\n";
              return kExitOk;
            };
          }};
}

}  // namespace gptvault::cli
