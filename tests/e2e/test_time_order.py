"""Time never runs backwards: whatever order the exports of one account are
added in, the vault's current view is the one their dates give. An older
export added late is kept as history and says so; the same export twice is
recognised and adds nothing."""

import datetime
import json
import os
import random

from harness import VaultTestCase, export_path, generate, tree_bytes

MONTHS = 4


def day(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%d")


class ExportsAddedOutOfOrder(VaultTestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder, cls.truth = generate(months=MONTHS, conversations=160, seed=7, layout="sharded")

    def view(self):
        """What a user sees of the vault now: the list and every restored byte."""
        listed = sorted(self.list_json(), key=lambda c: c["id"])
        out = os.path.join(self.dir, "restored-%d" % random.getrandbits(32))
        self.gv_ok("restore", "--all", "-o", out)
        return listed, tree_bytes(out)

    def fresh_vault(self, name):
        self.env["GPTVAULT_VAULT"] = os.path.join(self.dir, name)
        self.init_vault()

    def test_a_shuffled_series_gives_the_same_current_view_as_the_series_in_order(self):
        self.fresh_vault("in-order")
        for month in range(1, MONTHS + 1):
            self.gv_ok("add", export_path(self.folder, month))
        in_order = self.view()
        for order in ([4, 2, 1, 3], [3, 1, 4, 2]):
            self.fresh_vault("shuffled-" + "".join(map(str, order)))
            for month in order:  # one add each: the order really is this one
                self.gv_ok("add", export_path(self.folder, month))
            self.assertEqual(self.view(), in_order, "added in the order %s" % order)

    def test_the_current_view_is_each_conversation_s_newest_version(self):
        self.fresh_vault("backwards")
        for month in reversed(range(1, MONTHS + 1)):
            self.gv_ok("add", export_path(self.folder, month))
        listed = {c["id"]: c for c in self.list_json()}
        newest = set(self.truth["exports"][-1]["conversation_ids"])
        for cid, want in self.truth["conversations"].items():
            self.assertEqual(listed[cid]["title"], want["title"], cid)
            self.assertEqual(listed[cid]["messages"], want["messages_current_branch"], cid)
            self.assertEqual(listed[cid]["in_latest_export"], cid in newest, cid)
            with open(os.path.join(self.folder, "truth", cid + ".json"), "rb") as f:
                self.assertEqual(self.gv_ok("restore", cid).stdout, f.read(), cid)

    def test_an_older_export_added_late_says_it_is_kept_as_history(self):
        self.fresh_vault("late")
        self.gv_ok("add", export_path(self.folder, 3))
        r = self.gv_ok("add", export_path(self.folder, 2))
        log = json.loads(self.gv_ok("log", "--json").stdout)
        self.assertIn(("this export is from %s, older than snapshot 1 from %s: its changes are "
                       "kept as history" % (day(log[1]["export_time"]), day(log[0]["export_time"])))
                      .encode(), r.stdout)
        self.assertLess(log[1]["export_time"], log[0]["export_time"])

    def test_several_archives_in_one_add_go_in_oldest_first(self):
        self.fresh_vault("many")
        months = [3, 1, 4, 2]
        r = self.gv_ok("add", *[export_path(self.folder, m) for m in months])
        self.assertNotIn(b"older than", r.stdout)
        log = json.loads(self.gv_ok("log", "--json").stdout)
        self.assertEqual([s["source"] for s in log],
                         [os.path.basename(export_path(self.folder, m)) for m in sorted(months)])
        times = [s["export_time"] for s in log]
        self.assertEqual(times, sorted(times))

    def test_the_same_export_again_is_recognised_and_changes_nothing(self):
        self.fresh_vault("again")
        for month in (1, 2, 3):
            self.gv_ok("add", export_path(self.folder, month))
        before = tree_bytes(self.env["GPTVAULT_VAULT"])
        r = self.gv_ok("add", export_path(self.folder, 2))
        self.assertIn(b"same as snapshot 2; nothing added", r.stdout)
        self.assertEqual(tree_bytes(self.env["GPTVAULT_VAULT"]), before)
        self.assertEqual(len(json.loads(self.gv_ok("log", "--json").stdout)), 3)


if __name__ == "__main__":
    import unittest
    unittest.main()
