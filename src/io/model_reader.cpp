// Reads and checks model files: materials, countries, groups, nodes, consumers, edges.
#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "rareshock/core/text.hpp"
#include "readers.hpp"

namespace rareshock::io {
namespace {

// Longest edge lead time [d]: the engine keeps a pipeline cell per day of lead time per input slot.
constexpr int kMaxLeadTimeDays = 3650;

const std::vector<std::string> kElementList = {
    "H",  "He", "Li", "Be", "B",  "C",  "N",  "O",  "F",  "Ne", "Na", "Mg", "Al", "Si", "P",
    "S",  "Cl", "Ar", "K",  "Ca", "Sc", "Ti", "V",  "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn",
    "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y",  "Zr", "Nb", "Mo", "Tc", "Ru", "Rh",
    "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I",  "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd",
    "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W",  "Re",
    "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Th", "U"};

Provenance read_provenance(MapReader& r) {
  std::string source = r.opt_text("source").value_or("");
  std::string note = r.opt_text("note").value_or("");
  std::string confidence;
  if (r.has("confidence")) {
    static const std::vector<std::string> levels = {"H", "M", "L"};
    confidence = levels[r.choice("confidence", levels, 0)];
  }
  return Provenance(std::move(source), std::move(confidence), std::move(note));
}

StockLevel read_stock_level(Diagnostics& d, const TreeNode& n, const std::string& path) {
  StockLevel s;
  if (n.is_scalar()) {
    QuantityParse days = parse_quantity(n.scalar, Dimension::Duration);
    if (days.value) {
      s.value = *days.value;
      s.in_days = true;
    } else if (QuantityParse t = parse_quantity(n.scalar, Dimension::Mass); t.value) {
      s.value = *t.value;
    } else {
      d.error(n.loc, path, "'" + n.scalar + "' is neither days of cover nor a mass",
              "days of cover (a number, or e.g. '60 days') or tonnes (e.g. '500 t')");
      return s;
    }
  } else {
    d.error(n.loc, path, "expected a stock level, found " + describe(n),
            "days of cover (e.g. '60 days') or tonnes (e.g. '500 t')");
    return s;
  }
  if (s.value < 0) d.error(n.loc, path, "a stock level must not be negative", "a value >= 0");
  return s;
}

// \p stockpile: stock levels must be in tonnes (a stockpile has no baseline use to count
// days of cover against).
std::vector<InventorySpec> read_inventory(Diagnostics& d, TreeNode* n, const std::string& path,
                                          bool stockpile = false) {
  std::vector<InventorySpec> out;
  if (!n) return out;
  for_each_item(d, *n, path, "inventory entry", [&](TreeNode& item, const std::string& p) {
    MapReader r(d, item, p, "an inventory entry");
    if (!r.valid()) return;
    InventorySpec s;
    s.origin = {item.loc, p};
    s.material = r.ref("material", "a material id");
    TreeNode* init = r.need("initial", "days of cover or tonnes, e.g. '60 days' or '500 t'");
    auto no_days = [&](const StockLevel& l, const TreeNode& v, const char* key) {
      if (stockpile && l.in_days)
        d.error(v.loc, r.at(key),
                "a stockpile's stock cannot be given in days: a stockpile has no baseline use, "
                "so '" +
                    v.scalar + "' would be 0 t",
                "tonnes, e.g. '500 t' (days of cover of its eligible customers are not "
                "defined: releases serve whoever is eligible)");
    };
    if (init) {
      s.initial = read_stock_level(d, *init, r.at("initial"));
      no_days(s.initial, *init, "initial");
    }
    if (TreeNode* t = r.get("target")) {
      s.target = read_stock_level(d, *t, r.at("target"));
      no_days(s.target, *t, "target");
    } else {
      s.target = s.initial;
    }
    r.finish();
    out.push_back(s);
  });
  return out;
}

Recipe read_recipe_body(MapReader& r, const std::string& id) {
  Recipe rec;
  rec.id = id;
  rec.origin = {r.loc(), r.path()};
  if (TreeNode* in = r.get("inputs"))
    for (auto& [ref, v] : read_amounts(r.diag(), *in, r.at("inputs"), Dimension::Count))
      rec.inputs.push_back({ref, v});
  if (TreeNode* out = r.get("outputs"))
    for (auto& [ref, v] : read_amounts(r.diag(), *out, r.at("outputs"), Dimension::Count))
      rec.outputs.push_back({ref, v});
  return rec;
}

Material read_material(Diagnostics& d, TreeNode& n, const std::string& path) {
  Material m;
  MapReader r(d, n, path, "a material");
  if (!r.valid()) return m;
  m.origin = {n.loc, path};
  m.id = r.id();
  m.name = r.text("name", m.id);
  m.family = r.required_text("family", "a family such as concentrate, oxide, metal, alloy, magnet");
  if (TreeNode* el = r.get("elements")) {
    double sum = 0;
    for (auto& [ref, v] : read_amounts(d, *el, r.at("elements"), Dimension::Fraction)) {
      if (std::find(element_symbols().begin(), element_symbols().end(), ref.id) ==
          element_symbols().end()) {
        d.error(ref.loc, child_path(r.at("elements"), ref.id),
                "'" + ref.id + "' is not a chemical element symbol", "e.g. Nd, Pr, Dy, Tb, Sm, Fe",
                did_you_mean(ref.id, element_symbols()));
        continue;
      }
      if (v > 1) {
        d.error(ref.loc, child_path(r.at("elements"), ref.id),
                "element content " + pretty_number(v) + " is more than 1",
                "a mass fraction in [0, 1]");
        continue;
      }
      m.elements[ref.id] = v;
      sum += v;
    }
    if (sum > 1 + 1e-9)
      d.error(el->loc, r.at("elements"),
              "element contents add up to " + pretty_number(sum) + ", more than 1",
              "mass fractions that sum to at most 1");
  }
  m.price = r.opt_quantity("price", Dimension::Price);
  if (m.price && *m.price < 0)
    d.error(r.loc_of("price"), r.at("price"), "a price must not be negative", "a price >= 0");
  m.provenance = read_provenance(r);
  r.finish();
  return m;
}

void read_node_common(MapReader& r, Node& node) {
  Diagnostics& d = r.diag();
  node.name = r.text("name", node.id);
  node.replenishment_time = r.quantity("replenishment_time", Dimension::Duration, 10);
  if (node.replenishment_time <= 0)
    d.error(r.loc_of("replenishment_time"), r.at("replenishment_time"),
            "replenishment_time must be positive", "a duration > 0, e.g. '10 days'");
  node.inventory_days = r.quantity("inventory_days", Dimension::Duration, 30);
  if (node.inventory_days < 0)
    d.error(r.loc_of("inventory_days"), r.at("inventory_days"),
            "inventory_days must not be negative", "a duration >= 0");
  node.inventory =
      read_inventory(d, r.get("inventory"), r.at("inventory"), node.stage == Stage::Stockpile);
  node.provenance = read_provenance(r);
}

// `source_origin`: a country for every tracked stage, or {stage: country}.
std::vector<std::pair<Stage, Ref>> read_source_origin(Diagnostics& d, TreeNode& so,
                                                      const std::string& path) {
  std::vector<std::pair<Stage, Ref>> out;
  if (so.is_scalar()) {
    if (auto c = read_text(d, so, path))
      for (Stage s : {Stage::Mine, Stage::Refinery, Stage::Metal, Stage::Magnet, Stage::Component})
        out.push_back({s, Ref{*c, so.loc}});
    return out;
  }
  if (!so.is_map()) {
    d.error(so.loc, path, "expected a country id or {stage: country}, got " + describe(so),
            "source_origin: CN, or {mine: CN, refinery: MY}");
    return out;
  }
  const auto names = stage_names();
  for (auto& entry : so.entries) {
    const std::string p = child_path(path, entry.key);
    auto it = std::find(names.begin(), names.end(), entry.key);
    auto c = read_text(d, entry.value, p);
    if (it == names.end())
      d.error(entry.key_loc, p, "unknown stage '" + entry.key + "'", "one of: " + join(names),
              did_you_mean(entry.key, names));
    else if (c)
      out.push_back({static_cast<Stage>(it - names.begin()), Ref{*c, entry.value.loc}});
  }
  return out;
}

// A node's `stage` (any but consumer: consumers have their own section).
std::optional<Stage> read_node_stage(MapReader& r, const TreeNode& n) {
  auto names = stage_names();
  names.erase(std::find(names.begin(), names.end(), "consumer"));
  auto st = r.required_choice("stage", names);
  if (!st && r.has("stage")) {
    if (const TreeNode* s = n.find("stage"); s && s->scalar == "consumer") {
      // The generic message said "invalid value"; this is the common mistake.
      r.diag().error(s->loc, r.at("stage"), "consumers are declared in the 'consumers' section", {},
                     "move this entry under 'consumers:' with sector, region and demand");
    }
  }
  if (!st) return std::nullopt;
  const auto all = stage_names();
  return static_cast<Stage>(std::find(all.begin(), all.end(), names[*st]) - all.begin());
}

// A node's `recipes` list, or the single recipe of its `inputs`/`outputs` shorthand, and the
// recipe used at the start (`recipe`).
void read_node_recipes(MapReader& r, Node& node) {
  Diagnostics& d = r.diag();
  if (TreeNode* recs = r.get("recipes")) {
    if (r.has("inputs") || r.has("outputs"))
      d.error(r.loc_of(r.has("inputs") ? "inputs" : "outputs"), r.path(),
              "give either 'recipes' or 'inputs'/'outputs', not both", {},
              "'inputs'/'outputs' are a shorthand for a single recipe");
    for_each_item(d, *recs, r.at("recipes"), "recipe", [&](TreeNode& item, const std::string& p) {
      MapReader rr(d, item, p, "a recipe");
      if (!rr.valid()) return;
      std::string rid = rr.id();
      Recipe rec = read_recipe_body(rr, rid);
      rec.available_after = rr.quantity("available_after", Dimension::Duration, 0);
      if (rec.available_after < 0)
        d.error(rr.loc_of("available_after"), rr.at("available_after"),
                "available_after must not be negative", "a duration >= 0");
      rr.finish();
      node.recipes.push_back(rec);
    });
  } else if (r.has("inputs") || r.has("outputs")) {
    node.recipes.push_back(read_recipe_body(r, "main"));
  } else {
    r.allow({"inputs", "outputs"});
  }
  if (!node.recipes.empty())
    node.recipe = r.text("recipe", node.recipes.front().id);
  else
    r.allow({"recipe"});
}

// What a node of its stage must (not) have: recipes, capacity, inventory.
void check_node_stage(MapReader& r, const TreeNode& n, const Node& node) {
  Diagnostics& d = r.diag();
  const std::string& path = r.path();
  const bool stockpile = node.stage == Stage::Stockpile;
  if (!stockpile && node.recipes.empty())
    d.error(n.loc, path, "a " + std::string(to_string(node.stage)) + " node needs a recipe",
            "'outputs: {material: t per unit}' (and 'inputs:' unless it is a mine or recycler), "
            "or a 'recipes' list");
  if (stockpile && !node.recipes.empty())
    d.error(r.loc_of("recipes"), path, "a stockpile has no recipes; it holds 'inventory'");
  if (!stockpile && !node.capacity && !r.has("capacity"))
    d.error(n.loc, path, "missing required key 'capacity' in a node",
            expected_text(Dimension::MassRate));
  if (node.capacity) {
    bool zero_ok = node.stage == Stage::Recycler || stockpile;
    const double cap = node.capacity->per_year();
    if (cap < 0 || (!zero_ok && cap == 0))
      d.error(r.loc_of("capacity"), r.at("capacity"),
              "capacity must be positive, got " + pretty_number(cap) + " t/yr",
              zero_ok ? "a rate >= 0"
                      : "a rate > 0 (use a capacity_outage event to switch a node off)");
  }
  if (stockpile && node.inventory.empty())
    d.error(n.loc, path, "a stockpile needs an 'inventory' list of what it holds",
            "inventory: [{material: dy_oxide, initial: '200 t'}]");
  for (const auto& rec : node.recipes) {
    if (rec.outputs.empty())
      d.error(rec.origin.loc, rec.origin.path, "recipe '" + rec.id + "' has no outputs",
              "outputs: {material: t per unit of activity}");
    if (node.stage == Stage::Mine && !rec.inputs.empty())
      d.error(rec.inputs.front().material.loc, rec.origin.path, "a mine recipe takes no inputs");
  }
}

Node read_node(Diagnostics& d, TreeNode& n, const std::string& path, ItemOrigin origin) {
  Node node;
  MapReader r(d, n, path, "a node");
  if (!r.valid()) return node;
  node.origin = std::move(origin);
  node.id = r.id();
  const std::optional<Stage> st = read_node_stage(r, n);
  if (st) node.stage = *st;
  node.country = r.ref("country", "a country id such as CN");
  if (auto cap = r.opt_quantity("capacity", Dimension::MassRate))
    node.capacity = Rate::per_year(*cap);
  read_node_common(r, node);
  node.output_inventory_days = r.quantity("output_inventory_days", Dimension::Duration, 0);
  node.output_inventory = read_inventory(d, r.get("output_inventory"), r.at("output_inventory"));
  node.rationing = static_cast<Rationing>(r.choice("rationing", rationing_names(), 0));
  if (TreeNode* so = r.get("source_origin"))
    node.source_origin = read_source_origin(d, *so, r.at("source_origin"));
  read_node_recipes(r, node);

  // Arrivals are used the day after they arrive (transport runs after production), so a
  // producer cannot hold steady state on less than one day of input stock (docs/model.md).
  if (st && node.stage != Stage::Stockpile && r.has("inventory_days") && node.inventory_days < 1 &&
      std::any_of(node.recipes.begin(), node.recipes.end(),
                  [](const Recipe& rec) { return !rec.inputs.empty(); }))
    d.warning(r.loc_of("inventory_days"), r.at("inventory_days"),
              "inventory_days " + pretty_number(node.inventory_days) +
                  " is less than one day: what arrives is used the next day (transport runs "
                  "after production), so the engine keeps at least one day of use of each "
                  "input on hand",
              "inventory_days: 1 (or more) says what the engine does");
  if (st) check_node_stage(r, n, node);
  r.finish();
  return node;
}

Node read_consumer(Diagnostics& d, TreeNode& n, const std::string& path, ItemOrigin origin) {
  Node node;
  node.stage = Stage::Consumer;
  MapReader r(d, n, path, "a consumer");
  if (!r.valid()) return node;
  node.origin = std::move(origin);
  node.id = r.id();
  node.sector = r.required_text("sector", "a sector id such as ev_traction");
  node.region = r.ref("region", "a country or group id such as EU");
  node.country = node.region;
  if (TreeNode* dm = r.need("demand", "demand per material, e.g. {ndfeb_sh: '1200 t/yr'}"))
    for (auto& [ref, v] : read_amounts(d, *dm, r.at("demand"), Dimension::MassRate))
      node.demand.push_back({ref, v});
  if (r.has("demand") && node.demand.empty() && d.error_count() == 0)
    d.error(r.loc_of("demand"), r.at("demand"), "a consumer needs demand for at least one material",
            "e.g. {ndfeb_sh: '1200 t/yr'}");
  node.units_per_tonne = r.quantity("units_per_tonne", Dimension::PerMass, 0);
  node.value_per_unit = r.quantity("value_per_unit", Dimension::Money, 0);
  if (node.units_per_tonne < 0 || node.value_per_unit < 0)
    d.error(n.loc, path, "units_per_tonne and value_per_unit must not be negative");
  node.backorder = r.flag("backorder", false);
  node.inputs = static_cast<ConsumerInputs>(r.choice("inputs", consumer_inputs_names(), 0));
  node.product = r.text("product", "");
  node.margin = r.opt_fraction("margin");
  node.unit_name = r.text("unit_name", "");
  node.end_user = r.text("end_user", "civil");
  read_node_common(r, node);
  r.finish();
  return node;
}

Edge read_edge(Diagnostics& d, TreeNode& n, const std::string& path, ItemOrigin origin) {
  Edge e;
  MapReader r(d, n, path, "an edge");
  if (!r.valid()) return e;
  e.origin = std::move(origin);
  e.from = r.ref("from", "the supplier's node id");
  e.to = r.ref("to", "the customer's node id");
  e.material = r.ref("material", "a material id");
  e.share = r.opt_fraction("share");
  e.flow = r.opt_quantity("flow", Dimension::MassRate);
  if (r.has("share") && r.has("flow"))
    d.error(r.loc_of("flow"), path, "give either 'share' or 'flow' for an edge, not both");
  if (!r.has("share") && !r.has("flow"))
    d.error(n.loc, path, "an edge needs 'share' (of the customer's purchases) or 'flow' (t/yr)",
            "share: 0.6   or   flow: '1200 t/yr'");
  if (e.flow && *e.flow < 0)
    d.error(r.loc_of("flow"), r.at("flow"), "flow must not be negative", "a rate >= 0");
  e.lead_time = Duration::days(r.quantity("lead_time", Dimension::Duration, 0));
  if (e.lead_time.days() < 0 || e.lead_time.days() > kMaxLeadTimeDays)
    d.error(
        r.loc_of("lead_time"), r.at("lead_time"),
        "lead_time must be between 0 and 10 years (" + std::to_string(kMaxLeadTimeDays) + " days)",
        "a duration >= 0, e.g. '35 days'",
        "every day of lead time is a day of pipeline the engine keeps per edge");
  auto pr = r.integer("priority", 1);
  if (pr < 1 || pr > 1000)
    d.error(r.loc_of("priority"), r.at("priority"), "priority must be between 1 and 1000",
            "1 (served first), 2, ...");
  e.priority = static_cast<int>(pr);
  e.contract_share = r.opt_fraction("contract_share");
  e.qualification_time = r.opt_quantity("qualification_time", Dimension::Duration);
  if (e.qualification_time && *e.qualification_time < 0)
    d.error(r.loc_of("qualification_time"), r.at("qualification_time"),
            "qualification_time must not be negative", "a duration >= 0, e.g. '180 days'");
  e.provenance = read_provenance(r);
  r.finish();
  return e;
}

}  // namespace

const std::vector<std::string>& element_symbols() {
  return kElementList;
}

Model read_model(Diagnostics& d, TreeNode& root, const std::string& path) {
  Model m;
  MapReader r(d, root, path, path.empty() ? "a model file" : "the model");
  if (!r.valid()) return m;
  if (TreeNode* info = r.get("model")) {
    MapReader ri(d, *info, r.at("model"), "the model header");
    if (ri.valid()) {
      m.info.name = ri.text("name", "");
      m.info.description = ri.opt_text("description").value_or("");
      m.info.base_year = static_cast<int>(ri.opt_integer("base_year").value_or(0));
      m.info.sources = ri.text_list("sources");
      m.info.assumptions = ri.text_list("assumptions");
      ri.finish();
    }
  }
  if (TreeNode* n = r.need("materials", "a list of materials"))
    for_each_item(d, *n, r.at("materials"), "material", [&](TreeNode& item, const std::string& p) {
      m.materials.push_back(read_material(d, item, p));
    });
  if (TreeNode* n = r.need("countries", "a list of countries, e.g. [{id: CN, name: China}]"))
    for_each_item(d, *n, r.at("countries"), "country", [&](TreeNode& item, const std::string& p) {
      Country c;
      if (item.is_scalar()) {
        c.id = item.scalar;
        c.name = item.scalar;
      } else {
        MapReader rc(d, item, p, "a country");
        if (!rc.valid()) return;
        c.id = rc.id();
        c.name = rc.text("name", c.id);
        rc.finish();
      }
      c.origin = {item.loc, p};
      m.countries.push_back(c);
    });
  if (TreeNode* n = r.get("groups"))
    for_each_item(d, *n, r.at("groups"), "group", [&](TreeNode& item, const std::string& p) {
      MapReader rg(d, item, p, "a country group");
      if (!rg.valid()) return;
      CountryGroup g;
      g.origin = {item.loc, p};
      g.id = rg.id();
      g.members = rg.ref_list("members");
      g.all_except = rg.ref_list("all_except");
      g.complement = rg.has("all_except");
      if (rg.has("members") == rg.has("all_except"))
        d.error(item.loc, p, "a group needs exactly one of 'members' or 'all_except'",
                "members: [DE, FR]   or   all_except: [CN]");
      rg.finish();
      m.groups.push_back(g);
    });
  // Each item keeps its location, its list's path and its position (ItemOrigin). Records
  // citing the same provenance (a CSV's rows) share one copy of its text (interned).
  auto origin = [](TreeNode& list, const Symbol& list_path, TreeNode& item) {
    return ItemOrigin{item.loc, list_path, static_cast<int>(&item - list.items.data())};
  };
  if (TreeNode* n = r.get("nodes")) {
    const Symbol list = r.at("nodes");
    for_each_item(d, *n, list, "node", [&](TreeNode& item, const std::string& p) {
      m.nodes.push_back(read_node(d, item, p, origin(*n, list, item)));
    });
  }
  if (TreeNode* n = r.need("consumers", "a list of consumers (sector x region demand)")) {
    const Symbol list = r.at("consumers");
    for_each_item(d, *n, list, "consumer", [&](TreeNode& item, const std::string& p) {
      m.nodes.push_back(read_consumer(d, item, p, origin(*n, list, item)));
    });
  }
  if (TreeNode* n = r.need("edges", "a list of supplier -> customer edges")) {
    m.edges.reserve(n->is_seq() ? n->items.size() : 0);
    const Symbol list = r.at("edges");
    for_each_item(d, *n, list, "edge", [&](TreeNode& item, const std::string& p) {
      m.edges.push_back(read_edge(d, item, p, origin(*n, list, item)));
    });
  }
  r.finish();
  return m;
}

// The countries named by nodes' `source_origin`.
static void check_source_origins(Diagnostics& d, const Model& m) {
  std::vector<std::string> ids;
  for (const auto& c : m.countries) ids.push_back(c.id);
  const std::unordered_set<std::string> known(ids.begin(), ids.end());
  for (const auto& n : m.nodes)
    for (const auto& [stage, c] : n.source_origin)
      if (!known.count(c.id))
        d.error(c.loc, n.path() + ".source_origin", "unknown country '" + c.id + "'", {},
                id_hint(c.id, ids));
}

namespace {

// Ids in definition order (for did-you-mean hints, built only on the error path) plus a hash
// set, so that every reference check is O(1) and the whole check is linear in the model size.
struct IdList {
  std::vector<Symbol> order;
  std::unordered_set<const std::string*> set;  ///< interned texts' addresses (see Symbol)
  void add(Symbol id) {
    order.push_back(id);
    set.insert(&id.str());
  }
  bool known(Symbol id) const { return set.count(&id.str()) > 0; }
  std::vector<std::string> candidates() const { return {order.begin(), order.end()}; }
};

/// A country or group, for the duplicate check.
struct Place {
  std::string id;
  Origin origin;
};

/// Key path of a record: its Origin's, or built from its ItemOrigin.
const std::string& path_of(const Material& x) {
  return x.origin.path;
}
const std::string& path_of(const Place& x) {
  return x.origin.path;
}
std::string path_of(const Node& x) {
  return x.path();
}

/// Reports items of \p items whose id was defined before.
template <class Items>
void check_duplicates(Diagnostics& d, const char* what, const Items& items) {
  std::map<std::string, const typename Items::value_type*> seen;
  for (const auto& it : items) {
    const std::string& id = it.id;
    if (id.empty()) continue;
    auto [pos, fresh] = seen.emplace(id, &it);
    if (!fresh) {
      const auto& first = *pos->second;
      d.error(it.origin.loc, path_of(it), std::string("duplicate ") + what + " id '" + id + "'", {},
              "first defined at line " + std::to_string(first.origin.loc.line) + " (" +
                  path_of(first) + ")");
    }
  }
}

void check_duplicate_ids(Diagnostics& d, const Model& m) {
  check_duplicates(d, "material", m.materials);
  check_duplicates(d, "node", m.nodes);
  std::vector<Place> places;
  for (const auto& c : m.countries) places.push_back({c.id, c.origin});
  for (const auto& g : m.groups) places.push_back({g.id, g.origin});
  check_duplicates(d, "country or group", places);
}

/// Whether stockpile or producer \p n can ship \p mat.
bool produces(const Node& n, const std::string& mat) {
  if (n.stage == Stage::Stockpile)
    return std::any_of(n.inventory.begin(), n.inventory.end(),
                       [&](const auto& s) { return s.material.id == mat; });
  for (const auto& rec : n.recipes)
    for (const auto& o : rec.outputs)
      if (o.material.id == mat) return true;
  return false;
}

/// Whether \p n takes \p mat in (as demand, a recipe input, or into a stockpile).
bool uses(const Node& n, const std::string& mat) {
  if (n.stage == Stage::Stockpile) return true;
  for (const auto& a : n.demand)
    if (a.material.id == mat) return true;
  for (const auto& rec : n.recipes)
    for (const auto& i : rec.inputs)
      if (i.material.id == mat) return true;
  return false;
}

/// A (customer, material) key, unambiguous for any ids (length prefix).
std::string group_key(const std::string& to, const std::string& mat) {
  std::string k = std::to_string(to.size());
  k += ':';
  k += to;
  k += mat;
  return k;
}

/// The checks of a whole model after reading, stage by stage (check_model).
class ModelChecker {
 public:
  ModelChecker(Diagnostics& d, Model& m) : d_(d), m_(m) {
    for (const auto& x : m.materials) material_ids_.add(x.id);
    for (const auto& x : m.nodes) node_ids_.add(x.id);
    for (const auto& x : m.countries) country_ids_.add(x.id), place_ids_.add(x.id);
    for (const auto& x : m.groups) place_ids_.add(x.id);
  }

