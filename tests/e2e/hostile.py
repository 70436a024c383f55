"""Builders of hostile and odd export archives for test_bad_input.py.

Python's zipfile refuses to write most of what an attacker or a broken
download produces, so `RawZip` writes ZIP files field by field: duplicate
names, a flag claiming encryption, a CRC that does not match, member names
holding `..`, backslashes or control bytes, and a member that inflates from a
few MB to ~4 GB. The conversation helpers return exact bytes, because the
tests compare what the vault restores with what the archive held, byte for
byte.
"""

import json
import struct
import zlib

LOCAL_HEADER = 0x04034B50
CENTRAL_HEADER = 0x02014B50
END_OF_CENTRAL_DIRECTORY = 0x06054B50
STORED, DEFLATED = 0, 8
FLAG_ENCRYPTED, FLAG_UTF8 = 0x0001, 0x0800
DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1


class RawZip:
    """Writes a ZIP archive member by member, exactly as told. Use as a context
    manager; the central directory is written on exit."""

    def __init__(self, path):
        self.path = path
        self._file = open(path, "wb")
        self._entries = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def add(self, name, data=b"", *, deflate=True, flags=0, crc=None):
        """A member holding `data`. `crc` overrides the CRC-32 written in both
        headers; `flags` is the general-purpose bit field of both headers."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        body = deflated(data) if deflate else data
        real_crc = zlib.crc32(data)
        self.add_raw(name, body, real_crc if crc is None else crc, len(data),
                     DEFLATED if deflate else STORED, flags)

    def add_raw(self, name, body, crc, size, method, flags=0):
        """A member whose compressed bytes, CRC and size the caller supplies."""
        raw_name = name.encode("utf-8") if isinstance(name, str) else name
        if any(b >= 0x80 for b in raw_name):
            flags |= FLAG_UTF8
        offset = self._file.tell()
        self._file.write(struct.pack("<IHHHHHIIIHH", LOCAL_HEADER, 20, flags, method, 0,
                                     DOS_DATE_1980_01_01, crc, len(body), size, len(raw_name), 0))
        self._file.write(raw_name)
        self._file.write(body)
        self._entries.append((raw_name, crc, len(body), size, method, flags, offset))

    def close(self):
        if self._file.closed:
            return
        start = self._file.tell()
        for raw_name, crc, csize, size, method, flags, offset in self._entries:
            self._file.write(struct.pack("<IHHHHHHIIIHHHHHII", CENTRAL_HEADER, 20, 20, flags, method,
                                         0, DOS_DATE_1980_01_01, crc, csize, size, len(raw_name), 0,
                                         0, 0, 0, 0o644 << 16, offset))
            self._file.write(raw_name)
        size = self._file.tell() - start
        n = len(self._entries)
        self._file.write(struct.pack("<IHHHHIIH", END_OF_CENTRAL_DIRECTORY, 0, 0, n, n, size,
                                     start, 0))
        self._file.close()


def deflated(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


# ----------------------------------------------------------------------------------------------
# Conversations, as exact bytes

def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def conversation(cid, title="A perfectly ordinary conversation", parts=None, drop=(), **fields):
    """A small, valid 2025-style conversation: root, a user prompt and an
    answer. `fields` replace top-level keys; keys in `drop` are left out."""
    root, q, a = cid + "-root", cid + "-q", cid + "-a"

    def msg(mid, role, content_parts):
        return {"id": mid, "author": {"role": role, "name": None, "metadata": {}},
                "create_time": 1735689600.5, "update_time": None,
                "content": {"content_type": "multimodal_text" if role == "user" and parts else "text",
                            "parts": content_parts},
                "status": "finished_successfully", "end_turn": role == "assistant", "weight": 1.0,
                "metadata": {}, "recipient": "all", "channel": None}

    conv = {"title": title, "create_time": 1735689600.0, "update_time": 1735689700.0,
            "mapping": {
                q: {"id": q, "message": msg(q, "user", (parts or []) + ["Hello there."]),
                    "parent": root, "children": [a]},
                root: {"id": root, "message": None, "parent": None, "children": [q]},
                a: {"id": a, "message": msg(a, "assistant", ["Hello, how can I help?"]),
                    "parent": q, "children": []}},
            "moderation_results": [], "current_node": a, "conversation_id": cid, "id": cid}
    conv.update(fields)
    for key in drop:
        conv.pop(key, None)
    return conv


def image_part(asset_id):
    return {"content_type": "image_asset_pointer", "asset_pointer": "file-service://" + asset_id,
            "size_bytes": 0, "width": 1, "height": 1, "fovea": None, "metadata": None}


def json_array(elements):
    """A conversations file: the elements (bytes) joined as a JSON array."""
    return b"[" + b",".join(elements) + b"]"


def export(path, elements, name="conversations.json", extra=()):
    """A plain, sound export archive holding `elements` in `name`, plus
    `extra` (name, bytes) members."""
    with RawZip(path) as z:
        z.add(name, json_array(elements))
        z.add("user.json", b'{"email":"someone@example.org"}')
        for member, data in extra:
            z.add(member, data)
    return path


def ordinary():
    """The exact bytes of a conversation nothing is wrong with."""
    return dumps(conversation("00000000-0000-4000-8000-00000000cafe", title="Nothing odd here"))


# ----------------------------------------------------------------------------------------------
# Broken archives

def not_a_zip(path):
    with open(path, "wb") as f:
        f.write(b"%PDF-1.4\nThis is a PDF, or at least it is not a ZIP.\n" * 50)
    return path


def truncated(path, keep):
    """A sound export cut short after `keep` (a fraction of its size)."""
    export(path, [ordinary()], extra=[("file-Trunc1-photo.png", bytes(range(256)) * 512)])
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[:int(len(data) * keep)])
    return path


def crc_mismatch(path, member):
    """A sound export in which `member`'s CRC-32, in both headers, is off by one bit."""
    with RawZip(path) as z:
        conversations = json_array([ordinary()])
        z.add("conversations.json", conversations,
              crc=zlib.crc32(conversations) ^ 1 if member == "conversations.json" else None)
        photo = bytes(range(256)) * 64
        z.add("file-Crc1-photo.png", photo, deflate=False,
              crc=zlib.crc32(photo) ^ 1 if member == "file-Crc1-photo.png" else None)
    return path


