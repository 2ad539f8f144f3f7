#!/usr/bin/env python3
"""Derives the model-shaped tables of models/world-2024.yaml from the sourced tables.

Usage: python3 data/model/build_tables.py          (from anywhere; python3 stdlib only)

Reads  data/*.csv (sourced figures) and the assumption tables of data/model/
       (parameters.csv, region_demand.csv, sector_region_prior.csv, grade_mix.csv,
       magnet_makers.csv, magnet_trade_pattern.csv, metal_sourcing.csv, routes.csv,
       downstream_units.csv);
writes data/model/{materials,nodes,magnet_recipes,consumers,edges,calibration}.csv.

The derivation is documented in data/SOURCES.md ("Model tables"). In short: the baseline is
demand-driven, as in the engine (src/sim/network.cpp): consumer demand by sector x region x
grade -> magnet makers -> metal makers -> separation -> mines. Two parameters are
calibrated here (the script prints them; parameters.csv records them, rounded, and the
script says so when the record is out of date):
  * gbd_share_baseline: Dy demand of the magnet makers = Dy separated from the heavy-RE
    feed with China's ionic-clay mine at 99 % of its assumed 2024 output;
  * magnet_net_input_factor: NdPr demand = NdPr separated with China's light-RE mine (the
    swing supplier) at 99 % of its 2024 output.
Every other mine runs at mine_calibration_target (99.5 %) of its 2024 output
(data/mine_production.csv), so baseline activities stay just below capacity.
"""
import csv
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent

# Element mass fractions of the oxides (stoichiometry, exact chemistry).
OXIDE_ELEMENT = {"Nd": 0.8574, "Pr": 0.8277, "Dy": 0.8713, "Tb": 0.8502, "Sm": 0.8624,
                 "La": 0.8527, "Ce": 0.8141, "Y": 0.7874, "Gd": 0.8676}
NDPR_OXIDE_ND = 0.75  # NdPr oxide is ~75:25 Nd:Pr (compiler_bk, as the Nd/Pr split of magnets)

SECTORS = ["ev_traction", "other_automotive", "consumer_electronics", "industrial_motors_hvac",
           "wind", "ebikes_two_wheelers", "medical", "defence_aerospace"]
SECTOR_NAMES = {"ev_traction": "EV traction", "other_automotive": "Other automotive",
                "consumer_electronics": "Consumer electronics",
                "industrial_motors_hvac": "Industrial motors and HVAC", "wind": "Wind",
                "ebikes_two_wheelers": "E-bikes and two-wheelers", "medical": "Medical",
                "defence_aerospace": "Defence and aerospace"}
REGIONS = ["CN", "US", "EU", "JP", "KR", "IN", "RoW"]
REGION_NAMES = {"CN": "China", "US": "North America", "EU": "Europe", "JP": "Japan",
                "KR": "Korea", "IN": "India", "RoW": "rest of world"}
ZONE = {"DE": "EU", "FR": "EU", "EE": "EU"}  # node country -> route zone


def read(name):
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def sig(x, n=2):
    """Rounds to n significant figures (no invented precision)."""
    if x == 0:
        return 0.0
    return round(x, -int(math.floor(math.log10(abs(x)))) + (n - 1))


def fmt(x, n=4):
    """Number text for a CSV cell: n significant figures, no exponent, no trailing zeros."""
    if x == 0:
        return "0"
    v = sig(x, n)
    text = f"{v:.10f}".rstrip("0").rstrip(".")
    return text


def one(rows, **kw):
    hits = [r for r in rows if all(r[k] == v for k, v in kw.items())]
    if len(hits) != 1:
        sys.exit(f"build_tables: expected one row for {kw}, found {len(hits)}")
    return hits[0]


# ---------------------------------------------------------------- sourced inputs
mine_rows = read("mine_production.csv")
MINE = {r["country"]: float(r["value"]) for r in mine_rows
        if r["metric"] == "mine_production" and r["year"] == "2024" and r["preferred"] == "1"
        and not r["company"]}
COMP = {}
for r in read("deposit_composition.csv"):
    COMP.setdefault(r["deposit"], {})[r["element"]] = float(r["value"])
demand_rows = read("demand.csv")
WORLD_NDFEB = float(one(demand_rows, sector="all", region="world", frame="ndfeb_finished",
                        metric="demand", year="2024")["value"])
SECTOR_SHARE = {r["sector"]: float(r["value"]) for r in demand_rows
                if r["region"] == "world" and r["frame"] == "ndfeb_finished"
                and r["metric"] == "share" and r["preferred"] == "1"}
tot = sum(SECTOR_SHARE.values())
SECTOR_SHARE = {s: v / tot for s, v in SECTOR_SHARE.items()}  # midpoints sum to 0.99: normalise
trade = read("magnet_trade.csv")
CN_EXPORTS = float(one(trade, exporter="CN", importer="world", period="annual", year="2024",
                       unit="t/yr")["value"])
sep_rows = read("separation.csv")
MP_NDPR = float(one(sep_rows, company="MP Materials", product="ndpr_oxide", basis="output",
                    year="2024")["value"])
MP_RUN_RATE = float(one(sep_rows, company="MP Materials", basis="run_rate")["value"])
KALGOORLIE_NDPR = float(one(sep_rows, facility="Kalgoorlie", basis="capacity")["value"])
SILMET_CAP = float(one(sep_rows, facility="Silmet (Sillamae)")["value"])
SOLVAY_NDPR = float(one(sep_rows, facility="La Rochelle", product="ndpr_oxide")["value"])
LYNAS_NDPR = {r["year"]: float(r["value"]) for r in sep_rows
              if r["company"] == "Lynas" and r["product"] == "ndpr_oxide" and r["basis"] == "output"}
re_trade = read("re_trade.csv")
LYNAS_TO_CN = float(one(re_trade, exporter="MY", importer="CN", product="ndpr_oxide")["value"])
inv = read("inventories.csv")
INV_CONSUMER = float(one(inv, stage="consumer", region="world", basis="held")["value"])
INV_SEPARATOR = float(one(inv, stage="refinery")["value"])
INV_MAGNET_IN = float(one(inv, stage="magnet", material="ndpr_metal_alloy")["value"])
INV_MAGNET_OUT = float(one(inv, stage="magnet", material="ndfeb_magnets_finished")["value"])
grade = read("grade_content.csv")


def dyeq(g, process):
    return float(one(grade, material="ndfeb", grade=g, process=process, element="dy_eq")["value"])


prices = read("prices.csv")


def price(material, market, year=None, date=None):
    kw = {"material": material, "market": market}
    if year is not None:
        kw["year"] = year
    if date is not None:
        kw["date"] = date
    return float(one(prices, **kw)["value"])


# ---------------------------------------------------------------- assumption inputs
P = {r["parameter"]: float(r["value"]) for r in read("model/parameters.csv")}
REGION_TOTAL = {r["region"]: float(r["value"]) for r in read("model/region_demand.csv")}
PRIOR = {(r["sector"], r["region"]): float(r["weight"]) for r in read("model/sector_region_prior.csv")}
GRADE_MIX = {(r["sector"], r["material"]): float(r["share"]) for r in read("model/grade_mix.csv")}
MAKERS = read("model/magnet_makers.csv")
PATTERN = {}
for r in read("model/magnet_trade_pattern.csv"):
    PATTERN.setdefault((r["producer_country"], r["material"]), {})[r["destination_region"]] = float(r["share"])
SOURCING = {}
for r in read("model/metal_sourcing.csv"):
    SOURCING.setdefault((r["customer_country"], r["material"]), {})[r["supplier"]] = float(r["share"])
ROUTES = {(r["from_zone"], r["to_zone"], r["leg"]): r for r in read("model/routes.csv")}
UNITS = {r["sector"]: r for r in read("model/downstream_units.csv")}
STOCK = {r["sector"]: r for r in read("model/consumer_stocks.csv")}

