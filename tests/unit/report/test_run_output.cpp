#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "rareshock/core/error.hpp"
#include "rareshock/io/load.hpp"
#include "rareshock/report/report.hpp"
#include "rareshock/report/run_output.hpp"
#include "report/output_files.hpp"

using namespace rareshock;
namespace fs = std::filesystem;

TEST_CASE("sha256 matches a known vector", "[report]") {
  CHECK(report::sha256("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("run outputs are complete, self-describing and never overwritten silently", "[report]") {
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/example-study.yaml");
  auto result = analysis::run_study(*l.study);
  fs::path dir = fs::temp_directory_path() / ("rareshock-out-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  report::RunProvenance prov;
  prov.resolved_yaml = io::to_yaml(l.resolved);
  prov.inputs = l.files;
  report::write_run_outputs(dir, false, *l.study, l.resolved, result, prov);
  for (const char* f :
       {"summary.json", "metrics.csv", "provenance.json", "timeseries/consumers.csv",
        "timeseries/sectors.csv", "timeseries/regions.csv"})
    CHECK(fs::exists(dir / f));
  auto summary = nlohmann::json::parse(std::ifstream(dir / "summary.json"));
  CHECK(summary["format_version"] == report::kSummaryFormatVersion);
  CHECK(summary["runs"].size() == 3);
  CHECK(summary["study"]["start"] == "2025-01-01");
  // Per-material results: every entity lists its materials (the mini chain's consumers use one
  // grade, ndfeb_sh), with the same metrics keys as the summed ones.
  const auto& first = summary["runs"][1]["results"][0];
  CHECK(first["unit_name"] == "units");
  REQUIRE(first["materials"].size() == 1);
  CHECK(first["materials"][0]["material"] == "ndfeb_sh");
  CHECK(first["materials"][0]["metrics"]["unmet_t"] == first["metrics"]["unmet_t"]);
  CHECK(first["metrics"].contains("units_lost_upper"));
  CHECK(first["metrics"]["margin_lost_usd"].is_null());  // no margin in the example model
  {
    std::ifstream csv(dir / "metrics.csv");
    std::string header, line;
    std::getline(csv, header);
    CHECK(header == "run,level,id,sector,region,material,metric,value,date");
    int all = 0, grade = 0;
    while (std::getline(csv, line)) {
      all += line.find(",all,unmet_t,") != std::string::npos;
      grade += line.find(",ndfeb_sh,unmet_t,") != std::string::npos;
    }
    CHECK(all > 0);
    CHECK(grade == all);  // one material: one per-material row per summed row
  }
  auto prov_json = nlohmann::json::parse(std::ifstream(dir / "provenance.json"));
  CHECK(prov_json["inputs"].size() == 4);
  CHECK(prov_json["inputs"][0]["sha256"].get<std::string>().size() == 64);
  // The resolved study is written once, to resolved-study.yaml; provenance.json references it
  // by name and SHA-256 instead of embedding a second copy.
  CHECK_FALSE(prov_json.contains("resolved_study"));
  CHECK(prov_json["resolved_study_file"] == "resolved-study.yaml");
  {
    std::ifstream in(dir / "resolved-study.yaml", std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(text == prov.resolved_yaml);
    CHECK(prov_json["resolved_study_sha256"] == report::sha256(text));
  }
  CHECK_THROWS_AS(report::write_run_outputs(dir, false, *l.study, l.resolved, result, prov),
                  InputError);
  // --force replaces the whole directory: a file the first run did not write is gone, and the
  // new summary.json is a new file (not the old one left in place).
  std::ofstream(dir / "stale.txt") << "left over\n";
  std::ofstream(dir / "summary.json") << "old";
  report::write_run_outputs(dir, true, *l.study, l.resolved, result, prov);
  CHECK_FALSE(fs::exists(dir / "stale.txt"));
  CHECK(nlohmann::json::parse(std::ifstream(dir / "summary.json"))["format_version"] ==
        report::kSummaryFormatVersion);
  CHECK(fs::exists(dir / ".rareshock-output"));
  int leftovers = 0;
  for (auto& e : fs::directory_iterator(dir.parent_path()))
    leftovers += e.path().filename().string().find(".partial-") != std::string::npos &&
                 e.path().filename().string().find(dir.filename().string()) != std::string::npos;
  CHECK(leftovers == 0);
  fs::remove_all(dir);
}

TEST_CASE("forcing replaces only directories rareshock wrote, odd targets are refused first",
          "[report]") {
  fs::path base = fs::temp_directory_path() / ("rareshock-force-" + std::to_string(::getpid()));
  fs::remove_all(base);
  fs::create_directories(base / "mine");
  std::ofstream(base / "mine" / "thesis.tex") << "years of work";
  // A user's directory: refused even with force, and left alone.
  CHECK_THROWS_WITH(report::check_output_dir(base / "mine", true),
                    Catch::Contains("is not a rareshock output directory"));
  CHECK(fs::exists(base / "mine" / "thesis.tex"));
  std::ofstream(base / "file.txt") << "x";
  CHECK_THROWS_WITH(report::check_output_dir(base / "file.txt", true),
                    Catch::Contains("is a file, not a directory"));
  fs::create_directory_symlink(base / "mine", base / "link");
  CHECK_THROWS_WITH(report::check_output_dir(base / "link", true),
                    Catch::Contains("symbolic link"));
  for (const char* bad : {".", "..", "/", "./", "a/..", "../.."})
    CHECK_THROWS_WITH(report::check_output_dir(bad, true),
                      Catch::Contains("the current, a parent or the root directory"));
  // A marked directory is replaced; a trailing '/' names the same directory.
  fs::create_directories(base / "run");
  std::ofstream(base / "run" / ".rareshock-output") << "";
  CHECK_NOTHROW(report::check_output_dir(base / "run/", true));
  CHECK_NOTHROW(report::check_output_dir(base / "new" / "deeper", false));
  fs::remove_all(base);
}

TEST_CASE("staging directories of dead processes are removed, live ones are kept", "[report]") {
  fs::path base = fs::temp_directory_path() / ("rareshock-stale-" + std::to_string(::getpid()));
  fs::remove_all(base);
  // A pid above pid_max never runs; our parent process is alive.
  const std::string dead = std::to_string(4194304 + 1), alive = std::to_string(::getppid());
  fs::create_directories(base / (".run.partial-" + dead));
  fs::create_directories(base / (".run.old-" + dead));
  fs::create_directories(base / (".run.partial-" + alive));
  fs::create_directories(base / (".other.partial-" + dead));
  {
    report::detail::StagedDir staged(base / "run");
    std::ofstream(staged.path() / "x") << "1";
    staged.commit();
  }
  CHECK_FALSE(fs::exists(base / (".run.partial-" + dead)));
  CHECK_FALSE(fs::exists(base / (".run.old-" + dead)));
  CHECK(fs::exists(base / (".run.partial-" + alive)));
  CHECK(fs::exists(base / (".other.partial-" + dead)));  // another target's: not ours to judge
  CHECK(fs::exists(base / "run" / "x"));
  CHECK(fs::exists(base / "run" / ".rareshock-output"));
  fs::remove_all(base);
}

TEST_CASE("no NaN or infinity reaches an output file", "[report]") {
  CHECK(report::detail::num(1.5) == "1.5");
  CHECK_THROWS_AS(report::detail::num(std::nan("")), RuntimeError);
  CHECK_THROWS_AS(report::detail::num(HUGE_VAL), RuntimeError);
  nlohmann::json j = {{"runs", {{{"unmet_t", 1.0}}, {{"unmet_t", std::nan("")}}}}};
  CHECK_THROWS_WITH(report::detail::check_finite(j, "summary.json"),
                    Catch::Contains("'/runs/1/unmet_t'"));
  j["runs"][1]["unmet_t"] = 2.0;
  CHECK_NOTHROW(report::detail::check_finite(j, "summary.json"));
}

TEST_CASE("an output directory is replaced whole or not at all, by one process at a time",
          "[report][output_dir]") {
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/example-study.yaml");
  auto result = analysis::run_study(*l.study);
  report::RunProvenance prov;
  prov.resolved_yaml = io::to_yaml(l.resolved);
  prov.inputs = l.files;
  const fs::path base =
      fs::temp_directory_path() / ("rareshock-outdir-" + std::to_string(::getpid()));
  fs::remove_all(base);
  const fs::path dir = base / "run";
  report::write_run_outputs(dir, false, *l.study, l.resolved, result, prov);
  std::ofstream(dir / "previous.txt") << "the previous output";
  const fs::path lock = base / ".run.lock";
  auto staging_dirs = [&] {
    int n = 0;
    for (const auto& e : fs::directory_iterator(base))
      n += e.path().filename().string().rfind(".run.partial-", 0) == 0;
    return n;
  };
  // A late failure (here: after the reports, before the rename) leaves the previous output.
  try {
    report::OutputDir out(dir, true);
    report::write_run_files(out.path(), *l.study, l.resolved, result, prov);
    report::render_reports(out.path());
    CHECK(fs::exists(out.path() / "report.html"));
    CHECK(fs::exists(out.path() / "charts"));
    CHECK(fs::exists(lock));
    throw RuntimeError("a late failure");
  } catch (const RuntimeError&) {
  }
  CHECK(fs::exists(dir / "previous.txt"));
  CHECK_FALSE(fs::exists(dir / "report.html"));
  CHECK(staging_dirs() == 0);
  CHECK_FALSE(fs::exists(lock));
  // One process at a time: a second writer (another OutputDir, a one-shot write, a report
  // re-render) is refused while the first holds the directory, naming its pid.
  {
    report::OutputDir first(dir, true);
    const std::string holder = "another rareshock process (pid " + std::to_string(::getpid());
    CHECK_THROWS_WITH(report::OutputDir(dir, true), Catch::Contains(holder));
    CHECK_THROWS_WITH(report::write_run_outputs(dir, true, *l.study, l.resolved, result, prov),
                      Catch::Contains(holder));
    CHECK_THROWS_WITH(report::OutputLock(dir / ""), Catch::Contains(holder));
    CHECK(fs::exists(dir / "previous.txt"));
    // Reports and analysis/ are in the staging directory; the one rename brings them all.
    report::write_run_files(first.path(), *l.study, l.resolved, result, prov);
    report::render_reports(first.path());
    first.commit();
    CHECK_FALSE(fs::exists(dir / "previous.txt"));
    CHECK(fs::exists(dir / "report.html"));
    CHECK(fs::exists(dir / "report.md"));
    CHECK(fs::exists(dir / "summary.json"));
    CHECK(fs::exists(dir / ".rareshock-output"));
  }
  CHECK_FALSE(fs::exists(lock));
  CHECK_NOTHROW(report::OutputLock(dir));  // released with its holder
  CHECK(staging_dirs() == 0);
  fs::remove_all(base);
}
