"""History you can walk, through the real binary: on a series of three monthly
exports with churn (grown, edited, regenerated, renamed, dropped and new
conversations), `log` and `stats` agree, `history` shows exactly the distinct
versions each conversation had and which exports held them, and `restore`
gives back, byte for byte, the conversation as it was in each month's export:
by snapshot, by version and by date. A damaged vault still gives back every
conversation it can read."""

import hashlib
import importlib.util
import json
import os
import pty
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

from harness import BIN, GENERATOR, PASSPHRASE, VaultTestCase, export_path, generate

_spec = importlib.util.spec_from_file_location("gen_export", GENERATOR)
gen_export = importlib.util.module_from_spec(_spec)
sys.modules["gen_export"] = gen_export
_spec.loader.exec_module(gen_export)

MONTHS = 3


def conversations_in(archive):
    """Conversation id -> (its exact bytes in the archive, the parsed object)."""
    out = {}
    with zipfile.ZipFile(archive) as z:
        for name in z.namelist():
            if name == "conversations.json" or (name.startswith("conversations-")
                                                and name.endswith(".json")):
                with z.open(name) as f:
                    for text, obj in gen_export.ArrayReader(f).elements():
                        out[obj["id"]] = (text.encode("utf-8"), obj)
    return out


class SeriesVault(VaultTestCase):
    """One vault per class, the series added month by month and kept unlocked
    (one Argon2id for the whole class); tests that change it work on a copy."""
    LAYOUT, SEED, EXTRA = "single", 6, {}

    @classmethod
    def setUpClass(cls):
        cls.folder, cls.truth = generate(months=MONTHS, conversations=50, seed=cls.SEED,
                                         layout=cls.LAYOUT, **cls.EXTRA)
        cls.months = [conversations_in(export_path(cls.folder, m)) for m in range(1, MONTHS + 1)]
        cls.ids = sorted(set().union(*cls.months))
        # Changed: more than one version, or missing from some month.
        cls.changed = [c for c in cls.ids if len(cls.versions_seen(c)) > 1 or
                       any(c not in m for m in cls.months)]
        cls.home = tempfile.mkdtemp(prefix="gv-history-")
        cls.class_env = dict(os.environ, GPTVAULT_VAULT=os.path.join(cls.home, "vault"),
                             GPTVAULT_PASSPHRASE=PASSPHRASE,
                             XDG_STATE_HOME=os.path.join(cls.home, "state"),
                             XDG_DATA_HOME=os.path.join(cls.home, "data"),
                             XDG_RUNTIME_DIR=os.path.join(cls.home, "run"))
        os.mkdir(cls.class_env["XDG_RUNTIME_DIR"], 0o700)

        def run(*args):
            subprocess.run([BIN, *args], env=cls.class_env, check=True,
                           stdin=subprocess.DEVNULL, capture_output=True)
        run("init")
        run("unlock", "--for", "30m")
        data = os.path.join(cls.class_env["GPTVAULT_VAULT"], "data")
        for m in range(1, MONTHS + 1):
            run("add", export_path(cls.folder, m))
            if m == 1:  # the packs the first add wrote
                cls.first_packs = [os.path.relpath(os.path.join(d, f), data)
                                   for d, _, files in os.walk(data) for f in files]

    @classmethod
    def tearDownClass(cls):
        subprocess.run([BIN, "lock"], env=cls.class_env, stdin=subprocess.DEVNULL,
                       capture_output=True)
        shutil.rmtree(cls.home, ignore_errors=True)

    @classmethod
    def versions_seen(cls, cid):
        """The distinct bytes of `cid` over the months, in the order first seen."""
        return list(dict.fromkeys(m[cid][0] for m in cls.months if cid in m))

    def setUp(self):
        super().setUp()
        for key in ("GPTVAULT_VAULT", "XDG_STATE_HOME", "XDG_RUNTIME_DIR"):
            self.env[key] = self.class_env[key]

    def json_of(self, *args):
        return json.loads(self.gv_ok(*args).stdout)

    def as_of_month(self, cid, month):
        """What the vault should show of `cid` right after month `month` was added: that
        month's bytes, else (dropped) the last month's before it that had it, else None."""
        for m in reversed(self.months[:month]):
            if cid in m:
                return m[cid][0]
        return None