sep_recovery = P["separation_recovery"]
metal_recovery = P["metal_recovery"]
TARGET = P["mine_calibration_target"]
RE = P["ndfeb_re_content"]
ND_SHARE = 0.23 / 0.30  # grade_content.csv nd / (nd + pr), compiler_bk

# ---------------------------------------------------------------- checks of the inputs
assert abs(sum(REGION_TOTAL.values()) - WORLD_NDFEB) < 1, "region totals must add up to world demand"
for (p, m), d in PATTERN.items():
    assert abs(sum(d.values()) - 1) < 1e-9, f"trade pattern of {p}/{m} must sum to 1"
for k, d in SOURCING.items():
    assert abs(sum(d.values()) - 1) < 1e-9, f"metal sourcing {k} must sum to 1"

# ---------------------------------------------------------------- 1. demand matrix (RAS)
sector_total = {s: WORLD_NDFEB * SECTOR_SHARE[s] for s in SECTORS}
cell = {(s, r): PRIOR[(s, r)] for s in SECTORS for r in REGIONS}
for _ in range(500):
    for r in REGIONS:
        f = REGION_TOTAL[r] / sum(cell[(s, r)] for s in SECTORS)
        for s in SECTORS:
            cell[(s, r)] *= f
    for s in SECTORS:
        f = sector_total[s] / sum(cell[(s, r)] for r in REGIONS)
        for r in REGIONS:
            cell[(s, r)] *= f
DEMAND = {}  # (sector, region, material) -> t/yr, 2 significant figures
for s in SECTORS:
    for r in REGIONS:
        for m in ("ndfeb_nm", "ndfeb_shuh"):
            DEMAND[(s, r, m)] = sig(cell[(s, r)] * GRADE_MIX[(s, m)])
# SmCo: world tonnage split defence / industrial, then by region as that sector's NdFeB.
for s, share in (("defence_aerospace", P["smco_defence_share"]),
                 ("industrial_motors_hvac", 1 - P["smco_defence_share"])):
    tot_s = sum(cell[(s, r)] for r in REGIONS)
    for r in REGIONS:
        DEMAND[(s, r, "smco")] = sig(P["smco_world"] * share * cell[(s, r)] / tot_s)


def consumers_demand(r, m):
    return sum(DEMAND.get((s, r, m), 0) for s in SECTORS)


# ---------------------------------------------------------------- 2. magnet supply by region
ndfeb_makers = [mk for mk in MAKERS if mk["material"] != "smco"]
smco_makers = [mk for mk in MAKERS if mk["material"] == "smco"]
supply = {}  # (node, region, material) -> t/yr
for mk in MAKERS:
    fam = "smco" if mk["material"] == "smco" else "ndfeb"
    if mk["country"] == "CN":
        continue
    for r, sh in PATTERN[(mk["country"], fam)].items():
        supply[(mk["node"], r, mk["material"])] = float(mk["output"]) * sh
CN_NODE = {"ndfeb_nm": "magnet_CN_nm", "ndfeb_shuh": "magnet_CN_shuh", "smco": "smco_CN"}
for m in ("ndfeb_nm", "ndfeb_shuh", "smco"):
    for r in REGIONS:
        rest = consumers_demand(r, m) - sum(v for (n, rr, mm), v in supply.items()
                                             if rr == r and mm == m)
        if rest < -1e-6:
            sys.exit(f"build_tables: non-Chinese supply of {m} to {r} exceeds demand by {-rest:.0f} t")
        supply[(CN_NODE[m], r, m)] = max(0.0, rest)
# The holders of China's first general licences (JL MAG, Ningbo Yunsheng, Zhong Ke San Huan)
# are a node of their own, so a licence can name them: they make a share of China's SH/UH
# exports (parameters.csv cn_general_licence_export_share, A) and nothing for China itself.
GL_NODE = "magnet_CN_gl_shuh"
GL_SHARE = P["cn_general_licence_export_share"]
for r in REGIONS:
    if r == "CN":
        continue
    v = supply[(CN_NODE["ndfeb_shuh"], r, "ndfeb_shuh")]
    supply[(GL_NODE, r, "ndfeb_shuh")] = v * GL_SHARE
    supply[(CN_NODE["ndfeb_shuh"], r, "ndfeb_shuh")] = v * (1 - GL_SHARE)
MAKERS.append({"node": GL_NODE, "country": "CN", "material": "ndfeb_shuh", "output": "", "low": "", "high": "",
               "capacity": "", "unit": "t/yr", "source_id": "reuters_toms_2025;smm_liu_2024;compiler_bk",
               "provenance": "A", "confidence": "L",
               "note": "holders of the first general licences (2 Dec 2025): share of China's SH/UH exports (parameters.csv, A)"})
CN_NODES = {"ndfeb_nm": ["magnet_CN_nm"], "ndfeb_shuh": ["magnet_CN_shuh", GL_NODE], "smco": ["smco_CN"]}
node_output = {}
for (n, r, m), v in supply.items():
    node_output[n] = node_output.get(n, 0) + v


# ---------------------------------------------------------------- 3. heavy-RE feed and recipes
def blend(parts):
    """Composition (fraction of REO) of a feed blend: parts = [(deposit or comp, weight)]."""
    out, tw = {}, sum(w for _, w in parts)
    for dep, w in parts:
        comp = COMP[dep] if isinstance(dep, str) else dep
        for el, v in comp.items():
            out[el] = out.get(el, 0) + v * w / tw
    return out


h = P["cn_ionic_high_y_share"]
cn_ionic_comp = blend([("ionic_clay_high_y", h), ("ionic_clay_medium_y", 1 - h)])
HRE_OTHER = ["TH", "MG", "MY", "VN", "BR"]  # USGS: estimated from China's imports (flows into China)
LRE_OTHER = ["NG"]
cn_ionic_target = P["cn_ionic_clay_mine"] * 0.99
hre_feed = {"MM": MINE["MM"] * TARGET}
hre_feed.update({c: MINE[c] * TARGET for c in HRE_OTHER})
hre_comp = blend([("ionic_clay_kachin", sum(hre_feed.values())), (cn_ionic_comp, cn_ionic_target)])
cn_lre_cap = MINE["CN"] - P["cn_ionic_clay_mine"]
cn_lre_target = cn_lre_cap * 0.99
us_export_target = MINE["US"] * TARGET  # minus MP's own separation, below
mp_comp = COMP["mountain_pass"]
sep_US_coef_ndpr = mp_comp["ndpr"] * sep_recovery
sep_US_activity = MP_NDPR / sep_US_coef_ndpr
us_export = MINE["US"] * TARGET - sep_US_activity
lre_comp = blend([("bayan_obo", cn_lre_target), ("mountain_pass", us_export),
                  ("mt_weld", MINE["NG"] * TARGET)])


def sep_outputs(comp, kind):
    """Outputs per t REO of feed for a separation node of a kind."""
    r = sep_recovery
    o = {"ndpr_oxide": comp["ndpr"] * r}
    if kind == "cn_lre":
        o["sm_oxide"] = comp["sm"] * r
        o["y_hre_oxides"] = (comp["y"] + comp["dy"] + comp["tb"]) * r
        o["lace_oxides"] = comp["other"] * r
    elif kind == "cn_hre":
        o.update(dy_oxide=comp["dy"] * r, tb_oxide=comp["tb"] * r, sm_oxide=comp["sm"] * r,
                 y_hre_oxides=comp["y"] * r, lace_oxides=comp["other"] * r)
    elif kind == "lynas":
        o["segh"] = (comp["sm"] + comp["dy"] + comp["tb"] + comp["y"]) * r
        o["lace_oxides"] = comp["other"] * r
    else:  # light-RE plants that sell NdPr and La/Ce products
        o["lace_oxides"] = (1 - comp["ndpr"]) * r
    return o


