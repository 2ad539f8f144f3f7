// rareshock command line: a thin shell over the library. The only catch-all in the project:
// InputError -> exit 2, any other failure -> exit 1.
//
// Under an MPI launcher (mpirun, srun; built with RARESHOCK_HAVE_MPI) every rank runs this
// program: `run` and `analyze` split their ensembles over the ranks (MpiExecutor); rank 0
// writes the outputs and prints; the other ranks are silent (their std::cout, std::cerr and
// log go nowhere) and write nothing. Every other command runs on rank 0 alone.
#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>

#include "rareshock/analysis/run/calibration.hpp"
#include "rareshock/analysis/run/study_run.hpp"
#include "rareshock/analysis/structure/structure.hpp"
#include "rareshock/analysis/uncertainty/uncertainty.hpp"
#include "rareshock/core/build_info.hpp"
#include "rareshock/core/error.hpp"
#include "rareshock/core/terminal.hpp"
#include "rareshock/core/text.hpp"
#include "rareshock/executor.hpp"
#include "rareshock/io/load.hpp"
#include "rareshock/report/calibration_output.hpp"
#include "rareshock/report/focus.hpp"
#include "rareshock/report/markup.hpp"
#include "rareshock/report/report.hpp"
#include "rareshock/report/run_output.hpp"
#include "rareshock/report/structure_output.hpp"
#include "rareshock/run.hpp"
#ifdef RARESHOCK_HAVE_MPI
#include "rareshock/mpi.hpp"
#endif

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>

namespace {

constexpr int kExitOk = 0;
constexpr int kExitRuntime = 1;
constexpr int kExitInput = 2;
constexpr int kExitInterrupted = 130;  // 128 + SIGINT, as a shell reports it
// Bounds of numeric options (docs/formats.md, "Limits").
constexpr int kMaxThreads = 256;       // more is no faster and exhausts the thread allocator
constexpr int kMaxDraws = 10'000'000;  // as monte_carlo.draws
constexpr int kMaxDays = 36'500;       // as the study horizon: 100 years
constexpr const char* kAllowOutsideHelp =
    "Read include:, csv:, model:, scenario and observed files outside the input tree (the "
    "top-level file's directory, or the nearest one above holding .rareshock-root)";

// The check of a whole-number option, run on its text before CLI11 converts it (CLI11's own
// message for `--draws abc` was "Could not convert"): names what the option expects.
CLI::Validator whole_number(const char* what, long long lo, long long hi, const char* example) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        long long v = 0;
        auto r = std::from_chars(text.data(), text.data() + text.size(), v);
        const bool digits = r.ptr == text.data() + text.size() && r.ptr != text.data();
        const bool whole =
            digits && (r.ec == std::errc() || r.ec == std::errc::result_out_of_range);
        if (digits && r.ec == std::errc() && v >= lo && v <= hi) return {};
        return fmt::format("{} '{}': expected {}, a whole number from {} to {} (e.g. {})",
                           whole ? "out of range:" : "not a whole number:", text, what, lo, hi,
                           example);
      },
      "INT", "whole number");
}

// This process writes outputs and talks to the user: always, except on the ranks other than
// 0 of an MPI job.
bool g_writer = true;
#ifdef RARESHOCK_HAVE_MPI
// Started by an MPI launcher: `run` and `analyze` use an MpiExecutor.
bool g_mpi = false;
#endif

// The executor of `run` and `analyze`: the ranks of the MPI job, or this process's threads.
std::unique_ptr<rareshock::Executor> make_executor(int threads) {
#ifdef RARESHOCK_HAVE_MPI
  if (g_mpi) return std::make_unique<rareshock::MpiExecutor>(threads);
#endif
  return std::make_unique<rareshock::ThreadExecutor>(threads);
}

// Runs \p step on the writing process only (creating and locking the output directory) and
// makes every process learn whether it failed (Executor::settle): the writer rethrows its
// error and tells it; the others throw a RemoteError with the same message and exit code.
template <class Step>
void on_writer(rareshock::Executor& exec, Step&& step) {
  std::exception_ptr failure;
  if (exec.writes()) try {
      step();
    } catch (...) {
      failure = std::current_exception();
    }
  exec.settle(failure);
}

struct GlobalOptions {
  bool verbose = false;
  bool quiet = false;
  std::string log_file;
};

