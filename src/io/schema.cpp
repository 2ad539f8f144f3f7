// The input schema: the key tables of docs/formats.md (generated from this file by
// rareshock_schema_docs) and the unit dimension of every numeric key.
#include "rareshock/io/schema.hpp"

#include <algorithm>

namespace rareshock::io::schema {

const std::vector<Table>& tables() {
  // clang-format off
  static const std::vector<Table> all = {
    {"model_file", FileKind::Model, {""}, "", "KTDM",
     {
      {"include", "path or list of paths", std::nullopt, "", "—", "files merged under this one, see [Includes](#includes-and-overrides)"},
      {"model", "mapping", std::nullopt, "", "—", "descriptive header (below)"},
      {"materials", "list of materials", std::nullopt, "", "*required*", "traded goods"},
      {"countries", "list of countries", std::nullopt, "", "*required*", "countries where nodes sit"},
      {"groups", "list of groups", std::nullopt, "", "—", "named sets of countries"},
      {"nodes", "list of nodes", std::nullopt, "", "—", "facilities of every stage except consumers"},
      {"consumers", "list of consumers", std::nullopt, "", "*required*", "sector × region demand"},
      {"edges", "list of edges", std::nullopt, "", "*required*", "supplier → customer links"},
     }},
    {"model_header", FileKind::Model, {"model"}, "", "KTDM",
     {
      {"name", "text", std::nullopt, "", "—", "model name (shown by `validate` and in reports)"},
      {"description", "text", std::nullopt, "", "—", "what the model covers"},
      {"base_year", "whole number", Dimension::Count, "", "—", "year of the baseline figures"},
      {"sources", "text list", std::nullopt, "", "—", "sources"},
      {"assumptions", "text list", std::nullopt, "", "—", "assumptions"},
     }},
    {"materials", FileKind::Model, {"materials[*]"}, "", "KTUDM",
     {
      {"id", "identifier", std::nullopt, "", "*required*", "unique among materials"},
      {"name", "text", std::nullopt, "", "the id", "display name"},
      {"family", "text", std::nullopt, "", "*required*", "e.g. `concentrate`, `oxide`, `metal`, `alloy`, `magnet`; scenarios select materials by family"},
      {"elements", "mapping element → fraction", Dimension::Fraction, "1", "—", "mass fraction of each element, e.g. `{Nd: 0.23, Pr: 0.07, Dy: 0.04}`; keys are chemical symbols H…U (case-sensitive: `DY` is an error); each value in [0, 1]; the sum must not exceed 1"},
      {"price", "price", Dimension::Price, "USD/t", "—", "`>= 0`, e.g. `60 USD/kg`"},
      {"source, note", "text", std::nullopt, "", "—", "provenance"},
      {"confidence", "`H`, `M` or `L`", std::nullopt, "", "—", "confidence in the figures"},
     }},
    {"countries", FileKind::Model, {"countries[*]"}, "", "KTDM",
     {
      {"id", "identifier", std::nullopt, "", "*required*", "unique among countries and groups"},
      {"name", "text", std::nullopt, "", "the id", "display name"},
     }},
    {"groups", FileKind::Model, {"groups[*]"}, "", "KTDM",
     {
      {"id", "identifier", std::nullopt, "", "*required*", "unique among countries and groups"},
      {"members", "id list", std::nullopt, "", "—", "the member countries (countries only, not groups)"},
      {"all_except", "id list", std::nullopt, "", "—", "every country of the model except these"},
     }},
    {"nodes", FileKind::Model, {"nodes[*]"}, "", "KTUDM",
     {
      {"id", "identifier", std::nullopt, "", "*required*", "unique among nodes and consumers"},
      {"name", "text", std::nullopt, "", "the id", "display name"},
      {"stage", "`mine`, `refinery`, `metal`, `magnet`, `component`, `stockpile`, `recycler`", std::nullopt, "", "*required*", "stage of the chain (`consumer` is not allowed here: consumers have their own section)"},
      {"country", "country id", std::nullopt, "", "*required*", "where it sits (a country, not a group)"},
      {"capacity", "mass rate", Dimension::MassRate, "t/yr", "*required* except for stockpiles", "capacity of its activity; must be `> 0` (recyclers and stockpiles may have 0; never negative)"},
      {"recipes", "list of recipes", std::nullopt, "", "—", "alternative ways to produce (below)"},
      {"inputs", "mapping material → t per unit", std::nullopt, "", "—", "shorthand for a single recipe with id `main`"},
      {"outputs", "mapping material → t per unit", std::nullopt, "", "—", "shorthand for a single recipe with id `main`"},
      {"recipe", "recipe id", std::nullopt, "", "the first recipe", "recipe used from day 0"},
      {"inventory_days", "duration", Dimension::Duration, "days", "30", "initial = target stock of every input, in days of baseline use (`>= 0`); a producer keeps at least one day of use of each input (what arrives is used the next day), so values below 1 act as 1 and draw a warning"},
      {"inventory", "list of inventory entries", std::nullopt, "", "—", "per-material input stocks; override `inventory_days`"},
      {"output_inventory_days", "duration", Dimension::Duration, "days", "0", "initial = target finished-goods stock, in days of baseline output"},
      {"output_inventory", "list of inventory entries", std::nullopt, "", "—", "per-material finished-goods stocks"},
      {"replenishment_time", "duration", Dimension::Duration, "days", "10", "τ, time to close an inventory gap (`> 0`)"},
      {"rationing", "`proportional`, `priority`, `contract`", std::nullopt, "", "`proportional`", "how output is shared among customers' orders: pro rata, by edge `priority` class, or by edge `contract_share`"},
      {"source_origin", "country id, or mapping stage → country id", std::nullopt, "", "see [model.md](model.md#origin-tracking)", "origin (for origin tracking) of what a mine or recycler makes from nothing, or a stockpile holds: one country for every tracked stage, or per stage (`{mine: CN, refinery: CN}`). Without it a mine's output is mined in its own country (not yet separated), and a recycler's or stockpile's material is of its own country at every tracked stage (an assumption)"},
      {"source, note", "text", std::nullopt, "", "—", "provenance"},
      {"confidence", "`H`, `M`, `L`", std::nullopt, "", "—", "confidence in the figures"},
     }},
    {"recipe", FileKind::Model, {"nodes[*].recipes[*]"}, "", "KTUDM",
     {
      {"id", "identifier", std::nullopt, "", "*required*", "unique within the node"},
      {"inputs", "mapping material → plain number", Dimension::Count, "t per unit of activity", "—", "inputs (`>= 0`)"},
      {"outputs", "mapping material → plain number", Dimension::Count, "t per unit of activity", "*required*", "outputs (`>= 0`)"},
      {"available_after", "duration", Dimension::Duration, "days", "0", "days from the start of a run before the recipe may be used (`>= 0`)"},
     }},
    {"inventory_entry", FileKind::Model, {"nodes[*].inventory[*]", "nodes[*].output_inventory[*]", "consumers[*].inventory[*]"}, "", "KTDM",
     {
      {"material", "material id", std::nullopt, "", "*required*", "the material stocked"},
      {"initial", "stock level", Dimension::Duration, "", "*required*", "initial stock"},
      {"target", "stock level", Dimension::Duration, "", "`initial`", "stock the node replenishes toward"},
     }},
    {"consumers", FileKind::Model, {"consumers[*]"}, "", "KTUDM",
     {
      {"id", "identifier", std::nullopt, "", "*required*", "unique among nodes and consumers"},
      {"name", "text", std::nullopt, "", "the id", "display name"},
      {"sector", "text", std::nullopt, "", "*required*", "sector id, e.g. `ev_traction`; results are aggregated per sector"},
      {"region", "country or group id", std::nullopt, "", "*required*", "where the demand is"},
      {"demand", "mapping material → mass rate", Dimension::MassRate, "t/yr", "*required*", "demand per material (at least one; values `>= 0`)"},
      {"units_per_tonne", "count per mass", Dimension::PerMass, "1/t", "0", "downstream units (e.g. vehicles) per tonne of demand"},
      {"value_per_unit", "money", Dimension::Money, "USD", "0", "value of one downstream unit"},
      {"backorder", "flag", std::nullopt, "", "`false`", "unmet demand is back-ordered instead of lost"},
      {"inputs", "`independent`, `complementary`", std::nullopt, "", "`independent`", "how the materials of `demand` combine into units: `complementary` = every unit needs every material in the demand's proportions (a motor without its SH grade is not built), so the scarcest material limits all of them and what cannot be used stays in stock; `independent` = each material is its own product line. See [model.md](model.md#6-consumption)"},
      {"product", "text", std::nullopt, "", "— (the consumer's own)", "physical product the units are (e.g. `vehicle`); consumers of the same product in the same region count the same units, and aggregates never count them twice (see [model.md](model.md#metrics))"},
      {"margin", "fraction", Dimension::Fraction, "", "— (not reported)", "value added lost per unit of value lost (e.g. a gross margin); gives `margin_lost_usd`"},
      {"unit_name", "text", std::nullopt, "", "`units`", "what `units_per_tonne` counts, shown in the report (e.g. `vehicles`, `MW`)"},
      {"end_user", "identifier", std::nullopt, "", "`civil`", "end-user class, for restrictions that name end users (`end_users`), e.g. `military`"},
      {"inventory_days", "duration", Dimension::Duration, "days", "30", "stock of every demanded material, in days of demand (`>= 0`)"},
      {"inventory", "list of inventory entries", std::nullopt, "", "—", "per-material stocks; override `inventory_days`"},
      {"replenishment_time", "duration", Dimension::Duration, "days", "10", "τ (`> 0`)"},
      {"source, note", "text", std::nullopt, "", "—", "provenance"},
      {"confidence", "`H`, `M`, `L`", std::nullopt, "", "—", "confidence in the figures"},
     }},
    {"edges", FileKind::Model, {"edges[*]"}, "", "KTUDM",
     {
      {"from", "node id", std::nullopt, "", "*required*", "supplier: a node (not a consumer)"},
      {"to", "node or consumer id", std::nullopt, "", "*required*", "customer (not the supplier itself)"},
      {"material", "material id", std::nullopt, "", "*required*", "what flows"},
      {"share", "fraction", Dimension::Fraction, "1", "—", "share of the customer's purchases of this material"},
      {"flow", "mass rate", Dimension::MassRate, "t/yr", "—", "baseline flow instead of a share (`>= 0`)"},
      {"lead_time", "duration", Dimension::Duration, "days", "0", "transport + customs (`>= 0`)"},
      {"priority", "whole number", Dimension::Count, "", "1", "class for `priority` rationing at the supplier: 1 is served first (1 to 1000)"},
      {"contract_share", "fraction", Dimension::Fraction, "1", "—", "share of the supplier's output; required when the supplier's `rationing` is `contract`"},
      {"qualification_time", "duration", Dimension::Duration, "days", "the study's `engine.qualification` / `qualification_time`", "for a **standby** edge (share 0, or flow 0): how long after its customer's slot is first under-delivered the supplier can take share (`>= 0`); ignored on edges with a baseline share (existing suppliers are qualified)"},
      {"source, note", "text", std::nullopt, "", "—", "provenance"},
      {"confidence", "`H`, `M`, `L`", std::nullopt, "", "—", "confidence in the figures"},
     }},
    {"scenario_file", FileKind::Scenario, {""}, "", "KTDM",
     {
      {"include", "path or list of paths", std::nullopt, "", "—", "see [Includes](#includes-and-overrides)"},
      {"scenario", "mapping", std::nullopt, "", "*required*", "the header (below)"},
      {"events", "list of events", std::nullopt, "", "*required*", "the events"},
     }},
    {"scenario_header", FileKind::Scenario, {"scenario"}, "", "KTDM",
     {
      {"id", "identifier", std::nullopt, "", "*required*", "unique among the scenarios and mitigations of a study"},
      {"name", "text", std::nullopt, "", "the id", "display name"},
      {"description", "text", std::nullopt, "", "—", "what it represents"},
      {"sources", "text list", std::nullopt, "", "—", "sources"},
     }},
    {"event", FileKind::Scenario, {"events[*]"}, "", "KTDM",
     {
      {"type", "event type (below)", std::nullopt, "", "*required*", "what happens"},
      {"id", "text", std::nullopt, "", "`<type>-<n>` (n = position in the list, from 1)", "unique within the scenario"},
      {"description", "text", std::nullopt, "", "—", "free text"},
      {"start", "time", std::nullopt, "", "*required*", "first day: a date or a day offset from the study start"},
      {"end", "time", std::nullopt, "", "— (to the end of the horizon)", "last day; must not be before `start`"},
     }},
    {"material_selection", FileKind::Scenario, {"events[*].materials", "events[*].edges.materials"}, "", "KTDM",
     {
      {"ids", "id list", std::nullopt, "", "—", "these materials"},
      {"families", "text list", std::nullopt, "", "—", "materials of these families"},
      {"elements_above", "mapping element → fraction", Dimension::Fraction, "", "—", "materials whose content of the element is at or above the threshold, e.g. `{Dy: 0.1 %}`; keys are element symbols, thresholds in [0, 1]"},
      {"elements_sum_above", "`{elements: [symbols], above: fraction}` or a list of them", std::nullopt, "", "—", "materials whose **summed** content of the listed elements is strictly above `above`, e.g. `{elements: [Dy, Tb], above: 0.1 %}` selects Dy 0.06 % + Tb 0.06 % (0.12 %) but not Dy 0.04 % + Tb 0.04 % (the Dy+Tb ≤ 0.1 % compliance line); both keys required, symbols checked"},
      {"all", "flag", std::nullopt, "", "`false`", "every material"},
     }},
    {"node_selection", FileKind::Scenario, {"events[*].nodes"}, "", "KTM",
     {
      {"nodes", "id list", std::nullopt, "", "", "these nodes"},
      {"countries", "id list", std::nullopt, "", "", "nodes in these countries or groups"},
      {"stages", "list of stages", std::nullopt, "", "", "nodes of these stages (`mine`, `refinery`, `metal`, `magnet`, `component`, `consumer`, `stockpile`, `recycler`)"},
     }},
    {"consumer_selection", FileKind::Scenario, {"events[*].consumers", "events[*].trigger.watch"}, "", "KTM",
     {
      {"consumers", "id list", std::nullopt, "", "", "these consumers"},
      {"sectors", "text list", std::nullopt, "", "", "consumers of these sectors"},
      {"regions", "id list", std::nullopt, "", "", "consumers whose region is one of these countries or groups"},
     }},
    {"edge_selection", FileKind::Scenario, {"events[*].edges"}, "", "KTDM",
     {
      {"from", "id list", std::nullopt, "", "—", "supplier nodes"},
      {"to", "id list", std::nullopt, "", "—", "customer nodes or consumers"},
      {"from_countries", "id list", std::nullopt, "", "—", "supplier countries or groups"},
      {"to_countries", "id list", std::nullopt, "", "—", "customer countries or groups"},
      {"materials", "material selection", std::nullopt, "", "all", "materials carried"},
     }},
    {"export_restriction", FileKind::Scenario, {"events[*]"}, "export_restriction", "KTUDM",
     {
      {"exporters", "country selection", std::nullopt, "", "*required*", "the restricting countries"},
      {"materials", "material selection", std::nullopt, "", "*required*", "the restricted materials"},
      {"destinations", "country selection", std::nullopt, "", "all", "restricted destinations"},
      {"exporter_nodes", "node id list", std::nullopt, "", "all", "only edges from these supplier nodes (named exporters, e.g. the makers holding general licences)"},
      {"destination_nodes", "node id list", std::nullopt, "", "all", "only edges to these customer nodes (named end users)"},
      {"destination_sectors", "sector list", std::nullopt, "", "all", "only edges to consumers of these sectors; with `destination_nodes`, an edge matches when its customer is in either list"},
      {"regime", "`ban`, `licence`, `quota`", std::nullopt, "", "*required*", "`ban`: nothing passes; `licence`: shipments need approved licences; `quota`: a yearly cap"},
      {"licence", "mapping", std::nullopt, "", "—", "licence settings; required with `regime: licence`, an error otherwise"},
      {"quota", "mapping", std::nullopt, "", "—", "quota settings; required with `regime: quota`, an error otherwise"},
      {"de_minimis", "fraction", Dimension::Fraction, "1", "—", "content share below which goods pass: for a material selected by element content, the content of the elements that selected it; for one selected by id, family or `all`, its declared content of elements other than Fe, B, Co and O (a material that declares no elements stays restricted)"},
      {"end_users", "end-user class list", std::nullopt, "", "all", "only edges to consumers of these end-user classes (their `end_user`, e.g. `[military]`); checked against the model's classes"},
      {"origin_content", "mapping", std::nullopt, "", "—", "an origin-content condition (below): the event covers an edge only on the days the supplier's goods meet it, and the engine traces origins (see [model.md](model.md#origin-tracking)). Deliveries inside the exporter's country (or to a region group containing it) are not exports and are never covered by such an event. The key `origin_share` of earlier versions is refused with a hint to `origin_content`"},
     }},
    {"origin_content", FileKind::Scenario, {"events[*].origin_content"}, "", "KTUDM",
     {
      {"countries", "country or group list", std::nullopt, "", "*required*", "restricted origins"},
      {"stages", "stage list", std::nullopt, "", "every tracked stage", "the stages whose country makes a material's origin for this rule (a key is restricted when its country at any of these stages is restricted); each must be tracked (`engine.origin.stages`)"},
      {"measure", "`value`, `mass`", std::nullopt, "", "`value`", "content by value (rare-earth share of the goods' value × restricted share of that value) or by mass (rare-earth mass fraction × restricted share of the rare-earth mass)"},
      {"at_least", "fraction", Dimension::Fraction, "1", "*required*", "goods with at least this content are covered"},
     }},
    {"licence", FileKind::Scenario, {"events[*].licence"}, "", "KTUDM",
     {
      {"review_delay", "distribution of durations", Dimension::Duration, "days", "`45 working days` (63 days)", "time from application (when a shipment is ordered) to decision; its lower end must not be negative"},
      {"approval", "fraction, or list of approval steps", Dimension::Fraction, "1", "*required*", "share of applications approved: one fraction from the event start, or steps that change it by date"},
      {"validity", "`one_shipment` or duration", Dimension::Duration, "days", "`one_shipment`", "an approved licence covers one shipment, or every shipment for this long (`> 0`, e.g. `6 months`)"},
      {"volume_cap", "plain number", Dimension::Count, "", "the study's `engine.licence_volume_cap` (1)", "a one-shipment application covers at most this multiple of the edge's normal flow (`> 0`); above 1 lets catch-up orders after a trough pass; resubmitted volume is not capped again"},
      {"granted_at_start", "flag", std::nullopt, "", "`false`", "licences are in force from the event's first day, as when holders applied under the previous regime: a period licence is decided on the first day; a one-shipment regime also decides, on its first `review_delay` days, applications for the normal volume ordered in the `review_delay` days before its start. Use it for a regime that follows another (no artificial gap)"},
      {"resubmission", "mapping", std::nullopt, "", "— (no resubmission)", "refused applications are filed again, see below"},
     }},
    {"resubmission", FileKind::Scenario, {"events[*].licence.resubmission"}, "", "KTUDM",
     {
      {"delay", "duration", Dimension::Duration, "days", "*required*", "from a refusal to the new application (`>= 1 day`); the new application is decided a fresh `review_delay` later"},
      {"approval", "fraction, or list of approval steps", Dimension::Fraction, "1", "the regime's `approval`", "approval of resubmitted applications on their decision day"},
      {"max_attempts", "whole number", Dimension::Count, "", "unlimited", "decisions per application, the first included (1–100): `2` = one resubmission. A period-licence holder refused at its last attempt applies no more while the event lasts"},
     }},
    {"quota", FileKind::Scenario, {"events[*].quota"}, "", "KTUDM",
     {
      {"annual", "mass rate", Dimension::MassRate, "t/yr", "*required*", "cap across all restricted destinations, allocated pro rata (`>= 0`)"},
     }},
    {"capacity_outage", FileKind::Scenario, {"events[*]"}, "capacity_outage", "KTUDM",
     {
      {"nodes", "node selection", std::nullopt, "", "*required*", "the affected nodes"},
      {"remaining", "fraction", Dimension::Fraction, "1", "0", "capacity fraction left"},
     }},
    {"demand_shock", FileKind::Scenario, {"events[*]"}, "demand_shock", "KTUDM",
     {
      {"consumers", "consumer selection", std::nullopt, "", "every consumer", "the affected consumers"},
      {"factor", "plain number", Dimension::Count, "1", "*required*", "demand multiplier (`>= 0`)"},
     }},
    {"logistics_delay", FileKind::Scenario, {"events[*]"}, "logistics_delay", "KTUDM",
     {
      {"edges", "edge selection", std::nullopt, "", "*required*", "the affected edges"},
      {"extra_days", "duration", Dimension::Duration, "days", "*required*", "extra lead time (`>= 0`)"},
     }},
    {"stockpile_release", FileKind::Scenario, {"events[*]"}, "stockpile_release", "KTUDM",
     {
      {"node", "node id", std::nullopt, "", "*required*", "a `stockpile` node"},
      {"materials", "material selection", std::nullopt, "", "all it holds", "released materials"},
      {"rate", "mass rate", Dimension::MassRate, "t/yr", "*required*", "maximum release rate (`>= 0`)"},
      {"cover_below", "duration", Dimension::Duration, "days", "—", "release only while eligible customers' cover is below this"},
      {"eligible", "country selection", std::nullopt, "", "all", "countries of the customers that may receive"},
     }},
    {"capacity_expansion", FileKind::Scenario, {"events[*]"}, "capacity_expansion", "KTUDM",
     {
      {"node", "node id", std::nullopt, "", "*required*", "a producing node (not a consumer or stockpile)"},
      {"from", "mass rate", Dimension::MassRate, "t/yr", "*required*", "capacity at the start of the ramp (`>= 0`)"},
      {"to", "mass rate", Dimension::MassRate, "t/yr", "*required*", "capacity at the end of the ramp (`>= 0`)"},
      {"ramp", "duration", Dimension::Duration, "days", "0", "time from start to full (`>= 0`)"},
      {"trigger", "trigger", std::nullopt, "", "on the start date", "what arms it"},
     }},
    {"substitution", FileKind::Scenario, {"events[*]"}, "substitution", "KTUDM",
     {
      {"consumers", "consumer selection", std::nullopt, "", "every consumer", "consumers that redesign"},
      {"material", "material id", std::nullopt, "", "*required*", "the material whose demand falls"},
      {"max_reduction", "fraction", Dimension::Fraction, "1", "*required*", "fraction of the demand that can move away"},
      {"lag", "duration", Dimension::Duration, "days", "0", "time before any reduction (`>= 0`)"},
      {"ramp", "duration", Dimension::Duration, "days", "0", "time from the end of the lag to the full reduction (`>= 0`)"},
      {"trigger", "trigger", std::nullopt, "", "on the start date", "what arms it"},
     }},
    {"recipe_switch", FileKind::Scenario, {"events[*]"}, "recipe_switch", "KTUDM",
     {
      {"node", "node id", std::nullopt, "", "*required*", "the node"},
      {"recipe", "recipe id", std::nullopt, "", "*required*", "one of the node's recipes"},
      {"qualification_lag", "duration", Dimension::Duration, "days", "0", "time before the switch takes effect (`>= 0`)"},
     }},
    {"recycling", FileKind::Scenario, {"events[*]"}, "recycling", "KTUDM",
     {
      {"node", "node id", std::nullopt, "", "*required*", "a `recycler` node"},
      {"from", "mass rate", Dimension::MassRate, "t/yr", "*required*", "capacity at the start of the ramp (`>= 0`)"},
      {"to", "mass rate", Dimension::MassRate, "t/yr", "*required*", "capacity at the end of the ramp (`>= 0`)"},
      {"ramp", "duration", Dimension::Duration, "days", "0", "time from start to full (`>= 0`)"},
     }},
    {"trigger", FileKind::Scenario, {"events[*].trigger"}, "", "KTUDM",
     {
      {"on", "`date`, `shortage`", std::nullopt, "", "`date`", "what arms the response"},
      {"watch", "consumer selection", std::nullopt, "", "every consumer", "a shortage at any of these arms it"},
      {"threshold", "fraction", Dimension::Fraction, "1", "0.01", "shortfall fraction that counts as a shortage"},
      {"lag", "duration", Dimension::Duration, "days", "0", "time from the trigger to the start of the response (`>= 0`)"},
     }},
    {"study_file", FileKind::Study, {""}, "", "KTUDM",
     {
      {"include", "path or list of paths", std::nullopt, "", "—", "see [Includes](#includes-and-overrides)"},
      {"study", "mapping", std::nullopt, "", "*required*", "header: `name` (text, *required*), `description` (text)"},
      {"model", "path or mapping", std::nullopt, "", "*required*", "the model file (relative to the study file) or the model inline"},
      {"scenarios", "list of paths or inline scenarios", std::nullopt, "", "—", "shock scenarios"},
      {"mitigations", "list of paths or inline scenarios", std::nullopt, "", "—", "mitigation packages"},
      {"start", "date", std::nullopt, "", "*required*", "date of day 0 (a calendar date, not an offset)"},
      {"horizon", "duration", Dimension::Duration, "days", "730", "days simulated, from 1 day to 100 years (36500 days); rounded to whole days"},
      {"shortage_threshold", "fraction", Dimension::Fraction, "1", "0.01", "shortfall fraction that counts as a shortage (`> 0`)"},
      {"seed", "whole number", Dimension::Count, "", "1", "master random seed (`>= 0`)"},
      {"combinations", "`auto` or list", std::nullopt, "", "`auto`", "the runs (below)"},
      {"monte_carlo", "mapping", std::nullopt, "", "—", "uncertainty (below)"},
      {"sensitivity", "mapping", std::nullopt, "", "—", "sensitivity analysis (below)"},
      {"engine", "mapping", std::nullopt, "", "(defaults below)", "behavioural parameters of the engine"},
      {"analysis", "mapping", std::nullopt, "", "—", "structural analysis of the model (below)"},
      {"observed", "list", std::nullopt, "", "—", "observed series the runs are compared with (below)"},
      {"calibration", "mapping", std::nullopt, "", "—", "what `rareshock calibrate` fits (below)"},
      {"overrides", "list of texts", std::nullopt, "", "—", "`key.path=value` overrides applied like `--set` (below)"},
      {"focus", "mapping", std::nullopt, "", "—", "regions and sectors the report and the console list first (below)"},
      {"outputs", "mapping", std::nullopt, "", "(defaults below)", "outputs wanted"},
     }},
    {"combination", FileKind::Study, {"combinations[*]"}, "", "KTDM",
     {
      {"scenario", "scenario id or `baseline`", std::nullopt, "", "*required*", "the shock scenario"},
      {"mitigations", "id list", std::nullopt, "", "—", "mitigation packages applied"},
      {"id", "text", std::nullopt, "", "`<scenario>+<mitigation>+...`", "run id (unique)"},
     }},
    {"monte_carlo", FileKind::Study, {"monte_carlo"}, "", "KTDM",
     {
      {"draws", "whole number", Dimension::Count, "", "0", "number of draws (0 to 10,000,000)"},
      {"params", "list of parameters", std::nullopt, "", "—", "uncertain parameters"},
     }},
    {"sensitivity", FileKind::Study, {"sensitivity"}, "", "KTDM",
     {
      {"tornado", "flag", std::nullopt, "", "`false`", "one-at-a-time tornado (low/high of each uncertain parameter)"},
      {"sobol", "flag", std::nullopt, "", "`false`", "variance-based (Sobol) indices"},
      {"sobol_samples", "whole number", Dimension::Count, "", "256", "Sobol base samples (8 to 1,000,000)"},
      {"metrics", "list", std::nullopt, "", "—", "metrics analysed: `time_to_shortage`, `peak_shortfall`, `shortage_days`, `unmet_t`, `unmet_fraction`, `units_lost`, `value_lost_usd`, `margin_lost_usd`, `time_to_recover`, `min_cover_days`"},
     }},
    {"engine", FileKind::Study, {"engine"}, "", "KTUDM",
     {
      {"switching_lag", "duration", Dimension::Duration, "days", "30", "time constant of moving orders away from a supplier that under-delivers (`>= 1` day)"},
      {"share_reversion", "duration", Dimension::Duration, "days", "180", "time constant of shares returning to baseline once all suppliers deliver (`>= 1` day)"},
      {"licence_volume_cap", "plain number", Dimension::Count, "", "1", "licensed volume per edge as a multiple of its normal flow (`> 0`): the default of every licence event's `licence.volume_cap`; see docs/model.md"},
      {"qualification_time", "duration", Dimension::Duration, "days", "0", "how long a **standby** supplier (an edge with baseline share 0) needs, counted from the first day its customer's slot is under-delivered, before it can take share (`>= 0`); 0: at once (the behaviour before this setting). An assumption to set per study: re-qualifying a magnet supplier takes months"},
      {"qualification", "mapping material id → duration", Dimension::Duration, "days", "`{}`", "per-material overrides of `qualification_time`, e.g. `{ndfeb_shuh: 180 days, ndfeb_nm: 120 days}`; ids are checked against the model. An edge's own `qualification_time` overrides both"},
      {"origin", "mapping", std::nullopt, "", "`{stages: [mine, refinery], tracking: auto}`", "origin tracking, below and [model.md](model.md#origin-tracking)"},
     }},
    {"engine_origin", FileKind::Study, {"engine.origin"}, "", "KTDM",
     {
      {"stages", "stage list", std::nullopt, "", "`[mine, refinery]`", "the stages whose country makes a material's origin, in order (`[mine, refinery]`: mined in, separated in)"},
      {"tracking", "`auto`, `on`, `off`", std::nullopt, "", "`auto`", "`auto`: track only when an event has `origin_content`; `on`: always (origin outputs for every run); `off`: never (an `origin_content` event is then an error)"},
     }},
    {"analysis", FileKind::Study, {"analysis"}, "", "KTUDM",
     {
      {"criticality_days", "duration", Dimension::Duration, "days", "90", "outage length D of the criticality ranking (`>= 1` day); each node's time to recover"},
      {"criticality_horizon", "duration", Dimension::Duration, "days", "0", "days simulated per outage; 0 = D + 365 days, otherwise at least D"},
      {"restrictions_from", "scenario id", std::nullopt, "", "—", "a scenario or mitigation of this study: chokepoints are also computed under its export restrictions and capacity outages"},
     }},
    {"observed", FileKind::Study, {"observed[*]"}, "", "KTDM",
     {
      {"id", "id", std::nullopt, "", "*required*", "unique among the observed series"},
      {"file", "path", std::nullopt, "", "—", "a CSV file, relative to the file the key is written in; lines whose first non-blank character is `#` are comments"},
      {"date_column", "text", std::nullopt, "", "`date`", "the CSV column of the period"},
      {"value_column", "text", std::nullopt, "", "`value`", "the CSV column of the value (an empty cell is a gap)"},
      {"data", "list of `{period, value}`", std::nullopt, "", "—", "the observations inline, instead of `file`"},
      {"source_file", "path", std::nullopt, "", "—", "written when the study is resolved: the CSV `file` the inline `data` came from (reports cite it)"},
      {"unit", "mass unit", std::nullopt, "", "`t`", "unit of the values: `t`, `kt`, `kg`...; a value is the amount **per period**"},
      {"period", "`month` or `day`", std::nullopt, "", "`month`", "periods are calendar months written `YYYY-MM`, or days written `YYYY-MM-DD`"},
      {"matches", "mapping", std::nullopt, "", "*required*", "the modelled aggregate (below)"},
      {"runs", "list of run ids", std::nullopt, "", "every run with a scenario", "the runs compared"},
     }},
    {"calibration", FileKind::Study, {"calibration"}, "", "KTDM",
     {
      {"run", "run id", std::nullopt, "", "*required*", "the combination simulated at each evaluation"},
      {"observed", "list of observed ids", std::nullopt, "", "all", "the series fitted"},
      {"parameters", "list of `{path, min, max}`", std::nullopt, "", "*required*", "a [key path](#key-paths) (wildcards allowed: every match gets the same value; under `model`, `scenarios`, `mitigations`, `engine` or `shortage_threshold`) and bounds in the unit of the value it points at (e.g. `min: 10 days`, `min: 5 %`); the value must be a number, not a distribution"},
      {"training", "`{from, to}`", std::nullopt, "", "every compared period", "the window fitted; `from`/`to` are months (`2025-04`: from its first day, to its last) or dates"},
      {"validation", "`{from, to}`", std::nullopt, "", "—", "a held-out window: reported, never fitted"},
      {"objective", "`rmse`, `relative_rmse`, `mae`", std::nullopt, "", "`rmse`", "minimised: the statistic on the training window, averaged over the series"},
      {"algorithm", "`bobyqa`, `neldermead`, `sbplx`", std::nullopt, "", "`bobyqa`", "NLopt's LN_BOBYQA, LN_NELDERMEAD or LN_SBPLX (derivative-free, bound-constrained)"},
      {"max_evaluations", "whole number", Dimension::Count, "", "200", "at most this many runs (1 to 100,000)"},
     }},
    {"focus", FileKind::Study, {"focus"}, "", "KTDM",
     {
      {"regions", "id or list of ids", std::nullopt, "", "—", "consumer regions as the consumers write them (e.g. `EU`); checked against the model's consumers"},
      {"sectors", "id or list of ids", std::nullopt, "", "—", "consumer sectors (e.g. `ev_traction`); checked against the model's consumers"},
     }},
    {"outputs", FileKind::Study, {"outputs"}, "", "KTDM",
     {
      {"node_series", "flag", std::nullopt, "", "`false`", "daily series per node"},
      {"edge_series", "flag", std::nullopt, "", "`false`", "daily series per edge"},
      {"trade_series", "flag", std::nullopt, "", "`true`", "`timeseries/trade.csv` and `timeseries/trade_monthly.csv` ([trade flows](#run-outputs-trade-flows))"},
      {"formats", "list of `json`, `csv`, `html`, `md`", std::nullopt, "", "`[json, csv, html, md]`", "files written: `json` = `summary.json`, `csv` = `metrics.csv`, `timeseries/` and `baseline-flows.csv`, `html` = `report.html` (one self-contained file with charts), `md` = `report.md` with `charts/*.svg`; the reports are rendered from `summary.json` and the CSV tables, so `html` or `md` imply `json` and `csv`. `provenance.json` and `resolved-study.yaml` are always written; the resolved study is written once, to `resolved-study.yaml`, and `provenance.json` names it (`resolved_study_file`) with its SHA-256 (`resolved_study_sha256`) instead of embedding a copy. See [reports.md](reports.md)"},
     }},
    {"csv_table", std::nullopt, {}, "", "KTDM",
     {
      {"csv", "path", std::nullopt, "", "*required*", "the CSV file, relative to the YAML file that references it"},
      {"columns", "mapping column → key", std::nullopt, "", "—", "renames a column to a key (which may be dotted); `column: ~` drops the column"},
      {"defaults", "mapping key → value", std::nullopt, "", "—", "values for top-level keys a row does not set (no such column, or an empty cell); `{column}` in a value is replaced by the row's cell of that column, e.g. `id: \"mine_{country}\"`, `country: \"{country}\"`"},
      {"where", "mapping column → value or list of values", std::nullopt, "", "—", "keeps only the rows whose cell equals the value (or one of them); all given columns must match; cells are compared as trimmed text"},
      {"ignore_columns", "list of columns", std::nullopt, "", "—", "columns left out"},
     }},
    {"approval_step", FileKind::Scenario,
     {"events[*].licence.approval[*]", "events[*].licence.resubmission.approval[*]"}, "", "",
     {
      {"from", "time", std::nullopt, "", "*required*", "from this day on"},
      {"fraction", "fraction", Dimension::Fraction, "1", "*required*", "share of applications approved"},
     }},
    {"element_sum", FileKind::Scenario,
     {"events[*].materials.elements_sum_above", "events[*].materials.elements_sum_above[*]",
      "events[*].edges.materials.elements_sum_above",
      "events[*].edges.materials.elements_sum_above[*]"}, "", "",
     {
      {"elements", "list of element symbols", std::nullopt, "", "*required*", "the elements summed"},
      {"above", "fraction", Dimension::Fraction, "1", "*required*", "summed content threshold"},
     }},
  };
  // clang-format on
  return all;
}

const Table* find_table(std::string_view id) {
  for (const auto& t : tables())
    if (t.id == id) return &t;
  return nullptr;
}

namespace {

// Segments of a key path, selectors normalised: `a.b[c].d` -> a, b, [*], d.
std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> out;
  std::string cur;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '.' || c == '[') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
      if (c == '[') {
        out.emplace_back("[*]");
        const auto e = path.find(']', i);
        if (e == std::string_view::npos) break;
        i = e;
      }
      continue;
    }
    cur += c;
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string join_path(const std::vector<std::string>& segs, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (!out.empty() && segs[i] != "[*]") out += '.';
    out += segs[i];
  }
  return out;
}