SEP_OUT = {
    "sep_CN_lre": sep_outputs(lre_comp, "cn_lre"),
    "sep_CN_hre": sep_outputs(hre_comp, "cn_hre"),
    "sep_MY": sep_outputs(COMP["mt_weld"], "lynas"),
    "sep_US": sep_outputs(mp_comp, "plain"),
    "sep_EE": sep_outputs(COMP["mt_weld"], "plain"),
    "sep_FR": sep_outputs(COMP["mt_weld"], "plain"),
    "sep_XR": sep_outputs(COMP["mt_weld"], "plain"),
}
mw = COMP["mt_weld"]
segh_frac = mw["sm"] + mw["dy"] + mw["tb"] + mw["y"]
SEP_OUT["sep_MY_hre"] = {"dy_oxide": mw["dy"] / segh_frac * sep_recovery,
                         "tb_oxide": mw["tb"] / segh_frac * sep_recovery,
                         "y_hre_oxides": (mw["sm"] + mw["y"]) / segh_frac * sep_recovery}
# Tb:Dy element ratio in magnets equals the ratio separated from the heavy feed, so neither
# Dy nor Tb is a surplus by-product in the baseline.
RHO = (SEP_OUT["sep_CN_hre"]["tb_oxide"] * OXIDE_ELEMENT["Tb"]) / \
      (SEP_OUT["sep_CN_hre"]["dy_oxide"] * OXIDE_ELEMENT["Dy"])
K_TB = P["tb_dy_equivalence"]
sh = P["shuh_class_sh_share"]
DYEQ_CONV = sh * dyeq("SH", "conventional") + (1 - sh) * dyeq("UH", "conventional")
DYEQ_GBD = sh * dyeq("SH", "gbd") + (1 - sh) * dyeq("UH", "gbd")
NDPR_OX_EL = NDPR_OXIDE_ND * OXIDE_ELEMENT["Nd"] + (1 - NDPR_OXIDE_ND) * OXIDE_ELEMENT["Pr"]
METAL_IN = {"ndpr_metal": ("ndpr_oxide", 1 / (NDPR_OX_EL * metal_recovery)),
            "dy_metal": ("dy_oxide", 1 / (OXIDE_ELEMENT["Dy"] * metal_recovery)),
            "tb_metal": ("tb_oxide", 1 / (OXIDE_ELEMENT["Tb"] * metal_recovery))}
SMCO_SM_OXIDE = P["smco_sm_content"] * P["smco_net_input_factor"] / OXIDE_ELEMENT["Sm"]


def shuh_content(g):
    d = g * DYEQ_GBD + (1 - g) * DYEQ_CONV
    dy = d / (1 + K_TB * RHO)
    return d, dy, RHO * dy


def recipes(F, g):
    d, dy, tb = shuh_content(g)
    dg, dyg, tbg = shuh_content(1.0)
    return {
        "ndfeb_nm": {"ndpr_metal": RE * F},
        "shuh_baseline": {"ndpr_metal": (RE - dy - tb) * F, "dy_metal": dy * F, "tb_metal": tb * F},
        "shuh_gbd": {"ndpr_metal": (RE - dyg - tbg) * F, "dy_metal": dyg * F, "tb_metal": tbg * F},
        "smco": {"sm_oxide": SMCO_SM_OXIDE},
    }


def maker_kind(node):
    return "smco" if node.startswith("smco") else ("shuh_baseline" if node.endswith("shuh") else "ndfeb_nm")


def country_of(node):
    return node.split("_")[1]


def solve(F, g):
    """Metal and oxide flows for given recipes; returns dict of results."""
    rec = recipes(F, g)
    use = {}  # (magnet node, material) -> t/yr
    for n, out in node_output.items():
        for mat, coef in rec[maker_kind(n)].items():
            use[(n, mat)] = out * coef
    metal_flow = {}  # (metal node, magnet node, material)
    for (n, mat), q in use.items():
        if mat == "sm_oxide":
            continue
        c = country_of(n)
        key = (c if c in ("CN", "JP", "VN") else "other", mat)
        for sup, sh_ in SOURCING[key].items():
            metal_flow[(sup, n, mat)] = q * sh_
    metal_act = {}
    for (sup, n, mat), q in metal_flow.items():
        metal_act[sup] = metal_act.get(sup, 0) + q
    oxide_need = {}  # metal node -> t/yr oxide
    for m_node, act in metal_act.items():
        mat = {"ndpr": "ndpr_metal", "dy": "dy_metal", "tb": "tb_metal"}[m_node.split("_")[2]]
        oxide_need[m_node] = act * METAL_IN[mat][1]
    return rec, use, metal_flow, metal_act, oxide_need


token_dy = P["lynas_hre_token_dy"]


def balance(F, g):
    rec, use, metal_flow, metal_act, oxide_need = solve(F, g)
    dy_need = oxide_need["metal_CN_dy"] + oxide_need["metal_JP_dy"] - token_dy
    hre_act = dy_need / SEP_OUT["sep_CN_hre"]["dy_oxide"]
    cn_ionic = hre_act - sum(hre_feed.values())
    # NdPr: fixed suppliers, the rest from sep_CN_lre
    my_act = MINE["AU"] * TARGET
    my_ndpr = my_act * SEP_OUT["sep_MY"]["ndpr_oxide"]
    ee_act = MINE["other"] * TARGET
    xr_act = (MINE["IN"] + MINE["RU"]) * TARGET
    fixed = {"metal_CN_ndpr": {"sep_MY": LYNAS_TO_CN,
                               "sep_CN_hre": hre_act * SEP_OUT["sep_CN_hre"]["ndpr_oxide"]},
             "metal_JP_ndpr": {"sep_MY": (my_ndpr - LYNAS_TO_CN) * P["lynas_ndpr_rest_to_jp"],
                               "sep_US": MP_NDPR * P["mp_ndpr_to_jp"],
                               "sep_EE": ee_act * SEP_OUT["sep_EE"]["ndpr_oxide"],
                               "sep_XR": 0.5 * xr_act * SEP_OUT["sep_XR"]["ndpr_oxide"]},
             "metal_VN_ndpr": {"sep_MY": (my_ndpr - LYNAS_TO_CN) * (1 - P["lynas_ndpr_rest_to_jp"]),
                               "sep_XR": 0.5 * xr_act * SEP_OUT["sep_XR"]["ndpr_oxide"]}}
    # Non-Chinese NdPr beyond what non-Chinese metal makers need goes to China's metal makers
    # (as Lynas' 3261 t do, re_trade.csv): scale the fixed supplies down, send the excess to China.
    for m in ("metal_JP_ndpr", "metal_VN_ndpr"):
        tot_f = sum(fixed[m].values())
        if tot_f > oxide_need[m]:
            k = oxide_need[m] / tot_f
            for sep in list(fixed[m]):
                excess = fixed[m][sep] * (1 - k)
                fixed[m][sep] *= k
                fixed["metal_CN_ndpr"][sep] = fixed["metal_CN_ndpr"].get(sep, 0) + excess
    residual = {m: oxide_need[m] - sum(fixed[m].values()) for m in fixed}
    sm_need = sum(q for (n, mat), q in use.items() if mat == "sm_oxide")
    lre_act = sum(residual.values()) / SEP_OUT["sep_CN_lre"]["ndpr_oxide"]
    cn_lre = lre_act - us_export - MINE["NG"] * TARGET
    return dict(rec=rec, use=use, metal_flow=metal_flow, metal_act=metal_act,
                oxide_need=oxide_need, hre_act=hre_act, cn_ionic=cn_ionic, fixed=fixed,
                residual=residual, lre_act=lre_act, cn_lre=cn_lre, sm_need=sm_need,
                my_act=my_act, ee_act=ee_act, xr_act=xr_act)


def solve_g(F):
    lo, hi = 0.0, 1.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if balance(F, mid)["cn_ionic"] > cn_ionic_target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


flo, fhi = 1.0, 1.5
for _ in range(80):
    fm = (flo + fhi) / 2
    if balance(fm, solve_g(fm))["cn_lre"] > cn_lre_target:
        fhi = fm
    else:
        flo = fm
