#!/usr/bin/env python3
"""Tests of the rareshock Python module (python/, docs/python.md), without pytest.

Usage: PYTHONPATH=build/python python3 tests/python/test_module.py build/rareshock
(ctest runs it as python_module). The module's results are compared with what the CLI writes
for the same input (metrics.csv, uncertainty.csv, trade.csv, criticality.csv), and with
figures computed by hand from models/examples/mini-chain.yaml.
"""
import csv
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

import numpy as np

import rareshock

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "models" / "examples"
STUDY = EXAMPLES / "example-study.yaml"
MODEL = EXAMPLES / "mini-chain.yaml"
SCENARIO = EXAMPLES / "dy-licence.yaml"
CLI = None  # set from argv

# The example study with a Monte Carlo section, written to a temporary directory (its model
# and scenario paths made absolute: read with allow_outside_includes).
MC_SECTION = """
monte_carlo:
  draws: 8
  params:
    - {path: "model.nodes[cn_separation].capacity", dist: uniform, min: 200 kt/yr, max: 300 kt/yr}
"""


def mc_study():
    text = STUDY.read_text(encoding="utf-8")
    for name in ("mini-chain.yaml", "dy-licence.yaml", "mitigation-package.yaml"):
        text = text.replace(f" {name}", f" {EXAMPLES / name}")
    path = Path(tempfile.mkdtemp(prefix="rareshock-py-")) / "mc-study.yaml"
    path.write_text(text + MC_SECTION, encoding="utf-8")
    return path


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def close(a, b, rtol=1e-6, atol=1e-6):
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    if b is None or (isinstance(b, float) and math.isnan(b)):
        return False
    return abs(a - b) <= atol + rtol * abs(b)


def cli(*args):
    r = subprocess.run([CLI, "-q", *map(str, args)], capture_output=True, text=True, cwd=ROOT)
    check(r.returncode == 0, f"rareshock {' '.join(map(str, args))} failed:\n{r.stderr}")
    return r


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def number(text):
    return float("nan") if text == "" else float(text)


# ---- loading and validation --------------------------------------------------------------


@test
def load_a_study():
    inp = rareshock.load(STUDY)
    check(inp.kind == "study", inp.kind)
    check(inp.name == "Dy licences on the mini chain", inp.name)
    s = inp.summary
    check(s["runs"] == ["baseline", "dy-licence", "dy-licence+mitigation-package"], s["runs"])
    check(s["model"] == "mini-chain" and s["horizon_days"] == 730 and s["start"] == "2025-01-01", s)
    check(any(f.endswith("mini-chain.yaml") for f in inp.files), inp.files)
    check("horizon: 730" in inp.resolved_yaml, "resolved YAML")
    check(rareshock.validate(STUDY) == [] or all(d.severity != "error" for d in rareshock.validate(STUDY)),
          "the example study validates")
    check(rareshock.load(MODEL).kind == "model", "model kind")
    check(rareshock.load(SCENARIO).kind == "scenario", "scenario kind")


def typo_study():
    """The example study with `horizon` misspelt on line 13 (1-based), column 1."""
    lines = STUDY.read_text(encoding="utf-8").splitlines()
    n = next(i for i, l in enumerate(lines) if l.startswith("horizon:"))
    lines[n] = lines[n].replace("horizon:", "horizn:")
    return "\n".join(lines) + "\n", n + 1


@test
def diagnostics_as_objects():
    text, line = typo_study()
    name = str(EXAMPLES / "typo.yaml")
    ds = rareshock.validate_text(text, name=name)
    errors = [d for d in ds if d.severity == "error"]
    check(len(errors) == 1, f"one error, got {ds}")
    d = errors[0]
    check(d.file == name, d.file)
    check((d.line, d.column) == (line, 1), (d.line, d.column))
    check("horizn" in d.message, d.message)
    check("horizon" in d.hint, d.hint)
    check(d.source_line.startswith("horizn:"), d.source_line)
    check(f"{name}:{line}:1: error:" in str(d), str(d))
    check(d.path in ("horizn", "study.horizn", ""), d.path)


