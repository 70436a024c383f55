// The passphrase from a command, as restic's --password-command: the
// command runs as `/bin/sh -c COMMAND`, so it is written as on a shell
// line and gptvault does no quoting of its own; the exit status is what
// says whether it worked, so it is waited for (no popen).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "passphrase.h"

extern char** environ;

namespace gptvault::cli {

namespace {

// Reads what the command prints after its first line and throws it away,
// so the command neither blocks on a full pipe nor dies of SIGPIPE before
// its exit status says how it went. The bytes are wiped: they may be as
// secret as the first line.
void Drain(int fd) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
  }
  crypto::Wipe(buf, sizeof buf);
}

// Waits for `pid` to end; false (with errno) only if waitpid itself fails.
bool Reap(pid_t pid, int* wait_status) {
  while (::waitpid(pid, wait_status, 0) < 0) {
    if (errno != EINTR) return false;
  }
  return true;
}

// Why a command that did not end with status 0 failed, in words.
std::string Failure(const std::string& what, int wait_status) {
  if (WIFEXITED(wait_status)) {
    int code = WEXITSTATUS(wait_status);
    // The shell's own codes for a command it could not run.
    const char* hint = code == 127   ? " (command not found)"
                       : code == 126 ? " (command not executable)"
                                     : "";
    return what + " exited with status " + std::to_string(code) + hint;
  }
  if (WIFSIGNALED(wait_status)) {
    int sig = WTERMSIG(wait_status);
    return what + " was killed by signal " + std::to_string(sig) + " (" + ::strsignal(sig) + ")";
  }
  return what + " ended abnormally";
}

}  // namespace

Result<crypto::SecretBytes> PassphraseFromCommand(const std::string& command,
                                                  const std::string& what) {
  // Both ends close on exec: the child's only copy of the write end is the
  // stdout dup2 gives it, so end of file arrives when the command (and
  // anything it started that kept stdout) is done.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return Status::IOError("cannot run " + what + ": " + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  char sh[] = "sh";
  char dash_c[] = "-c";
  char* argv[] = {sh, dash_c, const_cast<char*>(command.c_str()), nullptr};
  pid_t pid = 0;
  // posix_spawn, not fork: glibc spawns without copying this process's
  // memory, so no copy of a key ever exists in the child.
  int err = ::posix_spawn(&pid, "/bin/sh", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (err != 0) {
    ::close(fds[0]);
    return Status::IOError("cannot run " + what + ": " + std::strerror(err));
  }
  auto line = ReadSecretLine(fds[0], what);
  // A first line that could not be read (too long) is the error whatever
  // the command does next: closing the pipe ends a command still writing.
  if (line.ok()) Drain(fds[0]);
  ::close(fds[0]);
  int wait_status = 0;
  if (!Reap(pid, &wait_status)) {
    return Status::IOError("cannot wait for " + what + ": " + std::strerror(errno));
  }
  if (!line.ok()) return line;
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
    return Status::InvalidArgument(Failure(what, wait_status));
  }
  if (line->empty()) return Status::InvalidArgument(what + " printed nothing");
  return line;
}

}  // namespace gptvault::cli
