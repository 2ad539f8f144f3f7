#!/usr/bin/env python3
"""Generates the JSON Schemas (draft 2020-12) of rareshock's input files.

Usage: docs/schema/generate.py [--check]

Writes model.schema.json, scenario.schema.json and study.schema.json next to this script.
With --check nothing is written; the exit status is 1 when a file differs from what this
script generates (scripts/check-schemas runs that check). Edit this script, not the JSON.

The schemas follow the readers in src/io/*.cpp: keys, types, enum values, defaults and
descriptions. The readers' key schema (src/io/schema.cpp: keys, required keys and unit
dimensions of every mapping) is the reference: scripts/check-schema-table (ctest
schema_table) fails when these schemas allow other keys, require others, or give a quantity
another unit pattern. They are for editors (completion, hover, early checks); `rareshock validate`
remains the authority (cross-references, sums, ranges of quoted values...).
"""
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# ---- Units (src/core/units.cpp) -------------------------------------------------------------
UNITS = {
    "mass": ["t", "tonne", "tonnes", "kg", "kt", "Mt"],
    "mass_rate": ["t/yr", "t/y", "t/year", "tpa", "kt/yr", "kt/y", "kt/year", "ktpa", "Mt/yr",
                  "kg/yr", "t/month", "kt/month", "t/week", "t/day", "t/d", "kg/day"],
    "duration": ["d", "day", "days", "working day", "working days", "working_days", "week",
                 "weeks", "month", "months", "year", "years", "yr"],
    "money": ["USD", "kUSD", "MUSD", "BUSD"],
    "price": ["USD/t", "USD/kg", "USD/lb", "kUSD/t"],
    "fraction": ["%"],
    "per_mass": ["1/t", "/t", "per t", "1/kg", "/kg", "per kg"],
    "count": [],
}
NUMBER = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"


def unit_regex(unit: str) -> str:
    out = ""
    for ch in unit:
        if ch == "/":
            out += r" */ *"
        elif ch == " ":
            out += " +"
        else:
            out += re.escape(ch)
    return out


def quantity(dim: str, description: str, default=None, minimum=None, maximum=None) -> dict:
    units = UNITS[dim]
    if units:
        alternatives = "|".join(unit_regex(u) for u in sorted(units, key=len, reverse=True))
        pattern = rf"^ *{NUMBER} *({alternatives})? *$"
        unit_text = " Units: " + ", ".join(f"`{u}`" for u in units) + "."
    else:
        pattern = rf"^ *{NUMBER} *$"
        unit_text = " A plain number (no unit)."
    s = {"description": description + unit_text, "type": ["number", "string"], "pattern": pattern}
    if minimum is not None:
        s["minimum"] = minimum
    if maximum is not None:
        s["maximum"] = maximum
    if default is not None:
        s["default"] = default
    return s


def text(description: str, default=None) -> dict:
    s = {"description": description, "type": ["string", "number"]}
    if default is not None:
        s["default"] = default
    return s


def ref(description: str) -> dict:
    return {"description": description, "type": ["string", "number"]}


def ref_list(description: str) -> dict:
    return {"description": description + " A single id or a list of ids.",
            "anyOf": [{"type": ["string", "number"]},
                      {"type": "array", "items": {"type": ["string", "number"]}}]}


def text_list(description: str) -> dict:
    return {"description": description + " A single text or a list.",
            "anyOf": [{"type": ["string", "number"]},
                      {"type": "array", "items": {"type": ["string", "number"]}}]}


def choice(names: list[str], description: str, default=None) -> dict:
    s = {"description": description, "enum": names}
    if default is not None:
        s["default"] = default
    return s


FLAG_TEXT = ["true", "false", "yes", "no", "on", "off", "True", "False", "Yes", "No", "On", "Off",
             "TRUE", "FALSE", "YES", "NO", "ON", "OFF"]


def flag(description: str, default: bool) -> dict:
    return {"description": description + " true/false (also yes/no, on/off).",
            "anyOf": [{"type": "boolean"}, {"enum": FLAG_TEXT}], "default": default}


def integer(description: str, default=None, minimum=None, maximum=None) -> dict:
    s = {"description": description, "type": ["integer", "string"], "pattern": rf"^ *{NUMBER} *$"}
    if default is not None:
        s["default"] = default
    if minimum is not None:
        s["minimum"] = minimum
    if maximum is not None:
        s["maximum"] = maximum
    return s


def obj(description: str, properties: dict, required: list[str] = (), **extra) -> dict:
    s = {"description": description, "type": "object", "properties": properties,
         "additionalProperties": False}
    if required:
        s["required"] = list(required)
    s.update(extra)
    return s


def table(item_ref: str, description: str) -> dict:
    return {"description": description + " Items may also be CSV table references "
                                         "(`- csv: file.csv`).",
            "type": "array",
            "items": {"anyOf": [{"$ref": item_ref}, {"$ref": "#/$defs/csv_table"},
                                {"$ref": "#/$defs/remove_item"}]}}


DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

# ---- Shared definitions --------------------------------------------------------------------
ELEMENTS = ["H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P",
            "S", "Cl", "Ar", "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn",
            "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y", "Zr", "Nb", "Mo", "Tc", "Ru", "Rh",
            "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd",
            "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W", "Re",
            "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Th", "U"]
STAGES = ["mine", "refinery", "metal", "magnet", "component", "consumer", "stockpile", "recycler"]
NODE_STAGES = [s for s in STAGES if s != "consumer"]
RATIONING = ["proportional", "priority", "contract"]
EVENT_TYPES = ["export_restriction", "capacity_outage", "demand_shock", "logistics_delay",
               "stockpile_release", "capacity_expansion", "substitution", "recipe_switch",
               "recycling"]
DISTS = ["fixed", "uniform", "triangular", "normal", "lognormal", "pert", "discrete"]
METRICS = ["time_to_shortage", "peak_shortfall", "shortage_days", "unmet_t", "unmet_fraction",
           "units_lost", "value_lost_usd", "margin_lost_usd", "time_to_recover", "min_cover_days"]