@test
def invalid_input_raises_with_diagnostics():
    text, line = typo_study()
    name = str(EXAMPLES / "typo.yaml")
    try:
        rareshock.load_text(text, name=name)
    except rareshock.InputError as e:
        check(isinstance(e, ValueError) and isinstance(e, rareshock.Error), "exception classes")
        check([(d.line, d.column, d.message) for d in e.diagnostics if d.severity == "error"]
              == [(line, 1, d.message) for d in rareshock.validate_text(text, name=name)
                  if d.severity == "error"], e.diagnostics)
        check(f"typo.yaml:{line}:1" in str(e) and "1 error" in e.report, str(e))
    else:
        raise AssertionError("no InputError")
    # a missing file is an input error too
    try:
        rareshock.load(EXAMPLES / "no-such-file.yaml")
    except rareshock.InputError as e:
        check(len(e.diagnostics) >= 1 and "no-such-file.yaml" in str(e), str(e))
    else:
        raise AssertionError("no InputError for a missing file")


@test
def overrides_as_with_set():
    inp = rareshock.load(STUDY, overrides=["horizon=100 days"])
    check(inp.summary["horizon_days"] == 100, inp.summary)
    check(inp.overrides == ["horizon=100 days"], inp.overrides)
    ds = rareshock.validate(STUDY, overrides=["horizn=100 days"])
    errors = [d for d in ds if d.severity == "error"]
    check(len(errors) == 1, ds)
    check(errors[0].file == "<--set 1>", errors[0].file)
    check("horizon" in errors[0].hint, errors[0].hint)


@test
def wrong_kind_of_input():
    for call, what in ((lambda: rareshock.run(MODEL), "run needs a study"),
                       (lambda: rareshock.analyze(SCENARIO), "analyze needs a model or a study"),
                       (lambda: rareshock.analyze(MODEL, scenario=STUDY), "needs a scenario")):
        try:
            call()
        except rareshock.InputError as e:
            check(what in str(e), str(e))
        else:
            raise AssertionError("no InputError: " + what)
    for bad in (lambda: rareshock.analyze(MODEL, days=0), lambda: rareshock.run(STUDY, draws=-1)):
        try:
            bad()
        except ValueError:
            pass
        else:
            raise AssertionError("no ValueError")


# ---- running ------------------------------------------------------------------------------

_deterministic = {}


def deterministic():
    """The example study without draws, run once by the module and once by the CLI."""
    if not _deterministic:
        out = Path(tempfile.mkdtemp(prefix="rareshock-py-")) / "run"
        cli("run", STUDY, "--draws", "0", "-o", out, "--set", "outputs.formats=[csv]")
        _deterministic["result"] = rareshock.run(STUDY, draws=0)
        _deterministic["dir"] = out
    return _deterministic["result"], _deterministic["dir"]


@test
def metrics_match_the_cli():
    r, out = deterministic()
    check(r.runs == ["baseline", "dy-licence", "dy-licence+mitigation-package"], r.runs)
    check(r.draws_done == 0 and not r.partial, "no draws")
    for materials in (False, True):
        m = r.metrics(materials=materials)
        n = len(m["id"])
        check(all(len(v) == n for v in m.values()), "columns of one length")
        check(isinstance(m["unmet_t"], np.ndarray) and m["unmet_t"].dtype == np.float64, "arrays")
        key = [(m["run"][i], m["level"][i], m["id"][i], m["material"][i] if materials else "all")
               for i in range(n)]
        index = {k: i for i, k in enumerate(key)}
        check(len(index) == n, "one row per run, level, id (and material)")
        compared = 0
        for row in read_csv(out / "metrics.csv"):
            k = (row["run"], row["level"], row["id"], row["material"])
            if (row["material"] == "all") == materials or row["metric"] not in m:
                continue
            check(k in index, f"row {k} of metrics.csv missing")
            got = float(m[row["metric"]][index[k]])
            check(close(got, number(row["value"])), f"{k} {row['metric']}: {got} vs {row['value']}")
            compared += 1
        check(compared > 100, f"compared {compared} values")
    # filters
    only = r.metrics(run="dy-licence", level="sector")
    check(set(only["run"]) == {"dy-licence"} and set(only["level"]) == {"sector"}, "filters")
    # tables without rows (no draws) still have their columns
    for table in (r.quantiles(), r.fans(), r.tornado(), r.sobol()):
        check(len(table) > 3 and all(len(v) == 0 for v in table.values()), table)
    for bad in (dict(run="nope"), dict(level="planet")):
        try:
            r.metrics(**bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"no ValueError for {bad}")


