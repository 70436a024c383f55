#!/usr/bin/env python3
"""Synthetic ChatGPT "Export data" archives for gptvault's tests and benchmarks.

What it writes (under --out DIR):
  export-01.zip ... export-NN.zip  one archive per month, each a *full* copy of one synthetic
                                   account's history as of that month, as ChatGPT delivers them;
  truth.json                       what a correct ingest must find (format in write_truth);
  truth/<conversation-id>.json     the exact bytes of the newest version of every conversation.

Why: gptvault must be tested on the inputs its users really have, which are large, repetitive
(every export repeats every earlier conversation) and irregular. Real exports are private, so
this generator reproduces the shape documented in shared/research/export-format.md sections
1-3: minified single-line JSON, the `chat.html` viewer that embeds everything a second time, the
side files, and attachments, in every layout real exports have had (--layout):
  single   2023-25: one `conversations.json`; attachments where 2025 exports keep them: root
           uploads `file-<id>-<name>`, `dalle-generations/`, `user-<id>/` image generation and
           `<conversation-id>/audio/` voice clips.
  sharded  early 2026: `conversations-NNN.json` shards, `export_manifest.json`,
           `user_settings.json`; nodes carry no `children` key, and (field guide 3.4) some
           messages lack `status`, `weight` (only where it would be 1) or `recipient` (only
           where it would be "all"), chosen by a hash of the message id, so deterministically.
  dat      mid 2026: sharded, and every attachment is an opaque `<assetId>.dat` at the root
           (assetId: the pointer without its scheme, `file-AbC...` or `file_0000...`), named by
           `conversation_asset_file_names.json` ({"<assetId>.dat": original name}), with
           `library_files.json` describing the user's uploads.
  portal   the privacy-portal container: an outer ZIP with `report.html`,
           `Financial/Transactions.csv`, `User Profile/Profile.json`,
           `User Online Activity/Files__<hex>-files-0001.zip` (a tiny ZIP holding a readme) and
           `User Online Activity/Conversations__<24 hex>-chatgpt-0001.zip`, whose bytes are a
           complete export of --inner-layout (dat by default), deflated like every member.
--missing-attachments P leaves a fraction P of the attachments a month's conversations refer
to out of that month's archive (at least one when P > 0 and there are any), chosen with a
random generator of their own seeded by --seed and the month, so the conversations themselves
do not change: their pointers dangle, as they do in real exports (field guide 2.2), and
another month's archive usually has the file.

The original name of an attachment (truth "name"), which `restore --assets` should write, is
the same in every layout: for an upload at the root or a DALL-E image in `dalle-generations/`,
the member name after its `<assetId>-` prefix (`file-AbC-photo.png` -> `photo.png`); for
`user-*/` image generation and `<conversation-id>/audio/` clips, the member's base name; in the
dat layout that same string is the value `conversation_asset_file_names.json` gives it.

Contracts the tests rely on:
  * Determinism: the same arguments and --seed give the same member bytes (the ZIP containers
    may differ only if the zlib library changes). Nothing depends on the clock or global state.
  * Stability: a conversation that did not change between two months serializes to exactly the
    same bytes in both archives, and an attachment is byte-identical in every archive that has
    it; this is what makes deduplication measurable. Changes follow real churn: growth on the
    current branch, edited prompts and regenerated answers (new branches), renames, deletions
    (the conversation vanishes from later exports) and new conversations.
  * Traps are included on purpose: a root node that is not listed first, `client-created-root`,
    hidden system and custom-instruction messages, tool traffic (python, browser, web.run,
    DALL-E, image generation, canvas), reasoning `thoughts`, voice parts, null and empty titles,
    mixed `1`/`1.0` weights, every kind of Unicode (RTL, CJK, ZWJ emoji, flags, combining marks,
    U+0000, U+2028, private-use citation markers), quotes, backslashes and a few conversations of
    several hundred KB. Upload names hold `#`, spaces and non-ASCII.
    The newest conversations of month 1 are forced to cover every feature, so even a tiny export
    has them all. A few titles contain U+0000 or a newline: tests that pass a title on a command
    line must pick another one.
  * Speed and memory: ~100 MB of conversation JSON in well under a minute; the newest bytes of
    each conversation live in truth/ and are streamed into the archives, so memory stays flat.

--check re-reads everything written and confirms the truth against the archives. A summary
goes to stdout; failures go to stderr with exit status 1.
"""

from __future__ import annotations

import argparse
import calendar
import codecs
import datetime as dt
import hashlib
import io
import itertools
import json
import operator
import random
import shutil
import string
import struct
import sys
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

# ----------------------------------------------------------------------------------------------
# Vocabulary: enough variety for distinct titles and text that compresses roughly like prose.

VOCAB = """the a of to and in that is for it with as on be this by are at from or have an not can
you we they will more if about which when one all would there their what so up out into has
some than them time only new could these two may then first any like now over such our also
most other after use how where much well way even because through make good each just those
people very state should system data file server client model value error result number table
query index cache memory thread process request response config build test deploy release branch
merge commit review budget invoice report meeting project schedule draft summary outline plan
recipe flour butter oven garden water soil seed tomato travel flight hotel train museum ticket
weekend market price tax return account bank loan rent lease contract clause notice tenant
landlord doctor appointment dose symptom exercise run bike swim sleep coffee tea kitchen window
quickly carefully roughly exactly probably simply directly usually already still again never
large small fast slow simple complex safe secure local remote empty full early late recent old
function method class object array string integer float pointer vector map list queue stack
parse render encode decode compress encrypt sign verify upload download stream buffer chunk
hash key token secret password user admin group role permission policy backup restore snapshot
network packet socket port address route gateway proxy latency throughput bandwidth timeout retry
north south east west spring summer autumn winter river
""".split()
assert len(VOCAB) == 256 == len(set(VOCAB))  # one random byte picks one word
CAPITALIZED = {w: w.capitalize() for w in VOCAB}
SENTENCE_LENGTHS = bytes(5 + b % 12 for b in range(256))  # random byte -> 5..16 words
ENDINGS = tuple("....?!:."[b % 8] for b in range(256))     # random byte -> punctuation

SPICES = [
    "这是一个包含中文字符的测试句子。", "日本語のテキストも混ざっています。", "한국어 문장도 있습니다.",
    "مرحبا بالعالم، هذا نص عربي من اليمين إلى اليسار.", "שלום עולם, זה טקסט בעברית.",
    "🎉🔥👍🏽", "👩‍💻 and 👨‍👩‍👧‍👦 and 🏳️‍🌈", "🇯🇵 🇧🇷 🇺🇦 🇪🇺", "नमस्ते दुनिया", "ภาษาไทย",
    "Cafe\u0301 na\u0308ive Z\u0335\u0321a\u0336l\u0337g\u0334o\u0338", "crème brûlée", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕞𝕒𝕥𝕙",
    "before\u0000after", 'She said "hi" and \\n is not a newline.', "C:\\Users\\dev\\notes.txt",
    "col1\tcol2\tcol3", "line\u2028separator and para\u2029separator", "word\u2060joiner",
    "zero\u200bwidth", "in\ufeffside BOM", "a regex: ^\\d+(\\.\\d+)?$", "literal \\u0000 text",
    "\ue200cite\ue202turn0search3\ue201", "\ue200filecite\ue202turn1file0\ue201", "【6†source】",
    "• bullet • points", "emoji at the end 🦀",
]

TOPICS = """sourdough starter|Kubernetes ingress|tax return 2024|Rust borrow checker|Lisbon weekend trip
garden irrigation|PostgreSQL vacuum|wedding speech|marathon training|home network VLANs
quarterly OKRs|React hooks|apartment lease|job interview prep|bike commute|Python asyncio
cover letter|birthday party|vegetable lasagna|kitchen renovation|Git rebase conflicts|the Roman Empire
retirement savings|dog training|CSS grid layout|solar panels|podcast launch|chess openings
climate data analysis|Spanish verbs|photo backups|budget spreadsheet|SQL window functions|moving to Berlin
sleep schedule|fantasy novel plot|Terraform modules|wine pairing|car insurance claim|JSON streaming parser
Linux disk encryption|newsletter design|piano practice|customer churn model|visa application|bread hydration
team offsite|ZFS snapshots|Docker build cache|college essay|electric bills|tomato blight|lecture notes
C++ move semantics|Kafka consumer lag|hiking the Alps|VAT invoices|a toddler's tantrums|Go generics
mortgage refinance|board game night|statistics homework|LaTeX tables|WebAssembly demo|email newsletter
vintage camera repair|slide deck for Monday|database migration|crossword clues|Japanese grammar
resume bullet points|Raspberry Pi weather station|landlord dispute|meal prep|TLS certificates
Excel pivot tables|nginx rate limiting|houseplant care|startup pitch|quantum computing basics""".replace("\n", "|").split("|")

TITLE_PATTERNS = ["Plan for {t}", "Debugging {t}", "Questions about {t}", "{T} explained simply",
                  "Draft email about {t}", "Compare options for {t}", "Notes on {t}", "Fixing {t} errors",
                  "Ideas for {t}", "Summary of {t}", "Help with {t}", "{T} step by step",
                  "Review my {t}", "Learning {t} basics", "Checklist for {t}", "{T} troubleshooting",
                  "Pros and cons of {t}", "Better approach to {t}", "{T} cheat sheet", "Explain {t}"]
TITLE_SUFFIXES = ["", "", "", " for the team", " (v2)", " this weekend", " follow-up", " again",
                  " in detail", " for beginners", " quickly", " before Friday", " for Mum", " at work"]
UNICODE_TITLE_PATTERNS = ["東京旅行の計画と{t}", "خطة عمل: {t}", "סיכום פגישה על {t}", "🚀 {T} launch checklist",
                          "👩‍💻 Pairing on {t}", "🇯🇵🇫🇷 Travel notes: {t}", "Cafe\u0301 chat about {t}",
                          "Crème brûlée and {t}", 'The "best" way to do {t}', "C:\\Users\\me\\{t} cleanup",
                          "Z\u0335a\u0336l\u0337g\u0334o\u0338 {t}", "数学 𝔘𝔫𝔦𝔠𝔬𝔡𝔢: {t}", "{T} 🧑🏽‍🍳 recipe ideas",
                          "Tabs\tand {t}", "{T}\u2028second line", "Line one\nline two: {t}",
                          "\ue200cite\ue202turn0search3\ue201 {t}", "NUL\u0000inside {t}"]
