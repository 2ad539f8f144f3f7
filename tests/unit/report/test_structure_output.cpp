#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "rareshock/core/error.hpp"
#include "rareshock/io/load.hpp"
#include "rareshock/report/structure_output.hpp"

using namespace rareshock;
namespace fs = std::filesystem;

TEST_CASE("structural-analysis outputs are complete, documented shapes, never overwritten silently",
          "[report][structure]") {
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml");
  analysis::StructureOptions opt;
  opt.criticality_options.days = 30;
  opt.criticality_options.horizon = 120;
  auto result = analysis::analyze_structure(*l.model, opt);
  fs::path dir = fs::temp_directory_path() / ("rareshock-analyze-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  report::RunProvenance prov;
  prov.resolved_yaml = io::to_yaml(l.resolved);
  prov.inputs = l.files;
  report::write_structure_outputs(dir, false, *l.model, result, prov);
  for (const char* f : {"summary.json", "concentration.csv", "exposure.csv", "chokepoints.csv",
                        "criticality.csv", "provenance.json", "resolved-input.yaml"})
    CHECK(fs::exists(dir / f));
  auto summary = nlohmann::json::parse(std::ifstream(dir / "summary.json"));
  CHECK(summary["format_version"] == report::kStructureFormatVersion);
  CHECK(summary["kind"] == "structural_analysis");
  CHECK(summary["model"]["name"] == "mini-chain");
  CHECK(summary["concentration"].size() == result.concentration.size());
  CHECK(summary["exposure"]["bases"][0] == "mass");
  const auto& row = summary["exposure"]["rows"][0];
  CHECK(row["by_stage"].contains("magnet"));
  CHECK(row["by_stage"].contains("any"));
  CHECK(summary["chokepoints"]["cases"] == nlohmann::json::array({"baseline"}));
  CHECK_FALSE(summary["chokepoints"]["targets"].empty());
  const auto& crit = summary["criticality"];
  CHECK(crit["days"] == 30);
  CHECK(crit["horizon_days"] == 120);
  CHECK(crit["entries"].size() == result.criticality->entries.size());
  CHECK(crit["entries"][0]["rank"] == 1);
  CHECK(crit["entries"][0]["sectors"].contains("ev_traction"));
  // criticality.csv: one total row ("*") and one per sector for each entry.
  std::ifstream csv(dir / "criticality.csv");
  std::string header;
  std::getline(csv, header);
  CHECK(header.rfind("rank,rank_unmet,kind,id,", 0) == 0);
  int lines = 0;
  for (std::string line; std::getline(csv, line);) ++lines;
  CHECK(lines == static_cast<int>(result.criticality->entries.size() * 3));
  auto prov_json = nlohmann::json::parse(std::ifstream(dir / "provenance.json"));
  CHECK(prov_json["inputs"][0]["sha256"].get<std::string>().size() == 64);
  CHECK(prov_json["options"]["criticality_days"] == 30);
  CHECK_THROWS_AS(report::write_structure_outputs(dir, false, *l.model, result, prov), InputError);
  report::write_structure_outputs(dir, true, *l.model, result, prov);
  CHECK(fs::exists(dir / "summary.json"));
  fs::remove_all(dir);
}
