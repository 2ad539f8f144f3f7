#!/usr/bin/env python3
"""Regression test of the reference world model, its scenario library and studies.

Usage (from the repository root):  tests/regression/world_model.py RARESHOCK_BINARY

1. `validate` accepts every YAML file under models/.
2. A baseline-only run of models/world-2024.yaml over 3 years: no warning (capacity or
   other), zero shortfall for every consumer, activities in steady state.
3. Calibration, computed from that run's timeseries/nodes.csv and edges.csv against the
   sourced totals in data/ (tolerances below, with their sources).
4. Every study in models/studies/ runs; every run reports every sector x region of its model
   (for the world model: all 8 sectors x 7 regions) and every sector and region aggregate.
5. models/studies/default.yaml: under china-2025-04-controls at least one sector x region has
   a time to shortage, some consumer in each of EU, US and KR runs short, and no Chinese
   consumer does.
6. History (the calibrated 2025 regime): China's modelled magnet exports fall well below
   normal in April and May 2025, recover in June and are back at the prior-year level by July
   (observed: data/observed/china-magnet-exports.csv); the fit has relative RMSE <= 0.25;
   EV traction in the US, EU and KR runs short between June and September 2025 and recovers
   within 2025; defence never runs short before automotive; no Chinese consumer runs short.

Needs python3 (stdlib only). Exit status 0 when every check passes, 1 otherwise.
"""
import csv
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path.cwd()
MODEL = ROOT / "models" / "world-2024.yaml"
SECTORS = ["ev_traction", "other_automotive", "consumer_electronics", "industrial_motors_hvac",
           "wind", "ebikes_two_wheelers", "medical", "defence_aerospace"]
REGIONS = ["CN", "US", "EU", "JP", "KR", "IN", "RoW"]

failures = []


def fail(msg):
    failures.append(msg)
    print(f"FAIL: {msg}")


def ok(msg):
    print(f"ok:   {msg}")


def run(binary, *args):
    return subprocess.run([binary, *args], capture_output=True, text=True)


