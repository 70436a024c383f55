#include "gptvault/cli/app.h"

#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "context.h"
#include "gptvault/crypto/crypto.h"

namespace gptvault::cli {

namespace {

int Run(int argc, char** argv) {
  // Key material must never reach a core file.
  struct rlimit no_core {
    0, 0
  };
  setrlimit(RLIMIT_CORE, &no_core);
  if (Status s = crypto::Init(); !s.ok()) {
    std::cerr << "gptvault: " << s.message() << "\n";
    return kExitFailure;
  }

  CLI::App app{"gptvault: an encrypted, deduplicated, versioned vault for ChatGPT exports"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "gptvault 0.1.0");
  GlobalOptions options;
  app.add_option("--vault", options.vault,
                 "vault location: a folder or s3://bucket/prefix "
                 "(default: $GPTVAULT_VAULT, else $XDG_DATA_HOME/gptvault)");
  // The explicit passphrase sources: either wins over every variable
  // (Context::Passphrase); both at once is a usage error.
  auto not_empty = CLI::Validator(
      [](std::string& value) { return value.empty() ? std::string("must not be empty") : ""; }, "");
  CLI::Option* file_option =
      app.add_option(
             "--passphrase-file", options.passphrase_file,
             "read the passphrase from the first line of this file (wins over the environment)")
          ->type_name("FILE")
          ->check(not_empty);
  CLI::Option* command_option =
      app.add_option("--passphrase-command", options.passphrase_command,
                     "run CMD with /bin/sh -c and take the first line it prints as the passphrase "
                     "(wins over the environment)")
          ->type_name("CMD")
          ->check(not_empty);
  file_option->excludes(command_option);
  command_option->excludes(file_option);
  app.add_flag("--accept-rollback", options.accept_rollback,
               "accept a vault older than this machine has seen it, and remember it as it is");
  app.add_option("--lock-wait", options.lock_wait,
                 "seconds a writer waits for another writer to finish (default 60)")
      ->check(CLI::Range(0.0, 86400.0));

  app.footer(
      "The passphrase comes from the first of: --passphrase-file or --passphrase-command, "
      "$GPTVAULT_PASSPHRASE_COMMAND, $GPTVAULT_PASSPHRASE_FILE, $GPTVAULT_PASSPHRASE, else a "
      "prompt on the terminal.");

  std::function<int(Context&)> to_run;
  for (const Command& command :
       {InitCommand(), AddCommand(), ListCommand(), LogCommand(), RestoreCommand(), CheckCommand(),
        VerifyCommand(), KeyCommand(), PasswdCommand(), RepairCommand(), UnlockCommand(),
        LockCommand()}) {
    CLI::App* sub = app.add_subcommand(command.name, command.help);
    auto run = command.setup(*sub);
    sub->callback([&to_run, run] { to_run = run; });
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "gptvault: " << e.what() << " (see gptvault --help)\n";
    return kExitUsage;
  }
  Context context(options, std::cout, std::cerr);
  int code = to_run(context);
  std::cout.flush();
  return code;
}

}  // namespace

int RunApp(int argc, char** argv) {
  // Errors are values everywhere below; this is the last line of defence so
  // that nothing ever ends as an uncaught exception.
  try {
    return Run(argc, argv);
  } catch (const std::bad_alloc&) {
    std::cerr << "gptvault: out of memory\n";
  } catch (const std::exception& e) {
    std::cerr << "gptvault: internal error: " << e.what() << "\n";
  }
  return kExitFailure;
}

}  // namespace gptvault::cli
