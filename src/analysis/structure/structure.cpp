#include "rareshock/analysis/structure/structure.hpp"
#include "rareshock/analysis/run/study_run.hpp"
#include "rareshock/core/units.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <tuple>

namespace rareshock::analysis {

std::string_view to_string(CutKind kind) {
  return kind == CutKind::Node ? "node" : "edge";
}

namespace {

bool producing(const sim::Network& net, int n) {
  return net.stage[n] != Stage::Consumer && net.stage[n] != Stage::Stockpile;
}

ConcentrationRow make_row(Stage stage, std::string material, std::string basis,
                          const std::map<std::string, double>& by_country) {
  ConcentrationRow r;
  r.stage = stage;
  r.material = std::move(material);
  r.basis = std::move(basis);
  for (const auto& [c, v] : by_country) r.total += v;
  if (r.total <= 0) return r;
  for (const auto& [c, v] : by_country)
    if (v > 0) r.shares.push_back({c, v / r.total});
  std::stable_sort(r.shares.begin(), r.shares.end(),
                   [](const CountryShare& a, const CountryShare& b) { return a.share > b.share; });
  for (const auto& s : r.shares) r.hhi += 10000 * s.share * s.share;
  return r;
}

}  // namespace

double ConcentrationRow::top3_share() const {
  double s = 0;
  for (std::size_t i = 0; i < shares.size() && i < 3; ++i) s += shares[i].share;
  return s;
}

std::vector<ConcentrationRow> concentration(const sim::Network& net) {
  // (stage, material or "*", basis) -> country -> t/yr
  std::map<std::tuple<int, std::string, int>, std::map<std::string, double>> acc;
  std::vector<std::string> mats = net.material_id;
  for (int n = 0; n < net.nodes(); ++n) {
    if (!producing(net, n)) continue;
    const std::string country = net.country[n] >= 0 ? net.country_id[net.country[n]] : "?";
    const int st = static_cast<int>(net.stage[n]);
    acc[{st, "*", 0}][country] += Rate::per_day(net.capacity[n]).per_year();
    acc[{st, "*", 1}][country] += Rate::per_day(net.activity[n]).per_year();
    const int r = net.initial_recipe[n];
    if (r < 0) continue;
    for (int o = net.out_begin[n]; o < net.out_begin[n + 1]; ++o) {
      const double coef = net.out_coef(r, n, o);
      const std::string& m = mats[net.out_material[o]];
      acc[{st, m, 0}][country] += Rate::per_day(net.capacity[n] * coef).per_year();
      acc[{st, m, 1}][country] += Rate::per_day(net.out_rate[o]).per_year();
    }
  }
  std::vector<ConcentrationRow> out;
  for (const auto& [key, by_country] : acc) {
    auto [st, m, basis] = key;
    ConcentrationRow r =
        make_row(static_cast<Stage>(st), m, basis == 0 ? "capacity" : "flow", by_country);
    if (r.total > 0) out.push_back(std::move(r));
  }
  return out;
}

std::vector<ExposureRow> origin_exposure(const sim::Network& net, const OriginTrace& trace) {
  const int C = trace.countries;
  struct Acc {
    double weight = 0;
    std::vector<double> stage, any;
  };
  // (sector, region, material, basis index)
  std::map<std::tuple<std::string, std::string, std::string, int>, Acc> acc;
  std::vector<double> st, any;
  for (int n : net.consumer_nodes)
    for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s) {
      const int m = net.in_material[s];
      for (int b = 0; b < static_cast<int>(trace.bases.size()); ++b) {
        const double w = net.demand[s] * (b == 0 ? 1.0 : trace.content[b - 1][m]);
        if (w <= 0) continue;
        input_origin(trace, net, b, s, st, any);
        for (const std::string& region : {net.region[n], std::string("*")}) {
          Acc& a = acc[{net.sector[n], region, net.material_id[m], b}];
          if (a.stage.empty()) a.stage.assign(st.size(), 0.0), a.any.assign(any.size(), 0.0);
          a.weight += w;
          for (std::size_t g = 0; g < st.size(); ++g) a.stage[g] += w * st[g];
          for (std::size_t c = 0; c < any.size(); ++c) a.any[c] += w * any[c];
        }
      }
    }
  std::vector<ExposureRow> out;
  for (const auto& entry : acc) {
    // Not a structured binding: the lambda below uses `a` (clang 14 cannot capture bindings).
    const auto& key = entry.first;
    const auto& a = entry.second;
    ExposureRow r;
    std::tie(r.sector, r.region, r.material, std::ignore) = key;
    r.basis = trace.bases[std::get<3>(key)];
    r.demand_t = Rate::per_day(a.weight).per_year();
    auto add = [&](const std::string& stage, const std::vector<double>& v, std::size_t off) {
      std::vector<ExposureShare> part;
      for (int c = 0; c < C; ++c) {
        double x = v[off + c] / a.weight;
        if (x > 1e-9) part.push_back({stage, net.country_id[c], std::min(1.0, x)});
      }
      std::stable_sort(
          part.begin(), part.end(),
          [](const ExposureShare& p, const ExposureShare& q) { return p.share > q.share; });
      r.shares.insert(r.shares.end(), part.begin(), part.end());
    };
    for (int g = 0; g < kStageCount; ++g) {
      const Stage stage = static_cast<Stage>(g);
      if (stage == Stage::Consumer) continue;
      add(to_string(stage), a.stage, static_cast<std::size_t>(g) * C);
    }
    add("any", a.any, 0);
    out.push_back(std::move(r));
  }
  return out;
}

StructureOptions structure_options(const Study& study) {
  StructureOptions opt;
  auto& co = opt.criticality_options;
  co.start = opt.chokepoint_options.start = study.start;
  co.shortage_threshold = study.shortage_threshold;
  co.engine = engine_settings(study);
  opt.chokepoint_options.licence_volume_cap = study.engine.licence_volume_cap;
  if (study.analysis.enabled) {
    co.days = study.analysis.criticality_days;
    co.horizon = study.analysis.criticality_horizon;
    if (!study.analysis.restrictions_from.empty())
      opt.chokepoint_options.scenario = study.find_scenario(study.analysis.restrictions_from);
  }
  return opt;
}

StructureResult analyze_structure(const Model& model, const StructureOptions& options) {
  StructureResult res;
  res.model_name = model.info.name;
  auto clock = std::chrono::steady_clock::now();
  auto lap = [&](const char* what) {
    auto now = std::chrono::steady_clock::now();
    res.seconds.emplace_back(what, std::chrono::duration<double>(now - clock).count());
    clock = now;
  };
  sim::Network net = sim::compile(model);
  res.warnings = net.warnings;
  res.countries = net.country_id;
  lap("compile");
  res.concentration = concentration(net);
  lap("concentration");
  OriginTrace trace = trace_origins(net, model);
  res.elements = trace.elements;
  res.bases = trace.bases;
  res.exposure = origin_exposure(net, trace);
  lap("exposure");
  res.chokepoints = chokepoints(net, model, trace, options.chokepoint_options);
  res.chokepoint_cases.push_back("baseline");
  if (options.chokepoint_options.scenario)
    res.chokepoint_cases.push_back(options.chokepoint_options.scenario->id);
  lap("chokepoints");
  if (options.criticality) {
    res.criticality = rank_criticality(model, net, options.criticality_options);
    lap("criticality");
  }
  return res;
}

}  // namespace rareshock::analysis