bool has_name(const Key& k, std::string_view name) {
  std::string_view rest = k.names;
  while (!rest.empty()) {
    const auto comma = rest.find(", ");
    if (rest.substr(0, comma) == name) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 2);
  }
  return false;
}

// The key at a normalised path relative to a file of kind \p file (e.g. `nodes[*].capacity`).
const Key* key_in_file(FileKind file, const std::string& mapping, const std::string& name) {
  for (const auto& t : tables()) {
    if (t.file != file) continue;
    for (const auto& p : t.paths)
      if (p == mapping)
        for (const auto& k : t.keys)
          if (has_name(k, name)) return &k;
  }
  return nullptr;
}

// The key at a normalised study path: study keys, or model / scenario keys under
// `model`, `scenarios[*]` and `mitigations[*]`.
const Key* key_at(const std::vector<std::string>& segs, std::size_t n, FileKind file) {
  if (n == 0) return nullptr;
  std::size_t skip = 0;
  if (file == FileKind::Study && n > 1 && segs[0] == "model") {
    file = FileKind::Model, skip = 1;
  } else if (file == FileKind::Study && n > 2 && segs[1] == "[*]" &&
             (segs[0] == "scenarios" || segs[0] == "mitigations")) {
    file = FileKind::Scenario, skip = 2;
  }
  std::vector<std::string> rel(segs.begin() + static_cast<long>(skip),
                               segs.begin() + static_cast<long>(n));
  return key_in_file(file, join_path(rel, rel.size() - 1), rel.back());
}