// Formats like a pattern formatter, then makes the line safe for a terminal (rareshock::
// terminal_safe): log messages carry study names, ids and paths from the input.
class TerminalSafeFormatter : public spdlog::formatter {
 public:
  explicit TerminalSafeFormatter(std::string pattern)
      : pattern_(std::move(pattern)),
        inner_(std::make_unique<spdlog::pattern_formatter>(pattern_)) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    spdlog::memory_buf_t raw;
    inner_->format(msg, raw);  // sets the colour range (the level name), which has no escapes
    const std::string safe = rareshock::terminal_safe(std::string_view(raw.data(), raw.size()));
    dest.append(safe.data(), safe.data() + safe.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<TerminalSafeFormatter>(pattern_);
  }

 private:
  std::string pattern_;
  std::unique_ptr<spdlog::formatter> inner_;
};

void setup_logging(const GlobalOptions& g) {
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  console->set_formatter(std::make_unique<TerminalSafeFormatter>("%^%l%$: %v"));
  std::vector<spdlog::sink_ptr> sinks{console};
  if (!g.log_file.empty() && g_writer) {
    auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(g.log_file, true);
    file->set_formatter(std::make_unique<TerminalSafeFormatter>("[%Y-%m-%d %H:%M:%S.%e] [%l] %v"));
    file->set_level(spdlog::level::debug);
    sinks.push_back(file);
  }
  auto logger = std::make_shared<spdlog::logger>("rareshock", sinks.begin(), sinks.end());
  console->set_level(!g_writer   ? spdlog::level::off
                     : g.quiet   ? spdlog::level::err
                     : g.verbose ? spdlog::level::debug
                                 : spdlog::level::info);
  logger->set_level(spdlog::level::debug);
  spdlog::set_default_logger(logger);
}

// "1 event", "3 events".
std::string counted(std::size_t n, const char* noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

std::string summary_line(const rareshock::io::Loaded& l) {
  using rareshock::io::FileKind;
  switch (l.kind) {
    case FileKind::Model: {
      std::size_t consumers = 0;
      for (const auto& n : l.model->nodes) consumers += n.is_consumer();
      return fmt::format("model '{}': {} materials, {} countries, {} nodes, {} consumers, {} edges",
                         l.model->info.name, l.model->materials.size(), l.model->countries.size(),
                         l.model->nodes.size() - consumers, consumers, l.model->edges.size());
    }
    case FileKind::Scenario:
      return fmt::format("scenario '{}': {}", l.scenario->id,
                         counted(l.scenario->events.size(), "event"));
    case FileKind::Study:
      return fmt::format("study '{}': {}, {}, {}, horizon {}", l.study->name,
                         counted(l.study->scenarios.size(), "scenario"),
                         counted(l.study->mitigations.size(), "mitigation"),
                         counted(l.study->combinations.size(), "run"),
                         counted(static_cast<std::size_t>(l.study->horizon), "day"));
  }
  return {};
}

constexpr const char* kFocusHelp =
    "Regions and sectors listed first in the findings, the charts and this summary, e.g. "
    "\"regions=EU;sectors=ev_traction,wind\" (sets the study's focus:)";

bool g_allow_outside_includes = false;  // --allow-outside-includes

// \p focus: `--focus` as written (the study reader checks it, with carets into its text).
rareshock::io::Loaded load(const std::string& file, const std::vector<std::string>& sets,
                           const std::string& focus = {}) {
  rareshock::io::LoadOptions opt;
  opt.overrides = sets;
  opt.focus = focus;
  opt.allow_outside_includes = g_allow_outside_includes;
  auto loaded = rareshock::io::load_file(file, opt);
  if (!loaded.warnings.empty()) std::cerr << rareshock::terminal_safe(loaded.warnings);
  return loaded;
}

// True when \p l holds a study; otherwise says which command needs one.
bool is_study(const rareshock::io::Loaded& l, const std::string& file, const char* command) {
  if (l.kind == rareshock::io::FileKind::Study) return true;
  std::cerr << "error: '" << rareshock::terminal_safe(file) << "' is a "
            << rareshock::io::to_string(l.kind) << " file; '" << command
            << "' needs a study (a file with a 'study:' header)\n";
  return false;
}

std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int) {
  g_interrupted.store(true);
}

