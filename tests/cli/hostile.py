#!/usr/bin/env python3
"""Hostile and careless command lines (issue 11): no hang, no crash, no silent wrong answer,
never delete a user's files.

Usage: hostile.py RARESHOCK_BINARY      (run from the repository root)

1. A FIFO as the study file, `include:` of a FIFO: exit 2 at once (used to block for ever).
2. Numeric options out of range (--threads 1000000 / 2000000000 / -1, --seed -1, --draws -1,
   --draws 4294967304, analyze --days 1000000000 / 0): usage error, exit 2, nothing computed.
3. -o naming '.', '..' or a user's directory (with --force): exit 2 before computing, the
   user's files untouched; a trailing '/' is the same directory; --force replaces a directory
   a run wrote (it holds .rareshock-output).
4. Ctrl-C (SIGINT) during the Monte Carlo loop: exit 130, the previous output untouched and no
   staging directory left; with --keep-partial the draws done go to <output>-partial.
5. A staging directory of a dead process beside the output is removed by the next run.
6. A study description starting with '~~~' does not open a code block in report.md.
Exit status 0 when everything passes, 1 otherwise, 2 on usage errors.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STUDY = "models/examples/example-study.yaml"
failures: list[str] = []


def run(binary: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([binary, "-q", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout)


def check(cond: bool, what: str, proc: subprocess.CompletedProcess | None = None) -> None:
    if not cond:
        msg = what
        if proc is not None:
            msg += f" (exit {proc.returncode}): " + proc.stderr.decode(errors="replace")[-800:]
        failures.append(msg)


def listing(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="rareshock-hostile-") as tmp:
        t = Path(tmp)

        # 1. FIFOs.
        fifo = t / "study.yaml"
        os.mkfifo(fifo)
        try:
            p = run(binary, "validate", str(fifo), timeout=20)
            check(p.returncode == 2 and b"not a regular file" in p.stderr, "FIFO study", p)
            inc = t / "inc.yaml"
            inc.write_text(f"include: {fifo.name}\n")
            p = run(binary, "validate", str(inc), timeout=20)
            check(p.returncode == 2 and b"not a regular file" in p.stderr, "included FIFO", p)
        except subprocess.TimeoutExpired:
            failures.append("a FIFO input blocked (timeout)")

        # 2. Numeric options.
        out = t / "never"
        for args in (["--threads", "1000000"], ["--threads", "2000000000"], ["--threads", "-1"],
                     ["--seed", "-1"], ["--draws", "-1"], ["--draws", "4294967304"]):
            p = run(binary, "run", STUDY, "-o", str(out), *args, timeout=30)
            check(p.returncode == 2 and not out.exists(), f"run {' '.join(args)}: usage error", p)
        for days in ("1000000000", "0"):
            p = run(binary, "analyze", "models/examples/mini-chain.yaml", "-o", str(out),
                     "--days", days, timeout=30)
            check(p.returncode == 2 and not out.exists(), f"analyze --days {days}", p)

        # 3. Output directories.
        mine = t / "mine"
        mine.mkdir()
        (mine / "thesis.tex").write_text("years of work")
        start = time.monotonic()
        p = run(binary, "run", STUDY, "-o", str(mine), "--force")
        check(p.returncode == 2 and b"not a rareshock output directory" in p.stderr,
              "--force on a user's directory is refused", p)
        check((mine / "thesis.tex").read_text() == "years of work", "user's file untouched")
        check(time.monotonic() - start < 10, "refused before computing")
        for bad in (".", "..", str(t) + "/.."):
            p = run(binary, "run", STUDY, "-o", bad, "--force", "--draws", "0")
            check(p.returncode == 2 and b"current, a parent or the root" in p.stderr,
                  f"-o {bad} refused", p)
        good = t / "good"
        p = run(binary, "run", STUDY, "-o", str(good) + "/", "--draws", "0")
        check(p.returncode == 0 and (good / "summary.json").is_file()
              and (good / ".rareshock-output").is_file(), "-o dir/ writes dir", p)
        check(not any(".partial-" in x.name for x in t.iterdir()), "no staging dir left")
        p = run(binary, "run", STUDY, "-o", str(good), "--force", "--draws", "0")
        check(p.returncode == 0, "--force replaces a run directory", p)

        # 4. Ctrl-C during Monte Carlo: exit 130, previous output untouched.
        before = listing(good)
        for keep in (False, True):
            args = [binary, "-q", "run", STUDY, "-o", str(good), "--force", "--draws", "2000000",
                    "--threads", "1"] + (["--keep-partial"] if keep else [])
            proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            time.sleep(1.5)
            proc.send_signal(signal.SIGINT)
            try:
                _, err = proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                failures.append("Ctrl-C did not stop the run within 60 s")
                continue
            check(proc.returncode == 130, f"Ctrl-C exits 130 (keep={keep}), got {proc.returncode}: "
                  + err.decode(errors="replace")[-400:])
            check(listing(good) == before, f"Ctrl-C leaves the previous output as it was (keep={keep})")
            check(not any(".partial-" in x.name for x in t.iterdir()), "no staging dir after Ctrl-C")
            partial = Path(str(good) + "-partial")
            if keep:
                ok = (partial / "summary.json").is_file()
                check(ok, "--keep-partial writes <output>-partial")
                if ok:
                    s = json.loads((partial / "summary.json").read_text())
                    check(s.get("uncertainty", {}).get("partial") is True,
                          "the partial output says it is partial")
            else:
                check(not partial.exists(), "no partial output unless asked")

        # 5. Stale staging directory of a dead process.
        stale = t / ".good.partial-4194305"
        stale.mkdir()
        (stale / "junk").write_text("x")
        p = run(binary, "run", STUDY, "-o", str(good), "--force", "--draws", "0")
        check(p.returncode == 0 and not stale.exists(), "stale staging directory removed", p)

        # 6. Markdown fences in text.
        md_out = t / "md"
        p = run(binary, "run", STUDY, "-o", str(md_out), "--draws", "0", "--set",
                "study.description=~~~ not a fence", "--set", "outputs.formats=[json, md]")
        report = md_out / "report.md"
        check(p.returncode == 0 and report.is_file(), "run with a ~~~ description", p)
        if report.is_file():
            lines = report.read_text().splitlines()
            check(not any(x.lstrip().startswith(("~~~", "```")) for x in lines),
                  "report.md has no code fence")
    for f in failures:
        print("FAIL", f)
    print(f"hostile: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
