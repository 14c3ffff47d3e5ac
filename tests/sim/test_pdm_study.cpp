// The predictive-maintenance study: file validation (file, JSON path,
// expected vs found), the fleet's draws, and a small study end to end.
#include <doctest/doctest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/json_reader.hpp"
#include "sim/pdm_fleet.hpp"
#include "sim/pdm_study.hpp"

using namespace twinbed::sim;
using nlohmann::json;

namespace {
/// A small, fast study: 60 units, 60 days at 30-minute samples.
json small_study() {
  return json::parse(R"({
    "twinbed": 1, "study": "pdm", "seed": 11,
    "fleet": {
      "units": 60, "history_days": 60,
      "degradation": {"probability": 0.4, "onset_days": {"law": "uniform", "lo": 0, "hi": 50},
                      "time_to_failure_days": {"law": "weibull", "scale": 15, "shape": 2.5}},
      "params": {"load_mean": {"law": "uniform", "lo": 0.5, "hi": 0.9}},
      "sensor_faults": [{"id": "d", "kind": "drift", "signal": "vibration_rms", "fraction": 0.2,
                         "start_days": 10, "duration_days": 20, "rate_per_day": 0.1}]
    },
    "sensors": {"sample_period_s": 1800, "signals": [
      {"signal": "flow", "noise_std": 1}, {"signal": "vibration_rms", "noise_std": 0.15},
      {"signal": "bearing_temp", "noise_std": 0.4}]},
    "features": {"window_h": 24, "step_h": 6, "baseline_days": 5, "min_samples": 20},
    "model": {"horizon_days": 5},
    "split": {"train": 0.5, "validation": 0.25},
    "decision": {"consecutive_windows": 2, "holdoff_h": 24, "max_false_stops_per_unit_year": 2},
    "expect": {"weighted.recall": {"min": 0.0}}
  })");
}

std::vector<std::string> errors_of(const json& doc) {
  try {
    pdm::parse_pdm_study(doc.dump(), "study.json", std::nullopt);
  } catch (const ScenarioError& e) {
    return e.errors();
  }
  return {};
}