  void run() {
    check_groups();
    for (const auto& n : m_.nodes) check_node(n);
    check_edges();
    check_shares();
    check_suppliers();
    check_cycles();
  }

 private:
  /// \p path: makes the key path for the message (only when there is one).
  template <class Path>
  bool ref_check(const Ref& r, const IdList& ids, const char* what, const Path& path) {
    if (r.id.empty() || ids.known(r.id)) return true;
    d_.error(r.loc, path(), std::string("unknown ") + what + " '" + r.id + "'", {},
             id_hint(r.id, ids.candidates()));
    return false;
  }

  void check_groups() {
    for (const auto& g : m_.groups) {
      for (const auto& r : g.members)
        ref_check(r, country_ids_, "country", [&] { return g.origin.path + ".members"; });
      for (const auto& r : g.all_except)
        ref_check(r, country_ids_, "country", [&] { return g.origin.path + ".all_except"; });
    }
  }

  void check_node(const Node& n) {
    if (n.is_consumer()) {
      ref_check(n.region, place_ids_, "country or group", [&] { return n.path() + ".region"; });
      for (const auto& a : n.demand)
        ref_check(a.material, material_ids_, "material", [&] { return n.path() + ".demand"; });
    } else {
      ref_check(n.country, country_ids_, "country", [&] { return n.path() + ".country"; });
    }
    std::set<std::string> recipe_ids;
    for (const auto& rec : n.recipes) {
      if (!recipe_ids.insert(rec.id).second)
        d_.error(rec.origin.loc, rec.origin.path,
                 "duplicate recipe id '" + rec.id + "' in node '" + n.id + "'");
      for (const auto& a : rec.inputs)
        ref_check(a.material, material_ids_, "material",
                  [&] { return rec.origin.path + ".inputs." + a.material.id; });
      for (const auto& a : rec.outputs)
        ref_check(a.material, material_ids_, "material",
                  [&] { return rec.origin.path + ".outputs." + a.material.id; });
    }
    if (!n.recipes.empty() && !recipe_ids.count(n.recipe)) {
      std::vector<std::string> ids(recipe_ids.begin(), recipe_ids.end());
      d_.error(n.origin.loc, n.path() + ".recipe",
               "unknown recipe '" + n.recipe + "' in node '" + n.id + "'", {},
               id_hint(n.recipe, ids));
    }
    for (const auto* inv : {&n.inventory, &n.output_inventory})
      for (const auto& s : *inv)
        ref_check(s.material, material_ids_, "material",
                  [&] { return s.origin.path + ".material"; });
  }