def encrypted_member(path):
    """A stored member whose flags say it is encrypted (traditional PKWARE)."""
    with RawZip(path) as z:
        z.add("conversations.json", json_array([ordinary()]))
        z.add("file-Enc1-secret.pdf", b"%PDF-1.4 pretend this is ciphertext", deflate=False,
              flags=FLAG_ENCRYPTED)
    return path


def duplicate_names(path):
    """Two members both named conversations.json, with different conversations."""
    other = dumps(conversation("00000000-0000-4000-8000-0000000000d2", title="The other copy"))
    with RawZip(path) as z:
        z.add("conversations.json", json_array([ordinary()]))
        z.add("conversations.json", json_array([other]))
    return path


def deflate_bomb(path, member, prefix, suffix, gigabytes=4, others=()):
    """`member` inflates to prefix + ~`gigabytes` GB of spaces + suffix from a
    few MB of deflate, with a correct CRC-32 and declared size (under 4 GiB,
    so no ZIP64). Built in well under a second: a 1 MiB run of spaces
    compressed after a full flush always yields the same block, which is
    repeated; the CRC comes from crc32_combine, not from 4 GB of input."""
    piece = 1 << 20
    count = int(gigabytes * 1e9) // piece
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(b" " * piece) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.compress(suffix) + c.flush()
    size = len(prefix) + count * piece + len(suffix)
    assert size < 1 << 32
    crc = crc32_combine(crc32_combine(zlib.crc32(prefix), crc32_repeated(b" " * piece, count),
                                      count * piece), zlib.crc32(suffix), len(suffix))
    with RawZip(path) as z:
        for name, data in others:
            z.add(name, data)
        z.add_raw(member, head + block * count + tail, crc, size, DEFLATED)
    return path


def _gf2_times(matrix, vector):
    total, i = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[i]
        vector >>= 1
        i += 1
    return total


