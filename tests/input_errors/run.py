#!/usr/bin/env python3
"""Golden tests of input diagnostics.

Usage: run.py RARESHOCK_BINARY [--update]

Every `<case>.yaml` directly in this directory (not in fixtures/) is a broken input. For each
one this runs `RARESHOCK validate <case>.yaml` (plus the arguments of a leading comment line
`# args: ...`, e.g. `# args: --set 'horizn=3 years'`) with this directory as the working
directory (so file names in messages are relative) and checks:

  * the exit status: 2 for error cases, 0 for cases whose name starts with `warn_`
    (anything else, e.g. a crash, is a failure);
  * stderr equals `<case>.expected` byte for byte (a unified diff is printed otherwise);
  * every diagnostic header line of the expected text has the form
    `file:line:column: error: ...` or `file:line:column: warning: ...`, and the summary line
    agrees with the kind of case (warn_ cases: no errors and at least one warning).

With --update the `.expected` files are (re)written from the actual output; the exit status
and format checks still apply. Review every rewritten file before committing it.
Exit status: 0 when every case passes, 1 otherwise, 2 on usage errors.
"""
import difflib
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT_S = 60

HEADER = re.compile(r"^[^\s:][^:]*:\d+:\d+: (error|warning): \S")
SUMMARY = re.compile(r"^(\d+) errors?, (\d+) warnings?( \(.*\))?$")
# Lines that belong to the body of a diagnostic: quoted source, caret, expected, hint.
BODY = re.compile(r"^(>? +\d* \| |  (expected|hint): )")


def check_format(case: str, text: str, warn_case: bool) -> list[str]:
    """Problems with the shape of a diagnostic report (empty list when fine)."""
    if not text:
        return ["stderr is empty: no diagnostic at all"]
    problems = []
    lines = text.split("\n")
    if not text.endswith("\n"):
        problems.append("output does not end with a newline")
    else:
        lines = lines[:-1]
    headers = 0
    summary = None
    for i, line in enumerate(lines, 1):
        if HEADER.match(line):
            headers += 1
            continue
        m = SUMMARY.match(line)
        if m:
            if i != len(lines):
                problems.append(f"line {i}: the summary line is not the last line")
            summary = (int(m.group(1)), int(m.group(2)))
            continue
        if BODY.match(line):
            continue
        problems.append(f"line {i}: not a located diagnostic (file:line:col: error:/warning:) "
                        f"nor part of one: {line!r}")
    if headers == 0:
        problems.append("no diagnostic at all")
    if summary is None:
        problems.append("no summary line ('N errors, M warnings')")
    elif warn_case and (summary[0] != 0 or summary[1] == 0):
        problems.append(f"a warn_ case must report 0 errors and at least 1 warning, got {summary}")
    elif not warn_case and summary[0] == 0:
        problems.append("an error case must report at least one error")
    return problems


def case_args(case_file: Path) -> list[str]:
    """Extra arguments of `validate`: a line `# args: --set 'horizn=3 years'` (shell words)
    among the case's leading comment lines."""
    for line in case_file.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# args:"):
            return shlex.split(line[len("# args:"):])
    return []


def run_case(binary: str, case_file: Path, update: bool) -> list[str]:
    case = case_file.stem
    warn_case = case.startswith("warn_")
    want_rc = 0 if warn_case else 2
    try:
        proc = subprocess.run([binary, "validate", case_file.name, *case_args(case_file)],
                              cwd=HERE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=TIMEOUT_S, env={**os.environ, "LC_ALL": "C"})
    except subprocess.TimeoutExpired:
        return [f"timed out after {TIMEOUT_S} s"]
    stderr = proc.stderr.decode("utf-8", errors="surrogateescape")
    stdout = proc.stdout.decode("utf-8", errors="replace")
    problems = []
    if proc.returncode not in (0, 2):
        problems.append(f"exit status {proc.returncode} (crash or runtime failure); "
                        f"stderr:\n{stderr}")
        return problems
    if proc.returncode != want_rc:
        problems.append(f"exit status {proc.returncode}, expected {want_rc}")
    if warn_case and not stdout.startswith("ok: "):
        problems.append(f"a warn_ case must print 'ok: ...' on stdout, got {stdout!r}")
    if not warn_case and stdout:
        problems.append(f"nothing may be printed on stdout for invalid input, got {stdout!r}")
    problems += check_format(case, stderr, warn_case)

    expected_file = HERE / f"{case}.expected"
    if update:
        if not expected_file.exists() or expected_file.read_bytes() != proc.stderr:
            expected_file.write_bytes(proc.stderr)
            print(f"updated {expected_file.name}")
        return problems
    if not expected_file.exists():
        problems.append(f"{expected_file.name} is missing (run with --update, then review it)")
        return problems
    expected = expected_file.read_bytes()
    if expected != proc.stderr:
        diff = difflib.unified_diff(
            expected.decode("utf-8", errors="surrogateescape").splitlines(keepends=True),
            stderr.splitlines(keepends=True), fromfile=expected_file.name,
            tofile=f"actual stderr of 'validate {case_file.name}'")
        problems.append("stderr differs from the expected output:\n" + "".join(diff))
    return problems


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if a != "--update"]
    update = "--update" in argv[1:]
    if len(args) != 1:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    binary = str(Path(args[0]).resolve())
    if not os.access(binary, os.X_OK):
        print(f"run.py: '{args[0]}' is not an executable file", file=sys.stderr)
        return 2

    cases = sorted(HERE.glob("*.yaml"))
    if not cases:
        print(f"run.py: no cases in {HERE}", file=sys.stderr)
        return 1
    failures = 0
    orphans = 0
    for case_file in cases:
        problems = run_case(binary, case_file, update)
        if problems:
            failures += 1
            print(f"FAIL {case_file.stem}")
            for p in problems:
                print("  " + p.replace("\n", "\n  ").rstrip())
    names = {c.stem for c in cases}
    for orphan in sorted(HERE.glob("*.expected")):
        if orphan.stem not in names:
            orphans += 1
            print(f"FAIL {orphan.name}: no {orphan.stem}.yaml for it (delete it or restore the case)")
    print(f"{len(cases) - failures} of {len(cases)} input-error cases passed"
          + (" (expected files updated)" if update else ""))
    return 1 if failures or orphans else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