  void check_edges() {
    std::unordered_map<const std::string*, const Node*> by_id;  // by interned id's address
    by_id.reserve(m_.nodes.size());
    for (const auto& n : m_.nodes) by_id.emplace(&n.id.str(), &n);
    for (const auto& e : m_.edges) {
      bool ok = ref_check(e.from, node_ids_, "node", [&] { return e.path() + ".from"; });
      ok = ref_check(e.to, node_ids_, "node", [&] { return e.path() + ".to"; }) && ok;
      ok = ref_check(e.material, material_ids_, "material",
                     [&] { return e.path() + ".material"; }) &&
           ok;
      if (ok) check_edge(e, *by_id[&e.from.id.str()], *by_id[&e.to.id.str()]);
    }
  }

  void check_edge(const Edge& e, const Node& from, const Node& to) {
    if (from.is_consumer()) {
      d_.error(e.from.loc, e.path() + ".from", "consumer '" + from.id + "' cannot supply anything",
               "a producing node or stockpile");
      return;
    }
    if (e.from.id == e.to.id)
      d_.error(e.to.loc, e.path() + ".to",
               "an edge cannot connect node '" + e.to.id + "' to itself");
    if (!produces(from, e.material.id))
      d_.error(e.material.loc, e.path() + ".material",
               "node '" + from.id + "' does not produce or hold '" + e.material.id + "'", {},
               "add it to one of its recipes' outputs, or fix the material id");
    if (!uses(to, e.material.id))
      d_.error(e.material.loc, e.path() + ".material",
               "node '" + to.id + "' does not use '" + e.material.id + "'", {},
               "add it to its recipe inputs (or demand for a consumer), or fix the material id");
    if (from.rationing == Rationing::Contract && !e.contract_share)
      d_.error(
          e.origin.loc, e.path(),
          "supplier '" + from.id + "' rations by contract, so this edge needs 'contract_share'",
          "contract_share: a fraction of the supplier's output");
  }

