"""Hostile and odd archives, through the real binary: the table of issue 3.

Every row is tried twice: `gptvault add` into an initialised vault, and
`gptvault verify` with no vault and no passphrase at all.

Refused rows (a broken download, a forged or malicious archive) must give
exit 1 and exactly one line on stderr; `add` prints nothing on stdout and
leaves the vault byte-for-byte as it was, `verify` says `gptvault: <reason>`.
Accepted rows are odd but real exports (field guide sections 3 and 4): they
go in with a warning, and the odd conversation comes back from `restore`
byte-for-byte as the archive held it. Hostile member names and friendly names
are accepted too, and `restore --assets DIR` writes every attachment inside
DIR and nowhere else.

Why: an archive is untrusted input that arrives every month, from a browser
download that may have been cut short. A vault that half-ingests a broken
archive, hangs on a cycle, overflows its stack on deep JSON or writes to
`../../etc/passwd` fails its one job. The archives are built in
tests/e2e/hostile.py.
"""

import hashlib
import json
import os
import subprocess
import sys
import time

import hostile
from harness import BIN, VaultTestCase, tree_bytes

HANG_GUARD_SECONDS = 60  # a hang guard, not a benchmark
MEMORY_LIMIT_KIB = 256 * 1024
# Under AddressSanitizer (tools/sanitize.sh) memory use means nothing: its
# shadow memory and quarantine come on top.
SANITIZED = bool(os.environ.get("GPTVAULT_SANITIZED"))