@test
def timeseries_are_consistent():
    r, _ = deterministic()
    ts = r.timeseries(run="dy-licence")
    m = r.metrics(run="dy-licence")
    entities = len(m["id"])
    check(len(ts["day"]) == entities * 730, len(ts["day"]))
    check(np.allclose(ts["shortfall_t"], ts["want_t"] - ts["consumed_t"], atol=1e-9), "shortfall")
    check(str(ts["date"][0]) == "2025-01-01" and str(ts["date"][729]) == "2026-12-31", ts["date"][:1])
    check(ts["date"].dtype == np.dtype("datetime64[D]"), ts["date"].dtype)
    # horizon demand per entity = the demand_t metric
    for i in range(entities):
        sel = np.array([(l == m["level"][i] and e == m["id"][i]) for l, e in zip(ts["level"], ts["id"])])
        check(close(ts["demand_t"][sel].sum(), m["demand_t"][i], rtol=1e-9),
              f"{m['id'][i]}: demand {ts['demand_t'][sel].sum()} vs {m['demand_t'][i]}")
    # a sector's series is the sum of its consumers'
    sec = r.timeseries(run="dy-licence", level="sector", id="ev_traction")
    cons = r.timeseries(run="dy-licence", level="consumer")
    members = [c for c, s in zip(m["id"], m["sector"]) if s == "ev_traction"]
    members = sorted(set(c for c, l in zip(m["id"], m["level"]) if l == "consumer" and c in members))
    check(len(members) >= 2, members)
    total = sum(np.asarray(cons["consumed_t"])[np.asarray(cons["id"]) == c] for c in members)
    check(np.allclose(sec["consumed_t"], total, rtol=1e-12, atol=1e-9), "sector = sum of consumers")
    # every day of every sector as the CLI's timeseries/sectors.csv
    _, out = deterministic()
    sectors = r.timeseries(level="sector")
    index = {(sectors["run"][k], sectors["id"][k], int(sectors["day"][k])): k
             for k in range(len(sectors["day"]))}
    rows = read_csv(out / "timeseries" / "sectors.csv")
    check(len(rows) == len(index), (len(rows), len(index)))
    for row in rows:
        k = index[(row["run"], row["id"], int(row["day"]))]
        check(str(sectors["date"][k]) == row["date"], row["date"])
        for col in ("demand_t", "consumed_t", "shortfall_t", "shortfall_fraction", "stock_t",
                    "cover_days"):
            check(close(float(sectors[col][k]), number(row[col])), (row["run"], row["id"], row["day"], col))


@test
def trade_matches_the_cli():
    r, out = deterministic()
    t = r.trade()
    check(len(t["day"]) > 0 and (t["shipped_t"] >= 0).all(), "trade rows")
    # The CLI leaves out days on which nothing was shipped or arrived; the module has every day.
    index = {(t["run"][i], t["exporter"][i], t["importer"][i], t["material"][i], int(t["day"][i])): i
             for i in range(len(t["day"]))}
    check(len(index) == len(t["day"]), "one row per flow and day")
    rows = read_csv(out / "timeseries" / "trade.csv")
    check(len(rows) > 100, len(rows))
    for row in rows:
        i = index[(row["run"], row["exporter"], row["importer"], row["material"], int(row["day"]))]
        check(bool(t["domestic"][i]) == (row["domestic"] == "1"), row)
        for col in ("shipped_t", "arrived_t"):
            check(close(float(t[col][i]), float(row[col])), (row, col))
    listed = len(rows)
    nonzero = int(((t["shipped_t"] != 0) | (t["arrived_t"] != 0)).sum())
    check(listed == nonzero, (listed, nonzero))