F_CAL = (flo + fhi) / 2
G_CAL = solve_g(F_CAL)
# Round the calibrated values to what the data support, then solve once more.
F_USE = round(F_CAL, 3)
G_USE = round(solve_g(F_USE), 3)
B = balance(F_USE, G_USE)
for m, v in B["residual"].items():
    if v < 0:
        sys.exit(f"build_tables: {m} gets more non-Chinese NdPr than it needs ({v:.0f} t)")
for name_, val_ in (("magnet_net_input_factor", F_USE), ("gbd_share_baseline", G_USE)):
    if abs(P[name_] - val_) > 0.0015:
        print(f"NOTE: parameters.csv {name_} = {P[name_]} but the calibration gives {val_}: update the record")
if not (1.02 <= F_USE <= 1.24):
    print(f"WARNING: calibrated net input factor {F_USE} is outside its range 1.02-1.24")
if not (0.0 <= G_USE <= 1.0):
    print(f"WARNING: calibrated GBD share {G_USE} is outside 0-1")

# ---------------------------------------------------------------- 4. tables
materials, nodes, recipes_rows, consumers, edges = [], [], [], [], []


def prov(src, p, conf, note):
    return {"source_id": src, "provenance": p, "confidence": conf, "note": note}


def lead(from_zone, to_zone, leg):
    r = ROUTES.get((from_zone, to_zone, leg))
    if r is None:
        sys.exit(f"build_tables: no route {from_zone} -> {to_zone} ({leg}) in routes.csv")
    return r


def zone(country):
    return ZONE.get(country, country)


def add_edge(frm, to, material, flow, from_country, to_zone_, leg, extra_note=""):
    r = lead(zone(from_country), to_zone_, leg)
    edges.append(dict(**{"from": frm, "to": to, "material": material, "flow": fmt(flow),
                         "lead_time": r["lead_time"]},
                      **prov(r["source_id"], "D", "L",
                             f"baseline flow derived by build_tables.py (arithmetic precision, not "
                             f"knowledge); lead time {r['lead_time']} ({r['low']}-{r['high']}) days: "
                             f"{r['note']}{'; ' + extra_note if extra_note else ''}")))


# Materials --------------------------------------------------------------
d_b, dy_b, tb_b = shuh_content(G_USE)
ndpr_b = RE - dy_b - tb_b
p_ndpr = price("ndpr_oxide", "fob_china_argus_annual_avg", year="2024")
p_dy = price("dy_oxide", "fob_china_argus_annual_avg", year="2024")
p_tb = price("tb_oxide", "fob_china_argus_annual_avg", year="2024")
p_sm = price("sm_oxide", "fob_china_argus_annual_avg", year="2024")
p_ndpr_metal = price("ndpr_metal", "fob_china_fastmarkets", date="2024-06")
p_magnet = price("ndfeb_magnet", "china_export_unit_value", year="2024", date="")
p_shuh = price("ndfeb_magnet_automotive_sh_uh", "finished_magnet")


def el_of_reo(comp, kind):
    """Element mass per t REO for a concentrate composition (fraction of REO)."""
    e = {"Nd": comp["ndpr"] * NDPR_OXIDE_ND * OXIDE_ELEMENT["Nd"],
         "Pr": comp["ndpr"] * (1 - NDPR_OXIDE_ND) * OXIDE_ELEMENT["Pr"],
         "Sm": comp["sm"] * OXIDE_ELEMENT["Sm"], "Dy": comp["dy"] * OXIDE_ELEMENT["Dy"],
         "Tb": comp["tb"] * OXIDE_ELEMENT["Tb"], "Y": comp["y"] * OXIDE_ELEMENT["Y"]}
    # 'other' is mostly La and Ce (taken 1:2) in light-RE ores; in ionic clays it also holds Gd...
    e["La"] = comp["other"] / 3 * OXIDE_ELEMENT["La"]
    e["Ce"] = comp["other"] * 2 / 3 * OXIDE_ELEMENT["Ce"]
    return e


def mat(id_, name, family, elements, price_, src, p, conf, note):
    row = {"id": id_, "name": name, "family": family, "price": price_}
    vals = {el: float(fmt(v, 3)) for el, v in elements.items()}
    excess = sum(vals.values()) - 1
    if excess > 0:  # rounding pushed the sum above 1: take it off the largest element
        big = max(vals, key=vals.get)
        vals[big] = float(f"{vals[big] - excess:.4f}") - 0.0001
    for el, v in vals.items():
        row[f"elements.{el}"] = fmt(v, 4)
    row.update(prov(src, p, conf, note))
    materials.append(row)


mat("lre_concentrate", "Light-RE concentrate (t REO)", "concentrate", el_of_reo(lre_comp, "lre"), "",
    "compiler_bk", "A", "L", "element mass per t REO of China's light-RE feed blend (Bayan Obo, Mountain Pass, monazite; deposit_composition.csv, all A)")
mat("hre_concentrate", "Heavy-RE ionic-clay concentrate (t REO)", "concentrate", el_of_reo(hre_comp, "hre"), "",
    "compiler_bk", "A", "L", "element mass per t REO of the ionic-clay blend fed to China's heavy-RE separation (Kachin and southern-China clays; deposit_composition.csv, all A)")
mat("segh", "Lynas mixed heavy compound (SEG+HRE, t REO)", "intermediate",
    {"Sm": mw["sm"] / segh_frac * OXIDE_ELEMENT["Sm"], "Dy": mw["dy"] / segh_frac * OXIDE_ELEMENT["Dy"],
     "Tb": mw["tb"] / segh_frac * OXIDE_ELEMENT["Tb"], "Y": mw["y"] / segh_frac * OXIDE_ELEMENT["Y"]}, "",
    "fastmarkets_lynas_2024;compiler_bk", "A", "L", "Sm+Dy+Tb+Y fraction of Mt Weld REO (deposit_composition.csv, A); Lynas heavy-RE circuit feed (separation.csv)")
mat("ndpr_oxide", "NdPr oxide", "oxide", {"Nd": NDPR_OXIDE_ND * OXIDE_ELEMENT["Nd"], "Pr": (1 - NDPR_OXIDE_ND) * OXIDE_ELEMENT["Pr"]},
    f"{p_ndpr:g} USD/kg", "usgs_mcs2026", "S", "H", "price: 2024 FOB China annual average (prices.csv); Nd:Pr 75:25 (A); stoichiometric element fractions")
mat("dy_oxide", "Dy oxide", "oxide", {"Dy": OXIDE_ELEMENT["Dy"]}, f"{p_dy:g} USD/kg", "usgs_mcs2026", "S", "H", "price: 2024 FOB China annual average (prices.csv); Dy2O3")
mat("tb_oxide", "Tb oxide", "oxide", {"Tb": OXIDE_ELEMENT["Tb"]}, f"{p_tb:g} USD/kg", "usgs_mcs2026", "S", "H", "price: 2024 FOB China annual average (prices.csv); Tb4O7")
mat("sm_oxide", "Sm oxide", "oxide", {"Sm": OXIDE_ELEMENT["Sm"]}, f"{p_sm:g} USD/kg", "usgs_mcs2026", "S", "H", "price: 2024 FOB China annual average (prices.csv); Sm2O3")
mat("lace_oxides", "La/Ce and other light-RE oxides (by-product)", "oxide",
    {"La": OXIDE_ELEMENT["La"] / 3, "Ce": OXIDE_ELEMENT["Ce"] * 2 / 3}, "", "compiler_bk", "A", "L",
    "by-product of separation, no consumer in the model; La:Ce 1:2 (A)")
mat("y_hre_oxides", "Y and other heavy-RE oxides (by-product)", "oxide",
    {"Y": 0.6, "Gd": 0.05, "Er": 0.03, "Yb": 0.02, "Ho": 0.01, "Eu": 0.005}, "", "compiler_bk", "A", "L",
    "by-product of separation, no consumer in the model; composition is an illustration of an ionic-clay heavy fraction (A), so element selections (e.g. Ho, Er, Eu, Yb) can find it")
