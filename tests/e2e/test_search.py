"""`list --search`, end to end: a conversation is found by what its messages
say, not only by its title, and exactly the conversations that say it are
listed, each with the words around the match."""

import json
import os
import random

from harness import VaultTestCase, export_path, generate

STRUCTURAL = {"content_type", "asset_pointer", "expiry_datetime", "format", "direction",
              "decoding_id", "response_format_name", "gen_id", "serialization_title"}
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def said(value, inside=False):
    """Every string a conversation's messages say: those under a `content` member."""
    if isinstance(value, str):
        if inside:
            yield value
    elif isinstance(value, list):
        for v in value:
            yield from said(v, inside)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from said(v, k == "content" or (inside and k not in STRUCTURAL))


def mentions(conv, text):
    needle = text.translate(ASCII_LOWER)
    strings = [conv.get("title") or ""] + list(said(conv.get("mapping", {})))
    return any(needle in s.translate(ASCII_LOWER) for s in strings)


class SearchByWhatIsSaid(VaultTestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder, cls.truth = generate(months=2, conversations=150, seed=12, layout="single")

    def test_exactly_the_conversations_that_say_a_phrase_are_listed_with_its_context(self):
        self.init_vault()
        for month in (1, 2):
            self.gv_ok("add", export_path(self.folder, month))
        out = os.path.join(self.dir, "all")
        self.gv_ok("restore", "--all", "-o", out)
        convs = {}
        for name in os.listdir(out):
            with open(os.path.join(out, name), encoding="utf-8") as f:
                conv = json.load(f)
            convs[conv.get("conversation_id") or conv["id"]] = conv
        rng = random.Random(7)
        tried = 0
        for cid in rng.sample(sorted(convs), 6):
            words = [w for s in said(convs[cid]["mapping"]) for w in s.split()
                     if w.isascii() and w.isalpha() and len(w) > 3]
            if len(words) < 3:
                continue
            start = rng.randrange(len(words) - 2)
            phrase = " ".join(words[start:start + 2]).upper()
            want = {c for c, conv in convs.items() if mentions(conv, phrase)}
            if len(want) > 20 or not any(
                    phrase.translate(ASCII_LOWER) in s.translate(ASCII_LOWER)
                    for s in said(convs[cid]["mapping"])):
                continue  # too common, or the two words were not adjacent
            tried += 1
            listed = json.loads(self.gv_ok("list", "--json", "--search", phrase).stdout)
            self.assertEqual({c["id"] for c in listed}, want, phrase)
            self.assertIn(cid, want)
            for c in listed:
                if "match" in c:
                    self.assertIn(phrase.translate(ASCII_LOWER), c["match"].translate(ASCII_LOWER))
            table = self.gv_ok("list", "--search", phrase).stdout.decode()
            self.assertIn("%d conversations" % len(want), table)
        self.assertGreater(tried, 0)

    def test_a_phrase_no_conversation_says_lists_none(self):
        self.init_vault()
        self.gv_ok("add", export_path(self.folder, 1))
        self.assertEqual(json.loads(self.gv_ok("list", "--json", "--search", "qqzzxj").stdout), [])
