#include "gptvault/cli/app.h"

#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "context.h"
#include "gptvault/crypto/crypto.h"

namespace gptvault::cli {

namespace {

constexpr char kVersion[] = "gptvault 0.1.0";

// The global options that take a value, so the command word after them
// can be found before parsing (for "did you mean").
bool TakesValue(std::string_view arg) {
  return arg == "--vault" || arg == "--passphrase-file" || arg == "--passphrase-command" ||
         arg == "--lock-wait";
}

// The first word that is not a global option: what the user meant as the
// command; empty when there is none.
std::string CommandWord(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") return i + 1 < argc ? argv[i + 1] : "";
    if (arg.starts_with("-")) {
      if (TakesValue(arg)) ++i;
      continue;
    }
    return std::string(arg);
  }
  return "";
}

// Edit distance counting a swap of two neighbours as one edit (lsit ->
// list), for suggesting a command for a typo.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1] ? 1 : 0)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// "unknown command 'lsit' (did you mean 'list'?)", as git says it.
std::string UnknownCommand(const std::string& word, const std::vector<std::string>& names) {
  std::string best;
  size_t best_distance = 3;  // suggest only near misses
  for (const std::string& name : names) {
    size_t d = EditDistance(word, name);
    if (d < best_distance) best_distance = d, best = name;
  }
  std::string msg = "unknown command '" + word + "'";
  if (!best.empty()) return msg + " (did you mean '" + best + "'?)";
  return msg + " (gptvault help lists the commands)";
}

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

  CLI::App app{"gptvault: an encrypted, deduplicated, versioned vault for ChatGPT exports",
               "gptvault"};
  app.require_subcommand(1);
  app.set_version_flag("--version", kVersion);
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
      ->type_name("SECONDS")
      ->check(CLI::Range(0.0, 86400.0).description(""));

  app.footer(
      "The passphrase comes from the first of: --passphrase-file or --passphrase-command, "
      "$GPTVAULT_PASSPHRASE_COMMAND, $GPTVAULT_PASSPHRASE_FILE, $GPTVAULT_PASSPHRASE, else a "
      "prompt on the terminal.");

  std::function<int(Context&)> to_run;
  std::vector<std::string> names;
  for (const Command& command :
       {InitCommand(), AddCommand(), ListCommand(), LogCommand(), HistoryCommand(), StatsCommand(),
        RestoreCommand(), CheckCommand(), VerifyCommand(), KeyCommand(), PasswdCommand(),
        RepairCommand(), ForgetCommand(), PruneCommand(), PurgeCommand(), UnlockCommand(),
        LockCommand(), DiffCommand()}) {
    CLI::App* sub = app.add_subcommand(command.name, command.help);
    auto run = command.setup(*sub);
    sub->callback([&to_run, run] { to_run = run; });
    names.push_back(command.name);
  }
  // git's and restic's: `help [CMD]` and `version` as commands.
  std::string help_topic;
  CLI::App* help = app.add_subcommand("help", "show the commands, or one command's options");
  help->add_option("command", help_topic, "the command to explain");
  CLI::App* version = app.add_subcommand("version", "print the version");
  names.push_back("help");
  names.push_back("version");

  const std::string word = CommandWord(argc, argv);
  if (!word.empty() && std::find(names.begin(), names.end(), word) == names.end()) {
    std::cerr << "gptvault: " << UnknownCommand(word, names) << "\n";
    return kExitUsage;
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
    const std::string where = word.empty() || word == "help" ? "" : " " + word;
    std::cerr << "gptvault: " << e.what() << " (see gptvault" << where << " --help)\n";
    return kExitUsage;
  }
  if (version->parsed()) {
    std::cout << kVersion << "\n";
    return kExitOk;
  }
  if (help->parsed()) {
    // The formatter directly: app.help() would explain `help` itself.
    if (help_topic.empty()) {
      std::cout << app.get_formatter()->make_help(&app, "gptvault", CLI::AppFormatMode::Normal);
      return kExitOk;
    }
    if (std::find(names.begin(), names.end(), help_topic) == names.end()) {
      std::cerr << "gptvault: " << UnknownCommand(help_topic, names) << "\n";
      return kExitUsage;
    }
    CLI::App* topic = app.get_subcommand(help_topic);
    std::cout << topic->get_formatter()->make_help(topic, "gptvault " + help_topic,
                                                   CLI::AppFormatMode::Normal);
    return kExitOk;
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