mat("ndpr_metal", "NdPr metal/alloy", "metal", {"Nd": ND_SHARE, "Pr": 1 - ND_SHARE}, f"{p_ndpr_metal:g} USD/kg",
    "fastmarkets_2024_prices", "S", "M", "price: Fastmarkets Jun 2024 FOB China (prices.csv)")
mat("dy_metal", "Dy metal / Dy-Fe alloy (t Dy)", "metal", {"Dy": 1.0}, f"{fmt(p_dy / OXIDE_ELEMENT['Dy'], 3)} USD/kg",
    "usgs_mcs2026", "D", "M", "counted as Dy content; price = 2024 Dy oxide price / 0.871 (D)")
mat("tb_metal", "Tb metal (t Tb)", "metal", {"Tb": 1.0}, f"{fmt(p_tb / OXIDE_ELEMENT['Tb'], 3)} USD/kg",
    "usgs_mcs2026", "D", "M", "counted as Tb content; price = 2024 Tb oxide price / 0.850 (D)")
fe = float(one(grade, material="ndfeb", grade="any", process="any", element="fe")["value"])
b = float(one(grade, material="ndfeb", grade="any", process="any", element="b")["value"])
mat("ndfeb_nm", "NdFeB N/M grades (Dy/Tb-free)", "magnet", {"Nd": RE * ND_SHARE, "Pr": RE * (1 - ND_SHARE), "Fe": fe, "B": b},
    f"{p_magnet:g} USD/kg", "couragemagnet;adamas_2025_exports", "S", "M",
    "RE 0.30, B 0.011, Fe balance (grade_content.csv); Nd/Pr split A; price: China's 2024 export unit value, all grades (prices.csv, D)")
mat("ndfeb_shuh", "NdFeB high-coercivity H/SH/UH grades (with Dy/Tb)", "magnet",
    {"Nd": ndpr_b * ND_SHARE, "Pr": ndpr_b * (1 - ND_SHARE), "Dy": dy_b, "Tb": tb_b, "Fe": fe, "B": b},
    f"{p_shuh:g} USD/kg", "facts_bk;mainrich", "A", "L",
    f"Dy-eq {d_b:.4f} = calibrated 2024 mix of GBD ({DYEQ_GBD:.4f}) and conventional ({DYEQ_CONV:.4f}) SH/UH (grade_content.csv); Tb:Dy as separated from ionic clay; price US$60-120/kg [BK]")
mat("smco", "SmCo magnets", "magnet", {"Sm": P["smco_sm_content"], "Co": 0.58, "Fe": 0.08},
    f"{fmt(650e6 / P['smco_world'] / 1000, 3)} USD/kg", "procurement_reports;compiler_bk", "A", "L",
    "50/50 SmCo5 / Sm2Co17 (grade_content.csv, A); price = market US$0.65B / 3000 t (D from L and A)")

# Nodes --------------------------------------------------------------------
cn_ionic = B["cn_ionic"]
cn_lre = B["cn_lre"]


def node(id_, name, stage, country, capacity, inputs=None, outputs=None, inv_days=None,
         out_inv_days=None, src="", p="A", conf="L", note="", rationing=None):
    row = {"id": id_, "name": name, "stage": stage, "country": country, "capacity": fmt(capacity, 3)}
    if rationing:
        row["rationing"] = rationing
    for m_, v in (inputs or {}).items():
        row[f"inputs.{m_}"] = fmt(v, 4)
    for m_, v in (outputs or {}).items():
        row[f"outputs.{m_}"] = fmt(v, 4)
    if inv_days is not None:
        row["inventory_days"] = fmt(inv_days)
    if out_inv_days is not None:
        row["output_inventory_days"] = fmt(out_inv_days)
    row.update(prov(src, p, conf, note))
    nodes.append(row)


node("mine_CN_lre", "China light-RE mines (Bayan Obo, Sichuan, Shandong)", "mine", "CN", cn_lre_cap,
     outputs={"lre_concentrate": 1}, src="usgs_mcs2026;compiler_bk", p="D", conf="M",
     note=f"capacity = China 2024 mine output 270000 t (mine_production.csv, H) minus the ionic-clay part (parameters.csv, A); baseline activity {cn_lre:.0f} t")
node("mine_CN_ionic", "China ionic-clay mines (southern provinces)", "mine", "CN", P["cn_ionic_clay_mine"],
     outputs={"hre_concentrate": 1}, src="compiler_bk", p="A", conf="L",
     note=f"capacity = 2024 ionic-clay output (parameters.csv cn_ionic_clay_mine, A 15-25 kt); baseline activity {cn_ionic:.0f} t")
inv_sep = dict(inv_days=INV_SEPARATOR)
node("sep_CN_lre", "China light-RE separation", "refinery", "CN", B["lre_act"] / P["utilisation_cn_separation"],
     inputs={"lre_concentrate": 1}, outputs=SEP_OUT["sep_CN_lre"], **inv_sep, src="compiler_bk;iea_commentary_2025", p="A", conf="L",
     note="per t REO of feed: oxides = feed composition x separation recovery (deposit_composition.csv, A); capacity = activity / utilisation (A); concentrate stock 30 days (inventories.csv placeholder)")
node("sep_CN_hre", "China heavy-RE (ionic-clay) separation", "refinery", "CN", B["hre_act"] / P["utilisation_cn_separation"],
     inputs={"hre_concentrate": 1}, outputs=SEP_OUT["sep_CN_hre"], **inv_sep, src="compiler_bk;ti22", p="A", conf="L",
     note="China ~98 % of Dy/Tb separation before Lynas (separation.csv); composition of the Kachin + southern-China blend (deposit_composition.csv, A)")
my_cap = KALGOORLIE_NDPR / SEP_OUT["sep_MY"]["ndpr_oxide"]
node("sep_MY", "Lynas Malaysia (light RE)", "refinery", "MY", my_cap,
     inputs={"lre_concentrate": 1}, outputs=SEP_OUT["sep_MY"], **inv_sep, src="lynas_fy25;compiler_bk", p="D", conf="M",
     note=f"capacity = Kalgoorlie nameplate ~{KALGOORLIE_NDPR:.0f} t/yr NdPr / NdPr yield (separation.csv); baseline NdPr {B['my_act'] * SEP_OUT['sep_MY']['ndpr_oxide']:.0f} t vs Lynas FY24 {LYNAS_NDPR.get('2024', 0):.0f}, FY25 {LYNAS_NDPR.get('2025', 0):.0f} t; heavies leave as SEGH")
segh_token = token_dy / SEP_OUT["sep_MY_hre"]["dy_oxide"]
node("sep_MY_hre", "Lynas Malaysia heavy-RE circuit", "refinery", "MY", segh_token * 1.5,
     inputs={"segh": 1}, outputs=SEP_OUT["sep_MY_hre"], **inv_sep, src="fastmarkets_lynas_2024;lynas_hre_2025", p="A", conf="L",
     note="not operating in 2024: token capacity so the engine can route to it when it ramps (scenario lynas-heavy-separation-ramp: 1500 t/yr SEGH from May 2025); Dy/Tb per t SEGH from the Mt Weld composition (A)")
node("sep_US", "MP Materials Mountain Pass separation", "refinery", "US", MP_RUN_RATE / sep_US_coef_ndpr,
     inputs={"lre_concentrate": 1}, outputs=SEP_OUT["sep_US"], **inv_sep, src="mp_fy2024;mp_fy2025", p="D", conf="M",
     note=f"baseline activity = 2024 NdPr {MP_NDPR:.0f} t (S, H) / NdPr yield; capacity = end-2025 run-rate {MP_RUN_RATE:.0f} t/yr NdPr / yield (S, M); the rest of US concentrate went to China in 2024")
