"""Unlocked sessions, through the real binary: `gptvault unlock` asks the
passphrase once, and until `gptvault lock` or its deadline the vault's
commands need none; the key stays with a private background process that
only this user's gptvault can reach."""

import os
import stat
import time

from harness import BIN, PASSPHRASE, VaultTestCase, export_path, generate

NO_PASSPHRASE = {"GPTVAULT_PASSPHRASE": None}
SANITIZED = bool(os.environ.get("GPTVAULT_SANITIZED"))


class Sessions(VaultTestCase):
    def setUp(self):
        super().setUp()
        self.folder, self.truth = generate(months=2, conversations=20, seed=41)
        self.init_vault()
        self.gv_ok("add", export_path(self.folder, 1))
        self.session_dir = os.path.join(self.env["XDG_RUNTIME_DIR"], "gptvault")

    def tearDown(self):
        self.gv("lock")
        super().tearDown()

    def sockets(self):
        if not os.path.isdir(self.session_dir):
            return []
        return [n for n in os.listdir(self.session_dir) if n.endswith(".sock")]

    def session_pids(self):
        """The session processes started for this test (found by their socket directory)."""
        pids = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    argv = f.read().split(b"\0")
                with open("/proc/%s/environ" % pid, "rb") as f:
                    environ = f.read()
            except OSError:
                continue
            if argv[:2] == [BIN.encode(), b"unlock"] and \
                    ("XDG_RUNTIME_DIR=" + self.env["XDG_RUNTIME_DIR"]).encode() in environ:
                pids.append(pid)
        return pids

    def assertAsksForThePassphrase(self, *args):
        r = self.gv(*args, env=NO_PASSPHRASE)
        self.assertFailsWithOneLine(r, "no passphrase")

    def test_an_unlocked_vault_needs_no_passphrase_until_it_is_locked(self):
        r = self.gv_ok("unlock", "--for", "10m")
        self.assertIn(b"unlocked " + self.vault.encode(), r.stdout)
        self.assertEqual(len(self.sockets()), 1)

        listed = self.gv_ok("list", "--json", env=NO_PASSPHRASE).stdout
        self.assertIn(self.truth["exports"][0]["conversation_ids"][0].encode(), listed)
        self.gv_ok("add", export_path(self.folder, 2), env=NO_PASSPHRASE)
        some_id = self.truth["exports"][1]["conversation_ids"][-1]
        restored = self.gv_ok("restore", some_id, "-o", "-", env=NO_PASSPHRASE).stdout
        self.assertIn(some_id.encode(), restored)
        self.gv_ok("check", "--read-data", env=NO_PASSPHRASE)

        self.assertIn(b"locked " + self.vault.encode(), self.gv_ok("lock").stdout)
        self.assertEqual(self.sockets(), [])
        self.assertAsksForThePassphrase("list")
        self.assertIn(b"was not unlocked", self.gv_ok("lock").stdout)

    def test_a_wrong_passphrase_starts_no_session(self):
        r = self.gv("unlock", env={"GPTVAULT_PASSPHRASE": "not the passphrase"})
        self.assertFailsWithOneLine(r, "wrong passphrase", code=12)
        self.assertEqual(self.sockets(), [])
        self.assertAsksForThePassphrase("list")

    def test_a_session_ends_by_itself_at_its_deadline(self):
        self.gv_ok("unlock", "--for", "2s")
        self.gv_ok("list", env=NO_PASSPHRASE)
        deadline = time.time() + 30
        while self.sockets() and time.time() < deadline:
            time.sleep(0.2)
        self.assertEqual(self.sockets(), [])
        self.assertEqual(self.session_pids(), [])
        self.assertAsksForThePassphrase("list")

    def test_a_second_unlock_replaces_the_first_session(self):
        self.gv_ok("unlock", "--for", "10m")
        self.gv_ok("unlock", "--for", "10m")
        self.assertEqual(len(self.session_pids()), 1)
        self.gv_ok("lock")
        self.assertEqual(self.session_pids(), [])
        self.assertAsksForThePassphrase("list")

    def test_a_session_is_not_used_or_started_in_a_directory_others_can_enter(self):
        self.gv_ok("unlock", "--for", "10m")
        os.chmod(self.session_dir, 0o755)
        self.assertAsksForThePassphrase("list")
        r = self.gv("unlock")
        self.assertFailsWithOneLine(r, "not a private directory")
        os.chmod(self.session_dir, 0o700)
        self.gv_ok("list", env=NO_PASSPHRASE)

    def test_changing_passphrases_still_takes_a_passphrase(self):
        self.gv_ok("unlock", "--for", "10m")
        for args in (["key", "add"], ["key", "list"], ["passwd"]):
            r = self.gv(*args, env=dict(NO_PASSPHRASE, GPTVAULT_NEW_PASSPHRASE="another one"))
            self.assertFailsWithOneLine(r, "no passphrase")

    def test_the_session_holds_the_key_in_locked_memory_and_drops_the_passphrase(self):
        self.gv_ok("unlock", "--for", "10m")
        pids = self.session_pids()
        self.assertEqual(len(pids), 1)
        with open("/proc/%s/environ" % pids[0], "rb") as f:
            self.assertNotIn(PASSPHRASE.encode(), f.read())
        with open("/proc/%s/status" % pids[0]) as f:
            status = dict(line.split(":", 1) for line in f if ":" in line)
        if not SANITIZED:  # AddressSanitizer turns mlock into a no-op
            self.assertGreater(int(status["VmLck"].split()[0]), 0)
        self.assertEqual(stat.S_IMODE(os.stat(self.session_dir).st_mode), 0o700)

    def test_a_session_killed_outright_leaves_nothing_that_blocks_the_next(self):
        self.gv_ok("unlock", "--for", "10m")
        for pid in self.session_pids():
            os.kill(int(pid), 9)
        deadline = time.time() + 10
        while self.session_pids() and time.time() < deadline:
            time.sleep(0.1)
        self.assertAsksForThePassphrase("list")
        self.gv_ok("unlock", "--for", "10m")
        self.gv_ok("list", env=NO_PASSPHRASE)
