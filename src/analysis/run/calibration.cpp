#include "rareshock/analysis/run/calibration.hpp"

#include <nlopt.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

#include "rareshock/core/error.hpp"
#include "rareshock/core/text.hpp"
#include "rareshock/io/load.hpp"

namespace rareshock::analysis {

CalibrationPoint evaluate_calibration(const Study& study) {
  const Calibration& cal = study.calibration;
  const Combination* comb = nullptr;
  for (const auto& c : study.combinations)
    if (c.id == cal.run) comb = &c;
  if (!comb) throw InputError("calibration.run '" + cal.run + "' is not a run of the study\n");
  RunOptions opt;
  opt.trade_series = true;
  opt.details = false;  // fits read the trade series only (fit_observed)
  sim::Network net = sim::compile(study.model);
  RunResult run = run_combination(study, net, *comb, opt);
  CalibrationPoint pt;
  double train = 0, valid = 0;
  int n_train = 0, n_valid = 0;
  for (const auto& id : cal.observed)
    for (const auto& obs : study.observed) {
      if (obs.id != id) continue;
      ObservedFit fit = fit_observed(study, obs, run);
      FitStats t = cal.training ? *fit.training : fit.all;
      if (t.n > 0) train += objective_value(cal.objective, t), ++n_train;
      if (fit.validation && fit.validation->n > 0)
        valid += objective_value(cal.objective, *fit.validation), ++n_valid;
      pt.fits.push_back(std::move(fit));
    }
  if (n_train == 0)
    throw InputError("calibration: no observation of " + std::to_string(cal.observed.size()) +
                     " observed series falls inside the " +
                     (cal.training ? "training window" : "study window") + "\n");
  pt.training = train / n_train;  // the mean over series
  if (n_valid > 0) pt.validation = valid / n_valid;
  return pt;
}

namespace {

struct Problem {
  const Study* study = nullptr;
  const io::TreeNode* resolved = nullptr;
  const CalibrationSettings* settings = nullptr;
  CalibrationResult* result = nullptr;
  nlopt_opt opt = nullptr;
  std::exception_ptr error;
  double best = std::numeric_limits<double>::infinity();
  std::vector<double> best_x;