  // --- shares: per (customer, material) they sum to 1 -----------------------------------
  struct ShareGroup {
    std::pair<std::string, std::string> key;
    std::vector<Edge*> edges;
  };

  // Grouped through a hash map (linear); checked in (customer, material) order, so
  // diagnostics keep their order.
  void check_shares() {
    std::vector<ShareGroup> groups;
    group_of_.reserve(m_.edges.size());
    for (auto& e : m_.edges) {
      auto [it, fresh] = group_of_.try_emplace(group_key(e.to.id, e.material.id), groups.size());
      if (fresh) groups.push_back({{e.to.id, e.material.id}, {}});
      groups[it->second].edges.push_back(&e);
    }
    std::vector<std::size_t> order(groups.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return groups[a].key < groups[b].key; });
    for (std::size_t gi : order) check_share_group(groups[gi]);
  }

  void check_share_group(const ShareGroup& g) {
    const auto& key = g.key;
    const auto& edges = g.edges;
    bool any_share = false, any_flow = false;
    double sum = 0;
    for (const Edge* e : edges) {
      any_share = any_share || e->share.has_value();
      any_flow = any_flow || e->flow.has_value();
      sum += e->share.value_or(0);
    }
    const Edge& first = *edges.front();
    if (any_share && any_flow) {
      d_.error(first.origin.loc, first.path(),
               "edges into '" + key.first + "' for '" + key.second + "' mix 'share' and 'flow'",
               "all 'share' or all 'flow' for one customer and material");
      return;
    }
    if (!any_share || std::fabs(sum - 1) <= 1e-6) return;
    if (sum > 0 && std::fabs(sum - 1) <= 0.02) {
      d_.warning(first.origin.loc, first.path(),
                 "shares of '" + key.second + "' into '" + key.first + "' sum to " +
                     pretty_number(sum) + "; normalised to 1",
                 "rounding within 2 % is normalised; larger gaps are errors");
      for (Edge* e : edges) e->share = *e->share / sum;
    } else {
      d_.error(first.origin.loc, first.path(),
               "shares of '" + key.second + "' into '" + key.first + "' sum to " +
                   pretty_number(sum) + ", not 1 (" + std::to_string(edges.size()) + " edge" +
                   (edges.size() == 1 ? "" : "s") + ")",
               "shares per customer and material that sum to 1 (within 2 %, then normalised)");
    }
  }

