// Where a passphrase comes from: a file, a command, or the terminal. Each
// source reads straight into locked memory (crypto::SecretBytes); none
// passes the secret through a std::string. Private to the cli layer; the
// order in which the sources are tried is Context's (context.h).
#pragma once

#include <optional>
#include <string>

#include "gptvault/crypto/secret.h"
#include "gptvault/util/status.h"

namespace gptvault::cli {

// Reads one line from `fd` into locked memory, without its line ending
// ("\n" or "\r\n"); stops at the first newline or at end of file. `what`
// names the source in the error when reading fails.
Result<crypto::SecretBytes> ReadSecretLine(int fd, const std::string& what);

// The value of environment variable `name`, verbatim, in locked memory;
// nullopt when it is not set, an error naming it when it is set but empty.
Result<std::optional<crypto::SecretBytes>> PassphraseFromEnv(const char* name);

// The first line of the file at `path`; an empty one is an error.
Result<crypto::SecretBytes> PassphraseFromFile(const std::string& path);

// The first line `command` prints on stdout, run as `/bin/sh -c command`
// with stdin and stderr inherited (so it may ask on the terminal); what it
// prints after that line is read and discarded. Fails in one line, opened
// by `what` ("the passphrase command"), when the command cannot be
// started, exits non-zero, is killed by a signal, or prints nothing. The
// error never repeats the command: it may hold what should not be logged.
Result<crypto::SecretBytes> PassphraseFromCommand(const std::string& command,
                                                  const std::string& what);

// Asks `question` on the controlling terminal with echo off, and `repeat`
// too unless it is null (the two answers must match). `no_terminal` is the
// error when there is no terminal to ask on.
Result<crypto::SecretBytes> AskOnTerminal(const char* question, const char* repeat,
                                          const char* no_terminal);

}  // namespace gptvault::cli