RARE_TITLE_PATTERNS = UNICODE_TITLE_PATTERNS[-4:]  # U+2028, newline, citation marker, NUL: kept rare

UPLOAD_NAMES = ["IMG_{n}.png", "Screenshot 2025-02-{d} at 09.{n2}.55.png", "whiteboard photo {n}.png",
                "発表資料 {n}.png", "receipt #{n}.png", "family photo 🎄 {n}.png"]
DOC_NAMES = ["lease-agreement-signed-{n}.pdf", "résumé Ana García {n}.pdf", "invoice #{n}.pdf",
             "quarterly report Q{d} {n}.pdf", "bank export {n}.csv", "training log {n}.csv"]

CODE = {
    "python": ["def process(items):", "    result = []", "    for item in items:", "        if item is None:",
               "            continue", "        result.append(transform(item))", "    return result", "",
               "class Cache:", "    def __init__(self, size=128):", "        self._data = {}",
               "    async def fetch(self, key):", '        raise KeyError(f"missing {key!r}")',
               "import json, re", 'PATTERN = re.compile(r"^(\\d+)-(\\w+)$")', "    with open(path) as fh:",
               '        text = fh.read().replace("\\t", "    ")', "print(json.dumps(data, indent=2))"],
    "cpp": ["#include <vector>", "template <typename T>", "std::vector<T> filter(const std::vector<T>& in) {",
            "  std::vector<T> out;", "  for (const auto& x : in) {", "    if (keep(x)) out.push_back(x);", "  }",
            "  return out;", "}", "int main(int argc, char** argv) {", '  std::puts("hello\\n");',
            "  auto span = std::span(buffer.data(), buffer.size());", "  return 0;", "struct Node { int id; };"],
    "sql": ["SELECT customer_id, SUM(amount) AS total", "FROM orders", "WHERE created_at >= '2024-01-01'",
            "GROUP BY customer_id", "ORDER BY total DESC", "LIMIT 20;", "CREATE INDEX idx_orders ON orders (created_at);",
            "WITH ranked AS (SELECT *, ROW_NUMBER() OVER (PARTITION BY region) AS rn FROM sales)"],
    "bash": ["#!/usr/bin/env bash", "set -euo pipefail", 'for f in "$@"; do', '  gzip -9 "$f"', "done",
             "kubectl get pods -n staging | grep -v Running", 'echo "done: $(date)" >> "$LOG"'],
}

PROFILES = {  # conversation profile -> weights of its turn kinds
    "chat": {"text": 1.0},
    "coding": {"code": 0.55, "text": 0.2, "python": 0.2, "canvas": 0.05},
    "research": {"browse": 0.55, "text": 0.25, "reasoning": 0.2},
    "reasoning": {"reasoning": 0.6, "text": 0.4},
    "vision": {"upload": 0.35, "text": 0.65},
    "images": {"image": 0.35, "text": 0.65},
    "voice": {"voice": 0.6, "text": 0.4},
}
PROFILE_WEIGHTS = {"chat": 0.45, "coding": 0.15, "research": 0.1, "reasoning": 0.08, "vision": 0.08,
                   "images": 0.07, "voice": 0.07}
# The first conversations force one of each feature, so even a tiny export covers them all.
FORCED = [("voice", "voice", {}), ("images", "dalle", {}), ("images", "imagegen", {}),
          ("vision", "upload", {"doc": True}), ("research", "browse2024", {}), ("research", "search2025", {}),
          ("reasoning", "reasoning", {}), ("coding", "python", {}), ("coding", "canvas", {}),
          ("chat", "text", {"title": None}), ("chat", "text", {"title": ""}), ("chat", "text", {"ci": True}),
          ("chat", "text", {"edit": True}), ("chat", "text", {"regen": True}), ("coding", "code", {"huge": True}),
          ("chat", "text", {"title_pattern": "NUL\u0000inside {t}"}), ("vision", "upload", {"reuse": True})]

CHURN = [("drop", 0.03), ("rename", 0.02), ("grow", 0.08), ("edit", 0.03), ("regen", 0.03)]
NEW_PER_MONTH = 0.05
B62 = string.digits + string.ascii_letters


def ym(y: int, m: int) -> int:
    return calendar.timegm((y, m, 1, 0, 0, 0))