bool is_distribution_parameter(const std::string& seg) {
  static const char* params[] = {"min", "max", "mode", "mean", "sd", "value", "values"};
  return std::any_of(std::begin(params), std::end(params), [&](const char* p) { return seg == p; });
}

}  // namespace

Dimension dimension_of_path(std::string_view path, FileKind file) {
  const auto segs = segments(path);
  for (std::size_t n = segs.size(); n > 0; --n) {
    if (const Key* k = key_at(segs, n, file)) return k->dim.value_or(Dimension::Count);
    // Not a key of a mapping: a list item or distribution parameter of the value above, or a
    // free key (material, element) of a mapping value such as `demand`.
    const std::string& last = segs[n - 1];
    if (last == "[*]" || is_distribution_parameter(last)) continue;
    const Key* parent = n > 1 ? key_at(segs, n - 1, file) : nullptr;
    if (parent && parent->type.find("mapping") != std::string_view::npos)
      return parent->dim.value_or(Dimension::Count);
    break;
  }
  return Dimension::Count;
}

std::string markdown(const Table& t) {
  auto header = [](char c) -> std::string_view {
    switch (c) {
      case 'K':
        return "Key";
      case 'T':
        return "Type";
      case 'U':
        return "Unit";
      case 'D':
        return "Default";
      default:
        return "Meaning";
    }
  };
  auto cell = [](const Key& k, char c) -> std::string {
    switch (c) {
      case 'K': {
        std::string out;
        std::string_view rest = k.names;
        while (true) {
          const auto comma = rest.find(", ");
          out += '`';
          out += rest.substr(0, comma);
          out += '`';
          if (comma == std::string_view::npos) break;
          out += ", ";
          rest.remove_prefix(comma + 2);
        }
        return out;
      }
      case 'T':
        return std::string(k.type);
      case 'U':
        return std::string(k.unit);
      case 'D':
        return std::string(k.default_text);
      default:
        return std::string(k.meaning);
    }
  };
  std::string out = "|";
  for (char c : t.columns) {
    out += ' ';
    out += header(c);
    out += " |";
  }
  out += "\n|";
  for (std::size_t i = 0; i < t.columns.size(); ++i) out += "---|";
  out += "\n";
  for (const auto& k : t.keys) {
    out += "|";
    for (char c : t.columns) {
      const std::string v = cell(k, c);
      if (!v.empty()) {
        out += ' ';
        out += v;
      }
      out += " |";
    }
    out += "\n";
  }
  return out;
}

