"""Restoring conversations for reading (`restore --format md|html`), end to
end: what the page shows of the current branch is there in order, other
branches are not, attachments are linked where --assets wrote them, and the
HTML carries no markup from the export."""

import html.parser
import json
import os
import re
import urllib.parse

from harness import VaultTestCase, export_path, generate

MARKER = re.compile("\ue200.*?\ue201", re.S)


def current_branch(conv):
    """Messages from the root to current_node (the generator always sets it)."""
    mapping, out, seen = conv["mapping"], [], set()
    node = conv.get("current_node")
    while node in mapping and node not in seen:
        seen.add(node)
        out.append(mapping[node])
        node = mapping[node].get("parent")
    return [n["message"] for n in reversed(out) if n.get("message")]


def plain_text(msg):
    """The text of an ordinary user or assistant message, else None."""
    if msg["author"]["role"] not in ("user", "assistant"):
        return None
    if msg.get("recipient", "all") != "all" or msg["content"].get("content_type") != "text":
        return None
    if (msg.get("metadata") or {}).get("is_visually_hidden_from_conversation"):
        return None
    parts = [p for p in msg["content"].get("parts") or [] if isinstance(p, str)]
    text = MARKER.sub("", "\n\n".join(parts))
    text = "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 0x20 and ord(ch) != 0x7F)
    return text if text.strip() else None


class Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.sources = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name == "src":
                self.sources.append(value)


class RestoreForReading(VaultTestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder, cls.truth = generate(months=1, conversations=120, seed=11, layout="single")

    def setUp(self):
        super().setUp()
        self.init_vault()
        self.gv_ok("add", export_path(self.folder, 1))

    def restore_all(self, fmt):
        out = os.path.join(self.dir, "all-" + fmt)
        self.gv_ok("restore", "--all", "--format", fmt, "-o", out)
        return out

    def test_markdown_shows_the_current_branch_in_order_and_no_other_branch(self):
        originals, mds = self.restore_all("json"), self.restore_all("md")
        checked_branches = 0
        for cid in self.truth["conversations"]:
            with open(os.path.join(originals, cid + ".json"), encoding="utf-8") as f:
                conv = json.load(f)
            with open(os.path.join(mds, cid + ".md"), encoding="utf-8") as f:
                md = f.read()
            branch = current_branch(conv)
            shown = [t for t in map(plain_text, branch) if t]
            at = 0
            for text in shown:
                found = md.find(text, at)
                self.assertGreaterEqual(found, 0, "%s: %r missing or out of order" % (cid, text[:60]))
                at = found + len(text)
            on_branch = {id(m) for m in branch}
            for node in conv["mapping"].values():
                msg = node.get("message")
                text = msg and id(msg) not in on_branch and plain_text(msg)
                if text and len(text) > 40 and not any(text in s for s in shown):
                    checked_branches += 1
                    self.assertNotIn(text, md, "%s: another branch's message is shown" % cid)
        self.assertGreater(checked_branches, 0, "the series should hold other branches")

    def test_attachments_on_the_current_branch_are_linked_where_they_were_written(self):
        originals = self.restore_all("json")
        linked = 0
        for cid, truth in self.truth["conversations"].items():
            with open(os.path.join(originals, cid + ".json"), encoding="utf-8") as f:
                shown = json.dumps(current_branch(json.load(f)))
            want = {a["name"] for a in truth["attachments"] if '"%s"' % a["pointer"] in shown}
            if not want or linked >= 6:
                continue
            linked += 1
            for fmt in ("md", "html"):
                out = os.path.join(self.dir, fmt, cid[:8])
                doc = os.path.join(out, "chat." + fmt)
                os.makedirs(out)
                self.gv_ok("restore", cid, "--format", fmt, "-o", doc, "--assets",
                           os.path.join(out, "files"))
                with open(doc, encoding="utf-8") as f:
                    text = f.read()
                if fmt == "md":
                    links = re.findall(r"\]\(<([^>]*)>\)", text)
                else:
                    tags = Tags()
                    tags.feed(text)
                    links = [urllib.parse.unquote(s) for s in tags.sources]
                    links += [urllib.parse.unquote(h) for h in re.findall(r'<a href="([^"]*)">', text)]
                for link in links:
                    self.assertTrue(os.path.isfile(os.path.join(out, link)), "%s: %s" % (cid, link))
                self.assertLessEqual(want, {os.path.basename(l) for l in links}, cid)
        self.assertGreater(linked, 0, "the series should show attachments")

    def test_html_holds_no_markup_from_the_export(self):
        allowed = {"html", "head", "meta", "style", "title", "body", "h1", "h2", "p", "code", "time",
                   "section", "div", "pre", "blockquote", "a", "figure", "img", "audio"}
        out = os.path.join(self.dir, "html")
        self.gv_ok("restore", "--all", "--format", "html", "-o", out)
        files = os.listdir(out)
        self.assertEqual(len(files), len(self.truth["conversations"]))
        for name in files:
            self.assertTrue(name.endswith(".html"), name)
            tags = Tags()
            with open(os.path.join(out, name), encoding="utf-8") as f:
                tags.feed(f.read())
            self.assertLessEqual(set(tags.tags), allowed, name)

    def test_an_unknown_format_is_a_usage_error(self):
        cid = next(iter(self.truth["conversations"]))
        r = self.gv("restore", cid, "--format", "pdf")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stdout, b"")
