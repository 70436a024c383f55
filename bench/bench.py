#!/usr/bin/env python3
"""gptvault side by side with restic and borg on the same synthetic ChatGPT exports.

Normally started by bench/run.sh, which installs restic/borg/time and builds gptvault first:

    bash bench/run.sh [--size small|medium|large|all] [--runs 3] [--rss-series auto|mini|full|off]

For every size, each run starts from empty repositories and measures, per tool:
  add1     gptvault add export-01.zip        restic backup / borg create of month 1, unzipped
  add2     gptvault add export-02.zip        the same folder path, now holding month 2
  restore  gptvault restore ID -o FILE       restic dump / borg extract --stdout of
                                             conversations.json | a json.load filter picking ID
  dump     (restic/borg only) the dump/extract alone, into /dev/null: the floor of any filter
  check    gptvault check --read-data        restic check --read-data / borg check --verify-data
  check_quick  gptvault check                restic check / borg check: each tool's default check
  retention    gptvault forget --keep-last 1 && gptvault prune --grace 0, timed as one step and
           each part on its own; restic forget --keep-last 1 --prune; borg prune --keep-last 1
           && borg compact. On the repository the steps above left (months 1 and 2), so it
           forgets month 1; the repository's size before and after is recorded
  history, restore --snapshot 1, stats       (gptvault only) the same conversation's history,
                                             its version as of the first snapshot, the vault's stats
Each step: wall, user+sys CPU and peak RSS from `/usr/bin/time -f '%e %U %S %M'`, and the
growth of the repository folder (sum of its file sizes before/after). Medians of --runs runs go
to a Markdown table; the raw runs to JSON, both under bench/results/. A separate series adds
exports of growing size to fresh vaults to see whether gptvault's peak RSS stays flat.

Python 3 standard library only. Nothing here is a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / ".cache"
EXPORTS = CACHE / "exports"
WORK = CACHE / "work"
LOGS = CACHE / "logs"
RESULTS = BENCH / "results"
GEN = ROOT / "tools" / "gen_export.py"

PASSPHRASE = "bench-passphrase-not-a-secret"
MIB = 1024 * 1024
MB = 1000 * 1000

# Generator arguments per size (avg_kb None: the generator's default). Single layout, seed 1.
SIZES = {
    "small": {"conversations": 300, "avg_kb": None, "months": 2},
    "medium": {"conversations": 3000, "avg_kb": 33, "months": 2},
    "large": {"conversations": 10000, "avg_kb": 100, "months": 2},
}
# RSS-flatness series: month 1 only, the same typical conversation size at every point so that
# only the number of conversations grows. "full" is the one the target is defined on.
RSS_SERIES = {
    "mini": [("~10 MB", 300, 33), ("~50 MB", 1500, 33), ("~100 MB", 3000, 33)],
    "full": [("~100 MB", 1000, 100), ("~500 MB", 5000, 100), ("~1 GB", 10000, 100)],
}

# Targets from shared/DESIGN.md "Performance" (ratios to restic, measured in the same run).
TARGET_ADD1 = 1.0         # first add no slower than restic backing up the unzipped export
TARGET_ADD2_TIME = 0.5    # monthly re-add at most half of restic's time
TARGET_ADD2_GROWTH = 0.20  # ... and a fifth of its storage growth
TARGET_ADD2_GROWTH_ISSUE = 0.25  # issue 4 asks a quarter where DESIGN.md asks a fifth
TARGET_RESTORE = 0.05     # restoring one conversation 20x faster than restic dump + filter
TARGET_RSS_MIB = 256      # peak memory under 256 MiB for a 1 GB conversations file
TARGET_RSS_FLAT = 1.25    # "roughly flat": RSS at 1 GB at most 1.25x RSS at 100 MB

# The JSON filter restic/borg need to get one conversation out of conversations.json.
FILTER = (
    "import json,sys\n"
    "want=sys.argv[1]\n"
    "for c in json.load(sys.stdin.buffer):\n"
    "    if c.get('conversation_id', c.get('id'))==want:\n"
    "        sys.stdout.write(json.dumps(c)); break\n"
    "else:\n"
    "    sys.exit('conversation not found: '+want)\n"
)
FILTER_DESC = ("`python3 -c` with `json.load` of the whole file, then the first element whose "
               "`conversation_id` (else `id`) matches, re-serialized with `json.dumps`")

TOOLS = ("gptvault", "gptvault-unlocked", "restic", "borg")
# gptvault twice: as every command runs by default, paying Argon2id to unlock the vault, and
# inside a session started by `gptvault unlock` (one Argon2id for all its steps, not counted).
GPTVAULT_VARIANTS = (("gptvault", ""), ("gptvault-unlocked", ", unlocked session"))
STEPS = [
    ("add1", "month 1: add / backup / create"),
    ("add2", "month 2: add / backup / create"),
    ("restore", "restore one conversation"),
    ("dump", "  dump/extract only, no filter (floor)"),
    ("check", "check, reading all data"),
    ("check_quick", "check, each tool's default (no read-data flag)"),
    ("history", "history of one conversation (gptvault only)"),
    ("restore_as_of", "restore it as of snapshot 1 (gptvault only)"),
    ("stats", "stats (gptvault only)"),
    ("retention", "retention: forget keep-last 1 + prune, one step"),
    ("retention_forget", "  of which forget (borg: prune)"),
    ("retention_prune", "  of which prune (borg: compact)"),
]
# The retention step's parts, each timed inside the one step (restic's is a single command).
RETENTION_PARTS = ("retention_forget", "retention_prune")
STATS_RE = re.compile(rb"stats: ingest_peak_rss_kb=(\d+)")


class BenchError(Exception):
    pass


def log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Small helpers


def tree_bytes(path: Path) -> int:
    """Sum of the sizes of the regular files under path (what a cloud folder would hold)."""
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for f in files:
            try:
                st = os.lstat(os.path.join(dirpath, f))
            except FileNotFoundError:
                continue  # a lock file that vanished while walking
            total += st.st_size
    return total


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def capture(argv: list[str], **kw) -> str:
    try:
        return subprocess.run(argv, check=True, capture_output=True, text=True, **kw).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as e:
        return f"unknown ({e})"


def rmtree(path: Path) -> None:
    if path.exists() or path.is_symlink():
        shutil.rmtree(path)


def files_equal(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def sync_tree(src: Path, dst: Path) -> dict:
    """Makes dst hold exactly what src holds, touching only what differs (rsync --checksum
    --delete, without updating the metadata of identical files). Files whose bytes did not change
    keep their inode, mtime and ctime, so restic's and borg's file caches can skip them: their
    realistic best case for "the same folder, one month later"."""
    kept = replaced = removed = 0
    for dirpath, dirs, files in os.walk(src):
        rel = Path(dirpath).relative_to(src)
        (dst / rel).mkdir(parents=True, exist_ok=True)
        for f in files:
            s, d = Path(dirpath) / f, dst / rel / f
            if d.is_file() and not d.is_symlink() and files_equal(s, d):
                kept += 1
                continue
            tmp = d.with_name(d.name + ".bench-tmp")
            shutil.copy2(s, tmp)
            os.replace(tmp, d)
            replaced += 1
    for dirpath, dirs, files in os.walk(dst, topdown=False):
        rel = Path(dirpath).relative_to(dst)
        for f in files:
            if not (src / rel / f).is_file():
                (Path(dirpath) / f).unlink()
                removed += 1
        for d in dirs:
            if not (src / rel / d).is_dir():
                shutil.rmtree(Path(dirpath) / d)
    return {"kept": kept, "replaced": replaced, "removed": removed}


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


# ---------------------------------------------------------------------------------------------
# Exports


def gen_args(conversations: int, avg_kb, months: int) -> list[str]:
    a = ["--conversations", str(conversations), "--months", str(months)]
    if avg_kb is not None:
        a += ["--avg-kb", str(avg_kb)]
    return a


def ensure_export(conversations: int, avg_kb, months: int, unzip: bool) -> Path:
    """Generates (once; cached in bench/.cache/exports/) an account's monthly exports, and when
    asked, unzips each month into unzipped/mN/. Regenerates when tools/gen_export.py changed."""
    name = f"c{conversations}-kb{avg_kb if avg_kb is not None else 'default'}-m{months}"
    out = EXPORTS / name
    args = gen_args(conversations, avg_kb, months)
    gen_sha = sha256_file(GEN)
    stamp_path = out / "bench-stamp.json"
    want = {"args": args, "generator_sha256": gen_sha}
    stamp = None
    if stamp_path.is_file():
        try:
            stamp = json.loads(stamp_path.read_text())
        except ValueError:
            stamp = None
    if stamp is None or {k: stamp.get(k) for k in want} != want:
        if out.exists():
            log(f"{name}: cached export is stale (tools/gen_export.py or its arguments changed); regenerating")
        rmtree(out)
        tmp = EXPORTS / (name + ".tmp")
        rmtree(tmp)
        tmp.mkdir(parents=True)
        cmd = [sys.executable, str(GEN), "--out", str(tmp)] + args
        log(f"generating {name}: {shlex.join(cmd[1:])}")
        t0 = time.monotonic()
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            raise BenchError(f"tools/gen_export.py failed (exit {p.returncode}):\n{p.stderr.strip()[-3000:]}")
        took = time.monotonic() - t0
        stamp = dict(want, generated_in_s=round(took, 1), generator_summary=p.stdout.strip())
        (tmp / "bench-stamp.json").write_text(json.dumps(stamp, indent=1))
        os.replace(tmp, out)
        log(f"{name}: generated in {took:.0f} s")
    if unzip:
        for m in range(1, months + 1):
            dest = out / "unzipped" / f"m{m}"
            done = out / "unzipped" / f"m{m}.done"
            if done.is_file():
                continue
            rmtree(dest)
            dest.mkdir(parents=True)
            p = subprocess.run(["unzip", "-q", str(out / f"export-{m:02d}.zip"), "-d", str(dest)],
                               capture_output=True, text=True)
            if p.returncode != 0:
                raise BenchError(f"unzip of export-{m:02d}.zip failed: {p.stderr.strip()[-2000:]}")
            done.write_text("")
    return out


def describe_export(exp: Path, months: int, unzipped: bool) -> dict:
    truth = json.loads((exp / "truth.json").read_text())
    info = {"dir": str(exp.relative_to(ROOT)), "months": []}
    for m in range(1, months + 1):
        z = exp / f"export-{m:02d}.zip"
        with zipfile.ZipFile(z) as zf:
            conv_bytes = sum(i.file_size for i in zf.infolist()
                             if re.fullmatch(r"conversations(-\d+)?\.json", i.filename.rsplit("/", 1)[-1]))
            members = len(zf.infolist())
            total = sum(i.file_size for i in zf.infolist())
        info["months"].append({
            "zip": z.name,
            "zip_bytes": z.stat().st_size,
            "conversations": len(truth["exports"][m - 1]["conversation_ids"]),
            "conversations_json_bytes": conv_bytes,
            "members": members,
            "unzipped_bytes": tree_bytes(exp / "unzipped" / f"m{m}") if unzipped else total,
        })
    return info


# ---------------------------------------------------------------------------------------------
# Measuring one command


def read_time(timef: Path, name: str) -> tuple[float, float, float, int]:
    """wall, user, sys (s) and peak RSS (KiB) from a `/usr/bin/time -f '%e %U %S %M'` file."""
    lines = [ln for ln in timef.read_text().splitlines() if ln.strip()] if timef.is_file() else []
    try:
        e, u, s, m = lines[-1].split()
        return float(e), float(u), float(s), int(m)
    except (IndexError, ValueError):
        raise BenchError(f"cannot parse /usr/bin/time output for {name}: {lines!r}")


class Meter:
    def __init__(self, logdir: Path):
        self.logdir = logdir

    def measure(self, name: str, cmd, *, env: dict, cwd: Path, repo: Path | None = None,
                stdout_to: Path | str | None = None) -> dict:
        """Runs cmd (argv list, or a bash pipeline string run with pipefail) under
        /usr/bin/time. stdout goes to stdout_to when given, else to the step's log."""
        logf = self.logdir / f"{name}.log"
        timef = self.logdir / f"{name}.time"
        inner = ["bash", "-o", "pipefail", "-c", cmd] if isinstance(cmd, str) else list(cmd)
        argv = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(timef)] + inner
        before = tree_bytes(repo) if repo is not None else None
        load_before = os.getloadavg()[0]
        with open(logf, "wb") as lf:
            out = open(stdout_to, "wb") if stdout_to is not None else lf
            try:
                t0 = time.perf_counter()
                p = subprocess.run(argv, stdout=out, stderr=lf, stdin=subprocess.DEVNULL,
                                   env=env, cwd=cwd)
                wall_precise = time.perf_counter() - t0
            finally:
                if out is not lf:
                    out.close()
        shown = cmd if isinstance(cmd, str) else shlex.join(cmd)
        if p.returncode != 0:
            tail = logf.read_bytes()[-3000:].decode("utf-8", "replace").strip()
            raise BenchError(f"step {name} failed (exit {p.returncode}) in {cwd}:\n  {shown}\n"
                             f"--- end of {logf} ---\n{tail}")
        e, u, s, m = read_time(timef, name)
        after = tree_bytes(repo) if repo is not None else None
        stats = STATS_RE.findall(logf.read_bytes())
        return {
            "cmd": shown,
            "wall_s": e,
            "wall_precise_s": round(wall_precise, 4),
            "user_s": u,
            "sys_s": s,
            "cpu_s": round(u + s, 3),
            "peak_rss_kb": m,
            "ingest_peak_rss_kb": int(stats[-1]) if stats else None,
            "repo_bytes_before": before,
            "repo_bytes_after": after,
            "repo_growth_bytes": (after - before) if repo is not None else None,
            "loadavg_1min_before": round(load_before, 2),
        }

    def measure_parts(self, name: str, parts: list[tuple[str, list[str]]], *, env: dict, cwd: Path,
                      repo: Path) -> dict:
        """Runs the commands of parts ([(key, argv)]) as one step, `a && b` under /usr/bin/time,
        each command also under its own /usr/bin/time: the step's wall, CPU and peak RSS (the
        largest of its processes), and each part's. The repository's size is taken before and
        after the whole step only, so that nothing runs between the parts. Each part's stdout
        goes to <name>.<key>.out and is kept in the result (parsed when it is JSON)."""
        files = []
        for key, argv in parts:
            files.append((key, list(argv), self.logdir / f"{name}.{key}.time", self.logdir / f"{name}.{key}.out"))
        run = " && ".join(shlex.join(["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(tf)] + argv)
                          + " > " + shlex.quote(str(of)) for _key, argv, tf, of in files)
        for _key, _argv, tf, _of in files:
            tf.unlink(missing_ok=True)
        whole = self.measure(name, run, env=env, cwd=cwd, repo=repo)
        whole["cmd"] = " && ".join(shlex.join(argv) for _key, argv, _tf, _of in files)
        whole["cmd_run"] = run
        whole["parts"] = {}
        for key, argv, tf, of in files:
            e, u, s, m = read_time(tf, f"{name} ({key})")
            text = of.read_text(errors="replace")
            try:
                out = json.loads(text)
            except ValueError:
                out = text[-4000:]
            whole["parts"][key] = {
                "cmd": shlex.join(argv), "wall_s": e, "user_s": u, "sys_s": s, "cpu_s": round(u + s, 3),
                "peak_rss_kb": m, "ingest_peak_rss_kb": None, "repo_bytes_before": None,
                "repo_bytes_after": None, "repo_growth_bytes": None,
                "loadavg_1min_before": whole["loadavg_1min_before"], "stdout": out}
        return whole


# ---------------------------------------------------------------------------------------------
# The three tools


class Bench:
    def __init__(self, gptvault: Path, runs: int):
        self.gptvault = gptvault
        self.runs = runs
        self.restic_no_scan = "--no-scan" in capture(["restic", "backup", "--help"])
        base = dict(os.environ)
        base.pop("GPTVAULT_VAULT", None)
        base.pop("RESTIC_REPOSITORY", None)
        base.pop("BORG_REPO", None)
        self.base_env = base

    def envs(self, work: Path) -> dict:
        run = work / "run"  # private sessions (gptvault unlock), none of the user's
        run.mkdir(mode=0o700, parents=True, exist_ok=True)
        # The rollback guard's record of each vault seen stays with the bench's vaults, not the user's.
        gv = dict(self.base_env, GPTVAULT_PASSPHRASE=PASSPHRASE, GPTVAULT_STATS="1", XDG_RUNTIME_DIR=str(run),
                  XDG_STATE_HOME=str(work / "state"))
        rs = dict(self.base_env, RESTIC_PASSWORD=PASSPHRASE, RESTIC_CACHE_DIR=str(work / "restic-cache"))
        rs.pop("RESTIC_PASSWORD_FILE", None)
        bg = dict(self.base_env, BORG_PASSPHRASE=PASSPHRASE, BORG_BASE_DIR=str(work / "borg-base"),
                  BORG_RELOCATED_REPO_ACCESS_IS_OK="yes", BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK="yes")
        return {"gptvault": gv, "restic": rs, "borg": bg}

    @staticmethod
    def setup(argv: list[str], env: dict, cwd: Path, what: str) -> str:
        """Runs an untimed command (setting up, or verifying a step's result); its stdout."""
        p = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            raise BenchError(f"{what} failed (exit {p.returncode}): {shlex.join(argv)}\n{(p.stdout + p.stderr).strip()[-2000:]}")
        return p.stdout

    def one_run(self, i: int, exp: Path, conv_id: str, truth_bytes: bytes) -> dict:
        """One run: fresh repositories for all three tools, every step once."""
        rmtree(WORK)
        WORK.mkdir(parents=True)
        logdir = LOGS / f"run{i}"
        rmtree(logdir)
        logdir.mkdir(parents=True)
        meter = Meter(logdir)
        env = self.envs(WORK)
        res = {t: {} for t in TOOLS}
        z1, z2 = exp / "export-01.zip", exp / "export-02.zip"
        m1, m2 = exp / "unzipped" / "m1", exp / "unzipped" / "m2"
        data = WORK / "data"          # restic and borg back up data/export, the same path both months
        src = data / "export"
        # restic records `backup export` run from data/ as /export/...; borg as export/...
        restic_path = "/export/conversations.json"

        # --- gptvault: the ZIPs as downloaded, each command unlocking the vault itself, then
        # again in a fresh vault inside an unlocked session
        for tool, _ in GPTVAULT_VARIANTS:
            self.gptvault_steps(tool, meter, env["gptvault"], res[tool], z1, z2, conv_id, truth_bytes)

        # --- restic: month 1 unzipped, then the same folder turned into month 2
        def fresh_source():
            rmtree(data)
            data.mkdir(parents=True)
            subprocess.run(["cp", "-a", str(m1), str(src)], check=True)

        def check_json(path: Path, tool: str):
            try:
                got = json.loads(path.read_bytes())
            except ValueError as e:
                raise BenchError(f"{tool} + filter gave no valid JSON for {conv_id}: {e} (see {path})")
            if got != json.loads(truth_bytes):
                raise BenchError(f"{tool} + filter gave a different conversation for {conv_id} (see {path})")

        fresh_source()
        rrepo = WORK / "restic-repo"
        rs = ["restic", "-r", str(rrepo)]
        self.setup(rs + ["init"], env["restic"], data, "restic init")
        backup = rs + ["backup"] + (["--no-scan"] if self.restic_no_scan else []) + ["export"]
        res["restic"]["add1"] = meter.measure("restic-add1", backup, env=env["restic"], cwd=data, repo=rrepo)
        res["restic"]["sync"] = sync_tree(m2, src)
        res["restic"]["add2"] = meter.measure("restic-add2", backup, env=env["restic"], cwd=data, repo=rrepo)
        out = WORK / "restic-restored.json"
        dump = shlex.join(rs + ["dump", "latest", restic_path])
        res["restic"]["restore"] = meter.measure(
            "restic-restore", f"{dump} | python3 -c {shlex.quote(FILTER)} {shlex.quote(conv_id)}",
            env=env["restic"], cwd=data, repo=rrepo, stdout_to=out)
        check_json(out, "restic dump")
        res["restic"]["dump"] = meter.measure("restic-dump", rs + ["dump", "latest", restic_path],
                                              env=env["restic"], cwd=data, repo=rrepo, stdout_to="/dev/null")
        res["restic"]["check"] = meter.measure("restic-check", rs + ["check", "--read-data"],
                                               env=env["restic"], cwd=data, repo=rrepo)
        res["restic"]["check_quick"] = meter.measure("restic-check-quick", rs + ["check"],
                                                     env=env["restic"], cwd=data, repo=rrepo)
        res["restic"]["retention"] = meter.measure(
            "restic-retention", rs + ["forget", "--keep-last", "1", "--prune"], env=env["restic"], cwd=data,
            repo=rrepo)
        res["restic"]["retention"]["summary"] = [
            ln.strip() for ln in (meter.logdir / "restic-retention.log").read_text(errors="replace").splitlines()
            if re.match(r"\s*(to repack|this removes|to delete|total prune|remaining|unused size after prune):", ln)]
        snaps = self.setup(rs + ["snapshots", "--json"], env["restic"], data, "restic snapshots")
        try:
            snaps = json.loads(snaps)
        except ValueError:
            pass
        if not isinstance(snaps, list) or len(snaps) != 1:
            raise BenchError(f"restic forget --keep-last 1 left {snaps!r}, not one snapshot")
        self.setup(rs + ["check"], env["restic"], data, "restic check after forget --prune")
        rmtree(rrepo)

        # --- borg: the same, with its defaults (lz4)
        fresh_source()
        brepo = WORK / "borg-repo"
        self.setup(["borg", "init", "--encryption=repokey-blake2", str(brepo)], env["borg"], data, "borg init")
        res["borg"]["add1"] = meter.measure("borg-add1", ["borg", "create", f"{brepo}::m1", "export"],
                                            env=env["borg"], cwd=data, repo=brepo)
        res["borg"]["sync"] = sync_tree(m2, src)
        res["borg"]["add2"] = meter.measure("borg-add2", ["borg", "create", f"{brepo}::m2", "export"],
                                            env=env["borg"], cwd=data, repo=brepo)
        out = WORK / "borg-restored.json"
        extract = ["borg", "extract", "--stdout", f"{brepo}::m2", "export/conversations.json"]
        res["borg"]["restore"] = meter.measure(
            "borg-restore", f"{shlex.join(extract)} | python3 -c {shlex.quote(FILTER)} {shlex.quote(conv_id)}",
            env=env["borg"], cwd=data, repo=brepo, stdout_to=out)
        check_json(out, "borg extract")
        res["borg"]["dump"] = meter.measure("borg-dump", extract, env=env["borg"], cwd=data, repo=brepo,
                                            stdout_to="/dev/null")
        res["borg"]["check"] = meter.measure("borg-check", ["borg", "check", "--verify-data", str(brepo)],
                                             env=env["borg"], cwd=data, repo=brepo)
        res["borg"]["check_quick"] = meter.measure("borg-check-quick", ["borg", "check", str(brepo)],
                                                   env=env["borg"], cwd=data, repo=brepo)
        # borg 1.2: prune only marks the space free, compact gives it back.
        r = meter.measure_parts("borg-retention", [
            ("retention_forget", ["borg", "prune", "--keep-last", "1", str(brepo)]),
            ("retention_prune", ["borg", "compact", str(brepo)])], env=env["borg"], cwd=data, repo=brepo)
        res["borg"]["retention"] = r
        res["borg"].update(r.pop("parts"))
        archives = self.setup(["borg", "list", "--short", str(brepo)], env["borg"], data, "borg list").split()
        if archives != ["m2"]:
            raise BenchError(f"borg prune --keep-last 1 left archives {archives!r}, not m2 alone")
        rmtree(WORK)
        return res

    def gptvault_steps(self, tool: str, meter, env: dict, res: dict, z1: Path, z2: Path, conv_id: str,
                       truth_bytes: bytes) -> None:
        vault = WORK / f"{tool}-vault"
        gv = [str(self.gptvault), "--vault", str(vault)]
        self.setup(gv + ["init"], env, WORK, "gptvault init")
        unlocked = tool == "gptvault-unlocked"
        if unlocked:
            self.setup(gv + ["unlock", "--for", "2h"], env, WORK, "gptvault unlock")
        try:
            res["add1"] = meter.measure(f"{tool}-add1", gv + ["add", str(z1)], env=env, cwd=WORK, repo=vault)
            res["add2"] = meter.measure(f"{tool}-add2", gv + ["add", str(z2)], env=env, cwd=WORK, repo=vault)
            out = WORK / f"{tool}-restored.json"
            res["restore"] = meter.measure(f"{tool}-restore", gv + ["restore", conv_id, "-o", str(out)],
                                           env=env, cwd=WORK, repo=vault)
            if out.read_bytes() != truth_bytes:
                raise BenchError(f"gptvault restore {conv_id} did not give the exported bytes (see {out})")
            res["check"] = meter.measure(f"{tool}-check", gv + ["check", "--read-data"], env=env, cwd=WORK,
                                         repo=vault)
            # The past costs what the present does: one more catalog, or every manifest.
            res["history"] = meter.measure(f"{tool}-history", gv + ["history", conv_id, "--json"], env=env,
                                           cwd=WORK, repo=vault)
            res["restore_as_of"] = meter.measure(
                f"{tool}-restore-as-of", gv + ["restore", conv_id, "--snapshot", self.as_of_snapshot, "-o",
                                               str(WORK / f"{tool}-restored-as-of.json")],
                env=env, cwd=WORK, repo=vault)
            res["stats"] = meter.measure(f"{tool}-stats", gv + ["stats", "--json"], env=env, cwd=WORK,
                                         repo=vault)
            res["check_quick"] = meter.measure(f"{tool}-check-quick", gv + ["check"], env=env, cwd=WORK,
                                               repo=vault)
            # Retention, as a user keeping only the latest export would run it: forget month 1,
            # then prune at once (--grace 0: nothing else writes to this vault). --json only to
            # record what each did.
            r = meter.measure_parts(f"{tool}-retention", [
                ("retention_forget", gv + ["forget", "--keep-last", "1", "--json"]),
                ("retention_prune", gv + ["prune", "--grace", "0", "--json"])],
                env=env, cwd=WORK, repo=vault)
            res["retention"] = r
            res.update(r.pop("parts"))
            forget = res["retention_forget"]["stdout"]
            if not isinstance(forget, dict) or len(forget.get("forget", [])) != 1 or len(forget.get("keep", [])) != 1:
                raise BenchError(f"gptvault forget --keep-last 1 did not forget exactly month 1: {forget!r}")
            # Nothing a kept snapshot needs may have gone: the vault checks clean and still gives
            # the conversation's exact bytes (not timed).
            self.setup(gv + ["check"], env, WORK, "gptvault check after forget + prune")
            out = WORK / f"{tool}-restored-after-prune.json"
            self.setup(gv + ["restore", conv_id, "-o", str(out)], env, WORK, "gptvault restore after prune")
            if out.read_bytes() != truth_bytes:
                raise BenchError(f"after forget + prune, gptvault restore {conv_id} did not give the exported bytes")
        finally:
            if unlocked:
                subprocess.run(gv + ["lock"], env=env, cwd=WORK, capture_output=True, stdin=subprocess.DEVNULL)
        rmtree(vault)

    def rss_point(self, i: int, zip_path: Path, label: str) -> dict:
        rmtree(WORK)
        WORK.mkdir(parents=True)
        logdir = LOGS / "rss" / f"run{i}"
        logdir.mkdir(parents=True, exist_ok=True)
        env = self.envs(WORK)["gptvault"]
        vault = WORK / "gptvault-vault"
        gv = [str(self.gptvault), "--vault", str(vault)]
        self.setup(gv + ["init"], env, WORK, "gptvault init")
        slug = re.sub(r"[^0-9A-Za-z]+", "", label)
        r = Meter(logdir).measure(f"gptvault-add-{slug}", gv + ["add", str(zip_path)], env=env, cwd=WORK, repo=vault)
        rmtree(WORK)
        return r


# ---------------------------------------------------------------------------------------------
# Report


def machine_info(gptvault: Path) -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    debian = Path("/etc/debian_version").read_text().strip() if Path("/etc/debian_version").exists() else "?"
    git = capture(["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"])
    dirty = capture(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_bytes": mem,
        "kernel": platform.release(),
        "os": f"Debian {debian}",
        "python": platform.python_version(),
        "gptvault": capture([str(gptvault), "--version"]),
        "gptvault_sha256": sha256_file(gptvault),
        "restic": capture(["restic", "version"]),
        "borg": capture(["borg", "--version"]),
        "git": git + ("+dirty" if dirty and not dirty.startswith("unknown") else ""),
    }


def fmt(v, digits=2):
    if v is None:
        return "—"
    if isinstance(v, float) and abs(v) >= 100:
        return f"{v:.0f}"
    return f"{v:.{digits}f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def medians_of(runs: list[dict]) -> dict:
    med = {}
    for t in TOOLS:
        med[t] = {}
        for step, _ in STEPS:
            ms = [r[t][step] for r in runs if step in r[t]]
            if not ms:
                continue
            med[t][step] = {k: median([m[k] for m in ms]) for k in
                            ("wall_s", "cpu_s", "peak_rss_kb", "ingest_peak_rss_kb", "repo_growth_bytes",
                             "repo_bytes_before", "repo_bytes_after")}
    return med


def verdict(value, limit):
    if value is None:
        return "n/a"
    return "PASS" if value <= limit else "FAIL"


def evaluate_targets(med: dict, series: dict | None, size: str) -> list[dict]:
    t = []
    for tool, how in GPTVAULT_VARIANTS:
        t += time_targets(med, tool, how)
    t += rss_targets(med, series, size)
    return t


def time_targets(med: dict, tool: str, how: str) -> list[dict]:
    """The targets on time and storage, for one way of running gptvault."""
    gv, rs = med[tool], med["restic"]
    g = lambda tool, step, k: tool.get(step, {}).get(k)  # noqa: E731
    t = []
    def cpu_note(step):
        c = ratio(g(gv, step, "cpu_s"), g(rs, step, "cpu_s"))
        return f"; by CPU time {fmt(c, 2 if step != 'restore' else 3)}×"

    r = ratio(g(gv, "add1", "wall_s"), g(rs, "add1", "wall_s"))
    t.append({"target": f"first add ≤ 1.0× restic backup of the unzipped export (wall{how})", "value": r,
              "shown": f"{fmt(r)}× ({fmt(g(gv, 'add1', 'wall_s'))} s vs {fmt(g(rs, 'add1', 'wall_s'))} s{cpu_note('add1')})",
              "limit": f"≤ {TARGET_ADD1}×", "result": verdict(r, TARGET_ADD1)})
    r = ratio(g(gv, "add2", "wall_s"), g(rs, "add2", "wall_s"))
    t.append({"target": f"month-2 add ≤ 0.5× restic backup (wall{how})", "value": r,
              "shown": f"{fmt(r)}× ({fmt(g(gv, 'add2', 'wall_s'))} s vs {fmt(g(rs, 'add2', 'wall_s'))} s{cpu_note('add2')})",
              "limit": f"≤ {TARGET_ADD2_TIME}×", "result": verdict(r, TARGET_ADD2_TIME)})
    a, b = g(gv, "add2", "repo_growth_bytes"), g(rs, "add2", "repo_growth_bytes")
    r = ratio(a, b)
    t.append({"target": f"month-2 storage growth ≤ 0.20× restic's (DESIGN.md: a fifth{how})", "value": r,
              "shown": f"{fmt(r)}× ({fmt(a / MB if a is not None else None)} MB vs {fmt(b / MB if b is not None else None)} MB)",
              "limit": f"≤ {TARGET_ADD2_GROWTH}×", "result": verdict(r, TARGET_ADD2_GROWTH)})
    t.append({"target": f"month-2 storage growth ≤ 0.25× restic's (issue 4: a quarter{how})", "value": r,
              "shown": f"{fmt(r)}×", "limit": f"≤ {TARGET_ADD2_GROWTH_ISSUE}×",
              "result": verdict(r, TARGET_ADD2_GROWTH_ISSUE)})
    r = ratio(g(gv, "restore", "wall_s"), g(rs, "restore", "wall_s"))
    t.append({"target": f"restore one conversation ≤ 0.05× restic dump + filter (wall{how})", "value": r,
              "shown": f"{fmt(r, 3)}× ({fmt(g(gv, 'restore', 'wall_s'))} s vs {fmt(g(rs, 'restore', 'wall_s'))} s{cpu_note('restore')})",
              "limit": f"≤ {TARGET_RESTORE}×", "result": verdict(r, TARGET_RESTORE)})
    return t


def rss_targets(med: dict, series: dict | None, size: str) -> list[dict]:
    t = []
    # In a session no Argon2id runs in `add`: its whole-process peak is what the add itself needs.
    v = med["gptvault-unlocked"].get("add1", {}).get("peak_rss_kb")
    v = v / 1024 if v else None
    t.append({"target": "peak RSS ≤ 256 MiB, 1 GB export, whole process as measured (month 1, unlocked session)",
              "value": v, "shown": f"{fmt(v, 0)} MiB ({size} export)", "limit": f"≤ {TARGET_RSS_MIB} MiB",
              "result": verdict(v, TARGET_RSS_MIB) if size == "large" else "NOT EVALUATED (--size large only)"})
    if series is None:
        t.append({"target": "peak RSS ≤ 256 MiB for the 1 GB export; flat over 100 MB / 500 MB / 1 GB",
                  "value": None, "shown": "series not run (--rss-series off)", "limit": "", "result": "NOT RUN"})
        return t
    pts = series["points"]
    full = series["kind"] == "full"
    rss = [p["median"]["peak_rss_kb"] for p in pts]
    ing = [p["median"]["ingest_peak_rss_kb"] for p in pts]
    three = " / ".join(f"{p['label']}: {fmt(v / 1024 if v else None, 0)} MiB" for p, v in zip(pts, rss))
    three_ing = " / ".join(f"{p['label']}: {fmt(v / 1024 if v else None, 0)} MiB" for p, v in zip(pts, ing))
    not_eval = "NOT EVALUATED (defined on 100 MB / 500 MB / 1 GB: --size large or --rss-series full)"
    v = rss[-1] / 1024 if rss[-1] else None
    t.append({"target": "peak RSS ≤ 256 MiB, 1 GB export, whole process as measured", "value": v,
              "shown": f"{fmt(v, 0)} MiB at {pts[-1]['label']}", "limit": f"≤ {TARGET_RSS_MIB} MiB",
              "result": verdict(v, TARGET_RSS_MIB) if full else not_eval})
    v = ing[-1] / 1024 if ing[-1] else None
    t.append({"target": "peak RSS ≤ 256 MiB, 1 GB export, ingest only (`stats: ingest_peak_rss_kb`)", "value": v,
              "shown": f"{fmt(v, 0)} MiB at {pts[-1]['label']}" if v is not None else "n/a (gptvault prints no stats line)",
              "limit": f"≤ {TARGET_RSS_MIB} MiB", "result": (verdict(v, TARGET_RSS_MIB) if full else not_eval) if v is not None else "n/a"})
    r = ratio(rss[-1], rss[0])
    t.append({"target": "peak RSS roughly flat: largest ≤ 1.25× smallest export, whole process", "value": r,
              "shown": f"{fmt(r)}× ({three})", "limit": f"≤ {TARGET_RSS_FLAT}×",
              "result": verdict(r, TARGET_RSS_FLAT) if full else not_eval})
    r = ratio(ing[-1], ing[0])
    t.append({"target": "peak RSS roughly flat: largest ≤ 1.25× smallest export, ingest only", "value": r,
              "shown": f"{fmt(r)}× ({three_ing})" if r is not None else "n/a (gptvault prints no stats line)",
              "limit": f"≤ {TARGET_RSS_FLAT}×", "result": (verdict(r, TARGET_RSS_FLAT) if full else not_eval) if r is not None else "n/a"})
    return t


def metric_table(med: dict, key: str, title: str, scale: float, digits: int) -> list[str]:
    lines = [f"### {title}", "",
             "| step | gptvault | gptvault, unlocked | restic | borg | gptvault / restic | unlocked / restic "
             "| borg / restic |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for step, label in STEPS:
        vals = []
        for t in TOOLS:
            v = med[t].get(step, {}).get(key)
            vals.append(v / scale if v is not None else None)
        lines.append(f"| {label} | " + " | ".join(fmt(v, digits) for v in vals)
                     + f" | {fmt(ratio(vals[0], vals[2]), 3)} | {fmt(ratio(vals[1], vals[2]), 3)}"
                     + f" | {fmt(ratio(vals[3], vals[2]), 3)} |")
    if key == "peak_rss_kb":
        ing = [[med[t].get(s, {}).get("ingest_peak_rss_kb") for s in ("add1", "add2")]
               for t in ("gptvault", "gptvault-unlocked")]
        lines.append("| gptvault ingest only (`stats: ingest_peak_rss_kb`), month 1 / month 2 | "
                     + " | ".join(" / ".join(fmt(v / 1024, 0) if v else "n/a" for v in i) for i in ing)
                     + " | | | | | |")
    return lines + [""]


def retention_section(med: dict, runs: list[dict]) -> list[str]:
    """The retention step side by side: what each command did to the repository's size, its time
    and memory, and each part's; then what gptvault's forget and prune reported (last run)."""
    g = lambda t, step, k: med[t].get(step, {}).get(k)  # noqa: E731
    mb = lambda v: fmt(v / MB, 2) if v is not None else "—"  # noqa: E731
    mib = lambda v: fmt(v / 1024, 0) if v is not None else "—"  # noqa: E731
    last = runs[-1]
    cmds = ["gptvault forget --keep-last 1 && gptvault prune --grace 0"] * 2 + [
        "restic forget --keep-last 1 --prune", "borg prune --keep-last 1 && borg compact"]
    L = [f"## Retention: forget all but the newest snapshot, then reclaim (median of {len(runs)} run(s))", "",
         "On each repository as the steps above left it (months 1 and 2), in the same run: keep-last 1 "
         "forgets month 1. Sizes are the repository folder's, before and after the whole step; "
         "gptvault's commands also get `--json`, to record what each did. Exact command lines: the JSON.", "",
         "| | gptvault | gptvault, unlocked | restic | borg |", "|---|---:|---:|---:|---:|",
         "| command | " + " | ".join(f"`{c}`" for c in cmds) + " |"]
    rows = [
        ("repository before (MB)", lambda t: mb(g(t, "retention", "repo_bytes_before"))),
        ("repository after (MB)", lambda t: mb(g(t, "retention", "repo_bytes_after"))),
        ("change (MB)", lambda t: mb(g(t, "retention", "repo_growth_bytes"))),
        ("change (% of before)", lambda t: fmt(100 * ratio(g(t, "retention", "repo_growth_bytes"),
                                                           g(t, "retention", "repo_bytes_before")), 1)
         if g(t, "retention", "repo_bytes_before") else "—"),
        ("wall, whole step (s)", lambda t: fmt(g(t, "retention", "wall_s"))),
        ("CPU, user + sys (s)", lambda t: fmt(g(t, "retention", "cpu_s"))),
        ("peak RSS, largest process (MiB)", lambda t: mib(g(t, "retention", "peak_rss_kb"))),
        ("forget (borg: prune): wall (s) / peak RSS (MiB)",
         lambda t: f"{fmt(g(t, 'retention_forget', 'wall_s'))} / {mib(g(t, 'retention_forget', 'peak_rss_kb'))}"
         if g(t, "retention_forget", "wall_s") is not None else "— (one command)"),
        ("prune (borg: compact): wall (s) / peak RSS (MiB)",
         lambda t: f"{fmt(g(t, 'retention_prune', 'wall_s'))} / {mib(g(t, 'retention_prune', 'peak_rss_kb'))}"
         if g(t, "retention_prune", "wall_s") is not None else "— (one command)"),
    ]
    for label, f in rows:
        L.append(f"| {label} | " + " | ".join(f(t) for t in TOOLS) + " |")
    L.append("")
    for t, how in GPTVAULT_VARIANTS:
        fo = last[t].get("retention_forget", {}).get("stdout")
        pr = last[t].get("retention_prune", {}).get("stdout")
        if not isinstance(fo, dict) or not isinstance(pr, dict):
            continue
        c = lambda k: pr.get(k, {}).get("packs", 0)  # noqa: E731
        b = lambda k: pr.get(k, {}).get("bytes", 0)  # noqa: E731
        # Signed here: gptvault's reclaimed_bytes is unsigned and wraps when prune writes more
        # than it deletes.
        reclaimed = b("unused") + b("unindexed") + b("repacked") - b("written")
        L.append(f"- gptvault{how} (last run): forget dropped {fo.get('versions_dropped')} older versions and "
                 f"rewrote {fo.get('snapshots_rewritten')} snapshot(s); prune needed {pr.get('objects_needed')} "
                 f"objects, stored {pr.get('objects_rewritten_whole')} kept versions whole (their bases went), "
                 f"deleted {c('unused')} unused pack(s) ({mb(b('unused'))} MB), rewrote {c('repacked')} "
                 f"({mb(b('repacked'))} MB) into {c('written')} ({mb(b('written'))} MB), left "
                 f"{mb(pr.get('unused_bytes_kept'))} MB unused in packs under `--max-unused`; net "
                 f"{mb(reclaimed)} MB reclaimed of {mb(b('total'))} MB of packs"
                 + (f" (it printed `reclaimed_bytes` {pr.get('reclaimed_bytes')})"
                    if pr.get("reclaimed_bytes") != max(reclaimed, 0) else ""))
    summary = last["restic"].get("retention", {}).get("summary")
    if summary:
        L.append("- restic (last run): " + "; ".join(" ".join(ln.split()) for ln in summary))
    L += ["- Each tool's defaults: gptvault prune rewrites a pack more than 10% unused (`--max-unused 10`), "
          "restic's prune tolerates 5% unused (`--max-unused 5%`), borg compact rewrites a segment that "
          "saves at least 10% (`--threshold 10`).",
          "- The *gptvault* column's step is two commands, each paying Argon2id (its peak RSS is that "
          "block); restic's is one command (one scrypt), borg's two (two PBKDF2). The unlocked column "
          "shows what forget and prune themselves need.",
          "- Not timed, after the step: `gptvault check` and a restore of the conversation, byte-exact; "
          "`restic snapshots` (one left) and `restic check`; `borg list` (m2 alone).", ""]
    return L


def load_line(runs: list[dict], series: dict | None, cores: int) -> str:
    loads = [m["loadavg_1min_before"] for r in runs for t in TOOLS for k, m in r[t].items()
             if k != "sync" and k not in RETENTION_PARTS]
    if series:
        loads += [r["loadavg_1min_before"] for p in series["points"] for r in p["runs"]]
    if not loads:
        return ""
    line = (f"- Machine load: 1-minute load average before each step median {median(loads):.1f}, "
            f"max {max(loads):.1f} on {cores} cores (the bench itself accounts for about 1)")
    if max(loads) > cores:
        line += ("\n- **WARNING: other work was running during the bench; wall times are inflated and noisy, "
                 "CPU times (user + sys) are the steadier comparison. Rerun on an idle machine for the record.**")
    return line


def report(size: str, args, machine: dict, bench: Bench, inputs: dict, conv: dict, runs: list[dict],
           med: dict, series: dict | None, targets: list[dict], command: str, started: str) -> str:
    gib = machine["ram_bytes"] / (1 << 30) if machine["ram_bytes"] else None
    L = [f"# gptvault vs restic vs borg — {size} ({started})", "",
         f"Reproduce from the repository root: `{command}`", "",
         "## Machine", "",
         f"- CPU: {machine['cpu']}, {machine['cores']} cores; RAM {fmt(gib, 1)} GiB; "
         f"kernel {machine['kernel']}; {machine['os']}; Python {machine['python']}",
         f"- {machine['gptvault']} (build/gptvault at git {machine['git']}, sha256 {machine['gptvault_sha256'][:16]}…); "
         f"{machine['restic']}; {machine['borg']}",
         f"- restic: repository format 2, compression `auto` (its default), "
         f"`--no-scan` {'used' if bench.restic_no_scan else 'not supported by this version, so not used'}; "
         f"borg: `init --encryption=repokey-blake2`, default compression lz4; "
         f"gptvault: zstd when it helps (its only mode)",
         f"- JSON filter for restic/borg: {FILTER_DESC}",
         load_line(runs, series, machine["cores"]), "",
         "## Input", "",
         "| | " + " | ".join(m["zip"] for m in inputs["months"]) + " |",
         "|---|" + "---:|" * len(inputs["months"]),
         "| conversations | " + " | ".join(str(m["conversations"]) for m in inputs["months"]) + " |",
         "| conversations.json (MB) | " + " | ".join(fmt(m["conversations_json_bytes"] / MB, 1) for m in inputs["months"]) + " |",
         "| ZIP, gptvault's input (MB) | " + " | ".join(fmt(m["zip_bytes"] / MB, 1) for m in inputs["months"]) + " |",
         "| unzipped folder, restic's and borg's input (MB) | " + " | ".join(fmt(m["unzipped_bytes"] / MB, 1) for m in inputs["months"]) + " |",
         "", f"Generated by `python3 tools/gen_export.py {shlex.join(inputs['gen_args'])}` (seed 1, single layout). "
         f"Month 2 written over month 1's folder changed {runs[0]['restic']['sync']['replaced']} files, "
         f"deleted {runs[0]['restic']['sync']['removed']}, left {runs[0]['restic']['sync']['kept']} untouched.",
         f"Restored conversation: `{conv['id']}`, number {conv['index'] + 1} of {conv['of']} in month 2's "
         f"conversations.json, {fmt(conv['bytes'] / 1000, 1)} KB.", "",
         f"## Results: median of {len(runs)} run(s), fresh repositories each run", "",
         "Ratios are to restic. MB = 10^6 bytes, MiB = 2^20 bytes. Growth = bytes of the repository folder after minus before.", ""]
    L += metric_table(med, "wall_s", "Wall time (s)", 1, 2)
    L += metric_table(med, "cpu_s", "CPU time, user + sys (s)", 1, 2)
    L += metric_table(med, "peak_rss_kb", "Peak RSS (MiB; for a pipeline, the largest process)", 1024, 0)
    L += metric_table(med, "repo_growth_bytes", "Repository growth (MB)", MB, 2)
    L += retention_section(med, runs)
    L += ["## Targets (shared/DESIGN.md and issue 4, ratios of medians from this run)", "",
          "| target | measured | limit | result |", "|---|---|---|---|"]
    L += [f"| {t['target']} | {t['shown']} | {t['limit']} | **{t['result']}** |" for t in targets]
    L += ["", "gptvault's Argon2id key derivation (MODERATE limits) allocates 256 MiB for about a second "
          "when a vault is unlocked, before any data is read: a whole-process peak RSS a little above 256 MiB "
          "is that allocation, and a flat one may only mean that it dominates. The ingest-only figure is what "
          "`add` itself uses, when gptvault reports it (`GPTVAULT_STATS=1`).", ""]
    if series is not None:
        L += [f"## gptvault peak RSS vs export size ({series['kind']} series; month 1 into a fresh vault, "
              f"median of {args.runs} run(s))", "",
              "| export | conversations | conversations.json (MB) | ZIP (MB) | add wall (s) | peak RSS (MiB) | ingest peak RSS (MiB) |",
              "|---|---:|---:|---:|---:|---:|---:|"]
        for p in series["points"]:
            m = p["median"]
            L.append(f"| {p['label']} (`{shlex.join(p['gen_args'])}`) | {p['conversations']} | "
                     f"{fmt(p['conversations_json_bytes'] / MB, 1)} | {fmt(p['zip_bytes'] / MB, 1)} | {fmt(m['wall_s'])} | "
                     f"{fmt(m['peak_rss_kb'] / 1024, 0)} | "
                     f"{fmt(m['ingest_peak_rss_kb'] / 1024, 0) if m['ingest_peak_rss_kb'] else 'n/a'} |")
        L.append("")
    L += ["## Notes", "",
          "- gptvault reads the ZIP as downloaded (inflate, verify, split, parse); restic and borg read the "
          "already-unzipped folder, the same bytes minus ZIP's compression, and know nothing about conversations.",
          "- Month 2 is written into the folder month 1 was backed up from, changing only files whose bytes differ, "
          "so restic's and borg's file caches skip the unchanged ones (their best case).",
          "- restic and borg restore the whole conversations.json to find one conversation; the `dump/extract only` "
          "row is that part alone, the floor for any filter.",
          "- Every command pays its key derivation: gptvault Argon2id MODERATE, restic scrypt, borg PBKDF2 (repokey); "
          "except in the *gptvault, unlocked* column, whose steps run in a fresh vault inside a session started "
          "by `gptvault unlock` (one Argon2id, ~0.5 s, before the steps and not counted), as a user adding and "
          "reading several things in a row would run them.",
          "- The page cache is warm for every tool (inputs were just generated or read by the previous tool).",
          "- Raw runs, every command line and repository sizes: the JSON beside this file.", ""]
    return "\n".join(L)


# ---------------------------------------------------------------------------------------------


def parse_args(argv):
    p = argparse.ArgumentParser(prog="bash bench/run.sh",
                                description="gptvault side by side with restic and borg on the same exports")
    p.add_argument("--size", choices=["small", "medium", "large", "all"], default="medium",
                   help="small: 300 conversations (~10 MB JSON); medium: 3,000 (~100 MB); "
                        "large: 10,000 (~1 GB); all: the three in turn (default medium)")
    p.add_argument("--runs", type=int, default=3, help="runs per step, fresh repositories each (default 3)")
    p.add_argument("--rss-series", choices=["auto", "mini", "full", "off"], default="auto",
                   help="gptvault peak RSS over growing exports: full = ~100 MB/500 MB/1 GB, "
                        "mini = ~10/50/100 MB; auto = full with large, else mini (default auto)")
    p.add_argument("--gptvault", default=str(ROOT / "build" / "gptvault"), help="binary to measure (default build/gptvault)")
    p.add_argument("--parse-only", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.runs < 1:
        p.error("--runs must be at least 1")
    return a


def bench_size(size: str, args, bench: Bench, machine: dict, command: str) -> Path:
    spec = SIZES[size]
    gargs = gen_args(spec["conversations"], spec["avg_kb"], spec["months"])
    exp = ensure_export(spec["conversations"], spec["avg_kb"], spec["months"], unzip=True)
    inputs = describe_export(exp, spec["months"], unzipped=True)
    inputs["gen_args"] = gargs
    truth = json.loads((exp / "truth.json").read_text())
    ids = truth["exports"][-1]["conversation_ids"]
    k = len(ids) // 2
    conv_id = ids[k]
    truth_bytes = (exp / "truth" / f"{conv_id}.json").read_bytes()
    conv = {"id": conv_id, "index": k, "of": len(ids), "bytes": len(truth_bytes)}
    # As of snapshot 1 when month 1 had it (it may be new in month 2).
    bench.as_of_snapshot = "1" if conv_id in truth["exports"][0]["conversation_ids"] else "latest"

    started = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    runs = []
    for i in range(1, args.runs + 1):
        log(f"{size}: run {i}/{args.runs} (gptvault, gptvault unlocked, restic, borg) ...")
        t0 = time.monotonic()
        runs.append(bench.one_run(i, exp, conv_id, truth_bytes))
        log(f"{size}: run {i} done in {time.monotonic() - t0:.0f} s")
    med = medians_of(runs)

    kind = args.rss_series if args.rss_series != "auto" else ("full" if size == "large" else "mini")
    series = None
    if kind != "off":
        points = []
        for label, c, kb in RSS_SERIES[kind]:
            e = ensure_export(c, kb, 1, unzip=False)
            d = describe_export(e, 1, unzipped=False)["months"][0]
            rs = []
            for i in range(1, args.runs + 1):
                log(f"rss series {label}: run {i}/{args.runs}")
                rs.append(bench.rss_point(i, e / "export-01.zip", label))
            points.append({"label": label, "gen_args": gen_args(c, kb, 1), "conversations": d["conversations"],
                           "conversations_json_bytes": d["conversations_json_bytes"], "zip_bytes": d["zip_bytes"],
                           "runs": rs, "median": {k2: median([r[k2] for r in rs]) for k2 in
                                                  ("wall_s", "cpu_s", "peak_rss_kb", "ingest_peak_rss_kb")}})
        series = {"kind": kind, "points": points}

    targets = evaluate_targets(med, series, size)
    md = report(size, args, machine, bench, inputs, conv, runs, med, series, targets, command, started)

    RESULTS.mkdir(parents=True, exist_ok=True)
    # Numbered after the newest report of the day, never into a gap, so the
    # highest number is always the latest run.
    day = f"{dt.date.today().isoformat()}-{size}"
    taken = [1 if f.stem == day else int(f.stem[len(day) + 1:])
             for f in RESULTS.glob(f"{day}*") if f.suffix in (".md", ".json")
             and (f.stem == day or re.fullmatch(rf"{re.escape(day)}-\d+", f.stem))]
    stem = day if not taken else f"{day}-{max(taken) + 1}"
    (RESULTS / f"{stem}.md").write_text(md)
    raw = {"size": size, "started": started, "command": command, "machine": machine,
           "restic_no_scan": bench.restic_no_scan, "filter": FILTER, "inputs": inputs, "conversation": conv,
           "runs": runs, "medians": med, "rss_series": series, "targets": targets}
    (RESULTS / f"{stem}.json").write_text(json.dumps(raw, indent=1, ensure_ascii=False))
    print(md, flush=True)
    log(f"wrote {(RESULTS / (stem + '.md')).relative_to(ROOT)} and {stem}.json")
    return RESULTS / f"{stem}.md"


def free_bytes(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.parse_only:
        return 0
    gsrc = Path(args.gptvault)
    for tool in ("/usr/bin/time", shutil.which("restic"), shutil.which("borg"), shutil.which("unzip")):
        if not tool or not os.access(tool, os.X_OK):
            raise BenchError("restic, borg, unzip and /usr/bin/time are needed: start the bench with bash bench/run.sh")
    if not gsrc.is_file():
        raise BenchError(f"{gsrc} does not exist: build gptvault (bash tools/build.sh) or use bash bench/run.sh")
    sizes = ["small", "medium", "large"] if args.size == "all" else [args.size]
    # Rough disk needs: large = 2 ZIPs + truth + 2 unzipped months (~7.5 GB once, cached), a working
    # copy and three repositories (~4 GB per run); the full RSS series ~3.5 GB once.
    big = "large" in sizes
    full = args.rss_series == "full" or (args.rss_series == "auto" and big)
    need = 1e9 + (4e9 if big else 0)
    if big and not (EXPORTS / "c10000-kb100-m2" / "unzipped" / "m2.done").exists():
        need += 7.5e9
    if full and not (EXPORTS / "c10000-kb100-m1" / "bench-stamp.json").exists():
        need += 3.5e9
    CACHE.mkdir(parents=True, exist_ok=True)
    if free_bytes(CACHE) < need:
        raise BenchError(f"not enough free disk space under {CACHE}: about {need / 1e9:.0f} GB needed, "
                         f"{free_bytes(CACHE) / 1e9:.0f} GB free (exports, unzipped copies, three repositories)")
    # Measure a private copy, so a rebuild of build/gptvault during the bench changes nothing.
    (CACHE / "bin").mkdir(parents=True, exist_ok=True)
    gptvault = CACHE / "bin" / "gptvault"
    shutil.copy2(gsrc, gptvault)
    machine = machine_info(gptvault)
    bench = Bench(gptvault, args.runs)
    command = f"bash bench/run.sh --size {args.size} --runs {args.runs} --rss-series {args.rss_series}"
    if args.gptvault != str(ROOT / "build" / "gptvault"):
        command += f" --gptvault {shlex.quote(args.gptvault)}"
    try:
        for size in sizes:
            bench_size(size, args, bench, machine, command)
    finally:
        rmtree(WORK)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print(f"bench: error: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        rmtree(WORK)
        print("bench: interrupted", file=sys.stderr)
        sys.exit(130)