namespace {

// Calls \p fn with each key name of a row ("source, note" -> source, note).
template <class Fn>
void for_each_name(std::string_view names, Fn fn) {
  while (!names.empty()) {
    const auto comma = names.find(", ");
    fn(std::string(names.substr(0, comma)));
    names = comma == std::string_view::npos ? std::string_view() : names.substr(comma + 2);
  }
}

// The study key paths of the numeric keys of dimension \p dim, in table order, each with the
// event types it belongs to ("" for keys of every type or outside events).
std::vector<std::pair<std::string, std::string>> paths_of_dimension(Dimension dim) {
  std::vector<std::pair<std::string, std::string>> paths;
  auto add = [&](const std::string& full, std::string_view event_type) {
    auto it =
        std::find_if(paths.begin(), paths.end(), [&](const auto& e) { return e.first == full; });
    if (it == paths.end()) {
      paths.emplace_back(full, std::string(event_type));
    } else if (!event_type.empty()) {
      it->second += ", ";
      it->second += event_type;
    }
  };
  for (const auto& t : tables()) {
    if (!t.file) continue;
    const std::string prefix = *t.file == FileKind::Model ? "model." : "";
    for (const auto& k : t.keys) {
      if (k.dim != dim) continue;
      const std::string suffix = k.type.find("mapping") != std::string_view::npos ? ".*" : "";
      for_each_name(k.names, [&](const std::string& name) {
        for (const auto& p : t.paths)
          add(prefix + (p.empty() ? name : std::string(p) + "." + name) + suffix, t.event_type);
      });
    }
  }
  return paths;
}

}  // namespace

std::string markdown_dimensions() {
  struct Row {
    Dimension dim;
    const char* label;
  };
  static const Row rows[] = {
      {Dimension::MassRate, "mass rate (t/yr)"}, {Dimension::Duration, "duration (days)"},
      {Dimension::Fraction, "fraction"},         {Dimension::Price, "price (USD/t)"},
      {Dimension::Money, "money (USD)"},         {Dimension::PerMass, "count per mass (1/t)"}};
  std::string out = "| Dimension (plain number in) | Key paths |\n|---|---|\n";
  for (const Row& row : rows) {
    out += "| ";
    out += row.label;
    out += " |";
    const auto paths = paths_of_dimension(row.dim);
    for (std::size_t i = 0; i < paths.size(); ++i) {
      out += i ? ", `" : " `";
      out += paths[i].first;
      out += '`';
      if (paths[i].second.empty()) continue;
      out += " (";
      out += paths[i].second;
      out += ')';
    }
    out += " |\n";
  }
  out +=
      "| plain number | anything else (e.g. `events[*].factor`, `events[*].licence.volume_cap`, "
      "`engine.licence_volume_cap`, recipe `inputs` and `outputs`) |\n";
  return out;
}

}  // namespace rareshock::io::schema