bool has_error(const std::vector<std::string>& errors, const std::string& fragment) {
  for (const auto& e : errors)
    if (e.find(fragment) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("pdm study file: valid, and each mistake named with its path, expected and found") {
  CHECK(errors_of(small_study()).empty());
  json doc = small_study();
  doc["fleet"]["units"] = -3;
  doc["fleet"]["degradation"]["time_to_failure_days"] = {{"law", "weibul"}, {"scale", 3}, {"shape", 2}};
  doc["sensors"]["signals"][1]["signal"] = "vibration";
  doc["model"]["features"] = {"bearing_temp.resid_mean", "vibration_rms.resid_slope"};
  doc["split"]["validation"] = 0.6;
  doc["expect"]["weighted.recal"] = {{"min", 0.5}};
  doc["decision"]["consecutive_window"] = 2;
  doc["fleet"]["sensor_faults"][0]["signal"] = "motor_current";
  const auto e = errors_of(doc);
  CHECK(has_error(e, "study.json: $.fleet.units: expected an integer in [1, 100000], found number -3"));
  CHECK(has_error(e, "$.fleet.degradation.time_to_failure_days.law: expected one of"));
  CHECK(has_error(e, "$.sensors.signals[1].signal: expected one of"));
  CHECK(has_error(e, "$.model.features[1]: expected a feature of the study's sensors"));
  CHECK(has_error(e, "$.split: expected train + validation < 1"));
  CHECK(has_error(e, "$.expect.weighted.recal: expected a figure of the study's report"));
  CHECK(has_error(e, "$.decision.consecutive_window: unknown key (did you mean \"consecutive_windows\"?)"));
  CHECK(has_error(e, "$.fleet.sensor_faults[0].signal: expected the signal of one of $.sensors.signals"));
  json no_ref = small_study();
  no_ref["sensors"]["signals"].erase(0);
  CHECK(
      has_error(errors_of(no_ref), "$.sensors.signals: expected a sensor measuring the reference \"flow\""));
  json wrong_kind = small_study();
  wrong_kind["study"] = "rul";
  CHECK(has_error(errors_of(wrong_kind), "$.study: expected one of \"pdm\", found string \"rul\""));
}

TEST_CASE("pdm fleet: a unit's history depends on its id and the seed, not on the fleet around it") {
  const pdm::StudySpec a = pdm::parse_pdm_study(small_study().dump(), "a.json", std::nullopt);
  json bigger = small_study();
  bigger["fleet"]["units"] = 90;
  const pdm::StudySpec b = pdm::parse_pdm_study(bigger.dump(), "b.json", std::nullopt);
  for (int i : {0, 7, 33}) {
    const pdm::UnitHistory ua = pdm::simulate_unit(a, i), ub = pdm::simulate_unit(b, i);
    CHECK(ua.id == ub.id);
    CHECK(ua.truth.failure_s == ub.truth.failure_s);
    CHECK(ua.features.rows.isApprox(ub.features.rows, 0.0));
  }
  const pdm::StudySpec other = pdm::parse_pdm_study(small_study().dump(), "a.json", std::uint64_t{12});
  CHECK_FALSE(pdm::simulate_unit(other, 7).features.rows.isApprox(pdm::simulate_unit(a, 7).features.rows));
}

TEST_CASE("pdm fleet: drawn times to failure follow the stated Weibull (2000 units, mean within 4 %)") {
  json doc = small_study();
  doc["fleet"]["units"] = 2000;
  doc["fleet"]["history_days"] = 8;  // short histories: only the draws matter here
  doc["fleet"]["degradation"]["probability"] = 1.0;
  doc["fleet"]["degradation"]["onset_days"] = 0;
  doc["fleet"]["degradation"]["initial_wear"] = 0.02;
  doc["features"]["baseline_days"] = 1;
  const pdm::StudySpec spec = pdm::parse_pdm_study(doc.dump(), "w.json", std::nullopt);
  double sum = 0, sum_sq = 0;
  const int n = 2000;
  for (int i = 0; i < n; ++i) {
    const double ttf_d = pdm::simulate_unit(spec, i).truth.failure_s / 86400.0;
    sum += ttf_d;
    sum_sq += ttf_d * ttf_d;
  }
  // Weibull(scale 15, shape 2.5): mean 15 G(1.4) = 13.31 d, sd 15 sqrt(G(1.8) - G(1.4)^2) = 5.71 d;
  // the standard error of the mean over 2000 is 0.128 d: 4 % (0.53 d) is four of them.
  const double mean = sum / n, sd = std::sqrt(sum_sq / n - mean * mean);
  CHECK(mean == doctest::Approx(15 * std::tgamma(1.4)).epsilon(0.04));
  CHECK(sd ==
        doctest::Approx(15 * std::sqrt(std::tgamma(1.8) - std::pow(std::tgamma(1.4), 2))).epsilon(0.08));
}

TEST_CASE("pdm study end to end: deterministic, every listed figure reported, imbalance visible") {
  const pdm::StudySpec spec = pdm::parse_pdm_study(small_study().dump(), "s.json", std::nullopt);
  const pdm::StudyResult r1 = pdm::run_pdm_study(spec), r2 = pdm::run_pdm_study(spec);
  CHECK(r1.report.dump() == r2.report.dump());
  for (const auto& name : pdm::pdm_metric_names()) {
    INFO(name);
    CHECK(r1.metrics.count(name) == 1);
  }
  // Positives are rare; weights make both classes carry half.
  const double frac = *r1.metrics.at("training.positive_fraction");
  CHECK(frac > 0.0);
  CHECK(frac < 0.2);
  CHECK(*r1.metrics.at("training.class_weight.positive") == doctest::Approx(0.5 / frac));
  // At the default threshold the weighted model stops at least as many failing units as the unweighted.
  CHECK(*r1.metrics.at("weighted_default.caught") >= *r1.metrics.at("unweighted_default.caught"));
  CHECK(r1.report["models"]["weighted"]["converged"] == true);
  CHECK(r1.all_held());
  const pdm::StudySpec reseeded = pdm::parse_pdm_study(small_study().dump(), "s.json", std::uint64_t{99});
  CHECK(pdm::run_pdm_study(reseeded).report.dump() != r1.report.dump());
}
