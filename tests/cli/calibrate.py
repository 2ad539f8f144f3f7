#!/usr/bin/env python3
"""`rareshock calibrate` and the trade-flow outputs end to end.

Usage: calibrate.py RARESHOCK_BINARY      (run from the repository root)

1. `calibrate models/examples/calibration-study.yaml` exits 0 and writes calibration.json
   (the known values 0.4 and 0.75 recovered within 1 %, one trace entry per evaluation),
   calibration.md, calibrated.yaml and provenance.json; again without --force exits 2;
2. `run DIR/calibrated.yaml` exits 0 and its summary.json reports, for the calibration run,
   the training RMSE calibrate reported for the fitted values;
3. that run's timeseries/trade.csv and trade_monthly.csv: headers, no all-zero rows, monthly
   sums equal to the daily ones, `domestic` = (exporter == importer);
4. a study without a calibration section, a model file, and a missing file exit 2.
Exit status 0 when everything passes, 1 otherwise, 2 on usage errors.
"""
import csv
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

STUDY = "models/examples/calibration-study.yaml"
failures: list[str] = []


def run(binary: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([binary, "-q", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=300, text=True)


def check(cond: bool, what: str, proc: subprocess.CompletedProcess | None = None) -> None:
    if not cond:
        failures.append(what + (f"\n  stderr: {proc.stderr.strip()[:800]}" if proc else ""))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cal"
        p = run(binary, "calibrate", STUDY, "-o", str(out))
        check(p.returncode == 0, f"calibrate exited {p.returncode}", p)
        for name in ("calibration.json", "calibration.md", "calibrated.yaml", "provenance.json"):
            check((out / name).is_file(), f"calibrate wrote no {name}")
        if failures:
            return report()
        cal = json.loads((out / "calibration.json").read_text())
        fitted = [q["fitted"] for q in cal["parameters"]]
        check(abs(fitted[0] - 0.4) < 0.004 and abs(fitted[1] - 0.75) < 0.0075,
              f"fitted values {fitted}, expected 0.4 and 0.75")
        check(cal["evaluations"] == len(cal["trace"]), "one trace entry per evaluation")
        check(not cal["partial"], "calibration marked partial")
        fit_rmse = cal["objective_value"]["fitted"]["training"]
        check(fit_rmse < 0.01 * cal["objective_value"]["start"]["training"],
              "the fit did not reduce the objective")
        again = run(binary, "calibrate", STUDY, "-o", str(out))
        check(again.returncode == 2, f"calibrate into an existing directory exited {again.returncode}")

        runs = Path(tmp) / "run"
        # The study lies outside the temporary directory's input tree: refused without the flag
        # (calibrated.yaml and the log say so), read with it.
        check("--allow-outside-includes calibrated.yaml" in (out / "calibrated.yaml").read_text(),
              "calibrated.yaml says how to run it")
        p = run(binary, "run", str(out / "calibrated.yaml"), "-o", str(runs), "--draws", "0")
        check(p.returncode == 2 and "is outside the input tree" in p.stderr
              and not runs.exists(), f"calibrated.yaml outside the tree exited {p.returncode}", p)
        p = run(binary, "run", str(out / "calibrated.yaml"), "-o", str(runs), "--draws", "0",
                "--allow-outside-includes")
        check(p.returncode == 0, f"run calibrated.yaml exited {p.returncode}", p)
        if p.returncode == 0:
            summary = json.loads((runs / "summary.json").read_text())
            obs = summary["observed"][0]
            fit = next(r for r in obs["runs"] if r["run"] == cal["run"])
            got = fit["fit"]["training"]["rmse"]
            check(abs(got - fit_rmse) <= 1e-9 * max(1.0, fit_rmse),
                  f"calibrated.yaml gives training RMSE {got}, calibrate reported {fit_rmse}")
            check_trade(runs / "timeseries")
        for args in (["calibrate", "models/examples/example-study.yaml"],
                     ["calibrate", "models/examples/mini-chain.yaml"],
                     ["calibrate", "models/examples/no-such-study.yaml"]):
            p = run(binary, *args, "-o", str(Path(tmp) / "x"))
            check(p.returncode == 2, f"{' '.join(args)} exited {p.returncode}, expected 2", p)
    return report()


def check_trade(ts: Path) -> None:
    daily = list(csv.DictReader((ts / "trade.csv").open()))
    monthly = list(csv.DictReader((ts / "trade_monthly.csv").open()))
    check(bool(daily) and list(daily[0].keys()) == [
        "run", "exporter", "importer", "importer_region", "material", "domestic", "day", "date",
        "shipped_t", "arrived_t"], "trade.csv header")
    check(bool(monthly) and list(monthly[0].keys()) == [
        "run", "exporter", "importer", "importer_region", "material", "domestic", "month", "days",
        "shipped_t", "arrived_t"], "trade_monthly.csv header")
    sums: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for r in daily:
        check(float(r["shipped_t"]) != 0 or float(r["arrived_t"]) != 0, "an all-zero daily row")
        check(r["domestic"] == ("1" if r["exporter"] == r["importer"] else "0"), "domestic flag")
        key = (r["run"], r["exporter"], r["importer"], r["material"], r["date"][:7])
        sums[key][0] += float(r["shipped_t"])
        sums[key][1] += float(r["arrived_t"])
    for r in monthly:
        key = (r["run"], r["exporter"], r["importer"], r["material"], r["month"])
        s, a = sums.get(key, [0.0, 0.0])
        check(abs(s - float(r["shipped_t"])) <= 1e-6 * max(1.0, s) and
              abs(a - float(r["arrived_t"])) <= 1e-6 * max(1.0, a),
              f"monthly {key} differs from the sum of its days")
    check(any(r["domestic"] == "1" for r in monthly), "no domestic flow")
    check(any(r["importer_region"] == "EU" for r in monthly), "no flow into the EU region")


def report() -> int:
    for f in failures[:20]:
        print("FAIL", f)
    print("ok" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
