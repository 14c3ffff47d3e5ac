// The predictive-maintenance study (`twinbed pdm-study`): a fleet of pumps
// simulated to failure or to the end of their history, a "fails within H"
// classifier trained on some units and judged on held-out ones.
//
// Guarantees:
// - Physics and sensor path only: each unit is a PumpModel sampled through
//   SensorChannels (noise, quantisation, range, value faults); no SimGrid, no
//   network: the pipeline sees every reading the sensors made.
// - Every draw comes from a keyed faults::RandomStream (seed, unit id,
//   purpose): a unit's history does not depend on the fleet's size or order,
//   and the same file and seed give a byte-identical report.
// - Bad input: load_pdm_study() throws ScenarioError listing every problem
//   with file, JSON path, expected and found (exit 2), before anything runs.
// - Labels and training see only what a plant would have: a training window
//   is positive when its unit failed within H after it, and a window whose
//   label the history cannot tell (no failure seen, less than H of history
//   left) is dropped (censoring). Evaluation uses the simulator's truth.
// The study file's keys and the figures: docs/pdm.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/pdm_evaluation.hpp"
#include "analysis/report.hpp"
#include "devices/pump.hpp"
#include "faults/laws.hpp"
#include "pipeline/pdm/logistic_regression.hpp"
#include "pipeline/pdm/window_features.hpp"

namespace twinbed::sim::pdm {

/// A sensor fault a fraction of the fleet carries (drawn per unit).
struct FaultSpec {
  std::string id;
  std::string kind;  ///< "drift", "random_walk_drift" or "emi_spikes"
  std::string signal;
  double fraction = 0;
  faults::Law start_s = faults::Law::fixed(0);
  faults::Law duration_s = faults::Law::fixed(1e300);  ///< default: to the end of the history
  faults::Law rate_per_day = faults::Law::fixed(0);    ///< drift
  double sigma_per_sqrt_hour = 0;                      ///< random_walk_drift
  double rate_per_hour = 0;                            ///< emi_spikes
  faults::Law amplitude = faults::Law::fixed(1);       ///< emi_spikes
  int width_samples = 1;                               ///< emi_spikes
};

struct SensorSpec {
  std::string signal;
  devices::PumpSignal kind = devices::PumpSignal::kVibrationRms;
  double noise_std = 0;
  double resolution = 0;
  double range_lo = 0, range_hi = 1;
};

struct StudySpec {
  std::string file, name, description;
  std::uint64_t seed = 1;
  // Fleet
  int units = 100;
  double history_s = 180 * 86400.0;
  double degradation_probability = 0.1;
  faults::Law onset_s = faults::Law::fixed(0);
  faults::Law time_to_failure_s = faults::Law::fixed(30 * 86400.0);
  faults::Law initial_wear = faults::Law::fixed(0.02);
  std::vector<std::pair<std::string, faults::Law>> params;  ///< PumpParams fields drawn per unit
  std::vector<FaultSpec> faults;
  // Sensors
  double sample_period_s = 600;
  std::string reference = "flow";
  std::vector<SensorSpec> sensors;
  // Features and model
  pipeline::pdm::FeatureOptions features;
  double horizon_s = 7 * 86400.0;
  double train_fraction = 0.5, validation_fraction = 0.25;
  pipeline::pdm::LogisticOptions logistic;
  std::vector<std::string> model_features;  ///< empty: every residual feature
  std::string baseline_feature = "vibration_rms.mean";
  // Decision
  int consecutive_windows = 3;
  double holdoff_s = 86400;
  double max_false_stops_per_unit_year = 1.0;
  analysis::pdm::ThresholdRule threshold_rule = analysis::pdm::ThresholdRule::kMostSensitive;
  std::vector<analysis::ExpectationBound> expect;
};

/// Parses and validates a study file (ScenarioError on bad input).
StudySpec parse_pdm_study(const std::string& text, const std::string& file,
                          std::optional<std::uint64_t> seed);
StudySpec load_pdm_study(const std::string& path, std::optional<std::uint64_t> seed = std::nullopt);

/// PumpParams fields `fleet.params` may draw per unit, by name.
const std::vector<std::pair<const char*, double devices::PumpParams::*>>& pump_param_fields();

/// The names of the figures a study reports (what `expect` may bound).
const std::vector<std::string>& pdm_metric_names();

struct StudyResult {
  nlohmann::json report;  ///< report.json
  analysis::Metrics metrics;
  std::vector<analysis::ExpectationResult> expectations;
  std::string summary;  ///< a few lines for a terminal
  bool all_held() const;
};

StudyResult run_pdm_study(const StudySpec& spec);

}  // namespace twinbed::sim::pdm