  // --- every demanded or consumed material has a supplier -------------------------------
  void check_suppliers() {
    for (const auto& n : m_.nodes) {
      auto unsupplied = [&](const std::string& mat) {
        return material_ids_.known(mat) && group_of_.count(group_key(n.id, mat)) == 0;
      };
      if (n.is_consumer()) {
        for (const auto& a : n.demand)
          if (unsupplied(a.material.id))
            d_.error(a.material.loc, n.path() + ".demand." + a.material.id,
                     "consumer '" + n.id + "' has no supplier of '" + a.material.id + "'", {},
                     "add an edge with to: " + n.id + ", material: " + a.material.id);
        continue;
      }
      for (const auto& rec : n.recipes) {
        if (rec.id != n.recipe) continue;  // alternative recipes may be unsupplied until used
        for (const auto& a : rec.inputs)
          if (unsupplied(a.material.id))
            d_.error(a.material.loc, rec.origin.path + ".inputs." + a.material.id,
                     "node '" + n.id + "' needs '" + a.material.id + "' but no edge supplies it",
                     {}, "add an edge with to: " + n.id + ", material: " + a.material.id);
      }
    }
  }

  // --- cycles that cannot start without stock --------------------------------------------
  /// Strongly connected components of the supply graph that are cycles (two nodes or more,
  /// or one with an edge to itself), as node indices.
  std::vector<std::vector<std::size_t>> cycles() const {
    using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
    Graph g(m_.nodes.size());
    std::unordered_map<std::string, std::size_t> index;
    index.reserve(m_.nodes.size());
    for (std::size_t i = 0; i < m_.nodes.size(); ++i) index.emplace(m_.nodes[i].id, i);
    std::vector<bool> self_loop(m_.nodes.size(), false);
    for (const auto& e : m_.edges) {
      auto f = index.find(e.from.id), t = index.find(e.to.id);
      if (f == index.end() || t == index.end()) continue;
      boost::add_edge(f->second, t->second, g);
      if (f->second == t->second) self_loop[f->second] = true;
    }
    std::vector<int> comp(m_.nodes.size());
    int ncomp = boost::strong_components(g, comp.data());
    std::vector<std::vector<std::size_t>> members(ncomp);
    for (std::size_t i = 0; i < comp.size(); ++i) members[comp[i]].push_back(i);
    std::vector<std::vector<std::size_t>> out;
    for (auto& mem : members)
      if (mem.size() >= 2 || (mem.size() == 1 && self_loop[mem[0]])) out.push_back(std::move(mem));
    return out;
  }

