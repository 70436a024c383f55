"""Tampering with a vault's files, through the real binary. The host flips
bytes in, truncates, deletes, swaps and replays every kind of vault file; for
each, what the user sees: `check --read-data` fails and names what is
affected (files, conversations, snapshots), `restore` of an affected
conversation fails saying why and never prints wrong bytes, and unaffected
conversations still restore exactly."""

import os
import re
import shutil
import subprocess
import tempfile

from harness import BIN, PASSPHRASE, VaultTestCase, export_path, generate

SECOND_PASSPHRASE = "a second passphrase, kept as a spare"


class TamperedVault(VaultTestCase):
    """One vault per class: two monthly adds and a second passphrase. Each test
    tampers with a fresh copy of it, and of this machine's record of the
    newest snapshot it has seen."""

    @classmethod
    def setUpClass(cls):
        cls.folder, cls.truth = generate(months=2, conversations=40, seed=11)
        cls.template = tempfile.mkdtemp(prefix="gv-tamper-")
        vault = os.path.join(cls.template, "vault")
        env = dict(os.environ, GPTVAULT_VAULT=vault, GPTVAULT_PASSPHRASE=PASSPHRASE,
                   XDG_STATE_HOME=os.path.join(cls.template, "state"))

        def run(*args, **extra):
            subprocess.run([BIN, *args], env=dict(env, **extra), check=True,
                           stdin=subprocess.DEVNULL, capture_output=True)

        def names(folder):
            root = os.path.join(vault, folder)
            return {os.path.relpath(os.path.join(d, f), vault)
                    for d, _, files in os.walk(root) for f in files}

        run("init")
        cls.first_key = names("keys").pop()
        run("add", export_path(cls.folder, 1))
        first = {k: names(k) for k in ("data", "index", "snapshots")}
        shutil.copytree(vault, os.path.join(cls.template, "after-first-add"))
        run("add", export_path(cls.folder, 2))
        run("key", "add", GPTVAULT_NEW_PASSPHRASE=SECOND_PASSPHRASE)
        (cls.pack1,), (cls.index1,), (cls.snap1,) = (sorted(first[k]) for k in
                                                     ("data", "index", "snapshots"))
        (cls.pack2,), (cls.index2,), (cls.snap2,) = (sorted(names(k) - first[k]) for k in
                                                     ("data", "index", "snapshots"))
        (cls.second_key,) = names("keys") - {cls.first_key}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.template, ignore_errors=True)

    def setUp(self):
        super().setUp()
        shutil.copytree(os.path.join(self.template, "vault"), self.vault)
        shutil.copytree(os.path.join(self.template, "state"), self.env["XDG_STATE_HOME"])

    # -- tampering --------------------------------------------------------------------------

    def path(self, name):
        return os.path.join(self.vault, name)

    def flip(self, name, *offsets):
        with open(self.path(name), "r+b") as f:
            data = bytearray(f.read())
            for offset in offsets:
                data[offset] ^= 0x20
            f.seek(0)
            f.write(data)

    def truncate(self, name, size=None):
        with open(self.path(name), "r+b") as f:
            f.truncate(os.path.getsize(self.path(name)) // 2 if size is None else size)

    def swap(self, a, b):
        with open(self.path(a), "rb") as f:
            data_a = f.read()
        with open(self.path(b), "rb") as f:
            data_b = f.read()
        with open(self.path(a), "wb") as f:
            f.write(data_b)
        with open(self.path(b), "wb") as f:
            f.write(data_a)

    # -- what the user sees -----------------------------------------------------------------

    def newest_bytes(self, cid):
        with open(os.path.join(self.folder, "truth", cid + ".json"), "rb") as f:
            return f.read()

    def check_fails(self, *expected, passphrase=None):
        """check --read-data exits 1 and its problem lines hold each of `expected`."""
        env = {"GPTVAULT_PASSPHRASE": passphrase} if passphrase else None
        r = self.gv("check", "--read-data", env=env)
        out = r.stdout.decode(errors="replace")
        self.assertEqual(r.returncode, 1, out + r.stderr.decode(errors="replace"))
        problems = "\n".join(l for l in out.splitlines() if l.startswith("problem: "))
        for part in expected:
            self.assertIn(part, problems)
        return problems

    def unrestorable(self, problems):
        """Conversation id -> why, for every conversation check says cannot be restored."""
        return dict(re.findall(r"^problem: conversation (\S+) cannot be restored: (.*) \(needed by",
                               problems, re.M))

    def assertRestoreRefused(self, cid, why):
        self.assertFailsWithOneLine(self.gv("restore", cid), why)

    def assertRestores(self, cid):
        self.assertEqual(self.gv_ok("restore", cid).stdout, self.newest_bytes(cid), cid)

    def newest_catalog_lost(self, problems):
        """Whether the damage reached the newest snapshot's catalog. Consecutive catalogs
        share the chunks their unchanged stretches fall into, and where the cuts fall depends
        on the vault's chunker key, so damage to the first add's files reaches the second
        catalog in some vaults and not in others."""
        return "snapshot 2 (export-02.zip): its catalog cannot be read" in problems

    def assertAffectedRefusedOthersRestore(self, problems, why):
        """Restoring a conversation check names fails with `why`; one it does not name
        restores exactly. When the newest catalog itself is lost, no conversation can be
        named or restored: every restore fails with `why`."""
        if self.newest_catalog_lost(problems):
            self.assertIn(why, problems)
            self.assertRestoreRefused(sorted(self.truth["conversations"])[0], why)
            return
        broken = self.unrestorable(problems)
        self.assertTrue(broken, problems)
        self.assertRestoreRefused(sorted(broken)[0], why)
        unaffected = sorted(set(self.truth["conversations"]) - set(broken))
        self.assertTrue(unaffected, problems)
        self.assertRestores(unaffected[0])

    def assertEveryCommandRefuses(self, why, commands=(("check", "--read-data"), ("list",))):
        for command in commands:
            self.assertFailsWithOneLine(self.gv(*command), why)


class TamperedPacks(TamperedVault):
    def test_a_flipped_byte_in_a_pack_fails_the_conversations_stored_there_and_no_other(self):
        size = os.path.getsize(self.path(self.pack1))
        self.flip(self.pack1, *(size * k // 50 for k in range(1, 12)))
        problems = self.check_fails("pack %s does not hash to its name" % self.pack1,
                                    "failed authentication", "(needed by snapshot")
        self.assertAffectedRefusedOthersRestore(problems, "failed authentication")

    def test_a_truncated_pack_names_what_it_held(self):
        self.truncate(self.pack1, os.path.getsize(self.path(self.pack1)) // 10)
        problems = self.check_fails("pack %s does not hash to its name" % self.pack1,
                                    "pack %s is too short (truncated?)" % self.pack1,
                                    "snapshot 1 (export-01.zip): its catalog cannot be read")
        self.assertAffectedRefusedOthersRestore(problems, "is too short")

    def test_a_deleted_pack_is_named_as_missing_and_the_rest_still_restores(self):
        os.remove(self.path(self.pack1))
        problems = self.check_fails("pack %s is missing (still syncing?)" % self.pack1)
        unchanged = set(self.truth["exports"][0]["conversation_ids"]) - set(
            c for c, v in self.truth["conversations"].items() if v["versions"] > 1)
        if not self.newest_catalog_lost(problems):
            self.assertTrue(unchanged <= set(self.unrestorable(problems)), problems)
        self.assertAffectedRefusedOthersRestore(problems, "pack %s is missing" % self.pack1)

    def test_two_packs_with_swapped_contents_are_caught_and_repair_puts_them_back(self):
        self.swap(self.pack1, self.pack2)
        self.check_fails("pack %s does not hash to its name" % self.pack1,
                         "pack %s does not hash to its name" % self.pack2,
                         "snapshot 2 (export-02.zip): its catalog cannot be read")
        self.assertRestoreRefused(sorted(self.truth["conversations"])[0], "failed authentication")
        r = self.gv_ok("repair")
        self.assertIn(b"moved %s to %s" % (self.pack1.encode(), self.pack2.encode()), r.stdout)
        self.gv_ok("check", "--read-data")
        self.assertRestores(sorted(self.truth["conversations"])[0])


class TamperedIndexFiles(TamperedVault):
    def test_a_flipped_byte_in_an_index_file_is_named_and_repair_rebuilds_the_index(self):
        self.flip(self.index1, 40)
        problems = self.check_fails("%s is damaged (its bytes do not match its name)" % self.index1,
                                    "until `gptvault repair`")
        self.assertAffectedRefusedOthersRestore(
            problems, "is not in the index (%s is damaged: run `gptvault repair`)" % self.index1)
        r = self.gv_ok("repair")
        self.assertIn(b"deleted %s (damaged" % self.index1.encode(), r.stdout)
        self.gv_ok("check", "--read-data")
        self.assertRestores(sorted(self.unrestorable(problems) or self.truth["conversations"])[0])

    def test_a_truncated_index_file_is_named_as_damaged(self):
        self.truncate(self.index2)
        self.check_fails("%s is damaged" % self.index2, "is not in the index")

    def test_a_deleted_index_file_hides_objects_until_repair_finds_them_in_the_packs(self):
        os.remove(self.path(self.index1))
        problems = self.check_fails("is not in the index (run `gptvault repair`)")
        self.assertAffectedRefusedOthersRestore(problems, "is not in the index")
        self.gv_ok("repair")
        self.gv_ok("check", "--read-data")


class TamperedSnapshots(TamperedVault):
    def test_a_flipped_byte_in_an_older_snapshot_is_named_and_everything_still_restores(self):
        self.flip(self.snap1, 100)
        self.check_fails("%s does not match its name" % self.snap1,
                         "snapshot 2 (export-02.zip): its parent %s cannot be read" % self.snap1)
        for cid in sorted(self.truth["conversations"])[:2]:
            self.assertRestores(cid)

    def test_a_truncated_newest_snapshot_stops_restore_rather_than_showing_an_older_state(self):
        self.truncate(self.snap2)
        self.check_fails("%s does not match its name" % self.snap2)
        self.assertRestoreRefused(sorted(self.truth["conversations"])[0],
                                  "%s does not match its name" % self.snap2)

    def test_a_deleted_newest_snapshot_is_seen_as_the_vault_going_back_in_time(self):
        os.remove(self.path(self.snap2))
        self.assertEveryCommandRefuses(
            "the vault has gone back in time: it holds snapshot 1 but this machine has seen "
            "snapshot 2")

    def test_a_deleted_older_snapshot_breaks_the_chain_which_check_names(self):
        os.remove(self.path(self.snap1))
        self.check_fails("snapshot 2 (export-02.zip): its parent %s is missing" % self.snap1)
        self.assertRestores(sorted(self.truth["conversations"])[0])

    def test_two_swapped_snapshot_files_are_caught_and_repair_puts_them_back(self):
        self.swap(self.snap1, self.snap2)
        self.check_fails("%s does not match its name" % self.snap1,
                         "%s does not match its name" % self.snap2)
        self.assertRestoreRefused(sorted(self.truth["conversations"])[0], "does not match its name")
        self.gv_ok("repair")
        self.gv_ok("check", "--read-data")
        self.assertRestores(sorted(self.truth["conversations"])[0])


class TamperedKeysAndConfig(TamperedVault):
    def test_a_flipped_byte_in_a_key_file_locks_out_its_passphrase_only(self):
        self.flip(self.first_key, 8)  # the KDF identifier: the file is no longer readable
        self.assertFailsWithOneLine(
            self.gv("list"), "wrong passphrase, or its key file is damaged: %s" % self.first_key, code=12)
        self.check_fails("%s is damaged" % self.first_key, passphrase=SECOND_PASSPHRASE)
        self.flip(self.first_key, 8, 120)  # back, and now the sealed key itself
        self.assertFailsWithOneLine(self.gv("list"), "wrong passphrase", code=12)
        self.gv_ok("list", env={"GPTVAULT_PASSPHRASE": SECOND_PASSPHRASE})

    def test_a_truncated_key_file_is_named_and_the_other_passphrase_still_opens(self):
        self.truncate(self.first_key)
        self.assertFailsWithOneLine(self.gv("check"), "key file has the wrong size", code=12)
        self.check_fails("%s is damaged (key file has the wrong size)" % self.first_key,
                         passphrase=SECOND_PASSPHRASE)
        cid = sorted(self.truth["conversations"])[0]
        self.assertEqual(self.gv_ok("restore", cid, env={"GPTVAULT_PASSPHRASE": SECOND_PASSPHRASE})
                         .stdout, self.newest_bytes(cid))

    def test_a_deleted_key_file_takes_only_its_passphrase_away(self):
        os.remove(self.path(self.first_key))
        self.assertFailsWithOneLine(self.gv("list"), "wrong passphrase", code=12)
        self.gv_ok("check", "--read-data", env={"GPTVAULT_PASSPHRASE": SECOND_PASSPHRASE})

    def test_a_flipped_byte_in_the_config_is_refused_by_every_command(self):
        self.flip("config", 8 + 4 + 16)  # chunk_min
        self.assertEveryCommandRefuses("the vault's config file was altered")

    def test_a_truncated_config_is_refused_by_every_command(self):
        self.truncate("config")
        self.assertEveryCommandRefuses("the vault's config file is damaged")

    def test_a_deleted_config_is_named_and_init_will_not_overwrite_the_vault(self):
        os.remove(self.path("config"))
        self.assertEveryCommandRefuses("has lost its config file (still syncing, or deleted?)")
        self.assertFailsWithOneLine(self.gv("init"), "already exists")


class ReplayedVault(TamperedVault):
    def test_an_older_copy_of_the_whole_vault_is_refused_until_accepted(self):
        shutil.rmtree(self.vault)
        shutil.copytree(os.path.join(self.template, "after-first-add"), self.vault)
        self.assertEveryCommandRefuses(
            "the vault has gone back in time: it holds snapshot 1 but this machine has seen "
            "snapshot 2 (the storage may have been rolled back; run with --accept-rollback to "
            "continue)", commands=(("check", "--read-data"), ("restore", "--all", "-o", "x")))
        log = self.gv_ok("--accept-rollback", "log").stdout
        self.assertIn(b"snapshot 1", log)
        self.assertNotIn(b"snapshot 2", log)
        self.gv_ok("check", "--read-data")  # accepted and remembered

    def test_an_older_copy_written_to_since_is_refused_as_well(self):
        shutil.rmtree(self.vault)
        shutil.copytree(os.path.join(self.template, "after-first-add"), self.vault)
        elsewhere = {"XDG_STATE_HOME": os.path.join(self.dir, "another-machine")}
        self.gv_ok("add", export_path(self.folder, 2), env=elsewhere)
        self.assertFailsWithOneLine(
            self.gv("list"), "snapshot 2 that this machine has seen is gone, and the vault "
                             "holds another history in its place")
