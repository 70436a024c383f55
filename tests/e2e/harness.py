"""Shared helpers for the end-to-end tests: run the real gptvault binary in a
private vault, and generate exports with tools/gen_export.py (cached per
process, since several tests read the same series)."""

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

BIN = os.environ.get("GPTVAULT_BIN") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", "build", "gptvault"))
SOURCE_DIR = os.environ.get("GPTVAULT_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED_DIR = os.path.abspath(os.path.join(SOURCE_DIR, "..", "shared"))
GENERATOR = os.path.join(SOURCE_DIR, "tools", "gen_export.py")
PASSPHRASE = "correct horse battery staple"

_generated = {}


def generate(months=3, conversations=300, seed=1, layout="single", **extra):
    """Returns (folder, truth) for a generated series, generating it once."""
    key = (months, conversations, seed, layout, tuple(sorted(extra.items())))
    if key not in _generated:
        out = tempfile.mkdtemp(prefix="gv-export-")
        atexit.register(shutil.rmtree, out, True)
        args = [sys.executable, GENERATOR, "--out", out, "--months", str(months),
                "--conversations", str(conversations), "--seed", str(seed), "--layout", layout]
        for k, v in extra.items():
            args += ["--" + k.replace("_", "-"), str(v)]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(out, "truth.json"), encoding="utf-8") as f:
            _generated[key] = (out, json.load(f))
    return _generated[key]


def export_path(folder, month):
    return os.path.join(folder, "export-%02d.zip" % month)


def zip_of(path, members):
    """Writes a ZIP holding `members` ({name: bytes or str}) and returns its path."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def tree_bytes(folder):
    """Every file under `folder`: relative name -> bytes (to compare states)."""
    out = {}
    for root, _, files in os.walk(folder):
        for name in files:
            full = os.path.join(root, name)
            with open(full, "rb") as f:
                out[os.path.relpath(full, folder)] = f.read()
    return out


def tree_size(folder):
    return sum(len(b) for b in tree_bytes(folder).values())


class VaultTestCase(unittest.TestCase):
    """Each test gets a fresh folder with a vault location and a passphrase."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="gv-test-")
        self.vault = os.path.join(self.dir, "vault")
        self.env = dict(os.environ)
        self.env.pop("GPTVAULT_PASSPHRASE", None)
        self.env.update({"GPTVAULT_VAULT": self.vault, "GPTVAULT_PASSPHRASE": PASSPHRASE,
                         "XDG_STATE_HOME": os.path.join(self.dir, "state"),
                         "XDG_DATA_HOME": os.path.join(self.dir, "data"),
                         # Unlocked sessions (gptvault unlock) live here: none
                         # of the user's, and none of another test's.
                         "XDG_RUNTIME_DIR": os.path.join(self.dir, "run")})
        os.mkdir(self.env["XDG_RUNTIME_DIR"], 0o700)

    def tearDown(self):
        if os.environ.get("GPTVAULT_KEEP_TEST_DATA"):
            print("test data left in", self.dir, file=sys.stderr)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def gv(self, *args, env=None, input=None, timeout=600):
        """Runs gptvault; returns the CompletedProcess (stdout/stderr as bytes)."""
        e = dict(self.env)
        if env:
            for k, v in env.items():
                if v is None:
                    e.pop(k, None)
                else:
                    e[k] = v
        return subprocess.run([BIN, *args], env=e, input=input, capture_output=True,
                              timeout=timeout, stdin=None if input is not None else subprocess.DEVNULL)

    def gv_ok(self, *args, **kw):
        r = self.gv(*args, **kw)
        self.assertEqual(r.returncode, 0, "gptvault %s failed: %s" % (" ".join(args),
                                                                      r.stderr.decode(errors="replace")))
        return r

    def assertFailsWithOneLine(self, result, contains=None, code=1):
        """The bad-input contract: one line on stderr, nothing on stdout, and the documented
        exit code (README, "Exit codes"): 1 unless the failure has its own."""
        err = result.stderr.decode(errors="replace")
        self.assertEqual(result.returncode, code, err)
        self.assertEqual(result.stdout, b"")
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        if contains:
            self.assertIn(contains, err)

    def wait_for_lock(self, process, timeout=30):
        """Returns once `process` holds the writer lock (a file in locks/)."""
        locks = os.path.join(self.vault, "locks")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # A ".tmp-" file is a lock still being written, not yet taken.
            if os.path.isdir(locks) and any(not n.startswith(".") for n in os.listdir(locks)):
                return
            self.assertIsNone(process.poll(), "gptvault ended before it was seen holding the lock")
            time.sleep(0.005)
        self.fail("no lock file appeared")

    def assertSound(self):
        """`check --read-data` finds no problem; returns what it printed."""
        r = self.gv("check", "--read-data")
        self.assertEqual(r.returncode, 0, r.stdout.decode(errors="replace"))
        return r.stdout.decode()

    def init_vault(self):
        self.gv_ok("init")

    def list_json(self):
        return json.loads(self.gv_ok("list", "--json").stdout)
