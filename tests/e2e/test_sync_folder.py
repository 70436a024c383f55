"""A vault in a sync folder (Dropbox, Google Drive style), through the real
binary: its files arrive one by one in any order, and "conflicted copy"
duplicates appear beside them. Every command copes: it works on what has
arrived, or says in one line what is missing (restore --all: one line for
each conversation it cannot read yet, after writing the others); never wrong
bytes, never a vault made unreadable by the sync client's files."""

import json
import os
import random
import shutil

from harness import VaultTestCase, export_path, generate, tree_bytes

# What a command may say while the vault is still arriving.
STILL_ARRIVING = ("no vault at", "has lost its config file (still syncing",
                  "has no key files (still syncing", "is missing (still syncing?)",
                  "(an index file may still be syncing; if not, run `gptvault repair`)")


class SyncFolder(VaultTestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder, cls.truth = generate(months=2, conversations=40, seed=41)

    def setUp(self):
        super().setUp()
        # The machine that writes: two monthly adds. What month 1 alone
        # restores to is kept, since a reader that has not yet received the
        # second snapshot rightly sees the vault as it was then.
        self.init_vault()
        self.gv_ok("add", export_path(self.folder, 1))
        self.month1 = os.path.join(self.dir, "month1")
        self.gv_ok("restore", "--all", "-o", self.month1)
        self.snapshots_after_month1 = set(os.listdir(os.path.join(self.vault, "snapshots")))
        self.gv_ok("add", export_path(self.folder, 2))

    def newest_bytes(self, cid):
        with open(os.path.join(self.folder, "truth", cid + ".json"), "rb") as f:
            return f.read()

    def test_a_vault_arriving_file_by_file_in_any_order_is_never_misread(self):
        files = tree_bytes(self.vault)
        names = sorted(files)
        random.Random(41).shuffle(names)
        synced = os.path.join(self.dir, "synced")
        # The machine that reads: its own copy of the folder, its own state.
        reader = {"GPTVAULT_VAULT": synced, "XDG_STATE_HOME": os.path.join(self.dir, "reader")}
        for arrived in sorted({0, 3, len(names) // 3, len(names) // 2, len(names) - 2, len(names)}):
            for name in names[:arrived]:
                os.makedirs(os.path.dirname(os.path.join(synced, name)), exist_ok=True)
                with open(os.path.join(synced, name), "wb") as f:
                    f.write(files[name])
            with self.subTest(arrived=arrived, of=len(names)):
                out = os.path.join(self.dir, "restored-%d" % arrived)
                r = self.gv("restore", "--all", "-o", out, env=reader)
                lines = r.stderr.decode(errors="replace").strip().splitlines()
                if r.returncode != 0 and len(lines) > 1:
                    # What has arrived of the catalog names every conversation: restore --all
                    # writes each one it can read and names each one it cannot, one line each.
                    self.assertEqual(r.returncode, 1, r.stderr)
                    self.assertEqual(r.stdout, b"")
                    self.assertRegex(lines[-1], r"^gptvault: restored \d+ of \d+ conversations to ")
                    for line in lines[:-1]:
                        self.assertRegex(line, r"^gptvault: conversation \S+ cannot be restored: ")
                        self.assertTrue(any(s in line for s in STILL_ARRIVING), line)
                elif r.returncode != 0:
                    self.assertIn(r.returncode, (1, 10), r.stderr)  # 10: no config yet
                    self.assertFailsWithOneLine(r, code=r.returncode)
                    self.assertTrue(any(s.encode() in r.stderr for s in STILL_ARRIVING), r.stderr)
                second_arrived = any(
                    n.startswith("snapshots/") and os.path.basename(n) not in self.snapshots_after_month1
                    for n in names[:arrived])
                for name in os.listdir(out) if os.path.isdir(out) else []:
                    with open(os.path.join(out, name), "rb") as f:
                        got = f.read()
                    if second_arrived:
                        self.assertEqual(got, self.newest_bytes(name[:-5]), name)
                    else:
                        with open(os.path.join(self.month1, name), "rb") as f:
                            self.assertEqual(got, f.read(), name)
                if arrived == len(names):
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertEqual(len(os.listdir(out)), len(self.truth["conversations"]))
        self.gv_ok("check", "--read-data", env=reader)

    def test_conflicted_copies_beside_every_kind_of_file_are_ignored_and_check_notes_them(self):
        copies = []
        for folder in ("data", "index", "snapshots", "keys"):
            for root, _, names in os.walk(os.path.join(self.vault, folder)):
                if names:
                    original = os.path.join(root, sorted(names)[0])
                    break
            for suffix, same in ((" (conflicted copy 2026-11-24).", True), (" (1)", False),
                                 (" (Jane's MacBook conflicted copy)", False)):
                with open(original, "rb") as f:
                    data = f.read()
                with open(original + suffix, "wb") as f:
                    f.write(data if same else data[: len(data) // 2] + b"sync client junk")
                copies.append(os.path.relpath(original + suffix, self.vault))
        r = self.gv_ok("check", "--read-data")
        notes = [l for l in r.stdout.decode().splitlines() if l.startswith("note: ignored ")]
        self.assertEqual(len(notes), len(copies), r.stdout)
        for name in copies:
            self.assertIn("note: ignored %s: not a vault file name" % name, r.stdout.decode())
        self.assertEqual([s["seq"] for s in json.loads(self.gv_ok("log", "--json").stdout)], [1, 2])
        out = os.path.join(self.dir, "restored")
        self.gv_ok("restore", "--all", "-o", out)
        for cid in self.truth["conversations"]:
            with open(os.path.join(out, cid + ".json"), "rb") as f:
                self.assertEqual(f.read(), self.newest_bytes(cid), cid)
