// gptvault init: create a vault and its first passphrase.
#include <CLI/CLI.hpp>
#include <ostream>

#include "context.h"

namespace gptvault::cli {

Command InitCommand() {
  return {"init", "create a vault; asks for the passphrase twice", [](CLI::App&) {
            return [](Context& ctx) -> int {
              std::string location = ctx.VaultLocation();
              auto backend = storage::OpenBackend(location);
              if (!backend.ok()) return ctx.Fail(backend.status());
              auto passphrase = ctx.Passphrase(/*confirm=*/true);
              if (!passphrase.ok()) return ctx.Fail(passphrase.status());
              Status s = vault::Vault::Init(**backend, *passphrase);
              if (!s.ok()) return ctx.Fail(s);
              ctx.out() << "created an empty vault at " << location << "\n"
                        << "keep the passphrase safe: without it nothing in the vault can be "
                           "read, by anyone\n";
              return kExitOk;
            };
          }};
}

}  // namespace gptvault::cli
