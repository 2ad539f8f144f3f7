#!/usr/bin/env python3
"""Hostile and careless command lines (issue 11): no hang, no crash, no silent wrong answer,
never delete a user's files.

Usage: hostile.py RARESHOCK_BINARY      (run from the repository root)

1. A FIFO as the study file, `include:` of a FIFO: exit 2 at once (used to block for ever).
   A stray ',' in a --set value: a syntax error at once (used to hang).
2. Numeric options out of range (--threads 1000000 / 2000000000 / -1, --seed -1, --draws -1,
   --draws 4294967304, analyze --days 1000000000 / 0) or not numbers (--draws abc, named as
   such): usage error, exit 2, nothing computed.
3. -o naming '.', '..' or a user's directory (with --force): exit 2 before computing, the
   user's files untouched; a trailing '/' is the same directory; --force replaces a directory
   a run wrote (it holds .rareshock-output).
4. Ctrl-C (SIGINT) during the Monte Carlo loop: exit 130, the previous output untouched and no
   staging directory left; with --keep-partial the draws done go to <output>-partial.
5. A staging directory of a dead process beside the output is removed by the next run.
6. A study description starting with '~~~' does not open a code block in report.md.
7. include:/csv: of a file outside the input tree or not named as YAML/CSV (a fake /etc/shadow)
   is refused, and no line of the file appears in the output.
8. A bidi override in the study name and ESC in a file name are printed as visible escapes.
9. Ctrl-C during Sobol, the tornado and `analyze`'s criticality sweep: exit 130 within seconds,
   the previous output untouched, no staging directory or lock left.
10. A second process writing to a directory a run is writing is refused (pid named); the lock
    goes with the process.
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

        # 1b. A stray ',' in a --set value (yaml-cpp's LoadAll looped for ever on it).
        for value in (",", "&a ,"):
            try:
                p = run(binary, "validate", STUDY, "--set", f"study.name={value}", timeout=20)
                check(p.returncode == 2 and b"unexpected ','" in p.stderr,
                      f"--set study.name={value}", p)
            except subprocess.TimeoutExpired:
                failures.append(f"--set study.name={value} hung (timeout)")

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
        # Not a number: a message naming what the option expects, not CLI11's "Could not convert".
        p = run(binary, "run", STUDY, "-o", str(out), "--draws", "abc", timeout=30)
        check(p.returncode == 2 and not out.exists() and b"Could not convert" not in p.stderr
              and b"not a whole number: 'abc': expected the number of Monte Carlo draws"
              in p.stderr, "run --draws abc: a clear message", p)

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
        # 7. Includes outside the input tree, and files that are not YAML/CSV input (a fake
        #    /etc/shadow): refused, and not one line of the file in the output.
        secret = ("root:$6$saltsalt$HASHHASH:19000:0:99999:7:::\n"
                  "daemon:*:19000:0:99999:7:::\nsecret-line-3:x\n")
        etc = t / "etc"
        etc.mkdir()
        (etc / "shadow").write_text(secret)
        (etc / "shadow.yaml").write_text(secret)
        proj = t / "proj"
        proj.mkdir()
        (proj / "shadow").write_text(secret)
        cases = {"abs.yaml": f"include: {etc / 'shadow.yaml'}\n",
                 "up.yaml": "include: ../etc/shadow.yaml\n",
                 "abs-raw.yaml": f"include: {etc / 'shadow'}\n",
                 "inside.yaml": "include: shadow\n",
                 "csv.yaml": "materials:\n  - csv: ../etc/shadow\n"}
        for name, text in cases.items():
            (proj / name).write_text(text)
            for extra in ([], ["--allow-outside-includes"]):
                p = run(binary, "validate", str(proj / name), *extra)
                err = p.stderr.decode(errors="replace")
                refused = "is outside the input tree" in err or "is not named as a" in err
                # With the flag, shadow.yaml is read as (claimed) YAML input: at most the
                # offending line and the one before it may be quoted per diagnostic.
                quoted = sum(part in err for part in ("root:", "daemon", "secret-line"))
                ok = p.returncode == 2 and (refused or (extra and name in ("abs.yaml", "up.yaml")))
                if not (extra and name in ("abs.yaml", "up.yaml")):
                    ok = ok and quoted == 0 and "$6$" not in err
                check(ok, f"include of a non-input file {name} {extra}", p)
        p = run(binary, "validate", str(proj / "up.yaml"), "--allow-outside-includes")
        check("is outside" not in p.stderr.decode(errors="replace"),
              "--allow-outside-includes reads outside the tree", p)

        # 8. User text with terminal controls (a bidi override in the study name, ESC in a file
        #    name) is printed with visible escapes, never raw.
        p = run(binary, "validate", STUDY, "--set", r'study.name="evil \u202Egnp.exe"')
        check(p.returncode == 0 and b"\xe2\x80\xae" not in p.stdout
              and b"\\u202e" in p.stdout, "validate prints the name's bidi override escaped", p)
        p = subprocess.run([binary, "run", STUDY, "-o", str(t / "bidi"), "--draws", "0", "--set",
                            r'study.name="evil \u202Egnp.exe"'], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        check(p.returncode == 0 and b"\xe2\x80\xae" not in p.stderr
              and b"\\u202e" in p.stderr, "the run log prints the name escaped", p)
        esc = str(t / "x\x1b[2Jclear.yaml")
        for args in (["validate", esc], ["run", esc], ["validate", esc, esc]):
            p = run(binary, *args)
            check(p.returncode == 2 and b"\x1b" not in p.stdout + p.stderr
                  and b"\\x1b[2J" in p.stderr, f"ESC in a file name escaped ({args[0]})", p)

        # 9. Ctrl-C in the long phases after the Monte Carlo loop: Sobol, tornado, and the
        #    criticality sweep of `analyze`: exit 130 within seconds, previous output untouched.
        root = Path.cwd()
        sob = t / "sobol.yaml"
        sob.write_text(
            "study: {name: sobol-long}\n"
            f"model: {root / 'models/examples/mini-chain.yaml'}\n"
            f"scenarios: [{root / 'models/examples/dy-licence.yaml'}]\n"
            f"mitigations: [{root / 'models/examples/mitigation-package.yaml'}]\n"
            "start: 2025-01-01\nhorizon: 500\n"
            "monte_carlo:\n  draws: 0\n  params: [{path: \"model.consumers[ev_traction_eu]."
            "inventory_days\", dist: uniform, min: 10, max: 120}]\n"
            "sensitivity: {sobol: true, sobol_samples: 200000, metrics: [time_to_shortage]}\n"
            "outputs: {formats: [json, html, md]}\n")
        tornado = ["models/studies/china-2025-04-uncertainty.yaml", "--draws", "0",
                   "--set", "outputs={formats: [json]}", "--set", "horizon=20000"]
        long_runs = {
            "sobol": ["run", str(sob), "--allow-outside-includes"],
            "tornado": ["run", *tornado],
            "analyze": ["analyze", "models/world-2024.yaml", "--days", "20000"],
        }
        quick_runs = {  # the same, quickly: the previous output
            "sobol": [*long_runs["sobol"], "--set", "sensitivity.sobol=false"],
            "tornado": [*long_runs["tornado"], "--set", "sensitivity.tornado=false"],
            "analyze": ["analyze", "models/world-2024.yaml", "--days", "30"],
        }
        for what, args in long_runs.items():
            target = t / f"int-{what}"
            p = run(binary, *quick_runs[what], "-o", str(target), timeout=120)
            check(p.returncode == 0, f"{what}: the previous output", p)
            before = listing(target)
            proc = subprocess.Popen([binary, "-q", *args, "-o", str(target), "--force",
                                     "--threads", "1"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            time.sleep(3.0)
            check(proc.poll() is None, f"{what}: still running after 3 s (the test needs it)")
            proc.send_signal(signal.SIGINT)
            sent = time.monotonic()
            try:
                _, err = proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                failures.append(f"Ctrl-C did not stop {what} within 60 s")
                continue
            took = time.monotonic() - sent
            check(proc.returncode == 130, f"{what}: Ctrl-C exits 130, got {proc.returncode}: "
                  + err.decode(errors="replace")[-400:])
            check(took < 5, f"{what}: stopped {took:.1f} s after Ctrl-C (want < 5 s)")
            check(listing(target) == before, f"{what}: Ctrl-C left the previous output as it was")
            check(not any(x.name.startswith(f".int-{what}.") for x in t.iterdir()),
                  f"{what}: no staging directory or lock file left")

        # 10. Two processes writing one output directory: the second is refused at once with a
        #     clear message (also `report` on it), the first finishes undisturbed.
        shared = t / "shared"
        first = subprocess.Popen([binary, "-q", *long_runs["sobol"], "-o", str(shared),
                                  "--threads", "1"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(1.5)
        start = time.monotonic()
        p = run(binary, "run", STUDY, "-o", str(shared), "--force", "--draws", "0")
        check(p.returncode == 2 and b"another rareshock process" in p.stderr
              and f"pid {first.pid}".encode() in p.stderr, "a second run to one directory", p)
        check(time.monotonic() - start < 10, "the second run is refused before computing")
        p = run(binary, "analyze", "models/examples/mini-chain.yaml", "-o", str(shared), "--force")
        check(p.returncode == 2 and b"another rareshock process" in p.stderr,
              "analyze into a directory a run is writing", p)
        check(first.poll() is None, "the first run is still running")
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=60)
        check(first.returncode == 130 and not shared.exists(), "the first run, interrupted")
        p = run(binary, "run", STUDY, "-o", str(shared), "--draws", "0")
        check(p.returncode == 0 and (shared / "report.html").is_file()
              and (shared / "summary.json").is_file(), "the lock is released at exit", p)
        lock = t / ".shared.lock"
        check(not lock.exists(), "no lock file left after a run")
        p = run(binary, "report", str(shared))
        check(p.returncode == 0, "report on a run directory nobody writes", p)

    for f in failures:
        print("FAIL", f)
    print(f"hostile: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
