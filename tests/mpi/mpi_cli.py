#!/usr/bin/env python3
"""`mpirun -n 2 rareshock run|analyze` against single-process runs (docs/scaling.md).

Usage (from the repository root):
  tests/mpi/mpi_cli.py RARESHOCK_BINARY --built ON|OFF [--mpiexec PATH]

1. `run` of the example study with Monte Carlo draws, once in one process and once under
   `mpirun -n 2`: every output file is byte-identical, except what legitimately differs
   (below); the console output of the MPI run is the single-process one, told once.
2. `analyze` of the world model (criticality sweep over every producing node): likewise.
3. A drawn value that makes the study invalid, in a draw that rank 1 runs: exit 2 as in one
   process, the same message once, nothing written, and no hang.
4. An existing output directory without --force: refused once, exit 2, left as it was.
5. A bad input (--set horizon=7 parsecs): the single-process diagnostic once, exit 2.

Legitimately different, and so left out of the comparison: in provenance.json
`started_utc`, `finished_utc` and `ranks`; in analysis summaries the wall times (`seconds`,
`timings_s`); in report.md / report.html the times (ISO 8601 stamps). Both runs use `--threads 1` (threads
per process are recorded too) and the same relative output path (the command line is too).

Exit status 0 when everything passes, 1 on a failure, 77 (skipped) when MPI was not built or
no mpiexec is found.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STUDY = str(ROOT / "models/examples/example-study.yaml")
WORLD = str(ROOT / "models/world-2024.yaml")
# Draws 4-7 of seed 10 include an invalid capacity, draws 0-3 do not: with 8 draws on 2 ranks
# (1 thread each) the first failing draw is in rank 1's block.
BAD_SET = ('monte_carlo.params=[{path: "model.nodes[au_mine].capacity", dist: normal, '
           'mean: 60 kt/yr, sd: 60 kt/yr}]')
STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
TIMEOUT = 600

failures: list[str] = []


def check(cond: bool, what: str) -> bool:
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)
    return cond


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=TIMEOUT)


def without(obj, keys: set[str]):
    """\\p obj with every member named in \\p keys removed, at any depth."""
    if isinstance(obj, dict):
        return {k: without(v, keys) for k, v in obj.items() if k not in keys}
    if isinstance(obj, list):
        return [without(v, keys) for v in obj]
    return obj


def comparable(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name == "provenance.json":
        return json.dumps(without(json.loads(data), {"started_utc", "finished_utc", "ranks"}),
                          sort_keys=True).encode()
    if path.name == "summary.json" and b'"structural_analysis"' in data:
        return json.dumps(without(json.loads(data), {"seconds", "timings_s"}),
                          sort_keys=True).encode()
    if path.suffix in (".md", ".html"):
        return STAMP.sub(b"<time>", data)
    return data


def same_tree(a: Path, b: Path, what: str) -> None:
    fa = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    fb = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    if not check(fa == fb, f"{what}: the same files ({len(fa)})"):
        print(f"     only single: {sorted(set(fa) - set(fb))}; only MPI: {sorted(set(fb) - set(fa))}")
        return
    differ = [str(f) for f in fa if comparable(a / f) != comparable(b / f)]
    exact = sum((a / f).read_bytes() == (b / f).read_bytes() for f in fa)
    check(not differ, f"{what}: every file identical ({exact} byte for byte, the rest but "
          f"times and ranks){'; differ: ' + ', '.join(differ) if differ else ''}")


def mpi(mpiexec: list[str], n: int, binary: str, *args: str) -> list[str]:
    return [*mpiexec, "-n", str(n), binary, *args]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--built", default="OFF")
    ap.add_argument("--mpiexec", default="")
    a = ap.parse_args()
    if a.built.upper() not in ("ON", "TRUE", "1"):
        print("skipped: rareshock was built without MPI (RARESHOCK_MPI)")
        return 77
    mpiexec = a.mpiexec or shutil.which("mpirun") or shutil.which("mpiexec")
    if not mpiexec or not Path(mpiexec).exists():
        print("skipped: no mpiexec found")
        return 77
    launcher = [mpiexec]
    version = subprocess.run([mpiexec, "--version"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT).stdout
    if b"Open MPI" in version or b"OpenRTE" in version:
        launcher.append("--oversubscribe")  # 2 ranks on fewer cores
    binary = str(Path(a.binary).resolve())

    with tempfile.TemporaryDirectory() as tmp:
        single, multi = Path(tmp) / "single", Path(tmp) / "mpi"
        single.mkdir()
        multi.mkdir()

        # 1. run with draws (licences and the mitigation ranking drawn too).
        args = ["run", STUDY, "-o", "run", "--draws", "24", "--seed", "7", "--threads", "1"]
        p1 = run([binary, *args], single)
        p2 = run(mpi(launcher, 2, binary, *args), multi)
        check(p1.returncode == 0 and p2.returncode == 0,
              f"run: exit 0 in one process and on 2 ranks (got {p1.returncode}, {p2.returncode})")
        if p1.returncode == 0 and p2.returncode == 0:
            same_tree(single / "run", multi / "run", "run --draws 24")
            info1 = [l for l in p1.stderr.splitlines() if b"Monte Carlo draws on" not in l]
            info2 = [l for l in p2.stderr.splitlines() if b"Monte Carlo draws on" not in l]
            check(info1 == info2, "run: the console output once, as in one process")
            check(b"24 Monte Carlo draws on 2 ranks x 1 thread" in p2.stderr,
                  "run: says it ran on 2 ranks")
        else:
            print(p1.stderr.decode(errors="replace"), p2.stderr.decode(errors="replace"))

        # 2. analyze: the criticality sweep split over the ranks.
        args = ["analyze", WORLD, "-o", "analysis", "--threads", "1", "--days", "60"]
        p1 = run([binary, *args], single)
        p2 = run(mpi(launcher, 2, binary, *args), multi)
        check(p1.returncode == 0 and p2.returncode == 0,
              f"analyze: exit 0 in one process and on 2 ranks (got {p1.returncode}, "
              f"{p2.returncode})")
        if p1.returncode == 0 and p2.returncode == 0:
            same_tree(single / "analysis", multi / "analysis", "analyze world-2024")
            n1 = len(json.loads((single / "analysis/summary.json").read_text())
                     ["criticality"]["entries"])
            check(n1 > 40, f"analyze: {n1} outages ranked")
        else:
            print(p1.stderr.decode(errors="replace"), p2.stderr.decode(errors="replace"))

        # 3. A failing draw on rank 1: the single-process message, once; exit 2; nothing written.
        args = ["run", STUDY, "-o", "bad", "--draws", "8", "--seed", "10", "--threads", "1",
                "--set", BAD_SET]
        p1 = run([binary, *args], single)
        p2 = run(mpi(launcher, 2, binary, *args), multi)
        lines1 = [l for l in p1.stderr.splitlines() if not l.startswith(b"info:")]
        check(p1.returncode == 2 and b"invalid with the drawn values" in p1.stderr,
              "bad draw: one process exits 2 naming the drawn value")
        check(p2.returncode == 2, f"bad draw: exit 2 on 2 ranks (got {p2.returncode})")
        err2 = p2.stderr
        check(all(err2.count(l) == 1 for l in lines1 if l.strip()) and
              err2.count(b"invalid with the drawn values") == 1,
              "bad draw: the single-process message, told once")
        check(not (multi / "bad").exists(), "bad draw: nothing written")

        # 4. The output directory exists: refused once, left as it was.
        args = ["run", STUDY, "-o", "run", "--draws", "2", "--threads", "1"]
        before = sorted(p.name for p in (multi / "run").iterdir()) if (multi / "run").exists() else []
        p2 = run(mpi(launcher, 2, binary, *args), multi)
        check(p2.returncode == 2, f"existing output: exit 2 on 2 ranks (got {p2.returncode})")
        check(p2.stderr.count(b"already exists") == 1, "existing output: told once")
        after = sorted(p.name for p in (multi / "run").iterdir()) if (multi / "run").exists() else []
        check(before == after and before, "existing output: left as it was")

        # 5. A bad input: the single-process diagnostic, once, exit 2.
        args = ["run", STUDY, "-o", "typo", "--set", "horizon=7 parsecs"]
        p1 = run([binary, *args], single)
        p2 = run(mpi(launcher, 2, binary, *args), multi)
        check(p1.returncode == 2 and p2.returncode == 2,
              f"bad input: exit 2 in one process and on 2 ranks (got {p1.returncode}, "
              f"{p2.returncode})")
        check(bool(p1.stderr) and p2.stderr.count(p1.stderr) == 1,
              "bad input: the single-process diagnostic, told once")

    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
