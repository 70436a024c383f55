"""Passphrases, through the real binary: one key file per passphrase, each
wrapping the same master key, so adding, removing or changing a passphrase
re-encrypts nothing, and the vault is never left without a working key."""

import json
import os
import random
import re
import signal
import subprocess
import time

from harness import BIN, PASSPHRASE, VaultTestCase, export_path, generate, tree_bytes

SECOND = "a second passphrase for the same vault"


class Passphrases(VaultTestCase):
    def setUp(self):
        super().setUp()
        self.folder, self.truth = generate(months=1, conversations=20, seed=31)
        self.init_vault()
        self.gv_ok("add", export_path(self.folder, 1))

    def key_ids(self):
        return sorted(os.listdir(os.path.join(self.vault, "keys")))

    def data_files(self):
        """Every vault file but the key files: what a re-encryption would change."""
        return {n: b for n, b in tree_bytes(self.vault).items() if not n.startswith("keys")}

    def keys_json(self, passphrase=PASSPHRASE):
        return json.loads(self.gv_ok("key", "list", "--json",
                                     env={"GPTVAULT_PASSPHRASE": passphrase}).stdout)

    def test_key_list_shows_each_key_file_with_its_time_limits_and_the_one_that_unlocked(self):
        (only,) = self.key_ids()
        self.assertRegex(only, r"^[0-9a-f]{32}$")
        (key,) = self.keys_json()
        self.assertEqual(key["id"], only)
        self.assertRegex(key["created"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual((key["opslimit"], key["memlimit"]), (3, 256 << 20))
        self.assertTrue(key["unlocked"])
        self.assertIsNone(key["problem"])
        text = self.gv_ok("key", "list").stdout.decode()
        self.assertRegex(text, only + r"  \d{4}-\d\d-\d\d \d\d:\d\d  3 passes, 256 MiB  \(unlocked now\)")

    def test_a_second_passphrase_opens_the_same_vault_and_nothing_is_re_encrypted(self):
        before = self.data_files()
        r = self.gv_ok("key", "add", env={"GPTVAULT_NEW_PASSPHRASE": SECOND})
        self.assertIn(b"added key ", r.stdout)
        self.assertEqual(len(self.key_ids()), 2)
        self.assertEqual(self.data_files(), before)
        listed = self.gv_ok("list", "--json", env={"GPTVAULT_PASSPHRASE": SECOND}).stdout
        self.assertEqual(listed, self.gv_ok("list", "--json").stdout)
        unlocked = [k["id"] for k in self.keys_json(SECOND) if k["unlocked"]]
        self.assertEqual(len(unlocked), 1)
        self.assertNotEqual(unlocked[0], [k["id"] for k in self.keys_json() if k["unlocked"]][0])

    def test_the_new_passphrase_can_come_from_a_file_and_is_asked_for_when_missing(self):
        path = os.path.join(self.dir, "new-passphrase")
        with open(path, "w") as f:
            f.write(SECOND + "\n")
        self.gv_ok("key", "add", "--new-passphrase-file", path)
        self.gv_ok("list", env={"GPTVAULT_PASSPHRASE": SECOND})
        self.assertFailsWithOneLine(self.gv("key", "add"), "GPTVAULT_NEW_PASSPHRASE")

    def test_a_key_is_removed_by_a_unique_prefix_but_the_last_one_never(self):
        (first,) = self.key_ids()
        self.gv_ok("key", "add", env={"GPTVAULT_NEW_PASSPHRASE": SECOND})
        r = self.gv_ok("key", "remove", first[:8], env={"GPTVAULT_PASSPHRASE": SECOND})
        self.assertIn(b"removed key " + first.encode(), r.stdout)
        self.assertFailsWithOneLine(self.gv("list"), "wrong passphrase", code=12)
        (second,) = self.key_ids()
        r = self.gv("key", "remove", second, env={"GPTVAULT_PASSPHRASE": SECOND})
        self.assertFailsWithOneLine(r, "is the vault's last usable key")
        self.assertEqual(self.key_ids(), [second])

    def test_passwd_replaces_the_key_the_old_passphrase_opened_and_re_encrypts_nothing(self):
        before, (old_key,) = self.data_files(), self.key_ids()
        r = self.gv_ok("passwd", env={"GPTVAULT_NEW_PASSPHRASE": SECOND})
        self.assertIn(b"passphrase changed", r.stdout)
        (new_key,) = self.key_ids()
        self.assertNotEqual(new_key, old_key)
        self.assertEqual(self.data_files(), before)
        self.assertFailsWithOneLine(self.gv("list"), "wrong passphrase", code=12)
        self.gv_ok("check", "--read-data", env={"GPTVAULT_PASSPHRASE": SECOND})

    def test_passwd_killed_at_any_moment_leaves_a_passphrase_that_opens_the_vault(self):
        rng = random.Random(31)
        current = PASSPHRASE
        for round_ in range(3):
            new = "passphrase number %d" % round_
            env = dict(self.env, GPTVAULT_PASSPHRASE=current, GPTVAULT_NEW_PASSPHRASE=new)
            passwd = subprocess.Popen([BIN, "passwd"], env=env, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.5, 2.5))  # two Argon2id runs: unlock, then wrap
            passwd.kill()
            passwd.wait()
            opened = [p for p in (current, new)
                      if self.gv("key", "list", env={"GPTVAULT_PASSPHRASE": p}).returncode == 0]
            self.assertTrue(opened, "neither passphrase opens the vault after round %d" % round_)
            current = opened[-1]
        self.gv_ok("check", "--read-data", env={"GPTVAULT_PASSPHRASE": current})


class KeyRemovalNeverLocksOut(VaultTestCase):
    """The review's first finding (SECURITY.md): a key file the host planted or damaged looked
    usable, so `key remove` let the last working key go. Only keys proven to open the vault in
    the same command count now."""

    def setUp(self):
        super().setUp()
        self.init_vault()
        (self.mine,) = self.key_ids()

    def key_ids(self):
        return sorted(os.listdir(os.path.join(self.vault, "keys")))

    def plant_a_key_from_another_vault(self):
        other = os.path.join(self.dir, "other-vault")
        self.gv_ok("init", env={"GPTVAULT_VAULT": other, "GPTVAULT_PASSPHRASE": "the host's own"})
        (planted,) = os.listdir(os.path.join(other, "keys"))
        with open(os.path.join(other, "keys", planted), "rb") as src, \
                open(os.path.join(self.vault, "keys", planted), "wb") as dst:
            dst.write(src.read())
        return planted

    def other_passphrase_file(self, text):
        path = os.path.join(self.dir, "other-passphrase")
        with open(path, "w") as f:
            f.write(text + "\n")
        return path

    def assertStillOpens(self):
        self.assertIn(self.mine, self.key_ids())
        self.gv_ok("check")

    def test_a_planted_key_file_does_not_let_the_only_real_key_be_removed(self):
        planted = self.plant_a_key_from_another_vault()
        r = self.gv("key", "remove", self.mine)
        self.assertFailsWithOneLine(r, "give the passphrase of a key that stays")
        self.assertStillOpens()
        # Its passphrase proves nothing: it holds another vault's master key.
        path = self.other_passphrase_file("the host's own")
        r = self.gv("key", "remove", self.mine, "--other-passphrase-file", path)
        self.assertFailsWithOneLine(r, "holds a different master key")
        r = self.gv("key", "remove", self.mine, env={"GPTVAULT_OTHER_PASSPHRASE": "a guess"})
        self.assertFailsWithOneLine(r, "opens none of the vault's other key files", code=12)
        self.assertStillOpens()
        # The planted file itself may go: the key that opened the command stays.
        self.gv_ok("key", "remove", planted)
        self.assertEqual(self.key_ids(), [self.mine])

    def test_a_damaged_key_file_does_not_count_as_a_key_that_stays(self):
        self.gv_ok("key", "add", env={"GPTVAULT_NEW_PASSPHRASE": SECOND})
        (second,) = set(self.key_ids()) - {self.mine}
        path = os.path.join(self.vault, "keys", second)
        with open(path, "r+b") as f:
            f.seek(os.path.getsize(path) - 5)  # inside the sealed master key
            byte = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([byte[0] ^ 1]))
        r = self.gv("key", "remove", self.mine, env={"GPTVAULT_OTHER_PASSPHRASE": SECOND})
        self.assertFailsWithOneLine(r, "opens none of the vault's other key files", code=12)
        self.assertStillOpens()
        self.gv_ok("key", "remove", second)  # the damaged one goes; the proven one stays
        self.assertEqual(self.key_ids(), [self.mine])

    def test_the_key_a_command_opened_with_goes_once_another_key_s_passphrase_proves_it_stays(self):
        self.gv_ok("key", "add", env={"GPTVAULT_NEW_PASSPHRASE": SECOND})
        (second,) = set(self.key_ids()) - {self.mine}
        # Its own passphrase twice proves nothing.
        r = self.gv("key", "remove", self.mine, env={"GPTVAULT_OTHER_PASSPHRASE": PASSPHRASE})
        self.assertFailsWithOneLine(r, "opens none of the vault's other key files", code=12)
        r = self.gv_ok("key", "remove", self.mine[:8], "--other-passphrase-file",
                       self.other_passphrase_file(SECOND))
        self.assertIn(b"removed key " + self.mine.encode(), r.stdout)
        self.assertEqual(self.key_ids(), [second])
        self.assertFailsWithOneLine(self.gv("list"), "wrong passphrase", code=12)
        self.gv_ok("check", env={"GPTVAULT_PASSPHRASE": SECOND})

    def test_a_key_id_prefix_needs_eight_characters(self):
        self.assertFailsWithOneLine(self.gv("key", "remove", self.mine[:7]), "at least 8 characters")
        self.assertEqual(self.key_ids(), [self.mine])