node("sep_EE", "Neo Silmet (Sillamae) separation", "refinery", "EE", SILMET_CAP,
     inputs={"lre_concentrate": 1}, outputs=SEP_OUT["sep_EE"], **inv_sep, src="argus_neo_2024;compiler_bk", p="A", conf="L",
     note="capacity ~3000 t/yr (separation.csv, S, M); 2024 output and feed origin not in facts: fed with the USGS 'other countries' line (A)")
node("sep_FR", "Solvay La Rochelle (magnet-RE line)", "refinery", "FR", SOLVAY_NDPR / SEP_OUT["sep_FR"]["ndpr_oxide"],
     inputs={"lre_concentrate": 1}, outputs=SEP_OUT["sep_FR"], **inv_sep, src="solvay_2025", p="A", conf="L",
     note="magnet-RE line opened 8 Apr 2025 ('several hundred tonnes' NdPr in 2025, separation.csv): no magnet-RE output in the 2024 baseline; capacity = 500 t/yr NdPr / yield")
node("sep_XR", "Other separation (India, Russia)", "refinery", "XR", B["xr_act"] / 0.85,
     inputs={"lre_concentrate": 1}, outputs=SEP_OUT["sep_XR"], **inv_sep, src="usgs_mcs2026;compiler_bk", p="A", conf="L",
     note="domestic separation of Indian and Russian mine output (A); Japan/Vietnam separation <2 % [BK] not modelled separately")
metal_names = {"metal_CN_ndpr": ("China NdPr metal/alloy", "CN"), "metal_JP_ndpr": ("Japan NdPr metal/alloy", "JP"),
               "metal_VN_ndpr": ("Vietnam NdPr metal/alloy", "VN"), "metal_CN_dy": ("China Dy metal / Dy-Fe", "CN"),
               "metal_JP_dy": ("Japan Dy metal / Dy-Fe", "JP"), "metal_CN_tb": ("China Tb metal", "CN"),
               "metal_JP_tb": ("Japan Tb metal", "JP")}
for mid, (name, c) in metal_names.items():
    outm = {"ndpr": "ndpr_metal", "dy": "dy_metal", "tb": "tb_metal"}[mid.split("_")[2]]
    oxm, coef = METAL_IN[outm]
    act = B["metal_act"][mid]
    cap = act / P["utilisation_metal"]
    if mid == "metal_JP_dy":
        cap = max(cap, P["jp_hre_metal_dy_capacity"])
    if mid == "metal_JP_tb":
        cap = max(cap, P["jp_hre_metal_tb_capacity"])
    node(mid, name, "metal", c, cap, inputs={oxm: coef}, outputs={outm: 1}, inv_days=INV_MAGNET_IN,
         src="facts_bk;compiler_bk", p="A", conf="L",
         note=f"oxide per t metal = 1 / (element fraction x metal recovery {metal_recovery}); capacity = activity / utilisation or parameters.csv (A); oxide stock 30 days (placeholder, inventories.csv)")
for mk in MAKERS:
    n = mk["node"]
    out = node_output[n]
    util = P["utilisation_cn_magnet"] if mk["country"] == "CN" else (
        P["utilisation_smco"] if mk["material"] == "smco" else P["utilisation_noncn_magnet"])
    cap = float(mk["capacity"]) if mk["capacity"] else out / util
    kind = maker_kind(n)
    label = {"ndfeb_nm": "NdFeB N/M", "shuh_baseline": "NdFeB SH/UH", "smco": "SmCo"}[kind]
    inputs = outputs = None
    if kind == "ndfeb_nm":
        inputs, outputs = B["rec"]["ndfeb_nm"], {"ndfeb_nm": 1}
    elif kind == "smco":
        inputs, outputs = B["rec"]["smco"], {"smco": 1}
    node(n, f"{label} makers, {mk['country']}" + (" (JL MAG, Ningbo Yunsheng, Zhong Ke San Huan: general-licence holders)" if n == GL_NODE else ""), "magnet", mk["country"], cap, inputs=inputs, outputs=outputs,
         inv_days=INV_MAGNET_IN, out_inv_days=INV_MAGNET_OUT, src=mk["source_id"], p=mk["provenance"],
         conf=mk["confidence"], rationing=None if mk["country"] == "CN" else "contract",
         note=f"2024 output {out:.0f} t ({'residual: world demand minus other makers' if mk['country'] == 'CN' else mk['note']}); capacity {'sourced' if mk['capacity'] else '= output / utilisation (A)'}; inputs 30 days, finished goods 21 days (placeholders, inventories.csv)"
              + ("" if mk["country"] == "CN" else "; contract rationing: baseline customers keep their contracted share of output, spare output goes to whoever orders more (A: long-term supply agreements are how makers outside China sell, compiler_bk)"))
for kind, rid, avail, note in (("shuh_baseline", "baseline", 0, "2024 process mix (calibrated GBD share)"),
                               ("shuh_gbd", "gbd", 0, "all high-coercivity tonnage by grain-boundary diffusion (grade_content.csv GBD rows, A); used by dy-thrifting-gbd")):
    for mk in MAKERS:
        if not mk["node"].endswith("shuh"):
            continue
        r = B["rec"][kind]
        recipes_rows.append({"node": mk["node"], "id": rid,
                             "inputs.ndpr_metal": fmt(r["ndpr_metal"], 4), "inputs.dy_metal": fmt(r["dy_metal"], 4),
                             "inputs.tb_metal": fmt(r["tb_metal"], 4), "outputs.ndfeb_shuh": "1",
                             "available_after": str(avail),
                             **prov("facts_bk;mainrich;couragemagnet;discoveryalert;compiler_bk", "D", "L",
                                    f"{note}; per t magnet: RE metal x net input factor {F_USE} (grade_content.csv, parameters.csv)")})
# Consumers ------------------------------------------------------------------
for s in SECTORS:
    u = UNITS[s]
    for r in REGIONS:
        row = {"id": f"{s}_{r}", "name": f"{SECTOR_NAMES[s]}, {REGION_NAMES[r]}", "sector": s, "region": r}
        for m_ in ("ndfeb_nm", "ndfeb_shuh", "smco"):
            v = DEMAND.get((s, r, m_), 0)
            if v > 0:
                row[f"demand.{m_}"] = fmt(v, 2)
        if u["kg_per_unit"]:
            row["units_per_tonne"] = fmt(1000 / float(u["kg_per_unit"]), 2)
            row["value_per_unit"] = fmt(float(u["value_per_unit"]), 2)
        row["inputs"] = u["inputs"]
        for k in ("product", "unit_name", "margin"):
            if u[k]:
                row[k] = u[k]
        if s == "defence_aerospace":
            row["end_user"] = "military"  # end-user class for end-user rules (MOFCOM: military users denied)
        st = STOCK[s]
        row["inventory_days"] = fmt(float(st["days"]))
        row.update(prov("facts_synthesis;facts_bk;compiler_bk;" + st["source_id"], "A", "L",
                        f"{REGION_NAMES[r]} total x sector: RAS-balanced prior (A) to world sector shares (demand.csv, A) and region totals (region_demand.csv); grade split grade_mix.csv (A); 2 significant figures. Units: {u['unit_label'] or 'not estimated'} ({u['note']}). Stock {st['days']} days ({st['low']}-{st['high']}, consumer_stocks.csv: {st['note']})"))
        consumers.append(row)