// A progress bar on stderr when it is a terminal: done, rate, ETA. Quiet otherwise.
class Progress {
 public:
  explicit Progress(int total, std::string what = "draws")
      : active_(total > 0 && ::isatty(STDERR_FILENO)),
        what_(std::move(what)),
        start_(std::chrono::steady_clock::now()) {}
  void update(int done, int total) {
    if (!active_) return;
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    double rate = secs > 0 ? done / secs : 0;
    double eta = rate > 0 ? (total - done) / rate : 0;
    int width = 30, fill = total > 0 ? width * done / total : width;
    fmt::print(stderr, "\r[{:<{}}] {:3}% {}/{} {}, {:.{}f}/s, ETA {:.0f} s ",
               std::string(fill, '#'), width, total > 0 ? 100 * done / total : 100, done, total,
               what_, rate, rate < 10 ? 1 : 0, eta);
    std::fflush(stderr);
    shown_ = true;
  }
  void finish() {
    if (shown_) fmt::print(stderr, "\n");
  }

 private:
  bool active_;
  std::string what_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
};

// "N sector-region pairs hit" for hits [first, end): with Monte Carlo, how many of them are
// short in the central run and how many only in some draws.
std::string count_hits(const std::vector<rareshock::report::Hit>& hits, std::size_t first,
                       std::string_view more = "") {
  const std::size_t n = hits.size() - first;
  const auto central = static_cast<std::size_t>(
      std::count_if(hits.begin() + static_cast<std::ptrdiff_t>(first), hits.end(),
                    [](const rareshock::report::Hit& h) { return h.short_central; }));
  std::string out = fmt::format("{} {}sector-region pair{} hit", n, more, n == 1 ? "" : "s");
  if (central < n)
    out += fmt::format(" ({} short in the central run, {} only in some Monte Carlo draws)", central,
                       n - central);
  return out;
}

// The console summary of a run (rareshock::report::ranked_hits: focus first, then the worst
// hit): for a scenario alone one line per sector-region pair it hits (at most kMaxLines, then
// a count); for the baseline and runs with mitigations one line each.
void print_hits(const rareshock::analysis::StudyResult& result,
                const rareshock::analysis::UncertaintyResult* unc, const rareshock::Study& study) {
  namespace rr = rareshock::report;
  constexpr std::size_t kMaxLines = 5;
  for (const auto& r : result.runs) {
    for (const auto& n : r.notes) spdlog::warn("{}: {}", r.combination.id, n);
    const auto hits = rr::ranked_hits(r, rr::mc_run_of(unc, r), study.focus);
    const std::string& id = r.combination.id;
    if (hits.empty()) {
      if (r.combination.scenario)
        spdlog::info("{}: no shortage within the horizon (to {})", id,
                     rareshock::to_string(study.start + (study.horizon - 1)));
      continue;
    }
    if (!r.combination.scenario || !r.combination.mitigations.empty()) {
      const auto& e = *hits.front().entity;
      spdlog::info("{}: {}{}; first: {} in {} ({} of demand unmet{})", id, count_hits(hits, 0),
                   r.combination.scenario ? "" : " without any shock", e.sector, e.region,
                   rr::format_percent(e.metrics.unmet_fraction),
                   hits.front().mc
                       ? ", short in " + rr::format_percent(hits.front().probability) + " of draws"
                       : std::string());
      continue;
    }
    for (std::size_t i = 0; i < hits.size() && i < kMaxLines; ++i)
      spdlog::info("{}: {}{}", id, hits[i].focus ? "[focus] " : "",
                   rr::hit_line(hits[i], study.start));
    if (hits.size() > kMaxLines)
      spdlog::info("{}: {}; see the report", id, count_hits(hits, kMaxLines, "more "));
  }
}

struct AnalyzeArgs {
  std::string file, out_dir, scenario_file;
  std::vector<std::string> sets;
  bool force = false;
  int days = -1, threads = 0;
};