# Runs a command and writes its peak resident set (KiB) to argv[1]: the
# getrusage of a fresh process's children is the command's alone.
MEASURE = """import resource, subprocess, sys
code = subprocess.run(sys.argv[2:]).returncode
with open(sys.argv[1], "w") as f:
    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class BadInputTestCase(VaultTestCase):
    def path(self, name):
        return os.path.join(self.dir, name)

    def verify(self, *args, timeout=HANG_GUARD_SECONDS):
        """`gptvault verify` with no vault and no passphrase to be had."""
        r = self.gv("verify", *args, timeout=timeout,
                    env={"GPTVAULT_VAULT": self.path("no-vault-here"), "GPTVAULT_PASSPHRASE": None})
        self.assertFalse(os.path.exists(self.path("no-vault-here")), "verify created a vault")
        return r

    def verify_measured(self, archive):
        """Runs `verify` as verify() does; returns (result, seconds, peak RSS in KiB)."""
        env = dict(self.env, GPTVAULT_VAULT=self.path("no-vault-here"))
        env.pop("GPTVAULT_PASSPHRASE", None)
        rss_file = self.path("maxrss")
        start = time.monotonic()
        r = subprocess.run([sys.executable, "-c", MEASURE, rss_file, BIN, "verify", archive],
                           env=env, capture_output=True, stdin=subprocess.DEVNULL,
                           timeout=HANG_GUARD_SECONDS * 2)
        seconds = time.monotonic() - start
        with open(rss_file) as f:
            return r, seconds, int(f.read())

    def verify_json(self, archive, timeout=HANG_GUARD_SECONDS):
        r = self.verify("--json", archive, timeout=timeout)
        try:
            return r, json.loads(r.stdout) if r.stdout.strip() else None
        except ValueError:
            self.fail("verify --json printed something that is not JSON: %r" % r.stdout[:200])


class RefusedArchives(BadInputTestCase):
    """Exit 1, one line, the vault untouched: for `add` and for `verify`."""

    def setUp(self):
        super().setUp()
        self.init_vault()
        self.before = tree_bytes(self.vault)

    def assertRefused(self, archive, *reasons, timeout=HANG_GUARD_SECONDS):
        """`reasons`: words of which the one line must hold at least one (any case)."""
        add = self.gv("add", archive, timeout=timeout)
        self.assertFailsWithOneLine(add, code=3)
        self.assertReason(add.stderr, reasons)
        self.assertEqual(tree_bytes(self.vault), self.before, "add changed the vault")

        verify = self.verify(archive, timeout=timeout)
        err = verify.stderr.decode(errors="replace")
        self.assertEqual(verify.returncode, 1, err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertTrue(err.startswith("gptvault: "), err)
        self.assertReason(verify.stderr, reasons)

        r, report = self.verify_json(archive, timeout=timeout)
        self.assertEqual(r.returncode, 1, r.stderr)
        if report is not None:  # a refusal may come before there is anything to report
            self.assertIs(report["ok"], False)
            self.assertTrue(report["problems"])

    def assertReason(self, stderr, reasons):
        line = stderr.decode(errors="replace").lower()
        self.assertTrue(any(r.lower() in line for r in reasons),
                        "expected one of %r in %r" % (reasons, line))

    def test_a_file_that_is_not_a_zip_is_refused_and_the_vault_is_unchanged(self):
        self.assertRefused(hostile.not_a_zip(self.path("not.zip")), "not a zip")

    def test_a_truncated_archive_is_refused_and_the_vault_is_unchanged(self):
        for keep in (0.5, 0.9, 0.995):  # in the data, in the directory, in its last record
            with self.subTest(keep=keep):
                self.assertRefused(hostile.truncated(self.path("cut-%s.zip" % keep), keep),
                                   "truncated", "damaged")

    def test_a_crc_mismatch_is_refused_whichever_member_has_it(self):
        # The attachment is read after the conversations: the refusal comes
        # late, when a careless add would already have stored them.
        for member in ("conversations.json", "file-Crc1-photo.png"):
            with self.subTest(member=member):
                self.assertRefused(hostile.crc_mismatch(self.path("crc.zip"), member), "crc")

    def test_an_encrypted_member_is_refused(self):
        self.assertRefused(hostile.encrypted_member(self.path("enc.zip")), "encrypt")

    def test_duplicate_member_names_are_refused(self):
        self.assertRefused(hostile.duplicate_names(self.path("dup.zip")), "duplicate")

    def test_a_conversations_file_that_inflates_to_4_gb_is_refused_in_seconds_and_small_memory(self):
        """A few MB of deflate holding ~4 GB of whitespace, with a correct CRC.
        Between conversations a streaming reader sees only glue; inside the
        first conversation it must not buffer the element. The memory bound is
        measured on `verify`, which needs no passphrase: `add` derives the key
        with Argon2id, which alone takes 256 MiB."""
        start = b'[{"id":"bomb","conversation_id":"bomb","title":"t","mapping":{},'
        placements = {"between conversations": (b"[", b"]"), "inside a conversation": (start, b'"x":1}]')}
        for where, (prefix, suffix) in placements.items():
            with self.subTest(where=where):
                archive = hostile.deflate_bomb(self.path("bomb.zip"), "conversations.json", prefix, suffix,
                                               others=[("user.json", b"{}")])
                self.assertBombRefused(archive)

    def test_a_4_gb_chat_html_in_an_archive_without_conversations_is_refused_in_seconds(self):
        """chat.html embeds every conversation a second time; with no
        conversations file a reader must not fall back to it, or at least not
        to all 4 GB of it."""
        archive = hostile.deflate_bomb(self.path("html-bomb.zip"), "chat.html", b"<html><script>var jsonData = [",
                                       b"];</script></html>", others=[("user.json", b"{}")])
        self.assertBombRefused(archive, "conversations")

    def assertBombRefused(self, archive, *reasons):
        start = time.monotonic()
        self.assertRefused(archive, *(reasons or ("size", "large", "limit", "bytes", "inflate")))
        self.assertLess(time.monotonic() - start, 3 * HANG_GUARD_SECONDS)
        r, seconds, peak_kib = self.verify_measured(archive)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertLess(seconds, HANG_GUARD_SECONDS)
        if not SANITIZED:
            self.assertLess(peak_kib, MEMORY_LIMIT_KIB, "verify peaked at %d MiB" % (peak_kib // 1024))

    def test_an_archive_without_a_conversations_file_is_refused(self):
        archive = hostile.RawZip(self.path("none.zip"))
        with archive as z:
            z.add("user.json", b'{"email":"someone@example.org"}')
            z.add("chat.html", b"<html>" * 5000)
        self.assertRefused(archive.path, "no conversations")

    def test_a_conversations_file_that_is_not_json_is_refused(self):
        archive = hostile.export(self.path("notjson.zip"), [b'{"id": "x", "title": }'])
        self.assertRefused(archive, "json", "syntax", "parse")

    def test_a_conversation_that_is_not_utf8_is_refused(self):
        element = hostile.ordinary().replace(b"Nothing odd here", b"Latin-1 caf\xe9 is not UTF-8")
        self.assertRefused(hostile.export(self.path("latin1.zip"), [element]), "utf-8", "utf8")

    def test_an_archive_with_zero_conversations_is_refused(self):
        archive = hostile.RawZip(self.path("zero.zip"))
        with archive as z:
            z.add("conversations.json", b"[]")
            z.add("chat.html", b"<html>" * 5000)
        self.assertRefused(archive.path, "zero conversations", "no conversations")

    def test_a_conversations_file_whose_top_level_is_an_object_is_refused(self):
        archive = hostile.RawZip(self.path("object.zip"))
        with archive as z:
            z.add("conversations.json", hostile.ordinary())  # one conversation, not in an array
        self.assertRefused(archive.path, "array")


class OddButRealConversations(BadInputTestCase):
    """Exit 0, a warning, and the odd conversation restores byte for byte."""

    def assertAcceptedLosslessly(self, odd, warn=True, timeout=HANG_GUARD_SECONDS):
        """`odd`: [(conversation id, exact bytes)], archived after an ordinary
        conversation. With `warn`, `verify --json` must list an anomaly of each
        odd conversation and `add` must warn on stderr naming it."""
        archive = hostile.export(self.path("odd.zip"), [hostile.ordinary()] + [b for _, b in odd])
        self.assertEqual(self.verify(archive, timeout=timeout).returncode, 0)
        r, report = self.verify_json(archive, timeout=timeout)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIs(report["ok"], True)
        self.assertEqual(report["conversations"], 1 + len(odd))
        if warn:
            flagged = {a["conversation"] for a in report["anomalies"]}
            for cid, _ in odd:
                self.assertIn(cid, flagged)

        self.init_vault()
        add = self.gv("add", archive, timeout=timeout)
        self.assertEqual(add.returncode, 0, add.stderr)
        if warn:
            self.assertIn(b"warning", add.stderr.lower())
            for cid, _ in odd:
                self.assertIn(cid.encode(), add.stderr)
        final = {}
        for cid, data in odd:
            final[cid] = data  # the later copy of a repeated id is current
        for cid, data in final.items():
            self.assertEqual(self.gv_ok("restore", cid, timeout=timeout).stdout, data, cid)
        return archive

    def odd(self, cid, **changes):
        """(id, bytes) of a conversation with top-level `changes`; None drops a key."""
        drop = [k for k, v in changes.items() if v is None and k != "title"]
        fields = {k: v for k, v in changes.items() if k not in drop}
        return cid, hostile.dumps(hostile.conversation(cid, drop=drop, **fields))

    def test_a_null_or_missing_title_goes_in_with_a_warning(self):
        null_title = self.odd("00000000-0000-4000-8000-000000000101", title=None)
        cid = "00000000-0000-4000-8000-000000000102"
        no_title = hostile.dumps(hostile.conversation(cid, drop=["title"]))
        self.assertAcceptedLosslessly([null_title, (cid, no_title)])

    def test_a_dangling_current_node_goes_in_with_a_warning(self):
        self.assertAcceptedLosslessly([self.odd("00000000-0000-4000-8000-000000000201",
                                                current_node="no-such-node")])

    def test_dangling_children_go_in_with_a_warning(self):
        cid = "00000000-0000-4000-8000-000000000301"
        conv = hostile.conversation(cid)
        conv["mapping"][cid + "-a"]["children"] = ["ghost-child", "another-ghost"]
        self.assertAcceptedLosslessly([(cid, hostile.dumps(conv))])

    def test_a_cycle_in_parent_links_goes_in_without_hanging(self):
        cid = "00000000-0000-4000-8000-000000000401"
        conv = hostile.conversation(cid)
        q, a = conv["mapping"][cid + "-q"], conv["mapping"][cid + "-a"]
        q["parent"], q["children"], a["children"] = cid + "-a", [cid + "-a"], [cid + "-q"]
        self.assertAcceptedLosslessly([(cid, hostile.dumps(conv))])

    def test_a_conversation_without_mapping_goes_in_with_a_warning(self):
        self.assertAcceptedLosslessly([self.odd("00000000-0000-4000-8000-000000000501", mapping=None)])

    def test_the_same_id_twice_in_one_export_keeps_both_versions_and_the_later_is_current(self):
        cid = "00000000-0000-4000-8000-000000000601"
        first = hostile.dumps(hostile.conversation(cid, title="The first copy"))
        later = hostile.dumps(hostile.conversation(cid, title="The later copy", update_time=1735689800.0))
        archive = self.assertAcceptedLosslessly([(cid, first), (cid, later)])
        listed = {c["id"]: c for c in self.list_json()}
        self.assertEqual(listed[cid]["versions"], 2)
        self.assertEqual(listed[cid]["title"], "The later copy")
        self.gv_ok("add", archive)  # deterministic: the same archive again changes nothing
        self.assertEqual(self.gv_ok("restore", cid).stdout, later)
        self.assertEqual({c["id"]: c for c in self.list_json()}[cid]["versions"], 2)

    def test_lone_surrogates_and_nul_escapes_inside_strings_go_in_losslessly(self):
        cid = "00000000-0000-4000-8000-000000000701"
        data = hostile.dumps(hostile.conversation(cid, title="TITLE", parts=["PART"]))
        data = data.replace(b'"TITLE"', b'"lone \\ud800 high, \\udfff low, \\ud83d\\ud83d twice"')
        data = data.replace(b'"PART"', b'"before\\u0000after, and a pair \\ud83d\\ude00 for contrast"')
        self.assertAcceptedLosslessly([(cid, data)])

    def test_100000_deep_nesting_inside_a_message_does_not_overflow_the_stack(self):
        depth = 100_000
        arrays_id, objects_id = "00000000-0000-4000-8000-000000000801", "00000000-0000-4000-8000-000000000802"
        arrays = hostile.dumps(hostile.conversation(arrays_id, parts=["DEEP"]))
        arrays = arrays.replace(b'"DEEP"', b"[" * depth + b"]" * depth)
        objects = hostile.dumps(hostile.conversation(objects_id, parts=["DEEP"]))
        objects = objects.replace(b'"DEEP"', b'{"d":' * depth + b"0" + b"}" * depth)
        self.assertAcceptedLosslessly([(arrays_id, arrays), (objects_id, objects)])

    def test_hostile_member_names_go_in_and_restore_assets_never_writes_outside_its_folder(self):
        """Member paths with `..`, an absolute path, backslashes, control bytes,
        3,000 characters, `#`, unicode and a name that ends in `..`."""
        self.assertAssetsStayInside(hostile.hostile_member_names)

    def test_hostile_friendly_names_go_in_and_restore_assets_never_writes_outside_its_folder(self):
        """`.dat` friendly names that are `../../etc/passwd`, absolute, `.`,
        `..`, empty, 3,000 characters long, or hold a slash, a backslash or
        control bytes."""
        self.assertAssetsStayInside(hostile.hostile_friendly_names)

    def assertAssetsStayInside(self, build):
        """The absolute names point into this test's own folder, and DIR sits
        deep enough that `../..` stays inside it too, so an escape is seen,
        not suffered. DIR's parent folders do not exist yet: restore makes
        them."""
        escape_to = self.path("escaped-absolute")
        archive, cid, conv, contents = build(self.path("hostile.zip"), escape_to)
        self.assertEqual(self.verify(archive).returncode, 0)
        self.init_vault()
        self.gv_ok("add", archive)
        assets = self.path(os.path.join("deep", "er", "still", "assets"))
        before = self.files_under(self.dir)
        restored = self.gv_ok("restore", cid, "--assets", assets)
        self.assertEqual(restored.stdout, conv)
        written = self.files_under(self.dir) - before
        made_parents = {self.path("deep"), self.path(os.path.join("deep", "er")),
                        self.path(os.path.join("deep", "er", "still"))}
        self.assertTrue(all(os.path.isdir(p) for p in made_parents))
        outside = sorted(p for p in written - made_parents if not any(
            self.is_inside(p, folder) for folder in (assets, self.vault, self.path("state"))))
        self.assertEqual(outside, [], "restore --assets wrote outside its folder")
        self.assertFalse(os.path.lexists(escape_to))
        by_content = {}
        for p in written:
            if self.is_inside(p, assets) and not os.path.isdir(p):
                self.assertFalse(os.path.islink(p), p)
                self.assertSafeName(os.path.basename(p))
                with open(p, "rb") as f:
                    by_content[sha256(f.read())] = p
        for asset, data in contents.items():
            self.assertIn(sha256(data), by_content, "%s was not restored" % asset)

    def assertSafeName(self, name):
        self.assertNotIn(name, ("", ".", ".."))
        self.assertNotIn("\\", name)
        self.assertFalse(any(ord(c) < 0x20 or ord(c) == 0x7F for c in name), repr(name))
        bidi_controls = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        self.assertFalse(any(c in bidi_controls for c in name), "bidi control in " + repr(name))
        self.assertLessEqual(len(name.encode("utf-8", "surrogateescape")), 255)

    @staticmethod
    def files_under(folder):
        out = set()
        for root, dirs, files in os.walk(folder):
            for name in dirs + files:
                out.add(os.path.join(root, name))
        return out

    @staticmethod
    def is_inside(path, folder):
        path, folder = os.path.realpath(path), os.path.realpath(folder)
        return path == folder or path.startswith(folder + os.sep)