class ChurningSeriesTests:
    def test_the_series_has_every_kind_of_churn(self):
        first, last = self.months[0], self.months[-1]
        kinds = {
            "grown or edited": [c for c in self.ids if len(self.versions_seen(c)) > 1],
            "renamed": [c for c in self.ids
                        if len({m[c][1]["title"] for m in self.months if c in m}) > 1],
            "dropped": [c for c in first if c not in last],
            "new": [c for c in last if c not in first],
            "regenerated or edited (a new branch)": [
                c for c in self.ids if c in first and c in last and
                len(first[c][1]["mapping"]) > 0 and
                sum(1 for n in last[c][1]["mapping"].values() if len(n.get("children") or []) > 1)
                > sum(1 for n in first[c][1]["mapping"].values()
                      if len(n.get("children") or []) > 1)],
        }
        if self.LAYOUT == "single":  # 2026 layouts carry no `children`; history counts them
            for kind, found in kinds.items():
                self.assertTrue(found, kind)
        else:
            del kinds["regenerated or edited (a new branch)"]
            for kind, found in kinds.items():
                self.assertTrue(found, kind)

    def test_every_changed_conversation_restores_as_it_was_in_each_snapshot(self):
        for cid in self.changed:
            for month in range(1, MONTHS + 1):
                want = self.as_of_month(cid, month)
                r = self.gv("restore", cid, "--snapshot", str(month))
                if want is None:
                    self.assertFailsWithOneLine(r, "is not in snapshot %d: it was first added "
                                                   "later" % month)
                else:
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertEqual(r.stdout, want, "%s as of snapshot %d" % (cid, month))

    def test_a_snapshot_is_named_by_its_id_prefix_and_latest_as_well(self):
        log = self.json_of("log", "--json")
        cid = self.changed[0]
        for month in range(1, MONTHS + 1):
            want = self.as_of_month(cid, month)
            if want is None:
                continue
            self.assertEqual(self.gv_ok("restore", cid, "--snapshot",
                                        log[month - 1]["short_id"]).stdout, want)
            self.assertEqual(self.gv_ok("restore", cid, "--snapshot",
                                        log[month - 1]["id"][:12]).stdout, want)
        self.assertEqual(self.gv_ok("restore", cid, "--snapshot", "latest").stdout,
                         self.gv_ok("restore", cid).stdout)

    def test_history_counts_exactly_the_distinct_versions_and_the_exports_that_held_them(self):
        newest = self.months[-1]
        for cid in self.ids:
            h = self.json_of("history", cid, "--json")
            seen = self.versions_seen(cid)
            self.assertEqual(len(h["versions"]), len(seen), cid)
            self.assertEqual(len(h["versions"]), self.truth["conversations"][cid]["versions"], cid)
            self.assertEqual([v["version"] for v in h["versions"]],
                             list(range(1, len(seen) + 1)))
            self.assertEqual(h["in_newest_export"], cid in newest, cid)
            self.assertEqual(sum(v["current"] for v in h["versions"]), 1, cid)
            if cid not in self.changed:
                continue
            previous_title = None
            for v in h["versions"]:
                body = self.gv_ok("restore", cid, "--version", str(v["version"])).stdout
                self.assertIn(body, seen, "%s version %d" % (cid, v["version"]))
                held = [m for m in range(1, MONTHS + 1)
                        if cid in self.months[m - 1] and self.months[m - 1][cid][0] == body]
                self.assertEqual(v["snapshots"], held, cid)
                self.assertEqual((v["first_snapshot"], v["last_snapshot"]), (held[0], held[-1]))
                obj = json.loads(body)
                self.assertEqual(v["title"], obj["title"])
                self.assertEqual(v["update_time"], obj["update_time"])
                self.assertEqual(v["title_changed"],
                                 v["version"] > 1 and obj["title"] != previous_title, cid)
                previous_title = obj["title"]
            # Oldest first: the versions' update_times never go down, and the last is current.
            times = [v["update_time"] for v in h["versions"]]
            self.assertEqual(times, sorted(times), cid)
            self.assertTrue(h["versions"][-1]["current"], cid)
            self.assertEqual(h["current_version"], len(seen))

    def test_history_as_text_marks_the_current_version_renames_and_a_dropped_conversation(self):
        renamed = [c for c in self.changed
                   if len({m[c][1]["title"] for m in self.months if c in m}) > 1]
        text = self.gv_ok("history", renamed[0][:8]).stdout.decode()
        self.assertIn("[renamed]", text)
        self.assertRegex(text, r"(?m)^\*\s+\d+\s")
        dropped = [c for c in self.months[0] if c not in self.months[-1]]
        if dropped:
            text = self.gv_ok("history", dropped[0]).stdout.decode()
            self.assertIn("not in the newest export (snapshot %d)" % MONTHS, text)
        kept = [c for c in self.months[-1] if c not in self.changed][0]
        self.assertNotIn("not in the newest export", self.gv_ok("history", kept).stdout.decode())

    def test_the_version_current_at_each_export_s_date_is_that_export_s(self):
        log = self.json_of("log", "--json")
        for cid in self.changed:
            for month in range(1, MONTHS + 1):
                # RFC 3339 to the second, as log prints it: takes in that whole second.
                r = self.gv("restore", cid, "--at", log[month - 1]["export_date"])
                want = self.as_of_month(cid, month)
                if want is None:
                    self.assertFailsWithOneLine(r, "has no version from")
                else:
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertEqual(r.stdout, want, "%s at %s" % (cid, log[month - 1]["export_date"]))
        cid = self.changed[0]
        self.assertEqual(self.gv_ok("restore", cid, "--at", "2999-12-31").stdout,
                         self.gv_ok("restore", cid).stdout)
        self.assertFailsWithOneLine(self.gv("restore", cid, "--at", "1999-01-01"),
                                    "has no version from 1999-01-01 23:59 UTC or before: its "
                                    "oldest, version 1, is from")

    def test_md_and_html_as_of_a_snapshot_render_the_version_that_snapshot_held(self):
        checked = 0
        for cid in self.changed:
            versions = self.json_of("history", cid, "--json")["versions"]
            if len(versions) < 2:
                continue
            first, now = versions[0], versions[-1]
            for fmt in ("md", "html"):
                by_snapshot = self.gv_ok("restore", cid, "--snapshot", str(first["last_snapshot"]),
                                         "--format", fmt).stdout
                by_version = self.gv_ok("restore", cid, "--version", "1", "--format", fmt).stdout
                self.assertEqual(by_snapshot, by_version, cid)
                if (now["title"], now["messages"]) != (first["title"], first["messages"]):
                    self.assertNotEqual(by_version,
                                        self.gv_ok("restore", cid, "--format", fmt).stdout, cid)
                    checked += 1
        self.assertTrue(checked)

    def test_assets_are_the_files_of_the_version_restored(self):
        stored = {a["pointer"].split("://")[-1]: a["sha256"]
                  for t in self.truth["conversations"].values() for a in t["attachments"]}
        checked = 0
        for cid in self.changed:
            versions = self.json_of("history", cid, "--json")["versions"]
            for v in versions:
                body = self.gv_ok("restore", cid, "--version", str(v["version"])).stdout
                pointers = gen_export.pointers_in(json.loads(body))
                if not pointers:
                    continue
                selectors = [["--version", str(v["version"])]]
                if self.as_of_month(cid, v["last_snapshot"]) == body:
                    selectors.append(["--snapshot", str(v["last_snapshot"])])
                for selector in selectors:
                    out = os.path.join(self.dir, "%s-%s" % (cid, "-".join(selector)))
                    r = self.gv_ok("restore", cid, *selector, "--format", "md", "-o",
                                   os.path.join(out, "chat.md"), "--assets",
                                   os.path.join(out, "files"))
                    names = sorted(os.listdir(os.path.join(out, "files")))
                    self.assertIn(b"wrote %d attachments" % len(names), r.stderr)
                    self.assertEqual(len(names), len(pointers), (cid, selector, r.stderr))
                    with open(os.path.join(out, "chat.md"), encoding="utf-8") as f:
                        self.assertIn("files/", f.read())  # linked where they were written
                    if all(p in stored for p in pointers):
                        written = []
                        for name in names:
                            with open(os.path.join(out, "files", name), "rb") as f:
                                written.append(hashlib.sha256(f.read()).hexdigest())
                        self.assertEqual(sorted(written), sorted(stored[p] for p in pointers))
                        checked += 1
        self.assertTrue(checked, "no changed conversation with attachments in this series")

    def test_restore_all_and_list_as_of_a_snapshot_show_the_vault_as_it_was(self):
        out = os.path.join(self.dir, "as-of-1")
        r = self.gv_ok("restore", "--all", "--snapshot", "1", "-o", out)
        self.assertIn(b"restored %d conversations" % len(self.months[0]), r.stderr)
        for cid, (body, _) in self.months[0].items():
            with open(os.path.join(out, cid + ".json"), "rb") as f:
                self.assertEqual(f.read(), body, cid)
        self.assertEqual(len(os.listdir(out)), len(self.months[0]))
        for month in range(1, MONTHS + 1):
            listed = {c["id"]: c for c in self.json_of("list", "--snapshot", str(month), "--json")}
            self.assertEqual(set(listed), set().union(*self.months[:month]))
            for cid, c in listed.items():
                self.assertEqual(c["in_latest_export"], cid in self.months[month - 1], cid)
                body = self.as_of_month(cid, month)
                self.assertEqual(c["title"], json.loads(body)["title"], cid)
        self.assertEqual(self.json_of("list", "--snapshot", "latest", "--json"),
                         self.json_of("list", "--json"))

    def test_stats_agrees_with_log(self):
        log = self.json_of("log", "--json")
        stats = self.json_of("stats", "--json")
        self.assertEqual(stats["snapshots"], len(log))
        self.assertEqual(stats["archive_bytes"], sum(s["source_size"] for s in log))
        self.assertEqual(stats["bytes_read"], sum(s["bytes_read"] for s in log))
        self.assertEqual(stats["bytes_stored"], sum(s["bytes_stored"] for s in log))
        self.assertEqual([g["bytes_stored"] for g in stats["growth"]],
                         [s["bytes_stored"] for s in log])
        self.assertEqual([g["id"] for g in stats["growth"]], [s["id"] for s in log])
        self.assertEqual(stats["growth"][-1]["total_stored"], stats["bytes_stored"])
        self.assertEqual(stats["conversations"], len(self.ids))
        self.assertEqual(stats["in_newest_export"], len(self.months[-1]))
        self.assertEqual(stats["versions"], sum(len(self.versions_seen(c)) for c in self.ids))
        self.assertAlmostEqual(stats["dedupe_ratio"], stats["bytes_read"] / stats["bytes_stored"])
        self.assertGreater(stats["dedupe_ratio"], 1)
        text = self.gv_ok("stats").stdout.decode()
        self.assertIn("versions       %d" % stats["versions"], text)
        for s in log:
            self.assertIn(s["short_id"], text)

    def test_log_shows_each_snapshot_s_counts_and_dates(self):
        log = self.json_of("log", "--json")
        self.assertEqual([s["seq"] for s in log], list(range(1, MONTHS + 1)))
        for s, month in zip(log, self.months):
            self.assertRegex(s["id"], r"^[0-9a-f]{64}$")
            self.assertEqual(s["short_id"], s["id"][:8])
            self.assertEqual(s["conversations"], len(month))
            self.assertEqual(s["new"] + s["updated"] + s["unchanged"], len(month))
            newest = max(obj["update_time"] for _, obj in month.values())
            self.assertAlmostEqual(s["export_time"], newest)
            self.assertRegex(s["export_date"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        text = self.gv_ok("log").stdout.decode()
        for s in log:
            self.assertIn("snapshot %d  %s  added %s  %s  (export of %s)"
                          % (s["seq"], s["short_id"], s["time"], s["source"], s["export_date"][:10]),
                          text)
            self.assertIn("%d new, %d updated, %d unchanged, %d kept from earlier"
                          % (s["new"], s["updated"], s["unchanged"], s["kept"]), text)

    def test_log_on_a_terminal_is_an_aligned_table(self):
        master, slave = pty.openpty()
        proc = subprocess.Popen([BIN, "log"], env=self.env, stdin=subprocess.DEVNULL,
                                stdout=slave, stderr=subprocess.PIPE)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO once the child has closed its end
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        self.assertEqual(proc.wait(), 0, proc.stderr.read())
        proc.stderr.close()
        lines = b"".join(chunks).decode().replace("\r\n", "\n").splitlines()
        self.assertEqual(len(lines), 1 + MONTHS, lines)
        self.assertRegex(lines[0], r"^#\s+ID\s+ADDED \(UTC\)\s+EXPORT OF\s+NEW\s+UPDATED\s+"
                                   r"UNCHANGED\s+KEPT\s+READ\s+STORED\s+ARCHIVE$")
        log = self.json_of("log", "--json")
        for line, s in zip(lines[1:], log):
            self.assertEqual(line.index(s["short_id"]), lines[0].index("ID"), line)
            self.assertEqual(line.index(s["source"]), lines[0].index("ARCHIVE"), line)
            self.assertEqual(line.index(s["export_date"][:10]), lines[0].index("EXPORT OF"))


class BadInputTests:
    def test_unknown_ids_snapshots_and_versions_are_one_line_each(self):
        cid = self.changed[0]
        self.assertFailsWithOneLine(self.gv("history", "00000000-nope"),
                                    "no conversation with id 00000000-nope")
        self.assertFailsWithOneLine(self.gv("history", "abc"), "at least 6 characters")
        self.assertFailsWithOneLine(self.gv("restore", cid, "--snapshot", "9"),
                                    "no snapshot 9 (gptvault log lists them, 1 to 3)")
        self.assertFailsWithOneLine(self.gv("restore", cid, "--snapshot", "ffffffffff"),
                                    "no snapshot with id ffffffffff")
        self.assertFailsWithOneLine(self.gv("restore", cid, "--snapshot", "abc"),
                                    "a snapshot is named by its number, latest, or at least 8")
        self.assertFailsWithOneLine(self.gv("list", "--snapshot", "0"), "no snapshot 0")
        n = len(self.versions_seen(cid))
        self.assertFailsWithOneLine(self.gv("restore", cid, "--version", str(n + 1)),
                                    "has no version %d (it has %d; gptvault history lists them)"
                                    % (n + 1, n))
        self.assertFailsWithOneLine(self.gv("restore", cid, "--version", "0"), "has no version 0")
        out = os.path.join(self.dir, "nothing")
        self.assertFailsWithOneLine(self.gv("restore", "--all", "--snapshot", "7", "-o", out))
        self.assertFalse(os.path.exists(out))

    def test_two_selectors_or_a_date_that_is_not_one_are_usage_errors(self):
        cid = self.changed[0]
        for args in (["--snapshot", "1", "--version", "1"], ["--snapshot", "1", "--at", "2025-01-01"],
                     ["--version", "1", "--at", "2025-01-01"], ["--at", "2025-02-30"],
                     ["--at", "March"], ["--at", "2025-01-01T25:00Z"], ["--version", "x"]):
            r = self.gv("restore", cid, *args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertEqual(r.stdout, b"")
            self.assertEqual(len(r.stderr.decode().strip().splitlines()), 1, r.stderr)
        for args in (["--all", "--version", "1", "-o", "x"], ["--all", "--at", "2025-01-01", "-o", "x"]):
            self.assertEqual(self.gv("restore", *args).returncode, 2, args)

    def test_a_date_may_be_given_to_the_day_minute_or_second_with_an_offset(self):
        cid = self.changed[0]
        h = self.json_of("history", cid, "--json")
        last = h["versions"][-1]["updated"]  # 2025-03-04T05:06:07Z
        current = self.gv_ok("restore", cid).stdout
        for given in (last, last[:16] + "Z", last[:16].replace("T", " "), last[:10],
                      last[:19] + "+00:00"):
            self.assertEqual(self.gv_ok("restore", cid, "--at", given).stdout, current, given)
        # An hour east of UTC, the same wall-clock time is an hour earlier.
        r = self.gv("restore", cid, "--at", last[:19] + "+01:00")
        if r.returncode == 0:
            self.assertNotEqual(r.stdout, current)
        else:
            self.assertFailsWithOneLine(r, "has no version from")


class DamageTests:
    def use_a_copy(self):
        """A copy of the class's vault to damage; the class's session unlocks it as well."""
        self.env["GPTVAULT_VAULT"] = os.path.join(self.dir, "vault")
        shutil.copytree(self.class_env["GPTVAULT_VAULT"], self.env["GPTVAULT_VAULT"])

    def packs_of_the_first_add(self):
        return [os.path.join(self.env["GPTVAULT_VAULT"], "data", p) for p in self.first_packs]

    def unrestorable(self):
        out = self.gv("check", "--read-data").stdout.decode(errors="replace")
        return set(re.findall(r"^problem: conversation (\S+) cannot be restored: ", out, re.M))

    def test_restore_all_on_a_damaged_vault_restores_the_rest_names_each_lost_one_and_fails(self):
        self.use_a_copy()
        pack = max(self.packs_of_the_first_add(), key=os.path.getsize)
        size = os.path.getsize(pack)
        with open(pack, "rb") as f:
            original = f.read()
        broken = set()
        # Flip one byte, early in the pack where the first add's conversations are, until
        # some conversations are lost and the newest catalog is not.
        for k in range(1, 40):
            data = bytearray(original)
            data[size * k // 50] ^= 0x20
            with open(pack, "wb") as f:
                f.write(data)
            broken = self.unrestorable()
            if broken and self.gv("list").returncode == 0:  # the newest catalog is whole
                break
            broken = set()
        self.assertTrue(broken, "no single flipped byte lost a conversation")
        dest = os.path.join(self.dir, "restored")
        r = self.gv("restore", "--all", "-o", dest)
        self.assertEqual(r.returncode, 1, r.stderr)
        lines = r.stderr.decode().strip().splitlines()
        named = set(re.findall(r"^gptvault: conversation (\S+) cannot be restored: ",
                               r.stderr.decode(), re.M))
        self.assertEqual(named, broken)
        self.assertEqual(len(lines), len(broken) + 1, lines)
        readable = len(self.ids) - len(broken)
        self.assertIn("gptvault: restored %d of %d conversations to %s" % (readable, len(self.ids),
                                                                            dest), lines[-1])
        self.assertEqual(sorted(os.listdir(dest)), sorted(c + ".json" for c in self.ids
                                                          if c not in broken))
        for cid in self.ids:
            if cid not in broken:
                with open(os.path.join(dest, cid + ".json"), "rb") as f:
                    self.assertEqual(f.read(), self.as_of_month(cid, MONTHS), cid)

    def test_a_snapshot_whose_objects_are_gone_is_one_line_and_nothing_is_written(self):
        self.use_a_copy()
        for pack in self.packs_of_the_first_add():
            os.remove(pack)
        cid = self.changed[0]
        out = os.path.join(self.dir, "as-of-1")
        for args in (["restore", cid, "--snapshot", "1"], ["list", "--snapshot", "1"],
                     ["history", cid], ["restore", "--all", "--snapshot", "1", "-o", out]):
            self.assertFailsWithOneLine(self.gv(*args), "is missing")
        self.assertFalse(os.path.exists(out))


class SingleFileSeries(ChurningSeriesTests, BadInputTests, DamageTests, SeriesVault):
    LAYOUT, SEED, EXTRA = "single", 6, {}


class ShardedDatSeries(ChurningSeriesTests, SeriesVault):
    LAYOUT, SEED, EXTRA = "dat", 5, {"shard_size": 20}
