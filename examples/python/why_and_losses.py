#!/usr/bin/env python3
"""Why is each consumer hit, and what does it cost? A notebook-style example of the rareshock
Python module (docs/python.md): each `# %%` cell can be pasted into a notebook.

From the repository root, after building (make test or cmake --build build):

    PYTHONPATH=build/python python3 examples/python/why_and_losses.py
    PYTHONPATH=build/python python3 examples/python/why_and_losses.py models/studies/default.yaml

Prints the losses of each run by unit name, then, for the consumer hit hardest in each run,
its supply balance over its shock window (demand = arrived + stock drawn + unmet), the
constraint that held its supply back and the suppliers that shrank or grew most.
"""
# %% Load and run the study (deterministic runs only)
import sys

import numpy as np

import rareshock

study_file = sys.argv[1] if len(sys.argv) > 1 else "models/examples/example-study.yaml"
# A margin for each consumer of the example's mini chain, so that value added lost is defined
# (its consumers have none; a study whose consumers carry their own needs no overrides).
consumers = ["ev_traction_cn", "ev_traction_eu", "ev_traction_us", "wind_eu"]
overrides = [f"model.consumers[{c}].margin=20 %" for c in consumers] if len(sys.argv) == 1 else []
result = rareshock.run(study_file, overrides=overrides, draws=0)

try:
    import pandas as pd
except ImportError:
    pd = None


def show(table):
    """Prints a column table: a DataFrame with pandas, else aligned by hand."""
    if pd is not None:
        print(pd.DataFrame(table).to_string(index=False))
        return
    names = list(table)
    cells = [[str(v) for v in table[n]] for n in names]
    widths = [max(len(n), *(len(c) for c in col)) for n, col in zip(names, cells)]
    print("  ".join(n.ljust(w) for n, w in zip(names, widths)))
    for row in zip(*cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)))


# %% Losses per run and unit name: units not built, value added lost (units x value x margin,
# the headline measure) and the full sales value (the upper bound) [million USD]
losses = result.losses()
show({
    "run": losses["run"],
    "unit_name": losses["unit_name"],
    "units_lost": np.round(losses["units_lost"]),
    "value_added_musd": np.round(losses["margin_lost_usd"] / 1e6, 1),
    "full_value_musd": np.round(losses["value_lost_usd"] / 1e6, 1),
})

# %% Why the worst-hit consumer of each run is hit
why = result.why()
suppliers = result.why_suppliers()
for run in result.runs:
    rows = [k for k in range(len(why["consumer"])) if why["run"][k] == run]
    if not rows or max(why["unmet_t"][k] for k in rows) <= 0:
        print(f"\n{run}: no consumer runs short")
        continue
    k = max(rows, key=lambda k: why["unmet_t"][k])
    c = why["consumer"][k]
    print(f"\n{run}: {c} ({why['sector'][k]}, {why['region'][k]}), "
          f"{why['from_date'][k]} to {why['to_date'][k]}")
    print(f"  demand {why['demand_t'][k]:,.0f} t = arrived {why['inflow_t'][k]:,.0f} t "
          f"+ own stock drawn {why['stock_drawn_t'][k]:,.0f} t + unmet {why['unmet_t'][k]:,.0f} t")
    kind = why["binding_kind"][k]
    if kind == "restriction":
        print(f"  held back by {why['binding_event'][k]} ({why['binding_regime'][k]}): "
              f"{why['binding_material'][k]} {why['binding_from'][k]} -> {why['binding_to'][k]}, "
              f"{100 * why['binding_passed_share'][k]:.0f} % of orders let through, "
              + (f"{int(why['binding_depth'][k])} stage(s) upstream" if why["binding_depth"][k]
                 else "on its own supplier edges"))
    elif kind:
        print(f"  held back by {kind} at {why['binding_node'][k]} "
              f"(ratio {why['binding_ratio'][k]:.2f})")
    mine = [j for j in range(len(suppliers["supplier"]))
            if suppliers["run"][j] == run and suppliers["consumer"][j] == c]
    for j in sorted(mine, key=lambda j: suppliers["change_t"][j]):
        print(f"  {suppliers['supplier'][j]:<16} ({suppliers['place'][j]}) "
              f"{suppliers['before_t'][j]:>9,.0f} t before, {suppliers['during_t'][j]:>9,.0f} t "
              f"during: {suppliers['change_t'][j]:+,.0f} t")
