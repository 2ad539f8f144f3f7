#include "rareshock/sim/synthetic.hpp"

#include <algorithm>
#include <numeric>
#include <random>

#include "rareshock/sim/network.hpp"

namespace rareshock::sim {

namespace {

MaterialAmount amount(const std::string& m, double a) {
  return MaterialAmount{Ref{m, {}}, a};
}

// Picks k distinct indices from [0, n) (k <= n).
std::vector<int> pick(std::mt19937_64& rng, int n, int k) {
  std::vector<int> out;
  if (k >= n) {
    out.resize(n);
    std::iota(out.begin(), out.end(), 0);
    return out;
  }
  std::uniform_int_distribution<int> u(0, n - 1);
  while (static_cast<int>(out.size()) < k) {
    int x = u(rng);
    if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(x);
  }
  return out;
}

void add_countries(Model& m, int count) {
  for (int c = 0; c < count; ++c) {
    // appended, not "literal" + std::string: GCC 12 warns of a false -Wrestrict on the latter
    const std::string n = std::to_string(c);
    m.countries.push_back({std::string("C").append(n), std::string("Country ").append(n), {}});
  }
}

// Sets capacities to (1 + spare) x the baseline activity.
void size_capacities(Model& m, double spare) {
  Network net = compile(m);
  for (std::size_t n = 0; n < m.nodes.size(); ++n)
    if (m.nodes[n].capacity)
      m.nodes[n].capacity =
          Rate::per_year(std::max(1.0, Rate::per_day(net.activity[n]).per_year() * (1 + spare)));
}

}  // namespace

Model make_chain(const ChainSpec& spec) {
  std::mt19937_64 rng(spec.seed);
  Model m;
  m.info.name = "synthetic-chain";
  m.materials = {
      {"conc", "concentrate", "concentrate", {{"Nd", 0.12}, {"Dy", 0.002}}, {}, {}, {}},
      {"oxide", "NdPr oxide", "oxide", {{"Nd", 0.64}, {"Pr", 0.21}}, {}, {}, {}},
      {"lace", "La/Ce oxide", "oxide", {{"La", 0.3}, {"Ce", 0.55}}, {}, {}, {}},
      {"metal", "NdPr metal", "metal", {{"Nd", 0.75}, {"Pr", 0.25}}, {}, {}, {}},
      {"magnet", "NdFeB", "magnet", {{"Nd", 0.23}, {"Pr", 0.07}, {"Dy", 0.01}}, {}, {}, {}}};
  add_countries(m, spec.countries);
  const int N = std::max(10, spec.nodes);
  const int per = std::max(1, N * 4 / 100);
  const int sizes[4] = {per, per, per, std::max(1, N * 8 / 100)};
  const char* stage_mat_out[4] = {"conc", "oxide", "metal", "magnet"};
  const char* stage_mat_in[4] = {nullptr, "conc", "oxide", "metal"};
  const Stage stages[4] = {Stage::Mine, Stage::Refinery, Stage::Metal, Stage::Magnet};
  std::uniform_int_distribution<int> country(0, spec.countries - 1);
  std::uniform_real_distribution<double> inv(10, 60), lead(3, 60), dem(50, 500);
  std::vector<std::vector<int>> layer(5);
  m.nodes.reserve(static_cast<std::size_t>(N));
  for (int s = 0; s < 4; ++s)
    for (int i = 0; i < sizes[s]; ++i) {
      Node n;
      n.id = std::string(to_string(stages[s])) + "_" + std::to_string(i);
      n.name = n.id;
      n.stage = stages[s];
      n.country = Ref{"C" + std::to_string(country(rng)), {}};
      n.capacity = Rate::per_year(1.0);
      Recipe r;
      r.id = "main";
      if (stage_mat_in[s])
        r.inputs.push_back(amount(stage_mat_in[s], s == 2 ? 1.17 : s == 3 ? 0.31 : 1.0));
      r.outputs.push_back(amount(stage_mat_out[s], s == 1 ? 0.16 : 1.0));
      if (s == 1) r.outputs.push_back(amount("lace", 0.45));
      n.recipes.push_back(r);
      n.recipe = "main";
      n.inventory_days = inv(rng);
      layer[s].push_back(static_cast<int>(m.nodes.size()));
      m.nodes.push_back(n);
    }
  const int consumers = N - static_cast<int>(m.nodes.size());
  for (int i = 0; i < consumers; ++i) {
    Node n;
    n.id = "consumer_" + std::to_string(i);
    n.name = n.id;
    n.stage = Stage::Consumer;
    n.sector = "sector_" + std::to_string(i % 8);
    n.region = Ref{"C" + std::to_string(country(rng)), {}};
    n.country = n.region;
    n.demand.push_back(amount("magnet", dem(rng)));
    n.units_per_tonne = 500;
    n.value_per_unit = 30000;
    n.inventory_days = inv(rng);
    layer[4].push_back(static_cast<int>(m.nodes.size()));
    m.nodes.push_back(n);
  }
  std::uniform_real_distribution<double> w(0.2, 1.0);
  // Reserved: growing by doubling would hold the old and the new array at once.
  std::size_t edges = 0;
  for (int s = 1; s <= 4; ++s)
    edges += layer[s].size() * std::min(layer[s - 1].size(), static_cast<std::size_t>(spec.fan_in));
  m.edges.reserve(edges);
  for (int s = 1; s <= 4; ++s) {
    const char* mat = stage_mat_in[s == 4 ? 3 : s];
    if (s == 4) mat = "magnet";
    for (int c : layer[s]) {
      auto sup = pick(rng, static_cast<int>(layer[s - 1].size()), spec.fan_in);
      std::vector<double> shares(sup.size());
      double sum = 0;
      for (auto& x : shares) sum += x = w(rng);
      for (std::size_t k = 0; k < sup.size(); ++k) {
        Edge e;
        e.from = Ref{m.nodes[layer[s - 1][sup[k]]].id, {}};
        e.to = Ref{m.nodes[c].id, {}};
        e.material = Ref{mat, {}};
        e.share = shares[k] / sum;
        e.lead_time = Duration::days(std::round(lead(rng)));
        m.edges.push_back(e);
      }
    }
  }
  size_capacities(m, spec.spare_capacity);
  return m;
}

Model make_dense(const DenseSpec& spec) {
  std::mt19937_64 rng(spec.seed);
  Model m;
  m.info.name = "synthetic-dense";
  m.materials = {{"good", "good", "good", {}, {}, {}, {}}};
  add_countries(m, 40);
  const int producers = spec.nodes - spec.consumers;
  std::uniform_int_distribution<int> country(0, 39);
  std::uniform_real_distribution<double> lead(1, 30), w(0.2, 1.0), dem(100, 1000);
  for (int i = 0; i < producers; ++i) {
    Node n;
    n.id = "p" + std::to_string(i);
    n.stage = Stage::Component;
    n.country = Ref{"C" + std::to_string(country(rng)), {}};
    n.capacity = Rate::per_year(1.0);
    Recipe r;
    r.id = "main";
    r.inputs.push_back(amount("good", 0.5));
    r.outputs.push_back(amount("good", 1.0));
    n.recipes.push_back(r);
    n.recipe = "main";
    n.inventory_days = 30;
    m.nodes.push_back(n);
  }
  for (int i = 0; i < spec.consumers; ++i) {
    Node n;
    n.id = "final_" + std::to_string(i);
    n.stage = Stage::Consumer;
    n.sector = "sector_" + std::to_string(i % 10);
    n.region = Ref{"C" + std::to_string(i % 40), {}};
    n.country = n.region;
    n.demand.push_back(amount("good", dem(rng)));
    n.inventory_days = 20;
    m.nodes.push_back(n);
  }
  auto connect = [&](int customer, int k) {
    auto sup = pick(rng, producers, k);
    std::vector<double> shares(sup.size());
    double sum = 0;
    for (auto& x : shares) sum += x = w(rng);
    for (std::size_t j = 0; j < sup.size(); ++j) {
      if (sup[j] == customer) continue;  // no self-supply
      Edge e;
      e.from = Ref{m.nodes[sup[j]].id, {}};
      e.to = Ref{m.nodes[customer].id, {}};
      e.material = Ref{"good", {}};
      e.share = shares[j] / sum;
      e.lead_time = Duration::days(std::round(lead(rng)));
      m.edges.push_back(e);
    }
  };
  for (int i = 0; i < producers; ++i) connect(i, spec.fan_in);
  for (int i = 0; i < spec.consumers; ++i) connect(producers + i, 50);
  // Shares of a customer that skipped itself no longer sum to 1: renormalise.
  auto node_of = [producers](const std::string& id) {  // "p<i>" or "final_<i>"
    return id[0] == 'p' ? std::stoi(id.substr(1)) : producers + std::stoi(id.substr(6));
  };
  std::vector<double> sums(m.nodes.size(), 0.0);
  for (const auto& e : m.edges) sums[node_of(e.to.id)] += *e.share;
  for (auto& e : m.edges) e.share = *e.share / sums[node_of(e.to.id)];
  size_capacities(m, 0.3);
  return m;
}

}  // namespace rareshock::sim
