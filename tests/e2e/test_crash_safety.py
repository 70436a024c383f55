"""Crashes and concurrent writers, through the real binary: an `add` killed
with SIGKILL at random moments never leaves a vault that `check --read-data`
rejects, and running it again completes the job; two `add`s at once take
turns through the vault's writer lock, and one that cannot wait says since
when the vault is locked."""

import json
import os
import random
import signal
import subprocess
import time

from harness import BIN, VaultTestCase, export_path, generate


def big_series():
    # Big enough that the first add writes several 16 MB packs.
    return generate(months=3, conversations=1200, seed=21)


class CrashSafety(VaultTestCase):
    def start_add(self, month, *options):
        return subprocess.Popen([BIN, *options, "add", export_path(self.folder, month)],
                                env=self.env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def test_an_add_killed_at_random_moments_never_leaves_a_vault_check_rejects_and_a_rerun_completes(self):
        self.folder, truth = big_series()
        self.init_vault()
        rng = random.Random(20261124)
        interrupted = 0
        for month in (1, 2, 3):
            # Killed at a random moment of its work, which starts once it holds
            # the lock (after the passphrase). The first add works for longest.
            window = 1.0 if month == 1 else 0.4
            for delay in sorted(rng.uniform(0, window) for _ in range(4 if month == 1 else 2)):
                with self.subTest(month=month, delay=round(delay, 3)):
                    add = self.start_add(month)
                    self.wait_for_lock(add)
                    time.sleep(delay)
                    add.kill()
                    add.communicate()
                    interrupted += add.returncode == -signal.SIGKILL
                    self.assertSound()
            # The killed add's lock must not stand in the way: no waiting at all.
            self.gv_ok("--lock-wait", "0", "add", export_path(self.folder, month))
        self.assertGreaterEqual(interrupted, 4, "too few kills landed during an add")

        self.assertSound()
        log = json.loads(self.gv_ok("log", "--json").stdout)
        self.assertEqual([s["seq"] for s in log], list(range(1, len(log) + 1)))
        out = os.path.join(self.dir, "restored")
        self.gv_ok("restore", "--all", "-o", out)
        self.assertEqual(sorted(os.listdir(out)), sorted(c + ".json" for c in truth["conversations"]))
        for cid in truth["conversations"]:
            with open(os.path.join(out, cid + ".json"), "rb") as got, \
                    open(os.path.join(self.folder, "truth", cid + ".json"), "rb") as want:
                self.assertEqual(got.read(), want.read(), cid)

    def test_two_adds_started_together_take_turns_and_build_one_chain(self):
        self.folder, _ = big_series()
        self.init_vault()
        first, second = self.start_add(1), self.start_add(2)
        for add in (first, second):
            _, err = add.communicate()
            self.assertEqual(add.returncode, 0, err)
        log = json.loads(self.gv_ok("log", "--json").stdout)
        self.assertEqual([s["seq"] for s in log], [1, 2])
        self.assertEqual(sorted(s["source"] for s in log), ["export-01.zip", "export-02.zip"])
        self.assertEqual(log[1]["new"] + log[1]["updated"] + log[1]["unchanged"],
                         log[1]["conversations"])
        self.assertSound()

    def test_ctrl_c_during_an_add_commits_nothing_says_so_and_exits_130(self):
        self.folder, _ = big_series()
        self.init_vault()
        before = self.gv_ok("log", "--json").stdout
        add = self.start_add(1)
        self.wait_for_lock(add)  # the archive is being read
        add.send_signal(signal.SIGINT)
        _, err = add.communicate()
        self.assertEqual(add.returncode, 130, err)
        self.assertIn(b"interrupted: nothing of this archive was committed", err)
        self.assertEqual(self.gv_ok("log", "--json").stdout, before)
        self.assertSound()
        self.gv_ok("add", export_path(self.folder, 1))  # and a rerun completes

    def test_a_writer_that_waits_for_the_lock_says_for_whom_then_gives_up_with_exit_11(self):
        self.folder, _ = big_series()
        self.init_vault()
        holder = self.start_add(1)
        self.wait_for_lock(holder)
        os.kill(holder.pid, signal.SIGSTOP)
        try:
            r = self.gv("--lock-wait", "1", "add", export_path(self.folder, 2))
        finally:
            os.kill(holder.pid, signal.SIGCONT)
        self.assertEqual(r.returncode, 11, r.stderr)
        self.assertRegex(r.stderr, rb"waiting up to 1 s for the writer started "
                                   rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by process %d on this machine"
                                   % holder.pid)
        holder.communicate()
        self.assertEqual(holder.returncode, 0)

    def test_an_add_that_cannot_wait_for_the_lock_says_since_when_it_is_held(self):
        self.folder, _ = big_series()
        self.init_vault()
        holder = self.start_add(1)
        self.wait_for_lock(holder)
        os.kill(holder.pid, signal.SIGSTOP)  # holds the lock as long as we like
        try:
            r = self.gv("--lock-wait", "0", "add", export_path(self.folder, 2))
        finally:
            os.kill(holder.pid, signal.SIGCONT)
        self.assertFailsWithOneLine(r, "another gptvault is writing to this vault since ", code=11)
        self.assertRegex(r.stderr, rb"since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(process %d on "
                                   rb"this machine\); try again once it has finished" % holder.pid)
        holder.communicate()
        self.assertEqual(holder.returncode, 0)
        self.gv_ok("add", export_path(self.folder, 2))
        self.assertSound()

    def test_key_changes_take_the_writer_lock_so_two_removes_cannot_leave_no_key(self):
        # Two `key remove`s of different keys at once would each count the other's key as the
        # one that remains; under the lock the second sees the first's result.
        self.folder, _ = big_series()
        self.init_vault()
        keys = os.path.join(self.vault, "keys")
        (first,) = os.listdir(keys)
        self.gv_ok("key", "add", env={"GPTVAULT_NEW_PASSPHRASE": "a second passphrase"})
        (second,) = set(os.listdir(keys)) - {first}
        holder = self.start_add(1)
        self.wait_for_lock(holder)
        os.kill(holder.pid, signal.SIGSTOP)
        try:
            attempts = [self.gv("--lock-wait", "0", "key", "remove", second),
                        self.gv("--lock-wait", "0", "key", "add",
                                env={"GPTVAULT_NEW_PASSPHRASE": "a third passphrase"}),
                        self.gv("--lock-wait", "0", "passwd",
                                env={"GPTVAULT_NEW_PASSPHRASE": "a third passphrase"})]
        finally:
            os.kill(holder.pid, signal.SIGCONT)
        for r in attempts:
            self.assertFailsWithOneLine(r, "another gptvault is writing to this vault since ", code=11)
        self.assertEqual(sorted(os.listdir(keys)), sorted([first, second]))
        holder.communicate()
        self.assertEqual(holder.returncode, 0)
        self.gv_ok("key", "remove", second)
        self.assertFailsWithOneLine(self.gv("key", "remove", first), "last usable key")
        self.assertEqual(os.listdir(keys), [first])
        self.assertSound()

    def test_a_waiting_add_goes_ahead_as_soon_as_the_holder_finishes(self):
        self.folder, _ = big_series()
        self.init_vault()
        holder = self.start_add(1)
        self.wait_for_lock(holder)
        os.kill(holder.pid, signal.SIGSTOP)
        waiter = self.start_add(2, "--lock-wait", "60")
        time.sleep(2.5)  # past the waiter's passphrase: it is now waiting for the lock
        self.assertIsNone(waiter.poll(), "the second add did not wait")
        os.kill(holder.pid, signal.SIGCONT)
        holder.communicate()
        self.assertEqual(holder.returncode, 0)
        _, err = waiter.communicate()
        self.assertEqual(waiter.returncode, 0, err)
        self.assertEqual([s["seq"] for s in json.loads(self.gv_ok("log", "--json").stdout)], [1, 2])
