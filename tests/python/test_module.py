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


# ---- node and edge series, origins, why, losses, the study as applied -----------------------

# A scenario on the mini chain with an origin rule: Japan may not export magnets holding 0.1 %
# or more of Chinese-origin rare earths (its NdPr metal comes from China) for six months.
ORIGIN_SCENARIO = """
scenario:
  id: jp-origin-ban
  name: Japanese magnets with Chinese content banned
  description: Japan may not export magnets with 0.1 % or more Chinese-origin rare earths.
events:
  - id: cn-content
    type: export_restriction
    start: 2025-03-01
    end: 2025-09-01
    exporters: [JP]
    materials: {families: [magnet]}
    destinations: {all_except: [JP]}
    origin_content: {countries: [CN], at_least: 0.1 %}
    regime: ban
"""

# The overrides of the detailed run: node and edge series, a margin for every consumer (so
# that value added lost is defined), and the origin scenario as a fourth run.
CONSUMERS = ("ev_traction_cn", "ev_traction_eu", "ev_traction_us", "wind_eu")
MARGINS = [f"model.consumers[{c}].margin=20 %" for c in CONSUMERS]
DETAILED_DAYS = 365
DETAILED_SETS = ["outputs.node_series=true", "outputs.edge_series=true",
                 "outputs.formats=[csv, json]", f"horizon={DETAILED_DAYS} days"] + MARGINS


def detailed_study():
    text = STUDY.read_text(encoding="utf-8")
    for name in ("mini-chain.yaml", "dy-licence.yaml", "mitigation-package.yaml"):
        text = text.replace(f" {name}", f" {EXAMPLES / name}")
    text = text.replace(f"  - {EXAMPLES / 'dy-licence.yaml'}\n",
                        f"  - {EXAMPLES / 'dy-licence.yaml'}\n  - jp-origin-ban.yaml\n")
    d = Path(tempfile.mkdtemp(prefix="rareshock-py-"))
    (d / "jp-origin-ban.yaml").write_text(ORIGIN_SCENARIO, encoding="utf-8")
    path = d / "detailed-study.yaml"
    path.write_text(text, encoding="utf-8")
    return path


_detailed = {}


def detailed():
    """The example study with the origin scenario, node and edge series and margins, run once
    by the module and once by the CLI (with JSON and CSV outputs)."""
    if not _detailed:
        study = detailed_study()
        out = study.parent / "out"
        sets = [a for s in DETAILED_SETS for a in ("--set", s)]
        cli("run", study, "--draws", "0", "-o", out, "--allow-outside-includes", *sets)
        inp = rareshock.load(study, overrides=DETAILED_SETS, allow_outside_includes=True)
        _detailed["result"] = inp.run(draws=0)
        _detailed["dir"] = out
        _detailed["summary"] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return _detailed["result"], _detailed["dir"]


def as_list(column):
    """A table column as a list of Python values (dates as their text)."""
    if isinstance(column, np.ndarray):
        return (column.astype(str) if column.dtype.kind == "M" else column).tolist()
    return column


def compare_rows(table, rows, key, columns, what):
    """Every CSV row has its row in the table (by key) with the same values; returns the
    table's row index of each CSV row."""
    n = len(table[key[0]])
    check(all(len(v) == n for v in table.values()), f"{what}: columns of one length")
    cols = {k: as_list(table[k]) for k in set(key) | set(columns)}
    index = {tuple(str(cols[k][i]) for k in key): i for i in range(n)}
    check(len(index) == n, f"{what}: one row per {key}")
    found = []
    for row in rows:
        k = tuple(row[c] for c in key)
        check(k in index, f"{what}: row {k} missing")
        i = index[k]
        for col in columns:
            got, want = cols[col][i], row[col]
            if isinstance(got, str):
                check(got == want, f"{what} {k} {col}: {got!r} vs {want!r}")
            elif isinstance(got, bool):
                check(got == (want in ("true", "1")), f"{what} {k} {col}")
            else:
                check(close(float(got), number(want)), f"{what} {k} {col}: {got} vs {want}")
        found.append(i)
    return found


