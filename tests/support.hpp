#pragma once
// Shared helpers for tests: load YAML text, run an engine, find entities.
#include <memory>
#include <string>

#include "rareshock/io/load.hpp"
#include "rareshock/sim/engine.hpp"
#include "rareshock/sim/forcing.hpp"
#include "rareshock/sim/network.hpp"

namespace test {

inline std::shared_ptr<const rareshock::Model> model_from(const std::string& yaml) {
  return rareshock::io::load_text("test.yaml", yaml).model;
}
inline std::shared_ptr<const rareshock::Scenario> scenario_from(const std::string& yaml) {
  return rareshock::io::load_text("scenario.yaml", yaml).scenario;
}

/// A compiled model plus a forcing and an engine over it (kept alive together).
struct Sim {
  std::shared_ptr<const rareshock::Model> model;
  std::shared_ptr<const rareshock::Scenario> scenario;
  rareshock::sim::Network net;
  rareshock::sim::Forcing forcing;
  std::unique_ptr<rareshock::sim::Engine> engine;

  Sim(const std::string& model_yaml, const std::string& scenario_yaml = {},
      rareshock::Date start = rareshock::make_date(2025, 1, 1),
      rareshock::sim::EngineSettings es = {})
      : model(model_from(model_yaml)), net(rareshock::sim::compile(*model)) {
    std::vector<const rareshock::Scenario*> sc;
    if (!scenario_yaml.empty()) {
      scenario = scenario_from(scenario_yaml);
      sc.push_back(scenario.get());
    }
    forcing = rareshock::sim::compile_forcing(net, *model, sc, start);
    engine = std::make_unique<rareshock::sim::Engine>(net, forcing, es);
  }
  int node(const std::string& id) const { return net.node_index(id); }
  int in_slot(const std::string& node_id, const std::string& material) const {
    return net.in_slot(net.node_index(node_id), net.material_index(material));
  }
  int out_slot(const std::string& node_id, const std::string& material) const {
    return net.out_slot(net.node_index(node_id), net.material_index(material));
  }
};

}  // namespace test
