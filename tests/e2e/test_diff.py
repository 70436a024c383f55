"""`gptvault diff`, end to end, on a series of three exports with churn
(grown, edited, regenerated, renamed, dropped and new conversations; the 2026
shards with `.dat` assets): what a version added, message by message and with
its text; a new title; an edited prompt or a regenerated answer as a new
branch with the current one named; and between two snapshots, exactly the
conversations new, changed and gone. Every expectation is computed from the
export ZIPs themselves."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import zipfile

from harness import BIN, PASSPHRASE, VaultTestCase, export_path, generate

MARKER = re.compile("\ue200.*?\ue201", re.S)
# What the terminal form blanks out of a line (src/cli/text.cc OneLine).
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
ANSI = re.compile(b"\x1b\\[[0-9;]*m")


def conversations_of(path):
    """id -> conversation, from an export's conversations files."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if re.fullmatch(r"conversations(-\d+)?\.json", name):
                for conv in json.loads(z.read(name)):
                    out[conv.get("conversation_id") or conv["id"]] = conv
    return out


def plain_text(msg):
    """What the page shows of an ordinary text message, else None."""
    if not msg or msg["author"]["role"] not in ("user", "assistant"):
        return None
    if msg.get("recipient", "all") != "all" or msg["content"].get("content_type") != "text":
        return None
    if (msg.get("metadata") or {}).get("is_visually_hidden_from_conversation"):
        return None
    parts = [p for p in msg["content"].get("parts") or [] if isinstance(p, str) and p.strip()]
    text = MARKER.sub("", "\n\n".join(parts))
    text = "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 0x20 and ord(ch) != 0x7F)
    return text.strip("\n") if text.strip() else None


def children(conv):
    kids = {}
    for key, node in conv["mapping"].items():
        kids.setdefault(node.get("parent"), []).append(key)
    return kids


def current_branch(conv):
    mapping, out, node = conv["mapping"], [], conv.get("current_node")
    while node in mapping and node not in out:
        out.append(node)
        node = mapping[node].get("parent")
    return set(out)


def new_branches(old, new):
    """(parent, kind, {old children}, {new children}) for each node of `old`
    that gained a child in `new` beside the ones it had."""
    before, after = children(old), children(new)
    out = []
    for parent, kids in after.items():
        added = {k for k in kids if k not in old["mapping"]}
        if parent in old["mapping"] and before.get(parent) and added:
            roles = {new["mapping"][k]["message"]["author"]["role"] for k in added}
            kind = {frozenset({"user"}): "edited_prompt",
                    frozenset({"assistant"}): "regenerated_answer"}.get(frozenset(roles), "other")
            out.append((parent, kind, set(before[parent]), added))
    return out


