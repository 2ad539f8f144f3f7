// Criticality ranking: the Simchi-Levi et al. time-to-survive toy, ranking and determinism.
#include <catch2/catch.hpp>

#include "../../support.hpp"
#include "rareshock/analysis/structure/criticality.hpp"
#include "rareshock/io/load.hpp"

using namespace rareshock;

namespace {

// Simchi-Levi et al. (2015), Interfaces 45(5): time-to-survive toy, hand-derived from the LP
// (Simchi-Levi et al., Interfaces 45(5), 2015; toy hand-derived from their LP). Product P is made
// from part S (1:1); S is disrupted for TTR = 10 days; 50 units of S are held at P's plant, 20
// finished units of P; demand 10/day; P capacity 15/day; margin 5 USD/unit.
const char* kToy = R"(
materials: [{id: S, family: part}, {id: P, family: product}]
countries: [X]
nodes:
  - {id: s_supplier, stage: component, country: X, capacity: 3650, outputs: {S: 1}}
  - id: p_plant
    stage: component
    country: X
    capacity: 5475
    inputs: {S: 1}
    outputs: {P: 1}
    inventory: [{material: S, initial: 50 t}]
    output_inventory: [{material: P, initial: 20 t}]
consumers: [{id: market, sector: p, region: X, demand: {P: 3650}, units_per_tonne: 1, value_per_unit: 5 USD, inventory_days: 0}]
edges:
  - {from: s_supplier, to: p_plant, material: S, share: 1}
  - {from: p_plant, to: market, material: P, share: 1}
)";

const analysis::CriticalityEntry& entry(const analysis::CriticalityResult& r,
                                        const std::string& id) {
  for (const auto& e : r.entries)
    if (e.id == id) return e;
  FAIL("no entry " << id);
  return r.entries.front();
}

}  // namespace

TEST_CASE(
    "Simchi-Levi et al. 2015 (Interfaces 45(5)) time-to-survive toy: TTS 7 days, 30 units, "
    "150 USD, vulnerable",
    "[analysis][criticality][published]") {
  auto model = test::model_from(kToy);
  sim::Network net = sim::compile(*model);
  analysis::CriticalityOptions opt;
  opt.days = 10;     // TTR
  opt.horizon = 10;  // the impact is the lost output over the TTR window
  opt.threads = 2;
  auto r = analysis::rank_criticality(*model, net, opt);
  CHECK(r.baseline_unmet_t == 0);
  const auto& s = entry(r, "s_supplier");
  CHECK(s.kind == analysis::OutageKind::Node);
  CHECK(s.ttr == 10);
  REQUIRE(s.total.tts);
  CHECK(*s.total.tts == 7);  // days 0-6 served from 20 P + 50 S
  CHECK(s.total.unmet_t == Approx(30));
  CHECK(s.total.units_lost == Approx(30));
  CHECK(s.total.value_lost_usd == Approx(150));
  CHECK(s.vulnerable);  // TTS 7 < TTR 10
  REQUIRE(s.sectors.size() == 1);
  CHECK(s.sectors[0].first == "p");
  CHECK(s.sectors[0].second.unmet_t == Approx(30));
  CHECK(*s.sectors[0].second.tts == 7);
  // Disabling the plant itself: only its 20 finished units are left, TTS 2 days.
  const auto& p = entry(r, "p_plant");
  REQUIRE(p.total.tts);
  CHECK(*p.total.tts == 2);
  CHECK(p.total.unmet_t == Approx(80));
  CHECK(p.rank < s.rank);
  CHECK(s.rank == 3);
  // One country x stage (X/component) with both nodes.
  const auto& both = entry(r, "X/component");
  CHECK(both.kind == analysis::OutageKind::CountryStage);
  CHECK(both.nodes.size() == 2);
}

