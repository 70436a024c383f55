"""Reading a privacy-portal export, whose conversations sit in a ZIP nested
inside the downloaded one, never gives the plaintext a name on disk: not
while `add` or `verify` runs, and not after either is killed at any moment
(SECURITY.md, "A local user")."""

import os
import signal
import subprocess
import time

from harness import BIN, VaultTestCase, export_path, generate


class NestedExportsLeaveNoPlaintextBehind(VaultTestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder, _ = generate(months=1, conversations=600, seed=3, layout="portal")
        cls.export = export_path(cls.folder, 1)

    def setUp(self):
        super().setUp()
        self.tmp = os.path.join(self.dir, "tmp")
        os.mkdir(self.tmp)
        self.env["TMPDIR"] = self.tmp
        self.init_vault()

    def start(self, command):
        args = [BIN, command, self.export]
        return subprocess.Popen(args, env=self.env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def watch(self, command):
        """Runs `command` on the export, listing $TMPDIR as fast as Python can until it ends;
        returns its exit code, every name seen there, and whether it held an anonymous copy."""
        run = self.start(command)
        seen, anonymous = set(), False
        while run.poll() is None:
            seen.update(os.listdir(self.tmp))
            try:
                for fd in os.listdir("/proc/%d/fd" % run.pid):
                    anonymous |= os.readlink("/proc/%d/fd/%s" % (run.pid, fd)).startswith("/memfd:")
            except OSError:
                pass  # it ended between the two listings
        run.stderr.read()
        run.stderr.close()
        return run.returncode, seen, anonymous

    def test_add_and_verify_never_name_a_temporary_copy_of_the_inner_archive(self):
        for command in ("verify", "add"):
            code, seen, anonymous = self.watch(command)
            self.assertEqual(code, 0, command)
            self.assertEqual(seen, set(), "%s named a file in $TMPDIR" % command)
            self.assertTrue(anonymous, "%s never held the inner archive in a memory file" % command)

    def test_an_add_or_verify_killed_at_any_moment_leaves_nothing_in_tmpdir(self):
        start = time.monotonic()
        self.gv_ok("verify", self.export)
        whole = time.monotonic() - start
        kills = 0
        for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
            for command in ("add", "verify"):
                for step in range(1, 6):
                    run = self.start(command)
                    time.sleep(whole * step / 6)
                    if run.poll() is None:
                        run.send_signal(sig)
                        kills += 1
                    run.communicate()
                    self.assertEqual(os.listdir(self.tmp), [],
                                     "%s left a file after %s" % (command, signal.Signals(sig).name))
        self.assertGreaterEqual(kills, 10, "too few signals landed while a command ran")
        # And the vault the killed adds leave is sound, and a rerun completes.
        self.gv_ok("check")
        self.gv_ok("add", self.export)
        self.assertEqual(os.listdir(self.tmp), [])