  static bool stocked(const Node& n) {
    if (n.stage == Stage::Stockpile || n.inventory_days > 0 || n.output_inventory_days > 0)
      return true;
    auto held = [](const InventorySpec& s) { return s.initial.value > 0; };
    return std::any_of(n.inventory.begin(), n.inventory.end(), held) ||
           std::any_of(n.output_inventory.begin(), n.output_inventory.end(), held);
  }

  void check_cycles() {
    for (const auto& mem : cycles()) {
      if (std::any_of(mem.begin(), mem.end(), [&](std::size_t i) { return stocked(m_.nodes[i]); }))
        continue;
      std::vector<std::string> ids;
      for (std::size_t i : mem) ids.push_back(m_.nodes[i].id);
      const Node& first = m_.nodes[mem.front()];
      d_.error(
          first.origin.loc, first.path(),
          "the cycle " + join(ids, " -> ") + " cannot start: none of its nodes holds any stock",
          "an initial inventory on at least one node of the cycle");
    }
  }

  Diagnostics& d_;
  Model& m_;
  IdList material_ids_, node_ids_, country_ids_, place_ids_;
  std::unordered_map<std::string, std::size_t> group_of_;  // group_key -> share group
};

}  // namespace

void check_model(Diagnostics& d, Model& m) {
  check_source_origins(d, m);
  check_duplicate_ids(d, m);
  ModelChecker(d, m).run();
}

}  // namespace rareshock::io