# Edges -----------------------------------------------------------------------
# Defence buys from makers outside China first (A: US DFARS 225.7018 restricts NdFeB and SmCo
# magnets melted or produced in China in defence systems [compiler_bk]; assumed for every
# region outside China); the other sectors share the rest of the non-Chinese supply in
# proportion to demand; Chinese makers supply each sector's remainder.
def sector_split(r, m_):
    """(sector -> t/yr from makers outside China, total non-Chinese supply) of region r, grade m_."""
    nc = sum(v for (n, rr, mm), v in supply.items() if rr == r and mm == m_ and n not in CN_NODES[m_])
    d_def = DEMAND.get(("defence_aerospace", r, m_), 0) if r != "CN" else 0
    to_def = min(d_def, nc)
    rest_dem = sum(DEMAND.get((s, r, m_), 0) for s in SECTORS if s != "defence_aerospace" or r == "CN")
    out = {}
    for s in SECTORS:
        d = DEMAND.get((s, r, m_), 0)
        if s == "defence_aerospace" and r != "CN":
            out[s] = to_def
        else:
            out[s] = (nc - to_def) * d / rest_dem if rest_dem > 0 else 0.0
    return out, nc


for (n, r, m_), v in supply.items():
    if v <= 0:
        continue
    split, nc = sector_split(r, m_)
    for s in SECTORS:
        d = DEMAND.get((s, r, m_), 0)
        if d <= 0:
            continue
        if n in CN_NODES[m_]:
            cn_tot = sum(supply.get((c, r, m_), 0) for c in CN_NODES[m_])
            f = (d - split[s]) * v / cn_tot
            why = f"China supplies what makers outside China do not: {f / d:.3f} of this sector's {m_}"
        else:
            f = split[s] * v / nc
            why = (f"{n} supplies {v / nc:.3f} of the non-Chinese {m_} to {REGION_NAMES[r]}"
                   + ("; defence is served first by makers outside China (A: DFARS 225.7018 in the US, compiler_bk)"
                      if s == "defence_aerospace" else ""))
        if f <= 1e-9:
            if n != CN_NODE[m_]:  # one Chinese standby edge per sector
                continue
            f, why = 0.0, "standby: makers outside China cover this sector's baseline; Chinese makers can take share once qualified"
        add_edge(n, f"{s}_{r}", m_, f, n.split("_")[1], r, "magnet", why)
# Standby suppliers: makers outside China can sell to regions they do not serve in the
# baseline, after qualification (engine.qualification in the studies: 6-18 months for magnets,
# facts [BK] PPAP re-qualification): zero-flow edges to every consumer of that region that
# buys the grade, where a route exists (routes.csv; standby routes are A).
for mk in MAKERS:
    n, m_ = mk["node"], mk["material"]
    c = mk["country"]
    if c == "CN":
        continue
    served = {r for (nn, r, mm), v in supply.items() if nn == n and v > 0}
    for r in REGIONS:
        if r == "CN" or r in served or (zone(c), r, "magnet") not in ROUTES:
            continue
        for s in SECTORS:
            if DEMAND.get((s, r, m_), 0) > 0:
                add_edge(n, f"{s}_{r}", m_, 0.0, c, r, "magnet",
                         "standby: no 2024 flow; takes share only after qualification (engine.qualification)")
# US strategic stockpile: zero-flow edges to every US consumer of what it holds.
for s in SECTORS:
    for m_ in ("ndfeb_shuh", "smco"):
        if DEMAND.get((s, "US", m_), 0) > 0:
            edges.append({"from": "stockpile_US", "to": f"{s}_US", "material": m_, "flow": "0", "lead_time": "7",
                          **prov("usgs_mcs2026", "A", "L", "DLA stockpile: no baseline flow; used by stockpile_release (lead time A)")})
for (sup, n, m_), v in B["metal_flow"].items():
    add_edge(sup, n, m_, v, sup.split("_")[1], zone(country_of(n)), "intermediate", "metal sourcing: metal_sourcing.csv (A)")
# oxides into metal makers
for m_node, sups in B["fixed"].items():
    for sep, v in sups.items():
        if v > 0:
            c = {"sep_MY": "MY", "sep_CN_hre": "CN", "sep_US": "US", "sep_EE": "EE", "sep_XR": "XR"}[sep]
            add_edge(sep, m_node, "ndpr_oxide", v, c, country_of(m_node), "intermediate",
                     "" if sep in ("sep_CN_hre",) else "non-Chinese NdPr routing: parameters.csv and metal_sourcing.csv (A); what non-Chinese metal makers do not need goes to China")
    if B["residual"][m_node] > 0:
        add_edge("sep_CN_lre", m_node, "ndpr_oxide", B["residual"][m_node], "CN", country_of(m_node), "intermediate",
                 "China's light-RE separation supplies the rest")
add_edge("sep_FR", "metal_JP_ndpr", "ndpr_oxide", 0, "FR", "JP", "intermediate", "no 2024 flow (line opened Apr 2025)")
for hm in ("dy", "tb"):
    mat_ox = f"{hm}_oxide"
    for m_node in (f"metal_CN_{hm}", f"metal_JP_{hm}"):
        need = B["oxide_need"][m_node]
        if m_node == f"metal_JP_{hm}":
            tok = segh_token * SEP_OUT["sep_MY_hre"][mat_ox]
            add_edge("sep_MY_hre", m_node, mat_ox, tok, "MY", "JP", "intermediate",
                     "token flow (not operating in 2024): the engine only moves orders to suppliers with a baseline share")
            need -= tok
        add_edge("sep_CN_hre", m_node, mat_ox, need, "CN", country_of(m_node), "intermediate")
add_edge("sep_MY", "sep_MY_hre", "segh", segh_token, "MY", "MY", "intermediate", "token flow, see sep_MY_hre")
for n, q in B["use"].items():
    if n[1] == "sm_oxide":
        add_edge("sep_CN_lre", n[0], "sm_oxide", q, "CN", zone(country_of(n[0])), "intermediate", "Sm oxide only from China in the model")
# concentrate into separation
add_edge("mine_CN_ionic", "sep_CN_hre", "hre_concentrate", cn_ionic, "CN", "CN", "concentrate")
for c, v in hre_feed.items():
    add_edge(f"mine_{c}", "sep_CN_hre", "hre_concentrate", v, c, "CN", "concentrate",
             "USGS estimates this country's output from China's imports: a flow into China (mine_production.csv); ionic-clay type assumed (A)"
             if c != "MM" else "Myanmar output is estimated by USGS from China's imports (mine_production.csv)")
add_edge("mine_CN_lre", "sep_CN_lre", "lre_concentrate", cn_lre, "CN", "CN", "concentrate")
add_edge("mine_US", "sep_CN_lre", "lre_concentrate", us_export, "US", "CN", "concentrate",
         "US concentrate not separated by MP went to China in 2024 (MP stopped sales to China in 2025, supply_events.csv)")
add_edge("mine_NG", "sep_CN_lre", "lre_concentrate", MINE["NG"] * TARGET, "NG", "CN", "concentrate", "destination assumed China (A)")
add_edge("mine_US", "sep_US", "lre_concentrate", sep_US_activity, "US", "US", "concentrate")
add_edge("mine_AU", "sep_MY", "lre_concentrate", B["my_act"], "AU", "MY", "concentrate")
add_edge("mine_XR", "sep_EE", "lre_concentrate", B["ee_act"], "XR", "EU", "concentrate", "feed origin not in facts (A)")
add_edge("mine_XR", "sep_FR", "lre_concentrate", 0, "XR", "EU", "concentrate", "no 2024 flow")
for c in ("IN", "RU"):
    add_edge(f"mine_{c}", "sep_XR", "lre_concentrate", MINE[c] * TARGET, c, "XR", "concentrate")


# Non-Chinese magnet ramp (scenario non-china-magnet-ramp): dated plant capacities from
# magnet_production.csv, split by grade (magnet_ramp_plants.csv), as cumulative node totals.
mp_rows = read("magnet_production.csv")
ramp_events = []
cap_now = {r["id"]: float(r["capacity"]) for r in nodes}
plants = []
for pl in read("model/magnet_ramp_plants.csv"):
    hits = [r for r in mp_rows if r["company"] == pl["company"] and r["facility"] == pl["facility"]
            and r["basis"] == "capacity" and r["available_from"]]
    if len(hits) != 1:
        sys.exit(f"build_tables: expected one dated capacity row for {pl['company']} {pl['facility']}")
    h_ = hits[0]
    date = h_["available_from"]
    date = date + "-01-01" if len(date) == 4 else (date + "-01" if len(date) == 7 else date)
    plants.append((date, pl, h_))