@test
def node_and_edge_series_match_the_cli():
    r, out = detailed()
    nodes = r.node_series()
    rows = read_csv(out / "timeseries" / "nodes.csv")
    check(len(rows) == len(nodes["day"]) > 0, (len(rows), len(nodes["day"])))
    compare_rows(nodes, rows, ("run", "node", "day"), ("date", "activity", "capacity",
                                                        "utilisation"), "nodes.csv")
    check(nodes["date"].dtype == np.dtype("datetime64[D]"), nodes["date"].dtype)
    # the mines' capacity is what the model gives them (mini-chain.yaml: 300 and 60 kt/yr)
    one = r.node_series(run="baseline", node="cn_mine")
    check(len(one["day"]) == DETAILED_DAYS and set(one["stage"]) == {"mine"} and set(one["place"]) == {"CN"},
          len(one["day"]))
    check(np.allclose(one["capacity"], 300000.0, rtol=1e-9), one["capacity"][:3])
    edges = r.edge_series()
    rows = read_csv(out / "timeseries" / "edges.csv")
    check(len(rows) == len(edges["day"]) > 0, (len(rows), len(edges["day"])))
    compare_rows(edges, rows, ("run", "edge", "day"), ("from", "to", "material", "date",
                                                       "ordered_t", "shipped_t"), "edges.csv")
    # what the CN magnet maker shipped to the EU EV makers is the trade flow CN -> EU
    e = r.edge_series(run="dy-licence")
    t = r.trade(run="dy-licence")
    sel_e = (np.array(e["from"]) == "cn_magnet") & (np.array(e["to"]) == "ev_traction_eu")
    sel_t = (np.array(t["exporter"]) == "CN") & (np.array(t["importer"]) == "EU") & \
        (np.array(t["material"]) == "ndfeb_sh")
    cn_to_eu = [i for i in range(len(e["to"])) if e["from"][i] == "cn_magnet"
                and e["to"][i] in ("ev_traction_eu", "wind_eu")]
    shipped = np.zeros(DETAILED_DAYS)
    for i in cn_to_eu:
        shipped[int(e["day"][i])] += e["shipped_t"][i]
    check(sel_e.sum() == sel_t.sum() == DETAILED_DAYS, (sel_e.sum(), sel_t.sum()))
    check(np.allclose(shipped, t["shipped_t"][sel_t], rtol=1e-9, atol=1e-9), "edges = trade")
    # node_series=True / edge_series=True as the study's outputs.node_series / edge_series
    flagged = rareshock.load(STUDY, overrides=[f"horizon={DETAILED_DAYS} days"]).run(
        draws=0, node_series=True)
    again = flagged.node_series(run="baseline", node="cn_mine")
    check(np.array_equal(again["activity"], one["activity"]), "node_series=True")
    check(len(flagged.edge_series()["day"]) == 0, "edge series not asked for")
    flagged = rareshock.run(STUDY, overrides=[f"horizon={DETAILED_DAYS} days"], draws=0,
                            edge_series=True)
    check(len(flagged.edge_series(run="baseline")["day"]) == len(r.edge_series(run="baseline")["day"]),
          "edge_series=True")
    # without node_series in the study: empty tables that still have their columns
    plain = deterministic()[0]
    for table in (plain.node_series(), plain.edge_series()):
        check(len(table) >= 6 and all(len(v) == 0 for v in table.values()), list(table))
    try:
        r.node_series(run="nope")
    except ValueError:
        pass
    else:
        raise AssertionError("no ValueError for an unknown run")