  std::vector<double> values(const double* u) const {
    std::vector<double> x;
    for (std::size_t i = 0; i < result->params.size(); ++i) {
      const auto& p = result->params[i];
      x.push_back(p.min + std::clamp(u[i], 0.0, 1.0) * (p.max - p.min));
    }
    return x;
  }
};

Study study_at(const io::TreeNode& resolved, const std::vector<CalibrationParam>& params,
               const std::vector<double>& x) {
  std::vector<io::PathValue> v;
  for (std::size_t i = 0; i < params.size(); ++i)
    for (const auto& t : params[i].targets) v.push_back({t, x[i]});
  return io::study_with_values(resolved, v);
}

// NLopt minimises this over the unit cube (parameters scaled to their bounds).
double objective(unsigned n, const double* u, double* grad, void* data) {
  (void)grad;  // derivative-free algorithms only
  auto& pb = *static_cast<Problem*>(data);
  (void)n;
  if (pb.settings->cancel && pb.settings->cancel->load()) {
    pb.result->partial = true;
    nlopt_force_stop(pb.opt);
    return pb.best;
  }
  try {
    std::vector<double> x = pb.values(u);
    CalibrationPoint pt = evaluate_calibration(study_at(*pb.resolved, pb.result->params, x));
    pb.result->trace.push_back({x, pt.training, pt.validation});
    ++pb.result->evaluations;
    if (pt.training < pb.best) pb.best = pt.training, pb.best_x = x;
    if (pb.settings->progress)
      pb.settings->progress(pb.result->evaluations, pb.study->calibration.max_evaluations);
    return pt.training;
  } catch (...) {
    pb.error = std::current_exception();
    nlopt_force_stop(pb.opt);
    return std::numeric_limits<double>::infinity();
  }
}

const char* describe(nlopt_result r) {
  switch (r) {
    case NLOPT_SUCCESS:
      return "success";
    case NLOPT_STOPVAL_REACHED:
      return "objective reached the stop value";
    case NLOPT_FTOL_REACHED:
      return "converged (relative change of the objective below 1e-9)";
    case NLOPT_XTOL_REACHED:
      return "converged (parameters moved less than 1e-6 of their range)";
    case NLOPT_MAXEVAL_REACHED:
      return "max_evaluations reached";
    case NLOPT_MAXTIME_REACHED:
      return "time limit reached";
    case NLOPT_FORCED_STOP:
      return "stopped";
    case NLOPT_ROUNDOFF_LIMITED:
      return "stopped by round-off";
    default:
      return "optimiser failure";
  }
}

}  // namespace

CalibrationResult calibrate(const Study& study, const io::TreeNode& resolved,
                            const CalibrationSettings& settings) {
  const Calibration& cal = study.calibration;
  if (!cal.enabled) throw InputError("the study has no calibration: section\n");
  CalibrationResult res;
  res.params = cal.parameters;
  res.algorithm = cal.algorithm;
  res.objective = cal.objective;
  const unsigned n = static_cast<unsigned>(res.params.size());
  std::vector<double> u0(n);
  for (unsigned i = 0; i < n; ++i) {
    const auto& p = res.params[i];
    double v = io::value_at(resolved, p.targets.front());
    for (const auto& t : p.targets)
      if (double w = io::value_at(resolved, t); w != v) {
        res.notes.push_back(p.path + ": its " + std::to_string(p.targets.size()) +
                            " values differ (" + t + " = " + format_number(w) +
                            "); all start from the first, " + p.targets.front() + " = " +
                            format_number(v));
        break;
      }
    if (v < p.min || v > p.max) {
      res.notes.push_back(p.path + ": the study's value " + format_number(v) + " is outside [" +
                          format_number(p.min) + ", " + format_number(p.max) +
                          "]; starting from the nearest bound");
      v = std::clamp(v, p.min, p.max);
    }
    res.start.push_back(v);
    u0[i] = (v - p.min) / (p.max - p.min);
  }
  res.at_start = evaluate_calibration(study_at(resolved, res.params, res.start));

  nlopt_algorithm alg = cal.algorithm == "neldermead" ? NLOPT_LN_NELDERMEAD
                        : cal.algorithm == "sbplx"    ? NLOPT_LN_SBPLX
                                                      : NLOPT_LN_BOBYQA;
  // BOBYQA needs a quadratic model: with one parameter, NLopt's BOBYQA is used as is (it
  // accepts n = 1); nothing random is used by these algorithms, seeded anyway.
  nlopt_srand(study.seed);
  Problem pb;
  pb.study = &study;
  pb.resolved = &resolved;
  pb.settings = &settings;
  pb.result = &res;
  pb.opt = nlopt_create(alg, n);
  if (!pb.opt) throw RuntimeError("NLopt could not create the optimiser");
  std::vector<double> lo(n, 0.0), hi(n, 1.0), step(n, 0.1);
  nlopt_set_lower_bounds(pb.opt, lo.data());
  nlopt_set_upper_bounds(pb.opt, hi.data());
  // A first step of a tenth of each range, away from a bound the start sits on.
  nlopt_set_initial_step(pb.opt, step.data());
  nlopt_set_min_objective(pb.opt, objective, &pb);
  nlopt_set_maxeval(pb.opt, cal.max_evaluations);
  nlopt_set_xtol_abs1(pb.opt, 1e-6);
  nlopt_set_ftol_rel(pb.opt, 1e-9);
  std::vector<double> u = u0;
  double fmin = 0;
  nlopt_result r = nlopt_optimize(pb.opt, u.data(), &fmin);
  nlopt_destroy(pb.opt);
  if (pb.error) std::rethrow_exception(pb.error);
  if (r < 0 && r != NLOPT_FORCED_STOP && r != NLOPT_ROUNDOFF_LIMITED)
    throw RuntimeError(std::string("calibration failed: NLopt: ") + describe(r));
  res.stop_reason = res.partial ? "interrupted" : describe(r);
  if (pb.best_x.empty() || res.at_start.training <= pb.best) pb.best_x = res.start;
  res.fitted = pb.best_x;
  res.at_fit = evaluate_calibration(study_at(resolved, res.params, res.fitted));
  return res;
}

}  // namespace rareshock::analysis
