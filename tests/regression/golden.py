#!/usr/bin/env python3
"""Golden result tests: the numbers a run computes, compared with blessed copies.

Usage (from the repository root):
  tests/regression/golden.py RARESHOCK_BINARY [--case NAME]... [--update]

Each case is a directory tests/regression/<case>/ with a case.json:

  {"study": "models/examples/example-study.yaml",      the study to run
   "args": ["--draws", "0"],                           extra `rareshock run` arguments
   "rtol": 1e-6, "atol": 1e-6,                         default tolerances
   "files": {"metrics.csv": {                          a run output file (CSV) to compare
       "keys": ["run", "level", "id", "material", "metric"],   columns naming a row
       "where": {"level": ["sector", "region"]},       keep rows whose column is one of these
       "date_suffix": "-01",                           keep rows whose `date` ends so
       "tolerances": {"value": {"rtol": 1e-5, "atol": 1e-3}}   per-column overrides
   }}}

and expected/<file name>.csv holding the blessed rows. The test runs the study, selects the
same rows, and compares them column by column: cells that parse as numbers on both sides must
satisfy |actual - expected| <= atol + rtol * |expected|; other cells must be equal. A missing
or extra row, a changed header or a cell out of tolerance fails, each reported with the file,
the row's keys, the column and both values. `--update` writes the selected rows as the new
expected files (re-blessing; review the diff before committing).

Needs python3 (stdlib only). Exit status 0 when every case matches, 1 otherwise.
"""
import argparse
import csv
import io
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def read_csv(path_or_text):
    """Header and rows (lists of cells) of a CSV file or text."""
    if isinstance(path_or_text, Path):
        with open(path_or_text, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    else:
        rows = list(csv.reader(io.StringIO(path_or_text)))
    if not rows:
        return [], []
    return rows[0], rows[1:]


def select(header, rows, spec):
    """The rows a file spec keeps (`where`, `date_suffix`), in their order."""
    where = spec.get("where", {})
    for col in list(where) + (["date"] if "date_suffix" in spec else []):
        if col not in header:
            raise ValueError(f"column '{col}' used to select rows is not in the header {header}")
    out = []
    for r in rows:
        cells = dict(zip(header, r))
        if any(cells.get(c) not in allowed for c, allowed in where.items()):
            continue
        if "date_suffix" in spec and not cells.get("date", "").endswith(spec["date_suffix"]):
            continue
        out.append(r)
    return out


def number(text):
    """The cell as a float, or None when it is not a number (empty, a date, an id)."""
    try:
        v = float(text)
    except ValueError:
        return None
    return v


def compare(name, exp_header, exp_rows, act_header, act_rows, keys, rtol, atol,
            tolerances=None, max_messages=20):
    """Messages describing every difference (empty when the tables match)."""
    tolerances = tolerances or {}
    msgs = []
    if exp_header != act_header:
        missing = [c for c in exp_header if c not in act_header]
        extra = [c for c in act_header if c not in exp_header]
        msgs.append(f"{name}: header differs: expected {exp_header}, got {act_header}"
                    + (f" (missing {missing})" if missing else "")
                    + (f" (new {extra})" if extra else ""))
        return msgs
    for k in keys:
        if k not in exp_header:
            return [f"{name}: key column '{k}' is not in the header {exp_header}"]
    ki = [exp_header.index(k) for k in keys]

    def index(rows, side):
        out = {}
        for n, r in enumerate(rows):
            key = tuple(r[i] if i < len(r) else "" for i in ki)
            if key in out:
                msgs.append(f"{name}: {side} rows {out[key][0] + 2} and {n + 2} have the same "
                            f"keys {describe_key(keys, key)}; add a key column to case.json")
            out[key] = (n, r)
        return out

    exp, act = index(exp_rows, "expected"), index(act_rows, "actual")
    for key in exp:
        if key not in act:
            msgs.append(f"{name}: row {describe_key(keys, key)} is missing from the output")
    for key in act:
        if key not in exp:
            msgs.append(f"{name}: row {describe_key(keys, key)} is new (not in the expected file)")
    for key, (n, er) in exp.items():
        if key not in act:
            continue
        ar = act[key][1]
        if len(er) != len(ar):
            msgs.append(f"{name}: row {describe_key(keys, key)} has {len(ar)} cells, "
                        f"expected {len(er)}")
            continue
        for c, (e, a) in enumerate(zip(er, ar)):
            col = exp_header[c]
            if e == a:
                continue
            ev, av = number(e), number(a)
            where = f"{name}: row {describe_key(keys, key)} (expected file line {n + 2}) column '{col}'"
            if ev is None or av is None:
                msgs.append(f"{where}: expected '{e}', got '{a}'")
                continue
            t = tolerances.get(col, {})
            r_tol, a_tol = t.get("rtol", rtol), t.get("atol", atol)
            diff = abs(av - ev)
            if not (math.isfinite(av) and diff <= a_tol + r_tol * abs(ev)):
                msgs.append(f"{where}: expected {e}, got {a} (difference {diff:.6g} > "
                            f"atol {a_tol:g} + rtol {r_tol:g} x |expected|)")
    if len(msgs) > max_messages:
        msgs = msgs[:max_messages] + [f"{name}: ... and {len(msgs) - max_messages} more"]
    return msgs


def describe_key(keys, key):
    return "(" + ", ".join(f"{k}={v}" for k, v in zip(keys, key)) + ")"


def write_csv(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def run_case(binary, case_dir, update):
    spec = json.loads((case_dir / "case.json").read_text(encoding="utf-8"))
    rtol, atol = spec.get("rtol", 1e-6), spec.get("atol", 1e-6)
    with tempfile.TemporaryDirectory(prefix="rareshock-golden-") as tmp:
        out = Path(tmp) / "out"
        cmd = [binary, "-q", "run", spec["study"], "-o", str(out), *spec.get("args", [])]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            return [f"{case_dir.name}: `{' '.join(cmd)}` exited {p.returncode}:\n{p.stderr}"]
        msgs = []
        for fname, fspec in spec["files"].items():
            produced = out / fname
            if not produced.exists():
                msgs.append(f"{case_dir.name}: the run wrote no {fname}")
                continue
            header, rows = read_csv(produced)
            rows = select(header, rows, fspec)
            expected = case_dir / "expected" / Path(fname).name
            if update:
                write_csv(expected, header, rows)
                print(f"blessed {expected.relative_to(HERE.parent.parent)} ({len(rows)} rows)")
                continue
            if not expected.exists():
                msgs.append(f"{case_dir.name}: no {expected} (run with --update to bless)")
                continue
            eh, er = read_csv(expected)
            msgs += [f"{case_dir.name}/{m}" for m in
                     compare(fname, eh, er, header, rows, fspec["keys"],
                             fspec.get("rtol", rtol), fspec.get("atol", atol),
                             fspec.get("tolerances"))]
        return msgs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary")
    ap.add_argument("--case", action="append", help="run only this case (repeatable)")
    ap.add_argument("--update", action="store_true", help="re-bless the expected files")
    a = ap.parse_args()
    cases = sorted(d for d in HERE.iterdir() if (d / "case.json").exists())
    if a.case:
        unknown = set(a.case) - {d.name for d in cases}
        if unknown:
            sys.exit(f"unknown case(s): {', '.join(sorted(unknown))}")
        cases = [d for d in cases if d.name in a.case]
    failed = False
    for d in cases:
        msgs = run_case(a.binary, d, a.update)
        if msgs:
            failed = True
            print(f"FAIL: {d.name}")
            for m in msgs:
                print("  " + m)
        elif not a.update:
            print(f"ok:   {d.name}")
    if failed and not a.update:
        print("If the change is intended, re-bless with: scripts/bless-golden (and review the diff)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