def data_rows(name):
    with open(ROOT / "data" / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def one(rows, **kw):
    hits = [r for r in rows if all(r[k] == v for k, v in kw.items())]
    if len(hits) != 1:
        raise SystemExit(f"world_model.py: expected one row of data for {kw}, found {len(hits)}")
    return hits[0]


def parse_list(path, section):
    """Items of `model.<section>` in a resolved study (block YAML as written by rareshock):
    returns a list of dicts of the scalar keys at the item's top level, plus nested
    one-level mappings (e.g. elements) as dicts."""
    items, cur, nested = [], None, None
    inside = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            text = line.rstrip("\n")
            if not text.strip():
                continue
            indent = len(text) - len(text.lstrip(" "))
            if indent == 2 and text.strip() == f"{section}:":
                inside = True
                continue
            if not inside:
                continue
            if indent <= 2:
                break
            body = text.strip()
            if indent == 4 and body.startswith("- "):
                cur = {}
                items.append(cur)
                nested = None
                body = body[2:]
                indent = 6
            if cur is None or ":" not in body:
                continue
            key, _, value = body.partition(":")
            value = value.strip().strip('"')
            if indent == 6:
                nested = None
                if value:
                    cur[key] = value
                else:
                    nested = cur.setdefault(key, {})
            elif indent == 8 and nested is not None and value:
                nested[key] = value
    return items


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    binary = sys.argv[1]
    if not (ROOT / "models").is_dir():
        print("world_model.py: run it from the repository root", file=sys.stderr)
        return 2

    # 1. every file validates --------------------------------------------------------
    # Dot files are other tests' temporary files (cli/round_trip.py), which may vanish.
    files = sorted(p for p in (ROOT / "models").rglob("*.yaml") if not p.name.startswith("."))
    bad = 0
    for p in files:
        r = run(binary, "validate", str(p))
        if r.returncode != 0:
            bad += 1
            fail(f"validate {p.relative_to(ROOT)} exited {r.returncode}:\n{r.stderr.strip()}")
    if not bad:
        ok(f"validate accepts all {len(files)} files under models/")

    with tempfile.TemporaryDirectory(prefix="rareshock-world-") as tmp:
        tmp = Path(tmp)
        # 2. baseline over 3 years -------------------------------------------------------
        study = tmp / "baseline.yaml"
        study.write_text(
            "study: {name: world-2024 baseline check}\n"
            f"model: {json.dumps(str(MODEL))}\n"
            "start: 2025-01-01\nhorizon: 3 years\n"
            "outputs: {node_series: true, edge_series: true, formats: [json, csv]}\n",
            encoding="utf-8")
        out = tmp / "baseline"
        # The study is in a temporary directory, the model in the repository: outside the
        # study's input tree, so it is read with --allow-outside-includes.
        r = run(binary, "run", str(study), "-o", str(out), "--force", "--allow-outside-includes")
        if r.returncode != 0:
            fail(f"baseline run exited {r.returncode}:\n{r.stderr.strip()}")
            return finish()
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        warn_lines = [l for l in r.stderr.splitlines() if "warning" in l]
        if summary.get("warnings") or warn_lines:
            fail(f"baseline run has warnings: {summary.get('warnings')} {warn_lines}")
        else:
            ok("baseline: no capacity or other warnings")
        base = summary["runs"][0]
        short = [x["id"] for x in base["results"] if x["level"] == "consumer"
                 and (x["metrics"]["unmet_t"] > 1e-6 * max(1.0, x["metrics"]["demand_t"])
                      or x["metrics"]["time_to_shortage"] is not None)]
        n_cons = sum(1 for x in base["results"] if x["level"] == "consumer")
        if short:
            fail(f"baseline: consumers short: {short}")
        else:
            ok(f"baseline: zero shortfall for all {n_cons} consumers over 3 years")

        nodes = {n["id"]: n for n in parse_list(out / "resolved-study.yaml", "nodes")}
        materials = {m["id"]: m for m in parse_list(out / "resolved-study.yaml", "materials")}
        consumers = {c["id"]: c for c in parse_list(out / "resolved-study.yaml", "consumers")}
        if not nodes or not materials or not consumers:
            fail("could not read nodes/materials/consumers from resolved-study.yaml")
            return finish()

        # activity per node (t/yr), first year mean; steady-state check over 3 years
        act = defaultdict(list)
        with open(out / "timeseries" / "nodes.csv", newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                act[row["node"]].append(float(row["activity"]))
        drift = [n for n, v in act.items() if max(v) - min(v) > 1e-6 * max(1.0, max(v))]
        if drift:
            fail(f"baseline: node activity not steady: {drift[:10]}")
        else:
            ok("baseline: every node's activity is constant over 3 years")
        activity = {n: sum(v[:365]) / 365 for n, v in act.items()}
        flow = defaultdict(float)  # (from, to, material) -> t/yr, first year
        with open(out / "timeseries" / "edges.csv", newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if int(row["day"]) < 365:
                    flow[(row["from"], row["to"], row["material"])] += float(row["shipped_t"])

        # 3. calibration -----------------------------------------------------------------
        def stage_sum(stage, country=None):
            return sum(a for n, a in activity.items() if nodes.get(n, {}).get("stage") == stage
                       and (country is None or nodes.get(n, {}).get("country") == country))

        def check(name, value, lo, hi, source):
            if lo <= value <= hi:
                ok(f"calibration {name} = {value:,.4g} within [{lo:,.4g}, {hi:,.4g}] ({source})")
            else:
                fail(f"calibration {name} = {value:,.4g} outside [{lo:,.4g}, {hi:,.4g}] ({source})")

        mines = data_rows("mine_production.csv")
        world_mine = float(one(mines, country="world", metric="mine_production", year="2024",
                               preferred="1")["value"])
        check("world mine output (t REO/yr)", stage_sum("mine"), 0.95 * world_mine,
              1.05 * world_mine, "USGS MCS2026 2024, +-5 %")
        check("China share of mine output", stage_sum("mine", "CN") / stage_sum("mine"), 0.69, 0.73,
              "USGS: 71 % (2024), 69 % (2025)")
        sep = data_rows("separation.csv")
        r_sep = one(sep, country="CN", product="all_re", basis="share_of_world", year="2024", preferred="1")
        check("China share of separation", stage_sum("refinery", "CN") / stage_sum("refinery"),
              float(r_sep["low"]), float(r_sep["high"]), "separation.csv, IEA and others")
        heavy = {c: 0.0 for c in ("CN", "other")}
        for (frm, to, m), q in flow.items():
            if m in ("dy_oxide", "tb_oxide") and nodes.get(frm, {}).get("stage") == "refinery":
                heavy["CN" if nodes[frm]["country"] == "CN" else "other"] += q
        r_h = one(sep, country="CN", product="heavy_re", basis="share_of_world", year="2024", preferred="1")
        check("China share of Dy/Tb separation", heavy["CN"] / (heavy["CN"] + heavy["other"]),
              float(r_h["low"]), 1.0, "separation.csv 98 % (95-99 %) before Lynas; 2024 has no Lynas heavy RE")
        r_met = one(data_rows("metal_alloy.csv"), country="CN", basis="share_of_world", year="2024")
        check("China share of metal/alloy", stage_sum("metal", "CN") / stage_sum("metal"),
              float(r_met["low"]), float(r_met["high"]), "metal_alloy.csv [BK]")
        ndfeb = {m for m, d in materials.items()
                 if d.get("family") == "magnet" and "Nd" in d.get("elements", {})}
        magnets = {m for m, d in materials.items() if d.get("family") == "magnet"}
        made = defaultdict(float)
        exports = 0.0
        for (frm, to, m), q in flow.items():
            if m not in magnets or nodes.get(frm, {}).get("stage") != "magnet":
                continue
            if m in ndfeb:
                made[nodes[frm]["country"]] += q
            if nodes[frm]["country"] == "CN" and to in consumers and consumers[to]["region"] != "CN":
                exports += q
        r_mag = one(data_rows("magnet_production.csv"), country="CN", product="ndfeb",
                    basis="share_of_world", year="2024", preferred="1")
        check("China share of NdFeB magnets", made["CN"] / sum(made.values()),
              float(r_mag["low"]), float(r_mag["high"]), "magnet_production.csv, MacroPolo/IEA")
        r_exp = one(data_rows("magnet_trade.csv"), exporter="CN", importer="world", period="annual",
                    year="2024", unit="t/yr")
        check("China magnet exports (t/yr)", exports, 50000, 66000,
              f"customs 2024 {float(r_exp['value']):,.0f} t (Adamas), band 50-66 kt")
        world_demand = float(one(data_rows("demand.csv"), sector="all", region="world",
                                 frame="ndfeb_finished", metric="demand", year="2024")["value"])
        check("world NdFeB output (t/yr)", sum(made.values()), 0.97 * world_demand, 1.03 * world_demand,
              "demand.csv 200 kt (A), +-3 %")
        lynas = sum(q for (frm, to, m), q in flow.items() if frm == "sep_MY" and m == "ndpr_oxide")
        lyn_rows = [r for r in sep if r["company"] == "Lynas" and r["product"] == "ndpr_oxide"
                    and r["basis"] == "output" and r["year"] in ("2024", "2025")]
        check("Lynas NdPr oxide (t/yr)", lynas, min(float(r["low"]) for r in lyn_rows),
              max(float(r["high"]) for r in lyn_rows), "separation.csv Lynas FY24-FY25")

        # 4. every study runs and reports every sector x region ----------------------------
        studies = sorted(p for p in (ROOT / "models" / "studies").glob("*.yaml")
                         if not p.name.startswith("."))
        default_summary = None
        for p in studies:
            o = tmp / ("study-" + p.stem)
            args = ["run", str(p), "-o", str(o), "--force", "--set", "outputs={formats: [json]}"]
            if "\nmonte_carlo:" in p.read_text(encoding="utf-8"):
                args += ["--draws", "20"]  # exercise the uncertainty studies, quickly
            r = run(binary, *args)
            if r.returncode != 0:
                fail(f"study {p.relative_to(ROOT)} exited {r.returncode}:\n{r.stderr.strip()[-2000:]}")
                continue
            s = json.loads((o / "summary.json").read_text(encoding="utf-8"))
            # Expected: every sector x region of the study's own model (the 8 x 7 grid for
            # studies of the world model).
            model_cons = parse_list(o / "resolved-study.yaml", "consumers")
            pairs = {(c.get("sector"), c.get("region")) for c in model_cons}
            world = "world-2024" in (o / "resolved-study.yaml").read_text(encoding="utf-8")[:2000]
            if world:
                pairs |= {(sec, reg) for sec in SECTORS for reg in REGIONS}
            missing = []
            for run_ in s["runs"]:
                seen = {(x["sector"], x["region"]) for x in run_["results"] if x["level"] == "consumer"}
                sectors = {x["id"] for x in run_["results"] if x["level"] == "sector"}
                regions = {x["id"] for x in run_["results"] if x["level"] == "region"}
                for sec, reg in sorted(pairs):
                    if (sec, reg) not in seen:
                        missing.append(f"{run_['id']}: {sec} x {reg}")
                missing += [f"{run_['id']}: sector {sec}" for sec in sorted({p_[0] for p_ in pairs} - sectors)]
                missing += [f"{run_['id']}: region {reg}" for reg in sorted({p_[1] for p_ in pairs} - regions)]
            if not pairs:
                fail(f"study {p.name}: could not read the consumers of its model")
            elif missing:
                fail(f"study {p.name}: missing results: {missing[:10]}")
            else:
                ok(f"study {p.name}: {len(s['runs'])} runs, all {len(pairs)} sector x region reported")
            if p.name == "default.yaml":
                default_summary = s

        # 5. default study: the 2025 controls cause shortages outside China only ----------
        if default_summary is None:
            fail("models/studies/default.yaml did not run")
            return finish()
        runs = {r_["id"]: r_ for r_ in default_summary["runs"]}
        if "china-2025-04-controls" not in runs:
            fail("default.yaml has no run 'china-2025-04-controls'")
            return finish()
        res = runs["china-2025-04-controls"]["results"]
        short = [x for x in res if x["level"] == "consumer" and x["metrics"]["time_to_shortage"]]
        if short:
            first = min(short, key=lambda x: x["metrics"]["time_to_shortage"]["day"])
            ok(f"default: {len(short)} sector x region short under china-2025-04-controls "
               f"(first {first['id']} on {first['metrics']['time_to_shortage']['date']})")
        else:
            fail("default: no sector x region has a time to shortage under china-2025-04-controls")
        regions_short = {x["region"] for x in short}
        # Japan is supplied mostly by its own makers (75 % of their output, A) and is not
        # required to run short in aggregate.
        for reg in ("EU", "US", "KR"):
            if reg not in regions_short:
                fail(f"default: no consumer in {reg} runs short under china-2025-04-controls")
        if "CN" in regions_short:
            fail("default: Chinese consumers run short under china-2025-04-controls "
                 "(blocked exports should stay in China)")
        else:
            ok("default: Chinese consumers are not short under china-2025-04-controls")

        # 6. default study: the 2025 history (China's magnet exports, data/observed) -------
        check_history(default_summary, runs)
    return finish()


def day_of(date):
    from datetime import date as d_
    y, m, d = (int(x) for x in date.split("-"))
    return (d_(y, m, d) - d_(2025, 1, 1)).days


def check_history(summary, runs):
    """The calibrated 2025 regime reproduces China's trough and recovery, and the shortages
    outside China start, peak and end in 2025 (docs: data/SOURCES.md, calibration)."""
    obs = {o["id"]: o for o in summary.get("observed", [])}
    if "cn_magnet_exports" not in obs:
        fail("default: no observed series cn_magnet_exports in summary.json")
        return
    per_run = {r_["run"]: {p_["period"]: p_ for p_ in r_["periods"]} for r_ in obs["cn_magnet_exports"]["runs"]}
    if "baseline" not in per_run or "china-2025-04-controls" not in per_run:
        fail("default: observed series not compared for baseline and china-2025-04-controls")
        return
    base, ctl = per_run["baseline"], per_run["china-2025-04-controls"]

    def ratio(month):
        return ctl[month]["modelled"] / base[month]["modelled"]

    for month, lo, hi, why in (("2025-04", 0.0, 0.6, "April well below normal (observed -51 % y/y)"),
                               ("2025-05", 0.0, 0.35, "May the trough (observed 1,238 t, -74 % y/y)"),
                               ("2025-06", 0.4, 0.9, "June recovering (observed -38 % y/y)"),
                               ("2025-07", 0.95, 1.5, "July back at the prior-year level (observed +5.7 % y/y)"),
                               ("2025-08", 0.95, 1.6, "August at or above it (observed +15 % y/y)")):
        v = ratio(month)
        if lo <= v <= hi:
            ok(f"history: China magnet exports {month} = {v:.2f} x baseline in [{lo}, {hi}]: {why}")
        else:
            fail(f"history: China magnet exports {month} = {v:.2f} x baseline, outside [{lo}, {hi}]: {why}")
    fit = next(r_["fit"]["all"] for r_ in obs["cn_magnet_exports"]["runs"] if r_["run"] == "china-2025-04-controls")
    if fit["relative_rmse"] <= 0.25 and fit["correlation"] >= 0.8:
        ok(f"history: fit to observed exports: relative RMSE {fit['relative_rmse']:.3f}, correlation {fit['correlation']:.2f}")
    else:
        fail(f"history: poor fit to observed exports: relative RMSE {fit['relative_rmse']:.3f} "
             f"(<= 0.25), correlation {fit['correlation']:.2f} (>= 0.8)")

    res = {x["id"]: x["metrics"] for x in runs["china-2025-04-controls"]["results"] if x["level"] == "consumer"}
    for reg in ("US", "EU", "KR"):
        m = res.get(f"ev_traction_{reg}")
        tts = m and m["time_to_shortage"]
        if not tts:
            fail(f"history: EV traction in {reg} never runs short under the 2025 controls")
            continue
        if not day_of("2025-06-01") <= tts["day"] <= day_of("2025-09-30"):
            fail(f"history: EV traction in {reg} runs short on {tts['date']}, not in Jun-Sep 2025")
        rec = m.get("time_to_recover")
        peak = m.get("peak_day")
        peak_day = peak["day"] if isinstance(peak, dict) else peak
        rec_days = rec["days"] if isinstance(rec, dict) else rec
        if rec_days is None or peak_day is None or peak_day + rec_days > day_of("2025-12-31"):
            fail(f"history: EV traction in {reg} does not recover within 2025 (peak {peak}, recover {rec})")
        else:
            ok(f"history: EV traction in {reg} short from {tts['date']}, recovered by day {peak_day + rec_days} (2025)")
        d = res.get(f"defence_aerospace_{reg}", {}).get("time_to_shortage")
        if d and d["day"] <= tts["day"]:
            fail(f"history: defence in {reg} runs short ({d['date']}) before automotive ({tts['date']})")
    for cid, m in res.items():
        if cid.endswith("_CN") and m["time_to_shortage"]:
            fail(f"history: {cid} runs short")


def finish():
    if failures:
        print(f"\n{len(failures)} check(s) failed")
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
