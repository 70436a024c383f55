#!/usr/bin/env python3
"""How gptvault's prune (and check, which now runs prune's planning) grows with the vault's history.

    python3 bench/prune_growth.py [--conversations 300] [--avg-kb 33] [--months 12] [--gptvault PATH]

One synthetic account (tools/gen_export.py, seed 1, single layout; cached in bench/.cache/exports/
as for bench.py) is added month by month into one vault, inside an unlocked session so that
Argon2id's 256 MiB block neither hides the memory nor pays into the times. After each add:

  prune --dry-run --grace 0   everything prune does except writing and deleting: every snapshot's
                              catalog and manifest decoded, every version stored as one object
                              read and opened to find its delta bases, every index file read
  check                       (no --read-data) which now runs that same planning

Then, once all months are in: `forget 1` (the oldest snapshot: what a monthly keep-monthly N does
once the vault is full, every later snapshot rewritten) and `prune --grace 0`; then
`forget --keep-last 1` and `prune --grace 0`. Each command under /usr/bin/time (wall, user+sys CPU,
peak RSS), with the vault's size before and after. A Markdown table goes to stdout and to
bench/results/<date>-prune-growth-c<N>-m<M>[-k].md, every raw figure to the .json beside it.

Not part of bench/run.sh: restic and borg are not involved. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench as B  # noqa: E402  (the bench's export cache, meter and machine description)

WORK = B.CACHE / "growth-work"
LOGS = B.CACHE / "logs" / "growth"


def run_json(meter: B.Meter, name: str, argv: list[str], env: dict, vault: Path) -> dict:
    """Measures argv (which prints JSON on stdout) and keeps what it printed."""
    out = LOGS / f"{name}.out"
    r = meter.measure(name, argv, env=env, cwd=WORK, repo=vault, stdout_to=out)
    try:
        r["stdout"] = json.loads(out.read_text())
    except ValueError:
        r["stdout"] = out.read_text()[-4000:]
    return r


def main() -> int:
    p = argparse.ArgumentParser(prog="python3 bench/prune_growth.py", description=__doc__.split("\n")[0])
    p.add_argument("--conversations", type=int, default=300)
    p.add_argument("--avg-kb", type=float, default=33)
    p.add_argument("--months", type=int, default=12)
    p.add_argument("--gptvault", default=str(B.ROOT / "build" / "gptvault"))
    a = p.parse_args()
    if a.months < 2:
        p.error("--months must be at least 2")
    avg = int(a.avg_kb) if a.avg_kb == int(a.avg_kb) else a.avg_kb
    exp = B.ensure_export(a.conversations, avg, a.months, unzip=False)
    (B.CACHE / "bin").mkdir(parents=True, exist_ok=True)
    gbin = B.CACHE / "bin" / "gptvault-growth"
    B.shutil.copy2(a.gptvault, gbin)
    machine = B.machine_info(gbin)

    B.rmtree(WORK)
    WORK.mkdir(parents=True)
    B.rmtree(LOGS)
    LOGS.mkdir(parents=True)
    env = B.Bench(gbin, 1).envs(WORK)["gptvault"]
    vault = WORK / "vault"
    gv = [str(gbin), "--vault", str(vault)]
    setup = B.Bench.setup
    setup(gv + ["init"], env, WORK, "gptvault init")
    setup(gv + ["unlock", "--for", "2h"], env, WORK, "gptvault unlock")
    meter = B.Meter(LOGS)
    rows, tail = [], {}
    started = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    try:
        for m in range(1, a.months + 1):
            B.log(f"growth: month {m}/{a.months}")
            row = {"month": m}
            row["add"] = meter.measure(f"add-{m:02d}", gv + ["add", str(exp / f"export-{m:02d}.zip")], env=env,
                                       cwd=WORK, repo=vault)
            row["prune_dry_run"] = run_json(meter, f"prune-dry-{m:02d}", gv + ["prune", "--dry-run", "--grace", "0",
                                                                                "--json"], env, vault)
            row["check"] = run_json(meter, f"check-{m:02d}", gv + ["check", "--json"], env, vault)
            row["vault_bytes"] = B.tree_bytes(vault)
            rows.append(row)
        tail["forget_oldest"] = run_json(meter, "forget-oldest", gv + ["forget", "1", "--json"], env, vault)
        tail["prune_after_oldest"] = run_json(meter, "prune-after-oldest", gv + ["prune", "--grace", "0", "--json"],
                                              env, vault)
        tail["forget_keep_last_1"] = run_json(meter, "forget-keep-last-1", gv + ["forget", "--keep-last", "1",
                                                                                "--json"], env, vault)
        tail["prune_after_keep_last_1"] = run_json(meter, "prune-after-keep-last-1",
                                                   gv + ["prune", "--grace", "0", "--json"], env, vault)
        setup(gv + ["check"], env, WORK, "gptvault check after forget + prune")
    finally:
        subprocess.run(gv + ["lock"], env=env, cwd=WORK, capture_output=True, stdin=subprocess.DEVNULL)

    f = B.fmt
    gen = B.gen_args(a.conversations, avg, a.months)
    command = f"python3 bench/prune_growth.py --conversations {a.conversations} --avg-kb {a.avg_kb:g} --months {a.months}"
    L = [f"# gptvault prune and check as the history grows ({started})", "",
         f"Reproduce from the repository root: `{command}` (export: `python3 tools/gen_export.py {shlex.join(gen)}`)", "",
         f"- {machine['cpu']}, {machine['cores']} cores; {machine['gptvault']} at git {machine['git']}",
         f"- Every command inside one unlocked session (no Argon2id in any figure); 1-minute load average before "
         f"each command median {f(B.median([r[k]['loadavg_1min_before'] for r in rows for k in ('add', 'prune_dry_run', 'check')]), 1)}, "
         f"max {f(max(r[k]['loadavg_1min_before'] for r in rows for k in ('add', 'prune_dry_run', 'check')), 1)} "
         f"on {machine['cores']} cores", "",
         "| snapshots | vault (MB) | objects needed | add wall (s) | prune --dry-run wall / CPU (s) | its peak RSS (MiB) "
         "| check wall / CPU (s) | its peak RSS (MiB) |",
         "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        pr, ck = r["prune_dry_run"], r["check"]
        needed = pr["stdout"].get("objects_needed") if isinstance(pr["stdout"], dict) else None
        L.append(f"| {r['month']} | {f(r['vault_bytes'] / B.MB)} | {needed} | {f(r['add']['wall_s'])} | "
                 f"{f(pr['wall_s'])} / {f(pr['cpu_s'])} | {f(pr['peak_rss_kb'] / 1024, 0)} | "
                 f"{f(ck['wall_s'])} / {f(ck['cpu_s'])} | {f(ck['peak_rss_kb'] / 1024, 0)} |")
    L += ["", "| then | wall (s) | CPU (s) | peak RSS (MiB) | vault before → after (MB) | what it did |",
          "|---|---:|---:|---:|---:|---|"]
    for key, label in (("forget_oldest", "`forget 1` (the oldest)"), ("prune_after_oldest", "`prune --grace 0`"),
                       ("forget_keep_last_1", "`forget --keep-last 1`"),
                       ("prune_after_keep_last_1", "`prune --grace 0`")):
        r = tail[key]
        o = r["stdout"] if isinstance(r["stdout"], dict) else {}
        if key.startswith("forget"):
            did = (f"{len(o.get('forget', []))} forgotten, {o.get('snapshots_rewritten')} rewritten, "
                   f"{o.get('versions_dropped')} versions dropped")
        else:
            b = lambda k: o.get(k, {}).get("bytes", 0)  # noqa: E731
            did = (f"{o.get('objects_rewritten_whole')} stored whole; deleted {o.get('unused', {}).get('packs')} packs, "
                   f"rewrote {o.get('repacked', {}).get('packs')} ({f(b('repacked') / B.MB)} MB) into "
                   f"{o.get('written', {}).get('packs')} ({f(b('written') / B.MB)} MB); "
                   f"{f(o.get('unused_bytes_kept', 0) / B.MB)} MB left unused")
        L.append(f"| {label} | {f(r['wall_s'])} | {f(r['cpu_s'])} | {f(r['peak_rss_kb'] / 1024, 0)} | "
                 f"{f(r['repo_bytes_before'] / B.MB)} → {f(r['repo_bytes_after'] / B.MB)} | {did} |")
    md = "\n".join(L) + "\n"

    B.RESULTS.mkdir(parents=True, exist_ok=True)
    base = f"{dt.date.today().isoformat()}-prune-growth-c{a.conversations}-m{a.months}"
    taken = [f for f in B.RESULTS.glob(f"{base}*") if re.fullmatch(rf"{re.escape(base)}(-\d+)?", f.stem)]
    stem = base if not taken else f"{base}-{len(taken) // 2 + 1}"
    (B.RESULTS / f"{stem}.md").write_text(md)
    (B.RESULTS / f"{stem}.json").write_text(json.dumps(
        {"started": started, "command": command, "gen_args": gen, "machine": machine, "months": rows,
         "after": tail}, indent=1, ensure_ascii=False))
    print(md, flush=True)
    B.log(f"wrote {(B.RESULTS / (stem + '.md')).relative_to(B.ROOT)} and {stem}.json")
    B.rmtree(WORK)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except B.BenchError as e:
        print(f"prune_growth: error: {e}", file=sys.stderr)
        sys.exit(1)
