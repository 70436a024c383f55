"""The S3 backend end to end: the real binary keeps a vault under a prefix of
a bucket on a local S3 server (s3rver, behind tests/s3/start-s3rver.js, which
checks every SigV4 signature and body hash, and can imitate S3's conditional
writes or inject throttling and dropped connections). Each class starts its
own server on a free loopback port with a fresh folder, and stops it after."""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request
import uuid

from harness import SOURCE_DIR, VaultTestCase, export_path, generate, zip_of

S3_TEST_DIR = os.path.join(SOURCE_DIR, "tests", "s3")
BUCKET = "gv-test-bucket"
ACCESS_KEY = "S3RVER"  # s3rver's built-in account
SECRET_KEY = "S3RVER"


def setUpModule():
    if shutil.which("node") is None:
        raise unittest.SkipTest("node is not installed (tools/install-deps.sh installs it)")
    if not os.path.isdir(os.path.join(S3_TEST_DIR, "node_modules", "s3rver")):
        raise unittest.SkipTest("s3rver is not installed: run npm install in tests/s3 "
                                "(tools/install-deps.sh does)")


class S3Server:
    """start-s3rver.js in a temporary folder; `stop` kills it and removes the folder."""

    def __init__(self, *extra_args):
        self.dir = tempfile.mkdtemp(prefix="gv-s3rver-")
        self.log_path = os.path.join(self.dir, "server.log")
        self.log = open(self.log_path, "wb")
        data = os.path.join(self.dir, "data")
        os.mkdir(data)
        self.proc = subprocess.Popen(
            # s3rver makes ListObjectsV2 continuation tokens with DES, which
            # OpenSSL 3 keeps in its legacy provider.
            ["node", "--openssl-legacy-provider", os.path.join(S3_TEST_DIR, "start-s3rver.js"), "--directory", data,
             "--bucket", BUCKET, "--address", "127.0.0.1", "--port", "0", *extra_args],
            cwd=S3_TEST_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log)
        line = self.proc.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError("s3rver did not start: " + self.log_text())
        self.port = json.loads(line)["port"]
        self.endpoint = "http://127.0.0.1:%d" % self.port

    def stats(self):
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with direct.open(self.endpoint + "/__stats", timeout=10) as r:
            return json.loads(r.read())

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream:
                stream.close()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def free_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class S3TestCase(VaultTestCase):
    """Every test gets its own prefix in the class's bucket as its vault."""
    server_args = ()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = S3Server(*cls.server_args)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.url = "s3://%s/vaults/%s-%s" % (BUCKET, self.id().rsplit(".", 1)[-1][:40],
                                             uuid.uuid4().hex[:8])
        for k in list(self.env):
            if (k.startswith(("AWS_", "GPTVAULT_S3_")) or
                    k.lower() in ("http_proxy", "https_proxy", "all_proxy")):
                del self.env[k]
        self.env.update({"GPTVAULT_VAULT": self.url, "AWS_ENDPOINT_URL": self.server.endpoint,
                         "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                         "AWS_REGION": "us-east-1"})

    def run(self, result=None):
        # The server's log (signature mismatches and their canonical
        # requests) helps when a test fails.
        before = result.failures[:] + result.errors[:] if result else []
        out = super().run(result)
        if result and len(result.failures) + len(result.errors) > len(before):
            print("\n--- s3rver log ---\n" + self.server.log_text()[-4000:])
        return out


class VaultOnS3(S3TestCase):
    def test_two_monthly_exports_go_in_and_every_conversation_restores_byte_for_byte(self):
        folder, truth = generate(months=2, conversations=60, seed=5)
        rejected_before = self.server.stats()["rejected"]
        # The location given as --vault this time, not GPTVAULT_VAULT.
        del self.env["GPTVAULT_VAULT"]
        vault = ("--vault", self.url)
        self.gv_ok(*vault, "init")
        for month in (1, 2):
            self.gv_ok(*vault, "add", export_path(folder, month))
        listed = {c["id"] for c in json.loads(self.gv_ok(*vault, "list", "--json").stdout)}
        self.assertEqual(listed, set(truth["conversations"]))
        out = os.path.join(self.dir, "restored")
        self.gv_ok(*vault, "restore", "--all", "-o", out)
        self.assertEqual(sorted(os.listdir(out)),
                         sorted(cid + ".json" for cid in truth["conversations"]))
        for cid in truth["conversations"]:
            with open(os.path.join(out, cid + ".json"), "rb") as a, \
                    open(os.path.join(folder, "truth", cid + ".json"), "rb") as b:
                self.assertEqual(a.read(), b.read(), cid)
        self.gv_ok(*vault, "check", "--read-data")
        log = json.loads(self.gv_ok(*vault, "log", "--json").stdout)
        self.assertEqual([s["seq"] for s in log], [1, 2])
        stats = self.server.stats()
        self.assertEqual(stats["rejected"], rejected_before, "every request was signed right")
        self.assertGreater(stats["conditionalPuts"], 0)

    def test_forget_and_prune_work_on_s3_as_on_a_folder(self):
        folder, truth = generate(months=2, conversations=60, seed=5)
        self.gv_ok("init")
        for month in (1, 2):
            self.gv_ok("add", export_path(folder, month))
        # S3 gives each object's LastModified: everything here is fresh.
        young = json.loads(self.gv_ok("prune", "--dry-run", "--json").stdout)
        self.assertEqual(young["unused"]["packs"] + young["unindexed"]["packs"], 0)
        self.gv_ok("forget", "--keep-last", "1", "--prune", "--grace", "0")
        log = json.loads(self.gv_ok("log", "--json").stdout)
        self.assertEqual([s["seq"] for s in log], [2])
        self.assertIn(b"nothing to prune", self.gv_ok("prune", "--grace", "0").stdout)
        for cid in truth["conversations"]:
            restored = self.gv_ok("restore", cid, "-o", "-").stdout
            with open(os.path.join(folder, "truth", cid + ".json"), "rb") as f:
                self.assertEqual(restored, f.read(), cid)
        self.gv_ok("check", "--read-data")

    def test_a_small_hand_made_export_round_trips(self):
        conv = {"id": "c0ffee00-0000-4000-8000-000000000001", "title": "On S3",
                "create_time": 1700000000.0, "update_time": 1700000001.0,
                "current_node": "n1", "mapping": {
                    "n1": {"id": "n1", "parent": None, "children": [], "message": {
                        "id": "n1", "author": {"role": "user"},
                        "content": {"content_type": "text", "parts": ["hello & <s3>"]}}}}}
        raw = json.dumps([conv]).encode()
        path = zip_of(os.path.join(self.dir, "small.zip"), {"conversations.json": raw})
        self.gv_ok("init")
        self.gv_ok("add", path)
        self.assertEqual(json.loads(self.gv_ok("restore", conv["id"]).stdout), conv)

    def test_init_twice_is_refused_and_vaults_under_sibling_prefixes_are_separate(self):
        self.gv_ok("init")
        r = self.gv("init")
        self.assertFailsWithOneLine(r, "already exists")
        # "<prefix>2" starts with "<prefix>" but is another folder.
        self.gv_ok("init", env={"GPTVAULT_VAULT": self.url + "2"})
        self.gv_ok("init", env={"GPTVAULT_VAULT": self.url + "/inner"})

    def test_a_wrong_secret_key_fails_with_one_line_about_the_signature(self):
        self.gv_ok("init")
        wrong = "definitely-not-the-secret-" + uuid.uuid4().hex
        for args in (("list",), ("init",)):
            r = self.gv(*args, env={"AWS_SECRET_ACCESS_KEY": wrong})
            self.assertFailsWithOneLine(r, "SignatureDoesNotMatch")
            err = r.stderr.decode()
            self.assertIn("AWS_SECRET_ACCESS_KEY", err)
            self.assertNotIn(wrong, err)

    def test_an_unknown_access_key_is_named(self):
        r = self.gv("list", env={"AWS_ACCESS_KEY_ID": "NOSUCHKEY"})
        self.assertFailsWithOneLine(r, "InvalidAccessKeyId")

    def test_missing_credentials_are_named_in_one_line(self):
        r = self.gv("list", env={"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None})
        self.assertFailsWithOneLine(r, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        r = self.gv("init", env={"AWS_SECRET_ACCESS_KEY": None})
        self.assertFailsWithOneLine(r, "set AWS_SECRET_ACCESS_KEY")

    def test_a_missing_vault_and_a_missing_bucket_say_so(self):
        r = self.gv("list")
        self.assertFailsWithOneLine(r, "gptvault init", code=10)
        r = self.gv("init", env={"GPTVAULT_VAULT": "s3://no-such-bucket/v"})
        self.assertFailsWithOneLine(r, "NoSuchBucket")

    def test_listing_in_small_pages_follows_continuation_tokens(self):
        folder, truth = generate(months=2, conversations=60, seed=5)
        env = {"GPTVAULT_S3_LIST_PAGE_SIZE": "1"}
        self.gv_ok("init", env=env)
        before = self.server.stats()
        self.gv_ok("add", export_path(folder, 1), env=env)
        self.gv_ok("add", export_path(folder, 2), env=env)
        self.gv_ok("check", env=env)
        self.assertEqual({c["id"] for c in json.loads(self.gv_ok("list", "--json", env=env).stdout)},
                         set(truth["conversations"]))
        after = self.server.stats()
        self.assertGreater(after["listContinuations"], before["listContinuations"])
        # Continuation tokens are base64 ('+', '/', '='): signed right all the same.
        self.assertEqual(after["rejected"], before["rejected"])


class NothingListening(S3TestCase):
    def test_an_unreachable_endpoint_fails_with_one_line_in_bounded_time(self):
        endpoint = "http://127.0.0.1:%d" % free_port()
        start = time.monotonic()
        r = self.gv("list", env={"AWS_ENDPOINT_URL": endpoint}, timeout=120)
        elapsed = time.monotonic() - start
        self.assertFailsWithOneLine(r, "S3 GET config failed")
        self.assertIn(b"gave up after 6 attempts", r.stderr)
        self.assertLess(elapsed, 30)

    def test_fewer_attempts_can_be_asked_for(self):
        endpoint = "http://127.0.0.1:%d" % free_port()
        r = self.gv("init", env={"AWS_ENDPOINT_URL": endpoint, "GPTVAULT_S3_MAX_ATTEMPTS": "2"},
                    timeout=60)
        self.assertFailsWithOneLine(r, "gave up after 2 attempts")


class ConditionalWritesHonoured(S3TestCase):
    """Like S3 since 2024: If-None-Match: * on PUT fails with 412 when the object exists."""
    server_args = ("--conditional-writes", "honour")

    def test_a_vault_works_and_its_puts_are_conditional(self):
        folder, truth = generate(months=2, conversations=60, seed=5)
        self.gv_ok("init")
        self.gv_ok("add", export_path(folder, 1))
        self.gv_ok("add", export_path(folder, 2))
        self.gv_ok("add", export_path(folder, 2))
        self.gv_ok("check", "--read-data")
        self.assertEqual(len(self.list_json()), len(truth["conversations"]))
        self.assertGreater(self.server.stats()["conditionalPuts"], 0)


class ConditionalWritesRejected(S3TestCase):
    """A server that answers If-None-Match on PUT with 501 gets plain PUTs."""
    server_args = ("--conditional-writes", "reject")

    def test_the_backend_falls_back_to_head_then_put(self):
        folder, truth = generate(months=2, conversations=60, seed=5)
        self.gv_ok("init")
        self.gv_ok("add", export_path(folder, 1))
        self.gv_ok("check", "--read-data")
        stats = self.server.stats()
        # init and add each try one conditional PUT, then no more.
        self.assertEqual(stats["conditionalPuts"], 2)
        self.assertEqual(stats["rejected"].get("NotImplemented"), 2)


class FlakyServer(S3TestCase):
    """Every 23rd request is throttled (503 SlowDown), every 31st loses its connection."""
    server_args = ("--fail-every", "23", "--reset-every", "31")

    def test_throttling_and_dropped_connections_are_retried(self):
        folder, truth = generate(months=2, conversations=60, seed=5)
        self.gv_ok("init")
        for month in (1, 2):
            self.gv_ok("add", export_path(folder, month))
        out = os.path.join(self.dir, "restored")
        self.gv_ok("restore", "--all", "-o", out)
        for cid in truth["conversations"]:
            with open(os.path.join(out, cid + ".json"), "rb") as a, \
                    open(os.path.join(folder, "truth", cid + ".json"), "rb") as b:
                self.assertEqual(a.read(), b.read(), cid)
        self.gv_ok("check", "--read-data")
        stats = self.server.stats()
        self.assertGreater(stats["injected503"], 0)
        self.assertGreater(stats["injectedResets"], 0)


if __name__ == "__main__":
    unittest.main()