@test
def origins_match_the_cli():
    r, out = detailed()
    check("jp-origin-ban" in r.runs, r.runs)
    mix = r.origin_mix()
    rows = read_csv(out / "timeseries" / "origin_mix.csv")
    check(len(rows) > 0, "origin_mix.csv rows")
    found = set(compare_rows(mix, rows, ("run", "consumer", "month", "origin"),
                             ("consumed_t", "share"), "origin_mix.csv"))
    # the CLI leaves out origins under 0.1 % of a month; the module keeps them
    for i in set(range(len(mix["month"]))) - found:
        check(mix["share"][i] < 0.001, (mix["consumer"][i], mix["month"][i], mix["share"][i]))
    months = {}
    for i in range(len(mix["month"])):
        k = (mix["run"][i], mix["consumer"][i], mix["month"][i])
        months[k] = months.get(k, 0.0) + mix["share"][i]
    check(all(close(v, 1.0, rtol=1e-9) for v in months.values()), "shares of a month sum to 1")
    summary = _detailed["summary"]
    totals, exposure = r.origins(), r.origin_exposure()
    compared = 0
    for run in summary["runs"]:
        o = run.get("origin")
        if not o:
            continue
        for c in o["consumers"]:
            for key, t in zip(o["origins"], c["by_origin_t"]):
                sel = [i for i in range(len(totals["origin"])) if totals["run"][i] == run["id"]
                       and totals["consumer"][i] == c["id"] and totals["origin"][i] == key]
                check(len(sel) == (1 if t > 0 else 0), (run["id"], c["id"], key, sel))
                if sel:
                    check(close(totals["consumed_t"][sel[0]], t), (c["id"], key))
                    check(close(totals["share"][sel[0]], t / c["consumed_t"]), (c["id"], key))
                    compared += 1
            for rule, share in zip(o["rules"], c["exposed_share"]):
                i = next(i for i in range(len(exposure["rule"])) if exposure["run"][i] == run["id"]
                         and exposure["consumer"][i] == c["id"] and exposure["rule"][i] == rule)
                check(close(exposure["exposed_share"][i], share), (run["id"], c["id"], rule))
                check(close(exposure["ordered_t"][i], c["ordered_t"]), (c["id"], "ordered_t"))
    check(compared > 10, compared)
    # the rule caught the Japanese magnets bound for the EU and US
    eu = r.origin_exposure(run="jp-origin-ban")
    i = eu["consumer"].index("ev_traction_eu")
    check(eu["rule"][i] == "cn-content" and 0 < eu["exposed_share"][i] < 1, eu["exposed_share"][i])
    check(eu["sector"][i] == "ev_traction" and eu["region"][i] == "EU", (eu["sector"][i], eu["region"][i]))
    cn = eu["consumer"].index("ev_traction_cn")
    check(eu["exposed_share"][cn] == 0, "China's own EV makers buy nothing from Japan")
    check(len(r.origin_mix(consumer="wind_eu")["month"]) > 0, "consumer filter")


