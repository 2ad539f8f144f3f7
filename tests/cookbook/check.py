#!/usr/bin/env python3
"""The worked planner questions of docs/cookbook.md stay true.

Usage: check.py RARESHOCK_BINARY [--page docs/cookbook.md] [--keep DIR]

The page marks what it claims with HTML comments (invisible when rendered):

  <!-- file: models/cookbook/a-eu-ban.yaml -->
  ```yaml                      the next fenced block must equal that file, byte for byte
  ...                          (a block may also be the file's first lines, then marked
  ```                          `<!-- file: PATH (start) -->`)

  <!-- check: models/cookbook/a-eu-ban.yaml run=RUN_ID [set='key.path=value']... -->
  | Consumer | What | Value |  the next table: each row names a consumer id and a metric in
  |---|---|---|                backticks and the value the page quotes, e.g.
  | `ev_traction_EU` | runs short from (`time_to_shortage`) | 2026-07-07 |

The study is run once per distinct (study, sets) with --draws 0 and every quoted value is
compared with metrics.csv of run RUN_ID (the consumer's `all` row): a date within 3 days, a
percentage within 1.5 points, tonnes, days and counts within 3 % (and 2 units). Exit status 0
when every claim holds, 1 otherwise, 2 on usage errors.
"""
import csv
import re
import shlex
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARK_FILE = re.compile(r"^<!-- file: (\S+)( \(start\))? -->$")
MARK_CHECK = re.compile(r"^<!-- check: (.*) -->$")
ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|.*?\(`([a-z_]+)`\)\s*\|\s*([^|]+?)\s*\|$")


def fenced_block(lines, i):
    """The text of the fenced block starting at or after line i, and the line after it."""
    while i < len(lines) and not lines[i].startswith("```"):
        i += 1
    j = i + 1
    while j < len(lines) and not lines[j].startswith("```"):
        j += 1
    return "".join(l + "\n" for l in lines[i + 1:j]), j + 1


def table_rows(lines, i):
    rows = []
    while i < len(lines) and not lines[i].startswith("|"):
        i += 1
    while i < len(lines) and lines[i].startswith("|"):
        m = ROW.match(lines[i])
        if m:
            rows.append((i + 1, m.group(1), m.group(2), m.group(3)))
        i += 1
    return rows, i


def parse_value(text):
    """(kind, number) of a quoted value: date, percent, or a plain amount."""
    t = text.replace(",", "").replace("**", "").strip()
    m = re.match(r"^(\d{4}-\d{2}-\d{2})", t)
    if m:
        return "date", date.fromisoformat(m.group(1)).toordinal()
    m = re.match(r"^(-?\d+(?:\.\d+)?)\s*%", t)
    if m:
        return "percent", float(m.group(1))
    m = re.match(r"^(-?\d+(?:\.\d+)?)\s*(t|days?|units?)?\b", t)
    if m:
        return "amount", float(m.group(1))
    if t.startswith("none") or t.startswith("no shortage"):
        return "none", None
    raise ValueError(f"cannot read the value '{text}'")


def actual(metrics, run, consumer, metric):
    for r in metrics:
        if r["run"] == run and r["id"] == consumer and r["material"] == "all" and \
                r["metric"] == metric:
            return r
    return None


def agrees(kind, quoted, row, metric):
    if kind == "none":
        return row is None or row["value"] == "", "no value"
    if row is None or row["value"] == "":
        return False, "no value"
    if kind == "date":
        got = date.fromisoformat(row["date"]).toordinal()
        return abs(got - quoted) <= 3, row["date"]
    value = float(row["value"])
    if kind == "percent":
        return abs(value * 100 - quoted) <= 1.5, f"{value * 100:.1f} %"
    return abs(value - quoted) <= max(2.0, 0.03 * abs(value)), f"{value:.4g}"


def main(argv):
    args = argv[1:]
    if not args or args[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    binary = str(Path(args[0]).resolve())
    page = ROOT / "docs" / "cookbook.md"
    keep = None
    if "--page" in args:
        page = Path(args[args.index("--page") + 1]).resolve()
    if "--keep" in args:
        keep = Path(args[args.index("--keep") + 1]).resolve()
    lines = page.read_text(encoding="utf-8").split("\n")
    failures, claims, files = [], 0, 0
    runs = {}  # (study, sets) -> metrics rows
    tmp = tempfile.TemporaryDirectory()
    out_root = keep or Path(tmp.name)
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        mf, mc = MARK_FILE.match(line), MARK_CHECK.match(line)
        if mf:
            block, i = fenced_block(lines, i + 1)
            text = (ROOT / mf.group(1)).read_text(encoding="utf-8")
            ok = text.startswith(block) if mf.group(2) else text == block
            files += 1
            if not ok:
                failures.append(f"{page.name}: the block under '{line}' differs from {mf.group(1)}")
            continue
        if not mc:
            i += 1
            continue
        words = shlex.split(mc.group(1))
        study = words[0]
        opts = [w.split("=", 1) for w in words[1:]]
        run = next(v for k, v in opts if k == "run")
        sets = tuple(v for k, v in opts if k == "set")
        key = (study, sets)
        if key not in runs:
            out = out_root / f"run{len(runs)}"
            cmd = [binary, "-q", "run", study, "-o", str(out), "--force", "--draws", "0"]
            for s in sets:
                cmd += ["--set", s]
            p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
            if p.returncode != 0:
                failures.append(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr}")
                runs[key] = []
            else:
                with open(out / "metrics.csv", encoding="utf-8") as f:
                    runs[key] = list(csv.DictReader(f))
        rows, i = table_rows(lines, i + 1)
        if not rows:
            failures.append(f"{page.name}:{i}: '{line}' is not followed by a table of claims")
        for lineno, consumer, metric, text in rows:
            claims += 1
            try:
                kind, quoted = parse_value(text)
            except ValueError as e:
                failures.append(f"{page.name}:{lineno}: {e}")
                continue
            ok, got = agrees(kind, quoted, actual(runs[key], run, consumer, metric), metric)
            if not ok:
                failures.append(f"{page.name}:{lineno}: {consumer} {metric} in run {run} of "
                                f"{study}{' ' + ' '.join(sets) if sets else ''}: the page says "
                                f"'{text}', the run gives {got}")
    if claims == 0 or files == 0:
        failures.append(f"{page.name}: no claims or no files marked (found {claims}, {files})")
    for f in failures:
        print("FAIL:", f)
    print(f"cookbook: {claims} numbers and {files} files checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
