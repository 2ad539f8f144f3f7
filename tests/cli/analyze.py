#!/usr/bin/env python3
"""`rareshock analyze` end to end: files, shapes, exit codes and speed.

Usage: analyze.py RARESHOCK_BINARY      (run from the repository root)

1. `analyze models/world-2024.yaml --scenario models/scenarios/china-2025-04-controls.yaml`
   exits 0 within 30 s and writes summary.json (format_version 1, every part), the four CSV
   tables with their headers, and provenance.json with input hashes;
2. the same directory again without --force exits 2 and leaves it untouched; with --force 0;
3. a scenario file as FILE exits 2; --days 0 exits 2; a missing file exits 2.
Exit status 0 when everything passes, 1 otherwise, 2 on usage errors.
"""
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

failures: list[str] = []


def run(binary: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([binary, "-q", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=300)


def check(cond: bool, what: str, proc: subprocess.CompletedProcess | None = None) -> None:
    if not cond:
        msg = what
        if proc is not None:
            msg += f" (exit {proc.returncode}): " + proc.stderr.decode(errors="replace")
        failures.append(msg)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "world"
        t0 = time.monotonic()
        p = run(binary, "analyze", "models/world-2024.yaml", "-o", str(out), "--scenario",
                "models/scenarios/china-2025-04-controls.yaml")
        secs = time.monotonic() - t0
        check(p.returncode == 0, "analyze of the world model", p)
        check(secs < 30, f"analyze of the world model took {secs:.1f} s (> 30 s)")
        if p.returncode == 0:
            s = json.loads((out / "summary.json").read_text())
            check(s["format_version"] == 1 and s["kind"] == "structural_analysis", "summary header")
            check(s["model"]["name"] == "world-2024", "model name")
            check(s["chokepoints"]["cases"] == ["baseline", "china-2025-04-controls"],
                  "chokepoint cases")
            check(len(s["concentration"]) > 10, "concentration rows")
            check(len(s["exposure"]["rows"]) > 100, "exposure rows")
            crit = s["criticality"]
            check(crit["days"] == 90 and len(crit["entries"]) >= 47, "criticality entries")
            check([e["rank"] for e in crit["entries"]] == list(range(1, len(crit["entries"]) + 1)),
                  "criticality ranks in order")
            heads = {"concentration.csv": "stage,material,basis,",
                     "exposure.csv": "sector,region,material,basis,",
                     "chokepoints.csv": "case,reference_day,sector,",
                     "criticality.csv": "rank,rank_unmet,kind,id,"}
            for f, h in heads.items():
                text = (out / f).read_text()
                check(text.startswith(h), f"{f} header")
                check(text.count("\n") > 2, f"{f} rows")
            prov = json.loads((out / "provenance.json").read_text())
            check(all(len(i["sha256"]) == 64 for i in prov["inputs"]), "input hashes")
            check(any(i["path"].endswith("china-2025-04-controls.yaml") for i in prov["inputs"]),
                  "scenario file in provenance")
            before = (out / "summary.json").stat().st_mtime_ns
            p = run(binary, "analyze", "models/examples/mini-chain.yaml", "-o", str(out))
            check(p.returncode == 2, "existing directory without --force exits 2", p)
            check((out / "summary.json").stat().st_mtime_ns == before, "directory untouched")
            p = run(binary, "analyze", "models/examples/mini-chain.yaml", "-o", str(out),
                    "--force", "--days", "30", "--threads", "1")
            check(p.returncode == 0, "--force replaces", p)
            s = json.loads((out / "summary.json").read_text())
            check(s["model"]["name"] == "mini-chain" and s["criticality"]["days"] == 30,
                  "replaced with the mini-chain analysis")
        p = run(binary, "analyze", "models/scenarios/china-2025-04-controls.yaml", "-o",
                str(Path(tmp) / "x"))
        check(p.returncode == 2, "a scenario file is not analysable", p)
        p = run(binary, "analyze", "models/examples/mini-chain.yaml", "--days", "0", "-o",
                str(Path(tmp) / "y"))
        check(p.returncode == 2, "--days 0 is a usage error", p)
        p = run(binary, "analyze", "no/such/model.yaml", "-o", str(Path(tmp) / "z"))
        check(p.returncode == 2, "a missing file exits 2", p)
    for f in failures:
        print("FAIL", f)
    print(f"analyze: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
