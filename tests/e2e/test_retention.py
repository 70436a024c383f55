"""Retention, through the real binary: `forget` removes snapshots and the
versions only they held, `prune` deletes what nothing needs any more, and
neither loses anything that was meant to stay, whenever it is killed."""

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time

from harness import BIN, VaultTestCase, export_path, generate, tree_bytes, tree_size

MONTHS = 4


def put_back(folder, files):
    """Writes `files` (tree_bytes of `folder` earlier) back into `folder`."""
    for name, data in files.items():
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def series():
    return generate(months=MONTHS, conversations=40, seed=19, avg_kb=12)


class RetentionTestCase(VaultTestCase):
    def setUp(self):
        super().setUp()
        self.folder, self.truth = series()
        self.init_vault()

    def add_all(self):
        for month in range(1, MONTHS + 1):
            self.gv_ok("add", export_path(self.folder, month))

    def log(self):
        return json.loads(self.gv_ok("log", "--json").stdout)

    def data_size(self):
        return tree_size(os.path.join(self.vault, "data"))

    def assertEveryConversationRestoresItsNewestVersion(self, but=()):
        expected = {cid: t for cid, t in self.truth["conversations"].items() if cid not in but}
        listed = {c["id"] for c in self.list_json()}
        self.assertEqual(listed, set(expected))
        out = tempfile.mkdtemp(dir=self.dir)
        self.gv_ok("restore", "--all", "-o", out)
        self.assertEqual(len(os.listdir(out)), len(expected))
        for cid, t in expected.items():
            with open(os.path.join(out, cid + ".json"), "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).hexdigest(), t["sha256"], cid)


class Forget(RetentionTestCase):
    def test_a_dry_run_names_what_would_go_and_changes_nothing(self):
        self.add_all()
        before = tree_bytes(self.vault)
        r = self.gv_ok("forget", "--keep-last", "1", "--dry-run")
        out = r.stdout.decode()
        for seq in range(1, MONTHS):
            self.assertIn("would forget snapshot %d" % seq, out)
        self.assertIn("keep snapshot %d" % MONTHS, out)
        self.assertEqual(tree_bytes(self.vault), before)
        plan = json.loads(self.gv_ok("forget", "--keep-last", "2", "--dry-run", "--json").stdout)
        self.assertEqual([s["seq"] for s in plan["forget"]], list(range(1, MONTHS - 1)))
        self.assertEqual([s["seq"] for s in plan["keep"]], [MONTHS - 1, MONTHS])
        self.assertTrue(all(s["reasons"] for s in plan["keep"]))
        self.assertEqual(tree_bytes(self.vault), before)

    def test_forget_and_prune_reclaim_the_old_versions_and_keep_every_conversation(self):
        self.add_all()
        churned = [cid for cid, t in self.truth["conversations"].items() if t["versions"] > 2]
        self.assertTrue(churned)
        stats = json.loads(self.gv_ok("stats", "--json").stdout)
        self.assertGreater(stats["versions"], stats["conversations"])
        self.gv_ok("forget", "--keep-last", "1")
        self.assertEqual([s["seq"] for s in self.log()], [MONTHS])
        full = self.data_size()
        report = json.loads(self.gv_ok("prune", "--grace", "0", "--json").stdout)
        pruned = self.data_size()

        # Of each conversation only its current version is left, and the
        # space the others took is free: the packs shrank by what prune says.
        stats = json.loads(self.gv_ok("stats", "--json").stdout)
        self.assertEqual(stats["versions"], stats["conversations"])
        history = json.loads(self.gv_ok("history", churned[0], "--json").stdout)
        self.assertEqual(len(history["versions"]), 1)
        self.assertGreater(report["reclaimed_bytes"], 0)
        self.assertGreater(report["objects_rewritten_whole"], 0)
        self.assertEqual(full - pruned, report["reclaimed_bytes"])

        self.assertEveryConversationRestoresItsNewestVersion()
        self.assertSound()
        self.assertIn(b"nothing to prune", self.gv_ok("prune", "--grace", "0").stdout)

    def test_explicit_snapshots_are_forgotten_and_the_history_stays_readable(self):
        self.add_all()
        self.gv_ok("forget", "2", "3", "--prune", "--grace", "0")
        self.assertEqual([s["seq"] for s in self.log()], [1, MONTHS])
        self.assertEveryConversationRestoresItsNewestVersion()
        # The first export is still there, as it was.
        some = self.truth["exports"][0]["conversation_ids"][0]
        self.gv_ok("restore", some, "--snapshot", "1", "-o", "-")
        self.assertSound()

    def test_the_newest_snapshot_is_never_forgotten(self):
        self.add_all()
        before = tree_bytes(self.vault)
        r = self.gv("forget", str(MONTHS))
        self.assertFailsWithOneLine(r, "never forgotten")
        self.assertFailsWithOneLine(self.gv("forget", "9"), "no snapshot 9")
        self.assertFailsWithOneLine(self.gv("forget"), "--keep-last", code=2)
        self.assertFailsWithOneLine(self.gv("forget", "--keep-last", "0"), code=2)
        self.assertFailsWithOneLine(self.gv("forget", "--keep-within", "1x"), "not a duration",
                                    code=2)
        self.assertEqual(tree_bytes(self.vault), before)
        # A policy that keeps nothing else still keeps the newest.
        self.gv_ok("forget", "--keep-within", "1h")
        self.assertEqual([s["seq"] for s in self.log()], [MONTHS])

    def test_another_machine_that_saw_the_old_history_accepts_the_new_one(self):
        self.add_all()
        elsewhere = {"XDG_STATE_HOME": os.path.join(self.dir, "elsewhere")}
        self.gv_ok("list", env=elsewhere)  # remembers snapshot 4 as it was
        old = tree_bytes(self.vault)
        self.gv_ok("forget", "--keep-last", "2")
        self.gv_ok("list", env=elsewhere)
        # A real rollback is still refused: the old files served back.
        shutil.rmtree(self.vault)
        put_back(self.vault, old)
        self.assertFailsWithOneLine(self.gv("list"), "gone back in time")

    def test_a_forget_interrupted_before_deleting_the_old_files_leaves_the_new_history(self):
        self.add_all()
        snapshots = os.path.join(self.vault, "snapshots")
        old = tree_bytes(snapshots)
        self.gv_ok("forget", "--keep-last", "1")
        put_back(snapshots, old)  # as if killed before its last step
        self.assertEqual([s["seq"] for s in self.log()], [MONTHS])
        self.assertIn("interrupted forget", self.assertSound())
        self.gv_ok("prune", "--grace", "0")
        self.assertEqual(len(os.listdir(snapshots)), 1)
        self.assertEveryConversationRestoresItsNewestVersion()

    def test_a_forget_cut_short_between_its_rewritten_snapshots_leaves_a_sound_vault(self):
        self.add_all()
        snapshots = os.path.join(self.vault, "snapshots")
        old = tree_bytes(snapshots)
        # Rewrites 3 and 4, oldest first, and would remember the new 4 last:
        # a machine of its own, so that this one never saw it.
        scratch = {"XDG_STATE_HOME": os.path.join(self.dir, "scratch")}
        self.gv_ok("forget", "2", env=scratch)
        newest = json.loads(self.gv_ok("log", "--json", env=scratch).stdout)[-1]
        # As if killed after writing the new 3 and before the new 4.
        os.remove(os.path.join(snapshots, newest["id"]))
        put_back(snapshots, old)
        self.assertEqual([s["seq"] for s in self.log()], [1, 3, MONTHS])
        self.assertSound()
        self.assertEveryConversationRestoresItsNewestVersion()
        self.gv_ok("prune", "--grace", "0")
        self.assertSound()
        self.gv_ok("forget", "--keep-last", "1", "--prune", "--grace", "0")
        self.assertEqual([s["seq"] for s in self.log()], [MONTHS])
        self.assertEveryConversationRestoresItsNewestVersion()
        self.assertSound()


class Prune(RetentionTestCase):
    def start(self, *args):
        return subprocess.Popen([BIN, *args], env=self.env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def test_what_an_interrupted_add_left_is_reported_by_check_and_reclaimed_after_the_grace(self):
        self.gv_ok("add", export_path(self.folder, 1))
        kept = self.data_size()
        # What an add killed after writing its packs leaves: packs that no
        # index file names (its index and snapshot files taken away again,
        # seen by a machine of its own so that nothing remembers them).
        before = {d: set(os.listdir(os.path.join(self.vault, d))) for d in ("index", "snapshots")}
        self.gv_ok("add", export_path(self.folder, 2),
                   env={"XDG_STATE_HOME": os.path.join(self.dir, "scratch")})
        for d, names in before.items():
            for n in set(os.listdir(os.path.join(self.vault, d))) - names:
                os.remove(os.path.join(self.vault, d, n))
        self.assertGreater(self.data_size(), kept)
        out = self.assertSound()
        self.assertIn("that no snapshot uses: `gptvault prune` reclaims them", out)

        r = self.gv_ok("prune")
        self.assertIn("younger than 24h", r.stdout.decode())
        self.assertGreater(self.data_size(), kept)
        dry = json.loads(self.gv_ok("prune", "--grace", "0", "--dry-run", "--json").stdout)
        self.assertGreater(dry["unindexed"]["packs"], 0)
        self.assertGreater(self.data_size(), kept)
        self.gv_ok("prune", "--grace", "0")
        self.assertEqual(self.data_size(), kept)
        self.assertNotIn("no snapshot uses", self.assertSound())

    def test_a_prune_killed_at_any_moment_leaves_a_sound_vault_that_the_next_prune_finishes(self):
        self.add_all()
        self.gv_ok("forget", "--keep-last", "1")
        rng = random.Random(20261204)
        kills = 0
        for delay in sorted(rng.uniform(0, 0.25) for _ in range(6)):
            with self.subTest(delay=round(delay, 3)):
                prune = self.start("prune", "--grace", "0", "--max-unused", "0")
                self.wait_for_lock(prune)
                time.sleep(delay)
                prune.kill()
                prune.communicate()
                kills += prune.returncode == -signal.SIGKILL
                self.assertSound()
        self.gv_ok("--lock-wait", "0", "prune", "--grace", "0")
        self.assertIn(b"nothing to prune", self.gv_ok("prune", "--grace", "0").stdout)
        self.assertEveryConversationRestoresItsNewestVersion()
        self.assertSound()
        self.assertGreaterEqual(kills, 1, "no kill landed during a prune")

    def test_an_add_started_during_a_prune_waits_for_it_and_keeps_everything(self):
        for month in range(1, MONTHS):
            self.gv_ok("add", export_path(self.folder, month))
        self.gv_ok("forget", "--keep-last", "1")
        prune = self.start("prune", "--grace", "0")
        self.wait_for_lock(prune)
        os.kill(prune.pid, signal.SIGSTOP)  # holds the lock while the add starts
        add = self.start("--lock-wait", "60", "add", export_path(self.folder, MONTHS))
        time.sleep(0.5)
        os.kill(prune.pid, signal.SIGCONT)
        _, prune_err = prune.communicate(timeout=120)
        _, add_err = add.communicate(timeout=120)
        self.assertEqual(prune.returncode, 0, prune_err)
        self.assertEqual(add.returncode, 0, add_err)
        self.assertEveryConversationRestoresItsNewestVersion()
        self.assertSound()

    def test_prune_refuses_to_delete_anything_while_the_vault_is_missing_data(self):
        self.add_all()
        self.gv_ok("forget", "--keep-last", "1")
        data = os.path.join(self.vault, "data")
        packs = sorted(os.path.join(r, n) for r, _, fs in os.walk(data) for n in fs)
        os.rename(packs[0], os.path.join(self.dir, "aside"))
        before = tree_bytes(self.vault)
        r = self.gv("prune", "--grace", "0")
        self.assertFailsWithOneLine(r, "prune deletes nothing while the vault is not sound")
        self.assertEqual(tree_bytes(self.vault), before)
        self.assertFailsWithOneLine(self.gv("prune", "--grace", "soon"), "not a duration", code=2)


class Purge(RetentionTestCase):
    def test_a_purged_conversation_is_gone_from_every_snapshot_and_the_others_stay_whole(self):
        self.add_all()
        cid = next(c for c, t in self.truth["conversations"].items()
                   if t["versions"] > 1 and t["attachments"])
        title = self.truth["conversations"][cid]["title"]
        elsewhere = {"XDG_STATE_HOME": os.path.join(self.dir, "elsewhere")}
        self.gv_ok("list", env=elsewhere)
        before = tree_bytes(self.vault)
        self.assertFailsWithOneLine(self.gv("purge", cid), "--yes", code=2)
        self.assertFailsWithOneLine(self.gv("purge", "ffffffff-0000", "--yes"), "no conversation")
        self.assertEqual(tree_bytes(self.vault), before)

        out = self.gv_ok("purge", cid[:8], "--yes").stdout.decode()
        self.assertIn("purged 1 conversation", out)
        self.assertNotIn(cid, {c["id"] for c in self.list_json()})
        self.assertFailsWithOneLine(self.gv("restore", cid, "-o", "-"), "no conversation")
        self.assertFailsWithOneLine(self.gv("restore", cid, "--snapshot", "1", "-o", "-"),
                                    "no conversation")
        self.assertEqual(json.loads(self.gv_ok("list", "--search", title, "--json").stdout), [])
        self.assertEveryConversationRestoresItsNewestVersion(but=(cid,))
        self.assertEqual([s["seq"] for s in self.log()], list(range(1, MONTHS + 1)))
        self.assertSound()
        self.assertIn(b"nothing to prune", self.gv_ok("prune", "--grace", "0").stdout)
        # A machine that saw the vault before takes the rewritten history.
        self.gv_ok("list", env=elsewhere)