TEST_CASE("a longer TTR than TTS is not vulnerable when stocks bridge it, recovery after it ends",
          "[analysis][criticality]") {
  auto model = test::model_from(kToy);
  sim::Network net = sim::compile(*model);
  analysis::CriticalityOptions opt;
  opt.days = 5;  // the supplier is back before the stocks run out
  opt.horizon = 60;
  auto r = analysis::rank_criticality(*model, net, opt);
  const auto& s = entry(r, "s_supplier");
  REQUIRE(s.total.tts);
  CHECK(*s.total.tts == 7);  // TTS does not depend on D: the open-ended outage
  CHECK_FALSE(s.vulnerable);
  CHECK(s.total.unmet_t == Approx(0).margin(1e-9));
  CHECK_FALSE(s.total.first_short);
  CHECK(s.total.recovered);
}

TEST_CASE(
    "criticality on the example chain ranks the Chinese magnet maker first and does not "
    "depend on the thread count",
    "[analysis][criticality]") {
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml");
  sim::Network net = sim::compile(*l.model);
  analysis::CriticalityOptions opt;
  opt.days = 120;
  opt.threads = 1;
  auto a = analysis::rank_criticality(*l.model, net, opt);
  opt.threads = 2;
  auto b = analysis::rank_criticality(*l.model, net, opt);
  REQUIRE(a.entries.size() == b.entries.size());
  for (std::size_t i = 0; i < a.entries.size(); ++i) {
    CHECK(a.entries[i].id == b.entries[i].id);
    CHECK(a.entries[i].total.unmet_t == b.entries[i].total.unmet_t);
    CHECK(a.entries[i].rank == static_cast<int>(i) + 1);
  }
  // Producing nodes only (no stockpile, no consumers); every country x stage has one node.
  CHECK(a.entries.size() == 7);
  CHECK(a.sectors == std::vector<std::string>{"ev_traction", "wind"});
  const auto& top = a.entries.front();
  CHECK(top.total.value_lost_usd > 0);
  CHECK(entry(a, "cn_magnet").total.unmet_t > entry(a, "jp_magnet").total.unmet_t);
  CHECK(entry(a, "cn_magnet").iim_inoperability > entry(a, "jp_magnet").iim_inoperability);
  CHECK(entry(a, "cn_magnet").baseline_output_share > 0.9);
  for (const auto& e : a.entries) {
    CHECK(e.total.unmet_t >= 0);
    CHECK(e.iim_inoperability >= 0);
    CHECK(e.iim_inoperability <= 1);
  }
}

TEST_CASE("a cancelled criticality sweep skips the outages and says so",
          "[analysis][criticality]") {
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml");
  sim::Network net = sim::compile(*l.model);
  analysis::CriticalityOptions opt;
  opt.days = 60;
  opt.threads = 1;
  std::atomic<bool> stop{false};
  opt.cancel = &stop;
  auto full = analysis::rank_criticality(*l.model, net, opt);
  CHECK_FALSE(full.cancelled);
  REQUIRE(full.entries.size() == 7);
  CHECK(full.entries.front().total.unmet_t > 0);
  stop = true;  // Ctrl-C before the sweep: no outage is run
  auto cut = analysis::rank_criticality(*l.model, net, opt);
  CHECK(cut.cancelled);
  for (const auto& e : cut.entries) CHECK(e.id.empty());
}

namespace {

// Runs map like an MPI job of \p ranks processes would assign it (contiguous blocks,
// block_first), the blocks in reverse order, and counts batches: what rank_criticality sees
// from an MpiExecutor, without MPI.
class BlocksExecutor final : public Executor {
 public:
  explicit BlocksExecutor(int ranks) : ranks_(ranks) {}
  int threads() const override { return 1; }
  std::vector<Packed> map(std::size_t n, const Task& task) override {
    ++batches;
    std::vector<Packed> out(n);
    for (int r = ranks_ - 1; r >= 0; --r)
      for (std::size_t i = block_first(n, ranks_, r); i < block_first(n, ranks_, r + 1); ++i)
        out[i] = task(i);
    return out;
  }
  int batches = 0;

