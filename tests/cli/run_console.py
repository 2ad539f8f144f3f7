#!/usr/bin/env python3
"""The console summary of `rareshock run` and `--focus`, end to end.

Usage: run_console.py RARESHOCK_BINARY      (run from the repository root)

1. `run models/examples/example-study.yaml`: one line per sector-region pair the scenario
   hits, per region (EV traction in EU at its own 49 %, not the sector's 7.4 % over all
   regions), the worst hit (largest share unmet) first; the mitigated run that avoids every
   shortage says "no shortage within the horizon"; the last line is the path of report.html;
   summary.json has an empty `study.focus`;
2. `--focus "sectors=wind"`: wind in EU first, marked [focus], and summary.json
   `study.focus.sectors == ["wind"]`; the report says so in its findings;
3. a malformed `--focus` and an unknown region exit 2, the latter with the known ids.
Exit status 0 when everything passes, 1 otherwise, 2 on usage errors.
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

STUDY = "models/examples/example-study.yaml"
failures: list[str] = []


def run(binary: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([binary, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=300, text=True)


def check(cond: bool, what: str, proc: subprocess.CompletedProcess | None = None) -> None:
    if not cond:
        failures.append(what + (f"\n  stderr: {proc.stderr.strip()[:1500]}" if proc else ""))


def hit_lines(proc: subprocess.CompletedProcess, run_id: str) -> list[str]:
    prefix = f"info: {run_id}: "
    return [l[len(prefix):] for l in proc.stderr.splitlines() if l.startswith(prefix)]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "plain"
        p = run(binary, "run", STUDY, "-o", str(out))
        check(p.returncode == 0, f"run exited {p.returncode}", p)
        lines = hit_lines(p, "dy-licence")
        check(len(lines) == 3, f"expected 3 lines for dy-licence, got {lines}", p)
        if lines:
            check(lines[0].startswith("ev_traction in EU: short from 2025-07-19 (day 199), peak 49 %"),
                  f"first line: {lines[0]!r}")
            check(all(" in " in l for l in lines), "every line names a sector in a region")
            check(not any("7.4 %" in l for l in lines), "a sector summed over regions was printed")
        check(hit_lines(p, "dy-licence+mitigation-package") ==
              ["no shortage within the horizon (to 2026-12-31)"],
              "the mitigated run does not say 'no shortage within the horizon'", p)
        last = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
        check(last == f"info: report: {out / 'report.html'}", f"last line: {last!r}")
        summary = json.loads((out / "summary.json").read_text())
        check(summary["study"]["focus"] == {"regions": [], "sectors": []},
              f"study.focus without focus: {summary['study'].get('focus')}")

        out = Path(tmp) / "wind"
        p = run(binary, "run", STUDY, "-o", str(out), "--focus", "sectors=wind")
        check(p.returncode == 0, f"run --focus exited {p.returncode}", p)
        lines = hit_lines(p, "dy-licence")
        check(bool(lines) and lines[0].startswith("[focus] wind in EU: short from 2025-12-27"),
              f"wind in EU is not first: {lines}", p)
        check(sum("[focus]" in l for l in lines) == 1, "only wind is in focus")
        summary = json.loads((out / "summary.json").read_text())
        check(summary["study"]["focus"] == {"regions": [], "sectors": ["wind"]},
              f"study.focus: {summary['study'].get('focus')}")
        md = (out / "report.md").read_text()
        check("The study's focus — consumers of Wind — comes first" in md,
              "the report does not say what its focus is")
        check(md.find("\\[Focus\\] Wind in EU runs short") < md.find("EV traction in EU runs short"),
              "the report does not list the focus first")

        p = run(binary, "run", STUDY, "-o", str(Path(tmp) / "bad"), "--focus", "EU")
        check(p.returncode == 2 and "expected: regions=ID" in p.stderr and p.stderr.startswith("<--focus>:1:1: error:"),
              "malformed --focus", p)
        p = run(binary, "run", STUDY, "-o", str(Path(tmp) / "bad"), "--focus", "regions=EUR")
        check(p.returncode == 2 and "unknown region 'EUR'" in p.stderr and "did you mean 'EU'" in p.stderr
              and p.stderr.startswith("<--focus>:1:9: error:"),
              "unknown focus region (named <--focus>, caret under the id)", p)
        check(not (Path(tmp) / "bad").exists(), "a failed run wrote its output directory")
    return report()


def report() -> int:
    for f in failures:
        print("FAIL " + f)
    print(f"run console: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