def _gf2_square(matrix):
    return [_gf2_times(matrix, row) for row in matrix]


def crc32_combine(crc1, crc2, len2):
    """CRC-32 of A+B from crc32(A), crc32(B) and len(B): zlib's crc32_combine."""
    if len2 == 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # the operator for one zero bit
    even = _gf2_square(odd)  # two zero bits
    odd = _gf2_square(even)  # four zero bits
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def crc32_repeated(block, count):
    """CRC-32 of `block` repeated `count` times, by doubling."""
    result, result_len = 0, 0
    power, power_len = zlib.crc32(block), len(block)
    while count:
        if count & 1:
            result, result_len = crc32_combine(result, power, power_len), result_len + power_len
        power, power_len = crc32_combine(power, power, power_len), 2 * power_len
        count >>= 1
    return result


# ----------------------------------------------------------------------------------------------
# Hostile names

def hostile_member_names(path, sandbox_abs):
    """A 2025-style export whose attachment members have hostile paths and
    names; each is referenced by the conversation returned, so `restore
    --assets` must write every one of them somewhere safe. Returns (path,
    conversation id, conversation bytes, {asset id: file bytes})."""
    names = {
        "file-HostileDotDot": "../../file-HostileDotDot-passwd",
        "file-HostileAbs": "/" + sandbox_abs.strip("/") + "/file-HostileAbs-abs.png",
        "file-HostileLong": "file-HostileLong-" + "n" * 3000 + ".png",
        "file-HostileBackslash": "file-HostileBackslash-..\\..\\..\\windows\\win.ini",
        "file-HostileControl": "file-HostileControl-bell\x07esc\x1b[31mred\x7f.png",
        "file-HostileHash": "file-HostileHash-receipt #12 #final.png",
        "file-HostileUnicode": "file-HostileUnicode-Ünïcødé 写真 🎉\u202eevil.png",
        "file-HostileDot": "dalle-generations/./../file-HostileDot-..",
    }
    return _export_with_assets(path, "00000000-0000-4000-8000-00000000bad1", names, dat_names=None,
                               extra=[("../../etc/passwd", b"root:x:0:0:not really\n"),
                                      ("/abs/path", b"absolute member\n")])


def hostile_friendly_names(path, sandbox_abs):
    """A 2026 `.dat` export whose conversation_asset_file_names.json gives
    hostile original names. Returns as hostile_member_names does."""
    friendly = {
        "file-FriendlyDotDot": "../../etc/passwd",
        "file-FriendlyAbs": sandbox_abs.rstrip("/") + "/escaped.png",
        "file-FriendlyLong": "l" * 3000 + ".pdf",
        "file-FriendlyBackslash": "..\\..\\boot.ini",
        "file-FriendlyControl": "tab\there\nnewline\x01.png",
        "file-FriendlyHash": "#1 draft #2.pdf",
        "file-FriendlyUnicode": "résumé 履歴書 👩‍💻.pdf",
        "file-FriendlyDot": ".",
        "file-FriendlyDotDotOnly": "..",
        "file-FriendlyEmpty": "",
        "file-FriendlySlash": "a/b/c.png",
    }
    names = {asset: asset + ".dat" for asset in friendly}
    return _export_with_assets(path, "00000000-0000-4000-8000-00000000bad2", names,
                               dat_names={asset + ".dat": n for asset, n in friendly.items()})


def _export_with_assets(path, cid, members, dat_names, extra=()):
    contents = {asset: b"%PDF-1.4 unique content of " + asset.encode() + b"\n" for asset in members}
    conv = dumps(conversation(cid, title="Hostile names", parts=[image_part(a) for a in members]))
    with RawZip(path) as z:
        z.add("conversations.json" if dat_names is None else "conversations-000.json",
              json_array([conv, ordinary()]))
        for asset, member in members.items():
            z.add(member, contents[asset], deflate=False)
        if dat_names is not None:
            z.add("conversation_asset_file_names.json", dumps(dat_names))
        for member, data in extra:
            z.add(member, data)
    return path, cid, conv, contents
