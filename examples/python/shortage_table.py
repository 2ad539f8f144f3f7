#!/usr/bin/env python3
"""When does each sector run short, under each scenario? A notebook-style example of the
rareshock Python module (docs/python.md): each `# %%` cell can be pasted into a notebook.

From the repository root, after building (make test or cmake --build build):

    PYTHONPATH=build/python python3 examples/python/shortage_table.py
    PYTHONPATH=build/python python3 examples/python/shortage_table.py models/studies/default.yaml

Prints one row per run and sector: the first day short, the peak shortfall, the days short,
the unmet tonnes and the value lost. With pandas installed the table is a DataFrame;
without, it is printed by hand.
"""
# %% Load and check the study
import sys

import numpy as np

import rareshock

study_file = sys.argv[1] if len(sys.argv) > 1 else "models/examples/example-study.yaml"
try:
    study = rareshock.load(study_file)
except rareshock.InputError as e:
    for d in e.diagnostics:  # file, line, column, key path, message, hint
        print(f"{d.file}:{d.line}:{d.column}: {d.message}" + (f" ({d.hint})" if d.hint else ""))
    sys.exit(2)
for w in study.warnings:
    print(w)
print(study, "runs:", ", ".join(study.summary["runs"]))

# %% Run it: the deterministic runs only (draws=0; the GIL is released meanwhile)
result = study.run(draws=0)

# %% One row per run and sector
m = result.metrics(level="sector")
start = np.datetime64(result.study["start"])
table = {
    "run": m["run"],
    "sector": m["id"],
    # days are offsets from the start; NaN where the sector never ran short
    "short_from": [str(start + int(d)) if not np.isnan(d) else "-" for d in m["time_to_shortage"]],
    "peak_%": np.round(100 * m["peak_shortfall"], 1),
    "days_short": m["shortage_days"].astype(int),
    "unmet_t": np.round(m["unmet_t"], 1),
    "value_lost_musd": np.round(m["value_lost_usd"] / 1e6, 2),
}

# %% Show it (pandas when available)
try:
    import pandas as pd
except ImportError:
    pd = None
if pd is not None:
    print(pd.DataFrame(table).to_string(index=False))
else:
    names = list(table)
    cells = [[str(v) for v in table[n]] for n in names]
    widths = [max(len(n), *(len(c) for c in col)) for n, col in zip(names, cells)]
    print("  ".join(n.ljust(w) for n, w in zip(names, widths)))
    for row in zip(*cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)))

# %% The worst sector of each run, from the daily series
for run in result.runs:
    rows = [k for k in range(len(m["id"])) if m["run"][k] == run]
    worst = max(rows, key=lambda k: m["unmet_t"][k])
    if m["unmet_t"][worst] <= 0:
        print(f"{run}: no shortage")
        continue
    ts = result.timeseries(run=run, level="sector", id=m["id"][worst])
    peak = int(np.argmax(ts["shortfall_fraction"]))
    print(f"{run}: worst sector {m['id'][worst]}, {100 * ts['shortfall_fraction'][peak]:.0f} % "
          f"short on {ts['date'][peak]}")