@test
def why_and_losses_match_the_cli():
    r, out = detailed()
    why = r.why()
    rows = read_csv(out / "why.csv")
    check(len(rows) == len(why["consumer"]) > 0, (len(rows), len(why["consumer"])))
    compare_rows(why, rows, ("run", "consumer"),
                 ("sector", "region", "from_date", "to_date", "demand_t", "baseline_demand_t",
                  "inflow_t", "baseline_inflow_t", "stock_drawn_t", "unmet_t", "pipeline_drawn_t",
                  "supplier_stock_drawn_t", "from_stockpiles_t", "binding_kind", "binding_event",
                  "binding_regime", "binding_node", "binding_from", "binding_to",
                  "binding_material", "binding_passed_share", "binding_ratio", "binding_depth"),
                 "why.csv")
    # the mass balance of docs/model.md: demand = inflow + stock drawn + unmet
    check(np.allclose(why["demand_t"], why["inflow_t"] + why["stock_drawn_t"] + why["unmet_t"],
                      rtol=1e-6, atol=1e-6), "mass balance")
    check(((why["to_date"] - why["from_date"]).astype(int) == why["to_day"] - why["from_day"]).all(),
          "dates and days")
    sup = r.why_suppliers()
    rows = read_csv(out / "why_suppliers.csv")
    check(len(rows) == len(sup["supplier"]) > 0, (len(rows), len(sup["supplier"])))
    # the CLI's rows in the module's order (a consumer may buy one material from a supplier)
    for k, row in enumerate(rows):
        for col in ("run", "consumer", "supplier", "place", "stage", "material"):
            check(sup[col][k] == row[col], (k, col))
        check(bool(sup["standby"][k]) == (row["standby"] == "true"), (k, "standby"))
        for col in ("before_t", "during_t", "change_t"):
            check(close(float(sup[col][k]), float(row[col])), (k, col))
    # inflow = baseline inflow + the suppliers' changes
    for i in range(len(why["consumer"])):
        sel = (np.array(sup["run"]) == why["run"][i]) & (np.array(sup["consumer"]) == why["consumer"][i])
        check(close(why["inflow_t"][i], why["baseline_inflow_t"][i] + sup["change_t"][sel].sum(),
                    rtol=1e-6, atol=1e-6), why["consumer"][i])
    # the restrictions on the consumers' own edges, as summary.json has them
    res = r.why_restrictions()
    want = []
    for run in _detailed["summary"]["runs"]:
        for e in run["results"]:
            if e.get("why"):
                want += [(run["id"], e["id"], k + 1, x) for k, x in enumerate(e["why"]["restrictions"])]
    check(len(want) == len(res["event"]) > 0, (len(want), len(res["event"])))
    for k, (run, consumer, rank, x) in enumerate(want):
        check((res["run"][k], res["consumer"][k], int(res["rank"][k])) == (run, consumer, rank), k)
        check(res["event"][k] == x["event"] and res["regime"][k] == x["regime"], (k, x))
        check(close(res["ordered_t"][k], x["ordered_t"]) and close(res["passed_t"][k], x["passed_t"]), k)
    # losses.csv, and the value added lost = units x value per unit x margin
    losses = r.losses()
    rows = read_csv(out / "losses.csv")
    check(len(rows) == len(losses["unit_name"]) > 0, (len(rows), len(losses["unit_name"])))
    compare_rows(losses, rows, ("run", "unit_name"),
                 ("units_lost", "units_lost_upper", "margin_lost_usd", "value_lost_usd"), "losses.csv")
    check(np.allclose(losses["margin_lost_usd"], 0.2 * losses["value_lost_usd"], rtol=1e-9),
          "margin 20 %")
    m = r.metrics(level="consumer")
    for run in r.runs:
        sel = np.array(m["run"]) == run
        lost = np.array(losses["run"]) == run
        check(close(losses["value_lost_usd"][lost].sum(), np.nansum(m["value_lost_usd"][sel]),
                    rtol=1e-9), run)
    check(set(r.losses(run="dy-licence")["run"]) <= {"dy-licence"}, "run filter")
    one = r.why(run="dy-licence", consumer="ev_traction_eu")
    check(one["consumer"] == ["ev_traction_eu"], one["consumer"])


@test
def the_study_as_applied():
    r, _ = detailed()
    s = _detailed["summary"]["study"]
    a = r.applied
    info = s["model_info"]
    for k in ("description", "base_year", "sources", "assumptions", "confidence", "names",
              "material_names"):
        check(a["model"][k] == info[k], (k, a["model"][k], info[k]))
    src = a["model"]["item_sources"]
    check([{"source": x, "items": int(n)} for x, n in zip(src["source"], src["items"])]
          == info["item_sources"], src)
    check(list(a["engine"].items()) == [(e["key"], e["value"]) for e in s["engine"]], a["engine"])
    check(len(a["scenarios"]) == len(s["scenarios"]) == 3, len(a["scenarios"]))
    for got, want in zip(a["scenarios"], s["scenarios"]):
        for k in ("id", "name", "description", "mitigation", "sources"):
            check(got[k] == want[k], (k, got[k], want[k]))
        for ge, we in zip(got["events"], want["events"]):
            check((ge["id"], ge["type"], ge["what"], ge["start"], ge["start_day"]) ==
                  (we["id"], we["type"], we["what"], we["start"]["date"], we["start"]["day"]), ge)
            check(ge["end"] == (we["end"]["date"] if we["end"] else None), ge)
    ev = r.events()
    n = sum(len(x["events"]) for x in s["scenarios"])
    check(len(ev["event"]) == n, (len(ev["event"]), n))
    i = ev["event"].index("cn-content")
    check(str(ev["start"][i]) == "2025-03-01" and str(ev["end"][i]) == "2025-09-01", ev["end"][i])
    check(int(ev["start_day"][i]) == 59 and ev["end_day"][i] == 243, ev["end_day"][i])
    check("Japan" in ev["what"][i] or "JP" in ev["what"][i], ev["what"][i])
    check(r.study["focus"] == {"regions": [], "sectors": []}, r.study["focus"])


# ---- calibration -------------------------------------------------------------------------

CALIBRATION = EXAMPLES / "calibration-study.yaml"
_calibration = {}