@test
def write_gives_the_cli_run_directory():
    r, out = deterministic()
    d = Path(tempfile.mkdtemp(prefix="rareshock-py-")) / "written"
    r.write(d)
    summary = json.loads((d / "summary.json").read_text(encoding="utf-8"))
    check(summary == json.loads(r.to_json()), "summary.json is to_json()")
    cli_rows = read_csv(out / "metrics.csv")
    rows = read_csv(d / "metrics.csv")
    check(rows == cli_rows, "metrics.csv as the CLI writes it")


@test
def monte_carlo_quantiles_match_the_cli():
    study = mc_study()
    out = study.parent / "out"
    cli("run", study, "-o", out, "--allow-outside-includes", "--set", "outputs.formats=[csv]")
    r = rareshock.run(rareshock.load(study, allow_outside_includes=True), threads=2)
    check(r.draws_done == 8 and r.draws_requested == 8, (r.draws_done, r.draws_requested))
    q = r.quantiles()
    n = len(q["metric"])
    check(n > 0, "quantile rows")
    check((q["n"] <= 8).all(), "n <= draws")
    for a, b in (("p5", "p10"), ("p10", "p50"), ("p50", "p90"), ("p90", "p95")):
        check((q[a] <= q[b] + 1e-12).all(), f"{a} <= {b}")
    index = {(q["run"][i], q["level"][i], q["id"][i], q["metric"][i]): i for i in range(n)}
    compared = 0
    for row in read_csv(out / "uncertainty.csv"):
        k = (row["run"], row["level"], row["id"], row["metric"])
        check(k in index, f"{k} missing")
        for col in ("mean", "p5", "p50", "p95"):
            if col in row and row[col] != "":
                check(close(float(q[col][index[k]]), float(row[col])), f"{k} {col}")
                compared += 1
    check(compared > 50, f"compared {compared}")
    fans = r.fans(level="sector")
    check(len(fans["day"]) > 0 and (fans["p5"] <= fans["p95"] + 1e-12).all(), "fans")
    # The mini chain gives no margins: value added avoided is NaN, the full value is there.
    rk = r.ranking()
    check(len(rk["id"]) > 0 and np.isnan(rk["margin_avoided_usd_mean"]).all(), "no value added")
    check(np.isfinite(rk["value_avoided_usd_mean"]).all(), "value avoided")


@test
def progress_and_stopping():
    inp = rareshock.load(mc_study(), allow_outside_includes=True)
    calls = []
    r = inp.run(threads=1, progress=lambda done, total: calls.append((done, total)))
    check(calls and calls[-1] == (8, 8), calls)  # chunks of 4 draws per thread
    stopped = inp.run(threads=1, progress=lambda done, total: False)
    check(stopped.partial and 0 < stopped.draws_done < 8, (stopped.partial, stopped.draws_done))
    check(not r.partial, "complete run")

    def boom(done, total):
        raise ZeroDivisionError("from progress")

    try:
        inp.run(threads=1, progress=boom)
    except ZeroDivisionError as e:
        check("from progress" in str(e), str(e))
    else:
        raise AssertionError("the progress callback's exception was lost")


@test
def gil_released_during_runs():
    inp = rareshock.load(mc_study(), allow_outside_includes=True)
    draws = 32
    while True:
        result = {}
        worker = threading.Thread(
            target=lambda: result.setdefault("r", inp.run(draws=draws, threads=1)))
        ticks = 0
        t0 = time.perf_counter()
        worker.start()
        while worker.is_alive():
            time.sleep(0.001)
            ticks += 1
        elapsed = time.perf_counter() - t0
        check("r" in result and result["r"].draws_done == draws, "the run finished")
        if elapsed >= 0.3 or draws >= 4096:
            break
        draws *= 4  # too quick to tell: a longer run
    check(elapsed >= 0.3, f"{draws} draws took only {elapsed:.3f} s")
    # Holding the GIL for the whole run would leave this thread a handful of ticks at most.
    check(ticks >= elapsed / 0.02, f"{ticks} ticks in {elapsed:.3f} s")


