"""Where the passphrase comes from, through the real binary, the way restic
takes it: --passphrase-file or --passphrase-command on the command line
(an explicit flag always wins), then $GPTVAULT_PASSPHRASE_COMMAND, then
$GPTVAULT_PASSPHRASE_FILE, then $GPTVAULT_PASSPHRASE, then the terminal.
A source that is there but fails is the error; the next one is not tried.
And a vault that is not there is said before any passphrase is sought."""

import itertools
import os
import shlex

from harness import PASSPHRASE, VaultTestCase, tree_bytes

WRONG = "not the passphrase"

# Every source, highest first; the two flags share the top rank (they
# cannot be given together).
SOURCES = [("--passphrase-file", 0), ("--passphrase-command", 0),
           ("GPTVAULT_PASSPHRASE_COMMAND", 1), ("GPTVAULT_PASSPHRASE_FILE", 2),
           ("GPTVAULT_PASSPHRASE", 3)]

# No source at all but what a test gives.
NO_SOURCES = {"GPTVAULT_PASSPHRASE": None, "GPTVAULT_PASSPHRASE_FILE": None,
              "GPTVAULT_PASSPHRASE_COMMAND": None}


class Passphrases(VaultTestCase):
    def setUp(self):
        super().setUp()
        self.init_vault()
        self.counter = itertools.count()

    def file_holding(self, text):
        path = os.path.join(self.dir, "pass-%d" % next(self.counter))
        with open(path, "w") as f:
            f.write(text + "\n")
        return path

    def command_printing(self, text):
        """A shell command that prints `text` and leaves a marker file named
        in its result, so a test can tell whether it ran."""
        marker = os.path.join(self.dir, "ran-%d" % next(self.counter))
        return "touch %s && printf '%%s\\n' %s" % (shlex.quote(marker), shlex.quote(text)), marker

    def give(self, source, passphrase):
        """(args, env, marker) that hand `passphrase` over through `source`."""
        if source == "--passphrase-file":
            return [source, self.file_holding(passphrase)], {}, None
        if source == "--passphrase-command":
            command, marker = self.command_printing(passphrase)
            return [source, command], {}, marker
        if source == "GPTVAULT_PASSPHRASE_COMMAND":
            command, marker = self.command_printing(passphrase)
            return [], {source: command}, marker
        if source == "GPTVAULT_PASSPHRASE_FILE":
            return [], {source: self.file_holding(passphrase)}, None
        return [], {source: passphrase}, None

    def list_with(self, higher, higher_passphrase, lower, lower_passphrase):
        args_h, env_h, _ = self.give(higher, higher_passphrase)
        args_l, env_l, marker_l = self.give(lower, lower_passphrase)
        r = self.gv(*args_h, *args_l, "list", env=dict(NO_SOURCES, **env_h, **env_l))
        return r, marker_l

    def test_each_source_wins_over_every_source_below_it(self):
        for (higher, rank_h), (lower, rank_l) in itertools.combinations(SOURCES, 2):
            if rank_h == rank_l:
                continue
            with self.subTest(higher=higher, lower=lower):
                r, lower_marker = self.list_with(higher, PASSPHRASE, lower, WRONG)
                self.assertEqual(r.returncode, 0, r.stderr)
                if lower_marker:
                    self.assertFalse(os.path.exists(lower_marker), "the lower command ran")
                r, _ = self.list_with(higher, WRONG, lower, PASSPHRASE)
                self.assertFailsWithOneLine(r, "wrong passphrase", code=12)

    def test_the_two_flags_together_are_a_usage_error(self):
        command, marker = self.command_printing(PASSPHRASE)
        r = self.gv("--passphrase-file", self.file_holding(PASSPHRASE),
                    "--passphrase-command", command, "list")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(b"excludes", r.stderr)
        self.assertFalse(os.path.exists(marker))

    def test_a_vault_can_be_created_and_opened_with_a_passphrase_command(self):
        other = os.path.join(self.dir, "other")
        command, _ = self.command_printing("a passphrase from a command")
        self.gv_ok("--vault", other, "--passphrase-command", command, "init", env=NO_SOURCES)
        self.gv_ok("--vault", other, "key", "list",
                   env=dict(NO_SOURCES, GPTVAULT_PASSPHRASE_COMMAND=command))
        r = self.gv("--vault", other, "list")
        self.assertFailsWithOneLine(r, "wrong passphrase", code=12)

    def test_only_the_first_line_a_command_prints_is_the_passphrase(self):
        # Lines after the first, however many, are read and thrown away, so
        # the command is not cut short and its exit status still counts.
        command = "printf '%%s\\nsecond line\\n' %s; head -c 1000000 /dev/zero" % \
            shlex.quote(PASSPHRASE)
        self.gv_ok("--passphrase-command", command, "list", env=NO_SOURCES)
        self.gv_ok("--passphrase-command", "printf '%s\\r\\n' " + shlex.quote(PASSPHRASE),
                   "list", env=NO_SOURCES)

    def test_a_passphrase_command_reads_the_standard_input_gptvault_was_given(self):
        self.gv_ok("--passphrase-command", "head -n 1", "list", env=NO_SOURCES,
                   input=(PASSPHRASE + "\n").encode())

    def test_a_failing_passphrase_command_is_one_line_and_changes_nothing(self):
        # GPTVAULT_PASSPHRASE (set by the harness) holds the right
        # passphrase: a failing higher source must not fall through to it.
        before = tree_bytes(self.vault)
        cases = [("exit 3", "the passphrase command exited with status 3"),
                 ("printf 'x\\n'; exit 3", "the passphrase command exited with status 3"),
                 ("true", "the passphrase command printed nothing"),
                 ("printf '\\n'", "the passphrase command printed nothing"),
                 ("kill -9 $$", "the passphrase command was killed by signal 9")]
        for command, says in cases:
            with self.subTest(command=command):
                for args in (["--passphrase-command", command, "add", "x.zip"],
                             ["--passphrase-command", command, "list"]):
                    self.assertFailsWithOneLine(self.gv(*args), says)
                r = self.gv("list", env={"GPTVAULT_PASSPHRASE_COMMAND": command})
                self.assertFailsWithOneLine(
                    r, says.replace("command", "command in GPTVAULT_PASSPHRASE_COMMAND", 1))
        self.assertEqual(tree_bytes(self.vault), before)

    def test_a_passphrase_command_that_is_not_found_says_so_in_one_line_of_its_own(self):
        r = self.gv("--passphrase-command", "no-such-passphrase-tool-here", "list")
        err = r.stderr.decode(errors="replace").strip().splitlines()
        self.assertEqual(r.returncode, 1, err)
        self.assertEqual(r.stdout, b"")
        # The shell's own complaint comes first, on the stderr it inherits.
        ours = [line for line in err if line.startswith("gptvault:")]
        self.assertEqual(ours, ["gptvault: the passphrase command exited with status 127 "
                                "(command not found)"])

    def test_a_variable_set_but_empty_is_an_error_not_a_skipped_source(self):
        for name in ("GPTVAULT_PASSPHRASE_COMMAND", "GPTVAULT_PASSPHRASE_FILE"):
            with self.subTest(name=name):
                self.assertFailsWithOneLine(self.gv("list", env={name: ""}), name + " is empty")

    def test_a_missing_vault_is_said_before_any_passphrase_command_runs(self):
        missing = os.path.join(self.dir, "no vault here")
        quoted = shlex.quote(missing)
        command, marker = self.command_printing(PASSPHRASE)
        for args in (["list"], ["log"], ["check"], ["repair"], ["add", "x.zip"],
                     ["restore", "--all", "-o", os.path.join(self.dir, "out")],
                     ["key", "list"], ["key", "add"], ["key", "remove", "0123456789abcdef"],
                     ["passwd"], ["unlock"], ["lock"]):
            with self.subTest(args=args):
                r = self.gv("--vault", missing, "--passphrase-command", command, *args,
                            env={"GPTVAULT_NEW_PASSPHRASE": "another one"})
                self.assertFailsWithOneLine(
                    r, "no vault at %s: create one with gptvault init --vault %s" % (missing, quoted),
                    code=10)
                self.assertFalse(os.path.exists(marker), "the passphrase command ran")
                r = self.gv(*args, env={"GPTVAULT_VAULT": missing,
                                        "GPTVAULT_PASSPHRASE_COMMAND": command})
                self.assertFailsWithOneLine(r, "create one with gptvault init\n", code=10)
                self.assertFalse(os.path.exists(marker), "the passphrase command ran")
        self.assertFalse(os.path.exists(missing))