 private:
  int ranks_;
};

void same_entry(const analysis::CriticalityEntry& a, const analysis::CriticalityEntry& b) {
  CHECK(a.kind == b.kind);
  CHECK(a.id == b.id);
  CHECK(a.country == b.country);
  CHECK(a.stage == b.stage);
  CHECK(a.nodes == b.nodes);
  CHECK(a.baseline_output_share == b.baseline_output_share);
  for (const auto& [x, y] : {std::pair{a.total, b.total}}) {
    CHECK(x.unmet_t == y.unmet_t);
    CHECK(x.units_lost == y.units_lost);
    CHECK(x.value_lost_usd == y.value_lost_usd);
    CHECK(x.peak_shortfall == y.peak_shortfall);
    CHECK(x.shortage_days == y.shortage_days);
    CHECK(x.first_short == y.first_short);
    CHECK(x.tts == y.tts);
    CHECK(x.recovery == y.recovery);
    CHECK(x.recovered == y.recovered);
  }
  REQUIRE(a.sectors.size() == b.sectors.size());
  for (std::size_t s = 0; s < a.sectors.size(); ++s) {
    CHECK(a.sectors[s].first == b.sectors[s].first);
    CHECK(a.sectors[s].second.unmet_t == b.sectors[s].second.unmet_t);
    CHECK(a.sectors[s].second.tts == b.sectors[s].second.tts);
    CHECK(a.sectors[s].second.recovery == b.sectors[s].second.recovery);
    CHECK(a.sectors[s].second.recovered == b.sectors[s].second.recovered);
  }
  CHECK(a.ttr == b.ttr);
  CHECK(a.vulnerable == b.vulnerable);
  CHECK(a.sectors_short == b.sectors_short);
  CHECK(a.iim_inoperability == b.iim_inoperability);
  CHECK(a.rank == b.rank);
  CHECK(a.rank_unmet == b.rank_unmet);
}

}  // namespace

TEST_CASE("a criticality entry packs into doubles and back unchanged",
          "[analysis][criticality][executor]") {
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml");
  sim::Network net = sim::compile(*l.model);
  analysis::CriticalityOptions opt;
  opt.days = 120;
  opt.threads = 1;
  auto r = analysis::rank_criticality(*l.model, net, opt);
  REQUIRE(r.entries.size() == 7);
  analysis::CriticalityEntry odd = r.entries.front();
  odd.kind = analysis::OutageKind::CountryStage;
  odd.id = "CN/magnet \xc3\xa9";  // any bytes of text
  odd.nodes = {"a", "", "b"};
  odd.total.tts.reset();
  odd.total.recovery = 0;
  odd.total.recovered = false;
  odd.vulnerable = true;
  r.entries.push_back(odd);
  Packed p;
  for (const auto& e : r.entries) analysis::pack(p, e);
  Unpacker u{p};
  for (const auto& e : r.entries) same_entry(analysis::unpack_entry(u), e);
  CHECK(u.at == p.size());
}

TEST_CASE("the criticality sweep runs its outages through the executor, any assignment alike",
          "[analysis][criticality][executor]") {
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml");
  sim::Network net = sim::compile(*l.model);
  analysis::CriticalityOptions opt;
  opt.days = 120;
  opt.threads = 2;
  auto threads = analysis::rank_criticality(*l.model, net, opt);
  for (int ranks : {1, 2, 3, 8}) {
    BlocksExecutor blocks(ranks);
    opt.executor = &blocks;
    auto r = analysis::rank_criticality(*l.model, net, opt);
    CHECK(blocks.batches == 1);
    CHECK(r.threads == 1);
    REQUIRE(r.entries.size() == threads.entries.size());
    for (std::size_t i = 0; i < r.entries.size(); ++i) same_entry(r.entries[i], threads.entries[i]);
  }
}
