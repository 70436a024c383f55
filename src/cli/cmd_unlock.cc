// gptvault unlock: asks the passphrase once and keeps the vault unlocked
// for a while (session.h), so the commands that follow skip the passphrase
// and the Argon2id unlock. `gptvault lock` ends it sooner.
#include <CLI/CLI.hpp>
#include <chrono>
#include <ctime>
#include <ostream>

#include "context.h"
#include "gptvault/storage/config_file.h"
#include "gptvault/storage/repository.h"
#include "session.h"

namespace gptvault::cli {

namespace {

constexpr long kMaxSeconds = 24 * 3600;

// "90s", "15m", "2h" or plain seconds; 0 when malformed or out of range.
long ParseDuration(const std::string& text) {
  size_t used = 0;
  long n = 0;
  try {
    n = std::stol(text, &used);
  } catch (const std::exception&) {
    return 0;
  }
  std::string unit = text.substr(used);
  long scale = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : 0;
  if (n <= 0 || scale == 0 || n > kMaxSeconds / scale) return 0;
  return n * scale;
}

std::string LocalTime(time_t t) {
  char buf[32];
  std::tm tm{};
  ::localtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

}  // namespace

Command UnlockCommand() {
  return {"unlock", "keep the vault unlocked for a while, so commands need no passphrase",
          [](CLI::App& app) {
            auto duration = std::make_shared<std::string>("15m");
            app.add_option("--for", *duration, "how long: 90s, 15m, 2h (default 15m, at most 24h)")
                ->check(CLI::Validator(
                    [](std::string& text) {
                      return ParseDuration(text) > 0 ? std::string()
                                                     : "expected 90s, 15m or 2h, at most 24h";
                    },
                    "DURATION"));
            return [duration](Context& ctx) -> int {
              auto backend = ctx.OpenBackend();
              if (!backend.ok()) return ctx.Fail(backend.status());
              auto config_bytes = ctx.ConfigFile(**backend);
              if (!config_bytes.ok()) return ctx.Fail(config_bytes.status());
              auto config = storage::DecodeConfig(*config_bytes);
              if (!config.ok()) return ctx.Fail(config.status());
              auto master = [&]() -> Result<crypto::SecretBytes> {
                GV_ASSIGN_OR_RETURN(crypto::SecretBytes passphrase, ctx.Passphrase(false));
                GV_ASSIGN_OR_RETURN(
                    storage::UnlockedKey unlocked,
                    storage::Repository::Unlock(**backend, *config_bytes, passphrase));
                return std::move(unlocked.master);
              }();
              if (!master.ok()) return ctx.Fail(master.status());
              long seconds = ParseDuration(*duration);
              Status s = session::Start(config->vault_id, std::move(master).value(),
                                        std::chrono::seconds(seconds));
              if (!s.ok()) return ctx.Fail(s);
              ctx.out() << "unlocked " << ctx.VaultLocation() << " until "
                        << LocalTime(std::time(nullptr) + seconds)
                        << "; `gptvault lock` locks it sooner\n";
              return kExitOk;
            };
          }};
}

}  // namespace gptvault::cli
