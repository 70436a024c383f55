// The command line: parses arguments, runs one subcommand, maps its outcome
// to an exit code (0 ok, 1 failure, 2 usage) and one line on stderr.
#pragma once

namespace gptvault::cli {

int RunApp(int argc, char** argv);

}  // namespace gptvault::cli
