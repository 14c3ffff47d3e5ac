#include "sim/pdm_study.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "analysis/pdm_evaluation.hpp"
#include "pipeline/pdm/stop_rule.hpp"
#include "sim/pdm_fleet.hpp"

namespace twinbed::sim::pdm {

namespace {

using analysis::pdm::StopFigures;
using analysis::pdm::UnitTruth;
using analysis::pdm::UnitWindows;
using nlohmann::json;

constexpr double kHour_s = 3600.0;

/// The models a study compares, in report order.
const std::vector<std::string>& model_names() {
  static const std::vector<std::string> names = {"weighted", "unweighted", "weighted_default",
                                                 "unweighted_default", "baseline"};
  return names;
}

/// Differences between two models' test figures: where the imbalance answer shows.
struct Comparison {
  std::string name, a, b;
};
const std::vector<Comparison>& comparisons() {
  static const std::vector<Comparison> c = {
      {"weighted_minus_unweighted", "weighted", "unweighted"},
      {"weighted_default_minus_unweighted_default", "weighted_default", "unweighted_default"},
      {"weighted_minus_baseline", "weighted", "baseline"}};
  return c;
}

/// Figures of one evaluation, as numbers under fixed keys (pdm_metric_names lists them).
const std::vector<std::string>& stop_figure_keys() {
  static const std::vector<std::string> keys = {"units",
                                                "failing_units",
                                                "caught",
                                                "missed",
                                                "recall",
                                                "true_stops",
                                                "false_stops",
                                                "false_stops_per_unit_year",
                                                "false_stops_by_cause.sensor_fault",
                                                "false_stops_by_cause.degrading_early",
                                                "false_stops_by_cause.none",
                                                "unit_years",
                                                "lead_time_h.p10",
                                                "lead_time_h.p50",
                                                "lead_time_h.p90",
                                                "lead_time_h.min",
                                                "lead_time_h.mean"};
  return keys;
}

json number_or_null(std::optional<double> v) {
  return v ? json(*v) : json(nullptr);
}

constexpr std::size_t kStopsListed = 200;  ///< stops listed per model and split, at most

/// The stops behind the figures: unit id, day, verdict, lead time of a true stop.
json stops_json(const StopFigures& f, const std::vector<std::string>& unit_ids,
                const std::vector<const UnitTruth*>& truth) {
  json list = json::array();
  for (std::size_t i = 0; i < f.stops.size() && i < kStopsListed; ++i) {
    const auto& e = f.stops[i];
    json row = {{"unit", unit_ids[e.unit]}, {"day", e.t_s / 86400.0}, {"cause", e.cause}};
    if (e.true_stop) row["lead_time_h"] = (truth[e.unit]->failure_s - e.t_s) / kHour_s;
    list.push_back(row);
  }
  return list;
}

json figures_json(const StopFigures& f) {
  std::vector<double> lead_h;
  for (double s : f.lead_times_s) lead_h.push_back(s / kHour_s);
  std::optional<double> mean, min;
  if (!lead_h.empty()) {
    double sum = 0;
    for (double x : lead_h) sum += x;
    mean = sum / static_cast<double>(lead_h.size());
    min = *std::min_element(lead_h.begin(), lead_h.end());
  }
  json by_cause = json::object();
  for (const char* c : {"sensor_fault", "degrading_early", "none"}) {
    const auto it = f.false_stops_by_cause.find(c);
    by_cause[c] = it == f.false_stops_by_cause.end() ? 0 : it->second;
  }
  return {{"units", f.units},
          {"failing_units", f.failing_units},
          {"caught", f.caught},
          {"missed", f.missed},
          {"recall", number_or_null(f.recall())},
          {"true_stops", f.true_stops},
          {"false_stops", f.false_stops},
          {"false_stops_per_unit_year", number_or_null(f.false_stops_per_unit_year())},
          {"false_stops_by_cause", by_cause},
          {"unit_years", f.unit_years},
          {"lead_time_h",
           {{"p10", number_or_null(analysis::pdm::quantile(lead_h, 0.1))},
            {"p50", number_or_null(analysis::pdm::quantile(lead_h, 0.5))},
            {"p90", number_or_null(analysis::pdm::quantile(lead_h, 0.9))},
            {"min", number_or_null(min)},
            {"mean", number_or_null(mean)}}}};
}

/// Numbers of `j` by dotted path under `prefix` (objects only; arrays and strings skipped).
void flatten(const json& j, const std::string& prefix, analysis::Metrics& out) {
  for (const auto& item : j.items()) {
    const std::string name = prefix.empty() ? item.key() : prefix + "." + item.key();
    const json& v = item.value();
    if (v.is_object())
      flatten(v, name, out);
    else if (v.is_number())
      out[name] = v.get<double>();
    else if (v.is_null())
      out[name] = std::nullopt;
  }
}

/// One row per window whose label the history can tell (censoring), training units only.
struct TrainingSet {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  int censored = 0;
};

TrainingSet training_set(const std::vector<UnitHistory>& units, const std::vector<int>& columns,
                         double horizon_s) {
  std::size_t rows = 0;
  for (const UnitHistory& u : units)
    if (u.split == Split::kTrain) rows += u.features.window_end_s.size();
  TrainingSet set;
  set.x.resize(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(columns.size()));
  set.y.resize(static_cast<Eigen::Index>(rows));
  Eigen::Index r = 0;
  for (const UnitHistory& u : units) {
    if (u.split != Split::kTrain) continue;
    const bool failed = u.truth.fails_in_history();  // what the plant saw: a failure, or none yet
    for (std::size_t i = 0; i < u.features.window_end_s.size(); ++i) {
      const double end = u.features.window_end_s[i];
      if (!failed && end + horizon_s > u.truth.history_end_s) {
        ++set.censored;
        continue;
      }
      for (std::size_t c = 0; c < columns.size(); ++c)
        set.x(r, static_cast<Eigen::Index>(c)) = u.features.rows(static_cast<Eigen::Index>(i), columns[c]);
      set.y(r) = failed && u.truth.failure_s - end <= horizon_s ? 1.0 : 0.0;
      ++r;
    }
  }
  set.x.conservativeResize(r, set.x.cols());
  set.y.conservativeResize(r);
  return set;
}

/// Scores of every unit's windows under `score_of_rows`.
template <typename F>
std::vector<UnitWindows> score_units(const std::vector<UnitHistory>& units, F score_of_rows) {
  std::vector<UnitWindows> out(units.size());
  for (std::size_t u = 0; u < units.size(); ++u) {
    out[u].end_s = units[u].features.window_end_s;
    out[u].sensor_fault = units[u].window_fault;
    const Eigen::VectorXd s = score_of_rows(units[u].features.rows);
    out[u].score.assign(s.data(), s.data() + s.size());
  }
  return out;
}

struct SplitView {
  std::vector<const UnitTruth*> truth;
  std::vector<const UnitWindows*> windows;
  std::vector<std::string> ids;
};

SplitView view(const std::vector<UnitHistory>& units, const std::vector<UnitWindows>& scored, Split split) {
  SplitView v;
  for (std::size_t u = 0; u < units.size(); ++u)
    if (units[u].split == split) {
      v.truth.push_back(&units[u].truth);
      v.windows.push_back(&scored[u]);
      v.ids.push_back(units[u].id);
    }
  return v;
}

std::optional<double> window_auc(const SplitView& test, double horizon_s) {
  std::vector<double> scores;
  std::vector<std::uint8_t> labels;
  for (std::size_t u = 0; u < test.truth.size(); ++u) {
    const UnitWindows& w = *test.windows[u];
    for (std::size_t i = 0; i < w.end_s.size(); ++i) {
      if (!std::isfinite(w.score[i])) continue;
      scores.push_back(w.score[i]);
      labels.push_back(test.truth[u]->failure_s - w.end_s[i] <= horizon_s ? 1 : 0);
    }
  }
  return analysis::pdm::roc_auc(scores, labels);
}

std::optional<double> percent(std::optional<double> v) {
  if (v) *v *= 100;
  return v;
}

std::string fmt(std::optional<double> v, int precision) {
  if (!v) return "n/a";
  std::ostringstream os;
  os << std::fixed << std::setprecision(precision) << *v;
  return os.str();
}

}  // namespace

const std::vector<std::string>& pdm_metric_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v = {"fleet.units",
                                  "fleet.degrading_units",
                                  "fleet.failing_units",
                                  "fleet.units_with_sensor_faults",
                                  "fleet.samples_per_signal",
                                  "training.windows",
                                  "training.positive_windows",
                                  "training.positive_fraction",
                                  "training.censored_windows",
                                  "training.class_weight.positive",
                                  "training.class_weight.negative"};
    for (const char* split : {"train", "validation", "test"}) {
      v.push_back(std::string("fleet.split.") + split + ".units");
      v.push_back(std::string("fleet.split.") + split + ".failing_units");
    }
    for (const auto& [name, a, b] : comparisons())
      for (const char* k : {"recall", "lead_time_h.p50", "false_stops_per_unit_year"})
        v.push_back("comparison." + name + "." + k);
    for (const auto& m : model_names()) {
      v.push_back(m + ".threshold");
      v.push_back(m + ".window_auc");
      for (const auto& k : stop_figure_keys()) {
        v.push_back(m + "." + k);
        v.push_back(m + ".validation." + k);
      }
    }
    return v;
  }();
  return names;
}