def export_epoch(start: str, month: int) -> int:
    """The moment export `month` (1-based) is taken: the 28th of its month, 18:00 UTC."""
    y, m = map(int, start.split("-"))
    m0 = m - 1 + month - 1
    return calendar.timegm((y + m0 // 12, m0 % 12 + 1, 28, 18, 0, 0))


def ts(x: float) -> float:
    return float(f"{x:.6f}")  # epoch seconds with microseconds, like real exports


def iso(x: float) -> str:
    return dt.datetime.fromtimestamp(x, dt.timezone.utc).isoformat()


def b62(rng, n):
    return "".join(rng.choices(B62, k=n))


def hexs(rng, n):
    return f"{rng.getrandbits(4 * n):0{n}x}"


def uuid4(rng, prefix=""):
    h = f"{rng.getrandbits(128):032x}"
    h = prefix + h[len(prefix):12] + "4" + h[13:16] + rng.choice("89ab") + h[17:]
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def conversation_uuid(rng, t):
    """2024+ conversation ids are time-ordered (`684e65c7-c770-8007-…`); older ones are v4."""
    if t < ym(2024, 6):
        return uuid4(rng)
    return f"{int(t):08x}-{hexs(rng, 4)}-8{hexs(rng, 3)}-{rng.choice('89ab')}{hexs(rng, 3)}-{hexs(rng, 12)}"


def dumps(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# ----------------------------------------------------------------------------------------------
# Text

def sentences(rng, nwords):
    """Random-word sentences: as compressible as plain prose, and fast to make in bulk."""
    words = list(operator.itemgetter(*rng.randbytes(max(nwords, 2)))(VOCAB))
    lens = rng.randbytes(len(words) // 5 + 2).translate(SENTENCE_LENGTHS)
    ends = operator.itemgetter(*rng.randbytes(len(lens)))(ENDINGS)
    p = j = 0
    while p < len(words):
        words[p] = CAPITALIZED[words[p]]
        p += lens[j]
        words[min(p, len(words)) - 1] += ends[j]
        j += 1
    return " ".join(words)


def sentence(rng):
    return sentences(rng, rng.randint(5, 16))


def prose(rng, n, spice=0.2):
    """Markdown-ish prose of about n characters, now and then seasoned with hard Unicode."""
    blocks, total = [], 0
    while total < n:
        r = rng.random()
        if r < 0.1:
            block = "## " + sentences(rng, rng.randint(3, 8))[:-1]
        elif r < 0.25:
            block = "- " + sentences(rng, rng.randint(10, 50)).replace(". ", ".\n- ")
        else:
            block = sentences(rng, rng.randint(20, 110))
        if rng.random() < spice:
            block += " " + rng.choice(SPICES)
        blocks.append(block)
        total += len(block) + 2
    return "\n\n".join(blocks)


def code_block(rng, n, lang):
    lines = rng.choices(CODE[lang], k=max(3, n // 30))
    for i in range(0, len(lines), 9):  # unique-ish lines keep big blocks from compressing to nothing
        lines[i] += f"  {'#' if lang in ('python', 'bash') else '//'} step {i} id {b62(rng, 8)}"
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# Attachments: small files with real magic numbers, regenerated from a seed in every month.

@dataclass
class Attachment:
    member: str
    pointer: str           # how messages refer to it: file-service://, sediment://, or a bare id
    kind: str              # png | webp | wav | pdf | csv
    seed: int              # the bytes are regenerated from this whenever an archive needs them
    param: int             # size parameter of the payload (png: from width x height)
    name: str | None = None  # original file name of a user upload
    width: int = 0
    height: int = 0
    size: int = 0          # actual byte length
    sha: str = ""
    origin_conversation: str = ""  # where it first appeared (library_files.json)
    origin_message: str = ""

    @property
    def asset_id(self) -> str:
        """The pointer without its scheme: what a 2026 export names `<asset_id>.dat`."""
        return self.pointer.split("://")[-1]

    @property
    def original_name(self) -> str:
        return original_name(self.member, self.asset_id)

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.kind]


def original_name(member: str, asset_id: str) -> str:
    """The file name a restore should write (module docstring): for a 2025-layout `member`, the
    name after its `<asset_id>-` prefix at the root and in dalle-generations/, else its base name."""
    folder, _, base = member.rpartition("/")
    if folder in ("", "dalle-generations") and base.startswith(asset_id + "-"):
        return base[len(asset_id) + 1:]
    return base


MIME_TYPES = {"png": "image/png", "webp": "image/webp", "wav": "audio/wav", "pdf": "application/pdf",
              "csv": "text/csv"}


def zlib_stored(data: bytes) -> bytes:
    """A zlib stream of stored blocks: valid, and independent of the zlib version."""
    out = bytearray(b"\x78\x01")
    for i in range(0, max(len(data), 1), 65535):
        block = data[i:i + 65535]
        final = 1 if i + 65535 >= len(data) else 0
        out += struct.pack("<BHH", final, len(block), len(block) ^ 0xFFFF) + block
    return bytes(out) + struct.pack(">I", zlib.adler32(data))


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def attachment_bytes(a: Attachment) -> bytes:
    rng = random.Random(a.seed)
    if a.kind == "png":
        w, h = a.width, a.height
        raw = rng.randbytes(w * h * 3)
        rows = b"".join(b"\x00" + raw[y * w * 3:(y + 1) * w * 3] for y in range(h))
        return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + png_chunk(b"IDAT", zlib_stored(rows)) + png_chunk(b"IEND", b""))
    if a.kind == "webp":
        payload = rng.randbytes(a.param & ~1)
        frame = struct.pack("<I", (1 << 4) | (min(len(payload), 0x7FFFF) << 5))[:3] + b"\x9d\x01\x2a"
        frame += struct.pack("<HH", a.width, a.height) + payload
        return b"RIFF" + struct.pack("<I", 4 + 8 + len(frame)) + b"WEBP" + b"VP8 " + struct.pack("<I", len(frame)) + frame
    if a.kind == "wav":
        pcm = rng.randbytes(a.param & ~1)
        fmt = struct.pack("<HHIIHH", 1, 1, 16000, 32000, 2, 16)
        return (b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(pcm)) + b"WAVE" + b"fmt " + struct.pack("<I", len(fmt))
                + fmt + b"data" + struct.pack("<I", len(pcm)) + pcm)
    if a.kind == "csv":
        rows = ["date,description,amount"] + [f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},{' '.join(rng.choices(VOCAB, k=3))},{rng.uniform(-900, 900):.2f}"
                                             for _ in range(a.param // 40)]
        return ("\n".join(rows) + "\n").encode()
    # pdf: one page of text, with a correct xref table
    text = "".join(f"({' '.join(rng.choices(VOCAB, k=8))}) Tj 0 -12 Td\n" for _ in range(a.param // 60))
    stream = f"BT /F1 10 Tf 50 750 Td\n{text}ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


# ----------------------------------------------------------------------------------------------
# Conversations

@dataclass
class ConvMeta:
    """What the generator remembers about a conversation; its bytes live in truth/<id>.json."""
    id: str
    create_time: float
    style: dict
    update_time: float = 0.0
    title: str | None = None
    alive: bool = True
    versions: int = 0
    last_seen: int = 0
    messages_current_branch: int = 0
    sha: str = ""
    size: int = 0
    attachments: list = field(default_factory=list)  # member names, first reference first
    feedback: dict | None = None
    shared: dict | None = None


def current_branch(conv) -> list:
    """Node ids from current_node up to the root (cycle-safe)."""
    mapping, out, seen = conv.get("mapping") or {}, [], set()
    node_id = conv.get("current_node")
    while node_id in mapping and node_id not in seen:
        seen.add(node_id)
        out.append(node_id)
        node_id = mapping[node_id].get("parent")
    return out


def count_current_branch_messages(conv) -> int:
    return sum(1 for n in current_branch(conv) if conv["mapping"][n].get("message") is not None)


def drop_sparse_fields(msg):
    """Mid-2026 messages may lack `status`, `weight` and `recipient` (field guide 3.4). Which do
    is decided by a hash of the message id, so it costs no random draws and never changes; a
    field goes only where its absence means the usual value (weight 1, recipient "all")."""
    h = zlib.crc32(msg["id"].encode())
    if h & 3 == 0:
        del msg["status"]
    if (h >> 2) & 3 == 0 and msg["weight"] == 1:
        del msg["weight"]
    if (h >> 4) & 3 == 0 and msg["recipient"] == "all":
        del msg["recipient"]


class ConversationBuilder:
    """Adds nodes to one conversation dict, on the branch that ends at `cursor`."""

    def __init__(self, account, conv, meta: ConvMeta, rng, t):
        self.acc, self.conv, self.meta, self.rng, self.t = account, conv, meta, rng, t
        self.mapping = conv["mapping"]
        self.cursor = conv["current_node"]
        self.style = meta.style
        self.size = len(dumps(conv)) if conv["mapping"] else 0
        self.topic = meta.style["topic"]
        self.new_attachments: list[Attachment] = []

    # -- nodes and messages ------------------------------------------------------------------
    def tick(self, lo=2.0, hi=90.0):
        self.t += self.rng.uniform(lo, hi)
        return ts(self.t)

    def message(self, role, content, *, name=None, t=..., end_turn=None, weight=None, metadata=None,
                recipient="all", channel=None, status="finished_successfully", mid=None):
        rng = self.rng
        if mid is None:
            mid = uuid4(rng, "aaa2") if role == "user" and self.style["aaa_ids"] else uuid4(rng)
        msg = {"id": mid, "author": {"role": role, "name": name, "metadata": {}},
               "create_time": self.tick() if t is ... else t, "update_time": None, "content": content,
               "status": status, "end_turn": end_turn, "weight": self.style["one"] if weight is None else weight,
               "metadata": {} if metadata is None else metadata, "recipient": recipient, "channel": channel}
        if self.style.get("sparse"):
            drop_sparse_fields(msg)
        return msg

    def attach(self, message, parent=None):
        """Links a message under `parent` (default: the cursor) and moves the cursor to it."""
        parent = self.cursor if parent is None else parent
        node = {"id": message["id"], "message": message, "parent": parent}
        if self.style["children"]:
            node["children"] = []
            self.mapping[parent]["children"].append(message["id"])
        self.mapping[message["id"]] = node
        self.size += len(dumps(node)) + 8
        self.cursor = message["id"]
        for a in self.new_attachments:  # attachments made for this message
            a.origin_message = message["id"]
        self.new_attachments = []
        return message["id"]

    def user(self, text, metadata=None, parent=None):
        md = {"request_id": f"{hexs(self.rng, 16)}-IAD", "message_source": None, "timestamp_": "absolute",
              "message_type": None} if metadata is None else metadata
        return self.attach(self.message("user", {"content_type": "text", "parts": [text]}, metadata=md), parent)

    def assistant_meta(self, parent_id, **extra):
        if self.rng.random() < 0.05:
            return dict(extra)  # real exports have assistant messages without model_slug
        md = {"finish_details": {"type": "stop", "stop_tokens": [200002]}, "is_complete": True, "citations": [],
              "content_references": [], "model_slug": self.style["model"], "default_model_slug": self.style["model"],
              "parent_id": parent_id, "request_id": f"{hexs(self.rng, 16)}-IAD", "timestamp_": "absolute"}
        md.update(extra)
        return md

    def assistant(self, text, parent=None, **kw):
        p = self.cursor if parent is None else parent
        kw.setdefault("metadata", self.assistant_meta(p))
        kw.setdefault("end_turn", True)
        kw.setdefault("channel", "final" if self.style["modern"] else None)
        return self.attach(self.message("assistant", {"content_type": "text", "parts": [text]}, **kw), p)

    def tool(self, name, content, metadata=None):
        return self.attach(self.message("tool", content, name=name, metadata=metadata or {}))

    def tool_call(self, recipient, content, channel=None):
        return self.attach(self.message("assistant", content, end_turn=False, recipient=recipient, channel=channel,
                                        metadata=self.assistant_meta(self.cursor)))

    def prompt(self, n=None):
        n = self.rng.randint(20, 300) if n is None else n
        return f"About {self.topic}: " + prose(self.rng, n, spice=0.3)

    def new_attachment(self, member, pointer, kind, param, name=None, width=0, height=0):
        a = Attachment(member, pointer, kind, self.rng.getrandbits(63), param, name, width, height)
        data = attachment_bytes(a)
        a.size, a.sha = len(data), hashlib.sha256(data).hexdigest()
        a.origin_conversation = self.meta.id
        self.new_attachments.append(a)
        self.acc.attachments[member] = a
        self.use(a)
        return a

    def use(self, a: Attachment):
        if a.member not in self.meta.attachments:
            self.meta.attachments.append(a.member)

    # -- turns -------------------------------------------------------------------------------
    def turn_text(self, n):
        self.user(self.prompt())
        self.assistant(prose(self.rng, n))

    def turn_code(self, n):
        rng = self.rng
        lang = rng.choice(list(CODE))
        pasted = "\n```" + lang + "\n" + code_block(rng, rng.randint(200, 3000), lang) + "\n```" if rng.random() < 0.3 else ""
        self.user(self.prompt() + pasted)
        body = code_block(rng, int(n * 0.8), lang)
        self.assistant(prose(rng, int(n * 0.1) + 50) + f"\n\n```{lang}\n{body}\n```\n\n" + prose(rng, int(n * 0.1) + 50))

    def turn_python(self, n):
        rng = self.rng
        self.user(self.prompt())
        code = code_block(rng, min(n // 3, 8000) + 100, "python")
        self.tool_call("python", {"content_type": "code", "language": "python", "response_format_name": None, "text": code})
        out = "\n".join(f"{w}\t{rng.uniform(0, 1000):.3f}" for w in rng.choices(VOCAB, k=rng.randint(3, 30)))
        start = ts(self.t + 0.5)
        self.tool("python", {"content_type": "execution_output", "text": out},
                  {"is_complete": True, "aggregate_result": {
                      "status": "success", "run_id": uuid4(rng), "start_time": start, "update_time": ts(self.t + 1.5),
                      "code": code, "end_time": ts(self.t + 1.6), "final_expression_output": out,
                      "in_kernel_exception": None, "system_exception": None, "messages": [],
                      "jupyter_messages": [{"msg_type": "status", "parent_header": {"msg_id": hexs(rng, 32)},
                                            "content": {"execution_state": "idle"}}], "timeout_triggered": None}})
        self.assistant(prose(rng, n // 2))

    def turn_canvas(self, n):
        rng = self.rng
        self.user(self.prompt())
        doc = {"name": f"{self.topic.replace(' ', '_')}.py", "type": "code/python", "content": code_block(rng, n // 2, "python")}
        self.tool_call("canmore.create_textdoc", {"content_type": "code", "language": "json", "response_format_name": None,
                                                  "text": json.dumps(doc, ensure_ascii=False)})
        self.tool("canmore.create_textdoc", {"content_type": "text", "parts": [json.dumps(
            {"textdoc_id": hexs(rng, 24), "result": "Successfully created text document"})]})
        self.assistant(prose(rng, 200))

    def web_sources(self, k):
        domains = ["example.com", "docs.example.org", "wikipedia.org", "news.example.net", "blog.example.dev"]
        out = []
        for i in range(k):
            d = self.rng.choice(domains)
            out.append({"title": sentence(self.rng)[:-1], "url": f"https://{d}/{b62(self.rng, 10)}", "domain": d,
                        "snippet": sentence(self.rng)})
        for s in out:
            if s["url"] not in self.conv["safe_urls"]:
                self.conv["safe_urls"].append(s["url"])
        return out

    def turn_browse2024(self, n):
        """2023-24 browser tool: search -> results -> mclick -> quotes -> answer with 【n†source】."""
        rng = self.rng
        q = " ".join(rng.choices(VOCAB, k=4))
        self.user(self.prompt())
        src = self.web_sources(rng.randint(3, 6))
        self.tool_call("browser", {"content_type": "code", "language": "unknown", "response_format_name": None, "text": f'search("{q}")'})
        result = "\n".join(f"# 【{i}†{s['title']}†{s['domain']}】\n{s['snippet']}" for i, s in enumerate(src)) + "\nVisible: 0% - 100%"
        self.tool("browser", {"content_type": "tether_browsing_display", "result": result, "summary": None, "assets": [], "tether_id": None},
                  {"command": "search", "args": [q], "status": "finished", "_cite_metadata": {
                      "citation_format": {"name": "tether_og", "regex": "【(\\d+)(?::(\\d+))?†([^†【】]*)[^【】]*?】"},
                      "metadata_list": [{"type": "webpage", "title": s["title"], "url": s["url"], "text": s["snippet"],
                                         "pub_date": None, "extra": {"cited_message_idx": 1, "search_result_idx": i, "evidence_text": ""}}
                                        for i, s in enumerate(src)]}})
        picks = sorted(rng.sample(range(len(src)), 2))
        self.tool_call("browser", {"content_type": "code", "language": "unknown", "response_format_name": None, "text": f"mclick({picks})"})
        for i in picks:
            s = src[i]
            self.tool("browser", {"content_type": "tether_quote", "url": s["url"], "domain": s["domain"],
                                  "text": prose(rng, min(n // 4, 6000), spice=0.1), "title": s["title"], "tether_id": None},
                      {"command": "mclick", "args": [str(i)], "status": "finished"})
        text, cites = "", []
        for j, i in enumerate(picks):
            text += prose(rng, n // 4)
            mark = f"【{j + 3}†source】"
            cites.append({"start_ix": len(text), "end_ix": len(text) + len(mark), "citation_format_type": "tether_og",
                          "metadata": {"type": "webpage", "title": src[i]["title"], "url": src[i]["url"], "text": "",
                                       "pub_date": None, "extra": {"cited_message_idx": j + 3, "evidence_text": "source"}}})
            text += mark + "\n\n"
        self.assistant(text.rstrip(), metadata=self.assistant_meta(self.cursor, citations=cites))

    def turn_search2025(self, n):
        """2025 web.run: sonic_webpage pages, then an answer with private-use cite markers."""
        rng = self.rng
        self.user(self.prompt())
        src = self.web_sources(rng.randint(2, 4))
        self.tool_call("web.run", {"content_type": "code", "language": "unknown", "response_format_name": None,
                                   "text": json.dumps({"search_query": [{"q": " ".join(rng.choices(VOCAB, k=4))}], "response_length": "short"})},
                       channel="analysis")
        for s in src[:2]:
            self.tool("web.run", {"content_type": "sonic_webpage", "url": s["url"], "domain": s["domain"], "title": s["title"],
                                  "text": prose(rng, min(n // 3, 8000), spice=0.05), "snippet": s["snippet"], "pub_timestamp": None})
        text, refs = "", []
        for i, s in enumerate(src):
            text += prose(rng, n // (2 * len(src))) + " "
            mark = f"\ue200cite\ue202turn0search{i}\ue201"
            refs.append({"matched_text": mark, "start_idx": len(text), "end_idx": len(text) + len(mark), "alt": f"([{s['domain']}]({s['url']}))",
                         "type": "grouped_webpages", "items": [{"title": s["title"], "url": s["url"], "pub_date": None,
                                                               "snippet": s["snippet"], "attribution": s["domain"]}], "safe_urls": [s["url"]]})
            text += mark + "\n\n"
        groups = [{"type": "search_result_group", "domain": s["domain"], "entries": [
            {"type": "search_result", "url": s["url"], "title": s["title"], "snippet": s["snippet"],
             "ref_id": {"turn_index": 0, "ref_type": "search", "ref_index": i}}]} for i, s in enumerate(src)]
        self.assistant(text.rstrip(), metadata=self.assistant_meta(self.cursor, content_references=refs, search_result_groups=groups))

    def turn_reasoning(self, n):
        rng = self.rng
        self.user(self.prompt())
        secs = rng.randint(3, 90)
        thoughts = [{"summary": sentence(rng)[:-1], "content": prose(rng, min(n // 4, 4000), spice=0.1), "chunks": [], "finished": True}
                    for _ in range(rng.randint(1, 3))]
        self.attach(self.message("assistant", {"content_type": "thoughts", "thoughts": thoughts, "source_analysis_msg_id": uuid4(rng)},
                                 end_turn=False, channel="analysis", metadata=self.assistant_meta(self.cursor, reasoning_status="is_reasoning")))
        self.attach(self.message("assistant", {"content_type": "reasoning_recap", "content": f"Thought for {secs}s"}, end_turn=False,
                                 channel="analysis", metadata=self.assistant_meta(self.cursor, reasoning_status="reasoning_ended",
                                                                                  finished_duration_sec=secs)))
        self.assistant(prose(rng, n // 2))

    def image_part(self, pointer, a: Attachment, metadata):
        return {"content_type": "image_asset_pointer", "asset_pointer": pointer, "size_bytes": a.size,
                "width": a.width, "height": a.height, "fovea": None, "metadata": metadata}

    def turn_upload(self, n, doc=False, reuse=False):
        """A user upload: image parts (file-service://) plus metadata.attachments; documents only in the latter."""
        rng, acc = self.rng, self.acc
        parts, atts = [], []
        if (reuse or rng.random() < 0.15) and acc.reusable_uploads:
            a = acc.attachments[rng.choice(acc.reusable_uploads)]  # the same file id in a second conversation
            self.use(a)
        else:
            w, h = rng.randint(24, 170), rng.randint(24, 120)
            fid = "file-" + b62(rng, rng.choice([22, 24]))
            name = acc.unique_name(rng.choice(UPLOAD_NAMES))
            a = self.new_attachment(f"{fid}-{name}", f"file-service://{fid}", "png", 0, name, w, h)
            acc.reusable_uploads.append(a.member)
        fid = a.pointer.split("//")[1]
        parts.append(self.image_part(a.pointer, a, None))
        atts.append({"id": fid, "size": a.size, "name": a.name, "mime_type": "image/png", "width": a.width, "height": a.height})
        if doc or rng.random() < 0.3:
            fid = "file-" + b62(rng, 22)
            name = acc.unique_name(rng.choice(DOC_NAMES))
            kind = name.rsplit(".", 1)[1]
            d = self.new_attachment(f"{fid}-{name}", fid, kind, rng.randint(1500, 40000), name)
            atts.append({"id": fid, "size": d.size, "name": name, "mime_type": "application/pdf" if kind == "pdf" else "text/csv"})
        md = {"attachments": atts, "request_id": f"{hexs(rng, 16)}-IAD", "timestamp_": "absolute", "message_type": None}
        self.attach(self.message("user", {"content_type": "multimodal_text", "parts": parts + [self.prompt()]}, metadata=md))
        self.assistant(prose(rng, n))

    def turn_dalle(self, n):
        rng = self.rng
        prompt = self.prompt(rng.randint(40, 200))
        self.user(prompt)
        self.tool_call("dalle.text2im", {"content_type": "text", "parts": [json.dumps({"prompt": prompt, "size": "1024x1024"}, ensure_ascii=False)]})
        parts = []
        for _ in range(rng.randint(1, 2)):
            fid = "file-" + b62(rng, 24)
            a = self.new_attachment(f"dalle-generations/{fid}-{uuid4(rng)}.webp", f"file-service://{fid}", "webp",
                                    rng.randint(20000, 100000), width=1024, height=1024)
            parts.append(self.image_part(a.pointer, a, {"dalle": {"gen_id": b62(rng, 16), "prompt": prompt, "seed": rng.getrandbits(32),
                                                                  "parent_gen_id": None, "edit_op": None, "serialization_title": "DALL-E generation metadata"},
                                                        "gizmo": None, "emu_omit_glimpse_image": None, "emu_patches_override": None, "sanitized": True}))
        self.tool("dalle.text2im", {"content_type": "multimodal_text", "parts": parts})
        self.assistant(prose(rng, min(n, 600)))

    def turn_imagegen(self, n):
        rng, acc = self.rng, self.acc
        self.user(self.prompt())
        self.tool_call("t2uay3k.sj1i4kz", {"content_type": "text", "parts": [json.dumps({"prompt": sentence(rng), "size": "1536x1024", "n": 1})]})
        w, h = rng.randint(60, 180), rng.randint(40, 120)
        fid = "file_00000000" + hexs(rng, 24)
        a = self.new_attachment(f"{acc.user_id}/{fid}-{uuid4(rng)}.png", f"sediment://{fid}", "png", 0, width=w, height=h)
        gen = {"gen_id": uuid4(rng), "gen_size": "xlimage", "seed": None, "parent_gen_id": None, "height": h, "width": w,
               "transparent_background": False, "serialization_title": "Image Generation metadata"}
        self.tool("t2uay3k.sj1i4kz", {"content_type": "multimodal_text", "parts": [self.image_part(a.pointer, a, {
            "dalle": None, "gizmo": None, "generation": gen, "container_pixel_height": h, "container_pixel_width": w,
            "emu_omit_glimpse_image": None, "emu_patches_override": None, "lpe_keep_patch_ijhw": None, "sanitized": False,
            "asset_pointer_link": None, "watermarked_asset_pointer": None})]})
        if rng.random() < 0.7:
            self.assistant(prose(rng, min(n, 400)))

    def voice_clip(self):
        rng, conv_id = self.rng, self.conv["id"]
        fid = "file_" + ("00000000" + hexs(rng, 24) if rng.random() < 0.8 else hexs(rng, 96))
        nbytes = rng.randint(1500, 12000) * 2
        a = self.new_attachment(f"{conv_id}/audio/{fid}-{uuid4(rng)}.wav", f"sediment://{fid}", "wav", nbytes)
        return a, {"content_type": "audio_asset_pointer", "asset_pointer": a.pointer, "size_bytes": a.size, "format": "wav",
                   "expiry_datetime": iso(self.t + 180 * 86400), "metadata": {
                       "start_timestamp": None, "end_timestamp": None, "pretokenized_vq": None, "interruptions": None,
                       "original_audio_source": None, "transcription": None, "word_transcription": None,
                       "start": 0.0, "end": round((nbytes // 2) / 16000, 2)}}

    def turn_voice(self, n):
        rng = self.rng
        _, clip = self.voice_clip()
        said = prose(rng, rng.randint(20, 200), spice=0.2)
        self.attach(self.message("user", {"content_type": "multimodal_text", "parts": [
            {"content_type": "audio_transcription", "text": said, "direction": "in", "decoding_id": None},
            {"content_type": "real_time_user_audio_video_asset_pointer", "expiry_datetime": clip["expiry_datetime"],
             "frames_asset_pointers": [], "video_container_asset_pointer": None, "audio_asset_pointer": clip,
             "audio_start_timestamp": round(rng.uniform(0, 300), 2)}]},
            metadata={"voice_mode_message": True, "real_time_audio_has_video": False, "request_id": f"{hexs(rng, 16)}-IAD",
                      "timestamp_": "absolute", "message_type": None}))
        child_t = self.tick()
        if rng.random() < 0.3:  # an empty placeholder whose create_time is *later* than its child's
            self.attach(self.message("assistant", {"content_type": "text", "parts": [""]}, t=ts(self.t + 5), end_turn=None,
                                     metadata=self.assistant_meta(self.cursor)))
        _, reply = self.voice_clip()
        text = "" if rng.random() < 0.15 else prose(rng, min(n, 1500), spice=0.1)
        self.attach(self.message("assistant", {"content_type": "multimodal_text", "parts": [
            {"content_type": "audio_transcription", "text": text, "direction": "out", "decoding_id": None}, reply]}, t=child_t,
            end_turn=True, metadata=self.assistant_meta(self.cursor, voice_mode_message=True)))

    def run_turn(self, kind, n):
        if kind in ("upload", "image", "voice") and len(self.meta.attachments) >= 12:
            kind = "text"  # keeps attachment bytes a modest share of an export
        if kind == "browse":
            kind = "search2025" if self.meta.create_time >= ym(2024, 11) else "browse2024"
        if kind == "image":  # GPT-4o image generation replaced DALL-E in spring 2025
            kind = "imagegen" if self.meta.create_time >= ym(2025, 3) and self.rng.random() < 0.8 else "dalle"
        getattr(self, "turn_" + kind)(max(n, 80))

    def next_turn_size(self, target):
        remaining = max(target - self.size, 200)
        cap = 120_000 if self.style.get("huge") else 40_000
        return int(min(cap, max(150, remaining * self.rng.uniform(0.15, 0.55))))

    def add_turns(self, target, first_kind=None, max_turns=250):
        kinds = PROFILES[self.style["profile"]]
        turns = 0
        while turns == 0 or (self.size < target and turns < max_turns):
            kind = first_kind if turns == 0 and first_kind else self.rng.choices(list(kinds), list(kinds.values()))[0]
            self.run_turn(kind, self.next_turn_size(target))
            turns += 1

    # -- branches ----------------------------------------------------------------------------
    def visible_users(self, types=("text",)):
        out = []
        for nid in current_branch({"mapping": self.mapping, "current_node": self.cursor}):
            m = self.mapping[nid]["message"]
            if m and m["author"]["role"] == "user" and m.get("weight", 1) and m["content"]["content_type"] in types:
                out.append(nid)
        return out  # newest first

    def edit_prompt(self):
        """Edited prompt: a new user sibling of an earlier prompt, plus its answer."""
        users = self.visible_users()
        if not users:
            return False
        old = self.mapping[self.rng.choice(users)]
        self.user("Let me rephrase: " + old["message"]["content"]["parts"][0][:300] + " " + self.prompt(60), parent=old["parent"])
        self.assistant(prose(self.rng, self.next_turn_size(self.size * 1.2)))
        return True

    def regenerate(self):
        """Regenerated answer: a second assistant child of the latest prompt."""
        users = self.visible_users(("text", "multimodal_text"))
        if not users:
            return False
        self.assistant(prose(self.rng, self.next_turn_size(self.size * 1.2)), parent=users[0])
        return True

    def finish(self):
        self.conv["current_node"] = self.cursor
        self.conv["update_time"] = ts(self.t + self.rng.uniform(0.5, 3))


def conversation_skeleton(rng, cid, title, create_t, style):
    """A conversation with its root and hidden system message (the root is listed second)."""
    root = "client-created-root" if create_t >= ym(2025, 1) else uuid4(rng, "aaa1" if style["aaa_ids"] else "")
    sys_id = uuid4(rng)
    kids = style["children"]
    system = {"id": sys_id, "author": {"role": "system", "name": None, "metadata": {}}, "create_time": None, "update_time": None,
              "content": {"content_type": "text", "parts": [""]}, "status": "finished_successfully", "end_turn": True,
              "weight": style["zero"], "metadata": {"is_visually_hidden_from_conversation": True}, "recipient": "all", "channel": None}
    gizmo, gtype = None, None
    r = rng.random()
    if r < 0.06:
        gizmo, gtype = "g-p-" + hexs(rng, 32), "snorlax"  # a Project
    elif r < 0.1:
        gizmo, gtype = "g-" + b62(rng, 9), "gpt"  # a custom GPT
    mapping = {sys_id: {"id": sys_id, "message": system, "parent": root}, root: {"id": root, "message": None, "parent": None}}
    if kids:
        mapping[sys_id]["children"], mapping[root]["children"] = [], [sys_id]
    return {"title": title, "create_time": ts(create_t), "update_time": ts(create_t), "mapping": mapping,
            "moderation_results": [], "current_node": sys_id,
            "plugin_ids": ["plugin-" + uuid4(rng)] if create_t < ym(2023, 10) and rng.random() < 0.2 else None,
            "conversation_id": cid, "conversation_template_id": gizmo if gtype == "snorlax" else None, "gizmo_id": gizmo,
            "gizmo_type": gtype, "is_archived": rng.random() < 0.03, "is_starred": rng.choice([None, False, False, True]),
            "safe_urls": [], "blocked_urls": [], "default_model_slug": style["model"], "conversation_origin": None,
            "voice": "cove" if style["profile"] == "voice" else None, "async_status": None, "disabled_tool_ids": [],
            "is_do_not_remember": False, "memory_scope": "project_enabled" if gtype == "snorlax" else "global_enabled",
            "sugar_item_id": None, "is_study_mode": False, "id": cid}


def model_for(t, rng):
    for limit, models in ((ym(2023, 11), ["text-davinci-002-render-sha", "gpt-4"]), (ym(2024, 5), ["gpt-4", "gpt-4-turbo"]),
                          (ym(2025, 1), ["gpt-4o", "gpt-4o-mini", "o1-preview"]), (ym(2025, 8), ["gpt-4o", "o3", "o4-mini", "gpt-4-5"])):
        if t < limit:
            return rng.choice(models)
    return rng.choice(["gpt-5", "gpt-5-thinking", "auto"])


# ----------------------------------------------------------------------------------------------
# The account: all conversations, month by month

class Account:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.out = Path(args.out)
        self.truth_dir = self.out / "truth"
        rng = self.rng
        self.user_id = "user-" + b62(rng, 24)
        first, last = rng.choice(["mira", "ines", "tomasz", "keiko", "amara", "lucas"]), rng.choice(["okonkwo", "haddad", "novak", "sato"])
        self.email = f"{first}.{last}{rng.randint(100, 9999)}@example.com"
        self.metas: dict[str, ConvMeta] = {}
        self.attachments: dict[str, Attachment] = {}
        self.reusable_uploads: list[str] = []
        self.titles_used: set[str] = set()
        self.names_used: set[str] = set()
        self.all_titles: list[str] = []
        self.exports: list[dict] = []
        self.avg_bytes = args.avg_kb * 1024

    # -- names -------------------------------------------------------------------------------
    def new_title(self, topic, pattern=None):
        rng = self.rng
        for attempt in range(50):
            if pattern is None:
                r = rng.random()
                pool = RARE_TITLE_PATTERNS if r < 0.01 else UNICODE_TITLE_PATTERNS[:-4] if r < 0.2 else TITLE_PATTERNS
                pat = rng.choice(pool)
            else:
                pat = pattern
            t = pat.format(t=topic, T=topic[0].upper() + topic[1:]) + ("" if pat in UNICODE_TITLE_PATTERNS else rng.choice(TITLE_SUFFIXES))
            if attempt > 5:
                t += f" no. {rng.randint(2, 9999)}"
            if t not in self.titles_used and len(t) >= 12:
                self.titles_used.add(t)
                self.all_titles.append(t)
                return t
            topic = rng.choice(TOPICS)
        raise RuntimeError("could not find a fresh title")

    def unique_name(self, pattern):
        while True:
            name = pattern.format(n=self.rng.randint(1000, 99999), d=self.rng.randint(1, 28), n2=self.rng.randint(10, 59))
            if name not in self.names_used:
                self.names_used.add(name)
                return name

    # -- conversation lifecycle --------------------------------------------------------------
    def save(self, meta: ConvMeta, conv):
        data = dumps(conv)
        (self.truth_dir / f"{meta.id}.json").write_bytes(data)
        meta.sha, meta.size = hashlib.sha256(data).hexdigest(), len(data)
        meta.update_time, meta.title = conv["update_time"], conv["title"]
        meta.messages_current_branch = count_current_branch_messages(conv)
        meta.versions += 1

    def load(self, meta):
        return json.loads((self.truth_dir / f"{meta.id}.json").read_bytes())

    def create_conversation(self, create_t, forced=None):
        rng = self.rng
        profile, first_kind, flags = forced or (rng.choices(list(PROFILE_WEIGHTS), list(PROFILE_WEIGHTS.values()))[0], None, {})
        if profile == "voice" and not forced and create_t < ym(2024, 5):
            profile = "chat"  # no voice-mode clips before 2024
        cid = conversation_uuid(rng, create_t)
        while cid in self.metas:
            cid = conversation_uuid(rng, create_t)
        topic = rng.choice(TOPICS)
        r = rng.random()
        if "title" in flags:
            title = flags["title"]
        elif r < 0.03:
            title = None
        elif r < 0.045:
            title = ""
        else:
            title = self.new_title(topic, flags.get("title_pattern"))
        huge = flags.get("huge") or rng.random() < 0.01
        style = {"profile": "coding" if huge else profile, "topic": topic, "huge": huge,
                 "one": 1 if rng.random() < 0.3 else 1.0, "children": self.args.layout == "single",
                 "sparse": self.args.layout != "single",
                 "aaa_ids": ym(2024, 1) <= create_t < ym(2025, 1), "modern": create_t >= ym(2025, 1),
                 "model": model_for(create_t, rng)}
        style["zero"] = 0 if isinstance(style["one"], int) else 0.0
        meta = ConvMeta(cid, create_t, style)
        conv = conversation_skeleton(rng, cid, title, create_t, style)
        b = ConversationBuilder(self, conv, meta, rng, create_t)
        b.cursor = conv["current_node"]
        if flags.get("ci") or rng.random() < 0.2:
            b.attach(b.message("user", {"content_type": "user_editable_context", "user_profile": "The user is " + sentence(rng),
                                        "user_instructions": "Answer concisely. " + rng.choice(SPICES)},
                               t=None, weight=style["zero"], metadata={"is_visually_hidden_from_conversation": True,
                                                                       "is_user_system_message": True}))
        if huge:
            target = self.avg_bytes * rng.uniform(8, 15)
        else:
            # mean 1, median 0.6, a long tail; 0.8 allows for the huge ones and for overshoot
            target = min(self.avg_bytes * 0.8 * rng.lognormvariate(-0.5, 1.0), self.avg_bytes * 25)
        target = max(target, 1500)
        if first_kind == "upload":
            b.turn_upload(b.next_turn_size(target), doc=flags.get("doc", False), reuse=flags.get("reuse", False))
            first_kind = None
        b.add_turns(target * 0.6 if flags.get("edit") or flags.get("regen") else target, first_kind)
        if flags.get("edit") or flags.get("regen") or rng.random() < 0.15:
            old_leaf = b.cursor
            done = b.edit_prompt() if flags.get("edit") or (not flags.get("regen") and rng.random() < 0.5) else b.regenerate()
            if done:
                if rng.random() < 0.5:
                    b.add_turns(target)
                if rng.random() < 0.25:
                    b.cursor = old_leaf  # the user went back to the older branch
        if rng.random() < 0.02:  # an interrupted answer
            last = b.mapping[b.cursor]["message"]
            if last["author"]["role"] == "assistant" and "finish_details" in last["metadata"]:
                last["status"], last["end_turn"] = "in_progress", None
                last["metadata"]["finish_details"] = {"type": "interrupted"}
        b.finish()
        if rng.random() < 0.03:
            leaf = b.mapping[b.cursor]["message"]
            meta.feedback = {"id": uuid4(rng), "message_id": leaf["id"], "rating": rng.choice(["thumbsUp", "thumbsDown"]),
                             "create_time": iso(conv["update_time"] + 30), "text": sentence(rng)}
        if rng.random() < 0.03:
            meta.shared = {"id": uuid4(rng), "is_anonymous": rng.random() < 0.5}
        self.metas[cid] = meta
        self.save(meta, conv)

    def create_initial(self, n, export_t):
        span = 540 * 86400
        times = sorted(export_t - 2 * 86400 - span * self.rng.random() ** 1.7 for _ in range(n))
        for i, t in enumerate(times):  # the newest conversations carry the forced features
            j = i - (n - len(FORCED))
            self.create_conversation(t, FORCED[j] if j >= 0 else None)

    def change_conversation(self, meta, action, lo, hi):
        rng = self.rng
        start = max(meta.update_time, lo) + rng.uniform(3600, 20 * 86400)
        start = min(start, hi - 2 * 86400)
        conv = self.load(meta)
        if action == "rename":
            conv["title"] = self.new_title(rng.choice(TOPICS))
            conv["update_time"] = ts(start)
        else:
            b = ConversationBuilder(self, conv, meta, rng, start)
            ok = True
            if action == "edit":
                ok = b.edit_prompt()
            elif action == "regen":
                ok = b.regenerate()
            if action == "grow" or not ok:
                b.add_turns(b.size + max(self.avg_bytes * rng.uniform(0.1, 0.4), 1000))
            b.finish()
        self.save(meta, conv)

    def advance_month(self, month, lo, hi):
        """Month-to-month churn: drops, renames, growth, edits, regenerations, new conversations."""
        rng = self.rng
        alive = [m for m in self.metas.values() if m.alive]
        for meta in alive:
            r, acc = rng.random(), 0.0
            for action, p in CHURN:
                acc += p
                if r < acc:
                    if action == "drop":
                        meta.alive = False
                    else:
                        self.change_conversation(meta, action, lo, hi)
                    break
        n_new = round(len(alive) * NEW_PER_MONTH * rng.uniform(0.8, 1.2))
        if not any(m.alive for m in alive):
            n_new = max(n_new, 1)  # an export with no conversations is an error, not a test case
        for t in sorted(lo + 3600 + (hi - lo - 3 * 86400) * rng.random() for _ in range(n_new)):
            self.create_conversation(t)

    # -- archives ----------------------------------------------------------------------------
    def write_export(self, month, export_t):
        args = self.args
        when = time_tuple(export_t)
        alive = sorted((m for m in self.metas.values() if m.alive), key=lambda m: (-m.create_time, m.id))
        for m in alive:
            m.last_seen = month
        name = f"export-{month:02d}.zip"
        referenced = list(dict.fromkeys(a for m in alive for a in m.attachments))  # ordered, unique
        missing = self.choose_missing(month, referenced)
        present = [a for a in referenced if a not in missing]
        entry = {"file": name, "layout": args.layout, "nested": None, "conversation_ids": [m.id for m in alive]}
        if args.layout == "portal":
            inner = self.out / (name + ".inner.tmp")
            entry["inner_layout"] = args.inner_layout
            entry["members"] = self.write_archive(inner, args.inner_layout, alive, present, when)
            entry["nested"], entry["container_members"] = self.write_container(self.out / name, inner, month, when)
            inner.unlink()
        else:
            entry["members"] = self.write_archive(self.out / name, args.layout, alive, present, when)
        entry["missing_attachments"] = [{"conversation": m.id, "pointer": self.attachments[a].pointer}
                                        for m in alive for a in m.attachments if a in missing]
        entry["attachments"] = {"referenced": len(referenced), "found": len(present), "missing": len(missing)}
        self.exports.append(entry)
        return alive

    def choose_missing(self, month, referenced):
        """The attachments this month's archive leaves out (--missing-attachments)."""
        p = self.args.missing_attachments
        if p <= 0 or not referenced:
            return set()
        k = min(len(referenced), max(1, round(p * len(referenced))))
        return set(random.Random(f"missing-attachments/{self.args.seed}/{month}").sample(referenced, k))

    def archive_member(self, a: Attachment, layout):
        return f"{a.asset_id}.dat" if layout == "dat" else a.member

    def write_archive(self, path, layout, alive, present, when):
        """One export ZIP in `layout` (single, sharded or dat) holding `alive` conversations and
        the `present` attachments; returns {member: sha256 of its bytes} in archive order."""
        args = self.args
        members: dict[str, str] = {}
        sizes: dict[str, int] = {}

        def put(member, data: bytes, deflate=True):
            zi = zip_info(member, when, deflate)
            zf.writestr(zi, data)
            members[member], sizes[member] = hashlib.sha256(data).hexdigest(), len(data)

        def stream(member, pieces, expected):
            zi = zip_info(member, when, True)
            zi._compresslevel = 1  # the big members: level 1 is ~3x faster than 6, 10% larger
            zi.file_size = expected  # lets zipfile decide on ZIP64 up front
            h, n = hashlib.sha256(), 0
            with zf.open(zi, "w") as f:
                for piece in pieces:
                    f.write(piece)
                    h.update(piece)
                    n += len(piece)
            members[member], sizes[member] = h.hexdigest(), n

        def array(metas):
            yield b"["
            for i, m in enumerate(metas):
                data = (self.truth_dir / f"{m.id}.json").read_bytes()
                yield (b"," + data) if i else data
            yield b"]"

        total = sum(m.size + 1 for m in alive) + 2
        with zipfile.ZipFile(path, "w", allowZip64=True) as zf:
            put("user.json", dumps({"id": self.user_id, "email": self.email, "chatgpt_plus_user": True, "phone_number": None}))
            if layout == "single":
                stream("conversations.json", array(alive), total)
            else:
                for i in range(0, max(len(alive), 1), args.shard_size):
                    chunk = alive[i:i + args.shard_size]
                    stream(f"conversations-{i // args.shard_size:03d}.json", array(chunk), sum(m.size + 1 for m in chunk) + 2)
            put("message_feedback.json", dumps([{"id": m.feedback["id"], "message_id": m.feedback["message_id"], "conversation_id": m.id,
                                                 "user_id": self.user_id, "rating": m.feedback["rating"], "create_time": m.feedback["create_time"],
                                                 "content": json.dumps({"tags": [] if m.feedback["rating"] == "thumbsUp" else ["not-helpful"],
                                                                        "text": m.feedback["text"]})}
                                                for m in alive if m.feedback]))
            put("model_comparisons.json", dumps(self.model_comparisons()))
            put("shared_conversations.json", dumps([{"id": m.shared["id"], "conversation_id": m.id, "title": m.title,
                                                     "is_anonymous": m.shared["is_anonymous"]} for m in alive if m.shared]))
            if layout != "single":
                put("user_settings.json", dumps([{"announcements": {"oai/apps/hasDismissedOnboarding": "2024-06-19T07:15:49.701290"},
                                                  "settings": {"show_code_interpreter_output": True, "voice_name": "cove"}}]))
            for member in present:
                a = self.attachments[member]
                put(self.archive_member(a, layout), attachment_bytes(a), deflate=a.kind == "csv")
            if layout == "dat":
                atts = [self.attachments[m] for m in present]
                put("conversation_asset_file_names.json", dumps({f"{a.asset_id}.dat": a.original_name for a in atts}))
                put("library_files.json", dumps([{"file_id": a.asset_id, "file_name": a.original_name, "mime_type": a.mime_type,
                                                  "library_file_id": "lib_" + a.sha[:32], "origination_message_id": a.origin_message,
                                                  "origination_thread_id": a.origin_conversation} for a in atts if a.name]))
            assets = dumps({self.attachments[m].pointer: self.archive_member(self.attachments[m], layout) for m in present})
            stream("chat.html", itertools.chain([CHAT_HTML_HEAD.encode()], array(alive), [CHAT_HTML_MIDDLE.encode(), assets, CHAT_HTML_TAIL.encode()]),
                   total + len(assets) + 4096)
            if layout != "single":
                put("export_manifest.json", dumps({"export_files": [{"path": p, "size_bytes": s} for p, s in sizes.items()]}))
        return members

    def write_container(self, path, inner, month, when):
        """The privacy-portal ZIP around the export at `inner`; returns (the export's member name,
        {member: sha256} of the container)."""
        tag = hashlib.sha256(f"{self.user_id}/{month}".encode()).hexdigest()
        nested = f"User Online Activity/Conversations__{tag[:24]}-chatgpt-0001.zip"
        members: dict[str, str] = {}
        files = io.BytesIO()
        with zipfile.ZipFile(files, "w") as fz:
            fz.writestr(zip_info("README.txt", when, True), PORTAL_FILES_README)
        small = {"report.html": PORTAL_REPORT.format(email=self.email).encode(),
                 "Financial/Transactions.csv": b"date,description,amount,currency\n2025-01-03,ChatGPT Plus,20.00,USD\n",
                 "User Profile/Profile.json": dumps({"email": self.email, "user_id": self.user_id, "country": "PT"}),
                 f"User Online Activity/Files__{tag[24:48]}-files-0001.zip": files.getvalue()}
        with zipfile.ZipFile(path, "w", allowZip64=True) as zf:
            for member, data in small.items():
                zf.writestr(zip_info(member, when, True), data)
                members[member] = hashlib.sha256(data).hexdigest()
            zi = zip_info(nested, when, True)
            zi._compresslevel = 1
            zi.file_size = inner.stat().st_size
            h = hashlib.sha256()
            with zf.open(zi, "w") as f, inner.open("rb") as src:
                for piece in iter(lambda: src.read(1 << 22), b""):
                    f.write(piece)
                    h.update(piece)
            members[nested] = h.hexdigest()
        return nested, members

    def model_comparisons(self):
        rng = random.Random(self.args.seed * 7 + 1)
        return [{"id": uuid4(rng), "user_id": self.user_id, "input": {"prompt_convo": {"id": uuid4(rng), "messages": [
            {"id": uuid4(rng), "author": {"role": "user"}, "content": {"content_type": "text", "parts": [sentence(rng)]}}]}},
                 "output": {"feedback_step_2": {"original_turn": [sentence(rng)], "new_turn": [sentence(rng)], "completion_comparison_rating": "new"}},
                 "metadata": {"cf_headers": {"city": "Lisbon", "country": "PT"}}, "create_time": "2024-04-09T12:00:00.000000+00:00"}]

    def write_truth(self):
        """truth.json, what a correct ingest of all the archives must find:
        email, user_id;
        exports[]: {file, layout, nested (the member name of the export ZIP inside a portal container, else
          null), conversation_ids (in archive order), members: {name: sha256 of the uncompressed bytes} (of the
          nested export for a portal), missing_attachments: [{conversation, pointer}] (each conversation of this
          archive that refers to an attachment the archive lacks, once per pointer), attachments: {referenced,
          found, missing} (distinct pointer ids its conversations refer to, and how many it has or lacks);
          portal only: inner_layout, container_members: {name: sha256} of the container itself};
        conversations{id: {title (newest, may be null or ""), versions (distinct byte versions over all
          archives), last_seen_export (1-based), update_time, messages_current_branch (non-null messages from
          current_node up to the root), sha256 (newest bytes = truth/<id>.json), attachments[]: {pointer,
          member (its name in this series' archives; inside the nested export for a portal), name (the original
          file name a restore should write, rule in the module docstring), sha256}}};
        sensitive_strings: the email, every title ever used (>= 12 chars), every conversation id, every upload's
          original file name; none may appear in a vault's files."""
        layout = self.args.inner_layout if self.args.layout == "portal" else self.args.layout
        convs = {}
        for m in self.metas.values():
            atts = [self.attachments[a] for a in m.attachments]
            convs[m.id] = {"title": m.title, "versions": m.versions, "last_seen_export": m.last_seen, "update_time": m.update_time,
                           "messages_current_branch": m.messages_current_branch, "sha256": m.sha,
                           "attachments": [{"pointer": a.pointer, "member": self.archive_member(a, layout), "name": a.original_name,
                                            "sha256": a.sha} for a in atts]}
        sensitive = [self.email] + [t for t in self.all_titles if len(t) >= 12] + list(self.metas) + \
                    sorted({a.name for a in self.attachments.values() if a.name})
        truth = {"email": self.email, "user_id": self.user_id, "exports": self.exports, "conversations": convs,
                 "sensitive_strings": list(dict.fromkeys(sensitive))}
        (self.out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")


def time_tuple(epoch):
    d = dt.datetime.fromtimestamp(epoch, dt.timezone.utc)
    return (d.year, d.month, d.day, d.hour, d.minute, d.second)


def zip_info(member, when, deflate):
    zi = zipfile.ZipInfo(member, date_time=when)
    zi.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    zi.external_attr = 0o644 << 16
    return zi


PORTAL_REPORT = """<!DOCTYPE html>
<html><head><meta charset="UTF-8"><title>Your OpenAI data</title></head>
<body><h1>Your data export</h1><p>Account: {email}</p>
<ul><li>Financial</li><li>User Profile</li><li>User Online Activity</li></ul></body></html>
"""
PORTAL_FILES_README = "Files you uploaded that are not part of a conversation export would be listed here.\n"

CHAT_HTML_HEAD = """<html>
<head>
    <meta charset="UTF-8">
    <title>ChatGPT Data Export</title>
    <style>
        body { font-family: sans-serif; margin: 0; }
        #root { max-width: 800px; margin: auto; }
        .message { white-space: pre-wrap; margin: 12px 0; }
        .author { font-weight: bold; }
    </style>
</head>
<body>
<div id="root"></div>
<script>
var jsonData = """
CHAT_HTML_MIDDLE = """;

function getConversationMessages(conversation) {
    var messages = [];
    var currentNode = conversation.current_node;
    while (currentNode != null) {
        var node = conversation.mapping[currentNode];
        if (node.message && node.message.content && node.message.content.parts &&
            node.message.content.parts.length > 0 &&
            (node.message.author.role !== "system" || node.message.metadata.is_user_system_message)) {
            messages.push({ author: node.message.author.role, text: node.message.content.parts.join("\\n") });
        }
        currentNode = node.parent;
    }
    return messages.reverse();
}

var assetsJson = """
CHAT_HTML_TAIL = """;

function buildConversationsHtml(conversations) {
    var root = document.getElementById("root");
    for (var i = 0; i < conversations.length; i++) {
        var div = document.createElement("div");
        var h4 = document.createElement("h4");
        h4.textContent = conversations[i].title;
        div.appendChild(h4);
        getConversationMessages(conversations[i]).forEach(function (m) {
            var p = document.createElement("pre");
            p.className = "message";
            p.textContent = m.author + ": " + m.text;
            div.appendChild(p);
        });
        root.appendChild(div);
    }
}

buildConversationsHtml(jsonData);
</script>
</body>
</html>
"""


# ----------------------------------------------------------------------------------------------
# Self-check

class ArrayReader:
    """Yields the exact text of each element of a JSON array read from a binary stream, without
    holding the whole array; `rest()` returns what follows the closing bracket."""

    def __init__(self, stream, skip_to: bytes | None = None):
        self.stream, self.dec, self.jd = stream, codecs.getincrementaldecoder("utf-8")(), json.JSONDecoder()
        self.buf, self.pos, self.eof = "", 0, False
        if skip_to is not None:
            head = b""
            while skip_to not in head:
                chunk = stream.read(1 << 16)
                if not chunk:
                    raise ValueError(f"{skip_to!r} not found")
                head += chunk
            self.buf = self.dec.decode(head[head.index(skip_to) + len(skip_to):])

    def fill(self):
        chunk = self.stream.read(1 << 22)
        self.buf = self.buf[self.pos:] + self.dec.decode(chunk, final=not chunk)
        self.pos, self.eof = 0, not chunk

    def peek(self):
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if self.eof:
                raise ValueError("unexpected end of JSON")
            self.fill()

    def expect(self, ch):
        if self.peek() != ch:
            raise ValueError(f"expected {ch!r} at {self.buf[self.pos:self.pos + 40]!r}")
        self.pos += 1

    def elements(self):
        self.expect("[")
        first = True
        while self.peek() != "]":
            if not first:
                self.expect(",")
                self.peek()
            first = False
            while True:
                try:
                    obj, end = self.jd.raw_decode(self.buf, self.pos)
                    break
                except json.JSONDecodeError:
                    if self.eof:
                        raise
                    self.fill()
            text = self.buf[self.pos:end]
            self.pos = end
            yield text, obj
        self.pos += 1

    def rest(self):
        return self.buf[self.pos:] + self.dec.decode(self.stream.read(), final=True)


def pointers_in(conv):
    """Every asset pointer and attachment id a conversation refers to, scheme stripped."""
    found = set()

    def walk(x):
        if isinstance(x, dict):
            if isinstance(x.get("asset_pointer"), str):
                found.add(x["asset_pointer"].split("://")[-1])
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    for node in (conv.get("mapping") or {}).values():
        msg = node.get("message") or {}
        walk(msg.get("content"))
        for a in (msg.get("metadata") or {}).get("attachments") or []:
            found.add(a["id"])
    return found


def check_outputs(out: Path) -> list[str]:
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    convs, problems = truth["conversations"], []
    shas_seen: dict[str, set] = {cid: set() for cid in convs}
    by_id = {a["pointer"].split("://")[-1]: a for t in convs.values() for a in t["attachments"]}
    previous: set = set()
    for k, exp in enumerate(truth["exports"], 1):
        with zipfile.ZipFile(out / exp["file"]) as outer:
            if exp.get("nested"):
                problems += check_members(outer, exp["container_members"], exp["file"])
                with tempfile.TemporaryFile() as inner:
                    with outer.open(exp["nested"]) as f:
                        shutil.copyfileobj(f, inner, 1 << 22)
                    inner.seek(0)
                    with zipfile.ZipFile(inner) as zf:
                        here = check_export(zf, exp, k, convs, by_id, shas_seen, problems)
            else:
                here = check_export(outer, exp, k, convs, by_id, shas_seen, problems)
        shas = {s for _, s in here}
        if k > 1:
            print(f"check {exp['file']}: {len(shas)} conversations, {len(shas & previous)} byte-identical to the previous export")
        previous = shas
    for cid, t in convs.items():
        if len(shas_seen[cid]) != t["versions"]:
            problems.append(f"{cid}: {len(shas_seen[cid])} byte-versions seen, truth says {t['versions']}")
        data = (out / "truth" / f"{cid}.json").read_bytes()
        if hashlib.sha256(data).hexdigest() != t["sha256"]:
            problems.append(f"truth/{cid}.json does not match its sha256")
    return problems


def check_members(zf, want: dict, label: str) -> list[str]:
    """The member list and every member's sha256, against the truth."""
    problems = []
    if set(zf.namelist()) != set(want) or len(zf.namelist()) != len(want):
        problems.append(f"{label}: member list differs from truth")
    for name, sha in want.items():
        h = hashlib.sha256()
        with zf.open(name) as f:
            for chunk in iter(lambda: f.read(1 << 22), b""):
                h.update(chunk)
        if h.hexdigest() != sha:
            problems.append(f"{label}:{name}: sha256 mismatch")
    return problems


def check_export(zf, exp, k, convs, by_id, shas_seen, problems) -> list[tuple[str, str]]:
    """Checks one export ZIP (the nested one for a portal) against the truth; returns its
    (conversation id, sha256) pairs in archive order."""
    label = exp["file"] + (f"!{exp['nested']}" if exp.get("nested") else "")
    layout = exp.get("inner_layout") or exp["layout"]
    problems += check_members(zf, exp["members"], label)
    here: list[tuple[str, str]] = []
    missing_found: list[dict] = []
    pointers_in_ids: dict[str, set] = {}
    sparse = {"status": 0, "weight": 0, "recipient": 0, "children": 0}
    files = sorted(n for n in zf.namelist() if n == "conversations.json" or (n.startswith("conversations-") and n.endswith(".json")))
    if (files == ["conversations.json"]) != (layout == "single"):
        problems.append(f"{label}: conversations files {files[:3]} do not fit the {layout} layout")
    for name in files:
        with zf.open(name) as f:
            for text, obj in ArrayReader(f).elements():
                raw = text.encode("utf-8")
                if dumps(obj) != raw:
                    problems.append(f"{label}:{name}: {obj.get('id')} does not round-trip")
                sha = hashlib.sha256(raw).hexdigest()
                here.append((obj["id"], sha))
                t = convs.get(obj["id"])
                if t is None:
                    problems.append(f"{label}:{name}: {obj['id']} is not in truth")
                    continue
                shas_seen[obj["id"]].add(sha)
                for node in obj["mapping"].values():
                    sparse["children"] += "children" in node
                    msg = node.get("message") or {}
                    for key in ("status", "weight", "recipient"):
                        sparse[key] += bool(msg) and key not in msg
                pointers_in_ids[obj["id"]] = {p for p in pointers_in(obj) if p in by_id}
                for pid in sorted(pointers_in(obj)):
                    a = by_id.get(pid)
                    if a is None:
                        problems.append(f"{obj['id']}: pointer {pid} is not in truth")
                    elif a["member"] not in exp["members"]:
                        missing_found.append({"conversation": obj["id"], "pointer": a["pointer"]})
                    elif exp["members"][a["member"]] != a["sha256"]:
                        problems.append(f"{obj['id']}: attachment {a['member']} differs")
                if k == t["last_seen_export"]:
                    if sha != t["sha256"]:
                        problems.append(f"{obj['id']}: newest bytes differ from truth")
                    if count_current_branch_messages(obj) != t["messages_current_branch"] or obj["title"] != t["title"] \
                            or obj["update_time"] != t["update_time"]:
                        problems.append(f"{obj['id']}: title/update_time/branch count differ from truth")
                    want_ptrs = {a["pointer"].split("://")[-1] for a in t["attachments"]}
                    if pointers_in(obj) != want_ptrs:
                        problems.append(f"{obj['id']}: attachment pointers differ from truth")
    if [cid for cid, _ in here] != exp["conversation_ids"]:
        problems.append(f"{label}: conversation ids/order differ from truth")
    key = lambda d: (d["conversation"], d["pointer"])  # noqa: E731
    if sorted(missing_found, key=key) != sorted(exp.get("missing_attachments", []), key=key):
        problems.append(f"{label}: the attachments it lacks differ from missing_attachments in truth")
    referenced = {by_id[p]["pointer"] for cid, _ in here for p in pointers_in_ids.get(cid, ())}
    lacking = {d["pointer"] for d in missing_found}
    counts = {"referenced": len(referenced), "found": len(referenced - lacking), "missing": len(lacking)}
    if "attachments" in exp and exp["attachments"] != counts:
        problems.append(f"{label}: attachment counts {exp['attachments']} differ from what it holds, {counts}")
    if layout == "single" and (sparse["status"] or sparse["weight"] or sparse["recipient"]):
        problems.append(f"{label}: messages lack fields in the single layout")
    if layout != "single" and (sparse["children"] or not (sparse["status"] and sparse["weight"] and sparse["recipient"])):
        problems.append(f"{label}: the 2026 layouts need nodes without children and messages without status/weight/recipient")
    if layout != "dat":
        for a in by_id.values():
            if a["name"] != original_name(a["member"], a["pointer"].split("://")[-1]):
                problems.append(f"{label}: {a['member']} should restore as {a['name']!r}")
    if layout == "dat":
        names = json.loads(zf.read("conversation_asset_file_names.json"))
        dats = {n for n in zf.namelist() if n.endswith(".dat")}
        if set(names) != dats:
            problems.append(f"{label}: conversation_asset_file_names.json does not name exactly the .dat members")
        for a in by_id.values():
            if a["member"] in names and names[a["member"]] != a["name"]:
                problems.append(f"{label}: {a['member']} is named {names[a['member']]!r}, truth says {a['name']!r}")
        for lf in json.loads(zf.read("library_files.json")):
            if f"{lf['file_id']}.dat" not in dats or not lf["mime_type"] or not lf["origination_thread_id"]:
                problems.append(f"{label}: library_files.json entry {lf['file_id']} is incomplete")
    with zf.open("chat.html") as f:
        reader = ArrayReader(f, b"var jsonData = ")
        html = [hashlib.sha256(text.encode("utf-8")).hexdigest() for text, _ in reader.elements()]
        if html != [s for _, s in here] or "var assetsJson = " not in reader.rest():
            problems.append(f"{label}: chat.html does not embed the same conversations")
    return here


# ----------------------------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--months", type=int, default=3, help="number of monthly exports (default 3)")
    p.add_argument("--conversations", type=int, default=300, help="approximate conversations in month 1 (default 300)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--layout", choices=["single", "sharded", "dat", "portal"], default="single",
                   help="2023-25 single file, 2026 shards, 2026 .dat assets, or the privacy-portal container")
    p.add_argument("--inner-layout", choices=["sharded", "dat"], default="dat",
                   help="the export inside the portal container (default dat)")
    p.add_argument("--missing-attachments", type=float, default=0.0, metavar="P",
                   help="fraction of the attachments a month refers to that its archive leaves out (default 0)")
    p.add_argument("--shard-size", type=int, default=100, help="conversations per shard (sharded layout)")
    p.add_argument("--avg-kb", type=float, default=30, help="typical conversation size in KB (default 30)")
    p.add_argument("--start", default="2025-01", help="YYYY-MM of the first export (default 2025-01)")
    p.add_argument("--check", action="store_true", help="re-read the archives and verify truth.json")
    a = p.parse_args(argv)
    if a.months < 1 or a.conversations < 1 or a.shard_size < 1 or a.avg_kb <= 0:
        p.error("--months, --conversations, --shard-size and --avg-kb must be positive")
    if not 0 <= a.missing_attachments <= 1:
        p.error("--missing-attachments must be between 0 and 1")
    try:
        y, m = map(int, a.start.split("-"))
        if not 1 <= m <= 12:
            raise ValueError
    except ValueError:
        p.error("--start must be YYYY-MM")
    return a


def main(argv=None):
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for old in list(out.glob("export-*.zip")) + list(out.glob("export-*.zip.inner.tmp")) + list(out.glob("truth/*.json")) + \
            [out / "truth.json"]:
        old.unlink(missing_ok=True)  # only files this tool writes
    (out / "truth").mkdir(exist_ok=True)
    acc = Account(args)
    prev_shas: dict[str, str] = {}
    for month in range(1, args.months + 1):
        export_t = export_epoch(args.start, month)
        if month == 1:
            acc.create_initial(args.conversations, export_t)
        else:
            acc.advance_month(month, export_epoch(args.start, month - 1), export_t)
        alive = acc.write_export(month, export_t)
        same = sum(1 for m in alive if prev_shas.get(m.id) == m.sha)
        json_bytes = sum(m.size for m in alive)
        zsize = (out / f"export-{month:02d}.zip").stat().st_size
        print(f"export-{month:02d}.zip: {len(alive)} conversations ({same} byte-identical to the previous month), "
              f"{json_bytes / 1e6:.1f} MB conversation JSON, {zsize / 1e6:.1f} MB zip")
        prev_shas = {m.id: m.sha for m in alive}
    acc.write_truth()
    if args.check:
        problems = check_outputs(out)
        for p in problems[:50]:
            print("CHECK FAILED:", p, file=sys.stderr)
        if problems:
            return 1
        print("check: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