# ---- structural analysis -----------------------------------------------------------------


@test
def analysis_by_hand_and_as_the_cli():
    a = rareshock.analyze(MODEL, days=30, threads=2)
    c = a.concentration()
    # Mines by capacity (mini-chain.yaml): CN 300 kt/yr, AU 60 kt/yr.
    i = next(k for k in range(len(c["stage"]))
             if (c["stage"][k], c["material"][k], c["basis"][k]) == ("mine", "lre_concentrate", "capacity"))
    check(close(c["total_t_per_yr"][i], 360000.0, rtol=1e-9), c["total_t_per_yr"][i])
    check(c["countries"][i] == 2, c["countries"][i])
    check(close(c["top1_share"][i], 300 / 360, rtol=1e-9) and c["top1_country"][i] == "CN", "shares")
    check(close(c["hhi"][i], 10000 * ((300 / 360) ** 2 + (60 / 360) ** 2), rtol=1e-9), c["hhi"][i])
    out = Path(tempfile.mkdtemp(prefix="rareshock-py-")) / "analysis"
    cli("analyze", MODEL, "--days", "30", "-o", out)
    crit = a.criticality()
    rows = read_csv(out / "criticality.csv")
    totals = [row for row in rows if row["sector"] == "*"]
    check(len(totals) == len(crit["id"]) and len(totals) > 0, (len(totals), len(crit["id"])))
    for k, row in enumerate(totals):
        check(row["id"] == crit["id"][k] and int(row["rank"]) == crit["rank"][k], (row["id"], crit["id"][k]))
        for col in ("unmet_t", "value_lost_usd", "peak_shortfall", "tts_days", "recovery_days",
                    "baseline_output_share", "iim_inoperability"):
            check(close(float(crit[col][k]), number(row[col])), (row["id"], col))
        check(int(crit["ttr_days"][k]) == int(row["ttr_days"]) == 30, row["ttr_days"])
        check(bool(crit["vulnerable"][k]) == (row["vulnerable"] == "1"), row["vulnerable"])
    per_sector = a.criticality_sectors()
    sector_rows = [row for row in rows if row["sector"] != "*"]
    check(len(sector_rows) == len(per_sector["sector"]), (len(sector_rows), len(per_sector["sector"])))
    for k, row in enumerate(sector_rows):
        check((row["id"], row["sector"]) == (per_sector["id"][k], per_sector["sector"][k]), row)
        check(close(float(per_sector["unmet_t"][k]), float(row["unmet_t"])), row)
    chk = a.chokepoints()
    cp = read_csv(out / "chokepoints.csv")
    check(len(cp) == len(chk["sector"]), (len(cp), len(chk["sector"])))
    for k, row in enumerate(cp):
        check((row["sector"], row["region"], row["element"]) ==
              (chk["sector"][k], chk["region"][k], chk["element"][k]), row)
        for col in ("demand_t_per_yr", "max_flow_t_per_yr", "ratio"):
            check(close(float(chk[col][k]), float(row[col])), (k, col))
    check(a.criticality_info["days"] == 30, a.criticality_info)
    skipped = rareshock.analyze(MODEL, criticality=False, scenario=SCENARIO)
    check(skipped.criticality_info is None and len(skipped.criticality()["id"]) == 0, "no ranking")
    check(set(skipped.chokepoints()["case"]) == {"baseline", "dy-licence"}, "scenario case")


def module_env():
    return dict(os.environ, PYTHONPATH=str(Path(rareshock.__file__).parent))