plants.sort(key=lambda x: x[0])
# Plants of one node starting on the same date make one event (the engine lets the last
# active expansion of a node set its capacity, so overlapping events would not add up).
grouped = {}
for date, pl, h_ in plants:
    add_t = float(h_["value"])
    for grade_, share_ in (("shuh", float(pl["shuh_share"])), ("nm", 1 - float(pl["shuh_share"]))):
        n = f"{pl['node_prefix']}_{grade_}"
        grouped.setdefault((date, n), []).append((pl, h_, add_t * share_, share_))
for (date, n), parts in sorted(grouped.items()):
    frm = cap_now[n]
    to = frm + sum(p_[2] for p_ in parts)
    cap_now[n] = to
    desc = "; ".join(f"{pl['company']} {pl['facility']}: +{float(h_['value']):.0f} t/yr from {h_['available_from']} "
                     f"({h_['status']}; magnet_production.csv {h_['source_id']}, {h_['confidence']}), "
                     f"{sh_:.0%} of it to {n.split('_')[2]} grades (A)" for pl, h_, _, sh_ in parts)
    ramp_events.append({
        "id": "-".join(pl["facility"].split()[0].strip(",").lower() for pl, _, _, _ in parts) + "-" + n.split("_")[2],
        "type": "capacity_expansion", "start": date, "node": n, "from": fmt(frm, 4), "to": fmt(to, 4),
        "ramp": parts[0][0]["ramp_days"],
        "description": f"{n} capacity {frm:.0f} -> {to:.0f} t/yr. " + desc,
        **prov(";".join(h_["source_id"] for _, h_, _, _ in parts), "D",
               max((h_["confidence"] for _, h_, _, _ in parts), key="HML".index),  # the weakest
               " | ".join(pl["note"] for pl, _, _, _ in parts))})


# Contract shares of makers outside China: each customer's share of the maker's baseline output.
_out_tot = {}
for e in edges:
    _out_tot[(e["from"], e["material"])] = _out_tot.get((e["from"], e["material"]), 0) + float(e["flow"])
for e in edges:
    n = e["from"]
    if n.startswith(("magnet_", "smco_")) and "_CN" not in n and _out_tot[(n, e["material"])] > 0:
        e["contract_share"] = fmt(float(e["flow"]) / _out_tot[(n, e["material"])], 4)


# ---------------------------------------------------------------- 5. write
def write(name, rows_, first):
    cols = list(first)
    for r in rows_:
        for k in r:
            if k not in cols and k not in ("source_id", "provenance", "confidence", "note"):
                cols.append(k)
    cols += ["source_id", "provenance", "confidence", "note"]
    with open(HERE / name, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        for r in rows_:
            w.writerow({k: r.get(k, "") for k in cols})


write("materials.csv", materials, ["id", "name", "family", "price"])
write("nodes.csv", nodes, ["id", "name", "stage", "country", "capacity"])
write("magnet_recipes.csv", recipes_rows, ["node", "id"])
write("consumers.csv", consumers, ["id", "name", "sector", "region"])
write("edges.csv", edges, ["from", "to", "material", "flow", "lead_time"])
write("non_china_magnet_ramp.csv", ramp_events, ["id", "type", "start", "node", "from", "to", "ramp", "description"])

# ---------------------------------------------------------------- 6. calibration report
world_mine = cn_lre + cn_ionic + sum(MINE[c] * TARGET for c in MINE if c not in ("CN", "world"))
sep_act = {"CN": B["lre_act"] + B["hre_act"], "MY": B["my_act"] + segh_token, "US": sep_US_activity,
           "EE": B["ee_act"], "XR": B["xr_act"]}
metal_cn = sum(v for k, v in B["metal_act"].items() if "_CN_" in k)
magnets_total = sum(v for k, v in node_output.items() if not k.startswith("smco"))
magnets_cn = node_output["magnet_CN_nm"] + node_output["magnet_CN_shuh"] + node_output[GL_NODE]
exports = sum(v for (n, r, m_), v in supply.items() if n.startswith("magnet_CN") and r != "CN")
dest = {r: sum(v for (n, rr, m_), v in supply.items() if n.startswith("magnet_CN") and rr == r) / exports
        for r in REGIONS if r != "CN"}
calib = [
    ("world_mine_t", 380000, 361000, 399000, world_mine, "usgs_mcs2026 (2024 revised 380 kt; MCS2025 390 kt); +-5 %"),
    ("cn_mine_share", 0.71, 0.69, 0.73, (cn_lre + cn_ionic) / world_mine, "mine_production.csv share_of_world 2024 (D, H)"),
    ("cn_separation_share", 0.90, 0.85, 0.92, sep_act["CN"] / sum(sep_act.values()), "separation.csv (D, M; 85-92 %)"),
    ("cn_metal_share", 0.90, 0.85, 0.95, metal_cn / sum(B["metal_act"].values()), "metal_alloy.csv (A, L; 85-95 %)"),
    ("cn_magnet_share", 0.92, 0.87, 0.94, magnets_cn / magnets_total, "magnet_production.csv (D, M; 87-94 %)"),
    ("cn_magnet_exports_t", CN_EXPORTS, 50000, 66000, exports, "magnet_trade.csv 2024 (S, H); 50-66 kt band"),
    ("lynas_ndpr_t", 6100, 5090, 7210, B["my_act"] * SEP_OUT["sep_MY"]["ndpr_oxide"], "separation.csv FY24-FY25 ranges"),
    ("world_ndfeb_t", WORLD_NDFEB, 120000, 250000, magnets_total, "demand.csv (A)"),
    ("kr_share_of_cn_exports", 0.115, 0.10, 0.13, dest["KR"], "magnet_trade.csv [BK] KR 10-13 %"),
    ("us_share_of_cn_exports", 0.115, 0.10, 0.25, dest["US"], "magnet_trade.csv [BK] US 10-13 %; model US = North America (incl. Mexico)"),
]
with open(HERE / "calibration.csv", "w", newline="", encoding="utf-8") as f:
    f.write("quantity,target,low,high,derived,source\n")
    for q, t, lo, hi, v, src in calib:
        f.write(f"{q},{fmt(t, 4)},{fmt(lo, 4)},{fmt(hi, 4)},{fmt(v, 4)},\"{src}\"\n")

print(f"calibrated magnet_net_input_factor = {F_USE} (unrounded {F_CAL:.4f})")
print(f"calibrated gbd_share_baseline = {G_USE}; high-coercivity Dy-eq {d_b:.4f} (Dy {dy_b:.4f}, Tb {tb_b:.4f}); "
      f"conventional {DYEQ_CONV:.4f}, full GBD {DYEQ_GBD:.4f}")
print(f"China light-RE mine {cn_lre:.0f} of {cn_lre_cap:.0f} t; ionic {cn_ionic:.0f} of {P['cn_ionic_clay_mine']:.0f} t")
print(f"heavy-RE separation activity {B['hre_act']:.0f} t REO; Dy oxide {B['hre_act'] * SEP_OUT['sep_CN_hre']['dy_oxide']:.0f} t, "
      f"Tb oxide {B['hre_act'] * SEP_OUT['sep_CN_hre']['tb_oxide']:.0f} t")
for q, t, lo, hi, v, src in calib:
    ok = "ok " if lo <= v <= hi else "OUT"
    print(f"  {ok} {q:28s} {v:12.4g}  target {t:g} [{lo:g}, {hi:g}]")
print("China export destinations: " + ", ".join(f"{r} {v:.3f}" for r, v in dest.items()))
print(f"wrote {len(materials)} materials, {len(nodes)} nodes, {len(recipes_rows)} recipes, "
      f"{len(consumers)} consumers, {len(edges)} edges")
