#!/usr/bin/env python3
"""Fit a study's parameters to an observed series, then run it with the fitted values. A
notebook-style example of the rareshock Python module (docs/python.md): each `# %%` cell can
be pasted into a notebook.

From the repository root, after building (make test or cmake --build build):

    PYTHONPATH=build/python python3 examples/python/calibrate.py
    PYTHONPATH=build/python python3 examples/python/calibrate.py models/studies/calibrate-2025.yaml

The default, models/examples/calibration-study.yaml, fits two parameters of the mini chain to
a synthetic series generated with known values (approval 0.4, volume cap 0.75).
"""
# %% Calibrate (the GIL is released; Ctrl-C stops it)
import sys

import numpy as np

import rareshock

study_file = sys.argv[1] if len(sys.argv) > 1 else "models/examples/calibration-study.yaml"
study = rareshock.load(study_file)
cal = study.calibrate(progress=lambda done, total: print(f"\r{done} evaluations", end="",
                                                           file=sys.stderr))
print(file=sys.stderr)
print(cal)

# %% The fitted parameters, within their bounds
p = cal.parameters()
for k, path in enumerate(p["path"]):
    print(f"{path} [{p['unit'][k]}]: {p['start'][k]:.4g} -> {p['fitted'][k]:.4g} "
          f"(bounds {p['min'][k]:.4g} to {p['max'][k]:.4g})")
ov = cal.objective_value
print(f"{cal.objective}: training {ov['start']['training']:.4g} -> {ov['fitted']['training']:.4g}"
      + (f", validation {ov['start']['validation']:.4g} -> {ov['fitted']['validation']:.4g}"
         if ov["fitted"]["validation"] is not None else "")
      + f"; {cal.evaluations} evaluations ({cal.stop_reason})")

# %% Observed and modelled per period at the fit, marked by window
periods = cal.periods()
windows = cal.windows
for i in range(len(periods["period"])):
    if periods["point"][i] != "fitted":
        continue
    day = str(periods["first"][i])
    mark = ""
    for name, w in windows.items():
        if w and w["from"] <= day <= w["to"]:
            mark = name
    print(f"{periods['period'][i]}  observed {periods['observed_t'][i]:8.1f} t  "
          f"modelled {periods['modelled_t'][i]:8.1f} t  {mark}")

# %% Run the study with the fitted values
result = rareshock.run(study_file, overrides=cal.overrides, draws=0)
fit = result.observed_fit()
for k in range(len(fit["window"])):
    if fit["run"][k] == cal.run:
        print(f"{fit['observed'][k]} {fit['window'][k]:<10} rmse {fit['rmse_t'][k]:.4g} t, "
              f"correlation {fit['correlation'][k]:.3f}")
m = result.metrics(run=cal.run, level="sector")
worst = int(np.nanargmax(m["unmet_t"]))
print(f"calibrated {cal.run}: {m['id'][worst]} unmet {m['unmet_t'][worst]:,.0f} t")