FORMATS = ["json", "csv", "html", "md"]

COMMON_DEFS = {
    "include": {
        "description": "Files merged under this one (paths relative to this file). Maps merge "
                       "key by key, lists whose items all have an id (an edge: from, to and "
                       "material) merge by id, `- remove: ID` removes an included item, "
                       "anything else is replaced by this file's value.",
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
    "remove_item": {
        "description": "In a file that includes another: removes the included list's items "
                       "with this id (an id pattern with `*`, or an edge's `from->to:material` "
                       "or `from->to`).",
        "type": "object", "additionalProperties": False, "required": ["remove"],
        "properties": {"remove": {"anyOf": [{"type": "string"},
                                            {"type": "array", "items": {"type": "string"}}]}}},
    "csv_table": obj(
        "A CSV table: each row becomes one item of the enclosing list (header row = keys; "
        "dotted names such as `demand.ndfeb_sh` build nested mappings; empty cells are omitted).",
        {"csv": {"description": "The CSV file, relative to this YAML file.", "type": "string"},
         "columns": {"description": "Renames columns: `column: key`, or `column: ~` to drop it.",
                     "type": "object",
                     "additionalProperties": {"type": ["string", "null"]}},
         "defaults": {"description": "Values for keys a row does not set (missing column or "
                                     "empty cell).", "type": "object"},
         "where": {"description": "Keeps only rows whose column equals the value (or one of the "
                                  "values); all given columns must match.",
                   "type": "object",
                   "additionalProperties": {"anyOf": [
                       {"type": ["string", "number", "boolean"]},
                       {"type": "array", "items": {"type": ["string", "number", "boolean"]}}]}},
         "ignore_columns": {"description": "Columns to leave out.", "type": "array",
                            "items": {"type": "string"}}},
        ["csv"]),
    "time": {"description": "A date `YYYY-MM-DD`, or a day offset from the study start (a "
                            "duration: a number of days or e.g. `8 weeks`).",
             "anyOf": [{"type": "string", "pattern": DATE},
                       quantity("duration", "Day offset from the study start.")]},
    "quantity": {"description": "A number, or a number with a unit (the unit's dimension "
                                "depends on the parameter).",
                 "type": ["number", "string"], "pattern": rf"^ *{NUMBER} *[^ ].*$|^ *{NUMBER} *$"},
    "stock_level": {"description": "Days of cover (a number, or e.g. `60 days`) or tonnes "
                                   "(e.g. `500 t`).",
                    "anyOf": [quantity("duration", "Days of cover of the baseline use."),
                              quantity("mass", "Tonnes.")]},
    "amounts": {"description": "Material id -> tonnes per unit of activity (plain numbers >= 0).",
                "type": "object",
                "additionalProperties": quantity("count", "t per unit of activity.", minimum=0)},
}


def distribution_props(param_desc: str) -> dict:
    q = {"$ref": "#/$defs/quantity"}
    return {
        "dist": choice(DISTS, "Distribution kind."),
        "value": {**q, "description": f"fixed: the value. {param_desc}"},
        "min": {**q, "description": "uniform/triangular/pert: lower end; normal: optional "
                                    "truncation bound."},
        "mode": {**q, "description": "triangular/pert: most likely value."},
        "max": {**q, "description": "uniform/triangular/pert: upper end; normal: optional "
                                    "truncation bound."},
        "mean": {**q, "description": "normal/lognormal: mean (lognormal: of the variable itself, "
                                     "> 0)."},
        "sd": {**q, "description": "normal/lognormal: standard deviation (> 0)."},
        "lambda": quantity("count", "pert: shape parameter (> 0).", default=4),
        "values": {"description": "discrete: the possible values.", "type": "array",
                   "items": {"$ref": "#/$defs/quantity"}},
        "weights": {"description": "discrete: one weight per value (>= 0, not all 0); default "
                                   "equal weights.", "type": "array",
                    "items": quantity("count", "Weight.", minimum=0)},
    }


DIST_KEYS = {
    "fixed": (["value"], []),
    "uniform": (["min", "max"], []),
    "triangular": (["min", "mode", "max"], []),
    "pert": (["min", "mode", "max"], ["lambda"]),
    "normal": (["mean", "sd"], ["min", "max"]),
    "lognormal": (["mean", "sd"], []),
    "discrete": (["values"], ["weights"]),
}


def dist_conditionals(extra_keys: list[str]) -> list[dict]:
    out = []
    for kind, (req, opt) in DIST_KEYS.items():
        allowed = ["dist", *req, *opt, *extra_keys]
        out.append({"if": {"properties": {"dist": {"const": kind}}, "required": ["dist"]},
                    "then": {"required": req,
                             "propertyNames": {"enum": allowed}}})
    return out


def distribution_def() -> dict:
    return {
        "description": "A value (fixed), or a distribution `{dist: kind, ...}`.",
        "anyOf": [
            {"$ref": "#/$defs/quantity"},
            {"type": "object", "properties": distribution_props("A value."),
             "additionalProperties": False, "required": ["dist"],
             "allOf": dist_conditionals([])}]}


# ---- Model ----------------------------------------------------------------------------------
def provenance() -> dict:
    return {
        "source": text("Where the figures come from."),
        "note": text("Free-text note."),
        "confidence": choice(["H", "M", "L"], "Confidence in the figures: H, M or L."),
    }


ID_DESC = ("Identifier: letters, digits, `_`, `-`, `.`, `/`, starting with a letter or digit.")


def model_defs() -> dict:
    inventory_entry = obj(
        "Initial and target stock of one material.",
        {"material": ref("Material id."),
         "initial": {"$ref": "#/$defs/stock_level",
                     "description": "Initial stock: days of cover (number or e.g. `60 days`) "
                                    "or tonnes (e.g. `500 t`)."},
         "target": {"$ref": "#/$defs/stock_level",
                    "description": "Target stock the node replenishes toward; default: "
                                   "`initial`."}},
        ["material", "initial"])
    recipe = obj(
        "A way to produce: inputs and (joint) outputs per unit of activity.",
        {"id": ref(ID_DESC),
         "inputs": {"$ref": "#/$defs/amounts", "description": "Input material id -> t per unit "
                                                               "of activity."},
         "outputs": {"$ref": "#/$defs/amounts", "description": "Output material id -> t per "
                                                                "unit of activity (several = "
                                                                "joint production)."},
         "available_after": quantity("duration", "Days from the start of a run before the "
                                     "recipe may be used.", default=0, minimum=0)},
        ["id", "outputs"])
    common_node = {
        "id": ref(ID_DESC),
        "name": text("Display name; default: the id."),
        "replenishment_time": quantity("duration", "τ: days to close an inventory gap (> 0).",
                                       default=10),
        "inventory_days": quantity("duration", "Initial = target input stock, in days of "
                                   "baseline use (>= 0).", default=30, minimum=0),
        "inventory": {"description": "Per-material input stocks (override inventory_days).",
                      "type": "array",
                      "items": {"anyOf": [{"$ref": "#/$defs/inventory_entry"},
                                          {"$ref": "#/$defs/csv_table"}]}},
        **provenance(),
    }
    node = obj(
        "A facility or an aggregate of facilities at one stage.",
        {**common_node,
         "stage": choice(NODE_STAGES, "Stage of the chain (consumers go under `consumers`)."),
         "country": ref("Country id (not a group)."),
         "capacity": quantity("mass_rate", "Capacity of the node's activity (> 0; recyclers and "
                              "stockpiles may have 0). Required except for stockpiles."),
         "output_inventory_days": quantity("duration", "Initial = target finished-goods stock, in "
                                           "days of baseline output.", default=0),
         "output_inventory": {"description": "Per-material finished-goods stocks.",
                              "type": "array",
                              "items": {"anyOf": [{"$ref": "#/$defs/inventory_entry"},
                                                  {"$ref": "#/$defs/csv_table"}]}},
         "rationing": choice(RATIONING, "How output is allocated to customers' orders.",
                             default="proportional"),
         "source_origin": {"description": "Origin (origin tracking) of what a mine or recycler "
                                          "makes from nothing or a stockpile holds: one country "
                                          "id, or stage -> country id.",
                           "anyOf": [{"type": "string"},
                                     {"type": "object", "propertyNames": {"enum": STAGES},
                                      "additionalProperties": {"type": "string"}}]},
         "recipes": table("#/$defs/recipe", "Alternative recipes; the first is used unless "
                          "`recipe` says otherwise. Not with `inputs`/`outputs`."),
         "inputs": {"$ref": "#/$defs/amounts", "description": "Shorthand for a single recipe "
                                                               "`main`: input material id -> t "
                                                               "per unit of activity."},
         "outputs": {"$ref": "#/$defs/amounts", "description": "Shorthand for a single recipe "
                                                                "`main`: output material id -> "
                                                                "t per unit of activity."},
         "recipe": ref("Id of the recipe used from day 0; default: the first recipe.")},
        ["id", "stage", "country"])
    consumer = obj(
        "A sector's demand in a region.",
        {**common_node,
         "sector": text("Sector id, e.g. ev_traction."),
         "region": ref("Country or group id."),
         "demand": {"description": "Material id -> demand (at least one).", "type": "object",
                    "minProperties": 1,
                    "additionalProperties": quantity("mass_rate", "Demand.", minimum=0)},
         "units_per_tonne": quantity("per_mass", "Downstream units (e.g. vehicles) per tonne of "
                                     "demand.", default=0, minimum=0),
         "value_per_unit": quantity("money", "Value of one downstream unit.", default=0,
                                    minimum=0),
         "backorder": flag("Unmet demand is back-ordered instead of lost.", False),
         "inputs": choice(["independent", "complementary"],
                          "How the demanded materials combine into units: complementary = "
                          "every unit needs every material (the scarcest limits all); "
                          "independent = each material is its own product line.",
                          "independent"),
         "product": text("Physical product of the units (e.g. vehicle); consumers of one "
                         "product in a region are not counted twice."),
         "margin": quantity("fraction", "Value added lost per unit of value lost (gives "
                            "margin_lost_usd).", minimum=0, maximum=1),
         "unit_name": text("What units_per_tonne counts, e.g. vehicles.", "units"),
         "end_user": text("End-user class (e.g. military), for restrictions naming end users.",
                          "civil")},
        ["id", "sector", "region", "demand"])
    edge = obj(
        "Supplier -> customer link for one material. Give `share` or `flow`.",
        {"from": ref("Supplier node id (not a consumer)."),
         "to": ref("Customer node or consumer id."),
         "material": ref("Material id."),
         "share": quantity("fraction", "Share of the customer's purchases of this material; "
                           "shares per customer and material sum to 1.", minimum=0, maximum=1),
         "flow": quantity("mass_rate", "Baseline flow (alternative to share).", minimum=0),
         "lead_time": quantity("duration", "Transport + customs time.", default=0, minimum=0),
         "priority": integer("Class for `priority` rationing; 1 is served first.", default=1,
                             minimum=1, maximum=1000),
         "contract_share": quantity("fraction", "Share of the supplier's output under `contract` "
                                    "rationing (required then).", minimum=0, maximum=1),
         "qualification_time": quantity("duration", "For a standby edge (share 0): days from "
                                        "the customer's first under-delivery before the "
                                        "supplier can take share; overrides the study's "
                                        "engine settings. Ignored on edges with a share.",
                                        minimum=0),
         **provenance()},
        ["from", "to", "material"],
        oneOf=[{"required": ["share"]}, {"required": ["flow"]}])
    material = obj(
        "A traded good measured in tonnes.",
        {"id": ref(ID_DESC),
         "name": text("Display name; default: the id."),
         "family": text("Family, e.g. concentrate, oxide, metal, alloy, magnet (used by "
                        "material selections)."),
         "elements": {"description": "Element symbol -> mass fraction (each <= 1, sum <= 1).",
                      "type": "object", "propertyNames": {"enum": ELEMENTS},
                      "additionalProperties": quantity("fraction", "Mass fraction.", minimum=0,
                                                       maximum=1)},
         "price": quantity("price", "Price (>= 0).", minimum=0),
         **provenance()},
        ["id", "family"])
    country = {"description": "A country: an id (e.g. `CN`), or `{id, name}`.",
               "anyOf": [{"type": ["string", "number"]},
                         obj("A country.", {"id": ref(ID_DESC),
                                            "name": text("Display name; default: the id.")},
                             ["id"])]}
    group = obj("A named set of countries: `members`, or every country except `all_except`.",
                {"id": ref(ID_DESC),
                 "members": ref_list("Country ids."),
                 "all_except": ref_list("Country ids left out.")},
                ["id"], oneOf=[{"required": ["members"]}, {"required": ["all_except"]}])
    header = obj("Descriptive metadata shown in reports.",
                 {"name": text("Model name."),
                  "description": text("What the model covers."),
                  "base_year": integer("Year of the baseline figures."),
                  "sources": text_list("Sources."),
                  "assumptions": text_list("Assumptions.")})
    return {"model_header": header, "material": material, "country": country, "group": group,
            "inventory_entry": inventory_entry, "recipe": recipe, "node": node,
            "consumer": consumer, "edge": edge}


MODEL_REQUIRED = ["materials", "countries", "consumers", "edges"]


def model_properties() -> dict:
    return {
        "model": {"$ref": "#/$defs/model_header"},
        "materials": table("#/$defs/material", "Materials."),
        "countries": table("#/$defs/country", "Countries."),
        "groups": table("#/$defs/group", "Named country groups (usable wherever a country list "
                        "is accepted, and as consumer regions)."),
        "nodes": table("#/$defs/node", "Facilities (every stage but consumers)."),
        "consumers": table("#/$defs/consumer", "Sector x region demand."),
        "edges": table("#/$defs/edge", "Supplier -> customer links."),
    }


def model_object() -> dict:
    return {"description": "A model (the network).", "type": "object",
            "properties": model_properties(), "additionalProperties": False,
            "required": MODEL_REQUIRED}


# ---- Scenario -------------------------------------------------------------------------------
def scenario_defs() -> dict:
    country_sel = {
        "description": "Countries: `all`, a country/group id or a list of them, or "
                       "`{all_except: [...]}`.",
        "anyOf": [{"type": ["string", "number"]},
                  {"type": "array", "items": {"type": ["string", "number"]}},
                  obj("All countries except these.", {"all_except": ref_list("Country or group "
                                                                             "ids.")},
                      ["all_except"])]}
    material_sel = {
        "description": "Materials: `all`, a material id or a list of ids, or a mapping "
                       "(any match counts).",
        "anyOf": [{"type": ["string", "number"]},
                  {"type": "array", "items": {"type": ["string", "number"]}},
                  obj("Materials by id, family or element content.",
                      {"ids": ref_list("Material ids."),
                       "families": text_list("Material families."),
                       "elements_above": {"description": "Element symbol -> content threshold: "
                                                         "materials containing more are selected.",
                                          "type": "object",
                                          "additionalProperties": quantity("fraction",
                                                                           "Mass fraction.")},
                       "elements_sum_above": {
                           "description": "Materials whose summed content of the listed "
                                          "elements is strictly above the threshold: one "
                                          "`{elements, above}` or a list of them.",
                           "anyOf": [{"$ref": "#/$defs/element_sum"},
                                     {"type": "array", "items": {"$ref": "#/$defs/element_sum"}}]},
                       "all": flag("Every material.", False)})]}
    element_sum = obj("A sum of element contents above a threshold, e.g. Dy + Tb > 0.1 %.",
                      {"elements": {"description": "Element symbols.",
                                    "type": "array", "items": {"type": "string"}, "minItems": 1},
                       "above": quantity("fraction", "Threshold on the summed mass fraction.",
                                         minimum=0, maximum=1)},
                      ["elements", "above"])
    node_sel = {
        "description": "Nodes: a node id or a list, or `{nodes, countries, stages}` (all given "
                       "criteria must hold).",
        "anyOf": [{"type": ["string", "number"]},
                  {"type": "array", "items": {"type": ["string", "number"]}},
                  obj("Nodes by id, country and/or stage.",
                      {"nodes": ref_list("Node ids."),
                       "countries": ref_list("Country or group ids."),
                       "stages": {"description": "Stages. A single stage or a list.",
                                  "anyOf": [{"enum": STAGES},
                                            {"type": "array", "items": {"enum": STAGES}}]}})]}
    consumer_sel = {
        "description": "Consumers: a consumer id or a list, or `{consumers, sectors, regions}` "
                       "(all given criteria must hold; empty = all).",
        "anyOf": [{"type": ["string", "number"]},
                  {"type": "array", "items": {"type": ["string", "number"]}},
                  obj("Consumers by id, sector and/or region.",
                      {"consumers": ref_list("Consumer ids."),
                       "sectors": text_list("Sector ids."),
                       "regions": ref_list("Country or group ids.")})]}
    edge_sel = obj("Edges by endpoints, endpoint countries and material (all given criteria "
                   "must hold).",
                   {"from": ref_list("Supplier node ids."),
                    "to": ref_list("Customer node ids."),
                    "from_countries": ref_list("Supplier countries or groups."),
                    "to_countries": ref_list("Customer countries or groups."),
                    "materials": {"$ref": "#/$defs/material_selection"}})
    trigger = obj("What arms the mitigation: its start date, or a shortage at watched "
                  "consumers.",
                  {"on": choice(["date", "shortage"], "Trigger kind.", default="date"),
                   "watch": {"$ref": "#/$defs/consumer_selection",
                             "description": "Consumers watched for a shortage (default: any)."},
                   "threshold": quantity("fraction", "Shortfall fraction that counts as "
                                         "shortage.", default=0.01, minimum=0, maximum=1),
                   "lag": quantity("duration", "Days from the trigger to the start of the "
                                   "response.", default=0, minimum=0)})
    approval_step = obj("From this date on, this fraction of applications is approved.",
                        {"from": {"$ref": "#/$defs/time"},
                         "fraction": quantity("fraction", "Approved fraction.", minimum=0,
                                              maximum=1)},
                        ["from", "fraction"])
    licence = obj(
        "Licence regime settings.",
        {"review_delay": {"$ref": "#/$defs/distribution",
                          "description": "Days from application to decision: a duration or a "
                                         "distribution of durations; default `45 working days`."},
         "approval": {"description": "Approved fraction from the event start, or a list of "
                                     "steps in date order (nothing is approved before the first "
                                     "step).",
                      "anyOf": [quantity("fraction", "Approved fraction.", minimum=0, maximum=1),
                                {"type": "array",
                                 "items": {"anyOf": [{"$ref": "#/$defs/approval_step"},
                                                     {"$ref": "#/$defs/csv_table"}]}}]},
         "validity": {"description": "`one_shipment` (default) or how long an approved licence "
                                     "covers shipments (> 0).",
                      "anyOf": [{"const": "one_shipment"},
                                quantity("duration", "Validity.")],
                      "default": "one_shipment"},
         "volume_cap": quantity("count", "Cap of a one-shipment application (and of a "
                                "deterministic partial period licence) as a multiple of the "
                                "edge's normal flow (> 0); default: the study's "
                                "`engine.licence_volume_cap`."),
         "granted_at_start": flag("Licences are in force from the event's first day (applied "
                                  "for under the previous regime): no gap between regimes.",
                                  False),
         "resubmission": obj("Refused applications are filed again (absent: not resubmitted).",
                             {"delay": quantity("duration", "Days from a refusal to the new "
                                                "application (>= 1 day).", minimum=1),
                              "approval": {"description": "Approval of resubmitted "
                                                          "applications (same syntax as "
                                                          "`approval`); default: the "
                                                          "regime's.",
                                           "anyOf": [quantity("fraction", "Approved fraction.",
                                                              minimum=0, maximum=1),
                                                     {"type": "array",
                                                      "items": {"$ref": "#/$defs/approval_step"}}]},
                              "max_attempts": integer("Decisions per application, the first "
                                                      "included (1-100); default: unlimited.",
                                                      minimum=1, maximum=100)},
                             ["delay"])},
        ["approval"])
    quota = obj("Quota regime settings.",
                {"annual": quantity("mass_rate", "Cap across all restricted destinations, "
                                    "allocated pro rata (>= 0).", minimum=0)},
                ["annual"])

    common = {
        "type": choice(EVENT_TYPES, "Event type."),
        "id": text("Event id, unique in the scenario; default `<type>-<n>` (n = position, "
                   "from 1)."),
        "description": text("What happens."),
        "start": {"$ref": "#/$defs/time", "description": "First day: a date or a day offset."},
        "end": {"$ref": "#/$defs/time", "description": "Last day: a date or a day offset; "
                                                       "default: to the end of the horizon."},
    }
    specific = {
        "export_restriction": {
            "exporters": {"$ref": "#/$defs/country_selection",
                          "description": "Exporting countries (required)."},
            "materials": {"$ref": "#/$defs/material_selection",
                          "description": "Restricted materials (required)."},
            "destinations": {"$ref": "#/$defs/country_selection",
                             "description": "Restricted destinations; default: all."},
            "exporter_nodes": ref_list("Only edges from these supplier nodes (named "
                                       "exporters); default: all."),
            "destination_nodes": ref_list("Only edges to these customer nodes (named end "
                                          "users); with destination_sectors: either matches."),
            "destination_sectors": text_list("Only edges to consumers of these sectors; with "
                                             "destination_nodes: either matches."),
            "regime": choice(["ban", "licence", "quota"], "What passes: nothing, licensed "
                             "shipments, or a quota."),
            "licence": {"$ref": "#/$defs/licence"},
            "quota": {"$ref": "#/$defs/quota"},
            "de_minimis": quantity("fraction", "Content share below which goods pass.",
                                   minimum=0, maximum=1),
            "end_users": text_list("Only edges to consumers of these end-user classes."),
            "origin_content": obj(
                "Origin-content condition: the event covers an edge only on days the "
                "supplier's goods hold at least `at_least` of restricted-origin rare earths.",
                {"countries": ref_list("Restricted origins (countries or groups)."),
                 "stages": {"description": "Stages whose country counts; default: every "
                                           "tracked stage.",
                            "anyOf": [{"enum": STAGES},
                                      {"type": "array", "items": {"enum": STAGES}}]},
                 "measure": choice(["value", "mass"], "Content by value or by mass.", "value"),
                 "at_least": quantity("fraction", "Content at or above which goods are "
                                      "covered.", minimum=0, maximum=1)},
                ["countries", "at_least"]),
        },
        "capacity_outage": {
            "nodes": {"$ref": "#/$defs/node_selection", "description": "Affected nodes "
                                                                       "(required)."},
            "remaining": quantity("fraction", "Capacity fraction left.", default=0, minimum=0,
                                  maximum=1),
        },
        "demand_shock": {
            "consumers": {"$ref": "#/$defs/consumer_selection",
                          "description": "Affected consumers; default: all."},
            "factor": quantity("count", "Demand multiplier (>= 0).", minimum=0),
        },
        "logistics_delay": {
            "edges": {"$ref": "#/$defs/edge_selection", "description": "Affected edges "
                                                                       "(required)."},
            "extra_days": quantity("duration", "Extra lead time (>= 0).", minimum=0),
        },
        "stockpile_release": {
            "node": ref("Stockpile node id."),
            "materials": {"$ref": "#/$defs/material_selection",
                          "description": "Released materials; default: all it holds."},
            "rate": quantity("mass_rate", "Maximum release rate (>= 0).", minimum=0),
            "cover_below": quantity("duration", "Release only while eligible customers' cover "
                                    "is below this."),
            "eligible": {"$ref": "#/$defs/country_selection",
                         "description": "Countries of eligible customers; default: all."},
        },
        "capacity_expansion": {
            "node": ref("Producing node id."),
            "from": quantity("mass_rate", "Capacity at the start of the ramp (>= 0).", minimum=0),
            "to": quantity("mass_rate", "Capacity at the end of the ramp (>= 0).", minimum=0),
            "ramp": quantity("duration", "Days from start to full.", default=0, minimum=0),
            "trigger": {"$ref": "#/$defs/trigger"},
        },
        "substitution": {
            "consumers": {"$ref": "#/$defs/consumer_selection",
                          "description": "Consumers that substitute; default: all."},
            "material": ref("Material whose demand falls."),
            "max_reduction": quantity("fraction", "Fraction of demand that can move away.",
                                      minimum=0, maximum=1),
            "lag": quantity("duration", "Days before any reduction.", default=0, minimum=0),
            "ramp": quantity("duration", "Days from the end of the lag to the full reduction.",
                             default=0, minimum=0),
            "trigger": {"$ref": "#/$defs/trigger"},
        },
        "recipe_switch": {
            "node": ref("Node id."),
            "recipe": ref("Id of one of the node's recipes."),
            "qualification_lag": quantity("duration", "Days before the switch takes effect.",
                                          default=0, minimum=0),
        },
        "recycling": {
            "node": ref("Recycler node id."),
            "from": quantity("mass_rate", "Capacity at the start of the ramp (>= 0).", minimum=0),
            "to": quantity("mass_rate", "Capacity at the end of the ramp (>= 0).", minimum=0),
            "ramp": quantity("duration", "Days from start to full.", default=0, minimum=0),
        },
    }
    required = {
        "export_restriction": ["exporters", "materials", "regime"],
        "capacity_outage": ["nodes"],
        "demand_shock": ["factor"],
        "logistics_delay": ["edges", "extra_days"],
        "stockpile_release": ["node", "rate"],
        "capacity_expansion": ["node", "from", "to"],
        "substitution": ["material", "max_reduction"],
        "recipe_switch": ["node", "recipe"],
        "recycling": ["node", "from", "to"],
    }
    union = dict(common)
    for props in specific.values():
        for k, v in props.items():
            union.setdefault(k, v)
    # Keys shared by several types with different meanings get a neutral description.
    union["node"] = ref("Node id (stockpile_release: a stockpile; recycling: a recycler).")
    union["from"] = quantity("mass_rate", "capacity_expansion/recycling: capacity at the start "
                             "of the ramp.", minimum=0)
    union["to"] = quantity("mass_rate", "capacity_expansion/recycling: capacity at the end of "
                           "the ramp.", minimum=0)
    union["materials"] = {"$ref": "#/$defs/material_selection"}
    conditionals = []
    for t in EVENT_TYPES:
        allowed = list(common) + list(specific[t])
        then = {"required": required[t], "propertyNames": {"enum": allowed},
                "properties": specific[t]}
        if t == "export_restriction":
            then["allOf"] = [
                {"if": {"properties": {"regime": {"const": "licence"}}, "required": ["regime"]},
                 "then": {"required": ["licence"]}, "else": {"not": {"required": ["licence"]}}},
                {"if": {"properties": {"regime": {"const": "quota"}}, "required": ["regime"]},
                 "then": {"required": ["quota"]}, "else": {"not": {"required": ["quota"]}}}]
        conditionals.append({"if": {"properties": {"type": {"const": t}}, "required": ["type"]},
                             "then": then})
    event = {"description": "A time-bounded event: a shock or a mitigation. Keys depend on "
                            "`type`.",
             "type": "object", "properties": union, "additionalProperties": False,
             "required": ["type", "start"], "allOf": conditionals}
    header = obj("The scenario header.",
                 {"id": ref(ID_DESC + " Unique within a study."),
                  "name": text("Display name; default: the id."),
                  "description": text("What the scenario represents."),
                  "sources": text_list("Sources.")},
                 ["id"])
    return {"scenario_header": header, "event": event, "country_selection": country_sel,
            "material_selection": material_sel, "element_sum": element_sum,
            "node_selection": node_sel,
            "consumer_selection": consumer_sel, "edge_selection": edge_sel, "trigger": trigger,
            "approval_step": approval_step, "licence": licence, "quota": quota,
            "distribution": distribution_def()}


SCENARIO_REQUIRED = ["scenario", "events"]


def scenario_properties() -> dict:
    return {"scenario": {"$ref": "#/$defs/scenario_header"},
            "events": table("#/$defs/event", "The events.")}


def scenario_object() -> dict:
    return {"description": "A scenario given inline.", "type": "object",
            "properties": scenario_properties(), "additionalProperties": False,
            "required": SCENARIO_REQUIRED}


# ---- Study ----------------------------------------------------------------------------------
def study_defs() -> dict:
    param = {
        "description": "An uncertain parameter: a key path and a distribution. Values are in "
                       "the unit of the parameter the path ends at.",
        "type": "object",
        "properties": {
            "path": {"description": "Key path into the resolved study, e.g. "
                                    "`model.consumers[*].inventory_days` (wildcards `*`/`[*]`; "
                                    "`[x]` selects the item with id x, or index x).",
                     "type": "string"},
            "group": text("Parameters of one group share their random draw."),
            **distribution_props("The value.")},
        "additionalProperties": False, "required": ["path", "dist"],
        "allOf": dist_conditionals(["path", "group"])}
    combination = obj("One run: a scenario (or `baseline`) with mitigations.",
                      {"scenario": ref("Scenario id, or `baseline`."),
                       "mitigations": ref_list("Mitigation package ids."),
                       "id": text("Run id; default `scenario+mitigation+...`.")},
                      ["scenario"])
    header = obj("The study header.",
                 {"name": text("Short title."), "description": text("What the study asks.")},
                 ["name"])
    point = obj("One observation: the total over a period.",
                {"period": {"description": "YYYY-MM (period: month) or YYYY-MM-DD (period: "
                                           "day).", "type": "string"},
                 "value": quantity("count", "Amount in the series' unit (>= 0).", minimum=0)},
                ["period", "value"])
    observed = obj(
        "An observed series compared with a modelled trade aggregate (docs/formats.md, "
        "\"Observed series\"). Give `file` (a CSV) or `data`.",
        {"id": ref(ID_DESC),
         "file": text("CSV file, relative to this file; lines starting with `#` are comments."),
         "date_column": text("Column of the period.", "date"),
         "value_column": text("Column of the value.", "value"),
         "source_file": text("Set when the study is resolved: the CSV the data came from."),
         "data": {"description": "Observations inline (what `file` resolves to).",
                  "type": "array", "items": {"$ref": "#/$defs/observation"}},
         "unit": text("Mass unit of the values (t, kt, kg): amounts per period.", "t"),
         "period": choice(["month", "day"], "Length of a period.", "month"),
         "matches": obj("The modelled aggregate: `measure` tonnes summed over trade flows from "
                        "`exporters` to `importers` in `materials`.",
                        {"measure": choice(["shipped", "arrived"], "Shipped (leaving the "
                                           "exporter) or arrived (reaching the importer).",
                                           "shipped"),
                         "exporters": {"$ref": "#/$defs/country_selection"},
                         "importers": {"$ref": "#/$defs/country_selection"},
                         "materials": {"$ref": "#/$defs/material_selection"}}),
         "runs": ref_list("Run (combination) ids compared; default: every run with a "
                          "scenario.")},
        ["id", "matches"])
    window = obj("A window of months or days (a month means its first day in `from`, its last "
                 "in `to`).",
                 {"from": {"type": "string", "description": "YYYY-MM or YYYY-MM-DD."},
                  "to": {"type": "string", "description": "YYYY-MM or YYYY-MM-DD."}},
                 ["from", "to"])
    cal_param = obj("A calibrated parameter: a key path (as in monte_carlo.params) and bounds "
                    "in the unit of the value it points at.",
                    {"path": text("Key path into the resolved study (model, scenarios, "
                                  "mitigations, engine or shortage_threshold)."),
                     "min": quantity("count", "Lower bound (with the unit of the value)."),
                     "max": quantity("count", "Upper bound (with the unit of the value).")},
                    ["path", "min", "max"])
    calibration = obj(
        "Calibration (`rareshock calibrate`; docs/formats.md, \"Calibration\").",
        {"run": ref("The run (combination id) simulated."),
         "observed": ref_list("Observed series ids fitted; default: all."),
         "parameters": {"description": "Parameters fitted.", "type": "array",
                        "items": {"$ref": "#/$defs/calibration_parameter"}},
         "training": {"$ref": "#/$defs/window"},
         "validation": {"$ref": "#/$defs/window"},
         "objective": choice(["rmse", "relative_rmse", "mae"], "What is minimised (mean over "
                             "the series, on the training window).", "rmse"),
         "algorithm": choice(["bobyqa", "neldermead", "sbplx"], "NLopt derivative-free "
                             "algorithm.", "bobyqa"),
         "max_evaluations": integer("Most objective evaluations (1 to 100,000).", default=200,
                                    minimum=1, maximum=100000)},
        ["run", "parameters"])
    # Monte Carlo/unit-bearing bounds: any quantity text.
    cal_param["properties"]["min"] = {"description": "Lower bound (with the unit of the value).",
                                      "type": ["number", "string"]}
    cal_param["properties"]["max"] = {"description": "Upper bound (with the unit of the value).",
                                      "type": ["number", "string"]}
    return {"study_header": header, "parameter": param, "combination": combination,
            "observation": point, "observed_series": observed, "window": window,
            "calibration_parameter": cal_param, "calibration": calibration,
            "model_object": model_object(), "scenario_object": scenario_object()}


def study_properties() -> dict:
    scen = {"anyOf": [{"type": "string", "description": "Path of a scenario file, relative "
                                                         "to this file."},
                      {"$ref": "#/$defs/scenario_object"}]}
    return {
        "study": {"$ref": "#/$defs/study_header"},
        "model": {"description": "The model: a file path (relative to this file) or the model "
                                 "inline.",
                  "anyOf": [{"type": "string"}, {"$ref": "#/$defs/model_object"}]},
        "scenarios": {"description": "Shock scenarios: file paths or inline scenarios.",
                      "type": "array", "items": scen},
        "mitigations": {"description": "Mitigation packages (scenario files): file paths or "
                                       "inline.", "type": "array", "items": scen},
        "start": {"description": "Date of day 0.", "type": "string", "pattern": DATE},
        "horizon": quantity("duration", "Days simulated (1 day to 100 years; rounded to whole "
                            "days).", default=730),
        "shortage_threshold": quantity("fraction", "Shortfall fraction that counts as shortage "
                                       "(> 0).", default=0.01, minimum=0, maximum=1),
        "seed": integer("Master random seed (>= 0).", default=1, minimum=0),
        "combinations": {"description": "`auto` (default: baseline, each scenario, each scenario "
                                        "with each mitigation, and with all mitigations when "
                                        "there are several) or a list of runs.",
                         "anyOf": [{"const": "auto"},
                                   {"type": "array",
                                    "items": {"anyOf": [{"$ref": "#/$defs/combination"},
                                                        {"$ref": "#/$defs/csv_table"}]}}],
                         "default": "auto"},
        "monte_carlo": obj("Uncertainty to sample.",
                           {"draws": integer("Number of draws (0 to 10,000,000).", default=0,
                                             minimum=0, maximum=10000000),
                            "params": table("#/$defs/parameter", "Uncertain parameters.")}),
        "sensitivity": obj("Sensitivity analysis.",
                           {"tornado": flag("One-at-a-time tornado (low/high of each uncertain "
                                            "parameter).", False),
                            "sobol": flag("Variance-based (Sobol) indices.", False),
                            "sobol_samples": integer("Sobol base samples (8 to 1,000,000).",
                                                     default=256, minimum=8, maximum=1000000),
                            "metrics": {"description": "Metrics analysed. A single metric or a "
                                                       "list.",
                                        "anyOf": [{"enum": METRICS},
                                                  {"type": "array", "items": {"enum": METRICS}}]}}),
        "engine": obj("Behavioural parameters of the engine.",
                      {"switching_lag": quantity("duration", "Time constant of moving orders "
                                                 "away from a supplier that under-delivers "
                                                 "(>= 1 day).", default=30, minimum=1),
                       "share_reversion": quantity("duration", "Time constant of shares "
                                                   "returning to baseline once all suppliers "
                                                   "deliver (>= 1 day).", default=180,
                                                   minimum=1),
                       "licence_volume_cap": quantity("count", "Licensed volume per edge as a "
                                                      "multiple of its normal flow (> 0).",
                                                      default=1),
                       "qualification_time": quantity("duration", "Days a standby supplier "
                                                      "(baseline share 0) needs, from its "
                                                      "customer's first under-delivery, before "
                                                      "it can take share (>= 0).", default=0,
                                                      minimum=0),
                       "qualification": {"description": "Material id -> qualification time, "
                                                        "overriding qualification_time for "
                                                        "standby edges of that material.",
                                         "type": "object",
                                         "additionalProperties": quantity(
                                             "duration", "Qualification time.", minimum=0)},
                       "origin": obj("Origin tracking (docs/model.md).",
                                     {"stages": {"description": "Stages whose country makes "
                                                                "a material's origin.",
                                                 "anyOf": [{"enum": STAGES},
                                                           {"type": "array",
                                                            "items": {"enum": STAGES}}]},
                                      "tracking": choice(["auto", "on", "off"], "When to "
                                                         "track origins.", "auto")})}),
        "analysis": obj("Structural analysis of the model (docs/analysis.md): `rareshock run` "
                        "writes it to <output>/analysis/ when this section is present.",
                        {"criticality_days": quantity("duration", "Outage length D of the "
                                                      "criticality ranking (>= 1 day).",
                                                      default=90, minimum=1),
                         "criticality_horizon": quantity("duration", "Days simulated per "
                                                         "outage; 0: D + 365 days.", default=0,
                                                         minimum=0),
                         "restrictions_from": ref("A scenario or mitigation id of this study: "
                                                  "chokepoints also under its restrictions.")}),
        "observed": {"description": "Observed series to compare runs with.", "type": "array",
                     "items": {"$ref": "#/$defs/observed_series"}},
        "calibration": {"$ref": "#/$defs/calibration"},
        "overrides": {"description": "`key.path=value` texts applied to the resolved study, "
                                     "like --set (written by `rareshock calibrate` into "
                                     "calibrated.yaml).",
                      "type": "array", "items": {"type": "string"}},
        "focus": obj("Regions and sectors the report and the console list first.",
                     {"regions": {"description": "Consumer regions (ids as the consumers "
                                                 "write them). A single id or a list.",
                                  "anyOf": [{"type": "string"},
                                            {"type": "array", "items": {"type": "string"}}]},
                      "sectors": {"description": "Consumer sectors. A single id or a list.",
                                  "anyOf": [{"type": "string"},
                                            {"type": "array", "items": {"type": "string"}}]}}),
        "outputs": obj("Outputs wanted.",
                       {"node_series": flag("Daily series per node.", False),
                        "edge_series": flag("Daily series per edge.", False),
                        "trade_series": flag("timeseries/trade.csv and trade_monthly.csv.",
                                             True),
                        "formats": {"description": "Output formats; default: all four (the html and md reports need json and csv, which they imply).",
                                    "default": FORMATS,
                                    "anyOf": [{"enum": FORMATS},
                                              {"type": "array", "items": {"enum": FORMATS}}]}}),
    }


def with_include(props: dict, required: list[str]) -> dict:
    """Top-level object: `include` allowed; required keys may come from included files."""
    return {"type": "object",
            "properties": {"include": {"$ref": "#/$defs/include"}, **props},
            "additionalProperties": False,
            "anyOf": [{"required": required}, {"required": ["include"]}]}


def schema(kind: str, title: str, description: str, body: dict, defs: dict) -> dict:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": title, "description": description, **body, "$defs": defs}


def build() -> dict[str, dict]:
    common = dict(COMMON_DEFS)
    m_defs = {**common, **model_defs()}
    s_defs = {**common, **scenario_defs()}
    model = schema("model", "rareshock model",
                   "A rareshock model file: materials, countries, groups, nodes, consumers and "
                   "edges. See docs/formats.md.",
                   with_include(model_properties(), MODEL_REQUIRED), m_defs)
    scenario = schema("scenario", "rareshock scenario",
                      "A rareshock scenario file: a header and a list of events. See "
                      "docs/formats.md.",
                      with_include(scenario_properties(), SCENARIO_REQUIRED), s_defs)
    study = schema("study", "rareshock study",
                   "A rareshock study file: model, scenarios, time frame, uncertainty, outputs. "
                   "See docs/formats.md.",
                   with_include(study_properties(), ["study", "model", "start"]),
                   {**m_defs, **s_defs, **study_defs()})
    return {"model": model, "scenario": scenario, "study": study}


def render(s: dict) -> str:
    return json.dumps(s, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv[1:]
    stale = []
    for kind, s in build().items():
        path = HERE / f"{kind}.schema.json"
        text_ = render(s)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text_:
                stale.append(path.name)
        else:
            path.write_text(text_, encoding="utf-8")
    if stale:
        print("schema files out of date (run docs/schema/generate.py): " + ", ".join(stale),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