@test
def ctrl_c_stops_a_run():
    code = f"""
import sys, time, rareshock
study = rareshock.load({str(mc_study())!r}, allow_outside_includes=True)
print("ready", flush=True)
t0 = time.perf_counter()
try:
    study.run(draws=1000000, threads=1)
except KeyboardInterrupt:
    print(f"interrupted after {{time.perf_counter() - t0:.2f}} s", flush=True)
    sys.exit(0)
sys.exit(1)
"""
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=module_env())
    check(p.stdout.readline() == "ready\n", "the child loaded the study")
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        raise AssertionError("Ctrl-C did not stop the run")
    check(p.returncode == 0 and "interrupted after" in out, (p.returncode, out, err))


@test
def study_analysis_section_in_the_result():
    text = STUDY.read_text(encoding="utf-8") + "analysis:\n  criticality_days: 30 days\n"
    study = rareshock.load_text(text, name=str(EXAMPLES / "with-analysis.yaml"))
    r = study.run(draws=0)
    check(r.structure is not None, "structure")
    alone = study.analyze()
    check(r.structure.criticality_info["days"] == alone.criticality_info["days"] == 30, "days")
    a, b = r.structure.criticality(), alone.criticality()
    check(a["id"] == b["id"] and np.array_equal(a["unmet_t"], b["unmet_t"]), "same ranking")
    check(rareshock.run(STUDY, draws=0).structure is None, "no analysis section")


@test
def observed_series_and_their_fit():
    r = rareshock.run(EXAMPLES / "calibration-study.yaml", draws=0)
    o, f = r.observed(), r.observed_fit()
    check(len(o["period"]) > 0 and len(f["window"]) > 0, "observed rows")
    summary = json.loads(r.to_json())["observed"]
    periods = [p for s in summary for run in s["runs"] for p in run["periods"]]
    check(len(periods) == len(o["period"]), (len(periods), len(o["period"])))
    for k, p in enumerate(periods):
        check(p["period"] == o["period"][k] and str(o["first"][k]) == p["first"], p)
        check(close(o["observed_t"][k], p["observed"]) and close(o["modelled_t"][k], p["modelled"]), p)
    # the statistics over all periods, recomputed from the periods
    for k in (k for k in range(len(f["window"])) if f["window"][k] == "all"):
        sel = np.array([ob == f["observed"][k] and run == f["run"][k]
                        for ob, run in zip(o["observed"], o["run"])])
        err = o["error_t"][sel]
        check(f["n"][k] == sel.sum(), (f["n"][k], sel.sum()))
        check(close(f["bias_t"][k], err.mean(), rtol=1e-9), "bias")
        check(close(f["mae_t"][k], np.abs(err).mean(), rtol=1e-9), "mae")
        check(close(f["rmse_t"][k], math.sqrt((err ** 2).mean()), rtol=1e-9), "rmse")
    check({"all", "training", "validation"} <= set(f["window"]), set(f["window"]))


@test
def example_script():
    env = module_env()
    r = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "shortage_table.py")],
                       capture_output=True, text=True, cwd=ROOT, env=env)
    check(r.returncode == 0, r.stderr)
    lines = r.stdout.splitlines()
    header = next(l for l in lines if l.split()[:2] == ["run", "sector"])
    check("short_from" in header and "unmet_t" in header, header)
    m = deterministic()[0].metrics(level="sector", run="dy-licence")
    for sector, tts in zip(m["id"], m["time_to_shortage"]):
        row = next(l for l in lines if l.split()[:2] == ["dy-licence", sector])
        if not math.isnan(tts):  # the first day short, as a date
            day = np.datetime64("2025-01-01") + int(tts)
            check(str(day) in row, (row, day))


def main():
    global CLI
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    CLI = str(Path(sys.argv[1]).resolve())
    failed = 0
    for fn in TESTS:
        t0 = time.perf_counter()
        try:
            fn()
            print(f"ok    {fn.__name__} ({time.perf_counter() - t0:.2f} s)")
        except Exception:  # report every failure, then fail
            failed += 1
            print(f"FAIL  {fn.__name__}")
            traceback.print_exc()
    print(f"{len(TESTS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
