"""The core vault, end to end through the real binary: successive monthly
exports go in, every conversation ever seen stays listed and restorable, and
nothing readable about them reaches the vault's files."""

import json
import os
import pty
import random
import stat
import subprocess

from harness import (BIN, PASSPHRASE, SHARED_DIR, VaultTestCase, export_path, generate,
                     tree_bytes, tree_size, zip_of)


class ThreeMonthlyExports(VaultTestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder, cls.truth = generate(months=3, conversations=300, seed=1, layout="single")

    def add_all(self):
        self.init_vault()
        for month in (1, 2, 3):
            self.gv_ok("add", export_path(self.folder, month))

    def test_list_shows_every_conversation_ever_seen(self):
        self.add_all()
        listed = {c["id"]: c for c in self.list_json()}
        self.assertEqual(set(listed), set(self.truth["conversations"]))
        newest = set(self.truth["exports"][-1]["conversation_ids"])
        for cid, want in self.truth["conversations"].items():
            got = listed[cid]
            self.assertEqual(got["title"], want["title"], cid)
            self.assertEqual(got["versions"], want["versions"], cid)
            self.assertEqual(got["messages"], want["messages_current_branch"], cid)
            self.assertEqual(got["in_latest_export"], cid in newest, cid)

    def test_every_conversation_restores_as_its_newest_version_even_if_deleted_upstream(self):
        self.add_all()
        out = os.path.join(self.dir, "restored")
        self.gv_ok("restore", "--all", "-o", out)
        deleted = set(self.truth["conversations"]) - set(self.truth["exports"][-1]["conversation_ids"])
        self.assertTrue(deleted, "the generator should drop some conversations")
        for cid in self.truth["conversations"]:
            with open(os.path.join(out, cid + ".json"), "rb") as f:
                got = f.read()
            with open(os.path.join(self.folder, "truth", cid + ".json"), "rb") as f:
                want = f.read()
            self.assertEqual(json.loads(got), json.loads(want), cid)
            self.assertEqual(got, want, "byte-for-byte: " + cid)

    def test_a_single_conversation_restores_by_prefix_to_stdout_and_to_a_file(self):
        self.add_all()
        deleted = sorted(set(self.truth["conversations"]) -
                         set(self.truth["exports"][-1]["conversation_ids"]))
        for cid in deleted[:2] + sorted(self.truth["conversations"])[:2]:
            with open(os.path.join(self.folder, "truth", cid + ".json"), "rb") as f:
                want = f.read()
            self.assertEqual(self.gv_ok("restore", cid[:8]).stdout, want)
            target = os.path.join(self.dir, "one.json")
            self.gv_ok("restore", cid, "--format", "json", "-o", target)
            with open(target, "rb") as f:
                self.assertEqual(f.read(), want)

    def test_the_counts_of_each_add_match_the_churn(self):
        self.add_all()
        log = json.loads(self.gv_ok("log", "--json").stdout)
        self.assertEqual([s["seq"] for s in log], [1, 2, 3])
        seen = set()
        for month, snap in enumerate(log, start=1):
            ids = set(self.truth["exports"][month - 1]["conversation_ids"])
            self.assertEqual(snap["conversations"], len(ids))
            self.assertEqual(snap["new"], len(ids - seen))
            self.assertEqual(snap["kept"], len(seen - ids))
            self.assertEqual(snap["new"] + snap["updated"] + snap["unchanged"], len(ids))
            seen |= ids
        self.assertGreater(log[1]["unchanged"], log[1]["updated"])

    def test_re_adding_the_same_export_adds_nothing_and_says_which_snapshot_it_is(self):
        self.add_all()
        before = tree_bytes(self.vault)
        r = self.gv_ok("add", export_path(self.folder, 3))
        self.assertEqual(tree_bytes(self.vault), before)
        self.assertIn(b"same as snapshot 3", r.stdout)

    def test_the_vault_passes_check_after_the_adds(self):
        self.add_all()
        self.gv_ok("check")
        self.gv_ok("check", "--read-data")

    def test_no_title_id_file_name_or_email_appears_in_any_vault_file_or_name(self):
        self.add_all()
        files = tree_bytes(self.vault)
        needles = set()
        for s in self.truth["sensitive_strings"]:
            if len(s) < 6:
                continue
            needles.add(s.encode("utf-8"))
            needles.add(json.dumps(s)[1:-1].encode("ascii"))  # as \u-escaped JSON
            needles.add(s.encode("utf-16-le"))
            if s.count("-") == 4:  # a uuid without its dashes
                needles.add(s.replace("-", "").encode())
        blob = b"\0".join(files.values())
        names = "\0".join(files).encode()
        for n in needles:
            self.assertNotIn(n, blob, n)
            self.assertNotIn(n, names, n)


class ShardedExports(VaultTestCase):
    def test_a_2026_sharded_series_goes_in_and_restores(self):
        folder, truth = generate(months=2, conversations=120, seed=2, layout="sharded",
                                 shard_size=25)
        self.init_vault()
        for month in (1, 2):
            self.gv_ok("add", export_path(folder, month))
        out = os.path.join(self.dir, "restored")
        self.gv_ok("restore", "--all", "-o", out)
        self.assertEqual(sorted(os.listdir(out)), sorted(c + ".json" for c in truth["conversations"]))
        for cid in truth["conversations"]:
            with open(os.path.join(out, cid + ".json"), "rb") as a, \
                    open(os.path.join(folder, "truth", cid + ".json"), "rb") as b:
                self.assertEqual(a.read(), b.read(), cid)


class RealFixtures(VaultTestCase):
    def test_the_real_samples_restore_json_equal(self):
        fixtures = os.path.join(SHARED_DIR, "fixtures")
        names = sorted(n for n in os.listdir(fixtures) if n.endswith(".json"))
        self.assertTrue(names)
        self.init_vault()
        expected = {}
        for i, name in enumerate(names):
            with open(os.path.join(fixtures, name), "rb") as f:
                raw = f.read()
            for conv in json.loads(raw):
                expected[conv.get("conversation_id") or conv["id"]] = conv
            path = zip_of(os.path.join(self.dir, "fixture-%d.zip" % i),
                          {"conversations.json": raw, "user.json": '{"email":"x@example.org"}'})
            self.gv_ok("add", path)
        listed = {c["id"] for c in self.list_json()}
        self.assertEqual(listed, set(expected))
        for cid, conv in expected.items():
            got = json.loads(self.gv_ok("restore", cid).stdout)
            self.assertEqual(got, conv, cid)


class PassphraseAndVaultFiles(VaultTestCase):
    def setUp(self):
        super().setUp()
        self.folder, self.truth = generate(months=1, conversations=30, seed=3)

    def test_a_wrong_passphrase_fails_with_one_line_and_nothing_on_stdout(self):
        self.init_vault()
        self.gv_ok("add", export_path(self.folder, 1))
        before = tree_bytes(self.vault)
        for command in (["list"], ["restore", next(iter(self.truth["conversations"]))],
                        ["add", export_path(self.folder, 1)], ["check"]):
            r = self.gv(*command, env={"GPTVAULT_PASSPHRASE": "not the passphrase"})
            self.assertFailsWithOneLine(r, "wrong passphrase", code=12)
        self.assertEqual(tree_bytes(self.vault), before)

    def test_the_passphrase_can_come_from_a_file(self):
        path = os.path.join(self.dir, "pass")
        with open(path, "w") as f:
            f.write(PASSPHRASE + "\n")
        self.gv_ok("--passphrase-file", path, "init", env={"GPTVAULT_PASSPHRASE": None})
        self.gv_ok("add", export_path(self.folder, 1))
        self.gv_ok("--passphrase-file", path, "list", env={"GPTVAULT_PASSPHRASE": None})

    def test_without_a_passphrase_or_terminal_it_says_how_to_give_one(self):
        r = self.gv("init", env={"GPTVAULT_PASSPHRASE": None})
        self.assertFailsWithOneLine(r, "GPTVAULT_PASSPHRASE")
        self.assertFalse(os.path.exists(os.path.join(self.vault, "config")))

    def test_init_refuses_to_overwrite_an_existing_vault(self):
        self.init_vault()
        before = tree_bytes(self.vault)
        self.assertFailsWithOneLine(self.gv("init"), "already exists")
        self.assertEqual(tree_bytes(self.vault), before)

    def test_key_files_are_readable_by_their_owner_only(self):
        self.init_vault()
        keys = os.listdir(os.path.join(self.vault, "keys"))
        self.assertEqual(len(keys), 1)
        mode = stat.S_IMODE(os.stat(os.path.join(self.vault, "keys", keys[0])).st_mode)
        self.assertEqual(mode, 0o600)

    def test_the_default_vault_is_under_xdg_data_home(self):
        self.gv_ok("init", env={"GPTVAULT_VAULT": None})
        self.assertTrue(os.path.exists(os.path.join(self.dir, "data", "gptvault", "config")))

    def test_an_ambiguous_prefix_lists_the_candidates(self):
        ids = ["aaaaaaaa-0000-4000-8000-00000000000%d" % i for i in (1, 2)]
        convs = [{"id": i, "conversation_id": i, "title": "Ambiguity %s" % i[-1], "mapping": {},
                  "current_node": None} for i in ids]
        self.init_vault()
        self.gv_ok("add", zip_of(os.path.join(self.dir, "a.zip"),
                                  {"conversations.json": json.dumps(convs)}))
        r = self.gv("restore", "aaaaaaaa")
        self.assertFailsWithOneLine(r, "ambiguous")
        self.assertIn(ids[0].encode(), r.stderr)
        self.assertIn(ids[1].encode(), r.stderr)
        self.assertFailsWithOneLine(self.gv("restore", "aaaaa"), "at least 6")
        self.assertFailsWithOneLine(self.gv("restore", "bbbbbbbb"), "no conversation")


class RefusedArchives(VaultTestCase):
    def setUp(self):
        super().setUp()
        self.init_vault()
        self.before = tree_bytes(self.vault)

    def assertRefused(self, path, contains):
        self.assertFailsWithOneLine(self.gv("add", path), contains, code=3)
        self.assertEqual(tree_bytes(self.vault), self.before)

    def test_a_file_that_is_not_a_zip_is_refused_and_the_vault_is_unchanged(self):
        path = os.path.join(self.dir, "x.zip")
        with open(path, "wb") as f:
            f.write(b"this is not a zip archive" * 10)
        self.assertRefused(path, "not a ZIP")

    def test_an_archive_without_a_conversations_file_is_refused(self):
        self.assertRefused(zip_of(os.path.join(self.dir, "n.zip"), {"user.json": "{}"}),
                           "no conversations file")

    def test_an_archive_with_zero_conversations_is_refused(self):
        self.assertRefused(zip_of(os.path.join(self.dir, "z.zip"),
                                  {"conversations.json": "[]", "chat.html": "<html>" * 5000}),
                           "zero conversations")

    def test_a_conversations_file_that_is_not_an_array_is_refused(self):
        self.assertRefused(zip_of(os.path.join(self.dir, "o.zip"),
                                  {"conversations.json": '{"a": 1}'}), "array")

    def test_a_conversations_file_that_is_not_json_is_refused(self):
        self.assertRefused(zip_of(os.path.join(self.dir, "j.zip"),
                                  {"conversations.json": '[{"id": "x", "title": }]'}),
                           "conversation")


class ProgressOfAnAdd(VaultTestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder, cls.truth = generate(months=3, conversations=300, seed=1, layout="single")

    def add_with_stderr_on_a_terminal(self, path):
        """Runs `add` with stderr on a pseudo-terminal; returns (result, terminal bytes)."""
        controller, terminal = pty.openpty()
        proc = subprocess.Popen([BIN, "add", path], env=self.env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=terminal)
        os.close(terminal)
        seen = b""
        while True:
            try:
                data = os.read(controller, 65536)
            except OSError:  # the terminal closed: the process has exited
                break
            if not data:
                break
            seen += data
        os.close(controller)
        out = proc.stdout.read()
        proc.stdout.close()
        return proc.wait(timeout=600), out, seen

    def test_on_a_terminal_an_add_shows_its_progress_and_erases_it_before_the_result(self):
        self.init_vault()
        code, out, seen = self.add_with_stderr_on_a_terminal(export_path(self.folder, 1))
        self.assertEqual(code, 0, seen)
        text = seen.decode(errors="replace")
        self.assertRegex(text, r"\rexport-01\.zip: \d+ conversations?, [0-9.]+ MB of [0-9.]+ MB")
        # The line is erased once the add is done, before anything else is said.
        self.assertIn("\r\x1b[K", text)
        self.assertNotIn("MB of", text[text.rindex("\r\x1b[K"):])
        self.assertIn(b"snapshot 1", out)

    def test_when_stderr_is_not_a_terminal_an_add_prints_no_progress(self):
        self.init_vault()
        r = self.gv_ok("add", export_path(self.folder, 1))
        self.assertNotIn(b"\r", r.stderr)
        self.assertNotIn(b"MB of", r.stderr)
        self.assertNotIn(b"\x1b", r.stderr)