// `version --verbose`: the MPI library the executable was built with.
std::string mpi_description() {
#ifdef RARESHOCK_HAVE_MPI
  char text[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  MPI_Get_library_version(text, &length);
  std::string v(text, static_cast<std::size_t>(length));
  v = v.substr(0, v.find_first_of(",\n"));  // "Open MPI v4.1.4"
  return v + " (mpirun -n N rareshock run|analyze ...)";
#else
  return "not built (RARESHOCK_MPI)";
#endif
}

// "4 threads", or "2 ranks x 4 threads" in an MPI job.
std::string workers(int threads, int ranks) {
  std::string t = counted(static_cast<std::size_t>(threads), "thread");
  return ranks > 1 ? fmt::format("{} x {}", counted(static_cast<std::size_t>(ranks), "rank"), t)
                   : t;
}

// `rareshock analyze`: structural analysis of a model, or of a study's model (its start,
// shortage threshold, engine settings and `analysis:` section apply).
int analyze_command(const AnalyzeArgs& a, int argc, char** argv, rareshock::Executor& exec) {
  namespace an = rareshock::analysis;
  // Ctrl-C (or SIGTERM) stops the criticality sweep after the outages running; nothing is
  // written, exit 130.
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  std::string started = rareshock::now_utc();
  auto l = load(a.file, a.sets);
  if (l.kind == rareshock::io::FileKind::Scenario) {
    std::cerr << "error: '" << rareshock::terminal_safe(a.file)
              << "' is a scenario file; 'analyze' needs a model or a study (pass a scenario with "
                 "--scenario)\n";
    return kExitInput;
  }
  std::filesystem::path dir =
      a.out_dir.empty() ? std::filesystem::path("out") /
                              (std::filesystem::path(a.file).stem().string() + "-analysis")
                        : std::filesystem::path(a.out_dir);
  // Checked and locked (by the writing process) before computing.
  std::optional<rareshock::report::OutputDir> out;
  on_writer(exec, [&] { out.emplace(dir, a.force); });
  const rareshock::Model& model = l.study ? l.study->model : *l.model;
  an::StructureOptions opt = l.study ? an::structure_options(*l.study) : an::StructureOptions{};
  auto& co = opt.criticality_options;
  co.threads = a.threads;
  co.executor = &exec;
  co.cancel = &g_interrupted;
  if (a.days >= 0) co.days = a.days;
  if (co.horizon > 0 && co.horizon < co.days) co.horizon = 0;
  std::vector<std::filesystem::path> files = l.files;
  rareshock::io::Loaded sc;
  if (!a.scenario_file.empty()) {
    sc = load(a.scenario_file, {});
    if (sc.kind != rareshock::io::FileKind::Scenario) {
      std::cerr << "error: '" << rareshock::terminal_safe(a.scenario_file) << "' is a "
                << rareshock::io::to_string(sc.kind) << " file; --scenario needs a scenario file\n";
      return kExitInput;
    }
    opt.chokepoint_options.scenario = sc.scenario.get();
    files.insert(files.end(), sc.files.begin(), sc.files.end());
  }
  spdlog::info("{}", summary_line(l));
  auto result = an::analyze_structure(model, opt);
  if (exec.any(g_interrupted.load())) {
    spdlog::warn("interrupted: nothing written ({} is as it was)", dir.string());
    return kExitInterrupted;
  }
  if (!exec.writes()) return kExitOk;
  for (const auto& w : result.warnings) spdlog::warn("{}", w);
  rareshock::report::RunProvenance prov;
  prov.resolved_yaml = rareshock::io::to_yaml(l.resolved);
  prov.inputs = files;
  prov.started = started;
  prov.finished = rareshock::now_utc();
  prov.threads = result.criticality ? result.criticality->threads : 1;
  prov.ranks = exec.ranks();
  prov.command_line.assign(argv, argv + argc);
  rareshock::report::write_structure_files(out->path(), model, result, prov);
  out->commit();
  double total = 0;
  for (const auto& [part, secs] : result.seconds) total += secs;
  if (result.criticality) {
    const auto& cr = *result.criticality;
    spdlog::info("criticality: {} outages of {} days on {} in {:.2f} s", cr.entries.size(),
                 cr.options.days, workers(cr.threads, exec.ranks()), cr.seconds);
    for (std::size_t i = 0; i < cr.entries.size() && i < 5; ++i) {
      const auto& e = cr.entries[i];
      spdlog::info("  {}. {} {}: {:.0f} t unmet, {:.3g} USD lost, survives {}", e.rank,
                   an::to_string(e.kind), e.id, e.total.unmet_t, e.total.value_lost_usd,
                   e.total.tts ? fmt::format("{} days", *e.total.tts) : std::string("the horizon"));
    }
  }
  spdlog::info("wrote structural analysis to {} ({:.2f} s)", dir.string(), total);
  return kExitOk;
}

// `rareshock calibrate`: fits the study's calibration parameters to its observed series.
int calibrate_command(const std::string& file, const std::string& out_dir, bool force,
                      bool keep_partial, const std::vector<std::string>& sets, int argc,
                      char** argv) {
  namespace an = rareshock::analysis;
  std::string started = rareshock::now_utc();
  auto l = load(file, sets);
  if (!is_study(l, file, "calibrate")) return kExitInput;
  const auto& study = *l.study;
  if (!study.calibration.enabled) {
    std::cerr << "error: '" << rareshock::terminal_safe(file)
              << "' has no calibration: section (see docs/formats.md, \"Calibration\")\n";
    return kExitInput;
  }
  std::filesystem::path dir =
      out_dir.empty() ? std::filesystem::path("out") /
                            (std::filesystem::path(file).stem().string() + "-calibration")
                      : std::filesystem::path(out_dir);
  rareshock::report::OutputDir out(dir, force);  // checked and locked before computing
  const std::filesystem::path partial_dir = out.target().string() + "-partial";
  if (keep_partial) rareshock::report::check_output_dir(partial_dir, true);
  spdlog::info("{}", summary_line(l));
  const auto& cal = study.calibration;
  spdlog::info("calibrating {} parameter(s) of run {} to {} ({} {}, at most {} evaluations)",
               cal.parameters.size(), cal.run, rareshock::join(cal.observed), cal.algorithm,
               cal.objective, cal.max_evaluations);
  an::CalibrationSettings cs;
  cs.cancel = &g_interrupted;
  Progress bar(cal.max_evaluations, "evaluations");
  cs.progress = [&](int done, int total) { bar.update(done, total); };
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  auto res = an::calibrate(study, l.resolved, cs);
  bar.finish();
  // Interrupted: nothing written unless --keep-partial (then to <output>-partial), exit 130.
  std::optional<rareshock::report::OutputDir> partial;
  if (res.partial && !keep_partial) {
    spdlog::warn("interrupted after {} evaluations: nothing written ({} is as it was)",
                 res.evaluations, dir.string());
    return kExitInterrupted;
  }
  if (res.partial) {
    spdlog::warn(
        "interrupted after {} evaluations; writing the best values so far to {} "
        "(marked partial)",
        res.evaluations, partial_dir.string());
    partial.emplace(partial_dir, true);
  }
  rareshock::report::OutputDir& target = partial ? *partial : out;
  for (const auto& n : res.notes) spdlog::warn("{}", n);
  rareshock::report::RunProvenance prov;
  prov.resolved_yaml = rareshock::io::to_yaml(l.resolved);
  prov.inputs = l.files;
  prov.started = started;
  prov.finished = rareshock::now_utc();
  prov.command_line.assign(argv, argv + argc);
  rareshock::report::write_calibration_outputs(target, study, file, res, prov, sets);
  target.commit();
  for (std::size_t i = 0; i < res.params.size(); ++i)
    spdlog::info("  {} = {} {} (start {}, bounds {} to {})", res.params[i].path,
                 rareshock::pretty_number(res.fitted[i]), res.params[i].unit,
                 rareshock::pretty_number(res.start[i]),
                 rareshock::pretty_number(res.params[i].min),
                 rareshock::pretty_number(res.params[i].max));
  spdlog::info("{}: training {} -> {}{}; {} evaluations ({})", cal.objective,
               rareshock::pretty_number(res.at_start.training),
               rareshock::pretty_number(res.at_fit.training),
               res.at_fit.validation
                   ? ", validation " + rareshock::pretty_number(*res.at_fit.validation)
                   : std::string(),
               res.evaluations, res.stop_reason);
  dir = target.target();
  spdlog::info(
      "wrote calibration to {} (calibrated.yaml: rareshock run {}{})", dir.string(),
      rareshock::report::calibrated_needs_outside(file, dir) ? "--allow-outside-includes " : "",
      (dir / "calibrated.yaml").string());
  return res.partial ? kExitInterrupted : kExitOk;
}

struct RunArgs {
  std::string file, out_dir, focus;
  std::vector<std::string> sets;
  bool force = false, keep_partial = false;
  int draws = -1, threads = 0;
  long long seed = -1;
};

// Writes a run's files, its structural analysis and its reports into \p target's staging
// directory (committed by the caller).
void write_run(rareshock::report::OutputDir& target, const rareshock::Study& study,
               const rareshock::RunRecord& record) {
  rareshock::report::write_run_files(target.path(), study, record);
  if (record.structure)
    rareshock::report::write_structure_files(target.path() / "analysis", study.model,
                                             *record.structure, record.provenance);
  const auto& formats = study.outputs.formats;
  rareshock::report::ReportFormats rf;
  rf.html = std::count(formats.begin(), formats.end(), "html") > 0;
  rf.markdown = std::count(formats.begin(), formats.end(), "md") > 0;
  if (rf.html || rf.markdown) rareshock::report::render_reports(target.path(), rf);
}

// `rareshock run`: runs a study (rareshock::run) and writes its run directory.
int run_command(const RunArgs& a, int argc, char** argv, rareshock::Executor& exec) {
  // Ctrl-C (or SIGTERM) stops the Monte Carlo loop after its current chunk; nothing is
  // written unless --keep-partial, so a previous output stays as it was. Exit 130.
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  std::vector<std::string> sets = a.sets;
  if (a.seed >= 0) sets.push_back("seed=" + std::to_string(a.seed));
  if (a.draws >= 0) sets.push_back("monte_carlo.draws=" + std::to_string(a.draws));
  auto l = load(a.file, sets, a.focus);
  if (!is_study(l, a.file, "run")) return kExitInput;
  std::filesystem::path dir =
      a.out_dir.empty() ? std::filesystem::path("out") / std::filesystem::path(a.file).stem()
                        : std::filesystem::path(a.out_dir);
  // Checked and locked (by the writing process) before computing; everything (reports and
  // analysis/ included) is written into its staging directory and renamed into place once,
  // at the end.
  std::optional<rareshock::report::OutputDir> out;
  std::filesystem::path partial_dir;
  on_writer(exec, [&] {
    out.emplace(dir, a.force);
    partial_dir = out->target().string() + "-partial";
    if (a.keep_partial) rareshock::report::check_output_dir(partial_dir, true);
  });
  const auto& study = *l.study;
  spdlog::info("{}", summary_line(l));
  rareshock::RunSettings rs;
  rs.threads = a.threads;
  rs.executor = &exec;
  rs.cancel = &g_interrupted;
  Progress bar(g_writer ? study.monte_carlo.draws : 0);
  rs.progress = [&](int done, int total) { bar.update(done, total); };
  // By value: the resolved tree is freed before the runs unless draws re-read it (`study`
  // and the model stay: the outputs read them).
  rareshock::RunRecord record = rareshock::run(std::move(l), rs);
  bar.finish();
  record.provenance.command_line.assign(argv, argv + argc);
  record.provenance.ranks = exec.ranks();
  auto& unc = *record.uncertainty;
  const bool interrupted = exec.any(g_interrupted.load());
  if (!exec.writes()) return interrupted ? kExitInterrupted : kExitOk;
  for (const auto& w : record.results.warnings) spdlog::warn("{}", w);
  if (interrupted && !a.keep_partial) {
    spdlog::warn("interrupted: nothing written ({} is as it was)", dir.string());
    return kExitInterrupted;
  }
  std::optional<rareshock::report::OutputDir> partial;
  if (interrupted) {
    spdlog::warn("interrupted: {} of {} draws done; writing them to {} (marked partial)",
                 unc.draws_done, unc.draws_requested, partial_dir.string());
    unc.partial = true;  // also when stopped after the draws (sensitivity, analysis)
    record.structure.reset();
    partial.emplace(partial_dir, true);  // checked above: absent, or an output directory
  } else if (unc.draws_done > 0) {
    spdlog::info("{} Monte Carlo draws on {}", unc.draws_done, workers(unc.threads, exec.ranks()));
  }
  for (const auto& p : unc.reread_paths) spdlog::info("draws re-read the study for {}", p);
  rareshock::report::OutputDir& target = partial ? *partial : *out;
  dir = target.target();
  write_run(target, study, record);
  target.commit();  // the one rename: a failure before it leaves the previous output
  if (record.structure)
    spdlog::debug("structural analysis written to {}", (dir / "analysis").string());
  print_hits(record.results, &unc, study);
  spdlog::info("wrote {} runs to {}", record.results.runs.size(), dir.string());
  const auto& formats = study.outputs.formats;
  if (std::count(formats.begin(), formats.end(), "html") > 0)
    spdlog::info("report: {}", (dir / "report.html").string());
  else if (std::count(formats.begin(), formats.end(), "md") > 0)
    spdlog::info("report: {}", (dir / "report.md").string());
  return interrupted ? kExitInterrupted : kExitOk;
}

// `rareshock report`: re-renders the reports of a run directory.
int report_command(const std::string& dir, const std::vector<std::string>& formats) {
  rareshock::report::ReportFormats rf;
  if (!formats.empty()) {
    rf.html = std::count(formats.begin(), formats.end(), "html") > 0;
    rf.markdown = std::count(formats.begin(), formats.end(), "md") > 0;
  }
  std::optional<rareshock::report::OutputLock> lock;  // not while a run replaces it
  if (std::filesystem::is_directory(dir)) lock.emplace(dir);
  auto files = rareshock::report::render_reports(dir, rf);
  spdlog::info("wrote {} files to {}; report: {}", files.size(), dir,
               (std::filesystem::path(dir) / (rf.html ? "report.html" : "report.md")).string());
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef RARESHOCK_HAVE_MPI
  // Only under a launcher: a plain `rareshock run` never initialises MPI.
  std::optional<rareshock::MpiSession> mpi;
  if (rareshock::MpiSession::launched()) {
    mpi.emplace(&argc, &argv);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    g_mpi = true;
    g_writer = rank == 0;
  }
#endif
  if (!g_writer) {  // told once, by rank 0: a stream in a failed state writes nothing
    std::cout.setstate(std::ios::badbit);
    std::cerr.setstate(std::ios::badbit);
  }
  CLI::App app{"rareshock: when does each sector run short of rare-earth magnets after a shock?"};
  app.require_subcommand(1);
  GlobalOptions g;
  app.add_flag("-v,--verbose", g.verbose, "More log output (debug)");
  app.add_flag("-q,--quiet", g.quiet, "Only errors");
  app.add_option("--log-file", g.log_file, "Also write the log to this file");

  std::string file;
  std::vector<std::string> sets;

  auto* validate =
      app.add_subcommand("validate", "Check a model, scenario or study; print all diagnostics");
  validate->add_option("FILE", file, "Input file")->required();
  validate->add_option("--set", sets, "Override a value: key.path=value (repeatable)");
  std::string focus;
  validate->add_option("--focus", focus, kFocusHelp);
  validate->add_flag("--allow-outside-includes", g_allow_outside_includes, kAllowOutsideHelp);

  bool resolved = false;
  auto* config = app.add_subcommand("config", "Print a study, model or scenario as resolved YAML");
  config->add_option("FILE", file, "Input file")->required();
  config->add_flag("--resolved", resolved, "Every default filled, includes and CSV tables merged")
      ->required();
  config->add_option("--set", sets, "Override a value: key.path=value (repeatable)");
  config->add_flag("--allow-outside-includes", g_allow_outside_includes, kAllowOutsideHelp);

  std::string out_dir;
  bool force = false;
  int draws = -1, threads = 0;
  long long seed = -1;
  auto* run = app.add_subcommand("run", "Run a study");
  run->add_option("STUDY", file, "Study file")->required();
  run->add_option("-o,--output", out_dir, "Output directory (default: out/<study file name>)");
  run->add_flag("--force", force, "Overwrite an existing output directory");
  run->add_option("--draws", draws, "Monte Carlo draws (overrides the study)")
      ->check(whole_number("the number of Monte Carlo draws", 0, kMaxDraws, "--draws 200"));
  run->add_option("--seed", seed, "Master seed (overrides the study)")
      ->check(
          whole_number("the master seed", 0, std::numeric_limits<long long>::max(), "--seed 42"));
  run->add_option("--threads", threads, "Worker threads (0: all cores)")
      ->check(whole_number("worker threads (0: all cores)", 0, kMaxThreads, "--threads 2"));
  run->add_option("--set", sets, "Override a value: key.path=value (repeatable)");
  run->add_option("--focus", focus, kFocusHelp);
  run->add_flag("--allow-outside-includes", g_allow_outside_includes, kAllowOutsideHelp);
  bool keep_partial = false;
  run->add_flag("--keep-partial", keep_partial,
                "On Ctrl-C, write the draws done so far to <output>-partial (marked partial)");

  auto* calibrate = app.add_subcommand(
      "calibrate", "Fit a study's calibration parameters to its observed series (NLopt)");
  calibrate->add_option("STUDY", file, "Study file with observed: and calibration: sections")
      ->required();
  calibrate->add_option("-o,--output", out_dir,
                        "Output directory (default: out/<study file name>-calibration)");
  calibrate->add_flag("--force", force, "Overwrite an existing output directory");
  calibrate->add_flag("--keep-partial", keep_partial,
                      "On Ctrl-C, write the best values so far to <output>-partial (marked "
                      "partial)");
  calibrate->add_option("--set", sets, "Override a value: key.path=value (repeatable)");
  calibrate->add_flag("--allow-outside-includes", g_allow_outside_includes, kAllowOutsideHelp);

  std::vector<std::string> report_formats;
  auto* report = app.add_subcommand(
      "report", "Render report.html and report.md from a run directory (without re-running)");
  report->add_option("RUN_DIR", out_dir, "Run directory written by 'rareshock run'")->required();
  report->add_option("--format", report_formats, "html or md (repeatable; default: both)")
      ->check(CLI::IsMember({"html", "md"}));

  AnalyzeArgs aa;
  auto* analyze = app.add_subcommand(
      "analyze", "Structural analysis: concentration, origin exposure, chokepoints, criticality");
  analyze->add_option("MODEL", aa.file, "Model file (or a study: its model and settings)")
      ->required();
  analyze->add_option("-o,--output", aa.out_dir,
                      "Output directory (default: out/<file name>-analysis)");
  analyze->add_flag("--force", aa.force, "Overwrite an existing output directory");
  analyze->add_option("--days", aa.days, "Outage length D of the criticality ranking (default 90)")
      ->check(whole_number("the outage length in days", 1, kMaxDays, "--days 90"));
  analyze->add_option("--threads", aa.threads, "Worker threads (0: all cores)")
      ->check(whole_number("worker threads (0: all cores)", 0, kMaxThreads, "--threads 2"));
  analyze->add_option("--scenario", aa.scenario_file,
                      "Scenario file: chokepoints also under its restrictions");
  analyze->add_option("--set", aa.sets, "Override a value: key.path=value (repeatable)");
  analyze->add_flag("--allow-outside-includes", g_allow_outside_includes, kAllowOutsideHelp);

  bool verbose_version = false;
  auto* version = app.add_subcommand("version", "Print the version");
  version->add_flag("--verbose", verbose_version,
                    "Git sha, compiler, build type, dependency versions");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;  // CLI11 quotes the arguments: made safe like any user text
    int rc = app.exit(e, out, err);
    std::cout << rareshock::terminal_safe(out.str());
    std::cerr << rareshock::terminal_safe(err.str());
    return rc == 0 ? kExitOk : kExitInput;
  }

  // Commands without an ensemble run on rank 0 alone; the other ranks are done.
  if (!g_writer && !*run && !*analyze) return kExitOk;
  try {
    setup_logging(g);
    if (*version) {
      if (verbose_version)
        std::cout << rareshock::build::describe() << "MPI: " << mpi_description() << "\n";
      else
        std::cout << "rareshock " << rareshock::build::version() << "\n";
      return kExitOk;
    }
    if (*validate) {
      auto l = load(file, sets, focus);
      std::cout << "ok: " << rareshock::terminal_safe(summary_line(l)) << "\n";
      return kExitOk;
    }
    if (*config) {
      auto l = load(file, sets);
      std::cout << rareshock::io::to_yaml(l.resolved);
      return kExitOk;
    }
    if (*report) return report_command(out_dir, report_formats);
    if (*analyze) return analyze_command(aa, argc, argv, *make_executor(aa.threads));
    if (*calibrate) return calibrate_command(file, out_dir, force, keep_partial, sets, argc, argv);
    if (*run)
      return run_command({file, out_dir, focus, sets, force, keep_partial, draws, threads, seed},
                         argc, argv, *make_executor(threads));
  } catch (const rareshock::RemoteError& e) {
    // Another rank failed: told as that rank's error would be (on rank 0 only).
    if (e.input())
      std::cerr << rareshock::terminal_safe(e.what());
    else
      std::cerr << "error: " << rareshock::terminal_safe(e.what()) << "\n";
    return e.input() ? kExitInput : kExitRuntime;
  } catch (const rareshock::InputError& e) {
    std::cerr << rareshock::terminal_safe(e.what());
    return kExitInput;
  } catch (const std::exception& e) {
    std::cerr << "error: " << rareshock::terminal_safe(e.what()) << "\n";
    return kExitRuntime;
  }
  return kExitOk;
}
