// Scoring: alert episodes against ground truth.
//
// Rules (docs/metrics.md):
// - an incident's scoring window is [abnormal_from − early_warning_s,
//   failure + post_failure_grace_s] (clipped to the run);
// - an episode is a true positive when the reading that raised it was taken
//   (true time) inside the window of an incident on the asset its sensor
//   observes; every other episode is a false positive;
// - an incident with no true-positive episode is missed; detection delay is
//   the cloud time of the first true positive minus abnormal_from;
// - each false positive is attributed to the injected faults active on its
//   sensor's value path, its device's link or its asset's process during
//   [trigger − attribution_lookback_s, trigger]; "none" when there were none.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "analysis/calibration.hpp"
#include "analysis/trace_schema.hpp"

namespace twinbed::analysis {

/// What a label's target names, by label kind: value faults name a sensor
/// ("device/sensor"), network faults a device, process events an asset.
enum class TargetType { kSensor, kDevice, kAsset };
TargetType target_type_of(const std::string& kind);

struct ScoringOptions {
  double early_warning_s = 0.0;
  double post_failure_grace_s = 600.0;
  double attribution_lookback_s = 60.0;
};

struct FalsePositive {
  std::size_t episode = 0;             ///< index into RunData::episodes
  std::vector<std::string> causes;     ///< sorted fault kinds, or {"none"}
  std::vector<std::string> fault_ids;  ///< sorted ids of the fault specs involved
};

struct IncidentOutcome {
  std::size_t incident = 0;
  bool detected = false;
  double detection_delay_s = 0.0;  ///< meaningful when detected
  std::size_t first_episode = 0;
};

/// Sensor-fault alerts (AlertKind::kSensorFault) against the injected
/// sensor faults: an episode is correct when a fault on its sensor's value
/// path (a value fault or a schema change: a label of a sensor kind naming
/// that sensor) was active during [trigger − attribution_lookback_s,
/// trigger], wrong otherwise. Each injected sensor fault — the labels of one
/// fault on one sensor, merged into the span from the first's start to the
/// last's end — is detected when a sensor-fault episode on that sensor was
/// triggered during [start, end + attribution_lookback_s], missed otherwise.
struct SensorFaultScore {
  std::size_t flagged = 0, flagged_correct = 0, flagged_wrong = 0;
  std::size_t injected = 0, detected = 0, missed = 0;
  std::vector<bool> episode_correct;  ///< parallel to the sensor-fault episodes
};

struct Score {
  std::vector<bool> episode_is_tp;  ///< parallel to RunData::episodes
  std::vector<FalsePositive> false_positives;
  std::vector<IncidentOutcome> incidents;
  std::size_t true_positives = 0;
  std::map<std::string, std::size_t> attribution;  ///< cause -> false positives involving it
  SensorFaultScore sensor_faults;                  ///< score_run: this pipeline's sensor-fault episodes
  /// score_run: the scores of run.compared's pipelines, in order (empty for those themselves).
  std::vector<Score> compared;
  /// score_run: the primary's calibrated detectors, claimed against measured false-alarm rates.
  std::vector<CalibrationResult> calibration;
};

/// Scores the primary pipeline's episodes and each compared pipeline's.
Score score_run(const RunData& run, const ScoringOptions& options);
/// Scores one pipeline's sensor-fault episodes against the run's injected sensor faults.
SensorFaultScore score_sensor_faults(const RunData& run, const std::vector<Episode>& sensor_fault_episodes,
                                     const ScoringOptions& options);
/// Scores one pipeline's episodes against the run's ground truth.
Score score_episodes(const RunData& run, const std::vector<Episode>& episodes, const ScoringOptions& options);

}  // namespace twinbed::analysis