def calibrated():
    """The calibration study, calibrated once by the module and once by the CLI."""
    if not _calibration:
        out = Path(tempfile.mkdtemp(prefix="rareshock-py-")) / "calibration"
        cli("calibrate", CALIBRATION, "-o", out)
        _calibration["cli"] = json.loads((out / "calibration.json").read_text(encoding="utf-8"))
        calls = []
        _calibration["module"] = rareshock.calibrate(
            CALIBRATION, progress=lambda done, total: calls.append((done, total)))
        _calibration["calls"] = calls
        _calibration["dir"] = out
    return _calibration["module"], _calibration["cli"]


@test
def calibration_matches_the_cli():
    c, want = calibrated()
    check(c.run == want["run"] and c.observed == want["observed"], (c.run, c.observed))
    check((c.objective, c.algorithm, c.evaluations, c.stop_reason, c.partial) ==
          (want["objective"], want["algorithm"], want["evaluations"], want["stop_reason"], False),
          (c.objective, c.algorithm, c.evaluations, c.stop_reason))
    check(c.windows == want["windows"], c.windows)
    p = c.parameters()
    check(p["path"] == [x["path"] for x in want["parameters"]], p["path"])
    for k, x in enumerate(want["parameters"]):
        check(p["unit"][k] == x["unit"] and p["targets"][k] == "; ".join(x["targets"]), x)
        for col in ("min", "max", "start", "fitted"):
            check(close(p[col][k], x[col], rtol=1e-12), (x["path"], col, p[col][k], x[col]))
        check(close(c.fitted[x["path"]], x["fitted"], rtol=1e-12), x["path"])
    for point in ("start", "fitted"):
        for w in ("training", "validation"):
            check(close(c.objective_value[point][w], want["objective_value"][point][w], rtol=1e-12),
                  (point, w))
    fit = c.fit()
    rows = [(point, f["observed"], f["run"], w, f[w]) for point in ("start", "fitted")
            for f in want["fit"][point] for w in ("all", "training", "validation") if f[w]]
    check(len(rows) == len(fit["window"]), (len(rows), len(fit["window"])))
    for k, (point, obs, run, w, st) in enumerate(rows):
        check((fit["point"][k], fit["observed"][k], fit["run"][k], fit["window"][k]) ==
              (point, obs, run, w), k)
        check(int(fit["n"][k]) == st["n"], (k, "n"))
        for col, key in (("bias_t", "bias"), ("mae_t", "mae"), ("rmse_t", "rmse"),
                         ("relative_rmse", "relative_rmse"), ("correlation", "correlation")):
            check(close(fit[col][k], st[key], rtol=1e-12), (k, col))
    periods = c.periods()
    at_fit = [i for i in range(len(periods["point"])) if periods["point"][i] == "fitted"]
    want_periods = [p for f in want["fit"]["fitted"] for p in f["periods"]]
    check(len(at_fit) == len(want_periods) > 0, (len(at_fit), len(want_periods)))
    for i, x in zip(at_fit, want_periods):
        check(periods["period"][i] == x["period"], x)
        check(close(periods["modelled_t"][i], x["modelled"], rtol=1e-12), x)
    tr = c.trace()
    check(len(tr["evaluation"]) == len(want["trace"]) == c.evaluations, len(tr["evaluation"]))
    for k, x in enumerate(want["trace"]):
        check(close(tr["training"][k], x["training"], rtol=1e-12), k)
        for j, path in enumerate(p["path"]):
            check(close(tr[path][k], x["values"][j], rtol=1e-12), (k, path))
    check(tr["training"].min() == c.objective_value["fitted"]["training"], "the best evaluation")
    # progress: once per evaluation, against max_evaluations
    calls = _calibration["calls"]
    check(calls == [(k + 1, c.max_evaluations) for k in range(c.evaluations)], calls[:3])
    # the synthetic series was generated with approval 0.4 and volume cap 0.75
    check(abs(c.fitted[p["path"][0]] - 0.4) < 0.02 and abs(c.fitted[p["path"][1]] - 0.75) < 0.04,
          c.fitted)


