"""Every export layout real users have had, end to end through the real binary.

For each layout tools/gen_export.py writes (the 2023-25 single
`conversations.json` with 2025 media folders, the early-2026 shards, the
mid-2026 `<assetId>.dat` assets named by `conversation_asset_file_names.json`,
and the privacy-portal container with the export nested as a ZIP inside), two
monthly exports of about 60 conversations with attachments go in, and:
  * every conversation restores byte for byte as the newest export had it;
  * `verify --json` reports the layout, the conversation count and how many
    attachments are referenced, found and missing, as the generator's truth says;
  * `restore ID --assets DIR` writes each attachment under its original name,
    byte for byte, and nothing outside DIR;
  * in the series with missing attachments (`--missing-attachments 0.2`),
    missing files are reported, not fatal, and a file that one month's archive
    lacks is restored from the other month's.

Why: each layout change broke every single-layout importer in 2026 (field
guide, section 4); the vault must read them all and lose nothing.
"""

import hashlib
import json
import os
import unittest

from harness import VaultTestCase, export_path, generate

MONTHS = (1, 2)


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class LayoutSeries:
    """The tests, for the series a subclass names with LAYOUT and MISSING."""

    LAYOUT = None
    MISSING = 0.0  # --missing-attachments
    SEED = 11

    @classmethod
    def setUpClass(cls):
        cls.folder, cls.truth = generate(months=2, conversations=60, seed=cls.SEED, layout=cls.LAYOUT,
                                         shard_size=20, missing_attachments=cls.MISSING)

    def add_both_months(self):
        self.init_vault()
        return [self.gv_ok("add", export_path(self.folder, month)) for month in MONTHS]

    def present_somewhere(self):
        """Pointer -> truth attachment, for every attachment at least one archive holds."""
        out = {}
        for exp in self.truth["exports"]:
            for c in self.truth["conversations"].values():
                for a in c["attachments"]:
                    if a["member"] in exp["members"]:
                        out[a["pointer"]] = a
        return out

    def restore_assets(self, cid):
        """Runs `restore ID --assets DIR`; returns (DIR, {file name: [paths]}) of what it wrote."""
        assets = os.path.join(self.dir, "assets-" + cid[:8])
        restored = self.gv_ok("restore", cid, "--assets", assets)
        with open(os.path.join(self.folder, "truth", cid + ".json"), "rb") as f:
            self.assertEqual(restored.stdout, f.read(), "restore printed other bytes: " + cid)
        found = {}
        for root, _, files in os.walk(assets):
            for name in files:
                path = os.path.join(root, name)
                real = os.path.realpath(path)
                self.assertTrue(real.startswith(os.path.realpath(assets) + os.sep), path)
                found.setdefault(name, []).append(path)
        return assets, found

    def assertRestoredUnderItsName(self, found, attachment):
        paths = found.get(attachment["name"], [])
        self.assertTrue(paths, "%s (%s) was not written under its original name; wrote %s"
                        % (attachment["name"], attachment["pointer"], sorted(found)[:10]))
        self.assertIn(attachment["sha256"], [sha256_of(p) for p in paths], attachment["name"])

    # -- the tests ---------------------------------------------------------------------------
    def test_both_months_go_in_and_every_conversation_restores_byte_for_byte(self):
        self.add_both_months()
        self.assertEqual({c["id"] for c in self.list_json()}, set(self.truth["conversations"]))
        out = os.path.join(self.dir, "restored")
        self.gv_ok("restore", "--all", "-o", out)
        self.assertEqual(sorted(os.listdir(out)), sorted(c + ".json" for c in self.truth["conversations"]))
        for cid in self.truth["conversations"]:
            with open(os.path.join(out, cid + ".json"), "rb") as got, \
                    open(os.path.join(self.folder, "truth", cid + ".json"), "rb") as want:
                self.assertEqual(got.read(), want.read(), "byte-for-byte: " + cid)

    def test_verify_reports_the_layout_and_what_each_month_holds(self):
        for month, exp in zip(MONTHS, self.truth["exports"]):
            with self.subTest(month=month):
                r = self.gv("verify", "--json", export_path(self.folder, month),
                            env={"GPTVAULT_VAULT": os.path.join(self.dir, "none"), "GPTVAULT_PASSPHRASE": None})
                self.assertEqual(r.returncode, 0, r.stderr)
                report = json.loads(r.stdout)
                inner = exp.get("inner_layout") or exp["layout"]
                self.assertIs(report["ok"], True)
                self.assertEqual(report["layout"], "single" if inner == "single" else "sharded")
                self.assertIs(report["dat_assets"], inner == "dat")
                self.assertEqual(report["nested"], exp["nested"])
                self.assertEqual(report["conversations"], len(exp["conversation_ids"]))
                self.assertEqual(report["attachments"], exp["attachments"])
                self.assertEqual(report["problems"], [])

    def test_attachments_restore_under_their_original_names_inside_the_assets_folder(self):
        self.add_both_months()
        present = self.present_somewhere()
        with_attachments = [cid for cid in self.truth["exports"][-1]["conversation_ids"]
                            if any(a["pointer"] in present for a in self.truth["conversations"][cid]["attachments"])]
        self.assertGreaterEqual(len(with_attachments), 3, "the generator should make attachments")
        # The most attachments first: they cover uploads, images, documents and voice.
        with_attachments.sort(key=lambda cid: -len(self.truth["conversations"][cid]["attachments"]))
        for cid in with_attachments[:4]:
            with self.subTest(conversation=cid):
                _, found = self.restore_assets(cid)
                for a in self.truth["conversations"][cid]["attachments"]:
                    if a["pointer"] in present:
                        self.assertRestoredUnderItsName(found, a)


class MissingAttachments:
    """Tests for the series generated with missing attachments."""

    def test_a_missing_attachment_is_reported_and_not_fatal(self):
        adds = self.add_both_months()
        for add, exp in zip(adds, self.truth["exports"]):
            if exp["missing_attachments"]:
                self.assertIn(b"warning", add.stderr.lower())

    def test_an_attachment_missing_from_month_2_is_restored_from_month_1(self):
        first, second = self.truth["exports"]
        by_pointer = {a["pointer"]: a for c in self.truth["conversations"].values() for a in c["attachments"]}
        gaps = [(m["conversation"], by_pointer[m["pointer"]]) for m in second["missing_attachments"]
                if by_pointer[m["pointer"]]["member"] in first["members"]]
        self.assertTrue(gaps, "the generator should leave out of month 2 a file month 1 has")
        self.add_both_months()
        for cid, attachment in gaps[:3]:
            with self.subTest(conversation=cid, pointer=attachment["pointer"]):
                _, found = self.restore_assets(cid)
                self.assertRestoredUnderItsName(found, attachment)


class SingleFileLayout(LayoutSeries, MissingAttachments, VaultTestCase):
    LAYOUT, MISSING = "single", 0.2


class ShardedLayout(LayoutSeries, VaultTestCase):
    LAYOUT = "sharded"


class DatAssetsLayout(LayoutSeries, MissingAttachments, VaultTestCase):
    LAYOUT, MISSING = "dat", 0.2


class PrivacyPortalContainer(LayoutSeries, VaultTestCase):
    LAYOUT = "portal"


if __name__ == "__main__":
    unittest.main()
