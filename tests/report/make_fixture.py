#!/usr/bin/env python3
"""Regenerates tests/report/fixtures/mini-chain/, the run directory behind the golden report.

    tests/report/make_fixture.py build/rareshock

Runs tests/report/fixtures/mini-chain-study.yaml and keeps the files the report reads
(summary.json, timeseries/sectors.csv, baseline-flows.csv, provenance.json,
analysis/summary.json). What changes from build to build or run to run (git sha, compiler,
times, command line, thread count) is replaced by fixed text, and numbers are rounded to six
significant digits to keep the fixture small. Afterwards re-bless the golden report:
tests/report/golden.py build/rareshock --update.
"""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
STUDY = "tests/report/fixtures/mini-chain-study.yaml"
OUT = HERE / "fixtures" / "mini-chain"


def rounded(x):
    if isinstance(x, float):
        return float(f"{x:.6g}")
    if isinstance(x, list):
        return [rounded(v) for v in x]
    if isinstance(x, dict):
        return {k: rounded(v) for k, v in x.items()}
    return x


def compact_json(obj):
    """Indented JSON, with lists of numbers kept on one line."""
    text = json.dumps(obj, indent=1, sort_keys=True)
    return re.sub(r"\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]",
                  lambda m: "[" + ", ".join(v.strip() for v in m.group(1).split(",")) + "]", text) + "\n"


def round_csv_numbers(text):
    return re.sub(r"(?<![\w.-])-?\d+\.\d{7,}(?:e-?\d+)?", lambda m: f"{float(m.group(0)):.6g}", text)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        run = pathlib.Path(tmp) / "run"
        subprocess.run([binary, "-q", "run", STUDY, "-o", str(run), "--threads", "1"], cwd=ROOT, check=True)
        shutil.rmtree(OUT, ignore_errors=True)
        (OUT / "timeseries").mkdir(parents=True)

        summary = json.loads((run / "summary.json").read_text())
        summary["tool"]["git_sha"] = "fixture"
        (OUT / "summary.json").write_text(compact_json(rounded(summary)))

        prov = json.loads((run / "provenance.json").read_text())
        prov["tool"].update(git_sha="fixture", compiler="fixture", build_type="Release",
                            dependencies="fixture")
        prov.update(started_utc="2025-01-01T00:00:00Z", finished_utc="2025-01-01T00:00:01Z",
                    threads=1, command_line=["rareshock", "run", STUDY])
        (OUT / "provenance.json").write_text(json.dumps(prov, indent=1, sort_keys=True) + "\n")

        analysis = json.loads((run / "analysis" / "summary.json").read_text())
        analysis["tool"]["git_sha"] = "fixture"
        analysis["timings_s"] = {k: 0 for k in analysis.get("timings_s", {})}
        if analysis.get("criticality"):
            analysis["criticality"].update(seconds=0, threads=1)
        (OUT / "analysis").mkdir()
        (OUT / "analysis" / "summary.json").write_text(compact_json(rounded(analysis)))

        sectors = (run / "timeseries" / "sectors.csv").read_text()
        (OUT / "timeseries" / "sectors.csv").write_text(round_csv_numbers(sectors))
        shutil.copy(run / "baseline-flows.csv", OUT / "baseline-flows.csv")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