@test
def calibrated_values_run_and_write():
    c, want = calibrated()
    # running the study with the fitted values gives the fitted fit
    r = rareshock.run(CALIBRATION, overrides=c.overrides, draws=0)
    f = r.observed_fit()
    k = next(k for k in range(len(f["window"])) if f["run"][k] == c.run and f["window"][k] == "training")
    check(close(f["rmse_t"][k], c.objective_value["fitted"]["training"], rtol=1e-9),
          (f["rmse_t"][k], c.objective_value["fitted"]["training"]))
    # write() gives the CLI's files
    d = Path(tempfile.mkdtemp(prefix="rareshock-py-")) / "cal"
    c.write(d)
    got = json.loads((d / "calibration.json").read_text(encoding="utf-8"))
    for k in ("parameters", "objective_value", "fit", "trace", "evaluations", "stop_reason"):
        check(got[k] == want[k], k)
    yaml = (d / "calibrated.yaml").read_text(encoding="utf-8")
    check(yaml == c.calibrated_yaml(d), "calibrated_yaml()")
    check(all(o.split("=")[0] in yaml for o in c.overrides), yaml)
    check(len(c.overrides) == 2, c.overrides)
    # stopping early from progress: the best values so far, marked partial
    stopped = rareshock.calibrate(rareshock.load(CALIBRATION), progress=lambda done, total: done < 3)
    check(stopped.partial and stopped.evaluations == 3 and stopped.stop_reason == "interrupted",
          (stopped.partial, stopped.evaluations, stopped.stop_reason))
    for bad, what in ((STUDY, "no calibration"), (MODEL, "calibrate needs a study")):
        try:
            rareshock.calibrate(bad)
        except rareshock.InputError as e:
            check(what in str(e), str(e))
        else:
            raise AssertionError("no InputError: " + what)


@test
def gil_released_during_calibration():
    inp = rareshock.load(CALIBRATION)
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("c", inp.calibrate()))
    ticks = 0
    t0 = time.perf_counter()
    worker.start()
    while worker.is_alive():
        time.sleep(0.001)
        ticks += 1
    elapsed = time.perf_counter() - t0
    check("c" in result and result["c"].evaluations > 10, "the calibration finished")
    # Holding the GIL for the whole calibration would leave this thread a handful of ticks.
    check(ticks >= elapsed / 0.02, f"{ticks} ticks in {elapsed:.3f} s")


@test
def ctrl_c_stops_a_calibration():
    code = f"""
import sys, time, rareshock
study = rareshock.load({str(CALIBRATION)!r})
def progress(done, total):
    if done == 1:
        print("started", flush=True)
    time.sleep(0.05)  # slower evaluations: the calibration is still running at Ctrl-C
try:
    study.calibrate(progress=progress)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(0)
sys.exit(1)
"""
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=module_env())
    check(p.stdout.readline() == "started\n", "the child started calibrating")
    p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        raise AssertionError("Ctrl-C did not stop the calibration")
    check(p.returncode == 0 and "interrupted" in out, (p.returncode, out, err))


def run_example(name, *args):
    r = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / name), *args],
                       capture_output=True, text=True, cwd=ROOT, env=module_env())
    check(r.returncode == 0, r.stderr)
    return r.stdout.splitlines()


@test
def why_example_script():
    lines = run_example("why_and_losses.py")
    r = rareshock.run(STUDY, overrides=MARGINS, draws=0)
    why = r.why(run="dy-licence")
    k = int(np.argmax(why["unmet_t"]))
    head = lines.index(f"dy-licence: {why['consumer'][k]} ({why['sector'][k]}, {why['region'][k]}), "
                       f"{why['from_date'][k]} to {why['to_date'][k]}")
    check(f"demand {why['demand_t'][k]:,.0f} t = arrived {why['inflow_t'][k]:,.0f} t" in lines[head + 1],
          lines[head + 1])
    check("held back by" in lines[head + 2], lines[head + 2])
    losses = r.losses(run="dy-licence")
    check(any(l.split()[:2] == ["dy-licence", losses["unit_name"][0]] for l in lines), lines[:5])


@test
def calibrate_example_script():
    lines = run_example("calibrate.py")
    c, _ = calibrated()
    fitted = next(l for l in lines if l.startswith(c.parameters()["path"][0]))
    check(f"-> {c.parameters()['fitted'][0]:.4g}" in fitted, fitted)
    check(any(l.startswith("cn_magnet_exports training") for l in lines), lines)


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