bool StudyResult::all_held() const {
  return std::all_of(expectations.begin(), expectations.end(),
                     [](const analysis::ExpectationResult& e) { return e.held; });
}

StudyResult run_pdm_study(const StudySpec& spec) {
  std::vector<UnitHistory> units;
  units.reserve(static_cast<std::size_t>(spec.units));
  for (int i = 0; i < spec.units; ++i) units.push_back(simulate_unit(spec, i));

  // Model columns: the study's list, or every residual feature.
  const pipeline::pdm::FeatureTable& layout = units.front().features;
  std::vector<std::string> feature_names = spec.model_features;
  if (feature_names.empty())
    for (const auto& n : layout.names)
      if (n.find(".resid_") != std::string::npos) feature_names.push_back(n);
  std::vector<int> columns;
  for (const auto& n : feature_names) columns.push_back(layout.column(n));
  const int baseline_column = layout.column(spec.baseline_feature);

  const TrainingSet train = training_set(units, columns, spec.horizon_s);
  const Eigen::VectorXd balanced = pipeline::pdm::inverse_frequency_weights(train.y);
  const Eigen::VectorXd ones = Eigen::VectorXd::Ones(train.y.size());
  const double positives = train.y.sum();
  pipeline::pdm::LogisticModel fitted[2];
  if (train.y.size() > 0) {
    fitted[0] = pipeline::pdm::fit_logistic(train.x, train.y, balanced, spec.logistic);
    fitted[1] = pipeline::pdm::fit_logistic(train.x, train.y, ones, spec.logistic);
  }
  auto model_scores = [&](const pipeline::pdm::LogisticModel& model) {
    return score_units(units, [&](const Eigen::MatrixXd& rows) -> Eigen::VectorXd {
      if (train.y.size() == 0) return Eigen::VectorXd::Constant(rows.rows(), std::nan(""));
      Eigen::MatrixXd x(rows.rows(), static_cast<Eigen::Index>(columns.size()));
      for (std::size_t c = 0; c < columns.size(); ++c)
        x.col(static_cast<Eigen::Index>(c)) = rows.col(columns[c]);
      return model.probabilities(x);
    });
  };
  const std::vector<UnitWindows> scored_weighted = model_scores(fitted[0]);
  const std::vector<UnitWindows> scored_unweighted = model_scores(fitted[1]);
  const std::vector<UnitWindows> scored_baseline = score_units(
      units, [&](const Eigen::MatrixXd& rows) -> Eigen::VectorXd { return rows.col(baseline_column); });

  json report;
  report["study"] = {{"file", spec.file}, {"name", spec.name}, {"seed", spec.seed}};
  // The fleet and its split.
  {
    int degrading = 0, failing = 0, faulted = 0;
    std::size_t samples = 0;
    json split = json::object();
    for (Split s : {Split::kTrain, Split::kValidation, Split::kTest})
      split[split_name(s)] = {{"units", 0}, {"failing_units", 0}};
    for (const UnitHistory& u : units) {
      degrading += u.degrades;
      failing += u.truth.fails_in_history();
      faulted += !u.sensor_faults.empty();
      samples += u.samples;
      auto& row = split[split_name(u.split)];
      row["units"] = row["units"].get<int>() + 1;
      row["failing_units"] = row["failing_units"].get<int>() + (u.truth.fails_in_history() ? 1 : 0);
    }
    report["fleet"] = {{"units", spec.units},           {"degrading_units", degrading},
                       {"failing_units", failing},      {"units_with_sensor_faults", faulted},
                       {"samples_per_signal", samples}, {"split", split}};
    for (const UnitHistory& u : units) {  // the units the figures are about
      json row = {
          {"split", split_name(u.split)},
          {"failure_day", u.truth.fails_in_history() ? json(u.truth.failure_s / 86400.0) : json(nullptr)}};
      if (!u.sensor_faults.empty()) row["sensor_faults"] = u.sensor_faults;
      if (u.truth.fails_in_history() || !u.sensor_faults.empty())
        report["fleet"]["notable_units"][u.id] = row;
    }
  }
  report["decision"] = {{"consecutive_windows", spec.consecutive_windows},
                        {"holdoff_h", spec.holdoff_s / kHour_s},
                        {"horizon_h", spec.horizon_s / kHour_s},
                        {"max_false_stops_per_unit_year", spec.max_false_stops_per_unit_year},
                        {"threshold_rule", spec.threshold_rule == analysis::pdm::ThresholdRule::kMostSensitive
                                               ? "most_sensitive"
                                               : "fewest_false_stops"}};
  const double n_train = static_cast<double>(train.y.size());
  report["training"] = {
      {"windows", train.y.size()},
      {"positive_windows", static_cast<std::int64_t>(positives)},
      {"positive_fraction", n_train > 0 ? json(positives / n_train) : json(nullptr)},
      {"censored_windows", train.censored},
      {"features", feature_names},
      {"class_weight",
       {{"positive", positives > 0 ? json(n_train / (2 * positives)) : json(nullptr)},
        {"negative", n_train > positives ? json(n_train / (2 * (n_train - positives))) : json(nullptr)}}}};

  // Each model: its threshold (on validation, or the default 0.5) and its figures on the test units.
  const pipeline::pdm::StopRuleOptions rule_base{0.5, spec.consecutive_windows, spec.holdoff_s};
  auto evaluate = [&](const std::vector<UnitWindows>& scored, bool tune,
                      const pipeline::pdm::LogisticModel* model) {
    const SplitView validation = view(units, scored, Split::kValidation);
    const SplitView test = view(units, scored, Split::kTest);
    json out;
    pipeline::pdm::StopRuleOptions rule = rule_base;
    StopFigures on_validation;
    if (tune) {
      const auto choice =
          analysis::pdm::choose_threshold(validation.truth, validation.windows, rule_base, spec.horizon_s,
                                          spec.max_false_stops_per_unit_year, spec.threshold_rule);
      rule.threshold = choice.threshold;
      on_validation = choice.validation;
      out["threshold_met_target"] = choice.met_target;
      out["threshold_candidates"] = choice.candidates;
    } else {
      on_validation =
          analysis::pdm::evaluate_stops(validation.truth, validation.windows, rule, spec.horizon_s);
    }
    out["threshold"] = std::isfinite(rule.threshold) ? json(rule.threshold) : json(nullptr);
    out["validation"] = figures_json(on_validation);
    const StopFigures on_test = analysis::pdm::evaluate_stops(test.truth, test.windows, rule, spec.horizon_s);
    out["test"] = figures_json(on_test);
    out["test_stops"] = stops_json(on_test, test.ids, test.truth);
    out["test_stops_listed"] = std::min(on_test.stops.size(), kStopsListed);
    out["window_auc"] = number_or_null(window_auc(test, spec.horizon_s));
    if (model) {
      json coef = json::object();
      const Eigen::VectorXd raw = model->coefficients_raw();
      for (std::size_t c = 0; c < feature_names.size(); ++c)
        coef[feature_names[c]] = raw(static_cast<Eigen::Index>(c));
      out["coefficients"] = coef;
      out["intercept"] = model->intercept_raw();
      out["iterations"] = model->iterations;
      out["converged"] = model->converged;
    }
    return out;
  };
  const bool fitted_any = train.y.size() > 0;
  report["models"]["weighted"] = evaluate(scored_weighted, true, fitted_any ? &fitted[0] : nullptr);
  report["models"]["unweighted"] = evaluate(scored_unweighted, true, fitted_any ? &fitted[1] : nullptr);
  report["models"]["weighted_default"] = evaluate(scored_weighted, false, nullptr);
  report["models"]["unweighted_default"] = evaluate(scored_unweighted, false, nullptr);
  report["models"]["baseline"] = evaluate(scored_baseline, true, nullptr);
  report["models"]["baseline"]["feature"] = spec.baseline_feature;

  StudyResult result;
  json fleet = report["fleet"];
  fleet.erase("notable_units");
  flatten(fleet, "fleet", result.metrics);
  flatten(report["training"], "training", result.metrics);
  for (const auto& m : model_names()) {
    const json& r = report["models"][m];
    result.metrics[m + ".threshold"] =
        r["threshold"].is_number() ? std::optional(r["threshold"].get<double>()) : std::nullopt;
    result.metrics[m + ".window_auc"] =
        r["window_auc"].is_number() ? std::optional(r["window_auc"].get<double>()) : std::nullopt;
    flatten(r["test"], m, result.metrics);
    flatten(r["validation"], m + ".validation", result.metrics);
  }
  for (const auto& [name, a, b] : comparisons()) {
    for (const char* k : {"recall", "lead_time_h.p50", "false_stops_per_unit_year"}) {
      const auto& x = result.metrics[a + "." + k];
      const auto& y = result.metrics[b + "." + k];
      const std::optional<double> d = x && y ? std::optional(*x - *y) : std::nullopt;
      result.metrics["comparison." + name + "." + k] = d;
      json& at = report["comparison"][name];
      if (std::string(k) == "lead_time_h.p50")
        at["lead_time_h"]["p50"] = number_or_null(d);
      else
        at[k] = number_or_null(d);
    }
  }
  result.expectations = analysis::check_expectations(result.metrics, spec.expect);
  json exp = json::array();
  for (const auto& r : result.expectations) {
    json row = {{"metric", r.bound.metric}, {"value", number_or_null(r.value)}, {"held", r.held}};
    if (r.bound.min) row["min"] = *r.bound.min;
    if (r.bound.max) row["max"] = *r.bound.max;
    exp.push_back(row);
  }
  report["expectations"] = exp;
  report["verdict"] = result.all_held() ? "pass" : "fail";
  result.report = std::move(report);

  auto get = [&](const std::string& name) {
    const auto it = result.metrics.find(name);
    return it == result.metrics.end() ? std::nullopt : it->second;
  };
  std::ostringstream os;
  os << "pdm study " << (spec.name.empty() ? spec.file : spec.name) << " (seed " << spec.seed << ")\n"
     << "  fleet     " << spec.units << " units, " << fmt(get("fleet.failing_units"), 0) << " failing, "
     << fmt(get("fleet.units_with_sensor_faults"), 0) << " with sensor faults; test "
     << fmt(get("fleet.split.test.units"), 0) << " units (" << fmt(get("fleet.split.test.failing_units"), 0)
     << " failing)\n"
     << "  training  " << fmt(get("training.windows"), 0) << " windows, "
     << fmt(percent(get("training.positive_fraction")), 2) << " % positive (H = " << spec.horizon_s / 86400.0
     << " d), " << fmt(get("training.censored_windows"), 0) << " censored\n";
  for (const auto& m : model_names())
    os << "  " << std::left << std::setw(19) << m << std::right << "caught " << fmt(get(m + ".caught"), 0)
       << "/" << fmt(get(m + ".failing_units"), 0) << ", lead p50 " << fmt(get(m + ".lead_time_h.p50"), 1)
       << " h, false stops " << fmt(get(m + ".false_stops"), 0) << " ("
       << fmt(get(m + ".false_stops_per_unit_year"), 2) << "/unit-year), AUC "
       << fmt(get(m + ".window_auc"), 3) << "\n";
  int held = 0;
  for (const auto& e : result.expectations) held += e.held;
  os << "  expect    " << held << "/" << result.expectations.size() << " held";
  for (const auto& e : result.expectations)
    if (!e.held) os << "; FAILED " << e.bound.metric << " = " << fmt(e.value, 4);
  os << "\n";
  result.summary = os.str();
  return result;
}

}  // namespace twinbed::sim::pdm