class DiffOfAChurningSeries(VaultTestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder, _ = generate(months=3, conversations=40, seed=4, layout="dat")
        cls.exports = [conversations_of(export_path(cls.folder, m)) for m in (1, 2, 3)]
        # The distinct versions of each conversation, in the order the series
        # first has them (its update_time grows with each change): history's
        # numbering.
        cls.versions = {}
        for export in cls.exports:
            for cid, conv in export.items():
                seen = cls.versions.setdefault(cid, [])
                if conv not in seen:
                    seen.append(conv)
        # One vault for every test: they only read it.
        cls.shared = tempfile.mkdtemp(prefix="gv-diff-")
        cls.shared_env = dict(os.environ, GPTVAULT_VAULT=os.path.join(cls.shared, "vault"),
                              GPTVAULT_PASSPHRASE=PASSPHRASE,
                              XDG_STATE_HOME=os.path.join(cls.shared, "state"),
                              XDG_RUNTIME_DIR=os.path.join(cls.shared, "run"))
        cls.shared_env.pop("NO_COLOR", None)
        os.mkdir(cls.shared_env["XDG_RUNTIME_DIR"], 0o700)
        # Unlocked once: some fifty commands follow, and each would otherwise
        # spend its Argon2id run on the passphrase.
        for args in (["init"], ["add"] + [export_path(cls.folder, m) for m in (1, 2, 3)],
                     ["unlock", "--for", "15m"]):
            subprocess.run([BIN, *args], env=cls.shared_env, check=True, capture_output=True,
                           stdin=subprocess.DEVNULL)

    @classmethod
    def tearDownClass(cls):
        subprocess.run([BIN, "lock"], env=cls.shared_env, capture_output=True,
                       stdin=subprocess.DEVNULL)
        shutil.rmtree(cls.shared, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.env = dict(self.shared_env)

    def changed(self, a, b):
        """Conversations in exports a and b (1-based) whose bytes differ."""
        old, new = self.exports[a - 1], self.exports[b - 1]
        return sorted(c for c in new if c in old and old[c] != new[c])

    def number(self, cid, conv):
        return self.versions[cid].index(conv) + 1

    def diff_json(self, cid, a, b):
        old, new = self.exports[a - 1][cid], self.exports[b - 1][cid]
        r = self.gv_ok("diff", cid[:12], "--from", str(self.number(cid, old)), "--to",
                       str(self.number(cid, new)), "--json")
        d = json.loads(r.stdout)
        self.assertEqual(d["from"]["update_time"], old.get("update_time"), cid)
        self.assertEqual(d["to"]["update_time"], new.get("update_time"), cid)
        return old, new, d

    def diff_text(self, cid, a, b):
        old, new = self.exports[a - 1][cid], self.exports[b - 1][cid]
        r = self.gv_ok("diff", cid, "--from", str(self.number(cid, old)), "--to",
                       str(self.number(cid, new)))
        self.assertNotIn(b"\x1b[", r.stdout, "no colour when stdout is not a terminal")
        return r.stdout.decode()

    def test_the_series_holds_every_kind_of_churn(self):
        kinds = set()
        for a, b in ((1, 2), (2, 3)):
            old, new = self.exports[a - 1], self.exports[b - 1]
            kinds |= {"new"} if set(new) - set(old) else set()
            kinds |= {"gone"} if set(old) - set(new) else set()
            for cid in self.changed(a, b):
                if old[cid].get("title") != new[cid].get("title"):
                    kinds.add("renamed")
                kinds |= {kind for _, kind, _, _ in new_branches(old[cid], new[cid])}
        self.assertLessEqual({"new", "gone", "renamed", "edited_prompt", "regenerated_answer"},
                             kinds)

    def test_diff_shows_every_message_the_newer_version_added_with_its_text(self):
        checked = 0
        for a, b in ((1, 2), (2, 3)):
            for cid in self.changed(a, b):
                old, new, d = self.diff_json(cid, a, b)
                want = {k for k, n in new["mapping"].items()
                        if k not in old["mapping"] and n.get("message")}
                self.assertEqual({m["node"] for m in d["added"]}, want, cid)
                on_branch = current_branch(new)
                text = self.diff_text(cid, a, b)
                for m in d["added"]:
                    self.assertEqual(m["current"], m["node"] in on_branch, cid)
                    expected = plain_text(new["mapping"][m["node"]]["message"])
                    if not expected:
                        continue
                    self.assertTrue(m["shown"])
                    self.assertIn(expected, m["text"], cid)
                    for line in expected.split("\n"):
                        line = UNSAFE.sub(" ", line)
                        self.assertIn(line, text, "%s: %r not shown" % (cid, line[:60]))
                    checked += 1
        self.assertGreater(checked, 10)

    def test_without_versions_diff_compares_the_two_newest(self):
        cid = next(c for c in self.changed(2, 3) if len(self.versions[c]) >= 2)
        d = json.loads(self.gv_ok("diff", cid, "--json").stdout)
        n = len(self.versions[cid])
        self.assertEqual((d["from"]["version"], d["to"]["version"], d["versions"]), (n - 1, n, n))

    def test_a_renamed_conversation_shows_its_title_change(self):
        renamed = 0
        for a, b in ((1, 2), (2, 3)):
            for cid in self.changed(a, b):
                old, new = self.exports[a - 1][cid], self.exports[b - 1][cid]
                _, _, d = self.diff_json(cid, a, b)
                self.assertEqual(d["title_changed"], old.get("title") != new.get("title"), cid)
                if not d["title_changed"]:
                    continue
                renamed += 1
                self.assertEqual((d["from"]["title"], d["to"]["title"]),
                                 (old.get("title"), new.get("title")))
                if old.get("title") and new.get("title"):
                    line = 'title: "%s" \u2192 "%s"' % (UNSAFE.sub(" ", old["title"]),
                                                         UNSAFE.sub(" ", new["title"]))
                    self.assertIn(line, self.diff_text(cid, a, b))
        self.assertGreater(renamed, 0)

    def test_an_edited_prompt_or_a_regenerated_answer_is_a_new_branch_with_the_current_one(self):
        seen = set()
        for a, b in ((1, 2), (2, 3)):
            for cid in self.changed(a, b):
                old, new = self.exports[a - 1][cid], self.exports[b - 1][cid]
                want = new_branches(old, new)
                if not want:
                    continue
                _, _, d = self.diff_json(cid, a, b)
                got = {br["parent_node"]: br for br in d["branches"]}
                text = self.diff_text(cid, a, b)
                for parent, kind, before, added in want:
                    seen.add(kind)
                    br = got[parent]
                    self.assertEqual(br["kind"], kind, cid)
                    self.assertEqual({m["node"] for m in br["before"]}, before, cid)
                    self.assertEqual({m["node"] for m in br["added"]}, added, cid)
                    for m in br["before"]:  # the old branch's text, as it was
                        self.assertIn(plain_text(old["mapping"][m["node"]]["message"]) or "",
                                      m["text"])
                    old_current = current_branch(old) & before
                    new_current = current_branch(new) & (before | added)
                    self.assertEqual(br["current_in_from"], next(iter(old_current), None), cid)
                    self.assertEqual(br["current_in_to"], next(iter(new_current), None), cid)
                    label = kind.replace("_", " ") if kind != "other" else "new branch"
                    self.assertIn(label + ": a new branch", text)
                    self.assertIn("[current in", text)
        self.assertLessEqual({"edited_prompt", "regenerated_answer"}, seen)

    def test_diff_snapshot_lists_exactly_the_new_changed_and_gone_conversations(self):
        for a, b in ((1, 2), (2, 3), (1, 3)):
            old, new = self.exports[a - 1], self.exports[b - 1]
            d = json.loads(self.gv_ok("diff", "--snapshot", str(a), str(b), "--json").stdout)
            self.assertEqual((d["from"]["seq"], d["to"]["seq"]), (a, b))
            self.assertEqual({e["id"]: e["title"] for e in d["new"]},
                             {c: new[c].get("title") for c in set(new) - set(old)})
            self.assertEqual({e["id"]: e["title"] for e in d["gone"]},
                             {c: old[c].get("title") for c in set(old) - set(new)})
            self.assertEqual({e["id"]: (e["title_from"], e["title_to"]) for e in d["changed"]},
                             {c: (old[c].get("title"), new[c].get("title"))
                              for c in self.changed(a, b)})
            self.assertEqual(d["unchanged"], len(set(old) & set(new)) - len(d["changed"]))
            for e in d["changed"]:
                self.assertEqual(e["version_to"], self.number(e["id"], new[e["id"]]))
            text = self.gv_ok("diff", "--snapshot", str(a), str(b)).stdout.decode()
            for sign, key in (("+", "new"), ("~", "changed"), ("-", "gone")):
                for e in d[key]:
                    self.assertIn("%s %s" % (sign, e["id"]), text)
            self.assertIn("%d new, %d changed, %d gone" % (len(d["new"]), len(d["changed"]),
                                                            len(d["gone"])), text)

    def test_a_conversation_with_one_version_says_so_and_exits_0(self):
        cid = next(c for c, v in sorted(self.versions.items()) if len(v) == 1)
        r = self.gv_ok("diff", cid)
        self.assertIn(b"only one version", r.stdout)
        d = json.loads(self.gv_ok("diff", cid, "--json").stdout)
        self.assertIsNone(d["from"])
        self.assertEqual((d["versions"], d["to"]["version"], d["added"]), (1, 1, []))

    def assertUsageError(self, result, contains):
        err = result.stderr.decode(errors="replace")
        self.assertEqual(result.returncode, 2, err)
        self.assertEqual(result.stdout, b"")
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertIn(contains, err)

    def test_bad_input_gets_one_line_and_never_a_diff(self):
        cid = next(c for c, v in sorted(self.versions.items()) if len(v) >= 2)
        self.assertUsageError(self.gv("diff", cid, "--from", "2", "--to", "1"), "newer than")
        self.assertUsageError(self.gv("diff", cid, "--snapshot", "1", "2"), "not both")
        self.assertUsageError(self.gv("diff"), "needs a conversation ID")
        self.assertUsageError(self.gv("diff", "--snapshot", "2", "1"), "give the older first")
        self.assertUsageError(self.gv("diff", cid, "--from", "0"), "a version is a number")
        self.assertFailsWithOneLine(self.gv("diff", "00000000-dead"), "no conversation")
        self.assertFailsWithOneLine(self.gv("diff", cid, "--to", "9"), "has no version 9")
        self.assertFailsWithOneLine(self.gv("diff", "--snapshot", "1", "7"), "no snapshot 7")

    def run_on_terminal(self, *args, env=None):
        """stdout of gptvault when it is a terminal (a pseudo-terminal)."""
        master, slave = os.openpty()
        p = subprocess.Popen([BIN, *args], env=dict(self.env, **(env or {})), stdout=slave,
                             stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        os.close(slave)
        out = b""
        while True:
            try:
                piece = os.read(master, 65536)
            except OSError:  # EIO: the other end is closed
                break
            if not piece:
                break
            out += piece
        os.close(master)
        self.assertEqual(p.wait(), 0)
        return out

    def test_colour_only_on_a_terminal_and_never_with_NO_COLOR(self):
        coloured = self.run_on_terminal("diff", "--snapshot", "1", "2")
        self.assertRegex(coloured, ANSI)
        plain = self.run_on_terminal("diff", "--snapshot", "1", "2", env={"NO_COLOR": "1"})
        self.assertNotRegex(plain, ANSI)
        self.assertEqual(ANSI.sub(b"", coloured), plain)
        piped = self.gv_ok("diff", "--snapshot", "1", "2").stdout
        self.assertEqual(piped, plain.replace(b"\r\n", b"\n"))
